/**
 * An occurrence as an override of its series (override = occurrence − master): its start and end
 * always, and every other field whose value differs from the series'. The one place both adapters
 * (iCalendar RECURRENCE-ID components, Graph exception occurrences) make an override from what they
 * read, so that an equal occurrence is the same override on both sides.
 */
import { stableStringify } from './content-hash.js';
import type { OccurrenceFields, OccurrenceOverride, TimeValue } from './item.js';

export function overrideOf(
  recurrenceId: TimeValue,
  occurrence: OccurrenceFields,
  master: OccurrenceFields,
): OccurrenceOverride {
  const fields: Record<string, unknown> = { start: occurrence.start, end: occurrence.end };
  for (const [k, v] of Object.entries(occurrence))
    if (k !== 'start' && k !== 'end' && stableStringify(v) !== stableStringify(master[k as keyof OccurrenceFields]))
      fields[k] = v;
  return { recurrenceId, fields: fields as OccurrenceOverride['fields'] };
}
