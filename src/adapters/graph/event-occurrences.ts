/**
 * The occurrences of an Outlook series as the canonical series says (rule 6): an override is a PATCH of
 * its instance, an exception that is no longer one is PATCHed back to the series, a cancelled date is a
 * DELETE of its instance (https://learn.microsoft.com/graph/api/event-list-instances), in $batch.
 */
import { stableStringify } from '../../core/model/content-hash.js';
import type { Activity } from '../../core/model/item.js';
import { shiftTime as shift, toInstant } from '../../core/model/time.js';
import { originalInstant } from './event-mapping.js';
import { overrideToPatch } from './event-write.js';
import type { GraphEvent } from './graph-event-types.js';
import { errorOf, type BatchRequest, type GraphHttp } from './graph-http.js';
import { GraphMappingError } from './recurrence-mapping.js';

export const DAY = 86_400_000;
export const HEADERS = { Prefer: 'IdType="ImmutableId", outlook.timezone="UTC"' };
/** Lists (a series' occurrences) in pages of up to 500 instead of Outlook's 10 (nextLink is still followed). */
export const LIST_HEADERS = { Prefer: `${HEADERS.Prefer}, odata.maxpagesize=500` };
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Makes the series' occurrences match `a`: overrides PATCHed onto their instances, exceptions that
 * are no longer overrides reset to the series, cancelled dates deleted. `before` is what the series
 * held when its pattern did not change (else Graph has dropped every exception already).
 */
export async function applyOccurrences(
  http: GraphHttp,
  id: string,
  a: Activity,
  before: Activity | undefined,
  invite: boolean,
): Promise<void> {
  const rec = a.recurrence!;
  const old = before?.recurrence;
  const wanted = new Map(rec.overrides.map((o) => [toInstant(o.recurrenceId), o]));
  // An override the series already has as it is needs no write (each write of a meeting's occurrence
  // mails its attendees).
  for (const o of old?.overrides ?? [])
    if (stableStringify(wanted.get(toInstant(o.recurrenceId))) === stableStringify(o))
      wanted.delete(toInstant(o.recurrenceId));
  const cancel = new Set(rec.exceptionDates.map((t) => toInstant(t)));
  const cancelledBefore = new Set((old?.exceptionDates ?? []).map((t) => toInstant(t)));
  for (const t of old?.exceptionDates ?? [])
    if (!cancel.has(toInstant(t)))
      throw new GraphMappingError(
        `Outlook cannot restore the cancelled occurrence of ${'date' in t ? t.date : t.dateTime} of "${a.subject}"`,
      );
  const reset = (old?.overrides ?? [])
    .filter((o) => !rec.overrides.some((w) => toInstant(w.recurrenceId) === toInstant(o.recurrenceId)))
    .map((o) => o.recurrenceId);
  const newlyCancelled = [...cancel].filter((ms) => !cancelledBefore.has(ms));
  const touched = [...wanted.keys(), ...newlyCancelled, ...reset.map((t) => toInstant(t))];
  if (!touched.length) return;
  // /instances lists occurrences by where they are now: a moved one is found at its moved start.
  const now = (old?.overrides ?? [])
    .filter((o) => touched.includes(toInstant(o.recurrenceId)) && o.fields.start)
    .map((o) => toInstant(o.fields.start!));
  const from = Math.min(...touched, ...now) - DAY;
  const to = Math.max(...touched, ...now) + DAY;
  // (Through the queue: the series written in one chunk share their $batch.)
  const first = await http.queued<{ value?: GraphEvent[] }>({
    method: 'GET',
    url: `/me/events/${encodeURIComponent(id)}/instances?startDateTime=${iso(from)}&endDateTime=${iso(to)}`,
    headers: LIST_HEADERS,
  });
  const list = await http.allPages(first.body, LIST_HEADERS);
  const byStart = new Map(list.filter((x) => x.originalStart).map((x) => [originalInstant(x), x]));
  const writes: BatchRequest[] = [];
  const instance = (ms: number, what: string) => {
    const x = byStart.get(ms);
    if (!x)
      throw new GraphMappingError(
        `the series "${a.subject}" has no occurrence at ${new Date(ms).toISOString()} to ${what}`,
      );
    return `/me/events/${encodeURIComponent(x.id)}`;
  };
  for (const [ms, o] of wanted)
    writes.push({
      method: 'PATCH',
      url: instance(ms, 'change'),
      body: overrideToPatch(a, o, invite),
      headers: HEADERS,
    });
  // An exception that is none any more goes back to the series' values at its original time.
  const duration = toInstant(a.end) - toInstant(a.start);
  for (const t of reset)
    writes.push({
      method: 'PATCH',
      url: instance(toInstant(t), 'reset'),
      body: overrideToPatch(a, { recurrenceId: t, fields: { start: t, end: shift(t, duration) } }, invite),
      headers: HEADERS,
    });
  for (const ms of newlyCancelled) if (byStart.has(ms)) writes.push({ method: 'DELETE', url: instance(ms, 'cancel') });
  const results = await http.batchQueued(writes);
  const failed = results.findIndex((r) => r.status >= 400 && r.status !== 404);
  // A sub-response's error body is Graph's, as a whole request's is.
  if (failed >= 0) throw errorOf(results[failed]!.status, results[failed]!.body);
}
