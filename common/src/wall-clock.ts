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

/** Offset of `timeZone` from UTC at the instant `utcMs`, in milliseconds. */
function zoneOffset(utcMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
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
