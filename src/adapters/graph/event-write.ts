/**
 * Canonical Activity → Graph event fields for POST and PATCH (https://learn.microsoft.com/graph/api/user-post-events,
 * https://learn.microsoft.com/graph/api/event-update): times as wall clocks with Windows zone names,
 * attendees only when invitations may go out, the add-in's extended properties, and the PATCH that
 * gives one occurrence its override's fields. Pure.
 */
import { stableStringify } from '../../core/model/content-hash.js';
import {
  isAllDay,
  type Activity,
  type Attendee,
  type AttendeeResponse,
  type OccurrenceOverride,
  type TimeValue,
} from '../../core/model/item.js';
import { CRM_CONTEXT_PROPERTY } from '../office/crm-custom-properties.js';
import {
  customPropertiesId,
  PROP,
  type DateTimeTimeZone,
  type GraphAttendee,
  type GraphExtendedProperty,
} from './graph-event-types.js';
import { graphZoneOf } from './graph-zones.js';
import { GraphMappingError, toGraphRecurrence } from './recurrence-mapping.js';

function writeTime(t: TimeValue): DateTimeTimeZone {
  if (isAllDay(t)) return { dateTime: `${t.date}T00:00:00`, timeZone: 'UTC' };
  return { dateTime: t.dateTime, timeZone: graphZoneOf(t.timeZone) };
}

const RESPONSE_OUT: Record<AttendeeResponse, string> = {
  none: 'none',
  accepted: 'accepted',
  tentative: 'tentativelyAccepted',
  declined: 'declined',
  needsAction: 'notResponded',
};

const writeAttendees = (list: readonly Attendee[]): GraphAttendee[] =>
  list.map((a) => ({
    type: a.role,
    status: { response: RESPONSE_OUT[a.response] },
    emailAddress: { address: a.email, ...(a.name && { name: a.name }) },
  }));

export interface WriteOptions {
  /** The add-in's id (manifest <Id>), for the custom properties the SAP CRM pane reads. */
  readonly addinId?: string;
  /** The pair key, stored for idempotent creation. */
  readonly key?: string;
  /**
   * Write the attendees as Outlook attendees, which makes Graph send them invitations and updates
   * (https://learn.microsoft.com/graph/api/user-post-events, .../event-update). Off (the profile's
   * "send update to attendees" off): they are kept in an extended property and nobody is mailed.
   * Default on.
   */
  readonly inviteAttendees?: boolean;
  /** The activity's times were floating, anchored in its start zone by anchorFloating. */
  readonly floating?: boolean;
}

/**
 * Fields of an event that are the organizer's own and go to no attendee when PATCHed: categories,
 * reminder and extended properties. Everything else of a meeting is part of what attendees receive.
 */
export const PERSONAL_FIELDS = [
  'categories',
  'isReminderOn',
  'reminderMinutesBeforeStart',
  'singleValueExtendedProperties',
];

/** The fields of a POST or PATCH for `a` (the series master's fields for a series). */
export function activityToEvent(a: Activity, options: WriteOptions = {}): Record<string, unknown> {
  if (a.recurrence?.extraDates.length)
    throw new GraphMappingError('Outlook cannot express extra dates (RDATE) of a series; it was not written');
  const start = writeTime(a.start);
  const props: GraphExtendedProperty[] = [
    { id: PROP.uid, value: a.uid },
    {
      id: PROP.zones,
      value: JSON.stringify({
        start: isAllDay(a.start) ? 'UTC' : a.start.timeZone,
        end: isAllDay(a.end) ? 'UTC' : a.end.timeZone,
        ...(options.floating && { floating: true }),
      }),
    },
    { id: PROP.context, value: a.crm ? JSON.stringify(a.crm) : '' },
    { id: PROP.activityId, value: a.crm?.activityId ?? '' },
    { id: PROP.rule, value: a.recurrence ? JSON.stringify(a.recurrence.rule) : '' },
    { id: PROP.cap, value: a.recurrence?.cap ? JSON.stringify(a.recurrence.cap) : '' },
  ];
  const invite = options.inviteAttendees !== false;
  props.push({ id: PROP.attendees, value: invite || !a.attendees.length ? '' : JSON.stringify(a.attendees) });
  if (options.key) props.push({ id: PROP.key, value: options.key });
  if (options.addinId)
    props.push({
      id: customPropertiesId(options.addinId),
      value: JSON.stringify(a.crm ? { [CRM_CONTEXT_PROPERTY]: JSON.stringify(a.crm) } : {}),
    });
  return {
    subject: a.subject,
    body: a.body?.html
      ? { contentType: 'html', content: a.body.html }
      : { contentType: 'text', content: a.body?.text ?? '' },
    start,
    end: writeTime(a.end),
    isAllDay: isAllDay(a.start),
    location: { displayName: a.location ?? '' },
    ...(invite && { attendees: writeAttendees(a.attendees) }),
    ...(a.organizer && {
      organizer: { emailAddress: { address: a.organizer.email, ...(a.organizer.name && { name: a.organizer.name }) } },
    }),
    showAs: a.showAs,
    sensitivity: a.sensitivity,
    importance: a.importance,
    categories: [...a.categories],
    isReminderOn: a.reminderMinutes !== undefined,
    ...(a.reminderMinutes !== undefined && { reminderMinutesBeforeStart: a.reminderMinutes }),
    recurrence: a.recurrence ? toGraphRecurrence(a.recurrence.rule, a.start, start.timeZone) : null,
    singleValueExtendedProperties: props,
  };
}

/** The PATCH that makes an occurrence carry an override's fields (the rest as the master has them). */
export function overrideToPatch(a: Activity, o: OccurrenceOverride, inviteAttendees = true): Record<string, unknown> {
  const f = { ...o.fields };
  if (!inviteAttendees && f.attendees && stableStringify(f.attendees) !== stableStringify(a.attendees))
    throw new GraphMappingError(
      `an occurrence of "${a.subject}" has attendees of its own, which Outlook would invite ("send update to attendees" is off)`,
    );
  return {
    subject: f.subject ?? a.subject,
    ...(f.start && { start: writeTime(f.start) }),
    ...(f.end && { end: writeTime(f.end) }),
    location: { displayName: f.location ?? a.location ?? '' },
    body: (f.body ?? a.body)?.html
      ? { contentType: 'html', content: (f.body ?? a.body)!.html }
      : { contentType: 'text', content: (f.body ?? a.body)?.text ?? '' },
    showAs: f.showAs ?? a.showAs,
    ...(inviteAttendees && { attendees: writeAttendees(f.attendees ?? a.attendees) }),
    isReminderOn: (f.reminderMinutes ?? a.reminderMinutes) !== undefined,
    ...((f.reminderMinutes ?? a.reminderMinutes) !== undefined && {
      reminderMinutesBeforeStart: f.reminderMinutes ?? a.reminderMinutes,
    }),
  };
}
