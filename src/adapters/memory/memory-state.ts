/** In-memory implementations of the status store, error log and history ports. */
import type {
  ErrorLog,
  History,
  RunWrite,
  HistoryEntry,
  LogEntry,
  StateChange,
  StatusStore,
  SyncState,
} from '../../core/ports/state.js';

const EMPTY: SyncState = { rows: [], tokens: {}, journal: [], failures: [], pending: [] };

/** Applies a state change; pure, so an implementation can apply it atomically. */
export function applyStateChange(s: SyncState, c: StateChange): SyncState {
  const rows = new Map(s.rows.map((r) => [r.key, r]));
  for (const key of c.remove ?? []) rows.delete(key);
  for (const r of c.upsert ?? []) rows.set(r.key, r);
  const tokens: Record<string, string> = { ...s.tokens };
  for (const [k, v] of Object.entries(c.tokens ?? {})) {
    if (v === null) delete tokens[k];
    else tokens[k] = v;
  }
  const done = new Set(c.journalDone ?? []);
  const journal = [...s.journal, ...(c.journalAdd ?? [])].filter((j) => !done.has(j.id));
  const failures = new Map(s.failures.map((f) => [f.pairKey, f]));
  for (const key of c.failuresClear ?? []) failures.delete(key);
  for (const f of c.failures ?? []) failures.set(f.pairKey, f);
  return {
    rows: [...rows.values()],
    tokens,
    journal,
    failures: [...failures.values()],
    pending: c.pending ?? s.pending,
  };
}

export class MemoryStatusStore implements StatusStore {
  state: SyncState = EMPTY;
  /** Fault hook: throw to make a commit fail before anything of it is applied (a crash). */
  beforeCommit?: (change: StateChange) => void;

  async load(): Promise<SyncState> {
    return this.state;
  }

  async commit(change: StateChange): Promise<void> {
    this.beforeCommit?.(change);
    this.state = applyStateChange(this.state, change);
  }
}

export class MemoryLog implements ErrorLog {
  readonly entries: LogEntry[] = [];
  async append(entry: LogEntry): Promise<void> {
    this.entries.push(entry);
  }
  async prune(before: number): Promise<number> {
    const keep = this.entries.filter((e) => e.at >= before);
    const removed = this.entries.length - keep.length;
    this.entries.splice(0, this.entries.length, ...keep);
    return removed;
  }
}

export class MemoryHistory implements History {
  readonly entries: HistoryEntry[] = [];
  /** The runs' writes (undoing a run). */
  readonly writes: RunWrite[] = [];
  async put(entry: HistoryEntry): Promise<void> {
    this.entries.push(entry);
  }
  async putWrites(writes: readonly RunWrite[]): Promise<void> {
    this.writes.push(...structuredClone(writes));
  }
  async prune(before: number): Promise<number> {
    const keep = this.entries.filter((e) => e.at >= before);
    const keepWrites = this.writes.filter((e) => e.at >= before);
    const removed = this.entries.length - keep.length + this.writes.length - keepWrites.length;
    this.entries.splice(0, this.entries.length, ...keep);
    this.writes.splice(0, this.writes.length, ...keepWrites);
    return removed;
  }
}
