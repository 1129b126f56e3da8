/**
 * Recurrence rules (the RFC 5545 RRULE subset of the model) ⇄ Graph's patternedRecurrence
 * (https://learn.microsoft.com/graph/api/resources/patternedrecurrence, recurrencepattern,
 * recurrencerange), and the expansion of a rule into occurrence starts (ical.js, in wall-clock time,
 * so that time zones are applied once, by the core's toInstant).
 * A rule Outlook cannot express throws GraphMappingError naming what is not expressible.
 */
import { CannotSynchronizeError } from '../../core/errors.js';
import ICAL from 'ical.js';
import type { RecurrenceRule, TimeValue, Weekday } from '../../core/model/item.js';
import { isAllDay } from '../../core/model/item.js';
import { toInstant } from '../../core/model/time.js';
import { stableStringify } from '../../core/model/content-hash.js';

/** Outlook cannot hold the item as it is: written nowhere, tried again when it changes (core). */
export class GraphMappingError extends CannotSynchronizeError {
  constructor(message: string) {
    super(message);
    this.name = 'GraphMappingError';
  }
}

export interface GraphPattern {
  type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
  interval: number;
  month?: number;
  dayOfMonth?: number;
  daysOfWeek?: string[];
  firstDayOfWeek?: string;
  index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
}
export interface GraphRange {
  type: 'endDate' | 'noEnd' | 'numbered';
  startDate: string;
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}
export interface GraphRecurrence {
  pattern: GraphPattern;
  range: GraphRange;
}

const DAY_NAMES: Record<Weekday, string> = {
  MO: 'monday',
  TU: 'tuesday',
  WE: 'wednesday',
  TH: 'thursday',
  FR: 'friday',
  SA: 'saturday',
  SU: 'sunday',
};
const DAY_CODES = Object.fromEntries(Object.entries(DAY_NAMES).map(([k, v]) => [v, k as Weekday])) as Record<
  string,
  Weekday
>;
const INDEX_NAMES = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', [-1]: 'last' } as Record<
  number,
  GraphPattern['index']
>;
const INDEX_NUMBERS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };
const WEEKDAY_OF = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

/** The wall-clock date (YYYY-MM-DD) of a time value. */
export const dateOf = (t: TimeValue): string => (isAllDay(t) ? t.date : t.dateTime.slice(0, 10));

function weekdayOf(date: string): Weekday {
  return WEEKDAY_OF[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
}

const unsupported = (what: string) =>
  new GraphMappingError(`Outlook cannot express this recurrence: ${what}; the series was not written to Outlook`);

/**
 * The relative-pattern index. Graph's relative patterns pick the index-th of the days of the month
 * that are among `daysOfWeek` (Outlook's "the last weekday of the month" is daysOfWeek Monday to
 * Friday, index last), which is RRULE's BYSETPOS over BYDAY; a single ordinal weekday (BYDAY=-1MO) is
 * the same thing for one day. BYDAY=-1MO,-1TU (the last Monday *and* the last Tuesday) has no pattern.
 */
function relativeIndex(rule: RecurrenceRule): GraphPattern['index'] {
  const byDay = rule.byDay ?? [];
  const ordinals = new Set(byDay.map((d) => d.ordinal));
  if (rule.bySetPos?.length) {
    if (rule.bySetPos.length > 1 || ordinals.size > 1 || [...ordinals][0] !== undefined)
      throw unsupported('several BYSETPOS values, or BYSETPOS with ordinal weekdays');
    const index = INDEX_NAMES[rule.bySetPos[0]!];
    if (!index) throw unsupported(`BYSETPOS=${rule.bySetPos[0]} (Outlook knows first to fourth and last)`);
    return index;
  }
  const ordinal = [...ordinals][0];
  if (ordinal === undefined) throw unsupported('every one of several weekdays of the month (BYDAY without ordinal)');
  if (byDay.length > 1) throw unsupported('several weekdays each with its own ordinal (such as BYDAY=-1MO,-1TU)');
  const index = INDEX_NAMES[ordinal];
  if (!index) throw unsupported(`the weekday ordinal ${ordinal} (Outlook knows first to fourth and last)`);
  return index;
}

/** The model rule of a series starting at `start` as a Graph patternedRecurrence. */
export function toGraphRecurrence(rule: RecurrenceRule, start: TimeValue, graphZone: string): GraphRecurrence {
  const startDate = dateOf(start);
  const hasOrdinal = (rule.byDay ?? []).some((d) => d.ordinal !== undefined);
  const days = (rule.byDay ?? []).map((d) => DAY_NAMES[d.day]);
  const single = (list: readonly number[] | undefined, name: string) => {
    if (list && list.length > 1) throw unsupported(`several ${name} values`);
    return list?.[0];
  };
  if (rule.byMonthDay?.some((d) => d < 1)) throw unsupported('a negative BYMONTHDAY');
  let pattern: GraphPattern;
  switch (rule.freq) {
    case 'DAILY':
      if (rule.byMonth || rule.byMonthDay || rule.bySetPos) throw unsupported('a daily rule with BYMONTH/BYMONTHDAY');
      pattern = days.length
        ? (() => {
            if (hasOrdinal || rule.interval !== 1) throw unsupported('a daily rule with weekdays and an interval');
            return { type: 'weekly', interval: 1, daysOfWeek: days, firstDayOfWeek: DAY_NAMES[rule.weekStart ?? 'MO'] };
          })()
        : { type: 'daily', interval: rule.interval };
      break;
    case 'WEEKLY':
      if (hasOrdinal || rule.byMonth || rule.byMonthDay || rule.bySetPos)
        throw unsupported('a weekly rule with BYMONTH, BYMONTHDAY, BYSETPOS or ordinal weekdays');
      pattern = {
        type: 'weekly',
        interval: rule.interval,
        daysOfWeek: days.length ? days : [DAY_NAMES[weekdayOf(startDate)]],
        firstDayOfWeek: DAY_NAMES[rule.weekStart ?? 'MO'],
      };
      break;
    case 'MONTHLY':
      if (rule.byMonth) throw unsupported('a monthly rule with BYMONTH');
      pattern =
        days.length && !rule.byMonthDay
          ? { type: 'relativeMonthly', interval: rule.interval, daysOfWeek: days, index: relativeIndex(rule) }
          : (() => {
              if (days.length || rule.bySetPos) throw unsupported('BYMONTHDAY together with weekdays');
              return {
                type: 'absoluteMonthly',
                interval: rule.interval,
                dayOfMonth: single(rule.byMonthDay, 'BYMONTHDAY') ?? Number(startDate.slice(8, 10)),
              };
            })();
      break;
    case 'YEARLY': {
      const month = single(rule.byMonth, 'BYMONTH') ?? Number(startDate.slice(5, 7));
      pattern =
        days.length && !rule.byMonthDay
          ? { type: 'relativeYearly', interval: rule.interval, month, daysOfWeek: days, index: relativeIndex(rule) }
          : (() => {
              if (days.length || rule.bySetPos) throw unsupported('BYMONTHDAY together with weekdays');
              return {
                type: 'absoluteYearly',
                interval: rule.interval,
                month,
                dayOfMonth: single(rule.byMonthDay, 'BYMONTHDAY') ?? Number(startDate.slice(8, 10)),
              };
            })();
      break;
    }
  }
  const range: GraphRange =
    rule.count !== undefined
      ? { type: 'numbered', startDate, numberOfOccurrences: rule.count, recurrenceTimeZone: graphZone }
      : rule.until !== undefined
        ? { type: 'endDate', startDate, endDate: dateOf(rule.until), recurrenceTimeZone: graphZone }
        : { type: 'noEnd', startDate, recurrenceTimeZone: graphZone };
  return { pattern, range };
}

/** A Graph patternedRecurrence as the model's rule for a series starting at `start`. */
export function fromGraphRecurrence(r: GraphRecurrence, start: TimeValue): RecurrenceRule {
  const p = r.pattern;
  const interval = p.interval || 1;
  const byDay = (index?: number) =>
    (p.daysOfWeek ?? []).map((d) => {
      const day = DAY_CODES[d.toLowerCase()];
      if (!day) throw new GraphMappingError(`unknown day of week "${d}" in an Outlook recurrence`);
      return index === undefined ? { day } : { day, ordinal: index };
    });
  // The index-th of the listed days (see relativeIndex): one day takes the ordinal, several BYSETPOS.
  const relative = (): Pick<RecurrenceRule, 'byDay' | 'bySetPos'> => {
    const index = INDEX_NUMBERS[p.index ?? 'first']!;
    return (p.daysOfWeek ?? []).length > 1 ? { byDay: byDay(), bySetPos: [index] } : { byDay: byDay(index) };
  };
  const weekStart =
    p.firstDayOfWeek && p.firstDayOfWeek.toLowerCase() !== 'monday'
      ? DAY_CODES[p.firstDayOfWeek.toLowerCase()]
      : undefined;
  let rule: RecurrenceRule;
  switch (p.type) {
    case 'daily':
      rule = { freq: 'DAILY', interval };
      break;
    case 'weekly':
      rule = { freq: 'WEEKLY', interval, byDay: byDay(), ...(weekStart && { weekStart }) };
      break;
    case 'absoluteMonthly':
      rule = { freq: 'MONTHLY', interval, byMonthDay: [p.dayOfMonth ?? Number(dateOf(start).slice(8, 10))] };
      break;
    case 'relativeMonthly':
      rule = { freq: 'MONTHLY', interval, ...relative() };
      break;
    case 'absoluteYearly':
      rule = {
        freq: 'YEARLY',
        interval,
        byMonth: [p.month ?? Number(dateOf(start).slice(5, 7))],
        byMonthDay: [p.dayOfMonth ?? Number(dateOf(start).slice(8, 10))],
      };
      break;
    case 'relativeYearly':
      rule = {
        freq: 'YEARLY',
        interval,
        byMonth: [p.month ?? Number(dateOf(start).slice(5, 7))],
        ...relative(),
      };
      break;
    default:
      throw new GraphMappingError(`unknown recurrence pattern type "${String((p as { type: unknown }).type)}"`);
  }
  if (r.range.type === 'numbered') return { ...rule, count: r.range.numberOfOccurrences ?? 1 };
  if (r.range.type === 'endDate' && r.range.endDate) {
    // endDate is a date; the model's UNTIL has the form of the start: the last possible occurrence.
    const until: TimeValue = isAllDay(start)
      ? { date: r.range.endDate }
      : { dateTime: `${r.range.endDate}${start.dateTime.slice(10)}`, timeZone: start.timeZone };
    return { ...rule, until };
  }
  return rule;
}

/**
 * The rule of a series read back from Outlook. Where the pattern is still the one the add-in wrote for
 * `written` (the CRM's rule, kept in an extended property), the CRM's rule comes back as it was: a
 * pattern can say one rule several ways, and the way Graph says it must not reach the CRM as an edit
 * (issue 13, point 2). A changed pattern is read as Outlook says it.
 */
export function readBackRule(
  actual: GraphRecurrence,
  start: TimeValue,
  written: RecurrenceRule | undefined,
): RecurrenceRule {
  const read = fromGraphRecurrence(actual, start);
  if (!written) return read;
  let expected: RecurrenceRule;
  try {
    // The range's zone plays no part in the rule read (fromGraphRecurrence ignores it).
    expected = fromGraphRecurrence(toGraphRecurrence(written, start, 'UTC'), start);
  } catch {
    return read; // not a rule this add-in could have written
  }
  if (stableStringify(expected) !== stableStringify(read)) return read;
  // The same end date; the CRM's UNTIL stays unless a later start time on that day needs a later one.
  if (read.until && (!written.until || toInstant(written.until) < toInstant(read.until)))
    return { ...written, until: read.until };
  return written;
}

/** The rule kept in an extended property, if it has the shape of one (the property is untrusted). */
export function parseWrittenRule(text: string | undefined): RecurrenceRule | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<RecurrenceRule> | null;
    const numbers = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((n) => Number.isInteger(n)));
    const ok =
      r !== null &&
      typeof r === 'object' &&
      ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(r.freq as string) &&
      Number.isInteger(r.interval) &&
      (r.count === undefined || Number.isInteger(r.count)) &&
      numbers(r.byMonthDay) &&
      numbers(r.byMonth) &&
      numbers(r.bySetPos) &&
      (r.byDay === undefined ||
        (Array.isArray(r.byDay) && r.byDay.every((d) => typeof d === 'object' && d !== null && d.day in DAY_NAMES))) &&
      (r.weekStart === undefined || r.weekStart in DAY_NAMES) &&
      (r.until === undefined ||
        (typeof r.until === 'object' &&
          r.until !== null &&
          (typeof (r.until as { date?: unknown }).date === 'string' ||
            typeof (r.until as { dateTime?: unknown }).dateTime === 'string')));
    return ok ? (r as RecurrenceRule) : undefined;
  } catch {
    return undefined;
  }
}

function icalRecur(rule: RecurrenceRule): ICAL.Recur {
  const parts: string[] = [`FREQ=${rule.freq}`, `INTERVAL=${rule.interval}`];
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  if (rule.byDay?.length) parts.push(`BYDAY=${rule.byDay.map((d) => `${d.ordinal ?? ''}${d.day}`).join(',')}`);
  if (rule.byMonthDay?.length) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byMonth?.length) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.bySetPos?.length) parts.push(`BYSETPOS=${rule.bySetPos.join(',')}`);
  if (rule.weekStart) parts.push(`WKST=${rule.weekStart}`);
  return ICAL.Recur.fromString(parts.join(';'));
}

/**
 * The original starts (wall-clock values of the start's form) of the occurrences of `rule` from `start`
 * whose instants fall in [from, to), at most `limit`. UNTIL is compared as an instant.
 */
export function occurrenceStarts(
  rule: RecurrenceRule,
  start: TimeValue,
  from: number,
  to: number,
  limit = 2000,
): TimeValue[] {
  const dtstart = isAllDay(start) ? ICAL.Time.fromDateString(start.date) : ICAL.Time.fromDateTimeString(start.dateTime);
  const it = icalRecur(rule).iterator(dtstart);
  const until = rule.until ? toInstant(rule.until) : Infinity;
  const out: TimeValue[] = [];
  for (let n = 0; n < 100_000 && out.length < limit; n++) {
    const next = it.next();
    if (!next) break;
    const value: TimeValue = isAllDay(start)
      ? { date: next.toString().slice(0, 10) }
      : { dateTime: next.toString().slice(0, 19), timeZone: start.timeZone };
    const at = toInstant(value);
    if (at > until || at >= to) break;
    if (at >= from) out.push(value);
  }
  return out;
}
