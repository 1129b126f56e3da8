/**
 * The store port over Microsoft Graph for one Outlook calendar (business activities). Ids are event ids
 * (immutable: `Prefer: IdType="ImmutableId"`, https://learn.microsoft.com/graph/outlook-immutable-id);
 * a series is one item under its master's id.
 * - Reads: `calendarView/delta` over the sync period, paged (`odata.maxpagesize`), following nextLink
 *   to the deltaLink (https://learn.microsoft.com/graph/delta-query-events). Delta returns instances,
 *   not masters, and no extended properties: the changed units are then fetched by id with their
 *   extended properties, and for a series its exceptions (`/instances`), in $batch of 20. The
 *   occurrence → master map goes into the token, so that a cancelled occurrence (`@removed`) marks its
 *   series changed. 410 Gone → a full read (the engine matches instead of duplicating).
 * - Versions: the change key of a single event; for a series a hash over the master's and the
 *   exceptions' change keys and the cancelled occurrences.
 * - Writes: creation looks for an item carrying the key first (extended properties), then POSTs with a
 *   `transactionId` derived from the key, so a retry after a crash creates nothing twice; updates and
 *   deletions check the version, then send `If-Match` with the change key (412 → PreconditionFailed).
 *   Exceptions are PATCHes of instances, cancelled occurrences DELETEs of instances (event-occurrences.ts).
 *
 * (Over 350 lines: one class implements the store port — reads, versions and guarded writes share the
 * unit cache, the window and the request options; the mapping and the occurrence writes live apart.)
 */
import { PreconditionFailedError, SyncError } from '../../core/errors.js';
import { hash64, sameSharedContent, stableStringify } from '../../core/model/content-hash.js';
import type { Activity, Item } from '../../core/model/item.js';
import type { SyncWindow } from '../../core/model/time.js';
import type { ChangeSet, StoredItem, StorePort, UnreadableItem, WriteResult } from '../../core/ports/store.js';
import { anchorFloating, isFloating, cancelledOccurrences, eventToActivity } from './event-mapping.js';
import { PROP, type EventUnit, type GraphEvent } from './graph-event-types.js';
import { activityToEvent, PERSONAL_FIELDS } from './event-write.js';
import type { BatchRequest, GraphHttp } from './graph-http.js';
import { GraphMappingError } from './recurrence-mapping.js';
import { applyOccurrences, DAY, HEADERS, iso, LIST_HEADERS } from './event-occurrences.js';
import { KeyLookup } from './key-lookup.js';

/** A write that would mail a meeting's attendees while "send update to attendees" is off. */
export class AttendeeUpdateRefused extends GraphMappingError {
  constructor(subject: string, attendees: number, what: 'changing' | 'deleting') {
    super(
      `"${subject}" was not ${what === 'changing' ? 'changed' : 'deleted'} in Outlook: it is a meeting you organize ` +
        `with ${attendees} attendee${attendees === 1 ? '' : 's'}, and ${what} it would send them ` +
        `${what === 'changing' ? 'an update' : 'a cancellation'}, while "Send update to attendees" is off ` +
        `(Miscellaneous tab). Make the change in Outlook, or turn the setting on.`,
    );
    this.name = 'AttendeeUpdateRefused';
  }
}

/** An Outlook meeting the user organizes: Graph mails its attendees on every change. */
const meetingAttendees = (e: GraphEvent | undefined) => (e && e.isOrganizer !== false ? (e.attendees?.length ?? 0) : 0);

export interface GraphEventStoreOptions {
  /** The add-in's manifest id, for the custom properties the SAP CRM pane reads. */
  readonly addinId?: string;
  /** Events per delta page (default 100). */
  readonly pageSize?: number;
  /**
   * The profile's "send update to attendees" (default off). Graph mails attendees whenever the
   * organizer creates, changes or deletes a meeting, and has no switch to keep quiet. Off: attendees
   * of events the sync creates are kept in an extended property instead of being invited; a meeting
   * the user organizes gets only its personal fields (categories, reminder, CRM data) written, and a
   * change or deletion that attendees would be told of is refused with an AttendeeUpdateRefused
   * error (the error log says what to do). On: writes go through as they are, and Graph mails.
   */
  readonly notifyAttendees?: boolean;
  /**
   * The user's own time zone (IANA), where floating times (no zone: the same wall clock wherever the
   * user is) are shown: a CRM meeting at 09:00 floating is at 09:00 in Outlook (issue 13, point 7).
   * An event keeps the zone it was written in, so a change of zone moves nothing. Default UTC.
   */
  readonly floatingZone?: string;
  readonly clock?: () => number;
}

interface Token {
  /** The deltaLink. */
  d: string;
  /** Occurrence and exception ids seen in the view → their series master. */
  o: Record<string, string>;
}

/** `$expand` of the extended properties `ids` (a read gives only those asked for). */
const expandOf = (ids: readonly string[]) =>
  `$expand=singleValueExtendedProperties($filter=${ids.map((id) => `id eq '${id}'`).join(' or ')})`;
const EXPAND = expandOf(Object.values(PROP));
/** The extended properties a read with EXPAND gives, lower case. */
const READ_PROPS = new Set(Object.values(PROP).map((p) => p.toLowerCase()));
const quote = (s: string) => s.replace(/'/g, "''");

/** Creations per run whose key is looked up one by one before the whole calendar is listed once. */
export const KEY_LOOKUPS_ONE_BY_ONE = 3;
/** Events per page of that listing. */
const INDEX_PAGE = 500;

export class GraphEventStore implements StorePort {
  readonly side = 'outlook' as const;
  readonly kind = 'activity' as const;
  private window: SyncWindow | undefined;
  /** Where a creation's key is (the first few looked up one by one, then one listing of the calendar). */
  private readonly keys = new KeyLookup(
    KEY_LOOKUPS_ONE_BY_ONE,
    (key) => this.findByKey(key),
    () => this.indexKeys(),
  );

  constructor(
    private readonly http: GraphHttp,
    readonly calendarId: string,
    private readonly options: GraphEventStoreOptions = {},
  ) {}

  stats() {
    return this.http.stats();
  }

  get folder(): string {
    return this.calendarId;
  }

  /** `/me/events/{id}` reaches an event in any calendar of the mailbox (used for copies left behind). */
  readonly readsAnyFolder = true;

  /**
   * An event with Outlook attendees cannot be moved to another calendar: Graph v1.0 has no move for
   * events, and a copy plus a deletion would send the attendees a new invitation and a cancellation
   * (organizer), or turn an invitation into a meeting of the user's own (attendee).
   */
  cannotMove(raw: unknown): string | undefined {
    const n = (raw as GraphEvent | undefined)?.attendees?.length ?? 0;
    return n
      ? `a meeting with ${n} attendee${n === 1 ? '' : 's'}: moving it would send them a cancellation and a new invitation`
      : undefined;
  }

  private get invite(): boolean {
    return this.options.notifyAttendees === true;
  }

  private writeOptions(item: Activity, key?: string) {
    return {
      ...(key && { key }),
      ...(this.options.addinId && { addinId: this.options.addinId }),
      inviteAttendees: this.invite,
      floating: isFloating(item),
    };
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /**
   * The range a series' exceptions and cancellations are read in: from a year before the period to
   * where the run says a series' occurrences matter (`seriesTo`: the infinite-series cap), so that a
   * cancellation beyond the period crosses with its series like one in it.
   */
  private seriesRange(): [number, number] {
    const w = this.window ?? { from: this.now() - 365 * DAY, to: this.now() + 2 * 365 * DAY };
    return [w.from - 365 * DAY, Math.max(w.to, w.seriesTo ?? w.to)];
  }

  // --- reading ----------------------------------------------------------------------------------------

  /** Fetches units by id: event + extended properties, and for a series its exceptions and cancellations. */
  private async units(ids: readonly string[]): Promise<Map<string, EventUnit | { error: string }>> {
    const out = new Map<string, EventUnit | { error: string }>();
    // (Through the queue: the reads of a chunk's writes share their $batch.)
    const gets = await this.http.batchQueued(
      ids.map((id) => ({ method: 'GET', url: `/me/events/${encodeURIComponent(id)}?${EXPAND}`, headers: HEADERS })),
    );
    const [from, to] = this.seriesRange();
    const masters: GraphEvent[] = [];
    gets.forEach((r, i) => {
      if (r.status === 404) return;
      if (r.status >= 400) {
        out.set(ids[i]!, { error: `Graph answered ${r.status} reading the event` });
        return;
      }
      const e = r.body as GraphEvent;
      if (e.recurrence) masters.push(e);
      else out.set(ids[i]!, { event: e, exceptions: [], cancelled: [] });
    });
    const instances = await this.http.batchQueued(
      masters.map((m): BatchRequest => ({
        method: 'GET',
        url: `/me/events/${encodeURIComponent(m.id)}/instances?startDateTime=${iso(from)}&endDateTime=${iso(to)}`,
        headers: LIST_HEADERS,
      })),
    );
    // A series has more occurrences than a page holds: every page is read, or the occurrences on the
    // pages not read would count as cancelled.
    const pages = await Promise.all(
      instances.map((r) =>
        r.status >= 400 ? undefined : this.http.allPages(r.body as { value?: GraphEvent[] }, LIST_HEADERS),
      ),
    );
    masters.forEach((m, i) => {
      const r = instances[i]!;
      const all = pages[i];
      if (!all) {
        out.set(m.id, { error: `Graph answered ${r.status} listing the occurrences of the series` });
        return;
      }
      const list = all.filter((x) => x.originalStart);
      out.set(m.id, {
        event: m,
        exceptions: list.filter((x) => x.type === 'exception'),
        cancelled: cancelledOccurrences(m, list, from, to),
      });
    });
    return out;
  }

  private versionOf(u: EventUnit): string {
    if (!u.event.recurrence) return u.event.changeKey ?? '';
    const parts = [
      u.event.changeKey ?? '',
      ...u.exceptions.map((x) => `${x.originalStart}=${x.changeKey}`).sort(),
      ...[...u.cancelled].sort(),
    ];
    return `S${hash64(parts.join('|'))}`;
  }

  private stored(id: string, u: EventUnit | { error: string }): StoredItem | UnreadableItem {
    if ('error' in u) return { id, version: '', error: u.error };
    try {
      const item = eventToActivity(u);
      return {
        id,
        version: this.versionOf(u),
        item,
        ...(u.event.lastModifiedDateTime && { modifiedAt: Date.parse(u.event.lastModifiedDateTime) }),
        raw: u.event,
      };
    } catch (error) {
      return { id, version: this.versionOf(u), error: error instanceof Error ? error.message : String(error) };
    }
  }

  async getMany(ids: readonly string[]): Promise<ReadonlyMap<string, StoredItem | UnreadableItem>> {
    const units = await this.units(ids);
    const out = new Map<string, StoredItem | UnreadableItem>();
    for (const id of ids) {
      const u = units.get(id);
      if (u) out.set(id, this.stored(id, u));
    }
    return out;
  }

  async changesSince(
    token: string | null,
    window: SyncWindow,
    known?: ReadonlyMap<string, string>,
  ): Promise<ChangeSet> {
    this.window = window;
    let state: Token | undefined;
    try {
      state = token ? (JSON.parse(token) as Token) : undefined;
    } catch {
      state = undefined;
    }
    const prefer = `${HEADERS.Prefer}, odata.maxpagesize=${this.options.pageSize ?? 100}`;
    const start = `/me/calendars/${encodeURIComponent(this.calendarId)}/calendarView/delta?startDateTime=${iso(window.from)}&endDateTime=${iso(window.to)}`;
    const occurrences: Record<string, string> = { ...(state?.o ?? {}) };
    const changedUnits = new Set<string>();
    const removed = new Set<string>();
    // The change key the delta last gave a single event (a series' version covers its occurrences too).
    const singleKeys = new Map<string, string | undefined>();
    const url = await this.http.readDelta<GraphEvent>(state?.d ?? start, prefer, 'activity', (e) => {
      const master = e.seriesMasterId ?? occurrences[e.id];
      if (e['@removed']) {
        if (master) changedUnits.add(master);
        else removed.add(e.id);
        delete occurrences[e.id];
      } else if (e.seriesMasterId) {
        occurrences[e.id] = e.seriesMasterId;
        changedUnits.add(e.seriesMasterId);
      } else {
        changedUnits.add(e.id);
        singleKeys.set(e.id, e.type === 'singleInstance' ? e.changeKey : undefined);
      }
    });
    // An expired delta state: start over with a full read (the engine matches, nothing is duplicated).
    if (url === 'gone') {
      if (!state) throw new SyncError('delta-refused', { kind: 'activity' });
      return this.changesSince(null, window);
    }
    // In an incremental read, a single event at the change key the status holds (the run's own write,
    // read back) is not read again (issue 17: no echo run).
    const unchanged = state
      ? [...changedUnits].filter((id) => {
          const key = singleKeys.get(id);
          return key !== undefined && !removed.has(id) && known?.get(id) === key;
        })
      : [];
    for (const id of unchanged) changedUnits.delete(id);
    const units = await this.units([...changedUnits]);
    const changed: StoredItem[] = [];
    const unreadable: UnreadableItem[] = [];
    for (const id of changedUnits) {
      const u = units.get(id);
      if (!u) {
        removed.add(id); // the series is gone
        continue;
      }
      const s = this.stored(id, u);
      if (!('item' in s)) unreadable.push(s);
      else changed.push(s);
    }
    // Only masters stay in the map whose occurrences were seen.
    const masters = new Set(Object.values(occurrences));
    for (const m of removed)
      if (masters.has(m)) for (const [k, v] of Object.entries(occurrences)) if (v === m) delete occurrences[k];
    return {
      changed,
      removed: [...removed],
      ...(unreadable.length && { unreadable }),
      complete: !state,
      token: JSON.stringify({ d: url, o: occurrences } satisfies Token),
      ...(unchanged.length && { unchanged }),
    };
  }

  // --- writing ----------------------------------------------------------------------------------------

  /** The event at `ifVersion` (as the engine read it just before, or read now), else PreconditionFailed. */
  private async current(id: string, ifVersion: string, read?: StoredItem): Promise<StoredItem | UnreadableItem> {
    const s = read?.id === id && read.raw ? read : (await this.getMany([id])).get(id);
    if (!s || s.version !== ifVersion) throw new PreconditionFailedError('outlook', id, ifVersion);
    return s;
  }

  private writeHeaders(extra: Record<string, string> = {}) {
    return { ...HEADERS, ...extra };
  }

  /** Items carrying `key`: the stored key, or the CRM activity id / original UID it names. */
  async findByKey(key: string): Promise<string | undefined> {
    const filters = [`singleValueExtendedProperties/Any(ep: ep/id eq '${PROP.key}' and ep/value eq '${quote(key)}')`];
    if (key.startsWith('crm:'))
      filters.push(
        `singleValueExtendedProperties/Any(ep: ep/id eq '${PROP.activityId}' and ep/value eq '${quote(key.slice(4))}')`,
      );
    if (key.startsWith('uid:'))
      filters.push(
        `singleValueExtendedProperties/Any(ep: ep/id eq '${PROP.uid}' and ep/value eq '${quote(key.slice(4))}')`,
      );
    const found = await this.http.batch(
      filters.map((f) => ({
        method: 'GET',
        url: `/me/calendars/${encodeURIComponent(this.calendarId)}/events?$filter=${encodeURIComponent(f)}&$select=id`,
        headers: HEADERS,
      })),
    );
    for (const r of found) {
      const hit = r.status < 400 ? (r.body as { value?: { id: string }[] }).value?.[0] : undefined;
      if (hit) return hit.id;
    }
    return undefined;
  }

  /**
   * The calendar's keys from one listing of its events with the three key properties (the whole
   * calendar, not only the period: a copy that left the period is still found).
   */
  private async indexKeys(): Promise<Map<string, string>> {
    const props = [PROP.key, PROP.activityId, PROP.uid];
    const first = await this.http.get<{ value?: GraphEvent[]; '@odata.nextLink'?: string }>(
      `/me/calendars/${encodeURIComponent(this.calendarId)}/events?$select=id&$top=${INDEX_PAGE}` +
        `&${expandOf(props)}`,
      HEADERS,
    );
    const index = new Map<string, string>();
    const byKey: [string, string][] = [];
    for (const e of await this.http.allPages(first, HEADERS)) {
      const value = (id: string) =>
        e.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === id.toLowerCase())?.value;
      const [own, activityId, uid] = props.map(value);
      if (own) byKey.push([own, e.id]);
      if (activityId && !index.has(`crm:${activityId}`)) index.set(`crm:${activityId}`, e.id);
      if (uid && !index.has(`uid:${uid}`)) index.set(`uid:${uid}`, e.id);
    }
    // The stored key comes first, as in findByKey.
    for (const [k, id] of byKey) index.set(k, id);
    return index;
  }

  async create(item: Item, key: string): Promise<WriteResult & { id: string; existing?: boolean }> {
    const floating = this.activity(item);
    const a = this.anchored(floating);
    const existing = await this.keys.where(key);
    if (existing) {
      const s = (await this.getMany([existing])).get(existing);
      if (s) return { id: existing, version: s.version, existing: true, ...('item' in s && { item: s.item }) };
    }
    const body: Partial<GraphEvent> & Record<string, unknown> = {
      ...activityToEvent(a, this.writeOptions(floating, key)),
      // https://learn.microsoft.com/graph/api/resources/event: transactionId lets the server drop a
      // repeated POST of the same event.
      transactionId: `crm-sync-${hash64(`${this.calendarId}|${key}`)}`,
    };
    // Sent in a $batch with the chunk's other creations (GraphHttp.queued).
    const r = await this.http.queued<GraphEvent>({
      method: 'POST',
      url: `/me/calendars/${encodeURIComponent(this.calendarId)}/events`,
      body,
      headers: this.writeHeaders(),
    });
    const id = r.body.id;
    await this.keys.created(key, id);
    if (a.recurrence) {
      await applyOccurrences(this.http, id, a, undefined, this.invite);
      return { id, ...(await this.readBack(id)) };
    }
    // A single event as the answer gives it, with the extended properties sent (the answer does not
    // expand them: https://learn.microsoft.com/graph/api/user-post-events): no read back (issue 17).
    const event: GraphEvent = {
      ...r.body,
      singleValueExtendedProperties: (body.singleValueExtendedProperties ?? []).filter((p) =>
        READ_PROPS.has(p.id.toLowerCase()),
      ),
    };
    const s = this.stored(id, { event, exceptions: [], cancelled: [] });
    if (!('item' in s) || !s.version) return { id, ...(await this.readBack(id)) };
    return { id, version: s.version, item: s.item };
  }

  async update(id: string, item: Item, ifVersion: string, read?: StoredItem): Promise<WriteResult> {
    const floating = this.activity(item);
    const a = this.anchored(floating);
    const found = await this.current(id, ifVersion, read);
    // What Outlook has, in the form written (floating times anchored), to compare with `a`.
    const before =
      'item' in found && found.item.kind === 'activity' ? { ...found, item: this.anchored(found.item) } : found;
    const raw = 'item' in before ? (before.raw as GraphEvent) : undefined;
    let body = activityToEvent(a, this.writeOptions(floating));
    const attendees = meetingAttendees(raw);
    if (!this.invite && attendees) {
      // Only the organizer's own fields may change without mailing the attendees.
      const previous = 'item' in before && before.item.kind === 'activity' ? before.item : undefined;
      const personal = ({ categories: _c, crm: _x, reminderMinutes: _r, ...x }: Activity): Activity => ({
        ...x,
        categories: a.categories,
        ...(a.crm && { crm: a.crm }),
        ...(a.reminderMinutes !== undefined && { reminderMinutes: a.reminderMinutes }),
      });
      if (!previous || !sameSharedContent(personal(previous), a))
        throw new AttendeeUpdateRefused(a.subject, attendees, 'changing');
      body = Object.fromEntries(Object.entries(body).filter(([k]) => PERSONAL_FIELDS.includes(k)));
    }
    const r = await this.http.queued<GraphEvent>(
      {
        method: 'PATCH',
        url: `/me/events/${encodeURIComponent(id)}`,
        body,
        headers: this.writeHeaders(raw?.changeKey ? { 'If-Match': `W/"${raw.changeKey}"` } : {}),
      },
      [404, 412],
    );
    if (r.status === 412 || r.status === 404) throw new PreconditionFailedError('outlook', id, ifVersion);
    // Graph drops a series' exceptions when its pattern or start changes; otherwise they stay to reconcile.
    const patternKept =
      'item' in before &&
      before.item.kind === 'activity' &&
      stableStringify([before.item.recurrence?.rule, before.item.start]) ===
        stableStringify([a.recurrence?.rule, a.start]) &&
      // An all-day series born in Berlin and written back in UTC moves every occurrence's original
      // start: Graph's cancellations no longer apply, and are made again below (issue 13, point 6).
      (body.start === undefined ||
        (body.start as { timeZone?: string } | null)?.timeZone ===
          (raw?.originalStartTimeZone ?? raw?.start?.timeZone));
    if (a.recurrence)
      await applyOccurrences(
        this.http,
        id,
        a,
        patternKept && 'item' in before ? (before.item as Activity) : undefined,
        this.invite,
      );
    return this.readBack(id);
  }

  async delete(id: string, ifVersion: string, read?: StoredItem): Promise<void> {
    const before = await this.current(id, ifVersion, read);
    const raw = 'item' in before ? (before.raw as GraphEvent) : undefined;
    const attendees = meetingAttendees(raw);
    if (!this.invite && attendees) throw new AttendeeUpdateRefused(raw?.subject ?? '', attendees, 'deleting');
    const r = await this.http.queued(
      {
        method: 'DELETE',
        url: `/me/events/${encodeURIComponent(id)}`,
        ...(raw?.changeKey && { headers: { 'If-Match': `W/"${raw.changeKey}"` } }),
      },
      // Already gone is what a deletion wants.
      [404, 412],
    );
    if (r.status === 412) throw new PreconditionFailedError('outlook', id, ifVersion);
    await this.keys.deleted(id);
  }

  private activity(item: Item): Activity {
    if (item.kind !== 'activity') throw new GraphMappingError('a task cannot be written to a calendar');
    return item;
  }

  /** Floating times as wall clocks in the user's zone: Outlook has no floating time. */
  private anchored(a: Activity): Activity {
    return isFloating(a) ? anchorFloating(a, this.options.floatingZone ?? 'UTC') : a;
  }

  private async readBack(id: string): Promise<WriteResult> {
    const s = (await this.getMany([id])).get(id);
    if (!s) throw new SyncError('read-back-failed', { side: 'outlook', id });
    return { version: s.version, ...('item' in s && { item: s.item }) };
  }
}
