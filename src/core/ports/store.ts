/**
 * The store port: one calendar or task collection of one side (Graph calendar, To Do list, CalDAV
 * collection). One interface, several implementations, one contract suite (STYLE.md; vdirsyncer's
 * storage/base.py). Adapters turn HTTP and Office failures into the errors of ../errors.ts.
 */
import type { Item } from '../model/item.js';
import type { SyncWindow } from '../model/time.js';
import type { ItemKind, Side } from '../sync/types.js';

/** An item as a store holds it. The engine computes content hashes; stores only report versions. */
export interface StoredItem {
  readonly id: string;
  /** ETag or change key: moves on every write. */
  readonly version: string;
  readonly item: Item;
  /** Last modification (UTC ms) where the store knows it. */
  readonly modifiedAt?: number;
  /** The store's own representation (iCalendar text, Graph JSON), for user exits. */
  readonly raw?: unknown;
}

/**
 * An item the store holds but cannot present in the canonical model (malformed iCalendar, a rule
 * Outlook cannot express). It is neither changed nor deleted: the engine logs `error` and leaves the
 * pair alone (rule 9), and never takes it for a deletion (rule 1).
 */
export interface UnreadableItem {
  readonly id: string;
  readonly version: string;
  /** What is wrong, precisely (line and property for iCalendar). */
  readonly error: string;
}

export const isReadable = (s: StoredItem | UnreadableItem): s is StoredItem => 'item' in s;

/** What a write left in the store. */
export interface WriteResult {
  readonly version: string;
  /**
   * The item as the store now holds it, when its format changes what it was given (iCalendar keeps
   * other lines than the model; a store-side default): the status takes this version's content hash,
   * so the next read does not see a change that is none.
   */
  readonly item?: Item;
}

export interface ChangeSet {
  /** Items created or changed since the token; with `complete`, every item in the window. */
  readonly changed: readonly StoredItem[];
  /** Ids the store reports gone (or gone from the window: the engine confirms with getMany). */
  readonly removed: readonly string[];
  /** Items created or changed since the token that cannot be read. */
  readonly unreadable?: readonly UnreadableItem[];
  /** The read listed everything in the window (no token, or the token expired). */
  readonly complete: boolean;
  /** Token for the next incremental read. */
  readonly token: string;
  /**
   * Only in an incremental answer (`complete: false`): items listed as changed whose version is the
   * one `known` gave — the status holds them as they are — neither fetched nor parsed again: after a
   * run's own writes, the next read skips their echo (issue 17). A store may report them in `changed`
   * instead; the engine takes either. A full listing reports every item (the planner reads them all).
   */
  readonly unchanged?: readonly string[];
}

export interface StorePort {
  readonly side: Side;
  readonly kind: ItemKind;
  /**
   * Changes since `token` (`null`: a full read of the window). `known`: the versions the status holds
   * by id; in an incremental answer a listed item at that version may be reported in `unchanged`.
   */
  changesSince(token: string | null, window: SyncWindow, known?: ReadonlyMap<string, string>): Promise<ChangeSet>;
  /** The current versions of `ids`; ids that no longer exist are absent from the result. */
  getMany(ids: readonly string[]): Promise<ReadonlyMap<string, StoredItem | UnreadableItem>>;
  /**
   * Creates `item`. Idempotent on `key`: when the store already holds an item with that key — the
   * one a first call created (after a crash between the write and the status commit), also when it
   * has been moved or renamed since, or any item whose own pair key is `key` (same UID, same CRM
   * activity id; e.g. the user's original that left the window under a new id) — that item is
   * returned instead of a duplicate, with `existing: true` and its current version, whatever it
   * holds. (CalDAV: the UID is unique in a collection; Graph: the adapter looks the key up in its
   * extended property, the iCalUId and the CRM activity id.)
   */
  create(item: Item, key: string): Promise<WriteResult & { readonly id: string; readonly existing?: boolean }>;
  /**
   * Overwrites item `id` if it is still at `ifVersion`, else throws PreconditionFailedError. `current`:
   * the item as `getMany` gave it just before (the engine reads its targets for the history), which a
   * store that must read before it writes may take instead of reading again; the precondition still
   * holds at the server (If-Match).
   */
  update(id: string, item: Item, ifVersion: string, current?: StoredItem): Promise<WriteResult>;
  /** Deletes item `id` if it is still at `ifVersion`, else throws PreconditionFailedError. `current`: as for update. */
  delete(id: string, ifVersion: string, current?: StoredItem): Promise<void>;
  /** Requests and bytes since the store was created, for the sync report. */
  stats?(): { readonly requests: number; readonly bytes: number };
  /** The folder the store reads and writes (Outlook calendar or To Do list id), where it has one. */
  readonly folder?: string;
  /**
   * Why an item (as `getMany` gave it, `raw`) cannot be moved to another folder by a copy and a
   * deletion — a meeting with attendees would mail them — or undefined when it can (issue 13, point 10).
   */
  cannotMove?(raw: unknown): string | undefined;
  /**
   * The id of the item `create(…, key)` would return instead of a new one (the same lookup), or
   * undefined: to find a copy an interrupted move to another folder made (issue 13, point 10).
   */
  findByKey?(key: string): Promise<string | undefined>;
  /** `getMany`, `update` and `delete` reach an item of this mailbox in any folder (Graph events). */
  readonly readsAnyFolder?: boolean;
}
