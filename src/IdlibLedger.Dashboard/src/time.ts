// Times as the page shows and sends them: always UTC, labelled so.

const day = 86_400_000;

/** `2020-02-26` for a Date (UTC). */
export function isoDate(value: Date): string {
  return value.toISOString().slice(0, 10);
}

/** `2020-02-26 14:03:07 UTC`. */
export function utc(value: string | Date | undefined | null): string {
  if (value === undefined || value === null) {
    return '–';
  }

  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `2020-02-26` (UTC) for an instant. */
export function utcDay(value: string | undefined | null): string {
  return value ? value.slice(0, 10) : '–';
}

/** The value of a datetime-local input (read as UTC) for an instant, to the second. */
export function toLocalInput(value: Date): string {
  return value.toISOString().slice(0, 19);
}

/** An instant from a datetime-local input's value, read as UTC; null when empty or malformed. */
export function fromLocalInput(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) {
    return null;
  }

  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A time from the address bar: a date (`2020-02-26`, the end of that day as the API reads it) or an ISO 8601 instant
 * with an offset. Anything else is null, so the page can say so instead of drawing nothing.
 */
export function parseUrlTime(value: string): Date | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T23:59:59.999Z`);
    return Number.isNaN(date.getTime()) || isoDate(date) !== value ? null : date;
  }

  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  return null;
}

export function daysBetween(from: Date, to: Date): number {
  return Math.round((startOfDay(to).getTime() - startOfDay(from).getTime()) / day);
}

export function addDays(value: Date, days: number): Date {
  return new Date(value.getTime() + days * day);
}

export function startOfDay(value: Date): Date {
  return new Date(Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate()));
}

/** When an attack happened, with its precision: `2020-02-10 (day)`, `2020-02-03 – 2020-02-11 (week)`. */
export function occurrence(value: { occurredAt?: string; occurredFrom?: string; occurredUntil?: string; precision: string }): string {
  if (value.occurredAt) {
    return `${utcDay(value.occurredAt)} (${value.precision})`;
  }

  return `${utcDay(value.occurredFrom)} – ${utcDay(value.occurredUntil)} (${value.precision})`;
}

/** The instant an occurrence sorts by: its moment, else the start of its window. */
export function occurrenceStart(value: { occurredAt?: string; occurredFrom?: string }): string {
  return value.occurredAt ?? value.occurredFrom ?? '';
}
