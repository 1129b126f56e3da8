/**
 * Zone names: Windows names (what Outlook and Graph write, "W. Europe Standard Time") and the UTC
 * aliases mapped to IANA names with windows-iana (the CLDR table). Apart from wall-clock.ts so that
 * code which only converts times does not load the table.
 */
import { findIana } from 'windows-iana';

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Coordinated Universal Time', 'tzone://Microsoft/Utc']);

/** The IANA zone of a zone name (Windows or IANA), or undefined when it names none. */
export function ianaZone(zone: string): string | undefined {
  if (UTC_NAMES.has(zone)) return 'UTC';
  const iana = findIana(zone)?.[0];
  if (iana) return iana;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}
