/**
 * iCalendar object (one CalDAV resource) → canonical item. VEVENT → Activity, VTODO → Task; a series
 * with its RECURRENCE-ID overrides is one item (DESIGN.md rule 6). ical.js decodes the values; the raw
 * lines (ical-text.ts) are paired with ical.js's properties in document order, so that every error
 * names its line and every line the model cannot regenerate exactly is kept in `extra`:
 * - `extra.ical`: the master component's lines the model does not read (verbatim, in order), then one
 *   section per group of known properties whose lines a fresh generation would not reproduce (a
 *   Windows TZID, DURATION instead of DTEND, an X-parameter on an ATTENDEE, two alarms): `#sig GROUP
 *   HASH` followed by the original lines; the writer puts them back while the values are unchanged;
 * - `extra['ical:override:<recurrence id>']`: the same for each override component;
 * - `extra['ical:calendar']`: VCALENDAR properties and components the model does not read.
 * DTSTAMP is not kept: the writer stamps each write (RFC 5545 §3.8.7.2).
 * The values themselves (times, RRULE, people) are read in ical-values.ts.
 *
 * (About 500 lines: the reading of each property and the keeping of the lines it came from share the
 * per-component record `Read` and the raw-line pairing; issue 14 point 4 is to let ical.js parse the
 * values that ical-values.ts still checks by hand, which shortens both.)
 */
import ICAL from 'ical.js';
import { parseCrmContext, type CrmContext } from '../../core/model/crm-context.js';
import type {
  Activity,
  Attendee,
  Item,
  OccurrenceOverride,
  Person,
  Recurrence,
  RecurrenceRule,
  Sensitivity,
  ShowAs,
  Task,
  TaskStatus,
  TimeValue,
} from '../../core/model/item.js';
import { overrideOf } from '../../core/model/override.js';
import { toInstant, toWallClock } from '../../core/model/time.js';
import { registerZones } from '@crm-sync/common/zones';
import { ICalendarError } from './ical-errors.js';
import {
  generateActivity,
  generateOverride,
  generateTask,
  groupOf,
  isCrmProperty,
  recurrenceKey,
  signature,
  type Groups,
} from './ical-generate.js';
import { componentLines, rawTree, textList, type RawComponent, type RawLine } from './ical-text.js';
import {
  BUSY,
  SENSITIVITY,
  TASK_STATUS,
  attendee,
  importance,
  param,
  parseRule,
  person,
  rawValue,
  text,
  timeFromText,
  times,
  xText,
} from './ical-values.js';

export const EXTRA_MASTER = 'ical';
export const EXTRA_CALENDAR = 'ical:calendar';
export const extraOverride = (key: string) => `ical:override:${key}`;
export const SIG = '#sig ';

/** What one VEVENT/VTODO says, property by property; absent fields were not in the component. */
interface Read {
  uid?: string;
  recurrenceId?: TimeValue;
  start?: TimeValue;
  end?: TimeValue;
  duration?: ICAL.Duration;
  due?: TimeValue;
  subject?: string;
  location?: string;
  description?: string;
  html?: string;
  organizer?: Person;
  attendees: Attendee[];
  transp?: string;
  busy?: string;
  sensitivity?: Sensitivity;
  categories: string[];
  priority?: number;
  status?: string;
  taskStatus?: string;
  percent?: number;
  completed?: TimeValue;
  rrule?: RecurrenceRule;
  /** The UNTIL of the RRULE as written, and the cap mark's (X-CRM-SYNC-CAP). */
  rawUntil?: string;
  capMark?: string;
  exdates: TimeValue[];
  rdates: TimeValue[];
  crm: Record<string, { value: string; id?: string }>;
  reminderMinutes?: number;
}

function readComponent(comp: ICAL.Component, raw: RawComponent, kind: Item['kind']): Read {
  const r: Read = { attendees: [], categories: [], exdates: [], rdates: [], crm: {} };
  const props = comp.getAllProperties();
  raw.props.forEach((l, i) => {
    const p = props[i];
    if (!p) throw new ICalendarError('ical.js and the line reader disagree on this property', l);
    try {
      readProperty(r, p, l);
    } catch (error) {
      if (error instanceof ICalendarError) throw error;
      throw new ICalendarError(error instanceof Error ? error.message : String(error), {
        line: l.line,
        property: l.name,
      });
    }
  });
  const alarms = comp.getAllSubcomponents('valarm');
  for (const alarm of alarms) {
    const trigger = alarm.getFirstProperty('trigger');
    const value = trigger?.getFirstValue();
    if (!(value instanceof ICAL.Duration)) continue;
    const related = (param(trigger!, 'related') ?? 'START').toUpperCase();
    if ((kind === 'task') !== (related === 'END')) continue;
    r.reminderMinutes = Math.round(-value.toSeconds() / 60) || 0;
    break;
  }
  return r;
}

function readProperty(r: Read, p: ICAL.Property, l: RawLine): void {
  const tzid = param(p, 'tzid');
  switch (l.name) {
    case 'UID':
      r.uid = text(p);
      break;
    case 'RECURRENCE-ID':
      // RFC 5545 §3.8.4.4: RANGE=THISANDFUTURE changes this and every later occurrence. Outlook has no
      // such exception (it splits the series in two), and read as one override the later occurrences
      // would keep the old values in Outlook: refused by name, never flattened (issue 13, point 1).
      if (/^thisandfuture$/i.test(param(p, 'range') ?? ''))
        throw new ICalendarError(
          'RECURRENCE-ID;RANGE=THISANDFUTURE (a change to this and all later occurrences) cannot be synchronized: ' +
            'Outlook has no such exception. Split the series in the CRM into two series; the item stays as it is on both sides until then',
          l,
        );
      r.recurrenceId = timeFromText(rawValue(l.text), tzid);
      break;
    case 'DTSTART':
      r.start = timeFromText(rawValue(l.text), tzid);
      break;
    case 'DTEND':
      r.end = timeFromText(rawValue(l.text), tzid);
      break;
    case 'DUE':
      r.due = timeFromText(rawValue(l.text), tzid);
      break;
    case 'DURATION': {
      const v = p.getFirstValue();
      if (!(v instanceof ICAL.Duration) || !/^[+-]?P/i.test(rawValue(l.text))) throw new Error('not a duration');
      r.duration = v;
      break;
    }
    case 'SUMMARY':
      r.subject = text(p);
      break;
    case 'LOCATION':
      r.location = text(p);
      break;
    case 'DESCRIPTION':
      r.description = text(p);
      break;
    case 'X-ALT-DESC':
      if ((param(p, 'fmttype') ?? '').toLowerCase() === 'text/html') r.html = xText(l);
      break;
    case 'ORGANIZER':
      r.organizer = person(p);
      break;
    case 'ATTENDEE':
      r.attendees.push(attendee(p));
      break;
    case 'TRANSP':
      r.transp = text(p).toUpperCase();
      break;
    case 'X-MICROSOFT-CDO-BUSYSTATUS':
      r.busy = xText(l).toUpperCase();
      break;
    case 'CLASS':
      r.sensitivity = SENSITIVITY[text(p).toUpperCase()] ?? 'private'; // RFC 5545 §3.8.1.3
      break;
    case 'CATEGORIES':
      r.categories.push(...textList(rawValue(l.text)).filter((c) => c.length));
      break;
    case 'PRIORITY': {
      const n = Number(rawValue(l.text));
      if (!Number.isInteger(n) || n < 0 || n > 9) throw new Error('must be an integer from 0 to 9');
      r.priority = n;
      break;
    }
    case 'STATUS':
      r.status = text(p).toUpperCase();
      break;
    case 'X-CRM-SYNC-TASK-STATUS':
      r.taskStatus = xText(l);
      break;
    case 'PERCENT-COMPLETE': {
      const n = Number(rawValue(l.text));
      if (!Number.isInteger(n) || n < 0 || n > 100) throw new Error('must be an integer from 0 to 100');
      r.percent = n;
      break;
    }
    case 'COMPLETED':
      r.completed = timeFromText(rawValue(l.text), tzid);
      break;
    case 'RRULE':
      if (r.rrule) throw new Error('more than one RRULE cannot be synchronized');
      r.rrule = parseRule(rawValue(l.text));
      r.rawUntil = /(?:^|;)UNTIL=([^;]+)/i.exec(rawValue(l.text))?.[1]?.toUpperCase();
      break;
    case 'X-CRM-SYNC-CAP':
      r.capMark = rawValue(l.text).trim().toUpperCase();
      break;
    case 'EXDATE':
      r.exdates.push(...times(p, l));
      break;
    case 'RDATE':
      r.rdates.push(...times(p, l));
      break;
    default:
      if (l.name.startsWith('X-SAPCRM-')) {
        const id = param(p, 'x-sapcrm-id');
        r.crm[l.name.slice('X-SAPCRM-'.length)] = { value: xText(l), ...(id !== undefined && { id }) };
      }
  }
}

function crmOf(r: Read, line: number): CrmContext | undefined {
  // Any one of the context's properties makes a context (issue 13, point 8).
  if (!Object.keys(r.crm).some((k) => isCrmProperty(`X-SAPCRM-${k}`))) return undefined;
  const ref = (name: string) => {
    const v = r.crm[name];
    return v && { id: v.id ?? '', label: v.value };
  };
  try {
    return parseCrmContext({
      activityId: r.crm['ACTIVITY-ID']?.value,
      application: r.crm.APPLICATION?.value.toUpperCase(),
      businessPartner: ref('BUSINESS-PARTNER'),
      contactPerson: ref('CONTACT-PERSON'),
      opportunity: ref('OPPORTUNITY'),
    });
  } catch (error) {
    throw new ICalendarError(error instanceof Error ? error.message : String(error), { line, property: 'X-SAPCRM-*' });
  }
}

/** DTSTART + DURATION, in the start's own form. */
function addDuration(start: TimeValue, d: ICAL.Duration): TimeValue {
  const all = 'date' in start;
  const t = ICAL.Time.fromDateTimeString(all ? `${start.date}T00:00:00` : start.dateTime, undefined as never);
  t.addDuration(d);
  const s = t.toString().slice(0, 19);
  return all ? { date: s.slice(0, 10) } : { dateTime: s, timeZone: start.timeZone };
}

function endOf(r: Read, start: TimeValue): TimeValue {
  if (r.end) return r.end;
  if (r.duration) return addDuration(start, r.duration);
  // RFC 5545 §3.6.1: without DTEND or DURATION a dated event lasts a day, a timed one no time.
  if ('date' in start) return addDuration(start, ICAL.Duration.fromString('P1D'));
  return start;
}

function showAs(r: Read): ShowAs {
  if (r.busy && BUSY[r.busy]) return BUSY[r.busy]!;
  return r.transp === 'TRANSPARENT' ? 'free' : 'busy';
}

const body = (r: Read) =>
  r.description !== undefined || r.html !== undefined
    ? { text: r.description ?? '', ...(r.html !== undefined && { html: r.html }) }
    : undefined;

// --- the lines to keep ----------------------------------------------------------------------------

/** Lines of `raw` per group (VALARM blocks whole) and the lines the model does not read. */
function splitLines(raw: RawComponent, kind: Item['kind'], override: boolean) {
  const groups = new Map<string, string[]>();
  const unknown: string[] = [];
  const add = (g: string | undefined, lines: string[]) => {
    if (g === 'DTSTAMP') return;
    if (g === undefined) unknown.push(...lines);
    else groups.set(g, [...(groups.get(g) ?? []), ...lines]);
  };
  for (const l of raw.props) add(groupOf(l.name, kind, override), [l.text]);
  for (const c of raw.comps) add(groupOf(c.name, kind, override), componentLines(c));
  return { groups, unknown };
}

/** `extra` lines for one component: what the model does not read, then the groups to keep. */
function keptLines(raw: RawComponent, generated: Groups, kind: Item['kind'], override: boolean): string[] {
  const { groups, unknown } = splitLines(raw, kind, override);
  const out = [...unknown];
  for (const [g, lines] of generated) {
    if (g === 'DTSTAMP') continue;
    const original = groups.get(g) ?? [];
    if (original.join('\n') !== lines.join('\n')) out.push(`${SIG}${g} ${signature(lines)}`, ...original);
  }
  return out;
}

// --- the object -----------------------------------------------------------------------------------

/**
 * Reads one iCalendar object. Throws ICalendarError naming the line and property of the first thing
 * that cannot be read; nothing else escapes (a fuzz suite checks it).
 */
export function parseICalendar(source: string): Item {
  try {
    return parse(source);
  } catch (error) {
    if (error instanceof ICalendarError) throw error;
    throw new ICalendarError(error instanceof Error ? error.message : String(error), {});
  }
}

function parse(source: string): Item {
  const tree = rawTree(source);
  let jcal: unknown;
  try {
    // ical.js reads the lines the line reader reads: an empty line (not allowed by RFC 5545 §3.1, found
    // by the fuzz suite inside a folded line) is dropped by both, so a continuation after it joins the
    // same line in both readers.
    jcal = ICAL.parse(
      source
        .split(/\r\n|\n|\r/)
        .filter((line) => line.length > 0)
        .join('\r\n'),
    );
  } catch (error) {
    throw new ICalendarError(`not valid iCalendar: ${error instanceof Error ? error.message : String(error)}`, {});
  }
  const cal = new ICAL.Component(jcal as unknown[]);
  registerZones(cal);
  const comps = cal.getAllSubcomponents();
  if (comps.length !== tree.comps.length) throw new ICalendarError('ical.js and the line reader disagree', {});
  const kindName = tree.comps.some((c) => c.name === 'VEVENT')
    ? 'VEVENT'
    : tree.comps.some((c) => c.name === 'VTODO')
      ? 'VTODO'
      : undefined;
  if (!kindName) throw new ICalendarError('the object holds no VEVENT or VTODO', { line: tree.line });
  const kind: Item['kind'] = kindName === 'VEVENT' ? 'activity' : 'task';

  const calendarExtra = tree.props.filter((l) => l.name !== 'VERSION' && l.name !== 'PRODID').map((l) => l.text);
  const mains: { raw: RawComponent; read: Read }[] = [];
  tree.comps.forEach((raw, i) => {
    if (raw.name === 'VTIMEZONE') return;
    // Task overrides have no place in the model: kept verbatim with the object.
    if (raw.name !== kindName || (kind === 'task' && raw.props.some((l) => l.name === 'RECURRENCE-ID'))) {
      calendarExtra.push(...componentLines(raw));
      return;
    }
    mains.push({ raw, read: readComponent(comps[i]!, raw, kind) });
  });
  const masters = mains.filter((m) => !m.read.recurrenceId);
  if (masters.length === 0)
    throw new ICalendarError('cannot relate the exception (RECURRENCE-ID) to a missing series', {
      line: mains[0]!.raw.line,
    });
  if (masters.length > 1)
    throw new ICalendarError(`a second ${kindName} without RECURRENCE-ID in one object`, {
      line: masters[1]!.raw.line,
    });
  const master = masters[0]!;
  const uid = master.read.uid;
  if (!uid) throw new ICalendarError('UID is missing', { line: master.raw.line, property: 'UID' });
  for (const m of mains)
    if (m.read.uid !== uid)
      throw new ICalendarError(`UID "${m.read.uid ?? ''}" differs from the series' "${uid}"`, {
        line: m.raw.line,
        property: 'UID',
      });

  const r = master.read;
  // RFC 5545 §3.3.10: UNTIL is UTC when DTSTART is zoned; the model keeps it in the start's zone.
  // (A task's series may be anchored on its due date.)
  const anchor = r.start ?? (kind === 'task' ? r.due : undefined);
  if (r.rrule?.until && anchor && !('date' in anchor) && anchor.timeZone && anchor.timeZone !== 'UTC') {
    const u = r.rrule.until;
    if (!('date' in u) && u.timeZone === 'UTC')
      r.rrule = {
        ...r.rrule,
        until: { dateTime: toWallClock(toInstant(u), anchor.timeZone), timeZone: anchor.timeZone },
      };
  }
  const crm = crmOf(r, master.raw.line);
  const b = body(r);
  const recurrence = (overrides: OccurrenceOverride[]): Recurrence | undefined =>
    r.rrule
      ? {
          rule: r.rrule,
          exceptionDates: r.exdates,
          extraDates: r.rdates,
          overrides,
          // The cap the sync wrote, while the UNTIL is still the one it marked (else the user's end).
          ...(r.rrule.until && r.capMark !== undefined && r.capMark === r.rawUntil && { cap: r.rrule.until }),
        }
      : r.exdates.length || r.rdates.length || overrides.length
        ? (() => {
            throw new ICalendarError('EXDATE, RDATE or an override without an RRULE cannot be synchronized', {
              line: master.raw.line,
              property: 'RRULE',
            });
          })()
        : undefined;
  const common = {
    uid,
    subject: r.subject ?? '',
    ...(b && { body: b }),
    sensitivity: r.sensitivity ?? 'normal',
    categories: r.categories,
    ...(r.reminderMinutes !== undefined && { reminderMinutes: r.reminderMinutes }),
    importance: importance(r.priority ?? 0),
    ...(crm && { crm }),
  };
  const stamp = '';
  if (kind === 'task') {
    const status = (r.taskStatus && TASK_STATUS_X.has(r.taskStatus) ? r.taskStatus : undefined) as
      TaskStatus | undefined;
    const rec = recurrence([]);
    const task: Task = {
      kind: 'task',
      ...common,
      status: status ?? TASK_STATUS[r.status ?? 'NEEDS-ACTION'] ?? 'notStarted',
      percentComplete: r.percent ?? 0,
      ...(r.start && { start: r.start }),
      ...(r.due ? { due: r.due } : r.start && r.duration ? { due: addDuration(r.start, r.duration) } : {}),
      ...(r.completed && { completed: r.completed }),
      ...(rec && { recurrence: rec }),
      extra: {},
    };
    return withExtra(task, {
      [EXTRA_MASTER]: keptLines(master.raw, generateTask(task, stamp), kind, false),
      [EXTRA_CALENDAR]: calendarExtra,
    });
  }

  if (!r.start) throw new ICalendarError('DTSTART is missing', { line: master.raw.line, property: 'DTSTART' });
  const base: Activity = {
    kind: 'activity',
    ...common,
    start: r.start,
    end: endOf(r, r.start),
    ...(r.location !== undefined && { location: r.location }),
    ...(r.organizer && { organizer: r.organizer }),
    attendees: r.attendees,
    showAs: showAs(r),
    extra: {},
  };
  const overrides: { o: OccurrenceOverride; raw: RawComponent }[] = [];
  for (const m of mains) {
    if (!m.read.recurrenceId) continue;
    const o = m.read;
    const start = o.start ?? o.recurrenceId!;
    const occurrence = {
      subject: o.subject ?? base.subject,
      start,
      end: o.end || o.duration ? endOf(o, start) : start,
      location: o.location ?? base.location,
      body: body(o) ?? base.body,
      showAs: o.transp || o.busy ? showAs(o) : base.showAs,
      attendees: o.attendees.length ? o.attendees : base.attendees,
      reminderMinutes: o.reminderMinutes ?? base.reminderMinutes,
    };
    overrides.push({ o: overrideOf(o.recurrenceId!, occurrence, base), raw: m.raw });
  }
  const keys = new Set<string>();
  for (const { o, raw } of overrides) {
    const key = recurrenceKey(o.recurrenceId);
    if (keys.has(key))
      throw new ICalendarError('two overrides of one occurrence', { line: raw.line, property: 'RECURRENCE-ID' });
    keys.add(key);
  }
  const rec = recurrence(overrides.map((x) => x.o));
  const activity: Activity = { ...base, ...(rec && { recurrence: rec }) };
  const extra: Record<string, string[]> = {
    [EXTRA_MASTER]: keptLines(master.raw, generateActivity(activity, stamp), kind, false),
    [EXTRA_CALENDAR]: calendarExtra,
  };
  for (const { o, raw } of overrides)
    extra[extraOverride(recurrenceKey(o.recurrenceId))] = keptLines(
      raw,
      generateOverride(activity, o, stamp),
      kind,
      true,
    );
  return withExtra(activity, extra);
}

const TASK_STATUS_X = new Set(['waitingOnOthers', 'deferred']);

function withExtra<T extends Item>(item: T, extra: Record<string, string[]>): T {
  const kept = Object.fromEntries(Object.entries(extra).filter(([, lines]) => lines.length));
  return { ...item, extra: kept };
}
