/**
 * Execute phase: each action is journaled before its write and its status committed after it, in one
 * state change (DESIGN.md §4, step 3). One item's failure never stops the others (rule 9): it goes to
 * the error log with its cause and is retried in later runs with backoff. Before an overwrite or a
 * delete the target's previous version goes into the history (rule 5).
 */
import {
  errorRef,
  type ErrorRef,
  CannotSynchronizeError,
  PreconditionFailedError,
  ThrottledError,
  UnreachableError,
  UserExitError,
} from '../errors.js';
import { logLine } from '../log-messages.js';
import { FailureLog } from './failure-log.js';
import { contentHash } from '../model/content-hash.js';
import type { Item } from '../model/item.js';
import type {
  ErrorLog,
  FailureRecord,
  History,
  JournalEntry,
  LogEntry,
  RecheckRef,
  RunWrite,
  StateChange,
  StatusStore,
  UserExit,
} from '../ports/state.js';
import type { StorePort } from '../ports/store.js';
import { actionId, type Action } from './actions.js';
import { nextChunk, seriesLast } from './chunks.js';
import { readTargets, VETOED, write, type Removed, type Written } from './write.js';
import { stripCap } from './caps.js';
import { factsOf, UNKNOWN_VERSION, withPin, type PairStatus } from './status.js';
import type { ItemKind, Side } from './types.js';

export interface ExecuteDeps {
  readonly store: (side: Side, kind: ItemKind) => StorePort;
  readonly state: StatusStore;
  readonly log: ErrorLog;
  readonly history: History;
  readonly clock: () => number;
  readonly userExit?: UserExit;
  /** Raw source representations read this run, by side and id (for user exits). */
  readonly raw?: (side: Side, id: string) => unknown;
  /** Finishing the journal of an interrupted run: a creation that finds its item leaves it as it is. */
  readonly recovering?: boolean;
  /** True once the user cancelled: no further chunk of writes starts (the one under way finishes). */
  readonly cancelled?: () => boolean;
  /** Recovery: the interrupted run's journal entry an action finishes, closed with its result. */
  readonly earlierJournal?: (a: Action) => string | undefined;
  /** The run the writes belong to (its start): they are kept in the history to undo it. */
  readonly run?: number;
}

export interface ExecuteResult {
  readonly done: readonly Action[];
  /** Actions the user exit kept from crossing (it returned null). */
  readonly vetoed: readonly Action[];
  /** Failed writes, with when they are tried again (absent: when the item changes). */
  readonly failed: readonly { readonly action: Action; readonly error: string; readonly retryAt?: number }[];
  /** Actions not attempted, and why. */
  readonly deferred: readonly Deferred[];
  /** Actions not started because the run was cancelled. */
  readonly notStarted: number;
}

/**
 * Why an action was not attempted this run (issue 13, point 13): its pair is in backoff after a
 * failure; it "cannot be synchronized" and did not change; its target side asked to slow down or could
 * not be reached earlier in this run; an earlier action of the same pair did not happen.
 */
export type DeferCause = 'backoff' | 'refused' | 'slow-down' | 'unreachable' | 'after-earlier';

export interface Deferred {
  readonly action: Action;
  readonly cause: DeferCause;
  /** When it is tried again (absent: when the item changes, or with its pair's earlier action). */
  readonly retryAt?: number;
  /** The error that put it there, for backoff and refusals. */
  readonly detail?: string;
  /** That error in the catalogue, where this run saw it (a side that asked to slow down or did not answer). */
  readonly error?: ErrorRef;
}

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 24 * 3600_000;

export const backoffDelay = (attempts: number): number =>
  Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));

const messageOf = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** The status row after a successful write of `a`. */
export function nextStatus(
  a: Action,
  row: PairStatus | undefined,
  written?: { id: string; version: string; item: Item; existing?: boolean },
): PairStatus | null {
  switch (a.type) {
    case 'status':
      return a.status;
    case 'delete':
      // Deletions only carry a deletion over from the other side: afterwards no copy is left.
      return null;
    case 'create':
    case 'update': {
      const w = written!;
      const { side, ...source } = a.source;
      // The facts are those of the item written now, not of the row's earlier content.
      const { private: _private, application: _application, cap: _cap, ...kept } = row ?? ({} as Partial<PairStatus>);
      return {
        key: a.pairKey,
        kind: a.kind,
        ...kept,
        // (After the row's fields: the subject is the one written now — Pending, the exception list and
        // the mass-delete stop name the item by it.)
        subject: w.item.subject,
        // Moving a cap on after the pair's first action this run wrote the other side: the row's
        // record of that side is newer than the plan's (the same copy, or the one it created: id '').
        [side]:
          a.reason.code === 'cap-extended' && row?.[side] && (source.id === '' || source.id === row[side]!.id)
            ? row[side]
            : withPin(row?.[side], source),
        // A repeated creation found the first call's item, maybe edited since: compare it next read.
        [a.target]: withPin(row?.[a.target], {
          id: w.id,
          version: w.existing ? UNKNOWN_VERSION : w.version,
          hash: contentHash(w.item),
        }),
        // The pair's range is that of the series as its source has it, not of the capped copy (rule 2).
        ...factsOf(a.cap ? stripCap(w.item, a.target, a.cap) : w.item),
        // The cap is the action's: a write without one (the series ended, or it is no series) leaves
        // none, else the next runs would move on a cap nobody has (not idempotent).
        ...(a.cap && { cap: a.cap }),
      } as PairStatus;
    }
  }
}

/** An action that passed its checks and is written in this chunk. */
interface Started {
  readonly a: Action;
  readonly now: number;
  readonly failure: FailureRecord | undefined;
  /** Journal entries its status closes (its own, and the interrupted run's it finishes). */
  readonly closes: readonly string[];
}

export async function executeActions(
  actions: readonly Action[],
  rows: ReadonlyMap<string, PairStatus>,
  failures: ReadonlyMap<string, FailureRecord>,
  deps: ExecuteDeps,
  onProgress?: (done: number, total: number) => void,
): Promise<ExecuteResult> {
  const done: Action[] = [];
  const vetoed: Action[] = [];
  const failed: { action: Action; error: string; retryAt?: number }[] = [];
  const deferred: Deferred[] = [];
  /** Sides that asked to slow down or did not answer this run, and until when nothing is sent to them. */
  const blocked = new Map<
    Side,
    { until: number; cause: 'slow-down' | 'unreachable'; detail: string; error: ErrorRef | undefined }
  >();
  const statusRows = new Map(rows);
  /** Pairs whose earlier action this run did not happen: their later actions wait too (in order). */
  const stopped = new Set<string>();
  const logged = new FailureLog();
  let n = 0;
  let next = 0;
  actions = seriesLast(actions);
  while (next < actions.length) {
    if (deps.cancelled?.()) break;
    const chunk = nextChunk(actions, next);
    next += chunk.length;
    const started: Started[] = [];
    const before: { journalAdd: JournalEntry[]; failures: FailureRecord[] } = { journalAdd: [], failures: [] };
    for (const a of chunk) {
      onProgress?.(n++, actions.length);
      const now = deps.clock();
      const failure = failures.get(a.pairKey);
      if (stopped.has(a.pairKey)) {
        deferred.push({ action: a, cause: 'after-earlier' });
        continue;
      }
      stopped.add(a.pairKey); // until this action is done
      const refused = failure?.refusedHash !== undefined;
      if (refused && 'source' in a && a.source.hash === failure.refusedHash) {
        // "cannot be synchronized" was said once; the same content is not tried again
        deferred.push({ action: a, cause: 'refused', detail: failure.lastError });
        continue;
      }
      if (failure && !refused && failure.nextAttemptAt > now) {
        // its failure record reads it again once the backoff is over
        deferred.push({ action: a, cause: 'backoff', retryAt: failure.nextAttemptAt, detail: failure.lastError });
        continue;
      }
      const block = 'target' in a ? blocked.get(a.target) : undefined;
      if (block) {
        // Not attempted: remembered like a failure (without counting one), so that the next run reads
        // the item again — the incremental read that reported it will not report it twice.
        deferred.push({
          action: a,
          cause: block.cause,
          retryAt: block.until,
          detail: block.detail,
          ...(block.error && { error: block.error }),
        });
        before.failures.push({
          pairKey: a.pairKey,
          attempts: failure?.attempts ?? 0,
          nextAttemptAt: block.until,
          lastError: block.detail, // as the write that failed: one cause, one line in the next report
          recheck: recheckOf(a, statusRows.get(a.pairKey)),
        });
        continue;
      }
      const journal: JournalEntry = { id: `${actionId(a)}@${now}`, action: a, startedAt: now };
      const earlier = deps.earlierJournal?.(a);
      if (a.type !== 'status') before.journalAdd.push(journal);
      started.push({
        a,
        now,
        failure,
        closes: [...(a.type !== 'status' ? [journal.id] : []), ...(earlier ? [earlier] : [])],
      });
    }
    if (before.journalAdd.length || before.failures.length)
      await deps.state.commit({
        ...(before.journalAdd.length && { journalAdd: before.journalAdd }),
        ...(before.failures.length && { failures: before.failures }),
      });
    // The targets of the chunk's updates and deletions, read for the history in one request per store.
    const targets = await readTargets(
      started.map((s) => s.a),
      deps,
    ).catch(() => undefined); // each write then reads its own, and fails on its own
    const outcomes = await Promise.all(
      started.map((s) =>
        write(s.a, deps, targets).then(
          (written) => (written === VETOED ? ({ vetoed: true } as const) : { written }),
          (error: unknown) => ({ error }),
        ),
      ),
    );
    // One commit for the chunk's results; the log lines after it, in the actions' order.
    const after = {
      journalDone: [] as string[],
      upsert: [] as PairStatus[],
      remove: [] as string[],
      failuresClear: [] as string[],
      failures: [] as FailureRecord[],
    };
    const lines: LogEntry[] = [];
    const writes: RunWrite[] = [];
    started.forEach(({ a, now, failure, closes }, i) => {
      const outcome = outcomes[i]!;
      if ('vetoed' in outcome) {
        after.journalDone.push(...closes);
        if (failure) after.failuresClear.push(a.pairKey);
        vetoed.push(a);
        lines.push({
          at: now,
          level: 'info',
          ...logLine('vetoed', { action: a.type }),
          pairKey: a.pairKey,
          subject: a.subject,
          action: a.type,
          ...('target' in a && { side: a.target }),
        });
        return;
      }
      if ('written' in outcome) {
        const w = outcome.written;
        const row = nextStatus(a, statusRows.get(a.pairKey), w && 'id' in w ? w : undefined);
        if (w && a.type !== 'status' && deps.run !== undefined)
          writes.push(runWrite(deps.run, now, a, w, rows.get(a.pairKey)));
        after.journalDone.push(...closes);
        if (row) after.upsert.push(row);
        else after.remove.push(a.pairKey);
        if (failure) after.failuresClear.push(a.pairKey);
        if (row) statusRows.set(a.pairKey, row);
        else statusRows.delete(a.pairKey);
        done.push(a);
        stopped.delete(a.pairKey);
        if (a.type !== 'status')
          lines.push({
            at: now,
            level: 'info',
            ...logLine('written', {
              action: a.type,
              side: 'target' in a ? a.target : '',
              reason: a.reason.code,
              changedIn: a.reason.from ?? '',
              detail: a.reason.detail ?? '',
            }),
            pairKey: a.pairKey,
            subject: a.subject,
            action: a.type,
            ...('target' in a && { side: a.target }),
          });
        return;
      }
      const { error } = outcome;
      const text = messageOf(error);
      const side = 'target' in a ? a.target : undefined;
      const attempts = (failure?.attempts ?? 0) + 1;
      // A precondition failure means the target moved since it was read: the next run plans again at
      // once (it becomes a conflict there); anything else backs off.
      const delay =
        error instanceof PreconditionFailedError
          ? 0
          : error instanceof ThrottledError
            ? error.retryAfterMs
            : backoffDelay(attempts);
      // Refused for good: not read again nor retried until the source changes (it is then reported).
      const refusal = error instanceof CannotSynchronizeError && 'source' in a ? a.source.hash : undefined;
      failed.push({ action: a, error: text, ...(!refusal && { retryAt: now + delay }) });
      // The side is not sent anything more this run: the rest of its writes wait (one error, not 105).
      if (error instanceof ThrottledError)
        blocked.set(error.side, { until: now + delay, cause: 'slow-down', detail: text, error: errorRef(error) });
      else if (error instanceof UnreachableError)
        blocked.set(error.side, { until: now + delay, cause: 'unreachable', detail: text, error: errorRef(error) });
      const recheck = refusal ? [] : recheckOf(a, statusRows.get(a.pairKey));
      // Whether an unexplained failure took effect is unknown (the connection may have dropped after
      // the write): its journal entry stays for the next run's recovery to resolve.
      const surelyNotWritten =
        error instanceof PreconditionFailedError ||
        error instanceof ThrottledError ||
        error instanceof UserExitError ||
        error instanceof CannotSynchronizeError ||
        a.type === 'status';
      if (surelyNotWritten) after.journalDone.push(...closes);
      after.failures.push({
        pairKey: a.pairKey,
        attempts,
        nextAttemptAt: now + delay,
        lastError: text,
        recheck,
        ...(refusal && { refusedHash: refusal }),
      });
      logged.add({
        at: now,
        level: error instanceof PreconditionFailedError ? 'warning' : 'error',
        ...(refusal
          ? logLine('refused', { items: '', detail: text })
          : logLine('write-failed', { items: '', action: a.type, detail: text })),
        ...(errorRef(error) && { error: errorRef(error) }),
        cause: text,
        pairKey: a.pairKey,
        subject: a.subject,
        action: a.type,
        ...(side && { side }),
      });
    });
    const change: StateChange = Object.fromEntries(Object.entries(after).filter(([, v]) => v.length));
    if (Object.keys(change).length) await deps.state.commit(change);
    if (writes.length && deps.history.putWrites)
      await deps.history.putWrites(writes).catch((error: unknown) =>
        lines.push({
          at: deps.clock(),
          level: 'warning',
          ...logLine('undo-not-kept', { count: writes.length, detail: messageOf(error) }),
          ...(errorRef(error) && { error: errorRef(error) }),
        }),
      );
    if (deps.log.appendAll && lines.length) await deps.log.appendAll(lines);
    else for (const line of lines) await deps.log.append(line);
  }
  await logged.flush(deps.log);
  onProgress?.(actions.length, actions.length);
  return { done, vetoed, failed, deferred, notStarted: actions.length - n };
}

/**
 * What the history keeps of a write for undoing its run: a creation that found the pair's item under
 * its key and wrote over it is an update (undoing it restores that item); a repeated creation that
 * found its own earlier item (recovery) has no known version, so an undo leaves it.
 */
function runWrite(
  run: number,
  at: number,
  a: Exclude<Action, { type: 'status' }>,
  w: Written | Removed,
  before: PairStatus | undefined,
): RunWrite {
  const base = {
    run,
    at,
    pairKey: a.pairKey,
    kind: a.kind,
    side: a.target,
    subject: a.subject,
    row: before ?? null,
    ...(w.previous && { before: w.previous }),
  };
  if ('removed' in w) return { ...base, write: 'delete', id: a.type === 'delete' ? a.id : '' };
  return {
    ...base,
    write: a.type === 'create' && !w.previous ? 'create' : 'update',
    id: w.id,
    version: w.existing ? UNKNOWN_VERSION : w.version,
  };
}

/**
 * What the next run reads again for an action that did not happen: its source, its target and both
 * sides of the pair — the change that caused it may not be reported by the next incremental read. (The
 * target counts even without a row: an update that would have paired two copies found by their keys
 * leaves both unpaired, and if its source is deleted next, the target is a new item to carry over.)
 */
function recheckOf(a: Action, row: PairStatus | undefined): RecheckRef[] {
  const refs = [
    ...('source' in a ? [{ side: a.source.side, kind: a.kind, id: a.source.id }] : []),
    ...(a.type === 'update' || a.type === 'delete' ? [{ side: a.target, kind: a.kind, id: a.id }] : []),
    ...(['outlook', 'crm'] as const).flatMap((s) => (row?.[s] ? [{ side: s, kind: a.kind, id: row[s]!.id }] : [])),
  ];
  return refs.filter((r, i) => refs.findIndex((x) => x.side === r.side && x.id === r.id) === i);
}
