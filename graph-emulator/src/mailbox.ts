/**
 * One emulated mailbox: calendars with events (series with exceptions and cancelled occurrences), To Do
 * lists with tasks, a change sequence for delta queries, and transactionId de-duplication. Every
 * behaviour cites the Graph page it follows; the HTTP side is in server.ts.
 *
 * (About 480 lines: the mailbox's state and the rules Graph applies to it — ids, change keys, series
 * expansion, exceptions, To Do — are one model; issue 17's emulator work will split events and tasks.)
 */
import { randomUUID } from 'node:crypto';
import { toWallClock, zonedInstant } from '@crm-sync/common/wall-clock';
import { ianaZone as knownIana } from '@crm-sync/common/zone-names';
import { occurrenceDates, type GraphRecurrence } from './recurrence.js';

export type Json = Record<string, unknown>;

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}

interface Exception {
  id: string;
  changeKey: string;
  fields: Json;
}

export interface EmulatedEvent {
  id: string;
  calendarId: string;
  changeKey: string;
  seq: number;
  created: string;
  modified: string;
  /** Graph fields as last written (subject, start, end, recurrence, singleValueExtendedProperties, …). */
  fields: Json;
  /** Exceptions by original start (UTC ISO). */
  exceptions: Record<string, Exception>;
  /** Cancelled occurrences by original start (UTC ISO). */
  cancelled: string[];
}

export interface EmulatedTask {
  id: string;
  listId: string;
  seq: number;
  fields: Json;
  created: string;
  modified: string;
}

export interface MailboxState {
  seq: number;
  /** Delta tokens issued before this sequence answer 410 (emulating an expired sync state). */
  expiredBefore: number;
  calendars: { id: string; name: string; isDefaultCalendar: boolean }[];
  events: Record<string, EmulatedEvent>;
  /** Ids that disappeared (deleted events, cancelled or vanished occurrences), with their sequence. */
  tombstones: { id: string; parent: string; seq: number }[];
  /** transactionId → event id (https://learn.microsoft.com/graph/api/resources/event, transactionId). */
  transactions: Record<string, string>;
  todoLists: { id: string; displayName: string; wellknownListName: string }[];
  tasks: Record<string, EmulatedTask>;
  taskTombstones: { id: string; listId: string; seq: number }[];
  /** Meeting mail Graph would have sent on the user's behalf (absent in state files of older emulators). */
  sent?: SentMail[];
}

/** A meeting message the emulator records instead of sending. */
export interface SentMail {
  readonly kind: 'invitation' | 'update' | 'cancellation';
  readonly eventId: string;
  readonly to: readonly string[];
}

/**
 * Fields of an event that are the organizer's own: the emulator sends no meeting update for a PATCH
 * that changes only these (Outlook's behaviour; the Graph pages do not list them).
 */
const PERSONAL = new Set(['categories', 'isReminderOn', 'reminderMinutesBeforeStart', 'singleValueExtendedProperties']);
const addresses = (list: unknown): string[] =>
  Array.isArray(list)
    ? list
        .map((a) => (a as { emailAddress?: { address?: string } }).emailAddress?.address ?? '')
        .filter((x) => x)
        .map((x) => x.toLowerCase())
    : [];

/** The horizon the emulator expands series to when no window bounds them. */
const HORIZON_YEARS = 6;

const newId = () => randomUUID().replace(/-/g, '');
const changeKey = () => Buffer.from(randomUUID()).toString('base64').slice(0, 24);

/** IANA name of a Graph time zone (Windows or IANA names are both accepted by Graph); 400 for others. */
export function ianaOf(zone: string): string {
  const iana = knownIana(zone);
  if (iana) return iana;
  throw new GraphError(400, 'TimeZoneNotSupportedException', `A valid TimeZone value must be specified: ${zone}`);
}

/** The instant of a Graph dateTimeTimeZone. */
export function instantOf(t: DateTimeTimeZone): number {
  if (!t || typeof t.dateTime !== 'string' || typeof t.timeZone !== 'string')
    throw new GraphError(400, 'ErrorInvalidRequest', 'start and end need dateTime and timeZone');
  const wall = t.dateTime.slice(0, 19);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(wall))
    throw new GraphError(400, 'ErrorInvalidRequest', `"${t.dateTime}" is not a dateTime`);
  return zonedInstant(wall, ianaOf(t.timeZone));
}

/**
 * A dateTimeTimeZone in the zone the client asked for with `Prefer: outlook.timezone`, UTC by default
 * (https://learn.microsoft.com/graph/api/event-get, "Prefer: outlook.timezone").
 */
export function inZone(ms: number, zone: string): DateTimeTimeZone {
  return { dateTime: `${toWallClock(ms, ianaOf(zone))}.0000000`, timeZone: zone };
}

export function newMailbox(): MailboxState {
  return {
    seq: 0,
    expiredBefore: 0,
    calendars: [{ id: newId(), name: 'Calendar', isDefaultCalendar: true }],
    events: {},
    tombstones: [],
    transactions: {},
    // Every mailbox has the default "Tasks" list (https://learn.microsoft.com/graph/api/resources/todotasklist).
    todoLists: [{ id: newId(), displayName: 'Tasks', wellknownListName: 'defaultList' }],
    tasks: {},
    taskTombstones: [],
  };
}

/** One instance of a calendar view: a single event, an occurrence or an exception of a series. */
export interface Instance {
  id: string;
  type: 'singleInstance' | 'occurrence' | 'exception';
  event: EmulatedEvent;
  start: number;
  end: number;
  originalStart?: string;
  exception?: Exception;
}

const occurrenceId = (masterId: string, originalStart: string) =>
  `${masterId}_${originalStart.replace(/[-:.]/g, '').slice(0, 15)}`;

/** A change of an event or task, for change notifications (subscriptions.ts). */
export interface ItemChange {
  readonly kind: 'event' | 'task';
  readonly changeType: 'created' | 'updated' | 'deleted';
  readonly id: string;
  /** The event's calendar or the task's list. */
  readonly container: string;
  readonly etag?: string;
}

export class Mailbox {
  /** Told of every change of an event or task (the server's change notifications). */
  onChange?: (change: ItemChange) => void;

  constructor(readonly state: MailboxState) {}

  private changed(
    kind: ItemChange['kind'],
    changeType: ItemChange['changeType'],
    item: { id: string; calendarId?: string; listId?: string; changeKey?: string; seq: number },
  ): void {
    const container = item.calendarId ?? item.listId ?? '';
    this.onChange?.({ kind, changeType, id: item.id, container, etag: item.changeKey ?? String(item.seq) });
  }

  private mail(kind: SentMail['kind'], eventId: string, to: string[]): void {
    if (!to.length) return;
    (this.state.sent ??= []).push({ kind, eventId, to });
  }

  private bump(): number {
    return ++this.state.seq;
  }

  calendar(id: string) {
    const c = this.state.calendars.find((x) => x.id === id);
    if (!c) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return c;
  }

  addCalendar(name: string) {
    if (!name) throw new GraphError(400, 'ErrorInvalidRequest', 'a calendar needs a name');
    const c = { id: newId(), name, isDefaultCalendar: false };
    this.state.calendars.push(c);
    return c;
  }

  /** The event or the series master that `id` names (an occurrence or exception id names its master). */
  find(id: string): { event: EmulatedEvent; originalStart?: string } {
    const direct = this.state.events[id];
    if (direct) return { event: direct };
    const m = /^(.+)_(\d{8}T\d{6})$/.exec(id);
    const master = m && this.state.events[m[1]!];
    if (master) {
      const originalStart = this.instances(master, -Infinity, Infinity).find((i) => i.id === id)?.originalStart;
      if (originalStart) return { event: master, originalStart };
    }
    throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  }

  /** The instances of an event that overlap [from, to) (a calendarView; series expanded). */
  instances(event: EmulatedEvent, from: number, to: number): Instance[] {
    const f = event.fields;
    const start = instantOf(f.start as DateTimeTimeZone);
    const end = instantOf(f.end as DateTimeTimeZone);
    const overlaps = (s: number, e: number) => s < to && (e > from || (e === s && s >= from));
    const recurrence = f.recurrence as GraphRecurrence | undefined | null;
    if (!recurrence) return overlaps(start, end) ? [{ id: event.id, type: 'singleInstance', event, start, end }] : [];
    const zone = ianaOf((f.start as DateTimeTimeZone).timeZone);
    const wallTime = toWallClock(start, zone).slice(10);
    const horizonMs = Number.isFinite(to) ? to : Date.now() + HORIZON_YEARS * 366 * 86_400_000;
    const horizon = new Date(horizonMs + 86_400_000).toISOString().slice(0, 10);
    const out: Instance[] = [];
    for (const date of occurrenceDates(recurrence, horizon)) {
      const os = zonedInstant(`${date}${wallTime}`, zone);
      const originalStart = new Date(os).toISOString();
      if (event.cancelled.includes(originalStart)) continue;
      const exception = event.exceptions[originalStart];
      const s = exception?.fields.start ? instantOf(exception.fields.start as DateTimeTimeZone) : os;
      const e = exception?.fields.end ? instantOf(exception.fields.end as DateTimeTimeZone) : os + (end - start);
      if (!overlaps(s, e)) continue;
      out.push({
        id: exception?.id ?? occurrenceId(event.id, originalStart),
        type: exception ? 'exception' : 'occurrence',
        event,
        start: s,
        end: e,
        originalStart,
        ...(exception && { exception }),
      });
    }
    return out;
  }

  /** Instance ids of an event over the emulator's horizon (to find what an edit made disappear). */
  private allIds(event: EmulatedEvent): Set<string> {
    return new Set(this.instances(event, -Infinity, Infinity).map((i) => i.id));
  }

  private touched(event: EmulatedEvent, before: Set<string>): void {
    event.seq = this.bump();
    event.changeKey = changeKey();
    event.modified = new Date().toISOString();
    const after = this.allIds(event);
    for (const id of before) if (!after.has(id)) this.state.tombstones.push({ id, parent: event.id, seq: event.seq });
  }

  /**
   * Creates an event. A transactionId seen before returns the event it created
   * (https://learn.microsoft.com/graph/api/resources/event: "transactionId … to avoid redundant POST
   * operations in case of client retries to create the same event").
   */
  createEvent(calendarId: string, body: Json): EmulatedEvent {
    this.calendar(calendarId);
    const tid = typeof body.transactionId === 'string' ? body.transactionId : undefined;
    const known = tid ? this.state.events[this.state.transactions[tid] ?? ''] : undefined;
    if (known) return known;
    if (!body.start || !body.end) throw new GraphError(400, 'ErrorInvalidRequest', 'an event needs start and end');
    instantOf(body.start as DateTimeTimeZone);
    instantOf(body.end as DateTimeTimeZone);
    const now = new Date().toISOString();
    const id = newId();
    const event: EmulatedEvent = {
      id,
      calendarId,
      changeKey: changeKey(),
      seq: this.bump(),
      created: now,
      modified: now,
      fields: {
        iCalUId: `040000008200E00074C5B7101A82E008${id.toUpperCase()}`,
        ...body,
        // https://learn.microsoft.com/graph/api/resources/event: originalStartTimeZone is "the start time
        // zone that was set when the event was created".
        originalStartTimeZone: (body.start as DateTimeTimeZone).timeZone,
        originalEndTimeZone: (body.end as DateTimeTimeZone).timeZone,
      },
      exceptions: {},
      cancelled: [],
    };
    if (event.fields.recurrence) this.instances(event, 0, 1); // validates the pattern
    this.state.events[id] = event;
    if (tid) this.state.transactions[tid] = id;
    // https://learn.microsoft.com/graph/api/user-post-events: "When an event is sent, the server sends
    // invitations to all attendees."
    this.mail('invitation', id, addresses(event.fields.attendees));
    this.changed('event', 'created', event);
    return event;
  }

  /** PATCH of an event, series master, occurrence or exception. */
  updateEvent(id: string, body: Json): EmulatedEvent {
    const { event, originalStart } = this.find(id);
    const before = this.allIds(event);
    // https://learn.microsoft.com/graph/api/event-update: the organizer's update of a meeting goes to
    // its attendees; "an event update that includes only the attendees property in the request body
    // sends a meeting update to only the attendees that have changed".
    if (event.fields.isOrganizer !== false && Object.keys(body).some((k) => !PERSONAL.has(k))) {
      const had = addresses(
        (originalStart ? event.exceptions[originalStart]?.fields.attendees : undefined) ?? event.fields.attendees,
      );
      const keys = Object.keys(body).filter((k) => !PERSONAL.has(k));
      if (keys.length === 1 && keys[0] === 'attendees') {
        const now = addresses(body.attendees);
        this.mail(
          'invitation',
          id,
          now.filter((a) => !had.includes(a)),
        );
        this.mail(
          'cancellation',
          id,
          had.filter((a) => !now.includes(a)),
        );
      } else this.mail('update', id, 'attendees' in body ? addresses(body.attendees) : had);
    }
    if (originalStart) {
      // Updating an occurrence makes it an exception with the same id
      // (https://learn.microsoft.com/graph/api/event-update).
      if ('recurrence' in body) throw new GraphError(400, 'ErrorInvalidRequest', 'an occurrence has no recurrence');
      const ex = event.exceptions[originalStart] ?? { id, changeKey: '', fields: {} };
      ex.fields = { ...ex.fields, ...body };
      ex.changeKey = changeKey();
      event.exceptions[originalStart] = ex;
    } else {
      const next = { ...event.fields, ...body };
      // A PATCH with singleValueExtendedProperties creates or updates the properties it names and keeps
      // the others (https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties).
      if (Array.isArray(body.singleValueExtendedProperties)) {
        const merged = new Map<string, unknown>();
        for (const p of [
          ...((event.fields.singleValueExtendedProperties as { id: string }[] | undefined) ?? []),
          ...(body.singleValueExtendedProperties as { id: string }[]),
        ])
          merged.set(p.id.toLowerCase(), p);
        next.singleValueExtendedProperties = [...merged.values()];
      }
      if ('start' in body) next.originalStartTimeZone = (body.start as DateTimeTimeZone).timeZone;
      if ('end' in body) next.originalEndTimeZone = (body.end as DateTimeTimeZone).timeZone;
      instantOf(next.start as DateTimeTimeZone);
      instantOf(next.end as DateTimeTimeZone);
      const patternChanged =
        'recurrence' in body && JSON.stringify(body.recurrence) !== JSON.stringify(event.fields.recurrence);
      event.fields = next;
      // A changed pattern drops the exceptions and cancellations, as Outlook does.
      if (patternChanged) {
        event.exceptions = {};
        event.cancelled = [];
      }
      if (event.fields.recurrence) this.instances(event, 0, 1);
    }
    this.touched(event, before);
    this.changed('event', 'updated', event);
    return event;
  }

  /** DELETE of an event or series (all its instances), or of one occurrence (it is cancelled). */
  deleteEvent(id: string): void {
    const { event, originalStart } = this.find(id);
    const before = this.allIds(event);
    // https://learn.microsoft.com/graph/api/event-delete: "If the event is a meeting, deleting the event
    // on the organizer's calendar sends a cancellation message to the meeting attendees."
    if (event.fields.isOrganizer !== false)
      this.mail(
        'cancellation',
        id,
        addresses(
          (originalStart ? event.exceptions[originalStart]?.fields.attendees : undefined) ?? event.fields.attendees,
        ),
      );
    if (originalStart) {
      event.cancelled.push(originalStart);
      delete event.exceptions[originalStart];
      this.touched(event, before);
      this.changed('event', 'updated', event);
      return;
    }
    delete this.state.events[event.id];
    const seq = this.bump();
    for (const i of before) this.state.tombstones.push({ id: i, parent: event.id, seq });
    if (!before.has(event.id)) this.state.tombstones.push({ id: event.id, parent: event.id, seq });
    this.changed('event', 'deleted', event);
  }

  /**
   * Test control, not Graph: the event gets a new id. Our adapters ask for immutable ids, which
   * survive a move between calendars but change when "the user exports the item (to a PST, as an MSG
   * file, etc.) and re-imports it into their mailbox" or moves it to an archive mailbox and back
   * (https://learn.microsoft.com/graph/outlook-immutable-id, "Lifetime of immutable IDs"); that is what
   * this does. Its fields, extended properties, exceptions and cancellations stay with it. Delta
   * readers see the old id removed and the new one created.
   */
  renumberEvent(id: string): string {
    const event = this.state.events[id];
    if (!event) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    const before = this.allIds(event);
    delete this.state.events[id];
    const gone = this.bump();
    for (const i of before) this.state.tombstones.push({ id: i, parent: id, seq: gone });
    if (!before.has(id)) this.state.tombstones.push({ id, parent: id, seq: gone });
    const next = newId();
    const exceptions = Object.fromEntries(
      Object.entries(event.exceptions).map(([at, x]) => [at, { ...x, id: occurrenceId(next, at) }]),
    );
    this.state.events[next] = { ...event, id: next, seq: this.bump(), changeKey: changeKey(), exceptions };
    for (const [tid, target] of Object.entries(this.state.transactions))
      if (target === id) this.state.transactions[tid] = next;
    this.changed('event', 'deleted', event);
    this.changed('event', 'created', this.state.events[next]);
    return next;
  }

  /** The change key of what `id` names (an exception has its own). */
  changeKeyOf(id: string): string {
    const { event, originalStart } = this.find(id);
    return originalStart ? (event.exceptions[originalStart]?.changeKey ?? event.changeKey) : event.changeKey;
  }

  // --- To Do ---------------------------------------------------------------------------------------

  list(id: string) {
    const l = this.state.todoLists.find((x) => x.id === id);
    if (!l) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return l;
  }

  addList(displayName: string) {
    if (!displayName) throw new GraphError(400, 'invalidRequest', 'a list needs a displayName');
    const l = { id: newId(), displayName, wellknownListName: 'none' };
    this.state.todoLists.push(l);
    return l;
  }

  task(listId: string, id: string): EmulatedTask {
    const t = this.state.tasks[id];
    if (!t || t.listId !== listId)
      throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return t;
  }

  createTask(listId: string, body: Json): EmulatedTask {
    this.list(listId);
    if (typeof body.title !== 'string') throw new GraphError(400, 'invalidRequest', 'a task needs a title');
    const now = new Date().toISOString();
    const linkedResources = ((body.linkedResources as Json[] | undefined) ?? []).map((r) => ({ id: newId(), ...r }));
    const t: EmulatedTask = {
      id: newId(),
      listId,
      seq: this.bump(),
      created: now,
      modified: now,
      fields: {
        status: 'notStarted',
        importance: 'normal',
        ...body,
        linkedResources,
        // Open extensions created with the task (https://learn.microsoft.com/graph/api/opentypeextension-post-opentypeextension).
        extensions: ((body.extensions as Json[] | undefined) ?? []).map((e) => ({
          ...e,
          id: `microsoft.graph.openTypeExtension.${String(e.extensionName)}`,
        })),
      },
    };
    this.state.tasks[t.id] = t;
    this.changed('task', 'created', t);
    return t;
  }

  updateTask(listId: string, id: string, body: Json): EmulatedTask {
    const t = this.task(listId, id);
    const next = { ...t.fields, ...body };
    if (body.linkedResources)
      next.linkedResources = (body.linkedResources as Json[]).map((r) => ({ id: newId(), ...r }));
    // https://learn.microsoft.com/graph/api/resources/todotask: completedDateTime is set when the status
    // becomes completed.
    if (body.status === 'completed' && !next.completedDateTime)
      next.completedDateTime = { dateTime: new Date().toISOString().slice(0, 19) + '.0000000', timeZone: 'UTC' };
    if (body.status && body.status !== 'completed' && !('completedDateTime' in body)) delete next.completedDateTime;
    t.fields = next;
    t.seq = this.bump();
    t.modified = new Date().toISOString();
    this.changed('task', 'updated', t);
    return t;
  }

  /** Test control, not Graph: the task exported and imported again (a new id, as renumberEvent). */
  renumberTask(listId: string, id: string): string {
    const t = this.task(listId, id);
    delete this.state.tasks[id];
    this.state.taskTombstones.push({ id, listId, seq: this.bump() });
    const next = newId();
    this.state.tasks[next] = { ...t, id: next, seq: this.bump() };
    this.changed('task', 'deleted', t);
    this.changed('task', 'created', this.state.tasks[next]);
    return next;
  }

  deleteTask(listId: string, id: string): void {
    const t = this.task(listId, id);
    delete this.state.tasks[id];
    this.state.taskTombstones.push({ id, listId, seq: this.bump() });
    this.changed('task', 'deleted', t);
  }
}
