/**
 * Shaping an item for the side it is written to: the infinite-series cap (seed: Series / Private,
 * "handling infinite recurrences of activities for a certain number of years"). The cap exists only on
 * the side it was written to; reading the capped copy back removes it again (rule 6).
 */
import type { Item, TimeValue } from '../model/item.js';
import { addYears, isInfinite } from '../model/time.js';
import type { PairStatus } from './status.js';
import type { Side } from './types.js';

const sameTime = (a: TimeValue, b: TimeValue) => JSON.stringify(a) === JSON.stringify(b);

/** Removes a cap that this sync wrote on `side` from an item read from that side. */
export function stripCap(item: Item, side: Side, cap: PairStatus['cap']): Item {
  const rule = item.recurrence?.rule;
  if (!cap || cap.side !== side || !rule?.until || !sameTime(rule.until, cap.until)) return item;
  const { until: _until, ...open } = rule;
  return { ...item, recurrence: { ...item.recurrence!, rule: open } } as Item;
}

/** Caps an infinite series at `years` after its start for writing to `target`. */
export function capForTarget(item: Item, target: Side, years: number): { item: Item; cap?: PairStatus['cap'] } {
  const rule = item.recurrence?.rule;
  const start = item.kind === 'activity' ? item.start : (item.start ?? item.due);
  if (!rule || !isInfinite(rule) || !start) return { item };
  const until = addYears(start, years);
  return {
    item: { ...item, recurrence: { ...item.recurrence!, rule: { ...rule, until } } } as Item,
    cap: { side: target, until },
  };
}
