/**
 * The store port over CalDAV (RFC 4791) for one collection — the CRM gateway's `activities/` or
 * `tasks/`, or any CalDAV server's calendar. Ids are the items' paths; versions their ETags.
 * - Reads: the first read lists the sync period with calendar-query + time-range (§7.8), after taking
 *   the collection's sync-token (RFC 6578 §4) so nothing changed in between is missed; later reads
 *   ask `sync-collection` for what changed and fetch it with calendar-multiget in chunks. A server
 *   without RFC 6578 is read by ctag: an unchanged ctag is no change, a moved one a full read.
 * - Writes: creation with `If-None-Match: *` at a path derived from the UID (so a repeated creation
 *   after a crash finds its item: 412, or 403 no-uid-conflict naming where the UID lives, §5.3.2.1);
 *   updates and deletions with `If-Match` (412 → PreconditionFailedError).
 * Items that do not parse are reported as unreadable with the reader's located error.
 * The REPORT bodies are ours, sent through tsdav's davRequest (its fetch and multistatus parsing):
 * tsdav's calendarMultiGet and calendarQuery throw for the whole request when any one response is not
 * 2xx, and a multiget's 404 for a deleted href is how a deletion is confirmed (rule 2; the contract
 * test "tsdav's calendarMultiGet fails as a whole" shows it on the gateway, Radicale and Xandikos).
 */
import { davRequest, type DAVResponse } from 'tsdav';
import { PreconditionFailedError, SyncError } from '../../core/errors.js';
import type { Item } from '../../core/model/item.js';
import { intersects, itemRange, type SyncWindow } from '../../core/model/time.js';
import type { ChangeSet, StoredItem, StorePort, UnreadableItem, WriteResult } from '../../core/ports/store.js';
import type { ItemKind, Side } from '../../core/sync/types.js';
import type { DavHttp } from './dav-http.js';
import { ICalendarError } from './ical-errors.js';
import { parseICalendar } from './ical-read.js';
import { toICalendar } from './ical-write.js';
import { drain, esc, normalizeHref, NS, resourceName, summary, text, utc, XML } from './dav-values.js';

/** Creations under a CRM id that are looked up one query each before one query lists them all. */
export const CRM_LOOKUPS_ONE_BY_ONE = 3;

export interface CalDavStoreOptions {
  /** `auto` (default) uses sync-collection when the server reports it, else the ctag. */
  readonly syncMode?: 'auto' | 'sync-collection' | 'ctag';
  /** Items per calendar-multiget (default 50). */
  readonly chunk?: number;
  /** For DTSTAMP (default Date.now). */
  readonly clock?: () => number;
  /** The side the collection is on (default the CRM; a CalDAV server on both sides: bench:sync). */
  readonly side?: Side;
}

export class CalDavStore implements StorePort {
  readonly side: Side;
  private mode: 'sync-collection' | 'ctag' | undefined;
  private readonly origin: string;
  private readonly path: string;
  /** Creations under a CRM id so far (each looked up first), and the index that replaces the lookups. */
  private crmLookups = 0;
  private crmIndex?: Promise<Map<string, string>>;

  constructor(
    readonly kind: ItemKind,
    /** Absolute URL of the collection, with a trailing slash. */
    readonly collectionUrl: string,
    private readonly http: DavHttp,
    private readonly options: CalDavStoreOptions = {},
  ) {
    this.side = options.side ?? 'crm';
    this.origin = new URL(collectionUrl).origin;
    this.path = normalizeHref(collectionUrl, collectionUrl);
    if (options.syncMode && options.syncMode !== 'auto') this.mode = options.syncMode;
  }

  private url(id: string): string {
    return `${this.origin}${id}`;
  }

  private async report(body: string, depth = '1'): Promise<DAVResponse[]> {
    return davRequest({
      url: this.collectionUrl,
      init: { method: 'REPORT', headers: { Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' }, body },
      convertIncoming: false,
      fetch: this.http.fetch,
    });
  }

  /** Collection properties: sync-token, ctag and whether sync-collection is supported. */
  private async collectionState(): Promise<{ syncToken?: string; ctag?: string; syncCollection: boolean }> {
    const [r] = await davRequest({
      url: this.collectionUrl,
      init: {
        method: 'PROPFIND',
        headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
        body: `${XML}<D:propfind ${NS}><D:prop><D:sync-token/><CS:getctag/><D:supported-report-set/></D:prop></D:propfind>`,
      },
      convertIncoming: false,
      fetch: this.http.fetch,
    });
    if (!r?.ok)
      throw new SyncError('gateway-refused', {
        request: 'PROPFIND',
        status: r?.status ?? 0,
        detail: this.collectionUrl,
      });
    const props = (r.props ?? {}) as Record<string, unknown>;
    const reports = JSON.stringify(props.supportedReportSet ?? '');
    return {
      ...(text(props.syncToken) !== undefined && { syncToken: text(props.syncToken)! }),
      ...(text(props.getctag) !== undefined && { ctag: text(props.getctag)! }),
      syncCollection: /syncCollection/.test(reports) || text(props.syncToken) !== undefined,
    };
  }

  /** Parses responses carrying calendar-data into stored and unreadable items; 404s into `missing`. */
  private collect(responses: readonly DAVResponse[]) {
    const items: StoredItem[] = [];
    const unreadable: UnreadableItem[] = [];
    const missing: string[] = [];
    for (const r of responses) {
      if (!r.href) continue;
      const id = normalizeHref(r.href, this.collectionUrl);
      if (id === this.path) continue;
      if (r.status === 404) {
        missing.push(id);
        continue;
      }
      const props = (r.props ?? {}) as Record<string, unknown>;
      const version = text(props.getetag);
      const data = text(props.calendarData);
      if (!r.ok || version === undefined || data === undefined) continue;
      try {
        const item = parseICalendar(data);
        if (item.kind !== this.kind)
          throw new ICalendarError(`a ${item.kind === 'task' ? 'VTODO' : 'VEVENT'} in the ${this.kind} collection`, {});
        const modified = Date.parse(text(props.getlastmodified) ?? '');
        items.push({ id, version, item, raw: data, ...(!Number.isNaN(modified) && { modifiedAt: modified }) });
      } catch (error) {
        unreadable.push({ id, version, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { items, unreadable, missing };
  }

  private async fullRead(window: SyncWindow, token: string): Promise<ChangeSet> {
    const comp = this.kind === 'activity' ? 'VEVENT' : 'VTODO';
    const responses = await this.report(
      `${XML}<C:calendar-query ${NS}><D:prop><D:getetag/><D:getlastmodified/><C:calendar-data/></D:prop>` +
        `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="${comp}">` +
        `<C:time-range start="${utc(window.from)}" end="${utc(window.to)}"/>` +
        `</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
    );
    this.fail(responses, 'calendar-query');
    const { items, unreadable } = this.collect(responses);
    return { changed: items, removed: [], unreadable, complete: true, token };
  }

  /** A multistatus for the collection itself with an error status means the whole report failed. */
  private fail(responses: readonly DAVResponse[], what: string): void {
    const whole = responses.find((r) => !r.href || normalizeHref(r.href, this.collectionUrl) === this.path);
    if (whole && !whole.ok && whole.status !== 507)
      throw new SyncError('gateway-refused', { request: what, status: whole.status, detail: whole.statusText ?? '' });
  }

  async changesSince(
    token: string | null,
    window: SyncWindow,
    known?: ReadonlyMap<string, string>,
  ): Promise<ChangeSet> {
    // A sync token says the server answers sync-collection: the changes are asked for at once, one
    // round trip when nothing changed (issue 17); the collection's properties only for a full read.
    if (!token?.startsWith('sync:') || this.mode === 'ctag') {
      const state = await this.collectionState();
      this.mode ??= state.syncCollection ? 'sync-collection' : 'ctag';
      if (this.mode === 'ctag') {
        const now = `ctag:${state.ctag ?? ''}`;
        if (token === now && state.ctag !== undefined) return { changed: [], removed: [], complete: false, token };
        return this.fullRead(window, now);
      }
      if (!token?.startsWith('sync:')) return this.fullRead(window, `sync:${state.syncToken ?? ''}`);
    }
    /** The token expired, or the server no longer answers sync-collection: a full read, the mode asked again. */
    const listFromStart = () => {
      this.mode = this.options.syncMode && this.options.syncMode !== 'auto' ? this.options.syncMode : undefined;
      return this.changesSince(null, window);
    };
    const changed: string[] = [];
    // Listed at the version the status holds (this run's own writes, read back): not fetched again.
    const unchanged: string[] = [];
    const removed = new Set<string>();
    let current = token.slice('sync:'.length);
    // RFC 6578 §3.6: a truncated answer (507 for the collection) is continued from its new token.
    for (let round = 0; round < 100; round++) {
      const responses = await this.report(
        `${XML}<D:sync-collection ${NS}><D:sync-token>${esc(current)}</D:sync-token><D:sync-level>1</D:sync-level>` +
          `<D:prop><D:getetag/></D:prop></D:sync-collection>`,
      );
      const whole = responses.find((r) => !r.href || normalizeHref(r.href, this.collectionUrl) === this.path);
      // 403/409 with valid-sync-token: the token expired (RFC 6578 §3.2) — list the period again.
      // (Xandikos answers a token it never gave with 500: a full read is safe — the engine matches —
      // where retrying the same token would fail at every run.)
      if (whole && [400, 403, 405, 409, 412, 500, 501].includes(whole.status)) return listFromStart();
      this.fail(responses, 'sync-collection');
      for (const r of responses) {
        if (!r.href) continue;
        const id = normalizeHref(r.href, this.collectionUrl);
        if (id === this.path) continue;
        if (r.status === 404) removed.add(id);
        else if (known?.get(id) !== undefined && known.get(id) === text((r.props as { getetag?: unknown })?.getetag))
          unchanged.push(id);
        else changed.push(id);
      }
      const raw = responses[0]?.raw as { multistatus?: { syncToken?: unknown } } | undefined;
      const next = text(raw?.multistatus?.syncToken);
      if (next === undefined) throw new SyncError('sync-token-missing', {});
      current = next;
      if (whole?.status !== 507) break;
    }
    const listedChanged = new Set(changed);
    const fetched = await this.getMany([...listedChanged].filter((id) => !removed.has(id)));
    const out: StoredItem[] = [];
    const unreadable: UnreadableItem[] = [];
    for (const id of changed) {
      const s = fetched.get(id);
      if (!s) removed.add(id);
      else if (!('item' in s)) unreadable.push(s);
      // Like Graph's calendarView/delta: an item that left the period is reported as removed.
      else if (intersects(itemRange(s.item), window)) out.push(s);
      else removed.add(id);
    }
    return {
      changed: out,
      removed: [...removed],
      unreadable,
      complete: false,
      token: `sync:${current}`,
      unchanged: unchanged.filter((id) => !removed.has(id) && !listedChanged.has(id)),
    };
  }

  async getMany(ids: readonly string[]): Promise<ReadonlyMap<string, StoredItem | UnreadableItem>> {
    const out = new Map<string, StoredItem | UnreadableItem>();
    const chunk = this.options.chunk ?? 50;
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += chunk) {
      const hrefs = unique
        .slice(i, i + chunk)
        .map((id) => `<D:href>${esc(id)}</D:href>`)
        .join('');
      const responses = await this.report(
        `${XML}<C:calendar-multiget ${NS}><D:prop><D:getetag/><D:getlastmodified/><C:calendar-data/></D:prop>${hrefs}</C:calendar-multiget>`,
      );
      this.fail(responses, 'calendar-multiget');
      const { items, unreadable } = this.collect(responses);
      for (const s of [...items, ...unreadable]) out.set(s.id, s);
    }
    return out;
  }

  /** The current ETag of `id` (when a write's answer carried none). */
  private async etagOf(id: string): Promise<string> {
    const found = (await this.getMany([id])).get(id);
    if (!found) throw new SyncError('read-back-failed', { side: this.side, id });
    return found.version;
  }

  /** Where an item carrying `key` lives, if anywhere: by UID (its path, then a UID query) or CRM id. */
  private async find(key: string, uid: string): Promise<string | undefined> {
    const [prop, value] = key.startsWith('crm:')
      ? ['X-SAPCRM-ACTIVITY-ID', key.slice(4)]
      : ['UID', key.startsWith('uid:') ? key.slice(4) : uid];
    const items = await this.withProperty(
      `<C:prop-filter name="${prop}"><C:text-match collation="i;octet">${esc(value)}</C:text-match></C:prop-filter>`,
    );
    // text-match is a substring match (RFC 4791 §9.7.5): the exact value is checked on the item.
    return items.find((s) => (prop === 'UID' ? s.item.uid === value : s.item.crm?.activityId === value))?.id;
  }

  /** The items of the collection (any time) that a calendar-query prop-filter selects. */
  private async withProperty(propFilter: string): Promise<StoredItem[]> {
    const comp = this.kind === 'activity' ? 'VEVENT' : 'VTODO';
    const responses = await this.report(
      `${XML}<C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter>` +
        `<C:comp-filter name="VCALENDAR"><C:comp-filter name="${comp}">${propFilter}` +
        `</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
    );
    this.fail(responses, 'calendar-query');
    return this.collect(responses).items;
  }

  private async existing(id: string): Promise<{ id: string; version: string; existing: true }> {
    return { id, version: await this.etagOf(id), existing: true };
  }

  /**
   * Where the item with this CRM activity id is, if anywhere. The first few are asked one by one (a
   * query each); beyond them — a first synchronization creates hundreds — one query lists every item
   * of the collection that has a CRM id, once, and later creations of this store add theirs (issue
   * 17: a query per creation made a first sync quadratic on servers that scan, such as Radicale).
   */
  private async whereCrmId(key: string, uid: string): Promise<string | undefined> {
    if (!this.crmIndex && ++this.crmLookups <= CRM_LOOKUPS_ONE_BY_ONE) return this.find(key, uid);
    if (!this.crmIndex) {
      const index = this.indexCrmIds();
      this.crmIndex = index;
      index.catch(() => this.crmIndex === index && (this.crmIndex = undefined)); // asked again next time
    }
    return (await this.crmIndex).get(key.slice(4));
  }

  private async indexCrmIds(): Promise<Map<string, string>> {
    // (A prop-filter without a test selects the items that have the property: RFC 4791 §9.7.2.)
    const index = new Map<string, string>();
    for (const s of await this.withProperty('<C:prop-filter name="X-SAPCRM-ACTIVITY-ID"/>'))
      if (s.item.crm?.activityId) index.set(s.item.crm.activityId, s.id);
    return index;
  }

  async create(item: Item, key: string): Promise<WriteResult & { id: string; existing?: boolean }> {
    // A CRM id can sit on an item with another UID (created in the CRM): look it up first.
    if (key.startsWith('crm:')) {
      const found = await this.whereCrmId(key, item.uid);
      // (Read: an index entry whose item someone else deleted since names nothing.)
      const at = found && (await this.getMany([found])).get(found);
      if (at) return { id: at.id, version: at.version, existing: true };
    }
    const id = `${this.path}${encodeURIComponent(resourceName(item.uid))}`;
    const body = toICalendar(item, (this.options.clock ?? Date.now)());
    const response = await this.http.fetch(this.url(id), {
      method: 'PUT',
      headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' },
      body,
    });
    // Only these mean stored: Xandikos answers a UID conflict with 207 (a 412 inside).
    if (response.status === 200 || response.status === 201 || response.status === 204) {
      await drain(response);
      if (key.startsWith('crm:'))
        await this.crmIndex?.then((index) => index.set(key.slice(4), id)).catch(() => undefined);
      return {
        id,
        version: response.headers.get('ETag') ?? (await this.etagOf(id)),
        item: parseICalendar(body),
      };
    }
    const detail = await response.text();
    // 412: something is at our path already — the item a first call created (same UID, same path).
    if (response.status === 412) return this.existing(id);
    // 403 no-uid-conflict (RFC 4791 §5.3.2.1) names where the UID lives; servers that answer 409 or a
    // 207, or name no href, are asked with a UID query.
    if (response.status === 403 || response.status === 409 || /no-uid-conflict/.test(detail)) {
      const at = detail.indexOf('no-uid-conflict');
      const href = at < 0 ? undefined : /<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/.exec(detail.slice(at))?.[1];
      const found = href ? normalizeHref(href, this.collectionUrl) : await this.find(`uid:${item.uid}`, item.uid);
      if (found) return this.existing(found);
    }
    throw new SyncError('gateway-refused', { request: 'PUT', status: response.status, detail: summary(detail) });
  }

  async update(id: string, item: Item, ifVersion: string): Promise<WriteResult> {
    const body = toICalendar(item, (this.options.clock ?? Date.now)());
    const response = await this.http.fetch(this.url(id), {
      method: 'PUT',
      headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'If-Match': ifVersion },
      body,
    });
    if (response.status === 412 || response.status === 404) {
      await drain(response);
      throw new PreconditionFailedError(this.side, id, ifVersion);
    }
    if (response.status !== 200 && response.status !== 201 && response.status !== 204)
      throw new SyncError('gateway-refused', {
        request: 'PUT',
        status: response.status,
        detail: summary(await response.text()),
      });
    await drain(response);
    return { version: response.headers.get('ETag') ?? (await this.etagOf(id)), item: parseICalendar(body) };
  }

  async delete(id: string, ifVersion: string): Promise<void> {
    const response = await this.http.fetch(this.url(id), { method: 'DELETE', headers: { 'If-Match': ifVersion } });
    if (response.status === 412 || response.status === 404) {
      await drain(response);
      throw new PreconditionFailedError(this.side, id, ifVersion);
    }
    if (!response.ok)
      throw new SyncError('gateway-refused', {
        request: 'DELETE',
        status: response.status,
        detail: summary(await response.text()),
      });
    await drain(response);
    // Its CRM id names nothing any more: a later creation with it makes a new item.
    await this.crmIndex
      ?.then((index) => {
        for (const [crmId, at] of index) if (at === id) index.delete(crmId);
      })
      .catch(() => undefined);
  }

  stats() {
    return this.http.stats();
  }
}
