/**
 * Canonical item → iCalendar content lines, grouped by the canonical field they carry. Generation is
 * deterministic: the same values always give the same lines, so the reader can tell whether a group of
 * original lines says what a fresh generation would (then nothing needs keeping) or not (then the
 * original lines are kept with a signature and written back verbatim while the values are unchanged).
 */
import { hash64 } from '../../core/model/content-hash.js';
import type {
  Activity,
  Attendee,
  Item,
  OccurrenceOverride,
  Recurrence,
  Sensitivity,
  ShowAs,
  Task,
  TaskStatus,
  TimeValue,
} from '../../core/model/item.js';
import { shiftTime, toInstant } from '../../core/model/time.js';
import { escapeText, paramValue } from './ical-text.js';

/** Group key → unfolded lines, in the order they are written. */
export type Groups = Map<string, string[]>;

/** The property names the model reads, per group (X-SAPCRM-* and VALARM blocks included). */
const GROUP_OF: Record<string, string> = {
  UID: 'UID',
  DTSTAMP: 'DTSTAMP',
  'RECURRENCE-ID': 'RECURRENCE-ID',
  DTSTART: 'DTSTART',
  DTEND: 'DTEND',
  DURATION: 'DTEND',
  DUE: 'DUE',
  SUMMARY: 'SUMMARY',
  LOCATION: 'LOCATION',
  DESCRIPTION: 'DESCRIPTION',
  'X-ALT-DESC': 'DESCRIPTION',
  ORGANIZER: 'ORGANIZER',
  ATTENDEE: 'ATTENDEE',
  TRANSP: 'SHOWAS',
  'X-MICROSOFT-CDO-BUSYSTATUS': 'SHOWAS',
  CLASS: 'CLASS',
  CATEGORIES: 'CATEGORIES',
  PRIORITY: 'PRIORITY',
  STATUS: 'STATUS',
  'X-CRM-SYNC-TASK-STATUS': 'STATUS',
  'PERCENT-COMPLETE': 'PERCENT-COMPLETE',
  COMPLETED: 'COMPLETED',
  RRULE: 'RRULE',
  // The mark of an infinite series' cap the sync wrote (Recurrence.cap): the UNTIL it wrote.
  'X-CRM-SYNC-CAP': 'RRULE',
  EXDATE: 'EXDATE',
  RDATE: 'RDATE',
  'X-SAPCRM-ACTIVITY-ID': 'X-SAPCRM',
  'X-SAPCRM-APPLICATION': 'X-SAPCRM',
  'X-SAPCRM-BUSINESS-PARTNER': 'X-SAPCRM',
  'X-SAPCRM-CONTACT-PERSON': 'X-SAPCRM',
  'X-SAPCRM-OPPORTUNITY': 'X-SAPCRM',
};
/** An X-SAPCRM-* property of the CRM context (any one of them makes a context). */
export const isCrmProperty = (name: string): boolean => GROUP_OF[name] === 'X-SAPCRM';
const EVENT_ONLY = new Set(['DTEND', 'LOCATION', 'ORGANIZER', 'ATTENDEE', 'SHOWAS']);
const TASK_ONLY = new Set(['DUE', 'STATUS', 'PERCENT-COMPLETE', 'COMPLETED']);
/** What an override component (RECURRENCE-ID) carries: OccurrenceFields plus its identity. */
const OVERRIDE_GROUPS = new Set([
  'UID',
  'DTSTAMP',
  'RECURRENCE-ID',
  'DTSTART',
  'DTEND',
  'SUMMARY',
  'LOCATION',
  'DESCRIPTION',
  'SHOWAS',
  'ATTENDEE',
]);

/**
 * The group a property belongs to in a component of `kind`, or undefined when the model does not read
 * it there (then the line is kept verbatim). VALARM blocks are the group `VALARM`.
 */
export function groupOf(name: string, kind: Item['kind'], override: boolean): string | undefined {
  const g = name === 'VALARM' ? 'VALARM' : GROUP_OF[name];
  if (!g) return undefined;
  if (override) return OVERRIDE_GROUPS.has(g) || (g === 'VALARM' && kind === 'activity') ? g : undefined;
  if (g === 'RECURRENCE-ID') return undefined;
  if (kind === 'activity' ? TASK_ONLY.has(g) : EVENT_ONLY.has(g)) return undefined;
  if (kind === 'task' && name === 'DURATION') return undefined;
  return g;
}

/** The signature of a group's generated lines. */
export const signature = (lines: readonly string[]): string => hash64(lines.join('\n'));

// --- values ---------------------------------------------------------------------------------------

const compact = (s: string) => s.replace(/[-:]/g, '');
const utcText = (ms: number) => compact(new Date(ms).toISOString().slice(0, 19)) + 'Z';

/** `NAME[;params]:value` for a time value in its own form: date, UTC, zoned or floating. */
export function timeLine(name: string, t: TimeValue, params = ''): string {
  if ('date' in t) return `${name};VALUE=DATE${params}:${compact(t.date)}`;
  if (t.timeZone === 'UTC') return `${name}${params}:${compact(t.dateTime)}Z`;
  if (t.timeZone === null) return `${name}${params}:${compact(t.dateTime)}`;
  return `${name};TZID=${paramValue(t.timeZone)}${params}:${compact(t.dateTime)}`;
}

/** RRULE's UNTIL: a date stays a date; a date-time is UTC when the start is zoned (RFC 5545 §3.3.10). */
function untilText(t: TimeValue): string {
  if ('date' in t) return compact(t.date);
  if (t.timeZone === null) return compact(t.dateTime);
  return utcText(toInstant(t));
}

function durationText(minutes: number): string {
  if (minutes === 0) return 'PT0S';
  const sign = minutes < 0 ? '' : '-'; // a reminder before the start is a negative trigger
  const m = Math.abs(minutes);
  if (m % 1440 === 0) return `${sign}P${m / 1440}D`;
  if (m % 60 === 0) return `${sign}PT${m / 60}H`;
  return `${sign}PT${m}M`;
}

const SENSITIVITY: Record<Sensitivity, string | undefined> = {
  normal: undefined,
  // RFC 5545 §3.8.1.3: an unknown x-name class is treated as PRIVATE by other clients.
  personal: 'X-PERSONAL',
  private: 'PRIVATE',
  confidential: 'CONFIDENTIAL',
};

/** TRANSP plus Outlook's busy status where TRANSP alone cannot say it. */
const SHOW_AS: Record<ShowAs, string[]> = {
  free: ['TRANSP:TRANSPARENT'],
  busy: [], // RFC 5545 §3.8.2.7: OPAQUE is the default
  tentative: ['TRANSP:OPAQUE', 'X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE'],
  oof: ['TRANSP:OPAQUE', 'X-MICROSOFT-CDO-BUSYSTATUS:OOF'],
  workingElsewhere: ['TRANSP:OPAQUE', 'X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE'],
  unknown: ['X-MICROSOFT-CDO-BUSYSTATUS:UNKNOWN'],
};

/** STATUS plus our X-property for the To Do states VTODO has no value for. */
const TASK_STATUS: Record<TaskStatus, string[]> = {
  notStarted: ['STATUS:NEEDS-ACTION'],
  inProgress: ['STATUS:IN-PROCESS'],
  completed: ['STATUS:COMPLETED'],
  waitingOnOthers: ['STATUS:IN-PROCESS', 'X-CRM-SYNC-TASK-STATUS:waitingOnOthers'],
  deferred: ['STATUS:NEEDS-ACTION', 'X-CRM-SYNC-TASK-STATUS:deferred'],
};

const PARTSTAT: Record<Attendee['response'], string | undefined> = {
  none: undefined,
  needsAction: 'NEEDS-ACTION',
  accepted: 'ACCEPTED',
  tentative: 'TENTATIVE',
  declined: 'DECLINED',
};

const mailto = (email: string) => (/^[a-z][a-z0-9+.-]*:/i.test(email) ? email : `mailto:${email}`);

function attendeeLine(a: Attendee): string {
  const params = [
    a.name !== undefined && `;CN=${paramValue(a.name)}`,
    a.role === 'resource'
      ? ';CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT'
      : `;ROLE=${a.role === 'required' ? 'REQ' : 'OPT'}-PARTICIPANT`,
    PARTSTAT[a.response] && `;PARTSTAT=${PARTSTAT[a.response]}`,
  ];
  return `ATTENDEE${params.filter(Boolean).join('')}:${mailto(a.email)}`;
}

function recurrenceGroups(r: Recurrence, g: Groups): void {
  const rule = r.rule;
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  if (rule.until) parts.push(`UNTIL=${untilText(rule.until)}`);
  if (rule.byDay?.length) parts.push(`BYDAY=${rule.byDay.map((d) => `${d.ordinal ?? ''}${d.day}`).join(',')}`);
  if (rule.byMonthDay?.length) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byMonth?.length) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.bySetPos?.length) parts.push(`BYSETPOS=${rule.bySetPos.join(',')}`);
  if (rule.weekStart) parts.push(`WKST=${rule.weekStart}`);
  const marked = r.cap && rule.until && untilText(r.cap) === untilText(rule.until);
  g.set('RRULE', [`RRULE:${parts.join(';')}`, ...(marked ? [`X-CRM-SYNC-CAP:${untilText(rule.until!)}`] : [])]);
  g.set(
    'EXDATE',
    sortedTimes(r.exceptionDates).map((t) => timeLine('EXDATE', t)),
  );
  g.set(
    'RDATE',
    sortedTimes(r.extraDates).map((t) => timeLine('RDATE', t)),
  );
}

const timeKey = (t: TimeValue) => ('date' in t ? t.date : `${t.dateTime}@${t.timeZone ?? ''}`);
const sortedTimes = (ts: readonly TimeValue[]) => [...ts].sort((a, b) => timeKey(a).localeCompare(timeKey(b)));
export const recurrenceKey = timeKey;

function alarm(minutes: number | undefined, task: boolean): string[] {
  if (minutes === undefined) return [];
  return [
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'DESCRIPTION:Reminder',
    `TRIGGER${task ? ';RELATED=END' : ''}:${durationText(minutes)}`,
    'END:VALARM',
  ];
}

function commonGroups(item: Item, g: Groups): void {
  g.set('CLASS', SENSITIVITY[item.sensitivity] ? [`CLASS:${SENSITIVITY[item.sensitivity]}`] : []);
  const categories = [...new Set(item.categories)].sort();
  g.set('CATEGORIES', categories.length ? [`CATEGORIES:${categories.map(escapeText).join(',')}`] : []);
  g.set('PRIORITY', item.importance === 'high' ? ['PRIORITY:1'] : item.importance === 'low' ? ['PRIORITY:9'] : []);
  const crm = item.crm;
  g.set(
    'X-SAPCRM',
    crm
      ? [
          ...(crm.activityId !== undefined ? [`X-SAPCRM-ACTIVITY-ID:${escapeText(crm.activityId)}`] : []),
          ...(crm.application ? [`X-SAPCRM-APPLICATION:${crm.application}`] : []),
          ...(
            [
              ['BUSINESS-PARTNER', crm.businessPartner],
              ['CONTACT-PERSON', crm.contactPerson],
              ['OPPORTUNITY', crm.opportunity],
            ] as const
          ).flatMap(([n, ref]) =>
            ref ? [`X-SAPCRM-${n};X-SAPCRM-ID=${paramValue(ref.id)}:${escapeText(ref.label)}`] : [],
          ),
        ]
      : [],
  );
}

function bodyLines(body: Item['body']): string[] {
  if (!body) return [];
  return [
    `DESCRIPTION:${escapeText(body.text)}`,
    ...(body.html !== undefined ? [`X-ALT-DESC;FMTTYPE=text/html:${escapeText(body.html)}`] : []),
  ];
}

const byEmail = (a: Attendee, b: Attendee) => (a.email.toLowerCase() < b.email.toLowerCase() ? -1 : 1);

/** The groups of an activity's master component. */
export function generateActivity(a: Activity, stamp: string): Groups {
  const g: Groups = new Map();
  g.set('UID', [`UID:${escapeText(a.uid)}`]);
  g.set('DTSTAMP', [`DTSTAMP:${stamp}`]);
  g.set('DTSTART', [timeLine('DTSTART', a.start)]);
  g.set('DTEND', [timeLine('DTEND', a.end)]);
  g.set('SUMMARY', [`SUMMARY:${escapeText(a.subject)}`]);
  g.set('LOCATION', a.location !== undefined ? [`LOCATION:${escapeText(a.location)}`] : []);
  g.set('DESCRIPTION', bodyLines(a.body));
  g.set(
    'ORGANIZER',
    a.organizer
      ? [
          `ORGANIZER${a.organizer.name !== undefined ? `;CN=${paramValue(a.organizer.name)}` : ''}:${mailto(a.organizer.email)}`,
        ]
      : [],
  );
  g.set('ATTENDEE', [...a.attendees].sort(byEmail).map(attendeeLine));
  g.set('SHOWAS', SHOW_AS[a.showAs]);
  commonGroups(a, g);
  if (a.recurrence) recurrenceGroups(a.recurrence, g);
  else for (const k of ['RRULE', 'EXDATE', 'RDATE']) g.set(k, []);
  g.set('VALARM', alarm(a.reminderMinutes, false));
  return g;
}

/** The groups of an override component: the master's occurrence fields with the override's on top. */
export function generateOverride(master: Activity, o: OccurrenceOverride, stamp: string): Groups {
  // A field the override leaves out is the occurrence's own: its start is where the occurrence was
  // (the RECURRENCE-ID), not the series' first start, and it lasts as long as the series' do.
  const start = o.fields.start ?? o.recurrenceId;
  const end = o.fields.end ?? shiftTime(start, toInstant(master.end) - toInstant(master.start));
  const f = { ...master, ...o.fields, start, end };
  const g: Groups = new Map();
  g.set('UID', [`UID:${escapeText(master.uid)}`]);
  g.set('DTSTAMP', [`DTSTAMP:${stamp}`]);
  g.set('RECURRENCE-ID', [timeLine('RECURRENCE-ID', o.recurrenceId)]);
  g.set('DTSTART', [timeLine('DTSTART', f.start)]);
  g.set('DTEND', [timeLine('DTEND', f.end)]);
  g.set('SUMMARY', [`SUMMARY:${escapeText(f.subject)}`]);
  g.set('LOCATION', f.location !== undefined ? [`LOCATION:${escapeText(f.location)}`] : []);
  g.set('DESCRIPTION', bodyLines(f.body));
  g.set('ATTENDEE', [...f.attendees].sort(byEmail).map(attendeeLine));
  // Explicit even for busy: an override without TRANSP takes its series' value.
  g.set('SHOWAS', f.showAs === 'busy' ? ['TRANSP:OPAQUE'] : SHOW_AS[f.showAs]);
  g.set('VALARM', alarm(f.reminderMinutes, false));
  return g;
}

/** The groups of a task's component. */
export function generateTask(t: Task, stamp: string): Groups {
  const g: Groups = new Map();
  g.set('UID', [`UID:${escapeText(t.uid)}`]);
  g.set('DTSTAMP', [`DTSTAMP:${stamp}`]);
  g.set('DTSTART', t.start ? [timeLine('DTSTART', t.start)] : []);
  g.set('DUE', t.due ? [timeLine('DUE', t.due)] : []);
  g.set('SUMMARY', [`SUMMARY:${escapeText(t.subject)}`]);
  g.set('DESCRIPTION', bodyLines(t.body));
  g.set('STATUS', TASK_STATUS[t.status]);
  g.set('PERCENT-COMPLETE', t.percentComplete ? [`PERCENT-COMPLETE:${t.percentComplete}`] : []);
  // RFC 5545 §3.8.2.1: COMPLETED is a UTC date-time.
  g.set('COMPLETED', t.completed ? [`COMPLETED:${utcText(toInstant(t.completed))}`] : []);
  commonGroups(t, g);
  if (t.recurrence) recurrenceGroups(t.recurrence, g);
  else for (const k of ['RRULE', 'EXDATE', 'RDATE']) g.set(k, []);
  g.set('VALARM', alarm(t.reminderMinutes, true));
  return g;
}

export const stampOf = (ms: number) => utcText(ms);
