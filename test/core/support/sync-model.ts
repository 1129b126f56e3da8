// The model of the model-based engine test (test/core/sync-machine.property.test.ts): the world the
// commands act on, the commands themselves, and the oracle's own view of an item. The oracle does not
// use the engine's helpers (no content hash, no planner code): it compares what a user would look at.
import fc from 'fast-check';
import type { CrmApplication } from '../../../src/core/model/crm-context.js';
import type { Activity, Item, Task } from '../../../src/core/model/item.js';
import type { Profile } from '../../../src/core/profile/profile.js';
import type { PendingAction } from '../../../src/core/sync/actions.js';
import type { RunOptions, SyncReport } from '../../../src/core/sync/engine.js';
import type { FolderChoice } from '../../../src/core/sync/folders.js';
import type { ItemKind, Side } from '../../../src/core/sync/types.js';
import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { Harness } from './harness.js';
import { activity, task } from './items.js';
import type { ModelStore } from './model-store.js';

export const SIDES: readonly Side[] = ['outlook', 'mobile'];
export const KINDS: readonly ItemKind[] = ['activity', 'task'];
const DAY = 86_400_000;
/** Day 0 of the generated items: the harness's clock starts here. */
const EPOCH = Date.UTC(2026, 10, 26);

/** What the suite reports when it ends (issue 13: the proof says how strong it was). */
export const figures = {
  sequences: 0,
  commands: 0,
  syncs: 0,
  itemsAtEnd: 0,
  faultsInjected: 0,
  faultsFired: 0,
  profileChanges: 0,
  decisions: 0,
  pendingKept: 0,
  openChecks: 0,
  /** Items not synchronized after a clean sync that were checked to be in the log or under Pending. */
  unsyncedChecked: 0,
};

export interface World {
  /** The state, log and history ports and the clock (the stores are the world's own, below). */
  readonly h: Harness;
  /** The stores the engine syncs and the user acts in. */
  readonly stores: Record<Side, Record<ItemKind, ModelStore>>;
  /** Stores of other Outlook folders (`side:kind:folder`): those a change of folder left behind. */
  readonly folders: Map<string, ModelStore>;
  /** One run of the engine on the world's stores. */
  sync(profile: Profile, options?: RunOptions): Promise<SyncReport>;
  /** A new, empty Outlook folder of that kind (the `n`th made), for the command `folder`. */
  newFolder(kind: ItemKind, n: number): Promise<ModelStore>;
  /** Where the stores are (what the figures and a failure name). */
  readonly where: string;
  profile: Profile;
  nextUid: number;
  /** Confirmations the user approved (pending ids). */
  readonly approvals: Set<string>;
  /** The pending list of the last clean sync, and the versions right after it. */
  lastPending: readonly PendingAction[];
  afterLast: ReadonlyMap<string, string>;
  /** The profile changed since the last clean sync. */
  profileChanged: boolean;
  /** Series born without an end: uid → the side they were born on (the cap never goes back there). */
  readonly infinite: Map<string, Side>;
  /** `side:uid` → the last clean sync that saw the item outside the period. */
  readonly lastOutside: Map<string, number>;
  /** The answer to a change of the Outlook folder (the command `folder`), given to every run after it. */
  folderChoice?: FolderChoice;
  /** How many folders were made (their ids and store prefixes). */
  folderCount: number;
  /** `side:id` → its version, and the start of the first run that could see that version. */
  readonly seen: Map<string, { readonly version: string; readonly since: number }>;
}

/** The world on memory stores. */
export function newWorld(profile: Profile): World {
  const h = new Harness();
  // The Outlook folders the pairs are made in (the command `folder` names others).
  for (const kind of KINDS) h.stores.outlook[kind].folder = `${kind}-folder-0`;
  return {
    ...emptyWorld(profile, h),
    where: 'memory stores',
    stores: h.stores,
    folders: h.folders,
    sync: (p, o) => h.sync(p, o),
    newFolder: async (kind, n) => {
      const next = new MemoryStore('outlook', kind, h.clock, `outlook${n}`);
      next.folder = `${kind}-folder-${n}`;
      return next;
    },
  };
}

/** What every world starts with, whatever its stores. */
export function emptyWorld(
  profile: Profile,
  h: Harness,
): Omit<World, 'stores' | 'folders' | 'sync' | 'newFolder' | 'where'> {
  return {
    h,
    profile,
    nextUid: 1,
    approvals: new Set(),
    lastPending: [],
    afterLast: new Map(),
    profileChanged: false,
    infinite: new Map(),
    lastOutside: new Map(),
    seen: new Map(),
    folderCount: 0,
  };
}

export interface ItemSpec {
  readonly kind: ItemKind;
  readonly day: number;
  readonly priv: boolean;
  readonly app?: CrmApplication;
  readonly infinite: boolean;
  /** Write the start in UTC instead of Europe/Berlin (same instant). */
  readonly utc: boolean;
}

const dateOf = (day: number) => new Date(EPOCH + day * DAY).toISOString().slice(0, 10);

export function makeItem(uid: string, subject: string, s: ItemSpec): Item {
  const common = {
    uid,
    subject,
    crm: s.app ? { activityId: uid.replace(/\D/g, '').padStart(10, '0'), application: s.app } : undefined,
    sensitivity: s.priv ? ('private' as const) : ('normal' as const),
    extra: {},
  };
  const recurrence = s.infinite
    ? { rule: { freq: 'WEEKLY' as const, interval: 1 }, exceptionDates: [], extraDates: [], overrides: [] }
    : undefined;
  if (s.kind === 'task') return task({ ...common, due: { date: dateOf(s.day) } }) as Task;
  const date = dateOf(s.day);
  // 10:00 in Berlin is 09:00 UTC in winter: the same instant written two ways (issue 13, point 5).
  const at = (h: number) =>
    s.utc
      ? { dateTime: `${date}T${String(h - 1).padStart(2, '0')}:00:00`, timeZone: 'UTC' }
      : { dateTime: `${date}T${h}:00:00`, timeZone: 'Europe/Berlin' };
  return activity({ ...common, start: at(10), end: at(11), ...(recurrence && { recurrence }) }) as Activity;
}

/** Inserts a new item as a user would; returns its uid. */
export async function createItem(w: World, side: Side, s: ItemSpec): Promise<string> {
  const uid = `u${w.nextUid++}`;
  await w.stores[side][s.kind].insert(makeItem(uid, `${s.kind} ${uid}`, s));
  if (s.infinite && s.kind === 'activity') w.infinite.set(uid, side);
  return uid;
}

// --- the oracle's view -------------------------------------------------------------------------

/**
 * What a user compares between the two calendars: subject, instants, all-day, privacy, application,
 * cancelled dates and the rule — without the cap the sync wrote on the side the series was not born on.
 */
export function essence(w: World, item: Item): string {
  const instant = (t: unknown) => {
    if (!t || typeof t !== 'object') return null;
    if ('date' in t) return `date ${(t as { date: string }).date}`;
    const z = t as { dateTime: string; timeZone: string | null };
    // Only UTC and Europe/Berlin in winter occur here: the model's own conversion, not the engine's.
    const offsetH = z.timeZone === 'Europe/Berlin' ? 1 : 0;
    return new Date(Date.parse(`${z.dateTime}Z`) - offsetH * 3600_000).toISOString();
  };
  const rule = item.recurrence?.rule;
  return JSON.stringify({
    kind: item.kind,
    subject: item.subject,
    times: item.kind === 'activity' ? [instant(item.start), instant(item.end)] : [instant(item.due)],
    private: item.sensitivity === 'private' || item.sensitivity === 'confidential',
    app: item.crm?.application ?? null,
    rule: rule
      ? { freq: rule.freq, interval: rule.interval, until: w.infinite.has(item.uid) ? 'open' : rule.until }
      : null,
    // (A series crosses as one unit from a year before the period to the infinite-series cap; a
    // cancellation outside that is not synchronized, and within two days of its ends not judged.)
    cancelled: (item.recurrence?.exceptionDates ?? [])
      .map(instant)
      .filter((t) => {
        const at = t && Date.parse(t.startsWith('date ') ? `${t.slice(5)}T00:00:00Z` : t);
        const p = w.profile;
        const from = w.h.now - (p.sync.daysBack + 366 + 2) * DAY;
        const to = w.h.now + (Math.max(p.sync.daysAhead, p.series.infiniteSeriesYears * 365) - 1) * DAY;
        return at && at >= from && at <= to;
      })
      .sort(),
  });
}

/** Before a run: remembers when each item's current version was first there to be read. */
export function noteVersions(w: World): void {
  for (const [id, version] of versions(w))
    if (w.seen.get(id)?.version !== version) w.seen.set(id, { version, since: w.h.now });
}

/** The pair key the user would see on an item (CRM activity id, else UID): the model's own rule. */
export const keyOf = (item: Item) => (item.crm?.activityId ? `crm:${item.crm.activityId}` : `uid:${item.uid}`);

export type Scope = 'in' | 'out' | 'edge';

/**
 * Is this item synchronized under the profile now? The model's own reading of the seed's settings.
 * 'edge': within two days of the period's ends, where the model does not judge (the engine widens the
 * period by a day for floating times; the model does not copy that arithmetic).
 */
export function scopeOf(w: World, item: Item): Scope {
  const p = w.profile;
  const kinds = p.sync.itemTypes === 'both' ? KINDS : p.sync.itemTypes === 'activities' ? ['activity'] : ['task'];
  if (!kinds.includes(item.kind)) return 'out';
  if ((item.sensitivity === 'private' || item.sensitivity === 'confidential') && !p.series.syncPrivate) return 'out';
  const app = item.crm?.application;
  const someApp = p.automatic.mobileSales || p.automatic.mobileService;
  if (app && someApp && !(app === 'SALES' ? p.automatic.mobileSales : p.automatic.mobileService)) return 'out';
  if (p.exceptionList.includes(keyOf(item)) && !p.misc.includeExceptionList) return 'out';
  return periodOf(w, item);
}

/** The item against the period alone (see scopeOf). */
export function periodOf(w: World, item: Item): Scope {
  const p = w.profile;
  const start = item.kind === 'activity' ? item.start : item.due;
  if (!start) return 'in';
  const at = Date.parse(`${'date' in start ? start.date : start.dateTime.slice(0, 10)}T00:00:00Z`);
  const from = w.h.now - p.sync.daysBack * DAY;
  const to = w.h.now + p.sync.daysAhead * DAY;
  const near = (x: number) => Math.abs(at - x) <= 2 * DAY;
  if (near(to) || (item.recurrence === undefined && near(from))) return 'edge';
  if (at > to) return 'out';
  return item.recurrence !== undefined || at >= from ? 'in' : 'out';
}

export const snapshotAll = (w: World) =>
  SIDES.flatMap((s) => KINDS.flatMap((k) => w.stores[s][k].all().map((x) => `${s}:${x.id}:${x.version}`))).sort();

export const versions = (w: World): ReadonlyMap<string, string> =>
  new Map(
    SIDES.flatMap((s) => KINDS.flatMap((k) => w.stores[s][k].all().map((x) => [`${s}:${x.id}`, x.version] as const))),
  );

// --- arbitraries -------------------------------------------------------------------------------

export const sideArb = fc.constantFrom<Side>('outlook', 'mobile');
export const kindArb = fc.constantFrom<ItemKind>('activity', 'task');
export const itemSpecArb: fc.Arbitrary<ItemSpec> = fc.record({
  kind: kindArb,
  day: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: -25, max: 170 }) },
    { weight: 1, arbitrary: fc.constantFrom(-400, 400, 175, 185) },
  ),
  // About one item in six is private, one in eight a series without an end.
  priv: fc.nat(5).map((n) => n === 0),
  app: fc.option(fc.constantFrom<CrmApplication>('SALES', 'SERVICE'), { nil: undefined }),
  infinite: fc.nat(7).map((n) => n === 0),
  utc: fc.boolean(),
});
