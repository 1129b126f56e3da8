/**
 * Wall clocks of time zones, one resolver for the add-in, the gateway and the Graph emulator. Zoned
 * wall times are resolved with Intl (ECMA-402, part of the language: no DOM or Node needed, and no
 * import: the task pane's first bundle carries only this). Zone names are zone-names.ts.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at the instant `utcMs`, in milliseconds, as Intl computes it. */
function intlOffset(utcMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Offsets by zone and quarter hour (issue 17: formatting a date was most of the planner's time). A
 * quarter hour is cached only when its first and last second have the same offset — every change of
 * an offset since 1970 falls on a quarter hour but a few (Monrovia's in 1972): those are computed
 * each time, so the answer is always Intl's.
 */
const QUARTER = 15 * 60_000;
const quarters = new Map<string, Map<number, number | null>>();

function zoneOffset(utcMs: number, timeZone: string): number {
  const quarter = Math.floor(utcMs / QUARTER);
  let zone = quarters.get(timeZone);
  if (!zone) quarters.set(timeZone, (zone = new Map()));
  let offset = zone.get(quarter);
  if (offset === undefined) {
    const first = intlOffset(quarter * QUARTER, timeZone);
    offset = first === intlOffset(quarter * QUARTER + QUARTER - 1000, timeZone) ? first : null;
    if (zone.size > 200_000) zone.clear(); // (a bound: a year of quarter hours is 35,000)
    zone.set(quarter, offset);
  }
  return offset ?? intlOffset(utcMs, timeZone);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?$/;

/** A date (`YYYY-MM-DD`) or local date-time (`YYYY-MM-DDTHH:mm:ss`) read as if it were UTC. */
export function wallClockAsUtc(text: string): number {
  const m = LOCAL.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a date (YYYY-MM-DD) or local date-time (YYYY-MM-DDTHH:mm:ss)`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** The instant (UTC milliseconds) of the wall time `text` in the IANA zone `timeZone` ('UTC' or null: UTC). */
export function zonedInstant(text: string, timeZone: string | null): number {
  const wall = wallClockAsUtc(text);
  if (timeZone === null || timeZone === 'UTC') return wall;
  // Two passes settle the offset around DST transitions (RFC 5545 §3.3.5: a nonexistent local time
  // moves forward by the gap, which the second pass yields).
  const first = wall - zoneOffset(wall, timeZone);
  return wall - zoneOffset(first, timeZone);
}

/** The wall-clock time (`YYYY-MM-DDTHH:mm:ss`) of the instant `utcMs` in `timeZone`. */
export function toWallClock(utcMs: number, timeZone: string): string {
  const local = new Date(Math.floor(utcMs / 1000) * 1000 + zoneOffset(utcMs, timeZone));
  return local.toISOString().slice(0, 19);
}
