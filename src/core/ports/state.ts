/**
 * Ports for what the engine keeps between runs: the status table with its journal (transactional),
 * the error log, the history of overwritten versions, and the user-exit hook.
 */
import type { Item } from '../model/item.js';
import type { Action, PendingAction } from '../sync/actions.js';
import type { PairStatus } from '../sync/status.js';
import type { ItemKind, Side } from '../sync/types.js';
import type { ErrorRef } from '../errors.js';
import type { LogCode } from '../log-messages.js';

/** An intent written before its write (DESIGN.md §4, step 3). */
export interface JournalEntry {
  readonly id: string;
  readonly action: Action;
  readonly startedAt: number;
}

/** An item to read again next run although its store may not report it as changed. */
export interface RecheckRef {
  readonly side: Side;
  readonly kind: ItemKind;
  readonly id: string;
}

/** A pair whose last write failed: retried with backoff; its source item is read again next run. */
export interface FailureRecord {
  readonly pairKey: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string;
  readonly recheck: readonly RecheckRef[];
  /**
   * The target refused this content for good (CannotSynchronizeError): not retried while the source's
   * content hash is this one. Cleared when the settings that decide a run's scope change.
   */
  readonly refusedHash?: string;
}

export interface SyncState {
  readonly rows: readonly PairStatus[];
  /** Read tokens per store, keyed `${side}:${kind}`. */
  readonly tokens: Readonly<Record<string, string>>;
  readonly journal: readonly JournalEntry[];
  readonly failures: readonly FailureRecord[];
  /** Confirmations and conflicts waiting for the user, as the last run left them. */
  readonly pending: readonly PendingAction[];
}

/** One atomic change of the sync state: all of it is applied, or none. */
export interface StateChange {
  readonly upsert?: readonly PairStatus[];
  readonly remove?: readonly string[];
  readonly tokens?: Readonly<Record<string, string | null>>;
  readonly journalAdd?: readonly JournalEntry[];
  readonly journalDone?: readonly string[];
  readonly failures?: readonly FailureRecord[];
  readonly failuresClear?: readonly string[];
  /** Replaces the pending list. */
  readonly pending?: readonly PendingAction[];
}

export interface StatusStore {
  load(): Promise<SyncState>;
  commit(change: StateChange): Promise<void>;
}

export type LogLevel = 'error' | 'warning' | 'info';

export interface LogEntry {
  readonly at: number;
  readonly level: LogLevel;
  /** English text: the export's, the search's, and the pane's when it has no translation (entries of 0.2). */
  readonly message: string;
  /** The line in the catalogue (log-messages.ts), which the pane translates with `params`. */
  readonly code?: LogCode;
  readonly params?: Readonly<Record<string, string | number>>;
  /** The error behind the line, as the catalogue has it (errors.ts), for the pane to translate. */
  readonly error?: ErrorRef;
  readonly pairKey?: string;
  readonly subject?: string;
  readonly side?: Side;
  readonly action?: Action['type'];
  readonly cause?: string;
  /** One line for many items that failed the same way: how many (their first subjects in `subject`). */
  readonly count?: number;
  /** The pair keys of every item a line for many items covers (the viewer can list them). */
  readonly pairKeys?: readonly string[];
}

export interface ErrorLog {
  append(entry: LogEntry): Promise<void>;
  /** Several lines in one write, in order (a chunk's writes); a log without it gets them one by one. */
  appendAll?(entries: readonly LogEntry[]): Promise<void>;
  /** Removes entries older than `before` (seed: error log retention); returns how many. */
  prune(before: number): Promise<number>;
}

/** A version that was overwritten or deleted, kept so the user can restore it (rule 5). */
export interface HistoryEntry {
  readonly at: number;
  readonly pairKey: string;
  readonly side: Side;
  readonly kind: ItemKind;
  readonly item: Item;
  readonly reason: string;
}

/**
 * One write a run made, kept after it so that the run can be undone (issue 18, "a way back"): for as
 * long as the history keeps its entries, with them. `before` is the version the write replaced or
 * deleted (an update, a deletion); the copy's id and version after the write say whether anyone
 * changed it since (an undo never overwrites a later change). `row` is the pair's status before the run.
 */
export interface RunWrite {
  /** The run: its start (`RunRecord.at`). */
  readonly run: number;
  readonly at: number;
  readonly pairKey: string;
  readonly kind: ItemKind;
  /** The side written. */
  readonly side: Side;
  readonly subject: string;
  readonly write: 'create' | 'update' | 'delete';
  /** The copy written: its id (a creation's new one) and its version after the write (none after a deletion). */
  readonly id: string;
  readonly version?: string;
  readonly before?: Item;
  /** The pair's status row before the run; null: the run made the pair. */
  readonly row: PairStatus | null;
}

/** What the history holds: versions kept before they were overwritten or deleted, and runs' writes. */
export type HistoryRecord = HistoryEntry | RunWrite;

export const isRunWrite = (r: HistoryRecord): r is RunWrite => 'write' in r;

export interface History {
  put(entry: HistoryEntry): Promise<void>;
  /** A chunk's writes, after them (undoing a run); a history without it keeps none (no undo). */
  putWrites?(writes: readonly RunWrite[]): Promise<void>;
  /** Removes entries older than `before`; returns how many. */
  prune(before: number): Promise<number>;
}

/** What the pane reads of the history: the versions kept (Restore) and a run's writes (Undo). */
export interface HistoryReader {
  /** The versions kept, newest first. */
  versions(limit?: number): Promise<HistoryEntry[]>;
  /** Every write of the run that started at `run`. */
  writesOf(run: number): Promise<RunWrite[]>;
}

/**
 * The user exit (seed, Miscellaneous: "Use User Exits"): called for every item the sync carries from
 * one side to the other, in both directions (creations and updates, also when an interrupted run's
 * write is finished), with the canonical item and the source's raw representation. It returns the
 * item to write, or `null` to keep this item from crossing (logged, nothing written; it is offered
 * again when it next changes). An exit that throws fails that item only (rule 9).
 *
 * `direction` keeps the names of version 0.2 although the engine now calls the CRM side `crm`: it is
 * the contract with the organisation's own user-exits.js, which an update must not break silently (an
 * exit that filtered `outlook-to-mobile` would let everything through).
 */
export type UserExit = (call: {
  readonly direction: 'outlook-to-mobile' | 'mobile-to-outlook';
  readonly item: Item;
  readonly raw: unknown;
}) => Item | null | Promise<Item | null>;
