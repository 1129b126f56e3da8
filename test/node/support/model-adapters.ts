// The model-based test's world on the real adapters (issue 13): the CRM side is a user of the
// reference gateway (SQLite) reached by the CalDAV store, the Outlook side a mailbox of the Graph
// emulator reached by the Graph event and task stores, rebuilt for every run with the profile's
// options as the task pane builds them (src/ui/services/sync-service.ts). The user's own edits go
// through a second set of the same adapters (another client of the same servers), and what each side
// holds is read back through them after every write and every run. The state, log and history ports
// are the memory ones (IndexedDB has its own suite in the browser).
import { randomUUID } from 'node:crypto';
import { toWallClock } from '@crm-sync/common/wall-clock';
import { ianaZone } from '@crm-sync/common/zone-names';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../../gateway/src/server.js';
import { SqliteStore } from '../../../gateway/src/store/sqlite.js';
import { openCalDavStores } from '../../../src/adapters/caldav/discover.js';
import type { CalDavStore } from '../../../src/adapters/caldav/caldav-store.js';
import { activityToEvent } from '../../../src/adapters/graph/event-write.js';
import { PROP, type GraphEvent } from '../../../src/adapters/graph/graph-event-types.js';
import { GraphEventStore } from '../../../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../../../src/adapters/graph/graph-http.js';
import { GraphTaskStore } from '../../../src/adapters/graph/graph-task-store.js';
import type { Item } from '../../../src/core/model/item.js';
import type { SyncWindow } from '../../../src/core/model/time.js';
import type { Profile } from '../../../src/core/profile/profile.js';
import { isReadable, type StorePort } from '../../../src/core/ports/store.js';
import { runSync } from '../../../src/core/sync/engine.js';
import { compilePolicy } from '../../../src/core/sync/policy.js';
import type { ItemKind, Side } from '../../../src/core/sync/types.js';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';
import { Harness } from '../../core/support/harness.js';
import type { ModelFaults, ModelStore } from '../../core/support/model-store.js';
import { NOW } from '../../core/support/plan-fixtures.js';
import { emptyWorld, KINDS, SIDES, type World } from '../../core/support/sync-model.js';
import { basic } from './gateway.js';
import { IcalOracle, type Occurrence } from './ical-oracle.js';

const ADDIN = '5d7e4a35-7a2b-4c1e-9c3a-5a1f2b3c4d5e';
/** The zones of the Outlook user's all-day series (Windows names, as Outlook sends them). */
const ALL_DAY_ZONES = ['W. Europe Standard Time', 'Eastern Standard Time', 'UTC'];
const YEAR = 366 * 86_400_000;
/** Everything a CRM collection can hold in a sequence (the CRM side is read by a time range). */
const EVERYTHING: SyncWindow = { from: NOW - 20 * YEAR, to: NOW + 20 * YEAR };

/** One occurrence as the oracle compares it: start, end (UTC instants or all-day dates), subject, location. */
const occurrenceLine = (o: Occurrence) =>
  `${o.allDay ? 'all-day ' : ''}${o.start} – ${o.end} ${JSON.stringify(o.summary)} at ${JSON.stringify(o.location)}`;

/** A Graph instance as the same line (the emulator answers in UTC when no zone is asked for). */
function instanceLine(e: GraphEvent): string {
  const at = (t: { dateTime: string; timeZone: string } | undefined) => {
    if (!t) return '?';
    // An all-day instance asked for in UTC is midnight of its own zone, moved to UTC (Graph answers in
    // the zone the Prefer header names): its date is the one in that zone, not the UTC one.
    if (e.isAllDay)
      return t.timeZone === 'UTC' && e.originalStartTimeZone
        ? toWallClock(Date.parse(`${t.dateTime.slice(0, 19)}Z`), ianaZone(e.originalStartTimeZone) ?? 'UTC').slice(
            0,
            10,
          )
        : t.dateTime.slice(0, 10);
    if (t.timeZone !== 'UTC') throw new Error(`an instance of "${e.subject}" in ${t.timeZone}, not UTC`);
    return `${t.dateTime.slice(0, 19)}Z`;
  };
  return occurrenceLine({
    start: at(e.start),
    end: at(e.end),
    allDay: !!e.isAllDay,
    summary: e.subject ?? '',
    location: e.location?.displayName ?? '',
  });
}

/** What the user's own client does besides the store port: list what a folder holds, move an item. */
interface UserOps {
  /** Every item of the folder, read through the user's adapter. */
  read(): Promise<Map<string, { version: string; item: Item }>>;
  /** A new id for the item, as an export and import again gives it (immutable ids survive a move). */
  renumber(id: string): Promise<string>;
  /** Creates the item as the user's own client does, where that differs from the adapter (its id). */
  create?(item: Item): Promise<string | undefined>;
}

/** One folder of one side: the engine's port (with fault hooks) and the user's client of it. */
class AdapterStore implements ModelStore {
  faults: ModelFaults = {};
  private cache = new Map<string, { version: string; item: Item }>();
  private engine: StorePort;
  private inserted = 0;

  constructor(
    readonly side: Side,
    readonly kind: ItemKind,
    /** The user's client (its own adapter instance, private items included, a fixed clock). */
    private readonly user: StorePort,
    private readonly ops: UserOps,
    /** The engine's store for a run's profile. */
    private readonly build: (p: Profile) => StorePort,
    p: Profile,
  ) {
    this.engine = build(p);
  }

  /** Before a run: the engine's store with the options of its profile, as the task pane builds it. */
  prepare(p: Profile): void {
    this.engine = this.build(p);
  }

  get folder(): string | undefined {
    return this.user.folder;
  }

  get readsAnyFolder(): boolean | undefined {
    return this.engine.readsAnyFolder;
  }

  cannotMove(raw: unknown): string | undefined {
    return this.engine.cannotMove?.(raw);
  }

  stats() {
    return this.engine.stats?.() ?? { requests: 0, bytes: 0 };
  }

  // --- the engine's port, with the fault hooks ---------------------------------------------------------

  async changesSince(token: string | null, window: SyncWindow) {
    this.faults.beforeRead?.();
    return this.engine.changesSince(token, window);
  }

  async getMany(ids: readonly string[]) {
    this.faults.beforeRead?.();
    return this.engine.getMany(ids);
  }

  async create(item: Item, key: string) {
    await this.faults.beforeWrite?.('create', undefined);
    const r = await this.engine.create(item, key);
    if (!r.existing) this.faults.afterWrite?.('create', r.id);
    return r;
  }

  async update(id: string, item: Item, ifVersion: string) {
    await this.faults.beforeWrite?.('update', id);
    const r = await this.engine.update(id, item, ifVersion);
    this.faults.afterWrite?.('update', id);
    return r;
  }

  async delete(id: string, ifVersion: string) {
    await this.faults.beforeWrite?.('delete', id);
    await this.engine.delete(id, ifVersion);
    this.faults.afterWrite?.('delete', id);
  }

  // --- what the user does, and what the checks see -------------------------------------------------------

  all() {
    return [...this.cache].map(([id, r]) => ({ id, ...r }));
  }

  get(id: string): Item | undefined {
    return this.cache.get(id)?.item;
  }

  /** Reads the whole folder again (after a run: the engine wrote). */
  async refresh(): Promise<void> {
    this.cache = await this.ops.read();
  }

  private async reread(id: string): Promise<void> {
    const s = (await this.user.getMany([id])).get(id);
    if (!s) this.cache.delete(id);
    else if (!isReadable(s)) throw new Error(`${this.side} ${this.kind} ${id} cannot be read back: ${s.error}`);
    else this.cache.set(id, { version: s.version, item: s.item });
  }

  private async current(id: string) {
    const s = (await this.user.getMany([id])).get(id);
    if (!s) throw new Error(`${this.side} ${this.kind} ${id} is gone`);
    return s.version;
  }

  async insert(item: Item): Promise<string> {
    const own = await this.ops.create?.(item);
    if (own !== undefined) {
      await this.reread(own);
      return own;
    }
    const r = await this.user.create(item, `user:${item.uid}:${++this.inserted}`);
    if (r.existing) throw new Error(`the user's new ${this.side} item ${item.uid} found an existing one`);
    await this.reread(r.id);
    return r.id;
  }

  async write(id: string, item: Item): Promise<void> {
    await this.user.update(id, item, await this.current(id));
    await this.reread(id);
  }

  async remove(id: string): Promise<void> {
    await this.user.delete(id, await this.current(id));
    this.cache.delete(id);
  }

  async renumber(id: string): Promise<string> {
    const next = await this.ops.renumber(id);
    this.cache.delete(id);
    await this.reread(next);
    return next;
  }
}

export interface Servers {
  readonly gateway: RunningGateway;
  readonly emulator: RunningGraphEmulator;
  world(p: Profile): Promise<World>;
  close(): Promise<void>;
}

/** The gateway (SQLite, a temporary folder) and the Graph emulator, on 127.0.0.1, for many worlds. */
export async function startServers(): Promise<Servers> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-machine-'));
  const db = new SqliteStore(join(dir, 'g.sqlite'));
  await db.migrate();
  const gateway = await startGateway({ store: db, port: 0 });
  const emulator = await startGraphEmulator({});
  const oracle = new IcalOracle();
  return {
    gateway,
    emulator,
    world: (p) => adapterWorld(p, gateway, db, emulator, oracle),
    async close() {
      await oracle.close();
      await gateway.close();
      await db.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A world of its own: a new CRM user on the gateway and a new mailbox on the emulator. */
async function adapterWorld(
  p: Profile,
  gateway: RunningGateway,
  db: SqliteStore,
  emulator: RunningGraphEmulator,
  oracle: IcalOracle,
): Promise<World> {
  const h = new Harness();
  const fixed = () => NOW;
  const username = `m${randomUUID().slice(0, 8)}`;
  const password = `${username}-pw`;
  await db.addUser(username, await hashPassword(password));
  const credentials = { credentials: { username, password } };
  const crmEngine = (await openCalDavStores(gateway.url, credentials, { clock: h.clock })) as Record<
    ItemKind,
    CalDavStore
  >;
  const crmUser = (await openCalDavStores(gateway.url, credentials, { clock: fixed })) as Record<ItemKind, CalDavStore>;
  const auth = basic(username, password);
  const mailbox = `m-${randomUUID().slice(0, 8)}`;
  const http = new GraphHttp({ baseUrl: `${emulator.url}/v1.0`, token: async () => `dev:${mailbox}` });
  const box = () => emulator.mailbox(mailbox);

  const crm = (kind: ItemKind) => {
    const user = crmUser[kind];
    let moves = 0;
    return new AdapterStore(
      'crm',
      kind,
      user,
      {
        read: async () => {
          const all = await user.changesSince(null, EVERYTHING);
          if (all.unreadable?.length) throw new Error(`CRM items cannot be read: ${JSON.stringify(all.unreadable)}`);
          return new Map(all.changed.map((s) => [s.id, { version: s.version, item: s.item }]));
        },
        // The CRM client moves the object to another resource name (the UID stays).
        renumber: async (id) => {
          const url = new URL(id, gateway.url).href;
          const text = await (await fetch(url, { headers: { Authorization: auth } })).text();
          const gone = await fetch(url, { method: 'DELETE', headers: { Authorization: auth } });
          if (gone.status !== 204) throw new Error(`DELETE ${id}: ${gone.status}`);
          const next = id.replace(/[^/]+$/, `moved-${++moves}-${randomUUID().slice(0, 8)}.ics`);
          const put = await fetch(new URL(next, gateway.url), {
            method: 'PUT',
            headers: { Authorization: auth, 'Content-Type': 'text/calendar' },
            body: text,
          });
          if (put.status !== 201) throw new Error(`PUT ${next}: ${put.status} ${await put.text()}`);
          return next;
        },
      },
      () => crmEngine[kind],
      p,
    );
  };

  /** The Outlook calendar or To Do list `folder` (an id) as a store of the world. */
  const outlook = async (kind: ItemKind, folder: string) => {
    const user =
      kind === 'activity'
        ? new GraphEventStore(http, folder, { clock: fixed, addinId: ADDIN })
        : new GraphTaskStore(http, folder);
    // The user sees every occurrence of a series the checks may look at: a read of one day sets the
    // range the store reads occurrences in (a year before it, to `seriesTo`).
    if (kind === 'activity')
      await user.changesSince(null, { from: NOW - 2 * YEAR, to: NOW - 2 * YEAR + 1, seriesTo: NOW + 7 * YEAR });
    const read = async () => {
      const ids =
        kind === 'activity'
          ? Object.values(box().state.events)
              .filter((e) => e.calendarId === folder)
              .map((e) => e.id)
          : Object.values(box().state.tasks)
              .filter((t) => t.listId === folder)
              .map((t) => t.id);
      const got = ids.length ? await user.getMany(ids) : new Map();
      const out = new Map<string, { version: string; item: Item }>();
      for (const [id, s] of got) {
        if (!isReadable(s)) throw new Error(`Outlook ${kind} ${id} cannot be read: ${s.error}`);
        out.set(id, { version: s.version, item: s.item });
      }
      return out;
    };
    return new AdapterStore(
      'outlook',
      kind,
      user,
      {
        read,
        renumber: async (id) => (kind === 'activity' ? box().renumberEvent(id) : box().renumberTask(folder, id)),
        // An all-day series the user makes in Outlook is in the user's zone, not UTC as the add-in writes
        // one (issue 13, point 3): Berlin, New York or UTC by the item's number, without the add-in's
        // record of zones (Outlook writes none).
        create: async (item) => {
          const rec = item.kind === 'activity' ? item.recurrence : undefined;
          if (item.kind !== 'activity' || !('date' in item.start) || !rec) return undefined;
          if (rec.exceptionDates.length || rec.overrides.length) return undefined;
          const zone = ALL_DAY_ZONES[Number(item.uid.replace(/\D/g, '') || 0) % ALL_DAY_ZONES.length]!;
          const body = activityToEvent(item, { addinId: ADDIN, inviteAttendees: false }) as {
            start: { timeZone: string };
            end: { timeZone: string };
            recurrence?: { range: { recurrenceTimeZone?: string } };
            singleValueExtendedProperties: { id: string }[];
          };
          body.start.timeZone = zone;
          body.end.timeZone = zone;
          if (body.recurrence) body.recurrence.range.recurrenceTimeZone = zone;
          body.singleValueExtendedProperties = body.singleValueExtendedProperties.filter((p) => p.id !== PROP.zones);
          const r = await http.request<{ id: string }>(
            'POST',
            `/me/calendars/${encodeURIComponent(folder)}/events`,
            body,
          );
          if (r.status >= 400) throw new Error(`the user's all-day series in ${zone}: Graph answered ${r.status}`);
          return r.body.id;
        },
      },
      (profile) =>
        kind === 'activity'
          ? new GraphEventStore(http, folder, {
              clock: h.clock,
              ...(profile.sync.useForms && { addinId: ADDIN }),
              notifyAttendees: profile.misc.sendUpdatesToAttendees,
            })
          : new GraphTaskStore(http, folder),
      p,
    );
  };

  const calendars = await http.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
  const lists = await http.get<{ value: { id: string }[] }>('/me/todo/lists');
  const stores: Record<Side, Record<ItemKind, AdapterStore>> = {
    outlook: {
      activity: await outlook('activity', calendars.value.find((c) => c.isDefaultCalendar)!.id),
      task: await outlook('task', lists.value[0]!.id),
    },
    crm: { activity: crm('activity'), task: crm('task') },
  };
  const folders = new Map<string, AdapterStore>();
  const everyStore = () => [...SIDES.flatMap((s) => KINDS.map((k) => stores[s][k])), ...folders.values()];

  return {
    ...emptyWorld(p, h),
    where: 'gateway + Graph emulator',
    stores,
    folders,
    async sync(profile, options) {
      for (const s of everyStore()) s.prepare(profile);
      // Only the item types the profile synchronizes have stores, as in the task pane.
      const kinds = compilePolicy(profile, h.now).kinds;
      const pick = (side: Side) =>
        Object.fromEntries(KINDS.filter((k) => kinds.has(k)).map((k) => [k, stores[side][k]]));
      try {
        return await runSync(
          {
            ...h.deps(),
            stores: { outlook: pick('outlook'), crm: pick('crm') },
            storeIn: (side, kind, folder) => {
              // (Any folder of the mailbox: also the one the profile names now.)
              const current = stores[side][kind];
              const store = current.folder === folder ? current : folders.get(`${side}:${kind}:${folder}`);
              if (!store) throw new Error(`no ${side} folder ${folder}`);
              return store;
            },
          },
          profile,
          options,
        );
      } finally {
        // The engine wrote: every folder is read again for the checks (also after a failed run).
        for (const s of everyStore()) await s.refresh();
      }
    },
    async refresh() {
      for (const s of everyStore()) await s.refresh();
    },
    async compareOccurrences(pairs, from, to) {
      let compared = 0;
      for (const pair of pairs) {
        const text = await (await fetch(new URL(pair.crm, gateway.url), { headers: { Authorization: auth } })).text();
        const crm = (await oracle.expand(text, from, to)).map(occurrenceLine).sort();
        const range = `startDateTime=${new Date(from).toISOString()}&endDateTime=${new Date(to).toISOString()}`;
        const instances = await http.allPages(
          await http.get<{ value: GraphEvent[] }>(`/me/events/${encodeURIComponent(pair.outlook)}/instances?${range}`),
        );
        const outlook = instances.map(instanceLine).sort();
        const onlyIn = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
        expect(
          outlook,
          `the occurrences of "${pair.subject}" differ: only in Outlook ${JSON.stringify(onlyIn(outlook, crm))}, only in the CRM ${JSON.stringify(onlyIn(crm, outlook))} (the CRM's object: ${text})`,
        ).to.deep.equal(crm);
        compared += crm.length;
      }
      return compared;
    },
    async newFolder(kind, n) {
      // (As the user makes one in Outlook: a calendar or list of the mailbox.)
      const made = kind === 'activity' ? box().addCalendar(`Calendar ${n}`) : box().addList(`List ${n}`);
      const store = await outlook(kind, made.id);
      await store.refresh();
      return store;
    },
  };
}
