/**
 * One synchronization run: resolve the journal, read both sides, plan, execute, report
 * (DESIGN.md §4). A failed read stops the run before anything is written (rule 1).
 *
 * (Over 350 lines, on purpose: runSync is one sequence of steps — recovery, folder change, read
 * scope, reads, plan, writes, log, tokens, retention — whose order is the safety argument (nothing is
 * written before both reads succeeded; tokens move only after the writes). The steps that stand alone
 * live elsewhere: policy.ts, recover.ts, folders.ts, read.ts, plan.ts, execute.ts, report.ts.)
 */
import { errorRef, FolderChangedError, SyncCancelledError, SyncError } from '../errors.js';
import { logLine } from '../log-messages.js';
import type { Profile } from '../profile/profile.js';
import type { ErrorLog, History, RecheckRef, StatusStore, UserExit } from '../ports/state.js';
import type { StorePort } from '../ports/store.js';
import { unaccounted as accountFor } from './account.js';
import type { PendingAction } from './actions.js';
import { withTargets } from './confirm.js';
import { executeActions } from './execute.js';
import { subjectLine } from './failure-log.js';
import { plan, policyAllows, type PlanOptions } from './plan.js';
import { compilePolicy, SCOPE_TOKEN, type SyncPolicy } from './policy.js';
import { capDue } from './caps.js';
import { changeFolders, endUnpaired, folderChanges, folderToken, folderTokens, type FolderChoice } from './folders.js';
import { readSide, tokenKey } from './read.js';
import {
  count,
  waitLine,
  grouped,
  lineOf,
  ofAction,
  targetOf,
  type SkipGroup,
  type SyncReport,
  type WaitingGroup,
} from './report.js';
import { resolveJournal } from './recover.js';
import type { PairStatus } from './status.js';
import type { ItemKind, Side } from './types.js';

export type SyncPhase = 'recover' | 'read-outlook' | 'read-crm' | 'plan' | 'write' | 'done';

export interface SyncDeps {
  readonly stores: Readonly<Record<Side, Partial<Record<ItemKind, StorePort>>>>;
  readonly state: StatusStore;
  readonly log: ErrorLog;
  readonly history: History;
  readonly clock: () => number;
  readonly userExit?: UserExit;
  /** Days the history keeps overwritten and deleted versions (default 30). */
  readonly historyRetentionDays?: number;
  readonly onProgress?: (p: { readonly phase: SyncPhase; readonly done: number; readonly total: number }) => void;
  /** A store for another folder of the same mailbox: moving the synchronized items (see folders.ts). */
  readonly storeIn?: (side: Side, kind: ItemKind, folder: string) => StorePort;
}

export interface RunOptions extends PlanOptions {
  /** Plan only: return what a sync would do, write nothing ("Preview"). */
  readonly dryRun?: boolean;
  /**
   * "Cancel" (an AbortSignal; the core names only what it reads of it): before the writes the run
   * stops with SyncCancelledError; during them, the writes under way (at most WRITES_AT_ONCE, sent
   * together) finish and no others start. The read tokens then stay where they were, so the next run
   * reads the same changes again and does what is left (what was done is in the status table).
   */
  readonly signal?: { readonly aborted: boolean };
  /**
   * The user's answer when the Outlook calendar or To Do list changed while items are synchronized with
   * the old one (FolderChangedError): move them there, or start a new pairing (see folders.ts).
   */
  readonly folderChange?: FolderChoice;
}

export type { ErrorGroup, SkipGroup, SyncReport, WaitingGroup, WriteLine } from './report.js';

export async function runSync(deps: SyncDeps, profile: Profile, options: RunOptions = {}): Promise<SyncReport> {
  const startedAt = deps.clock();
  // The profile stops here: everything below reads the policy compiled for this run's start.
  const policy = compilePolicy(profile, startedAt);
  const progress = (phase: SyncPhase, done = 0, total = 0) => deps.onProgress?.({ phase, done, total });
  const kinds = [...policy.kinds];
  const storesOf = (side: Side) => kinds.map((k) => deps.stores[side][k]).filter((s): s is StorePort => !!s);
  const storeFor = (side: Side, kind: ItemKind) => {
    const s = deps.stores[side][kind];
    if (!s) throw new SyncError('internal', { detail: `no ${side} store for ${kind}s is configured` });
    return s;
  };
  const userExit = policy.userExit !== undefined ? deps.userExit : undefined;
  const raws = new Map<string, unknown>();
  const execDeps = {
    store: storeFor,
    state: deps.state,
    log: deps.log,
    history: deps.history,
    clock: deps.clock,
    ...(userExit && { userExit }),
    raw: (side: Side, id: string) => raws.get(`${side}:${id}`),
    cancelled: () => options.signal?.aborted === true,
    run: startedAt,
  };

  progress('recover');
  let state = await deps.state.load();
  // The journal was written for the folders the pairs are in: a write it finishes goes there, not to
  // another folder the profile names since (that change is asked and carried out after it).
  const journalFolder = (side: Side, kind: ItemKind) => {
    const folder = side === 'outlook' ? state.tokens[folderToken(kind)] : undefined;
    return folder !== undefined && deps.storeIn && folder !== deps.stores.outlook[kind]?.folder
      ? deps.storeIn('outlook', kind, folder)
      : storeFor(side, kind);
  };
  const recoveredActions = options.dryRun
    ? []
    : await resolveJournal(
        state.journal,
        state.rows,
        new Map(state.failures.map((f) => [f.pairKey, f])),
        { ...execDeps, store: journalFolder },
        (a) => policyAllows(policy, a),
      );
  const recovered = recoveredActions.length;
  if (recovered || state.journal.length) state = await deps.state.load();

  // Another Outlook folder than the pairs were made in: nothing is read until the user chooses.
  const moves = folderChanges(state, deps.stores.outlook, kinds);
  if (moves.length) {
    if (options.dryRun || !options.folderChange) throw new FolderChangedError(moves);
    // The pairs change under both sides' read tokens: every run reads in full until one has finished
    // (a run that fails after the move or the new pairing must not leave the next one incremental).
    await deps.state.commit({ tokens: { [SCOPE_TOKEN]: null } });
    await changeFolders(moves, options.folderChange, state, {
      state: deps.state,
      log: deps.log,
      history: deps.history,
      clock: deps.clock,
      store: (kind) => storeFor('outlook', kind),
      ...(deps.storeIn && { storeIn: (kind: ItemKind, folder: string) => deps.storeIn!('outlook', kind, folder) }),
    });
    state = await deps.state.load();
  }
  // The folders the pairs are made in are named before the first write, not after the run: a run that
  // dies after its first pairs must leave the next one able to tell a change of folder (point 10).
  const named = folderTokens(deps.stores.outlook, kinds);
  const unnamed = Object.entries(named).filter(([k, folder]) => state.tokens[k] !== folder);
  // Another folder than before with nothing synchronized in it (else a move or a new pairing was
  // chosen above): the old folder's read token says nothing about the new one (a delta link is one
  // calendar's or list's), so that kind is read in full — dropped with the renaming, in one commit, so a
  // run that dies after it still reads in full next time.
  const refolded = kinds.filter((kind) => {
    const was = state.tokens[folderToken(kind)];
    return was !== undefined && named[folderToken(kind)] !== undefined && was !== named[folderToken(kind)];
  });
  // (The CRM side of that kind too: a retry the change ends held CRM copies that are new items now.)
  const foreign = Object.fromEntries(
    refolded.flatMap((kind) => [
      [tokenKey('outlook', kind), null],
      [tokenKey('crm', kind), null],
    ]),
  );
  if (unnamed.length && !options.dryRun) {
    for (const kind of refolded) await endUnpaired({ kind, from: state.tokens[folderToken(kind)]! }, state, deps);
    await deps.state.commit({ tokens: { ...Object.fromEntries(unnamed), ...foreign } });
    state = await deps.state.load();
  }

  const { window, scope } = policy;
  // Another scope than the read tokens were taken in: read everything once (see policy.ts).
  const sameScope = state.tokens[SCOPE_TOKEN] === scope;
  // (After a folder change too: the pairs changed under both sides' tokens.)
  // (Preview does not commit the renaming: it leaves out the foreign tokens itself.)
  const tokens =
    sameScope && !moves.length ? Object.fromEntries(Object.entries(state.tokens).filter(([k]) => !(k in foreign))) : {};
  // New settings may let a refused item through (attendee updates on, another folder): try again.
  const refusedKeys = sameScope ? [] : state.failures.filter((f) => f.refusedHash !== undefined).map((f) => f.pairKey);
  if (refusedKeys.length && !options.dryRun) {
    await deps.state.commit({ failuresClear: refusedKeys });
    state = await deps.state.load();
  }
  const rows = new Map(state.rows.map((r) => [r.key, r]));
  const sidesOf = (r: PairStatus | undefined, only?: (s: Side) => boolean): RecheckRef[] =>
    (['outlook', 'crm'] as const).flatMap((side) =>
      r?.[side] && (!only || only(side)) ? [{ side, kind: r.kind, id: r[side]!.id }] : [],
    );
  const recheck: RecheckRef[] = [
    ...state.failures.flatMap((f) => f.recheck),
    // Held changes wait for the profile to let them cross: read again every run (rule 8, point 9);
    // copies that stayed in the folder before are read by their id (point 10).
    ...state.rows.flatMap((r) =>
      r.outlook?.held || r.crm?.held || r.outlook?.pinned ? sidesOf(r, (s) => !!(r[s]?.held || r[s]?.pinned)) : [],
    ),
    // Pending items stay until the user decides: their copies are read again (see pendingCopies).
    ...state.pending.flatMap((p) => pendingCopies(p, rows.get(p.pairKey), sidesOf)),
  ];
  // Series whose cap is due to move on: their sources are read so the planner can write them again.
  const years = policy.seriesYears;
  const refresh = state.rows.flatMap((r) =>
    capDue(r.cap, years, startedAt) ? sidesOf(r, (s) => s !== r.cap!.side) : [],
  );
  progress('read-outlook');
  const outlook = await readSide('outlook', storesOf('outlook'), tokens, state.rows, recheck, window, refresh);
  progress('read-crm');
  const crm = await readSide('crm', storesOf('crm'), tokens, state.rows, recheck, window, refresh);
  for (const [side, read] of [
    ['outlook', outlook],
    ['crm', crm],
  ] as const) {
    for (const [id, raw] of read.raw) raws.set(`${side}:${id}`, raw);
  }
  const unreadable = [...outlook.unreadable, ...crm.unreadable];
  if (!options.dryRun)
    for (const u of unreadable)
      await deps.log.append({
        at: startedAt,
        level: 'error',
        side: u.side,
        ...logLine('unreadable', { side: u.side, kind: u.kind, id: u.id, detail: u.error }),
      });

  progress('plan');
  const planned = plan(state.rows, outlook.snapshot, crm.snapshot, policy, {
    ...options,
    pendingKeys: new Set(state.pending.map((p) => p.pairKey)),
  });
  // (What Pending shows of a confirmation's target: a read that fails shows less, it stops nothing.)
  const pending = await withTargets(planned.pending, { outlook: outlook.snapshot, crm: crm.snapshot }, storeFor).catch(
    () => [...planned.pending],
  );
  const notSynchronized: SkipGroup[] = grouped(
    planned.skipped,
    (x) => `${x.reason.code}|${x.reason.from ?? ''}|${x.reason.detail ?? ''}`,
    (x) => ({ reason: x.reason }),
    (x) => x,
  );
  const lost = accountFor(state.rows, { outlook: outlook.snapshot, crm: crm.snapshot }, planned);
  if (!options.dryRun) {
    // Every item the profile keeps out is in the log with its reason, one line per reason (point 15).
    for (const g of notSynchronized)
      await deps.log.append({
        at: startedAt,
        level: 'info',
        ...logLine('not-synchronized', {
          items: g.count,
          reason: g.reason.code,
          changedIn: g.reason.from ?? '',
          detail: g.reason.detail ?? '',
        }),
        subject: subjectLine(g.subjects, g.count),
        count: g.count,
        pairKeys: g.pairKeys,
      });
    for (const u of lost)
      await deps.log.append({
        at: startedAt,
        level: 'warning',
        side: u.side,
        subject: u.subject,
        ...logLine('unaccounted', { side: u.side, id: u.id }),
      });
  }
  const stats = () =>
    (['outlook', 'crm'] as const)
      .flatMap((s) => Object.values(deps.stores[s]))
      .reduce(
        (acc, s) => {
          const st = s?.stats?.();
          return { requests: acc.requests + (st?.requests ?? 0), bytes: acc.bytes + (st?.bytes ?? 0) };
        },
        { requests: 0, bytes: 0 },
      );

  const written = { outlook: { created: 0, updated: 0, deleted: 0 }, crm: { created: 0, updated: 0, deleted: 0 } };
  if (options.dryRun) {
    progress('done');
    return {
      startedAt,
      durationMs: deps.clock() - startedAt,
      dryRun: true,
      plan: planned,
      written,
      conflictsResolved: 0,
      pending,
      errors: [],
      unreadable: unreadable.map(({ side, id, error }) => ({ side, id, error })),
      notSynchronized,
      unaccounted: lost,
      deferred: 0,
      waiting: [],
      errorGroups: [],
      vetoed: 0,
      recovered: 0,
      ...stats(),
    };
  }

  if (options.signal?.aborted) throw new SyncCancelledError();
  progress('write', 0, planned.actions.length);
  const result = await executeActions(
    planned.actions,
    rows,
    new Map(state.failures.map((f) => [f.pairKey, f])),
    execDeps,
    (done, total) => progress('write', done, total),
  );
  for (const a of [...recoveredActions, ...result.done]) count(written, a);
  const done = [...recoveredActions, ...result.done].flatMap(lineOf);
  const waiting: WaitingGroup[] = grouped(
    result.deferred,
    (d) => `${d.cause}|${targetOf(d.action)}|${d.cause === 'refused' ? '' : (d.detail ?? '')}`,
    (d) => ({
      cause: d.cause,
      ...(targetOf(d.action) && { side: targetOf(d.action) }),
      ...(d.detail && d.cause !== 'refused' && { detail: d.detail }),
      ...(d.error && { error: d.error }),
    }),
    ofAction,
  );
  // Every item that waits is in the log with its reason (point 15), one line per cause; refusals were
  // logged when they happened, and a pair's later write waits with its earlier one.
  for (const w of waiting) {
    const line = waitLine(w);
    if (line)
      await deps.log.append({
        at: startedAt,
        level: 'warning',
        ...line,
        subject: subjectLine(w.subjects, w.count),
        ...(w.side && { side: w.side }),
        count: w.count,
        pairKeys: w.pairKeys,
      });
  }
  // Tokens advance even when an item failed or waits: those items are read again through `recheck`.
  // A cancelled run keeps the old tokens: what it did not start is read and planned again.
  await deps.state.commit({
    ...(!result.notStarted && {
      tokens: {
        ...outlook.tokens,
        ...crm.tokens,
        [SCOPE_TOKEN]: scope,
        ...folderTokens(deps.stores.outlook, kinds),
      },
    }),
    pending,
  });
  await prune(deps, policy, startedAt);
  progress('done', planned.actions.length, planned.actions.length);
  return {
    startedAt,
    durationMs: deps.clock() - startedAt,
    dryRun: false,
    plan: planned,
    written,
    done,
    conflictsResolved: result.done.filter(
      (a) =>
        a.reason.code === 'conflict-policy' ||
        a.reason.code === 'conflict-decided' ||
        a.reason.code === 'modify-delete-policy',
    ).length,
    pending,
    errors: result.failed.map(({ action, error }) => ({ pairKey: action.pairKey, subject: action.subject, error })),
    unreadable: unreadable.map(({ side, id, error }) => ({ side, id, error })),
    notSynchronized,
    unaccounted: lost,
    deferred: result.deferred.length,
    waiting,
    errorGroups: grouped(
      result.failed,
      (f) => `${targetOf(f.action)}|${f.error}`,
      (f) => ({ error: f.error, ...(targetOf(f.action) && { side: targetOf(f.action) }) }),
      ofAction,
    ),
    vetoed: result.vetoed.length,
    recovered,
    ...stats(),
    ...(result.notStarted && { cancelled: { notStarted: result.notStarted } }),
  };
}

/**
 * The copies a pending item waits on, read again every run: the pair's status sides (a deletion the last
 * run reported is not reported twice by an incremental read, point 11), the versions it shows, and
 * the action's source and target (a first-sync pair waiting for confirmation has no status row yet,
 * and its target read alone would look new: a duplicate).
 */
function pendingCopies(
  p: PendingAction,
  row: PairStatus | undefined,
  sidesOf: (r: PairStatus | undefined) => RecheckRef[],
): RecheckRef[] {
  const a = p.action;
  return [
    ...sidesOf(row),
    ...(['outlook', 'crm'] as const).flatMap((side) => {
      const e = p[side];
      return e ? [{ side, kind: e.item.kind, id: e.id }] : [];
    }),
    ...(a && 'source' in a ? [{ side: a.source.side, kind: a.kind, id: a.source.id }] : []),
    ...(a && (a.type === 'update' || a.type === 'delete') ? [{ side: a.target, kind: a.kind, id: a.id }] : []),
  ];
}

export const HISTORY_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/** Retention: the history (30 days by default) and the error log (the profile's days). */
async function prune(deps: SyncDeps, policy: SyncPolicy, now: number): Promise<void> {
  const historyDays = deps.historyRetentionDays ?? HISTORY_RETENTION_DAYS;
  try {
    await deps.history.prune(now - historyDays * DAY_MS);
    await deps.log.prune(now - policy.logRetentionDays * DAY_MS);
  } catch (error) {
    // Housekeeping never fails a sync that has written: it is tried again after the next run.
    await deps.log
      .append({
        at: now,
        level: 'warning',
        ...logLine('retention-failed', { detail: error instanceof Error ? error.message : String(error) }),
        ...(errorRef(error) && { error: errorRef(error) }),
      })
      .catch(() => undefined);
  }
}
