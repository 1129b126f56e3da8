/**
 * Graph event JSON → canonical Activity (https://learn.microsoft.com/graph/api/resources/event). Pure.
 * The other direction is event-write.ts; the resource types graph-event-types.ts; zone names graph-zones.ts.
 * - Times: Graph answers in UTC (no `Prefer: outlook.timezone`); the wall clock is taken in the
 *   event's originalStartTimeZone (Windows or IANA name). The IANA name the add-in wrote is kept in an
 *   extended property, so that Europe/Vienna comes back as Europe/Vienna and not as the first IANA zone
 *   of "W. Europe Standard Time" (rule 7). All-day events are written at midnight UTC.
 * - A series is one unit: the master, its exceptions (instances of type exception) and the original
 *   starts of cancelled occurrences (rule 6).
 * - The CRM id, the pair key, the original UID and the CRM context live in single-value extended
 *   properties; the CRM context also in the add-in's custom properties (cecp-<add-in id>), which the
 *   SAP CRM pane reads with Office.js
 *   (https://learn.microsoft.com/office/dev/add-ins/outlook/metadata-for-an-outlook-add-in).
 */
import { findWindows } from 'windows-iana';
import { parseCrmContext, type CrmContext } from '../../core/model/crm-context.js';
import { stableStringify } from '../../core/model/content-hash.js';
import { overrideOf } from '../../core/model/override.js';
import {
  isAllDay,
  type Activity,
  type Attendee,
  type AttendeeResponse,
  type OccurrenceOverride,
  type TimeValue,
} from '../../core/model/item.js';
import { toInstant, toWallClock } from '../../core/model/time.js';
import {
  PROP,
  type DateTimeTimeZone,
  type EventUnit,
  type GraphAttendee,
  type GraphEvent,
} from './graph-event-types.js';
import { ianaOf } from './graph-zones.js';
import { GraphMappingError, occurrenceStarts, parseWrittenRule, readBackRule } from './recurrence-mapping.js';

/** The IANA zone to read a time in: the name the add-in wrote when it still fits the event's zone. */
function zoneFor(original: string | null | undefined, hint: string | null | undefined): string {
  if (hint && original && (hint === original || ((findWindows(hint) ?? []) as readonly string[]).includes(original)))
    return hint;
  return ianaOf(original);
}

const graphInstant = (t: DateTimeTimeZone): number =>
  toInstant({ dateTime: t.dateTime.slice(0, 19), timeZone: ianaOf(t.timeZone) });

interface Zones {
  start?: string | null;
  end?: string | null;
  /**
   * The item's times are floating (RFC 5545 §3.3.5 form 1: the same wall clock wherever the user is):
   * Outlook has no such time, so they are written as wall clocks in the user's zone (`start`) and
   * read back as floating from that zone. `start: null` without it: written in UTC (version 0.2).
   */
  floating?: true;
}

function readTime(t: DateTimeTimeZone | undefined, allDay: boolean, zone: string, floating: boolean): TimeValue {
  if (!t) throw new GraphMappingError('the event has no start or end');
  const ms = graphInstant(t);
  // An all-day event spans midnight to midnight in its own zone (UTC for those the add-in writes).
  if (allDay) return { date: toWallClock(ms, zone).slice(0, 10) };
  const wall = toWallClock(ms, floating ? 'UTC' : zone);
  return { dateTime: wall, timeZone: floating ? null : zone };
}

const RESPONSE_IN: Record<string, AttendeeResponse> = {
  none: 'none',
  organizer: 'accepted',
  accepted: 'accepted',
  tentativelyAccepted: 'tentative',
  declined: 'declined',
  notResponded: 'needsAction',
};
function readAttendees(list: GraphAttendee[] | undefined): Attendee[] {
  return (list ?? [])
    .filter((a) => a.emailAddress?.address)
    .map((a) => ({
      email: a.emailAddress!.address!,
      ...(a.emailAddress?.name && { name: a.emailAddress.name }),
      role: a.type ?? 'required',
      response: RESPONSE_IN[a.status?.response ?? 'none'] ?? 'none',
    }));
}

/** Text of an HTML body, for the model's `text` (the HTML itself is kept next to it). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function readBody(b: GraphEvent['body']): Activity['body'] {
  const content = b?.content ?? '';
  if (!content.trim()) return undefined;
  return b?.contentType === 'html' ? { text: htmlToText(content), html: content } : { text: content };
}

/** Whether the JSON text `text` holds `value` (key order aside); false for no text or bad JSON. */
function sameJson(text: string | undefined, value: unknown): boolean {
  try {
    return !!text && stableStringify(JSON.parse(text)) === stableStringify(value);
  } catch {
    return false;
  }
}

const property = (e: GraphEvent, id: string): string | undefined =>
  e.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === id.toLowerCase())?.value;

function readZones(e: GraphEvent): Zones {
  const raw = property(e, PROP.zones);
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Zones;
  } catch {
    return {};
  }
}

/** The attendees kept in the extended property (written without invitations), if any. */
function readQuietAttendees(e: GraphEvent): Attendee[] | undefined {
  const raw = property(e, PROP.attendees);
  if (!raw) return undefined;
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? (list as Attendee[]).filter((a) => typeof a?.email === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** The fields an exception shares with the model's OccurrenceFields. */
function occurrenceFields(
  e: GraphEvent,
  allDay: boolean,
  zone: string,
  floating: boolean,
  quietAttendees: Attendee[] | undefined,
) {
  const attendees = readAttendees(e.attendees);
  return {
    subject: e.subject ?? '',
    start: readTime(e.start, allDay, zone, floating),
    end: readTime(e.end, allDay, zone, floating),
    location: e.location?.displayName || undefined,
    body: readBody(e.body),
    showAs: e.showAs ?? 'busy',
    // Attendees written without inviting them live in an extended property until Outlook has real ones.
    attendees: attendees.length || !quietAttendees ? attendees : quietAttendees,
    reminderMinutes: e.isReminderOn ? e.reminderMinutesBeforeStart : undefined,
  };
}

/** A Graph event (single or series unit) as the canonical Activity; floating times come back floating. */
export function eventToActivity(unit: EventUnit): Activity {
  const a = eventToZonedActivity(unit);
  const zones = readZones(unit.event);
  return zones.floating && typeof zones.start === 'string' ? floatBack(a, zones.start) : a;
}

/** Each time value of an activity (series, its dates and overrides) mapped by `f`. */
function mapTimes(a: Activity, f: (t: TimeValue) => TimeValue): Activity {
  const r = a.recurrence;
  const fields = (o: OccurrenceOverride['fields']) => ({
    ...o,
    ...(o.start && { start: f(o.start) }),
    ...(o.end && { end: f(o.end) }),
  });
  return {
    ...a,
    start: f(a.start),
    end: f(a.end),
    ...(r && {
      recurrence: {
        ...r,
        rule: { ...r.rule, ...(r.rule.until && { until: f(r.rule.until) }) },
        exceptionDates: r.exceptionDates.map(f),
        extraDates: r.extraDates.map(f),
        overrides: r.overrides.map((o) => ({ recurrenceId: f(o.recurrenceId), fields: fields(o.fields) })),
      },
    }),
  };
}

/** Whether the activity's times are floating (its start says so). */
export const isFloating = (a: Activity): boolean => !isAllDay(a.start) && a.start.timeZone === null;

/**
 * The activity with every floating time taken as the wall clock in `zone`, the user's own zone
 * (issue 13, point 7): what Outlook shows at 09:00 for a CRM meeting at 09:00 floating.
 */
export function anchorFloating(a: Activity, zone: string): Activity {
  return mapTimes(a, (t) => (!isAllDay(t) && t.timeZone === null ? { dateTime: t.dateTime, timeZone: zone } : t));
}

/** The inverse of anchorFloating: wall clocks in `zone` as floating times. */
function floatBack(a: Activity, zone: string): Activity {
  return mapTimes(a, (t) => (!isAllDay(t) && t.timeZone === zone ? { dateTime: t.dateTime, timeZone: null } : t));
}

/** A Graph event as the canonical Activity, floating times as wall clocks in the zone they were written in. */
function eventToZonedActivity(unit: EventUnit): Activity {
  const e = unit.event;
  const zones = readZones(e);
  const allDay = e.isAllDay === true;
  const floating = zones.start === null && !allDay;
  const zone = zoneFor(e.originalStartTimeZone, zones.start);
  const endZone = zoneFor(e.originalEndTimeZone, zones.end);
  const base = occurrenceFields(e, allDay, zone, floating, readQuietAttendees(e));
  const contextText = property(e, PROP.context);
  let crm: CrmContext | undefined;
  if (contextText) crm = parseCrmContext(JSON.parse(contextText));
  const activity: Activity = {
    kind: 'activity',
    uid: property(e, PROP.uid) ?? e.iCalUId ?? e.id,
    subject: base.subject,
    ...(base.body && { body: base.body }),
    sensitivity: e.sensitivity ?? 'normal',
    categories: e.categories ?? [],
    ...(base.reminderMinutes !== undefined && { reminderMinutes: base.reminderMinutes }),
    importance: e.importance ?? 'normal',
    ...(crm && { crm }),
    extra: {},
    start: base.start,
    end: readTime(e.end, allDay, endZone, floating),
    ...(base.location !== undefined && { location: base.location }),
    ...(e.organizer?.emailAddress?.address && {
      organizer: {
        email: e.organizer.emailAddress.address,
        ...(e.organizer.emailAddress.name && { name: e.organizer.emailAddress.name }),
      },
    }),
    attendees: base.attendees,
    showAs: base.showAs,
  };
  if (!e.recurrence) return activity;
  const rule = readBackRule(e.recurrence, activity.start, parseWrittenRule(property(e, PROP.rule)));
  const originalStart = (iso: string): TimeValue =>
    allDay
      ? { date: toWallClock(Date.parse(iso), zone).slice(0, 10) }
      : { dateTime: toWallClock(Date.parse(iso), floating ? 'UTC' : zone), timeZone: floating ? null : zone };
  const overrides: OccurrenceOverride[] = unit.exceptions
    .filter((x) => x.originalStart)
    .map((x) => {
      const o = occurrenceFields(x, allDay, zone, floating, readQuietAttendees(e));
      return overrideOf(originalStart(x.originalStart!), o, base);
    })
    // An instance PATCHed back to the series' values is an exception for Graph but none for the model.
    .filter(
      (o) =>
        Object.keys(o.fields).length > 2 ||
        toInstant(o.fields.start as TimeValue) !== toInstant(o.recurrenceId) ||
        toInstant(o.fields.end as TimeValue) - toInstant(o.fields.start as TimeValue) !==
          toInstant(activity.end) - toInstant(activity.start),
    );
  return {
    ...activity,
    recurrence: {
      rule,
      exceptionDates: unit.cancelled.map(originalStart),
      extraDates: [],
      overrides,
      // The cap the add-in wrote, while the series still ends there (an end moved in Outlook is the user's).
      ...(rule.until && sameJson(property(e, PROP.cap), rule.until) && { cap: rule.until }),
    },
  };
}

/** The instant of a Graph UTC time such as `originalStart`, which comes with or without its `Z`. */
export const utcOf = (s: string): number => Date.parse(/Z$|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);

/**
 * Original starts (UTC ISO) of the occurrences the series' pattern has in [from, to) that Graph does
 * not list among its instances: the cancelled ones (Graph v1.0 has no list of them).
 */
/**
 * Where an occurrence was meant to start, as the model's instant: for an all-day series its date
 * (midnight UTC, as the model's all-day dates are), read in the series' own zone — Graph gives
 * midnight in that zone, in UTC.
 */
export function originalInstant(x: GraphEvent): number {
  const at = utcOf(x.originalStart!);
  if (!x.isAllDay) return at;
  const zone = zoneFor(x.originalStartTimeZone, readZones(x).start);
  return Date.parse(`${toWallClock(at, zone).slice(0, 10)}T00:00:00Z`);
}

export function cancelledOccurrences(
  master: GraphEvent,
  listed: readonly GraphEvent[],
  from: number,
  to: number,
): string[] {
  const seen = new Set(listed.filter((x) => x.originalStart).map((x) => utcOf(x.originalStart!)));
  const shape = eventToZonedActivity({ event: master, exceptions: [], cancelled: [] });
  if (!shape.recurrence) return [];
  // An all-day occurrence starts at midnight in the series' own zone, and Graph's originalStart says
  // so in UTC (Berlin: the day before, 23:00Z); midnight UTC matched no listed occurrence, so every
  // occurrence read as cancelled (issue 13, point 3).
  const zone = master.isAllDay ? zoneFor(master.originalStartTimeZone, readZones(master).start) : undefined;
  return occurrenceStarts(shape.recurrence.rule, shape.start, from, to)
    .map((t) => (zone && isAllDay(t) ? toInstant({ dateTime: `${t.date}T00:00:00`, timeZone: zone }) : toInstant(t)))
    .filter((ms) => !seen.has(ms))
    .map((ms) => new Date(ms).toISOString());
}
