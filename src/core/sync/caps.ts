/**
 * Shaping an item for the side it is written to: the infinite-series cap (seed: Series / Private,
 * "handling infinite recurrences of activities for a certain number of years"). The cap exists only on
 * the side it was written to; reading the capped copy back removes it again (rule 6).
 */
import type { Item, TimeValue } from '../model/item.js';
import { addYears, isInfinite, toInstant, toWallClock } from '../model/time.js';
import type { SideEntry, UpdateAction } from './actions.js';
import type { PairStatus, SideStatus } from './status.js';
import { otherSide, type Side } from './types.js';

const sameTime = (a: TimeValue, b: TimeValue) => JSON.stringify(a) === JSON.stringify(b);

/** The end of a copy the sync capped, while the copy's mark still names it (Recurrence.cap). */
export function capMark(item: Item): TimeValue | undefined {
  const r = item.recurrence;
  return r?.cap && r.rule.until && sameTime(r.cap, r.rule.until) ? r.rule.until : undefined;
}

/**
 * A first-sync pair (or one matched again after its status was lost: a new device, a new pairing)
 * where `capped` is `open` with the cap an earlier sync wrote: returns that cap's end, so the open
 * series stays open (rule 6). Only the copy's mark tells a cap from an end the user set — an end
 * without it is the user's and crosses like any change (before the mark, an end was guessed to be a
 * cap, and a series the user ended stayed open on the other side).
 */
export function earlierCap(capped: Item, open: Item): TimeValue | undefined {
  const until = capMark(capped);
  const o = open.recurrence?.rule;
  if (!until || !o || !isInfinite(o)) return undefined;
  const { until: _until, ...rest } = capped.recurrence!.rule;
  return JSON.stringify(rest) === JSON.stringify(o) ? until : undefined;
}

/**
 * An item read from `side` without the cap this sync wrote there, and the end it removed. The status
 * says which side of the pair is capped; the copy's own mark says where the cap is now (another device
 * may have moved it on since this status was written), else — a copy written before the mark existed —
 * the status's record does. A mark on a side the status does not cap (left from an earlier pairing),
 * or that no longer names the end (the user changed it), goes, and the end stays: it is the user's.
 */
export function uncap(item: Item, side: Side, cap: PairStatus['cap']): { item: Item; removed?: TimeValue } {
  const rec = item.recurrence;
  if (!rec) return { item };
  const { cap: mark, ...unmarked } = rec;
  const until = rec.rule.until;
  const capped = cap?.side === side;
  const byStatus = mark === undefined && capped && until && sameTime(until, cap.until) ? until : undefined;
  const removed = (capped ? capMark(item) : undefined) ?? byStatus;
  if (removed) {
    const { until: _until, ...open } = rec.rule;
    return { item: { ...item, recurrence: { ...unmarked, rule: open } } as Item, removed };
  }
  return mark === undefined ? { item } : { item: { ...item, recurrence: unmarked } as Item };
}

/** `item` without the cap this sync wrote on `side` (see uncap). */
export const stripCap = (item: Item, side: Side, cap: PairStatus['cap']): Item => uncap(item, side, cap).item;

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
  // What the series says of occurrences after the cap has no occurrence to hold it in the capped copy
  // (Graph refuses a change of an occurrence it does not have): it stays with the source (keepBeyondCap).
  const within = (t: TimeValue) => toInstant(t) <= toInstant(until);
  const rec = item.recurrence!;
  return {
    item: {
      ...item,
      recurrence: {
        ...rec,
        rule: { ...rule, until },
        cap: until,
        exceptionDates: rec.exceptionDates.filter(within),
        extraDates: rec.extraDates.filter(within),
        overrides: rec.overrides.filter((o) => within(o.recurrenceId)),
      },
    } as Item,
    cap: { side: target, until },
  };
}

/**
 * `item`, read from the capped copy and written over its source `previous`, with what `previous` says
 * of occurrences after the cap (cancelled, moved, extra): the capped copy never had them, and they
 * are the source's own (rule 6).
 */
export function keepBeyondCap(item: Item, previous: Item, cap: PairStatus['cap']): Item {
  const rec = item.recurrence;
  const prev = previous.recurrence;
  if (!cap || !rec || !prev || item.kind !== previous.kind) return item;
  const beyond = (t: TimeValue) => toInstant(t) > toInstant(cap.until);
  const has = (list: readonly TimeValue[], t: TimeValue) => list.some((x) => toInstant(x) === toInstant(t));
  return {
    ...item,
    recurrence: {
      ...rec,
      exceptionDates: [
        ...rec.exceptionDates,
        ...prev.exceptionDates.filter((t) => beyond(t) && !has(rec.exceptionDates, t)),
      ],
      extraDates: [...rec.extraDates, ...prev.extraDates.filter((t) => beyond(t) && !has(rec.extraDates, t))],
      overrides: [
        ...rec.overrides,
        ...prev.overrides.filter(
          (o) =>
            beyond(o.recurrenceId) &&
            !has(
              rec.overrides.map((x) => x.recurrenceId),
              o.recurrenceId,
            ),
        ),
      ],
    },
  } as Item;
}

/** The other side of a pair whose first action this run creates it (the row keeps what it records). */
export const CREATED: SideStatus = { id: '', version: '', hash: '' };

/**
 * The copy `capped` on `side` (read this run) gets its cap moved on: `series`, the open series, capped
 * again for that side. It comes after the pair's other write, which leaves the other side as `other`
 * (the executor runs a pair's actions in order, stops at the first that fails, and keeps the row's
 * record of that side).
 */
export function capExtension(
  key: string,
  side: Side,
  capped: SideEntry,
  series: Item,
  other: SideStatus,
  years: number,
  now: number,
): UpdateAction {
  const recap = capForTarget(series, side, years, now);
  return {
    type: 'update',
    pairKey: key,
    kind: series.kind,
    subject: capped.item.subject,
    reason: { code: 'cap-extended', from: otherSide(side) },
    target: side,
    id: capped.id,
    ifVersion: capped.version,
    item: recap.item,
    source: { ...other, side: otherSide(side) },
    ...(recap.cap && { cap: recap.cap }),
  };
}
