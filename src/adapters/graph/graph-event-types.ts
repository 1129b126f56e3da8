/**
 * The Graph event resource as the Outlook adapter reads and writes it
 * (https://learn.microsoft.com/graph/api/resources/event), the add-in's extended properties
 * (https://learn.microsoft.com/graph/api/resources/singlevaluelegacyextendedproperty) and the unit
 * of a series the sync works with.
 */
import type { Activity } from '../../core/model/item.js';
import type { GraphRecurrence } from './recurrence-mapping.js';

/** The add-in's property set for its extended properties. */
const SET = '{8f0c3a52-6d1e-4b7f-a0c9-2e5b7d41c963}';
export const PROP = {
  key: `String ${SET} Name CrmSyncKey`,
  activityId: `String ${SET} Name CrmActivityId`,
  uid: `String ${SET} Name CrmUid`,
  context: `String ${SET} Name CrmContext`,
  zones: `String ${SET} Name CrmTimeZones`,
  /** The attendees of an event written without inviting them ("send update to attendees" off). */
  attendees: `String ${SET} Name CrmAttendees`,
  /** The rule the add-in wrote for a series, so that a pattern read back unchanged is that rule. */
  rule: `String ${SET} Name CrmRule`,
  /** The end of a series the add-in capped (Recurrence.cap), as it wrote it. */
  cap: `String ${SET} Name CrmCap`,
} as const;
/** PS_PUBLIC_STRINGS, where Outlook keeps an add-in's custom properties. */
export const customPropertiesId = (addinId: string) =>
  `String {00020329-0000-0000-C000-000000000046} Name cecp-${addinId.toLowerCase()}`;

export interface DateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}
interface EmailAddress {
  name?: string;
  address?: string;
}
export interface GraphAttendee {
  type?: 'required' | 'optional' | 'resource';
  status?: { response?: string; time?: string };
  emailAddress?: EmailAddress;
}
export interface GraphExtendedProperty {
  id: string;
  value: string;
}
export interface GraphEvent {
  id: string;
  changeKey?: string;
  iCalUId?: string;
  type?: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  seriesMasterId?: string | null;
  originalStart?: string | null;
  subject?: string | null;
  body?: { contentType?: 'text' | 'html'; content?: string } | null;
  start?: DateTimeTimeZone;
  end?: DateTimeTimeZone;
  originalStartTimeZone?: string | null;
  originalEndTimeZone?: string | null;
  isAllDay?: boolean;
  location?: { displayName?: string | null } | null;
  attendees?: GraphAttendee[];
  organizer?: { emailAddress?: EmailAddress } | null;
  isOrganizer?: boolean;
  showAs?: Activity['showAs'];
  sensitivity?: Activity['sensitivity'];
  importance?: Activity['importance'];
  categories?: string[];
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  recurrence?: GraphRecurrence | null;
  lastModifiedDateTime?: string;
  singleValueExtendedProperties?: GraphExtendedProperty[];
  transactionId?: string;
  '@removed'?: { reason?: string };
}

/** A series or single event as one unit of the sync. */
export interface EventUnit {
  readonly event: GraphEvent;
  readonly exceptions: readonly GraphEvent[];
  /** Original starts (UTC ISO) of cancelled occurrences. */
  readonly cancelled: readonly string[];
}
