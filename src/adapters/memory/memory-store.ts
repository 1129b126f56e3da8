/**
 * An in-memory store: the reference implementation of the store port for tests and the dry runs of
 * the contract suite. It behaves like the real ones where it matters — versions move on every write,
 * preconditions are checked, creation is idempotent on its key, incremental reads report what changed
 * or left the window — and it can inject the faults the property tests need.
 */
import { PreconditionFailedError } from '../../core/errors.js';
import type { Item } from '../../core/model/item.js';
import { intersects, itemRange, type SyncWindow } from '../../core/model/time.js';
import type { ChangeSet, StoredItem, StorePort, UnreadableItem } from '../../core/ports/store.js';
import { pairKeyOf } from '../../core/sync/match.js';
import type { ItemKind, Side } from '../../core/sync/types.js';

export type WriteOp = 'create' | 'update' | 'delete';

/** Fault hooks: throw from them to make a call fail before (or after) it took effect. */
export interface StoreFaults {
  beforeWrite?(op: WriteOp, id: string | undefined): void;
  afterWrite?(op: WriteOp, id: string): void;
  beforeRead?(): void;
  /** Drop some changes from an incremental read (a partial read); return the ids to keep. */
  partialRead?(ids: readonly string[]): readonly string[];
}

interface Record_ {
  version: string;
  item: Item;
  modifiedAt: number;
}

export class MemoryStore implements StorePort {
  private readonly items = new Map<string, Record_>();
  private readonly keys = new Map<string, string>();
  /** Change log: sequence number → id touched (created, changed or deleted). */
  private readonly changes: { seq: number; id: string }[] = [];
  /** Items that read as unreadable (id → why), as malformed iCalendar does. */
  private readonly broken = new Map<string, string>();
  private seq = 0;
  private nextId = 1;
  private requests = 0;
  faults: StoreFaults = {};

  constructor(
    readonly side: Side,
    readonly kind: ItemKind,
    private readonly clock: () => number = () => 0,
    /** Ids are `<prefix>-<kind>-<n>` (the side by default): two folders of one side never share an id. */
    private readonly prefix: string = side,
  ) {}

  /** The folder it stands for (tests of a folder change); none by default. */
  folder?: string;

  // --- the store port -------------------------------------------------------------------------

  /** The id of an item whose own pair key (UID or CRM activity id) is `key`, as a CalDAV UID lookup finds it. */
  private carrying(key: string): string | undefined {
    for (const [id, r] of this.items) if (pairKeyOf(r.item) === key) return id;
    return undefined;
  }

  async changesSince(
    token: string | null,
    window: SyncWindow,
    known?: ReadonlyMap<string, string>,
  ): Promise<ChangeSet> {
    this.requests++;
    this.faults.beforeRead?.();
    const since = token === null ? NaN : Number(token);
    const inWindow = (r: Record_) => intersects(itemRange(r.item), window);
    // Changed items at the version the status holds are listed as unchanged, not read (as the CalDAV store does).
    const held = (id: string, r: Record_) => !this.broken.has(id) && known?.get(id) === r.version;
    if (Number.isNaN(since) || since > this.seq) {
      const listed = [...this.items].filter(([, r]) => inWindow(r));
      const changed = listed.filter(([id]) => !this.broken.has(id)).map(([id, r]) => this.stored(id, r));
      const unreadable = listed.filter(([id]) => this.broken.has(id)).map(([id]) => this.unreadable(id));
      return { changed, removed: [], unreadable, complete: true, token: String(this.seq) };
    }
    let touched = [...new Set(this.changes.filter((c) => c.seq > since).map((c) => c.id))];
    if (this.faults.partialRead) touched = [...this.faults.partialRead(touched)];
    const changed: StoredItem[] = [];
    const removed: string[] = [];
    const unreadable: UnreadableItem[] = [];
    const unchanged: string[] = [];
    for (const id of touched) {
      const r = this.items.get(id);
      if (r && this.broken.has(id)) {
        unreadable.push(this.unreadable(id));
        continue;
      }
      if (r && held(id, r)) {
        unchanged.push(id);
        continue;
      }
      // Like Graph's calendarView/delta, an item that left the window is reported as removed.
      if (r && inWindow(r)) changed.push(this.stored(id, r));
      else removed.push(id);
    }
    return { changed, removed, unreadable, complete: false, token: String(this.seq), unchanged };
  }

  async getMany(ids: readonly string[]): Promise<ReadonlyMap<string, StoredItem | UnreadableItem>> {
    this.requests++;
    this.faults.beforeRead?.();
    const out = new Map<string, StoredItem | UnreadableItem>();
    for (const id of ids) {
      const r = this.items.get(id);
      if (r) out.set(id, this.broken.has(id) ? this.unreadable(id) : this.stored(id, r));
    }
    return out;
  }

  /** The item a creation with `key` made, or that carries the key itself (create's lookup). */
  private lookup(key: string): string | undefined {
    const id = this.keys.get(key) ?? this.carrying(key);
    return id && this.items.has(id) ? id : undefined;
  }

  async findByKey(key: string): Promise<string | undefined> {
    this.requests++;
    return this.lookup(key);
  }

  async create(item: Item, key: string): Promise<{ id: string; version: string; existing?: boolean }> {
    this.requests++;
    const existing = this.lookup(key);
    if (existing) return { id: existing, version: this.items.get(existing)!.version, existing: true };
    this.faults.beforeWrite?.('create', undefined);
    const id = this.insert(item);
    this.keys.set(key, id);
    this.faults.afterWrite?.('create', id);
    return { id, version: this.items.get(id)!.version };
  }

  async update(id: string, item: Item, ifVersion: string): Promise<{ version: string }> {
    this.requests++;
    this.faults.beforeWrite?.('update', id);
    const r = this.items.get(id);
    if (!r || r.version !== ifVersion) throw new PreconditionFailedError(this.side, id, ifVersion);
    this.write(id, item);
    this.faults.afterWrite?.('update', id);
    return { version: this.items.get(id)!.version };
  }

  async delete(id: string, ifVersion: string): Promise<void> {
    this.requests++;
    this.faults.beforeWrite?.('delete', id);
    const r = this.items.get(id);
    if (!r || r.version !== ifVersion) throw new PreconditionFailedError(this.side, id, ifVersion);
    this.items.delete(id);
    this.changes.push({ seq: ++this.seq, id });
    this.faults.afterWrite?.('delete', id);
  }

  stats() {
    return { requests: this.requests, bytes: 0 };
  }

  // --- what a user does directly in the store ---------------------------------------------------

  /** Adds an item as the user would; returns its id. */
  insert(item: Item): string {
    const id = `${this.prefix}-${this.kind}-${this.nextId++}`;
    this.write(id, item);
    return id;
  }

  /** Overwrites an item as the user would (no precondition); a valid item repairs an unreadable one. */
  write(id: string, item: Item): void {
    this.broken.delete(id);
    this.items.set(id, { version: `v${++this.seq}`, item, modifiedAt: this.clock() });
    this.changes.push({ seq: this.seq, id });
  }

  /** Deletes an item as the user would. */
  remove(id: string): void {
    this.broken.delete(id);
    if (this.items.delete(id)) this.changes.push({ seq: ++this.seq, id });
  }

  /** Makes an item unreadable (a new version the store cannot parse), as another client might. */
  corrupt(id: string, error: string): void {
    const r = this.items.get(id);
    if (!r) return;
    this.write(id, r.item);
    this.broken.set(id, error);
  }

  /** Gives an item a new id, as a move between folders or an id change does (rule 10). */
  renumber(id: string): string | undefined {
    const r = this.items.get(id);
    if (!r) return undefined;
    this.remove(id);
    const moved = this.insert(r.item);
    // The creation key travels with the item, as a CalDAV UID or a Graph transactionId does.
    for (const [key, target] of this.keys) if (target === id) this.keys.set(key, moved);
    return moved;
  }

  get(id: string): Item | undefined {
    return this.items.get(id)?.item;
  }

  all(): { id: string; version: string; item: Item }[] {
    return [...this.items].map(([id, r]) => ({ id, version: r.version, item: r.item }));
  }

  private unreadable(id: string): UnreadableItem {
    return { id, version: this.items.get(id)!.version, error: this.broken.get(id)! };
  }

  private stored(id: string, r: Record_): StoredItem {
    return { id, version: r.version, item: r.item, modifiedAt: r.modifiedAt, raw: { id, version: r.version } };
  }
}
