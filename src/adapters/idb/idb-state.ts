/**
 * The engine's state on the device, in IndexedDB (DESIGN.md §1: the task pane and the function-command
 * runtime share it): the status table with its journal and tokens, the error log, the history of
 * overwritten versions, the reports of recent runs, and the device part of the profile. One database
 * per mailbox. A state change is one IndexedDB transaction over every store it touches, so a reload
 * or a crash in the middle of a commit leaves all of it or none (rule 3).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { isRunWrite } from '../../core/ports/state.js';
import type {
  ErrorLog,
  History,
  HistoryEntry,
  HistoryReader,
  HistoryRecord,
  RunWrite,
  JournalEntry,
  FailureRecord,
  LogEntry,
  LogLevel,
  StateChange,
  StatusStore,
  SyncState,
} from '../../core/ports/state.js';
import type { ErrorRef } from '../../core/errors.js';
import type { PendingAction } from '../../core/sync/actions.js';
import type { PairStatus } from '../../core/sync/status.js';
import * as migrate from './migrate.js';

/** What the pane keeps of a finished run for its report and history chart. */
export interface RunRecord {
  readonly at: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  readonly written: Readonly<Record<'outlook' | 'crm', { created: number; updated: number; deleted: number }>>;
  readonly conflicts: number;
  readonly pending: number;
  readonly errors: number;
  /** Set when the run did not finish (cancelled, a side unreachable, …): English, the log's fallback. */
  readonly failure?: string;
  /** Why it did not finish, as the catalogue's code and values (the pane says it in the user's language). */
  readonly failureError?: ErrorRef;
}

interface Schema extends DBSchema {
  rows: { key: string; value: PairStatus };
  tokens: { key: string; value: string };
  journal: { key: string; value: JournalEntry };
  failures: { key: string; value: FailureRecord };
  /** `pending` → PendingAction[]; `device` → the device profile; `profile` → the roaming profile's mirror. */
  meta: { key: string; value: unknown };
  log: { key: number; value: LogEntry; indexes: { at: number } };
  history: { key: number; value: HistoryRecord; indexes: { at: number } };
  runs: { key: number; value: RunRecord; indexes: { at: number } };
}

/** 1: version 0.2; 2: the CRM side is called `crm`, not `mobile` (migrate.ts). */
const VERSION = 2;
export type StateDb = IDBPDatabase<Schema>;

/** Opens (and creates on first use, or upgrades) the state database of one mailbox. */
export function openStateDb(mailbox: string): Promise<StateDb> {
  return openDB<Schema>(`crm-calendar-sync:${mailbox.toLowerCase()}`, VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('rows', { keyPath: 'key' });
        db.createObjectStore('tokens');
        db.createObjectStore('journal', { keyPath: 'id' });
        db.createObjectStore('failures', { keyPath: 'pairKey' });
        db.createObjectStore('meta');
        db.createObjectStore('log', { autoIncrement: true }).createIndex('at', 'at');
        db.createObjectStore('history', { autoIncrement: true }).createIndex('at', 'at');
        db.createObjectStore('runs', { autoIncrement: true }).createIndex('at', 'at');
        return;
      }
      if (oldVersion < 2) await renameMobileSide(tx);
    },
    // Another tab of a newer add-in waits to upgrade: let it (this one reopens on its next use).
    blocking: (_current, _blocked, event) => (event.target as IDBDatabase).close(),
  });
}

/** Every record of version 1 that names the CRM side `mobile`, rewritten in the upgrade transaction. */
async function renameMobileSide(tx: IDBPTransaction<Schema, StoreNames<Schema>[], 'versionchange'>) {
  const rewrite = async <N extends 'rows' | 'journal' | 'failures' | 'log' | 'history' | 'runs'>(
    name: N,
    change: (value: Schema[N]['value']) => Schema[N]['value'],
  ) => {
    for (let c = await tx.objectStore(name).openCursor(); c; c = await c.continue()) await c.update(change(c.value));
  };
  await rewrite('rows', migrate.pairStatus);
  await rewrite('journal', migrate.journalEntry);
  await rewrite('failures', migrate.failure);
  await rewrite('log', migrate.sided<LogEntry>);
  await rewrite('history', migrate.sided<HistoryRecord>);
  await rewrite('runs', migrate.run<RunRecord>);
  const tokens = tx.objectStore('tokens');
  for (let c = await tokens.openCursor(); c; c = await c.continue()) {
    const key = migrate.tokenKey(c.key);
    if (key !== c.key) {
      await tokens.put(c.value, key);
      await c.delete();
    }
  }
  const meta = tx.objectStore('meta');
  const pending = (await meta.get('pending')) as unknown[] | undefined;
  if (pending) await meta.put(pending.map(migrate.pending), 'pending');
}

/** IndexedDB stores JSON-like data; Infinity (an infinite series' range end) survives structured clone. */
export class IdbStatusStore implements StatusStore {
  constructor(private readonly db: StateDb) {}

  async load(): Promise<SyncState> {
    const tx = this.db.transaction(['rows', 'tokens', 'journal', 'failures', 'meta']);
    const [rows, tokenKeys, tokenValues, journal, failures, pending] = await Promise.all([
      tx.objectStore('rows').getAll(),
      tx.objectStore('tokens').getAllKeys(),
      tx.objectStore('tokens').getAll(),
      tx.objectStore('journal').getAll(),
      tx.objectStore('failures').getAll(),
      tx.objectStore('meta').get('pending'),
    ]);
    await tx.done;
    return {
      rows,
      tokens: Object.fromEntries(tokenKeys.map((k, i) => [k, tokenValues[i]!])),
      journal: journal.sort((a, b) => a.startedAt - b.startedAt),
      failures,
      pending: (pending as PendingAction[] | undefined) ?? [],
    };
  }

  /** All of the change in one transaction: a failure anywhere aborts it, and nothing is applied. */
  async commit(change: StateChange): Promise<void> {
    const tx = this.db.transaction(['rows', 'tokens', 'journal', 'failures', 'meta'], 'readwrite');
    const rows = tx.objectStore('rows');
    const tokens = tx.objectStore('tokens');
    const journal = tx.objectStore('journal');
    const failures = tx.objectStore('failures');
    const writes: Promise<unknown>[] = [];
    try {
      for (const key of change.remove ?? []) writes.push(rows.delete(key));
      for (const r of change.upsert ?? []) writes.push(rows.put(r));
      for (const [k, v] of Object.entries(change.tokens ?? {}))
        writes.push(v === null ? tokens.delete(k) : tokens.put(v, k));
      for (const j of change.journalAdd ?? []) writes.push(journal.put(j));
      for (const id of change.journalDone ?? []) writes.push(journal.delete(id));
      for (const key of change.failuresClear ?? []) writes.push(failures.delete(key));
      for (const f of change.failures ?? []) writes.push(failures.put(f));
      if (change.pending) writes.push(tx.objectStore('meta').put(change.pending, 'pending'));
    } catch (error) {
      // A value IndexedDB cannot store throws synchronously: nothing of the change may stay.
      tx.abort();
      await tx.done.catch(() => undefined);
      throw error;
    }
    await Promise.all([...writes, tx.done]);
  }
}

export interface LogQuery {
  readonly levels?: readonly LogLevel[];
  /** Case-insensitive text in message, subject or cause. */
  readonly search?: string;
  readonly limit?: number;
}

/** Whether a log line is one `query` asks for. */
export function matchesLogQuery(e: LogEntry, query: LogQuery): boolean {
  const needle = query.search?.trim().toLowerCase();
  return (
    (!query.levels || query.levels.includes(e.level)) &&
    (!needle || [e.message, e.subject, e.cause].some((t) => t?.toLowerCase().includes(needle)))
  );
}

export class IdbLog implements ErrorLog {
  constructor(private readonly db: StateDb) {}

  async append(entry: LogEntry): Promise<void> {
    await this.db.add('log', entry);
  }

  async prune(before: number): Promise<number> {
    return pruneBefore(this.db, 'log', before);
  }

  /** Newest first. */
  async list(query: LogQuery = {}): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    let cursor = await this.db.transaction('log').store.index('at').openCursor(null, 'prev');
    while (cursor && out.length < (query.limit ?? 500)) {
      if (matchesLogQuery(cursor.value, query)) out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  }
}

export class IdbHistory implements History, HistoryReader {
  constructor(private readonly db: StateDb) {}

  async put(entry: HistoryEntry): Promise<void> {
    await this.db.add('history', entry);
  }

  /** A chunk's writes in one transaction. */
  async putWrites(writes: readonly RunWrite[]): Promise<void> {
    const tx = this.db.transaction('history', 'readwrite');
    await Promise.all([...writes.map((w) => tx.store.add(w)), tx.done]);
  }

  async prune(before: number): Promise<number> {
    return pruneBefore(this.db, 'history', before);
  }

  /** The versions kept, newest first. */
  async versions(limit = 200): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    let cursor = await this.db.transaction('history').store.index('at').openCursor(null, 'prev');
    while (cursor && out.length < limit) {
      if (!isRunWrite(cursor.value)) out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  }

  /** A run's writes, in the order they were made (they are made after the run's start). */
  async writesOf(run: number): Promise<RunWrite[]> {
    const after = await this.db.getAllFromIndex('history', 'at', IDBKeyRange.lowerBound(run));
    return after.filter((r): r is RunWrite => isRunWrite(r) && r.run === run);
  }
}

/** The reports of recent runs (the pane's history chart); the oldest beyond `keep` are dropped. */
export class IdbRuns {
  constructor(
    private readonly db: StateDb,
    private readonly keep = 50,
  ) {}

  async add(run: RunRecord): Promise<void> {
    const tx = this.db.transaction('runs', 'readwrite');
    await tx.store.add(run);
    const keys = await tx.store.index('at').getAllKeys();
    for (const key of keys.slice(0, Math.max(0, keys.length - this.keep))) await tx.store.delete(key);
    await tx.done;
  }

  /** Oldest first. */
  async list(): Promise<RunRecord[]> {
    return this.db.getAllFromIndex('runs', 'at');
  }
}

async function pruneBefore(db: StateDb, store: 'log' | 'history', before: number): Promise<number> {
  const tx = db.transaction(store, 'readwrite');
  let removed = 0;
  let cursor = await tx.store.index('at').openCursor(IDBKeyRange.upperBound(before, true));
  while (cursor) {
    await cursor.delete();
    removed++;
    cursor = await cursor.continue();
  }
  await tx.done;
  return removed;
}

/**
 * Device-only values: the device profile, this device's id, where its own state was handed over, and
 * the account's state as this device last read it (`account-cache:*`, issue 15: the pane shows it
 * while the gateway cannot be reached; the conflict dialog, which has no logon, reads the pending items).
 */
export type MetaKey = 'device' | 'device-id' | `handover:${string}` | `account-cache:${CachedPart}`;

/** What of the account's state the device keeps a copy of. */
export type CachedPart = 'pending' | 'runs' | 'log' | 'subjects';

/** One part of the account's state as last read, when, and from which gateway and user. */
export interface Cached<T> {
  readonly at: number;
  readonly source: string;
  readonly value: T;
}

export class IdbMeta {
  constructor(private readonly db: StateDb) {}
  get<T>(key: MetaKey): Promise<T | undefined> {
    return this.db.get('meta', key) as Promise<T | undefined>;
  }
  async set(key: MetaKey, value: unknown): Promise<void> {
    await this.db.put('meta', value, key);
  }
}
