// The dashboard: the world at `at` (valid time) as the ledger knew it at `asOf` (transaction time), on a map and in
// panels that all read the same pair, kept in the address bar so that a view can be shared and reopened exactly.
import 'leaflet/dist/leaflet.css';
import './page.css';
import type L from 'leaflet';
import { ApiProblem, NeedsCredentials, api, credentials, read, type Schemas } from './api';
import { popup, showTable, killed } from './attacks';
import { assignColours } from './colours';
import { follow, type LiveFeed, type LiveState } from './live';
import { LedgerMap, type AttackMark } from './map';
import { showCeasefires, showChanges, showProposals, showTotals } from './panels';
import { addDays, daysBetween, fromLocalInput, isoDate, occurrence, startOfDay, toLocalInput, utc } from './time';
import { defaultView, readAddress, writeAddress, type AddressProblem, type View } from './view';

/** The most attacks the map and the table hold at once (four pages of the API); the summary says when there are more. */
const attackCap = 2000;

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`the page lacks #${id}`);
  }

  return found as T;
};

const controls = {
  atRange: element<HTMLInputElement>('at-range'),
  at: element<HTMLInputElement>('at'),
  asOf: element<HTMLInputElement>('as-of'),
  asOfNow: element<HTMLButtonElement>('as-of-now'),
  window: element<HTMLSelectElement>('window'),
  compare: element<HTMLInputElement>('compare'),
  since: element<HTMLInputElement>('since'),
  proposal: element<HTMLSelectElement>('proposal'),
  status: element<HTMLParagraphElement>('status'),
  live: element<HTMLParagraphElement>('live'),
  error: element<HTMLDivElement>('error'),
  errorText: element<HTMLParagraphElement>('error-text'),
  retry: element<HTMLButtonElement>('retry'),
  backToNow: element<HTMLButtonElement>('back-to-now'),
  keyDialog: element<HTMLDialogElement>('key-dialog'),
  keyForm: element<HTMLFormElement>('key-form'),
  keyInput: element<HTMLInputElement>('key-input'),
  keyError: element<HTMLParagraphElement>('key-error'),
};

let { view, problems } = readAddress(window.location.search);
let map: LedgerMap;
let span = { from: startOfDay(new Date()), until: new Date() };
/** The (at, asOf) pair the panels read: no asOf while the view follows "now". */
let shown: { at: string; asOf?: string } | null = null;
let attacks: Schemas['AttackSummary'][] = [];
let attackTotal = 0;
let loading = 0;
let live: LiveFeed | null = null;
let regionsAsOf: string | null = null;

function go(next: Partial<View>, how: 'push' | 'replace' = 'push'): void {
  view = { ...view, ...next };
  const address = writeAddress(view);
  if (how === 'push') {
    history.pushState(null, '', address);
  } else {
    history.replaceState(null, '', address);
  }

  void load();
}

function status(text: string): void {
  controls.status.textContent = text;
}

function fail(message: string, options: { retry: boolean }): void {
  controls.errorText.textContent = message;
  controls.retry.hidden = !options.retry;
  controls.error.hidden = false;
}

function describeAddressProblems(found: AddressProblem[]): string {
  return `This address cannot be shown as given: ${found.map((p) => `“${p.parameter}=${p.value}” is not ${p.expected}`).join('; ')}. ` +
    'The rest of the view is shown with the defaults.';
}

async function load(): Promise<void> {
  const ticket = ++loading;
  controls.error.hidden = true;
  if (problems.length > 0) {
    fail(describeAddressProblems(problems), { retry: false });
  }

  status('Loading…');
  document.body.dataset.state = 'loading';
  try {
    const extent = await read(api.GET('/api/extent', { params: { query: { asOf: view.asOf?.toISOString() } } }));
    if (ticket !== loading) {
      return;
    }

    const asOf = extent.asOf;
    const latest = extent.until ? new Date(extent.until) : new Date();
    const at = view.at ?? new Date(Date.UTC(latest.getUTCFullYear(), latest.getUTCMonth(), latest.getUTCDate(), 23, 59, 59, 999));
    span = { from: startOfDay(extent.from ? new Date(extent.from) : addDays(at, -365)), until: new Date(Math.max(latest.getTime(), at.getTime())) };
    showTime(at, new Date(asOf));

    // A view of "now" reads without asOf, so that the service's read cache (invalidated by new events) answers a crowd
    // of dashboards; a past asOf is sent as the address gives it (the service's own rendering of it).
    const pinned = view.asOf ? asOf : undefined;
    const query = { at: at.toISOString(), asOf: pinned };
    const from = view.window === 'all' ? undefined : addDays(at, -Number(view.window)).toISOString();
    const needRegions = regionsAsOf !== asOf.slice(0, 10);
    const [regions, control, posts, corridors, ceasefires, proposals, totals, byMonth, byPerpetrator, list, changes, proposal] = await Promise.all([
      needRegions ? read(api.GET('/api/region-map', { params: { query: { asOf: pinned } } })) : Promise.resolve(undefined),
      read(api.GET('/api/control-map', { params: { query } })),
      read(api.GET('/api/observation-posts', { params: { query } })),
      read(api.GET('/api/corridors', { params: { query } })),
      read(api.GET('/api/ceasefires', { params: { query } })),
      read(api.GET('/api/proposals', { params: { query: { asOf: pinned, pageSize: 100 } } })),
      read(api.GET('/api/casualties/totals', { params: { query: { ...query, from } } })),
      read(api.GET('/api/casualties/totals', { params: { query: { ...query, from, groupBy: 'month' } } })),
      read(api.GET('/api/casualties/totals', { params: { query: { ...query, from, groupBy: 'perpetrator' } } })),
      loadAttacks(query, from),
      view.since ? loadChanges(view.since, pinned) : Promise.resolve(null),
      view.proposal ? read(api.GET('/api/proposals/{id}', { params: { path: { id: view.proposal }, query: { asOf: pinned } } })) : Promise.resolve(null),
    ]);
    if (ticket !== loading) {
      return;
    }

    if (regions) {
      regionsAsOf = asOf.slice(0, 10);
    }

    attacks = list.items;
    attackTotal = list.total;
    shown = query;
    const tabled = proposals.items.filter((p) => new Date(p.tabledAt) <= at);
    assignColours([
      ...control.features.map((f) => f.properties.actor).filter((a): a is string => !!a),
      ...(proposal?.proposal.terms.areas.map((a) => a.actor ?? '') ?? []),
      ...byPerpetrator.groups.map((g) => g.key),
    ]);

    const changed = new Map((changes?.items ?? []).map((c) => [c.attackId, c] as const));
    const marks: AttackMark[] = attacks.map((attack) => ({
      id: attack.id,
      location: [attack.facts.location.coordinates[0] ?? 0, attack.facts.location.coordinates[1] ?? 0],
      killedBest: killed(attack).best,
      perpetrator: attack.facts.perpetrator,
      label: `${occurrence(attack.facts.occurrence)}: ${attack.facts.perpetrator}, ${killed(attack).best} killed`,
      change: changed.get(attack.id)?.change,
    }));
    // Attacks retracted since the earlier asOf are no longer in view: shown as grey, dashed ghosts while comparing.
    for (const change of changed.values()) {
      if (change.change === 'retracted' && change.location && !attacks.some((a) => a.id === change.attackId)) {
        marks.push({
          id: change.attackId, location: [change.location.coordinates[0] ?? 0, change.location.coordinates[1] ?? 0], killedBest: 0,
          perpetrator: change.perpetrator ?? '', label: `Retracted since ${utc(view.since)}: ${change.perpetrator ?? ''}`, change: 'retracted', retracted: true,
        });
      }
    }

    map.draw({
      regions: regions as GeoJSON.FeatureCollection | undefined,
      control: control as unknown as GeoJSON.FeatureCollection,
      posts: posts as unknown as GeoJSON.FeatureCollection,
      corridors: corridors as unknown as GeoJSON.FeatureCollection,
      // The map shows the ceasefires in effect at `at`; the panel lists the declared, expired and collapsed ones too.
      ceasefires: ceasefires.items.filter((c) => c.status === 'in-effect' || c.status === 'violated').map((c) => ({ id: c.id, label: `Ceasefire (${c.status}): ${c.declaredBy}`, area: c.area as unknown as GeoJSON.Geometry })),
      attacks: marks,
      proposal: proposal ? {
        label: `Proposed by ${proposal.proposal.terms.proposer} (${proposal.proposal.status})`,
        areas: proposal.proposal.terms.areas.map((a) => ({ actor: a.actor ?? '', area: a.area as unknown as GeoJSON.Geometry, share: proposal.shares.find((s) => s.actor === a.actor)?.share })),
        lines: proposal.proposal.terms.lines.map((l) => ({ name: l.name ?? '', line: l.line as unknown as GeoJSON.Geometry })),
      } : null,
    }, extent.bbox ? [extent.bbox[0] ?? 0, extent.bbox[1] ?? 0, extent.bbox[2] ?? 0, extent.bbox[3] ?? 0] : null);
    map.legend(element('legend'));

    showTotals(totals, byMonth, byPerpetrator);
    showCeasefires(ceasefires.items);
    showProposals(tabled, view.proposal, (id) => go({ proposal: id }));
    showChanges(changes?.items ?? null, view.since, changes?.totalItems ?? 0);
    drawTable();
    document.body.dataset.state = 'ready';
    document.body.dataset.asOf = asOf;
    status(`The world at ${utc(at)}, as known on ${utc(asOf)}${view.asOf ? '' : ' (now)'}.`);
    followLive();
  } catch (failure) {
    if (ticket !== loading) {
      return;
    }

    document.body.dataset.state = 'error';
    if (failure instanceof NeedsCredentials) {
      status('Waiting for credentials.');
      askForCredentials(failure.refused);
      return;
    }

    const problem = failure instanceof ApiProblem ? failure : new ApiProblem(0, 'The page failed', String(failure));
    status('Not loaded.');
    fail(problem.status === 0
      ? `The ledger's API cannot be reached (${problem.detail ?? 'no answer'}). The map keeps what it last showed.`
      : `The ledger refused this view: ${problem.describe()}`, { retry: true });
  }
}

async function loadAttacks(query: { at: string; asOf?: string | undefined }, from: string | undefined): Promise<{ items: Schemas['AttackSummary'][]; total: number }> {
  const items: Schemas['AttackSummary'][] = [];
  let total = 0;
  for (let page = 1; items.length < attackCap; page++) {
    const answer = await read(api.GET('/api/attacks', { params: { query: { ...query, from, page, pageSize: 500 } } }));
    items.push(...answer.items);
    total = answer.totalItems;
    if (page >= answer.totalPages) {
      break;
    }
  }

  return { items, total };
}

async function loadChanges(since: Date, asOf: string | undefined): Promise<Schemas['AttackChangeList']> {
  return read(api.GET('/api/attacks/changes', { params: { query: { since: since.toISOString(), asOf, pageSize: 500 } } }));
}

function drawTable(): void {
  showTable(attacks, attackTotal, view, {
    // Sorting and paging rearrange what is loaded: no new reads, the focus stays on the control used.
    sort: (key) => {
      view = { ...view, sort: key, order: view.sort === key && view.order === 'desc' ? 'asc' : 'desc', page: 1 };
      history.replaceState(null, '', writeAddress(view));
      drawTable();
      document.querySelector<HTMLButtonElement>(`#attack-table button[data-sort="${key}"]`)?.focus();
    },
    page: (page) => {
      view = { ...view, page };
      history.replaceState(null, '', writeAddress(view));
      drawTable();
      document.querySelector<HTMLButtonElement>('#pager button:not([disabled])')?.focus();
    },
    open: (id) => {
      if (map.open(id)) {
        element('map').scrollIntoView({ block: 'nearest' });
      }
    },
  });
}

function showTime(at: Date, asOf: Date): void {
  const days = Math.max(1, daysBetween(span.from, span.until));
  controls.atRange.max = String(days);
  controls.atRange.value = String(Math.min(days, Math.max(0, daysBetween(span.from, at))));
  controls.atRange.setAttribute('aria-valuetext', `${isoDate(at)} (UTC)`);
  controls.at.min = isoDate(span.from);
  controls.at.max = isoDate(span.until);
  controls.at.value = isoDate(at);
  controls.asOf.value = toLocalInput(asOf);
  controls.asOfNow.setAttribute('aria-pressed', String(view.asOf === null));
  controls.window.value = view.window;
  controls.compare.checked = view.since !== null;
  controls.since.disabled = view.since === null;
  if (view.since) {
    controls.since.value = toLocalInput(view.since);
  }
}

function followLive(): void {
  if (view.asOf !== null) {
    live?.stop();
    live = null;
    showLive('paused');
    return;
  }

  if (live) {
    return;
  }

  let pending: number | undefined;
  live = follow(() => {
    // A burst of events (an import) reloads once, shortly after it settles.
    window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      if (view.asOf === null) {
        void load();
      }
    }, 400);
  }, showLive);
}

function showLive(state: LiveState): void {
  const text: Record<LiveState, string> = {
    connecting: 'Live updates: connecting…',
    connected: 'Live updates: on (new reports appear within seconds)',
    paused: 'Live updates: paused while reading a past “as known on”',
    retrying: 'Live updates: reconnecting…',
    off: 'Live updates: off (reload to try again)',
  };
  controls.live.textContent = text[state];
  controls.live.dataset.state = state;
}

function askForCredentials(refused: boolean): void {
  controls.keyError.textContent = refused ? 'The ledger did not accept that key or token. Try another.' : '';
  if (!controls.keyDialog.open) {
    controls.keyDialog.showModal();
  }

  controls.keyInput.focus();
}

async function openPopup(id: string, marker: L.CircleMarker): Promise<void> {
  if (!shown) {
    return;
  }

  try {
    const details = await read(api.GET('/api/attacks/{id}', { params: { path: { id }, query: shown } }));
    marker.setPopupContent(popup(details));
  } catch (failure) {
    marker.setPopupContent(`<p role="alert">This report could not be read: ${failure instanceof ApiProblem ? failure.describe() : String(failure)}</p>`);
  }
}

function bind(): void {
  let sliding: number | undefined;
  controls.atRange.addEventListener('input', () => {
    const day = addDays(span.from, Number(controls.atRange.value));
    controls.at.value = isoDate(day);
    controls.atRange.setAttribute('aria-valuetext', `${isoDate(day)} (UTC)`);
    window.clearTimeout(sliding);
    sliding = window.setTimeout(() => go({ at: endOfDay(day) }, 'replace'), 300);
  });
  controls.atRange.addEventListener('change', () => {
    window.clearTimeout(sliding);
    go({ at: endOfDay(addDays(span.from, Number(controls.atRange.value))) });
  });
  controls.at.addEventListener('change', () => {
    const day = new Date(`${controls.at.value}T00:00:00Z`);
    if (!Number.isNaN(day.getTime())) {
      go({ at: endOfDay(day) });
    }
  });
  controls.asOf.addEventListener('change', () => {
    const asOf = fromLocalInput(controls.asOf.value);
    if (asOf) {
      go({ asOf });
    }
  });
  controls.asOfNow.addEventListener('click', () => go({ asOf: null }));
  controls.window.addEventListener('change', () => go({ window: controls.window.value as View['window'], page: 1 }));
  controls.compare.addEventListener('change', () => {
    const asOf = new Date(document.body.dataset.asOf ?? Date.now());
    go({ since: controls.compare.checked ? fromLocalInput(controls.since.value) ?? addDays(asOf, -1) : null });
  });
  controls.since.addEventListener('change', () => {
    const since = fromLocalInput(controls.since.value);
    if (since && controls.compare.checked) {
      go({ since });
    }
  });
  controls.proposal.addEventListener('change', () => go({ proposal: controls.proposal.value || null }));
  controls.retry.addEventListener('click', () => void load());
  controls.backToNow.addEventListener('click', () => {
    problems = [];
    go({ ...defaultView });
  });
  controls.keyForm.addEventListener('submit', () => {
    credentials.set(controls.keyInput.value);
    controls.keyInput.value = '';
    live?.stop();
    live = null;
    void load();
  });
  window.addEventListener('popstate', () => {
    ({ view, problems } = readAddress(window.location.search));
    void load();
  });
}

function endOfDay(day: Date): Date {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 23, 59, 59, 999));
}

async function start(): Promise<void> {
  const settings = await fetch('/dashboard/settings.json').then((r) => (r.ok ? r.json() : {})).catch(() => ({})) as { tileUrl?: string | null; tileAttribution?: string | null };
  map = new LedgerMap(element('map'), { url: settings.tileUrl ?? null, attribution: settings.tileAttribution ?? null }, (id, marker) => void openPopup(id, marker));
  bind();
  // Keep the address canonical (e.g. a day's end written as the day), without adding a history entry.
  if (problems.length === 0 && window.location.search) {
    history.replaceState(null, '', writeAddress(view));
  }

  await load();
}

void start();
