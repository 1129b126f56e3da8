/**
 * Normalisation and content hash of canonical items. Two versions of an item that differ only in
 * volatile data — DTSTAMP, LAST-MODIFIED, PRODID, change keys, the order of attendees or categories —
 * get the same hash, so an etag or change-key move without a content change is no change
 * (DESIGN.md §4, step 2).
 */
import type { Attendee, Item, OccurrenceOverride, TimeValue } from './item.js';

/** iCalendar properties that change without the content changing (RFC 5545 §3.8.7). */
const VOLATILE_PROPERTIES = new Set(['DTSTAMP', 'LAST-MODIFIED', 'PRODID', 'CREATED', 'X-MS-OLK-CHANGEKEY']);

const propertyName = (line: string): string => (/^[^;:]+/.exec(line)?.[0] ?? '').toUpperCase();
const timeKey = (t: TimeValue): string => ('date' in t ? t.date : `${t.dateTime}@${t.timeZone ?? ''}`);
const byEmail = (a: Attendee, b: Attendee) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);

/** Returns the item in canonical order with volatile data removed. Pure; the input is not changed. */
export function normalizeItem<T extends Item>(item: T): T {
  const extra: Record<string, string[]> = {};
  for (const origin of Object.keys(item.extra).sort()) {
    const lines = (item.extra[origin] ?? []).filter((line) => !VOLATILE_PROPERTIES.has(propertyName(line)));
    if (lines.length) extra[origin] = [...lines].sort();
  }
  const normalized = {
    ...item,
    categories: [...new Set(item.categories)].sort(),
    extra,
  } as T;
  if (item.kind === 'activity' && normalized.kind === 'activity') {
    const attendees = item.attendees.map((a) => ({ ...a, email: a.email.toLowerCase() })).sort(byEmail);
    const organizer = item.organizer && { ...item.organizer, email: item.organizer.email.toLowerCase() };
    Object.assign(normalized, { attendees, ...(organizer && { organizer }) });
  }
  if (item.recurrence) {
    const r = item.recurrence;
    const overrides = [...r.overrides]
      .map((o): OccurrenceOverride =>
        o.fields.attendees
          ? {
              ...o,
              fields: {
                ...o.fields,
                attendees: o.fields.attendees.map((a) => ({ ...a, email: a.email.toLowerCase() })).sort(byEmail),
              },
            }
          : o,
      )
      .sort((a, b) => timeKey(a.recurrenceId).localeCompare(timeKey(b.recurrenceId)));
    // A cap mark that no longer names the end (the user changed it) says nothing: an end the user set
    // is the same content with or without it.
    const { cap, ...rest } = r;
    const marked = cap && r.rule.until && timeKey(cap) === timeKey(r.rule.until);
    Object.assign(normalized, {
      recurrence: {
        ...rest,
        ...(marked && { cap }),
        exceptionDates: [...r.exceptionDates].sort((a, b) => timeKey(a).localeCompare(timeKey(b))),
        extraDates: [...r.extraDates].sort((a, b) => timeKey(a).localeCompare(timeKey(b))),
        overrides,
      },
    });
  }
  return normalized;
}

/** JSON with object keys sorted and undefined members dropped: equal data, equal text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableStringify(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * 64-bit non-cryptographic hash (two 32-bit lanes in the manner of cyrb53) as 16 hex digits. It only
 * tells versions of one item apart, so collision resistance against an adversary is not needed, and
 * it runs synchronously in the pure core (WebCrypto's digest is async and not in Node's core types).
 */
export function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** The content hash of an item: equal for versions that differ only in volatile data. */
export function contentHash(item: Item): string {
  return hash64(stableStringify(normalizeItem(item)));
}

/**
 * Whether two versions read on different sides say the same thing: the UID and the side-local extra
 * properties (an X-property of the gateway, a Graph-only field) are identity and round-trip data of one
 * side, not content both sides share.
 */
export function sameSharedContent(a: Item, b: Item): boolean {
  const shared = (i: Item) => ({ ...normalizeItem(i), uid: '', extra: {} });
  return stableStringify(shared(a)) === stableStringify(shared(b));
}
