/**
 * Time zones for ical.js. A TZID that ical.js does not know makes its times floating without a word,
 * so every TZID an iCalendar object uses is registered before any of its times is read: the object's
 * own VTIMEZONE first, else the IANA zone of that name, else the IANA zone of a Windows zone name
 * (Outlook writes "W. Europe Standard Time"), from timezones-ical-library and windows-iana.
 */
import ICAL from 'ical.js';
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import { findIana } from 'windows-iana';
import { ianaZone } from './zone-names.js';

/** The zone names the library knows (asked first: it writes to the console about any other name). */
let ianaNames: Set<string> | undefined;

/** A VTIMEZONE for `tzid` from the IANA database (also for Windows names), or undefined. */
function zoneFor(tzid: string): ICAL.Timezone | undefined {
  ianaNames ??= new Set(tzlib_get_timezones() as string[]);
  // The name itself, what the one resolver makes of it (also a prefixed path), any Windows mapping.
  const candidates = [tzid, ianaZone(tzid), ...(findIana(tzid) ?? [])].filter(
    (name): name is string => name !== undefined && ianaNames!.has(name),
  );
  for (const name of candidates) {
    const block = tzlib_get_ical_block(name)?.[0];
    if (!block) continue;
    const comp = new ICAL.Component(ICAL.parse(block) as unknown as unknown[]);
    // Registered under the name the data uses.
    comp.updatePropertyWithValue('tzid', tzid);
    return new ICAL.Timezone(comp);
  }
  return undefined;
}

/** The TZIDs used by properties of `comp` and its subcomponents. */
function usedTzids(comp: ICAL.Component, out = new Set<string>()): Set<string> {
  if (comp.name === 'vtimezone') return out;
  for (const p of comp.getAllProperties()) {
    const tzid = p.getParameter('tzid');
    if (typeof tzid === 'string') out.add(tzid);
  }
  for (const c of comp.getAllSubcomponents()) usedTzids(c, out);
  return out;
}

/** The VTIMEZONE for `tzid`: the one registered from the data, else from the IANA database. */
export function vtimezoneFor(tzid: string): ICAL.Component | undefined {
  if (tzid === 'UTC') return undefined;
  const known = ICAL.TimezoneService.get(tzid);
  if (known?.component) return known.component;
  const zone = zoneFor(tzid);
  if (zone) ICAL.TimezoneService.register(zone, tzid);
  return zone?.component ?? undefined;
}

/**
 * Registers the zones `cal` needs; returns the TZIDs that are neither defined in the object nor known
 * zone names (their times cannot be placed on the time line).
 */
export function registerZones(cal: ICAL.Component): string[] {
  for (const vtz of cal.getAllSubcomponents('vtimezone')) {
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string' && !ICAL.TimezoneService.has(tzid))
      ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const unknown: string[] = [];
  for (const tzid of usedTzids(cal)) {
    if (ICAL.TimezoneService.has(tzid) || tzid === 'UTC') continue;
    const zone = zoneFor(tzid);
    if (zone) ICAL.TimezoneService.register(zone, tzid);
    else unknown.push(tzid);
  }
  return unknown;
}
