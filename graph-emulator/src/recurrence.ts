/**
 * The emulator's own expansion of a Graph patternedRecurrence into occurrence dates, written from the
 * documentation and independently of the adapter's RRULE mapping, so that a mapping error shows up as
 * a test failure instead of being mirrored.
 * - https://learn.microsoft.com/graph/api/resources/patternedrecurrence
 * - https://learn.microsoft.com/graph/api/resources/recurrencepattern (daily, weekly, absoluteMonthly,
 *   relativeMonthly, absoluteYearly, relativeYearly; interval, daysOfWeek, firstDayOfWeek, index)
 * - https://learn.microsoft.com/graph/api/resources/recurrencerange (endDate inclusive, noEnd,
 *   numbered; "the first occurrence of the meeting may be this date or later")
 */

/** recurrencePattern, as the Graph resource page lists it. */
export interface GraphPattern {
  type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
  interval: number;
  month?: number;
  dayOfMonth?: number;
  daysOfWeek?: string[];
  firstDayOfWeek?: string;
  index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
}

/** patternedRecurrence: a pattern and a recurrenceRange. */
export interface GraphRecurrence {
  pattern: GraphPattern;
  range: {
    type: 'endDate' | 'noEnd' | 'numbered';
    startDate: string;
    endDate?: string;
    numberOfOccurrences?: number;
    recurrenceTimeZone?: string;
  };
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEX = { first: 0, second: 1, third: 2, fourth: 3, last: -1 } as const;
const DAY = 86_400_000;

const parseDate = (d: string) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10));
const formatDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class RecurrenceError extends Error {}

function validate(r: GraphRecurrence): void {
  const p = r.pattern;
  if (!p || !r.range) throw new RecurrenceError('recurrence needs a pattern and a range');
  if (!Number.isInteger(p.interval) || p.interval < 1) throw new RecurrenceError('pattern.interval must be ≥ 1');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.range.startDate ?? '')) throw new RecurrenceError('range.startDate is required');
  if (r.range.type === 'endDate' && !/^\d{4}-\d{2}-\d{2}$/.test(r.range.endDate ?? ''))
    throw new RecurrenceError('range.endDate is required for an endDate range');
  if (r.range.type === 'numbered' && !((r.range.numberOfOccurrences ?? 0) >= 1))
    throw new RecurrenceError('range.numberOfOccurrences must be ≥ 1 for a numbered range');
  const needsDays = p.type === 'weekly' || p.type === 'relativeMonthly' || p.type === 'relativeYearly';
  if (needsDays && !(p.daysOfWeek?.length && p.daysOfWeek.every((d) => DAYS.includes(d))))
    throw new RecurrenceError(`a ${p.type} pattern needs daysOfWeek`);
  if ((p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') && !(p.dayOfMonth! >= 1 && p.dayOfMonth! <= 31))
    throw new RecurrenceError(`a ${p.type} pattern needs dayOfMonth`);
  if ((p.type === 'absoluteYearly' || p.type === 'relativeYearly') && !(p.month! >= 1 && p.month! <= 12))
    throw new RecurrenceError(`a ${p.type} pattern needs month`);
}

/** The days of a month that match `daysOfWeek` at `index` (relative patterns). */
function relativeDays(year: number, month: number, p: GraphPattern): number[] {
  const days: number[] = [];
  for (let d = Date.UTC(year, month, 1); new Date(d).getUTCMonth() === month; d += DAY)
    if (p.daysOfWeek!.includes(DAYS[new Date(d).getUTCDay()]!)) days.push(d);
  const i = INDEX[p.index ?? 'first'];
  const pick = i < 0 ? days[days.length - 1] : days[i];
  return pick === undefined ? [] : [pick];
}

function absoluteDay(year: number, month: number, dayOfMonth: number): number[] {
  const d = Date.UTC(year, month, dayOfMonth);
  return new Date(d).getUTCMonth() === month ? [d] : [];
}

/**
 * Occurrence dates (YYYY-MM-DD) of the series in order, up to `horizon` (a date, inclusive) and at most
 * `limit` of them.
 */
export function occurrenceDates(r: GraphRecurrence, horizon: string, limit = 5000): string[] {
  validate(r);
  const p = r.pattern;
  const start = parseDate(r.range.startDate);
  const end = Math.min(r.range.type === 'endDate' ? parseDate(r.range.endDate!) : Infinity, parseDate(horizon));
  const max = r.range.type === 'numbered' ? r.range.numberOfOccurrences! : Infinity;
  const out: string[] = [];
  const push = (d: number) => {
    if (d < start || d > end || out.length >= Math.min(max, limit)) return false;
    out.push(formatDate(d));
    return true;
  };
  const full = () => out.length >= Math.min(max, limit);
  const s = new Date(start);
  if (p.type === 'daily') {
    for (let d = start; d <= end && !full(); d += p.interval * DAY) push(d);
  } else if (p.type === 'weekly') {
    const firstDay = DAYS.indexOf(p.firstDayOfWeek ?? 'sunday');
    const weekStart = start - ((s.getUTCDay() - firstDay + 7) % 7) * DAY;
    for (let w = weekStart; w <= end && !full(); w += p.interval * 7 * DAY)
      for (let i = 0; i < 7; i++) {
        const d = w + i * DAY;
        if (p.daysOfWeek!.includes(DAYS[new Date(d).getUTCDay()]!) && d >= start) push(d);
      }
  } else {
    const yearly = p.type === 'absoluteYearly' || p.type === 'relativeYearly';
    const step = yearly ? 12 * p.interval : p.interval;
    let month = yearly ? p.month! - 1 : s.getUTCMonth();
    let year = s.getUTCFullYear();
    for (; Date.UTC(year, month, 1) <= end && !full(); month += step) {
      while (month > 11) {
        month -= 12;
        year++;
      }
      const days = p.type.startsWith('relative')
        ? relativeDays(year, month, p)
        : absoluteDay(year, month, p.dayOfMonth!);
      for (const d of days) push(d);
    }
  }
  return out;
}
