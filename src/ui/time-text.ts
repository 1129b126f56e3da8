import type { TimeValue } from '../core/model/item.js';

/** A start, end or due time as the pane shows it: the date of an all-day item, else "YYYY-MM-DD HH:mm (zone)". */
export function timeText(t: TimeValue | undefined): string {
  if (!t) return '';
  if ('date' in t) return t.date;
  return `${t.dateTime.replace('T', ' ').slice(0, 16)}${t.timeZone ? ` (${t.timeZone})` : ''}`;
}
