// What the page shows, as it lives in the address bar: `?at=2020-02-26&asOf=2026-11-27T10:00:00Z&since=…&window=30
// &proposal=…&sort=killed&order=desc&page=2`. A shared address reopens the same view; a malformed one is reported,
// never silently replaced.
import { isoDate, parseUrlTime } from './time';

export const windows = ['all', '7', '30', '90', '365'] as const;
export type Window = (typeof windows)[number];
export const sortKeys = ['occurred', 'perpetrator', 'killed', 'injured', 'grading'] as const;
export type SortKey = (typeof sortKeys)[number];

export interface View {
  /** Valid time: the world at this moment; null = the latest moment the ledger records. */
  at: Date | null;
  /** Transaction time: what the ledger had recorded by then; null = now (and live). */
  asOf: Date | null;
  /** "What changed": the earlier transaction time to compare with; null = off. */
  since: Date | null;
  window: Window;
  proposal: string | null;
  sort: SortKey;
  order: 'asc' | 'desc';
  page: number;
}

/** A parameter of the address that could not be read: the page says so and offers a way back to "now". */
export interface AddressProblem {
  parameter: string;
  value: string;
  expected: string;
}

export const defaultView: View = { at: null, asOf: null, since: null, window: 'all', proposal: null, sort: 'occurred', order: 'desc', page: 1 };

export function readAddress(search: string): { view: View; problems: AddressProblem[] } {
  const query = new URLSearchParams(search);
  const problems: AddressProblem[] = [];
  const view: View = { ...defaultView };

  const time = (name: string): Date | null => {
    const value = query.get(name);
    if (value === null || value === '') {
      return null;
    }

    const parsed = parseUrlTime(value);
    if (parsed === null) {
      problems.push({ parameter: name, value, expected: 'a date (2020-02-26) or an ISO 8601 time with its offset (2020-02-26T12:00:00Z)' });
    }

    return parsed;
  };

  view.at = time('at');
  view.asOf = time('asOf');
  view.since = time('since');

  const window = query.get('window');
  if (window !== null) {
    if ((windows as readonly string[]).includes(window)) {
      view.window = window as Window;
    } else {
      problems.push({ parameter: 'window', value: window, expected: `one of ${windows.join(', ')}` });
    }
  }

  const proposal = query.get('proposal');
  if (proposal) {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(proposal)) {
      view.proposal = proposal;
    } else {
      problems.push({ parameter: 'proposal', value: proposal, expected: 'a proposal id (a UUID)' });
    }
  }

  const sort = query.get('sort');
  if (sort !== null) {
    if ((sortKeys as readonly string[]).includes(sort)) {
      view.sort = sort as SortKey;
    } else {
      problems.push({ parameter: 'sort', value: sort, expected: `one of ${sortKeys.join(', ')}` });
    }
  }

  const order = query.get('order');
  if (order !== null) {
    if (order === 'asc' || order === 'desc') {
      view.order = order;
    } else {
      problems.push({ parameter: 'order', value: order, expected: 'asc or desc' });
    }
  }

  const page = query.get('page');
  if (page !== null) {
    const number = Number(page);
    if (Number.isInteger(number) && number >= 1) {
      view.page = number;
    } else {
      problems.push({ parameter: 'page', value: page, expected: 'a whole number from 1' });
    }
  }

  return { view, problems };
}

/** The address of a view: only what differs from the defaults. */
export function writeAddress(view: View): string {
  const query = new URLSearchParams();
  if (view.at) {
    query.set('at', timeText(view.at));
  }

  if (view.asOf) {
    query.set('asOf', timeText(view.asOf));
  }

  if (view.since) {
    query.set('since', timeText(view.since));
  }

  if (view.window !== defaultView.window) {
    query.set('window', view.window);
  }

  if (view.proposal) {
    query.set('proposal', view.proposal);
  }

  if (view.sort !== defaultView.sort) {
    query.set('sort', view.sort);
  }

  if (view.order !== defaultView.order) {
    query.set('order', view.order);
  }

  if (view.page !== 1) {
    query.set('page', String(view.page));
  }

  // ':' may stay as it is in a query, which keeps times readable in a shared address.
  const text = query.toString().replace(/%3A/gi, ':');
  return text ? `?${text}` : window.location.pathname;
}

/** A day's end is written as the day alone (as the API reads a date); any other moment in full. */
export function timeText(value: Date): string {
  const iso = value.toISOString();
  return iso.endsWith('T23:59:59.999Z') ? isoDate(value) : iso.replace('.000Z', 'Z');
}
