/**
 * iCalendar values (RFC 5545 §3.3) as the canonical model reads them: times with their TZID (never
 * silently floating), RRULE within what Outlook can express too, people, attendees and the enumerated
 * properties. ical.js decodes; these functions check and name what it accepts too leniently.
 *
 * RRULE and DATE/DATE-TIME texts are read here from their text, not from ical.js's ICAL.Recur and
 * ICAL.Time: ical.js 2 turns COUNT=0 into an endless series, drops INTERVAL=1.5 and parts it does not
 * know, keeps the last of two COUNTs and moves 2026-13-45 into 2027 (the test "iCalendar values
 * ical.js accepts too leniently" shows each; it fails when ical.js becomes strict). Time zones are
 * ical.js's (registered by @crm-sync/common/zones), zone names the common resolver's.
 */
import ICAL from 'ical.js';
import { ianaZone } from '@crm-sync/common/zone-names';
import type {
  Attendee,
  Importance,
  Person,
  RecurrenceRule,
  Sensitivity,
  ShowAs,
  TaskStatus,
  TimeValue,
  Weekday,
} from '../../core/model/item.js';
import type { RawLine } from './ical-text.js';

export const DATE = /^(\d{4})(\d{2})(\d{2})$/;
export const DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/;

export function checkRanges(m: RegExpExecArray, text: string): void {
  const [, , mo, d, h = '0', mi = '0', s = '0'] = m;
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h > 23 || +mi > 59 || +s > 60)
    throw new Error(`"${text}" is not a valid date or date-time`);
}

/** A DATE or DATE-TIME value text with its TZID → canonical time (never silently floating). */
export function timeFromText(text: string, tzid: string | undefined): TimeValue {
  const d = DATE.exec(text);
  if (d) {
    checkRanges(d, text);
    return { date: `${d[1]}-${d[2]}-${d[3]}` };
  }
  const t = DATE_TIME.exec(text);
  if (!t) throw new Error(`"${text}" is not a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z])`);
  checkRanges(t, text);
  const wall = `${t[1]}-${t[2]}-${t[3]}T${t[4]}:${t[5]}:${t[6]}`;
  if (t[7]) return { dateTime: wall, timeZone: 'UTC' };
  if (tzid === undefined) return { dateTime: wall, timeZone: null };
  const iana = ianaZone(tzid);
  if (iana) return { dateTime: wall, timeZone: iana };
  // A zone defined only by the object's VTIMEZONE (e.g. Outlook's "(UTC+01:00) Amsterdam, …"): keep
  // the instant, in UTC, rather than a wall time no other system can place.
  const zone = ICAL.TimezoneService.get(tzid);
  if (!zone) throw new Error(`unknown time zone "${tzid}" (no VTIMEZONE in the object, not an IANA or Windows name)`);
  const time = ICAL.Time.fromDateTimeString(wall, undefined as never);
  time.zone = zone;
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  return { dateTime: utc.toString().slice(0, 19), timeZone: 'UTC' };
}

/** The value part of a content line (after the first ':' outside double quotes). */
export function rawValue(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ':' && !quoted) return text.slice(i + 1);
  }
  return '';
}

export const param = (p: ICAL.Property, name: string): string | undefined => {
  const v = p.getParameter(name);
  return Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : undefined;
};

/** TEXT unescaping (RFC 5545 §3.3.11), for X-properties: ical.js leaves their values as written. */
export const unescapeText = (s: string): string =>
  s.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

export const text = (p: ICAL.Property): string => {
  const v = p.getFirstValue();
  return typeof v === 'string' ? v : String(v ?? '');
};
/** The text of an X-property (ical.js types them "unknown" and does not unescape). */
export const xText = (l: RawLine): string => unescapeText(rawValue(l.text));

export const times = (p: ICAL.Property, l: RawLine): TimeValue[] => {
  if ((param(p, 'value') ?? '').toUpperCase() === 'PERIOD') throw new Error('PERIOD values are not supported');
  return rawValue(l.text)
    .split(',')
    .map((v) => timeFromText(v.trim(), param(p, 'tzid')));
};

export const email = (value: string) => value.replace(/^mailto:/i, '');

export function person(p: ICAL.Property): Person {
  const cn = param(p, 'cn');
  return { email: email(text(p)), ...(cn !== undefined && { name: cn }) };
}

export const RESPONSE: Record<string, Attendee['response']> = {
  'NEEDS-ACTION': 'needsAction',
  ACCEPTED: 'accepted',
  TENTATIVE: 'tentative',
  DECLINED: 'declined',
};

export function attendee(p: ICAL.Property): Attendee {
  const cutype = (param(p, 'cutype') ?? '').toUpperCase();
  const role = (param(p, 'role') ?? 'REQ-PARTICIPANT').toUpperCase();
  const partstat = param(p, 'partstat')?.toUpperCase();
  return {
    ...person(p),
    role:
      cutype === 'RESOURCE' || cutype === 'ROOM'
        ? 'resource'
        : role === 'OPT-PARTICIPANT' || role === 'NON-PARTICIPANT'
          ? 'optional'
          : 'required',
    response: partstat === undefined ? 'none' : (RESPONSE[partstat] ?? 'none'),
  };
}

export const WEEKDAYS = new Set(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']);
export const ints = (v: string, key: string, min: number, max: number) =>
  v.split(',').map((s) => {
    const n = Number(s);
    if (!/^[+-]?\d+$/.test(s) || n < min || n > max || n === 0) throw new Error(`${key}=${v} is out of range`);
    return n;
  });

/** RRULE value → the rule subset Outlook can express too; anything else is refused by name. */
export function parseRule(value: string): RecurrenceRule {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined || parts.has(k.toUpperCase())) throw new Error(`"${part}" is not a valid RRULE part`);
    parts.set(k.toUpperCase(), v.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY')
    throw new Error(
      `FREQ=${freq ?? '(missing)'} cannot be synchronized (Outlook repeats daily, weekly, monthly or yearly)`,
    );
  for (const k of parts.keys())
    if (!['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST'].includes(k))
      throw new Error(`RRULE part ${k} cannot be synchronized (Outlook has no such pattern)`);
  if (parts.has('COUNT') && parts.has('UNTIL')) throw new Error('RRULE has both COUNT and UNTIL (RFC 5545 §3.3.10)');
  const interval = parts.has('INTERVAL') ? ints(parts.get('INTERVAL')!, 'INTERVAL', 1, 1000)[0]! : 1;
  const rule: {
    -readonly [K in keyof RecurrenceRule]: RecurrenceRule[K];
  } = { freq, interval };
  if (parts.has('COUNT')) rule.count = ints(parts.get('COUNT')!, 'COUNT', 1, 100_000)[0]!;
  if (parts.has('UNTIL')) rule.until = timeFromText(parts.get('UNTIL')!, undefined);
  if (parts.has('BYDAY'))
    rule.byDay = parts
      .get('BYDAY')!
      .split(',')
      .map((d) => {
        const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(d);
        if (!m || !WEEKDAYS.has(m[2]!) || (m[1] !== undefined && (Number(m[1]) === 0 || Math.abs(Number(m[1])) > 53)))
          throw new Error(`BYDAY=${parts.get('BYDAY')} is not a list of weekdays`);
        return { day: m[2] as Weekday, ...(m[1] !== undefined && { ordinal: Number(m[1]) }) };
      });
  if (parts.has('BYMONTHDAY')) rule.byMonthDay = ints(parts.get('BYMONTHDAY')!, 'BYMONTHDAY', -31, 31);
  if (parts.has('BYMONTH')) rule.byMonth = ints(parts.get('BYMONTH')!, 'BYMONTH', 1, 12);
  if (parts.has('BYSETPOS')) rule.bySetPos = ints(parts.get('BYSETPOS')!, 'BYSETPOS', -366, 366);
  if (parts.has('WKST')) {
    const w = parts.get('WKST')!;
    if (!WEEKDAYS.has(w)) throw new Error(`WKST=${w} is not a weekday`);
    rule.weekStart = w as Weekday;
  }
  return rule;
}

export const SENSITIVITY: Record<string, Sensitivity> = {
  PUBLIC: 'normal',
  PRIVATE: 'private',
  CONFIDENTIAL: 'confidential',
  'X-PERSONAL': 'personal',
};
export const BUSY: Record<string, ShowAs> = {
  FREE: 'free',
  TENTATIVE: 'tentative',
  BUSY: 'busy',
  OOF: 'oof',
  WORKINGELSEWHERE: 'workingElsewhere',
  UNKNOWN: 'unknown',
};
export const TASK_STATUS: Record<string, TaskStatus> = {
  'NEEDS-ACTION': 'notStarted',
  'IN-PROCESS': 'inProgress',
  COMPLETED: 'completed',
  CANCELLED: 'deferred',
};

export function importance(priority: number): Importance {
  if (priority >= 1 && priority <= 4) return 'high';
  if (priority >= 6 && priority <= 9) return 'low';
  return 'normal';
}

// --- components ---------------------------------------------------------------------------------
