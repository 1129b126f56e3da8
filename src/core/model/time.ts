/**
 * Instants of canonical time values, for window and ordering decisions. Zoned wall times are resolved
 * with Intl (ECMA-402, part of the language, so the pure core may use it: common/src/wall-clock.ts); floating times and all-day
 * dates are taken as UTC, which is at most 14 hours off — the sync window is widened by a day on each
 * side for that reason (see syncWindow).
 */
import { toWallClock, wallClockAsUtc, zonedInstant } from '@crm-sync/common/wall-clock';
import type { Item, RecurrenceRule, TimeValue } from './item.js';

export { toWallClock } from '@crm-sync/common/wall-clock';

const DAY_MS = 86_400_000;
/** The instant (UTC milliseconds) of a time value. */
export function toInstant(t: TimeValue): number {
  return 'date' in t ? wallClockAsUtc(t.date) : zonedInstant(t.dateTime, t.timeZone);
}

/** `t` moved by `ms`, in the same form and zone (an all-day date by whole days). */
export function shiftTime(t: TimeValue, ms: number): TimeValue {
  const at = toInstant(t) + ms;
  return 'date' in t
    ? { date: toWallClock(at, 'UTC').slice(0, 10) }
    : { dateTime: toWallClock(at, t.timeZone ?? 'UTC'), timeZone: t.timeZone };
}

const FREQ_MAX_MS: Record<RecurrenceRule['freq'], number> = {
  DAILY: DAY_MS,
  WEEKLY: 7 * DAY_MS,
  MONTHLY: 31 * DAY_MS,
  YEARLY: 366 * DAY_MS,
};

/** A series without COUNT and UNTIL never ends (the seed's "infinite meeting series"). */
export const isInfinite = (rule: RecurrenceRule): boolean => rule.count === undefined && rule.until === undefined;

/**
 * The time range an item covers, [start, end] in UTC milliseconds; a series covers its first to its
 * last occurrence (Infinity when infinite). For COUNT the end is an upper bound (count × interval ×
 * the longest period of the frequency), so a series is never wrongly left out of the window.
 */
export function itemRange(item: Item): readonly [number, number] {
  const start = item.kind === 'activity' ? item.start : (item.start ?? item.due);
  const end = item.kind === 'activity' ? item.end : (item.due ?? item.start);
  if (!start || !end) return [-Infinity, Infinity]; // a task without dates is always in scope
  const s = toInstant(start);
  const e = Math.max(s, toInstant(end));
  const rule = item.recurrence?.rule;
  if (!rule) return [s, e];
  const duration = e - s;
  if (rule.until) return [s, toInstant(rule.until) + duration + DAY_MS];
  if (rule.count !== undefined) return [s, s + rule.count * rule.interval * FREQ_MAX_MS[rule.freq] + duration];
  return [s, Infinity];
}

export interface SyncWindow {
  readonly from: number;
  readonly to: number;
  /**
   * How far ahead a series' own occurrences matter (its moved and cancelled ones): the infinite-series
   * cap, N years from today, when that is beyond `to`. A series in the period crosses as one unit up
   * to there; stores that list occurrences (Graph) read them that far.
   */
  readonly seriesTo?: number;
}

/** The sync period around `now`: days back and ahead, widened by a day for floating times. */
export function syncWindow(now: number, daysBack: number, daysAhead: number): SyncWindow {
  return { from: now - (daysBack + 1) * DAY_MS, to: now + (daysAhead + 1) * DAY_MS };
}

export const intersects = (range: readonly [number, number], w: SyncWindow): boolean =>
  range[0] <= w.to && range[1] >= w.from;

/** `date` plus whole years, as the same kind of time value (for the infinite-series cap). */
export function addYears(t: TimeValue, years: number): TimeValue {
  const shift = (s: string) => `${String(Number(s.slice(0, 4)) + years).padStart(4, '0')}${s.slice(4)}`;
  // 29 February plus years lands on 28 February in a common year.
  const fix = (s: string) =>
    s.slice(5, 10) === '02-29' && !isLeap(Number(s.slice(0, 4))) ? `${s.slice(0, 8)}28${s.slice(10)}` : s;
  return 'date' in t ? { date: fix(shift(t.date)) } : { dateTime: fix(shift(t.dateTime)), timeZone: t.timeZone };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
