/**
 * Checking and indexing the iCalendar objects the gateway stores (RFC 4791 §4.1: one calendar object
 * resource = one UID, one component type, VTIMEZONEs). The body itself is stored as received; only
 * the UID and the time range it covers are extracted, recurrence included.
 */
import ICAL from 'ical.js';
import { registerZones } from '@crm-sync/common/zones';
import type { ItemIndex } from './store/types.js';

export class ICalError extends Error {
  constructor(
    message: string,
    /** 400 malformed; 403 with a CalDAV precondition (RFC 4791 §5.3.2.1). */
    readonly status: 400 | 403 = 400,
    readonly precondition?: 'supported-calendar-component' | 'valid-calendar-object-resource' | 'valid-calendar-data',
  ) {
    super(message);
    this.name = 'ICalError';
  }
}

export interface Parsed {
  readonly cal: ICAL.Component;
  readonly index: ItemIndex;
}

/**
 * The most occurrences of one series the gateway evaluates, at a PUT (its range) and for each object a
 * time-range query meets (issue 16, point 5: one user's rule must not stall the others). Daily for 13
 * years fits; a series beyond it is taken as open-ended (PUT) and as overlapping (query): a query may
 * then answer an object it could have left out, never leave out one it should answer.
 */
export const MAX_INSTANCES = 5_000;

/** Frequencies no CRM activity has, whose expansion would cost the most (RFC 5545 §3.3.10). */
const REFUSED_FREQ = new Set(['SECONDLY', 'MINUTELY']);
const FAR = 14 * 3600_000; // a time whose zone is unknown is placed within ±14 hours

const instant = (t: ICAL.Time) => t.toJSDate().getTime();

/** Parses and checks a calendar object resource for a collection of `component`s. */
export function parseObject(body: string, component: 'VEVENT' | 'VTODO'): Parsed {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(body);
  if (control)
    throw new ICalError(
      `control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} on line ${body.slice(0, control.index).split('\n').length} (RFC 5545 §3.3.11 allows only TAB)`,
      400,
      'valid-calendar-data',
    );
  let cal: ICAL.Component;
  try {
    cal = new ICAL.Component(ICAL.parse(body) as unknown as unknown[]);
  } catch (error) {
    throw new ICalError(`malformed iCalendar: ${(error as Error).message}`, 400, 'valid-calendar-data');
  }
  if (cal.name !== 'vcalendar') throw new ICalError(`expected VCALENDAR, found ${cal.name.toUpperCase()}`);
  const items = cal.getAllSubcomponents().filter((c) => c.name !== 'vtimezone');
  if (items.length === 0)
    throw new ICalError('the VCALENDAR holds no VEVENT or VTODO', 403, 'valid-calendar-object-resource');
  const wrong = items.find((c) => c.name !== component.toLowerCase());
  if (wrong)
    throw new ICalError(
      `this collection stores ${component} only, not ${wrong.name.toUpperCase()}`,
      403,
      'supported-calendar-component',
    );
  const uids = new Set(
    items.map((c) => {
      const v = c.getFirstPropertyValue('uid');
      return typeof v === 'string' ? v : '';
    }),
  );
  if (uids.has('')) throw new ICalError(`a ${component} has no UID`, 400, 'valid-calendar-object-resource');
  if (uids.size > 1)
    throw new ICalError(
      `one resource holds one UID; found ${[...uids].join(', ')}`,
      400,
      'valid-calendar-object-resource',
    );
  const masters = items.filter((c) => !c.hasProperty('recurrence-id'));
  if (masters.length > 1) throw new ICalError('two components without RECURRENCE-ID share one UID', 400);
  checkValues(cal);
  for (const rrule of items.flatMap((c) => c.getAllProperties('rrule'))) {
    const freq = (rrule.getFirstValue() as ICAL.Recur).freq;
    if (REFUSED_FREQ.has(freq))
      throw new ICalError(
        `RRULE: FREQ=${freq} is not accepted (CRM activities repeat at most hourly)`,
        403,
        'valid-calendar-object-resource',
      );
  }
  const unknownZones = registerZones(cal);
  try {
    return { cal, index: indexOf(items, String([...uids][0]), unknownZones.length > 0) };
  } catch (error) {
    if (error instanceof ICalError) throw error;
    throw new ICalError(`invalid iCalendar value: ${(error as Error).message}`, 400, 'valid-calendar-data');
  }
}

/**
 * Reads every value now (ical.js decodes values only when asked): a value that cannot be read — an
 * empty entry in an EXDATE list, a date that is not one — is refused here, naming its property,
 * instead of failing every later query that meets the object.
 */
function checkValues(comp: ICAL.Component): void {
  for (const p of comp.getAllProperties()) {
    try {
      p.getValues();
    } catch (error) {
      // (ical.js's parser turns an empty date-time entry into "--T::" before it fails on it.)
      const raw = (p as unknown as { jCal: unknown[] }).jCal.slice(3);
      const empty = raw.some((v) => v === '' || (typeof v === 'string' && /^[-T:]+$/.test(v)));
      const name = p.name.toUpperCase();
      throw new ICalError(
        `${name}: ${empty ? 'an entry of its list is empty' : (error as Error).message}`,
        400,
        'valid-calendar-data',
      );
    }
  }
  for (const c of comp.getAllSubcomponents()) checkValues(c);
}

function rangeOf(c: ICAL.Component): [number, number] | undefined {
  const start = (c.getFirstPropertyValue('dtstart') ?? c.getFirstPropertyValue('due')) as ICAL.Time | null;
  if (!start) return undefined;
  const s = instant(start);
  let e = s;
  const end = (c.getFirstPropertyValue('dtend') ?? c.getFirstPropertyValue('due')) as ICAL.Time | null;
  const duration = c.getFirstPropertyValue('duration') as ICAL.Duration | null;
  if (end) e = Math.max(s, instant(end));
  else if (duration) e = s + duration.toSeconds() * 1000;
  else if (start.isDate && c.name === 'vevent') e = s + 86_400_000;
  return [s, e];
}

function indexOf(items: ICAL.Component[], uid: string, unsure: boolean): ItemIndex {
  const master = items.find((c) => !c.hasProperty('recurrence-id')) ?? items[0]!;
  const base = rangeOf(master);
  const recurring = master.hasProperty('rrule') || master.hasProperty('rdate');
  if (!base) return { uid, start: null, end: null, recurring };
  let [start, end]: [number, number | null] = base;
  if (recurring) {
    const rule = master.getFirstPropertyValue('rrule') as ICAL.Recur | null;
    const open = !!rule && !rule.count && !rule.until;
    if (open) end = null;
    const duration = base[1] - base[0];
    // (An open series too is expanded a little: a rule that cannot be evaluated is refused now.)
    const it = new ICAL.Event(master).iterator();
    let n = 0;
    try {
      for (let t = it.next(); t; t = it.next()) {
        if (++n > (open ? 100 : MAX_INSTANCES)) {
          end = null;
          break;
        }
        if (end !== null) end = Math.max(end, instant(t) + duration);
      }
    } catch (error) {
      throw new ICalError(
        `RRULE: the series cannot be evaluated: ${(error as Error).message}`,
        400,
        'valid-calendar-data',
      );
    }
  }
  // Moved occurrences may lie outside the master's range.
  for (const o of items) {
    if (o === master) continue;
    const r = rangeOf(o);
    if (!r) continue;
    start = Math.min(start, r[0]);
    if (end !== null) end = Math.max(end, r[1]);
  }
  return unsure
    ? { uid, start: start - FAR, end: end === null ? null : end + FAR, recurring }
    : { uid, start, end, recurring };
}

/**
 * RFC 4791 §9.9: whether the object has an occurrence overlapping [from, to). Recurring VEVENTs are
 * expanded (exceptions, moved and cancelled occurrences applied); other objects use the index.
 */
export function overlaps(body: string, index: ItemIndex, from: number, to: number): boolean {
  if (index.start === null) return true;
  if (
    index.start >= to ||
    (index.end !== null && index.end <= from && !(index.end === index.start && index.end === from))
  )
    return false;
  if (!index.recurring) return true;
  const cal = new ICAL.Component(ICAL.parse(body) as unknown as unknown[]);
  registerZones(cal);
  const comps = cal.getAllSubcomponents('vevent');
  const master = comps.find((c) => !c.hasProperty('recurrence-id'));
  if (!master) return true;
  const event = new ICAL.Event(master);
  for (const ex of comps) if (ex !== master) event.relateException(ex);
  const it = event.iterator();
  let n = 0;
  for (let t = it.next(); t; t = it.next()) {
    if (++n > MAX_INSTANCES) return true; // cannot tell within the bound: answered, not left out
    const d = event.getOccurrenceDetails(t);
    const s = instant(d.startDate);
    const e = Math.max(s, instant(d.endDate));
    if (s >= to && instant(t) >= to) break;
    if (s < to && (e > from || (e === s && s >= from))) return true;
  }
  return false;
}

/** Parses an iCalendar UTC time (20261126T080000Z) of a time-range filter. */
export function parseUtc(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new ICalError(`"${text}" is not a UTC date-time (YYYYMMDDTHHMMSSZ)`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** RFC 4791 §9.7.5 text-match: a substring match under the collation, maybe negated. */
export interface TextMatch {
  readonly text: string;
  /** i;ascii-casemap (the default) rather than i;octet. */
  readonly caseless: boolean;
  readonly negate: boolean;
}

/** RFC 4791 §9.7.2 prop-filter, without param-filter and time-range on properties. */
export interface PropFilter {
  readonly name: string;
  /** is-not-defined: matches when the component has no such property. */
  readonly notDefined: boolean;
  readonly matches: readonly TextMatch[];
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function textMatches(value: string, m: TextMatch): boolean {
  const found = m.caseless ? asciiLower(value).includes(asciiLower(m.text)) : value.includes(m.text);
  return found !== m.negate;
}

/** Whether one component satisfies every prop-filter (a defined property must match all its text-matches). */
function componentMatches(comp: ICAL.Component, filters: readonly PropFilter[]): boolean {
  return filters.every((f) => {
    const props = comp.getAllProperties(f.name.toLowerCase());
    if (f.notDefined) return props.length === 0;
    if (props.length === 0) return false;
    return props.some((p) => {
      const value = p
        .getValues()
        .map((v) => String(v))
        .join(',');
      return f.matches.every((m) => textMatches(value, m));
    });
  });
}

/**
 * Whether the object matches prop-filters on VCALENDAR (`calendar`) and on its `component`s
 * (`items`): the latter hold when at least one component of the object (master or override) matches.
 */
export function propsMatch(
  body: string,
  component: 'VEVENT' | 'VTODO',
  calendar: readonly PropFilter[],
  items: readonly PropFilter[],
): boolean {
  const cal = new ICAL.Component(ICAL.parse(body) as unknown as unknown[]);
  if (!componentMatches(cal, calendar)) return false;
  if (items.length === 0) return true;
  return cal.getAllSubcomponents(component.toLowerCase()).some((c) => componentMatches(c, items));
}
