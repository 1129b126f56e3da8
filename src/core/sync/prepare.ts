/**
 * Shaping an item for the side it is written to: the infinite-series cap (seed: Series / Private,
 * "handling infinite recurrences of activities for a certain number of years"). The cap exists only on
 * the side it was written to; reading the capped copy back removes it again (rule 6).
 */
import type { Item, TimeValue } from '../model/item.js';
import { addYears, isInfinite, toInstant, toWallClock } from '../model/time.js';
import type { PairStatus } from './status.js';
import type { Side } from './types.js';

const sameTime = (a: TimeValue, b: TimeValue) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A first-sync pair (or one matched again after its status was lost) where `capped` is `open` with an
 * UNTIL added: the mark of a cap an earlier sync wrote. Returns that cap's end, so the open series
 * stays open (rule 6).
 */
export function earlierCap(capped: Item, open: Item): TimeValue | undefined {
  const c = capped.recurrence?.rule;
  const o = open.recurrence?.rule;
  if (!c?.until || !o || !isInfinite(o)) return undefined;
  const { until, ...rest } = c;
  return JSON.stringify(rest) === JSON.stringify(o) ? until : undefined;
}

/** Removes a cap that this sync wrote on `side` from an item read from that side. */
export function stripCap(item: Item, side: Side, cap: PairStatus['cap']): Item {
  const rule = item.recurrence?.rule;
  if (!cap || cap.side !== side || !rule?.until || !sameTime(rule.until, cap.until)) return item;
  const { until: _until, ...open } = rule;
  return { ...item, recurrence: { ...item.recurrence!, rule: open } } as Item;
}

/**
 * The day the cap counts from: today (in the series' own zone, at the series' time of day), or the
 * series start when it lies ahead. Counting from the start would end a series that began years ago
 * before today (issue 13, point 4).
 */
function capAnchor(start: TimeValue, now: number): TimeValue {
  if (toInstant(start) >= now) return start;
  if ('date' in start) return { date: toWallClock(now, 'UTC').slice(0, 10) };
  const today = toWallClock(now, start.timeZone ?? 'UTC').slice(0, 10);
  return { dateTime: `${today}${start.dateTime.slice(10)}`, timeZone: start.timeZone };
}

const DAY_MS = 86_400_000;
/** A cap is extended once less than N years minus this margin remain (a write a month, not a day). */
export const CAP_RENEWAL_MARGIN_DAYS = 30;

/** The cap this sync wrote falls short of `years` from `now` by more than the margin: write it again. */
export function capDue(cap: PairStatus['cap'], years: number, now: number): boolean {
  if (!cap) return false;
  return toInstant(cap.until) < now + years * 365.25 * DAY_MS - CAP_RENEWAL_MARGIN_DAYS * DAY_MS;
}

/** Caps an infinite series at `years` from today (or its start, if later) for writing to `target`. */
export function capForTarget(
  item: Item,
  target: Side,
  years: number,
  now: number,
): { item: Item; cap?: PairStatus['cap'] } {
  const rule = item.recurrence?.rule;
  const start = item.kind === 'activity' ? item.start : (item.start ?? item.due);
  if (!rule || !isInfinite(rule) || !start) return { item };
  const until = addYears(capAnchor(start, now), years);
  return {
    item: { ...item, recurrence: { ...item.recurrence!, rule: { ...rule, until } } } as Item,
    cap: { side: target, until },
  };
}
