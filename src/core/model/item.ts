/**
 * The canonical model both sides are normalised to (DESIGN.md §4): a business activity (Outlook event
 * or meeting ⇄ VEVENT) or a task (To Do task ⇄ VTODO). Values are plain data so that they hash,
 * compare and serialise the same in Node and in the browser.
 */
import type { CrmContext } from './crm-context.js';

/** A wall-clock time in an IANA zone; `timeZone: null` is floating time (RFC 5545 §3.3.5 form 1). */
export interface ZonedDateTime {
  /** `YYYY-MM-DDTHH:mm:ss` in `timeZone`. */
  readonly dateTime: string;
  readonly timeZone: string | null;
}
/** An all-day date (`VALUE=DATE`, Graph `isAllDay`). */
export interface AllDayDate {
  /** `YYYY-MM-DD`. */
  readonly date: string;
}
export type TimeValue = ZonedDateTime | AllDayDate;

export const isAllDay = (t: TimeValue): t is AllDayDate => 'date' in t;

export type Sensitivity = 'normal' | 'personal' | 'private' | 'confidential';
export type ShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
export type Importance = 'low' | 'normal' | 'high';
export type AttendeeRole = 'required' | 'optional' | 'resource';
export type AttendeeResponse = 'none' | 'accepted' | 'tentative' | 'declined' | 'needsAction';
export type TaskStatus = 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';

export interface Person {
  readonly email: string;
  readonly name?: string;
}
export interface Attendee extends Person {
  readonly role: AttendeeRole;
  readonly response: AttendeeResponse;
}

export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';

/** A recurrence rule, the RFC 5545 RRULE subset that Graph's patternedRecurrence can express too. */
export interface RecurrenceRule {
  readonly freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  readonly interval: number;
  readonly count?: number;
  /** Last occurrence (inclusive), same form as the series start. */
  readonly until?: TimeValue;
  readonly byDay?: readonly { readonly day: Weekday; readonly ordinal?: number }[];
  readonly byMonthDay?: readonly number[];
  readonly byMonth?: readonly number[];
  readonly bySetPos?: readonly number[];
  readonly weekStart?: Weekday;
}

/** The fields of one occurrence that an override may change. */
export type OccurrenceFields = Pick<
  ActivityFields,
  'subject' | 'start' | 'end' | 'location' | 'body' | 'showAs' | 'attendees' | 'reminderMinutes'
>;

/** A moved or changed occurrence (RECURRENCE-ID override, Graph exception). */
export interface OccurrenceOverride {
  /** The original start of the occurrence it replaces. */
  readonly recurrenceId: TimeValue;
  readonly fields: Partial<OccurrenceFields>;
}

/** A series as one sync unit: rule, extra and cancelled dates, overrides (DESIGN.md rule 6). */
export interface Recurrence {
  readonly rule: RecurrenceRule;
  /** Cancelled occurrences (EXDATE, Graph cancelled occurrences), by original start. */
  readonly exceptionDates: readonly TimeValue[];
  /** Extra occurrences (RDATE). */
  readonly extraDates: readonly TimeValue[];
  readonly overrides: readonly OccurrenceOverride[];
  /**
   * On a copy the sync capped (an infinite series written for N years, seed: Series / Private): the
   * end it wrote. While `rule.until` is still this, the end is the sync's cap, not the user's — the
   * copy says so itself, whatever a device's status remembers (issue 13; adapters keep it in an
   * extended property, an X-property, the To Do extension). An end the user changed no longer matches.
   */
  readonly cap?: TimeValue;
}

interface CommonFields {
  readonly subject: string;
  readonly body?: { readonly text: string; readonly html?: string };
  readonly sensitivity: Sensitivity;
  readonly categories: readonly string[];
  readonly reminderMinutes?: number;
  readonly importance: Importance;
  readonly crm?: CrmContext;
  /**
   * Properties the model does not know, preserved untouched for the round trip: raw content lines for
   * iCalendar (`X-FOO;A=1:bar`), JSON for Graph. Keyed by origin so neither side reads the other's.
   */
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export interface ActivityFields extends CommonFields {
  readonly start: TimeValue;
  readonly end: TimeValue;
  readonly location?: string;
  readonly organizer?: Person;
  readonly attendees: readonly Attendee[];
  readonly showAs: ShowAs;
  readonly recurrence?: Recurrence;
}

export interface TaskFields extends CommonFields {
  readonly status: TaskStatus;
  readonly percentComplete: number;
  readonly start?: TimeValue;
  readonly due?: TimeValue;
  readonly completed?: TimeValue;
  readonly recurrence?: Recurrence;
}

export interface Activity extends ActivityFields {
  readonly kind: 'activity';
  /** iCalendar UID; for Graph the iCalUId. */
  readonly uid: string;
}
export interface Task extends TaskFields {
  readonly kind: 'task';
  readonly uid: string;
}
export type Item = Activity | Task;

/** Private items are skipped unless the profile says otherwise (seed, Series / Private tab). */
export const isPrivate = (item: Item): boolean => item.sensitivity === 'private' || item.sensitivity === 'confidential';
