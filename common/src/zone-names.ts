/**
 * The one resolver of zone names to IANA zones, for every part: iCalendar TZIDs (an IANA name, a
 * Windows name, a prefixed IANA path as Mozilla and libical write it), Graph's names (Windows names,
 * https://learn.microsoft.com/graph/api/resources/datetimetimezone) and Outlook's UTC aliases. Windows
 * names go through windows-iana (the CLDR table). Apart from wall-clock.ts so that code which only
 * converts times does not load the table.
 *
 * An IANA name is kept as written ("Etc/UTC" stays "Etc/UTC"): the content hashes of synchronized
 * items were made with it, and a new spelling would read as a change.
 */
import { findIana } from 'windows-iana';

/** Names of UTC that are not IANA names (Windows' display name, Graph's tzone URI). */
const UTC_ALIASES = new Set(['Coordinated Universal Time', 'tzone://Microsoft/Utc']);

const known = new Map<string, boolean>();
/** Whether the JavaScript runtime knows `name` as an IANA zone (Intl is the time base of every part). */
export function isIana(name: string): boolean {
  let ok = known.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      ok = true;
    } catch {
      ok = false;
    }
    known.set(name, ok);
  }
  return ok;
}

const resolved = new Map<string, string | undefined>();

/** The IANA zone a zone name means, or undefined when it names none (remembered: issue 17). */
export function ianaZone(zone: string): string | undefined {
  if (resolved.has(zone)) return resolved.get(zone);
  const iana = resolveZone(zone);
  if (resolved.size > 10_000) resolved.clear(); // (names come from data: a bound)
  resolved.set(zone, iana);
  return iana;
}

function resolveZone(zone: string): string | undefined {
  if (isIana(zone)) return zone;
  if (UTC_ALIASES.has(zone)) return 'UTC';
  const windows = findIana(zone)?.find(isIana);
  if (windows) return windows;
  // "/mozilla.org/20050126_1/Europe/Berlin", "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin".
  const segments = zone.split('/');
  for (let i = 1; i < segments.length - 1; i++) {
    const candidate = segments.slice(i).join('/');
    if (candidate.includes('/') && isIana(candidate)) return candidate;
  }
  return undefined;
}
