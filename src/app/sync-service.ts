/**
 * Runs the engine from the task pane: opens both sides from the saved profile (Outlook through Graph,
 * the CRM through the gateway), keeps the state with the account where the gateway offers it (else on
 * the device: state-backend.ts), and records each run for the report and the history chart. Errors
 * reaching the pane are core errors or plain messages, never a Response.
 */
import {
  IdbMeta,
  matchesLogQuery,
  type Cached,
  type CachedPart,
  type LogQuery,
  type RunRecord,
  type StateDb,
} from '../adapters/idb/idb-state.js';
import { deviceBackend, openStateBackend, type StateBackend } from './state-backend.js';
import { openCalDavStores } from '../adapters/caldav/discover.js';
import { openStores, type OpenedStores } from './open-stores.js';
import { emptyRecord, recordOf } from './run-records.js';
import { listFolders, type OutlookFolders } from '../adapters/graph/folders.js';
import { ianaZone } from '@crm-sync/common/zone-names';
import type { GraphHttp } from '../adapters/graph/graph-http.js';
import { errorRef, SyncCancelledError, SyncError, UnreachableError } from '../core/errors.js';
import { logLine } from '../core/log-messages.js';
import { validateProfile } from '@crm-sync/common/profile-validate';
import type { Profile } from '../core/profile/profile.js';
import type { Item } from '../core/model/item.js';
import type { HistoryEntry, LogEntry, StatusStore, UserExit } from '../core/ports/state.js';
import {
  planUndo,
  restoreFromOtherSide as restoreDeletedCopies,
  restoreVersion,
  undoRun,
  writeOver,
  type UndoPair,
  type UndoResult,
  type WayBackDeps,
} from '../core/sync/way-back.js';
import type { PendingAction } from '../core/sync/actions.js';
import { compilePolicy, type SyncPolicy } from '../core/sync/policy.js';
import { runSync, type RunOptions, type SyncPhase, type SyncReport } from '../core/sync/engine.js';
import type { ProfileService } from './profile-service.js';
import type { Side } from '../core/sync/types.js';

export interface SyncProgress {
  readonly phase: SyncPhase;
  readonly done: number;
  readonly total: number;
}

export interface SyncServiceOptions {
  readonly profiles: ProfileService;
  readonly db: StateDb;
  /** The Outlook mailbox the state belongs to (with the CRM user). */
  readonly mailbox: string;
  /** How other devices see this one while it runs ("Outlook on the web · 3f2a…"). */
  readonly deviceName: string;
  /** Opens the mailbox's Graph connection (Microsoft's token, or the emulator's in the demo). */
  readonly outlook: () => Promise<GraphHttp>;
  readonly addinId?: string;
  /**
   * The user's time zone as Outlook gives it (`Office.context.mailbox.userProfile.timeZone`, a Windows
   * name; in Outlook on the web the calendar's zone), for floating times. Absent: the browser's zone.
   */
  readonly userTimeZone?: () => string | undefined;
  readonly clock?: () => number;
  /** Loads the user-exit module deployed with the add-in (`user-exits.js`). */
  readonly userExits?: () => Promise<Record<string, unknown>>;
}

export type RunRequest = Pick<
  RunOptions,
  'dryRun' | 'signal' | 'approvals' | 'decisions' | 'allowMassDelete' | 'allowEmptySide' | 'folderChange'
> & {
  readonly onProgress?: (p: SyncProgress) => void;
};

/** The IANA zone floating times are shown in: Outlook's zone for the user, else the browser's, else UTC. */
export function userZone(outlookZone: string | undefined): string {
  return (outlookZone && ianaZone(outlookZone)) || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class SyncService {
  private running = false;
  private backends = new Map<string, Promise<StateBackend>>();
  private progressText = '';
  /** Whether the last read of the account's state failed (the gateway could not be reached). */
  private offline = false;

  constructor(private readonly options: SyncServiceOptions) {}

  /**
   * Where the state is for the saved gateway and logon: the account's (the gateway keeps it) or this
   * device's (none saved yet, or a CalDAV server without a place for it). Asked once per gateway and user.
   */
  async backend(): Promise<StateBackend> {
    const { profile } = await this.options.profiles.load();
    const { gatewayUrl, userId } = profile.general;
    const password = gatewayUrl && userId ? await this.options.profiles.password() : undefined;
    if (!password) return deviceBackend(this.options.db);
    // (A new password opens it anew: the old one would be refused. The key stays in memory only.)
    const key = `${gatewayUrl}|${userId}|${password}`;
    let backend = this.backends.get(key);
    if (!backend) {
      backend = openStateBackend(
        this.options.db,
        gatewayUrl,
        { username: userId, password },
        this.options.mailbox,
        this.options.deviceName,
        () => this.now(),
      );
      this.backends.set(key, backend);
      backend.catch(() => this.backends.delete(key)); // asked again next time (offline, say)
    }
    return backend;
  }

  /**
   * The error log of wherever the state is. While the gateway cannot be reached: the account's log as
   * this device last read it, with what this device logged since (a run that could not start, say).
   */
  readonly log = {
    list: async (query: LogQuery = {}): Promise<LogEntry[]> => {
      const whole = !query.levels && !query.search?.trim();
      const read = await this.readAccount('log', (b) => b.log.list(query), whole);
      if (read.live) return read.value;
      const since = read.cached?.at ?? 0;
      const own = (await deviceBackend(this.options.db).log.list(query)).filter((e) => e.at >= since);
      const kept = (read.cached?.value ?? []).filter((e) => matchesLogQuery(e, query));
      return [...own, ...kept].sort((a, b) => b.at - a.at).slice(0, query.limit ?? 500);
    },
  };

  /**
   * Reads a part of the state where it is; the account's is kept on the device too (`keep`: this
   * read is the whole part). While the gateway cannot be reached: the copy kept, and when it was read.
   */
  private async readAccount<T>(
    part: CachedPart,
    read: (backend: StateBackend) => Promise<T>,
    keep = true,
  ): Promise<{ live: true; value: T } | { live: false; cached?: Cached<T> }> {
    const meta = new IdbMeta(this.options.db);
    const source = await this.source();
    try {
      const backend = await this.backend();
      const value = await read(backend);
      if (backend.where === 'account' && keep)
        await meta.set(`account-cache:${part}`, { at: this.now(), source, value } satisfies Cached<T>);
      this.offline = false;
      return { live: true, value };
    } catch (error) {
      // Only a gateway that cannot be reached shows the copy, and the pane says so; any other refusal
      // (a changed password, say) is not passed off as "offline": the lists stay empty, as before.
      if (!(error instanceof UnreachableError)) return { live: false };
      this.offline = true;
      const cached = await meta.get<Cached<T>>(`account-cache:${part}`);
      return { live: false, ...(cached?.source === source && { cached }) };
    }
  }

  /** Whose state a copy kept on the device is: the gateway and CRM user the settings name. */
  private async source(): Promise<string> {
    const { general } = (await this.options.profiles.load()).profile;
    return `${general.gatewayUrl}|${general.userId}`;
  }

  /** When the account's state shown offline was read (the oldest of its parts); undefined: never. */
  async cachedAt(): Promise<number | undefined> {
    const meta = new IdbMeta(this.options.db);
    const source = await this.source();
    const parts = await Promise.all(
      (['pending', 'runs', 'log', 'subjects'] as const).map((p) => meta.get<Cached<unknown>>(`account-cache:${p}`)),
    );
    const at = parts.filter((c) => c?.source === source).map((c) => c!.at);
    return at.length ? Math.min(...at) : undefined;
  }

  get busy(): boolean {
    return this.running;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /**
   * The stores of both sides for `profile` (a read-only calendar is refused by name), and a store for
   * another Outlook folder with the same options (moving the synchronized items after a folder change).
   */
  private async stores(policy: SyncPolicy, password: string): Promise<OpenedStores> {
    return openStores(policy, await this.options.outlook(), {
      crm: { credentials: { username: policy.crm.userId, password } },
      floatingZone: userZone(this.options.userTimeZone?.()),
      ...(this.options.addinId && { addinId: this.options.addinId }),
    });
  }

  /** One run; only one at a time per pane. */
  async run(request: RunRequest = {}): Promise<SyncReport> {
    if (this.running) throw new SyncError('sync-running', {});
    this.running = true;
    const startedAt = this.now();
    let backend: StateBackend | undefined;
    try {
      const { profile, password, policy } = await this.savedSettings(startedAt);
      const { onProgress, ...options } = request;
      const userExit = policy.userExit !== undefined ? await this.userExit(policy.userExit) : undefined;
      backend = await this.backend();
      // One run at a time per account: another device's run makes this one wait (sync-elsewhere).
      this.progressText = '';
      const turn = await backend.begin(() => this.progressText);
      try {
        await this.mirror(backend, profile);
        const report = await runSync(
          {
            ...(await this.stores(policy, password)),
            state: turn.status,
            log: backend.log,
            history: backend.history,
            clock: () => this.now(),
            onProgress: (p) => {
              this.progressText = `${p.phase}${p.total ? ` ${p.done}/${p.total}` : ''}`;
              onProgress?.(p);
            },
            ...(userExit && { userExit }),
          },
          profile,
          options,
        );
        if (!report.dryRun) await backend.runs.add(recordOf(report));
        await this.pending();
        return report;
      } finally {
        await turn.end();
      }
    } catch (error) {
      if (!request.dryRun) await this.recordFailure(backend, startedAt, error);
      throw error;
    } finally {
      this.running = false;
    }
  }

  /** The saved settings a run (or a way back) works with; incomplete ones or no password stop it by name. */
  private async savedSettings(at: number): Promise<{ profile: Profile; password: string; policy: SyncPolicy }> {
    const { profile } = await this.options.profiles.load();
    const findings = validateProfile(profile);
    if (findings.length)
      throw new SyncError('settings-incomplete', { fields: findings.map((f) => f.field).join(', ') });
    const password = await this.options.profiles.password();
    if (!password) throw new SyncError('no-password', {});
    return { profile, password, policy: compilePolicy(profile, at) };
  }

  /**
   * Copies the saved profile to the gateway (issue 15: the account's work there reads it); called
   * after the settings are saved and at every run. A copy that fails is a warning in the log: the
   * settings apply here all the same, and the next run copies them again.
   */
  async mirrorProfile(): Promise<void> {
    const backend = await this.backend();
    await this.mirror(backend, (await this.options.profiles.load()).profile);
  }

  private async mirror(backend: StateBackend, profile: Profile): Promise<void> {
    try {
      await backend.mirrorProfile(profile);
    } catch (error) {
      await backend.log.append({
        at: this.now(),
        level: 'warning',
        ...logLine('profile-not-mirrored', { detail: message(error) }),
        ...(errorRef(error) && { error: errorRef(error) }),
      });
    }
  }

  /** A run that stopped: in the run reports and the log (the device's, when the account's cannot be reached). */
  private async recordFailure(backend: StateBackend | undefined, startedAt: number, error: unknown): Promise<void> {
    const failure = error instanceof SyncCancelledError ? 'cancelled' : message(error);
    const record = (b: StateBackend) =>
      Promise.all([
        b.runs.add({
          ...emptyRecord(startedAt, this.now() - startedAt),
          failure,
          ...(errorRef(error) && { failureError: errorRef(error) }),
        }),
        !(error instanceof SyncCancelledError) &&
          b.log.append({
            at: startedAt,
            level: 'error',
            ...logLine('run-stopped', { detail: failure }),
            ...(errorRef(error) && { error: errorRef(error) }),
          }),
      ]);
    const device = deviceBackend(this.options.db);
    await record(backend ?? device).catch(() => record(device));
  }

  /** The method the settings name, from the user-exit module; a missing one stops the run by name. */
  private async userExit(method: string): Promise<UserExit> {
    let module: Record<string, unknown>;
    try {
      if (!this.options.userExits) throw new SyncError('user-exits-not-deployed', {});
      module = await this.options.userExits();
    } catch (error) {
      throw new SyncError('user-exits-missing', { detail: message(error) }, { cause: error });
    }
    const fn = module[method];
    if (typeof fn !== 'function') throw new SyncError('user-exit-not-found', { method });
    return fn as UserExit;
  }

  /**
   * Where the state is kept for the saved settings, for the pane to say: with the account, on this
   * device only (the gateway has no place for it), or unknown now (the gateway cannot be reached: the
   * last read of the lists failed — ask after them).
   */
  async stateWhere(): Promise<'account' | 'device' | 'unreachable'> {
    let where: 'account' | 'device';
    try {
      where = (await this.backend()).where;
    } catch (error) {
      // (A refused logon is not "cannot be reached": the run says what is wrong.)
      return error instanceof UnreachableError ? 'unreachable' : 'account';
    }
    return where === 'account' && this.offline ? 'unreachable' : where;
  }

  /**
   * Opens both sides as a run does, for restoring a version or undoing a run (issue 18): with the
   * account's turn when `turn` (no run of any device in between), else only to read (the preview).
   */
  private async wayBack<T>(turn: boolean, fn: (deps: WayBackDeps) => Promise<T>): Promise<T> {
    if (this.running) throw new SyncError('sync-running', {});
    this.running = true;
    try {
      const { password, policy } = await this.savedSettings(this.now());
      const backend = await this.backend();
      const { stores } = await this.stores(policy, password);
      const deps = (status: StatusStore): WayBackDeps => ({
        store: (side, kind) => {
          const s = stores[side][kind];
          if (!s) throw new SyncError('kind-not-synchronized', { kind });
          return s;
        },
        state: status,
        log: backend.log,
        history: backend.history,
        clock: () => this.now(),
      });
      if (!turn) return await fn(deps(backend.status));
      const held = await backend.begin(() => 'way-back');
      try {
        return await fn(deps(held.status));
      } finally {
        await held.end();
      }
    } finally {
      this.running = false;
    }
  }

  /** The versions the history keeps (Restore), the newest 1,000 (the gateway's page), newest first. */
  async versions(): Promise<HistoryEntry[]> {
    return (await this.backend()).history.versions(1000);
  }

  /** What undoing the run that started at `run` would do, pair by pair (nothing is written). */
  async previewUndo(run: number): Promise<UndoPair[]> {
    const writes = await (await this.backend()).history.writesOf(run);
    return this.wayBack(false, (deps) => planUndo(writes, deps));
  }

  /**
   * Undoes the run that started at `run`: every pair it wrote whose copies nobody changed since. The
   * caller has put those pairs on the exception list first (see way-back.ts).
   */
  async undo(run: number): Promise<UndoResult> {
    const writes = await (await this.backend()).history.writesOf(run);
    return this.wayBack(true, (deps) => undoRun(writes, deps));
  }

  /** The mass-delete stop's "restore them": the pairs' copies deleted on `deletedOn` created again there. */
  async restoreFromOtherSide(keys: readonly string[], deletedOn: Side): Promise<{ restored: number; left: number }> {
    return this.wayBack(true, (deps) => restoreDeletedCopies(keys, deletedOn, deps));
  }

  /**
   * The conflict screen's merge: `merged` written over the conflict's Outlook copy (if nobody changed it
   * since the run that held the conflict); a run deciding the conflict for Outlook then carries it over.
   */
  async merge(conflict: PendingAction, merged: Item): Promise<void> {
    const at = conflict.outlook;
    if (!at || !conflict.crm) throw new SyncError('internal', { detail: 'only a conflict of two versions merges' });
    return this.wayBack(true, (deps) => writeOver('outlook', at, merged, conflict.pairKey, deps));
  }

  /** Writes a version the history keeps to `side`; the next run carries it to the other side. */
  async restore(entry: HistoryEntry, side: Side): Promise<void> {
    return this.wayBack(true, (deps) => restoreVersion(entry, side, deps));
  }

  /** The pane's lists read the state wherever it is; while the gateway cannot be reached, the copy kept. */
  async history(): Promise<RunRecord[]> {
    const read = await this.readAccount('runs', (b) => b.runs.list());
    return read.live ? read.value : (read.cached?.value ?? []);
  }

  /** Subjects of the pairs the status table knows, by pair key (for the exception list). */
  async subjects(): Promise<ReadonlyMap<string, string>> {
    const read = await this.readAccount('subjects', async (b) =>
      (await b.status.load()).rows.map((r) => [r.key, r.subject] as [string, string]),
    );
    return new Map(read.live ? read.value : (read.cached?.value ?? []));
  }

  /**
   * The pending items (kept on the device too: the conflict dialog, which opens without the pane's
   * logon, reads them there); while the gateway cannot be reached, the copy kept.
   */
  async pending(): Promise<readonly PendingAction[]> {
    const read = await this.readAccount('pending', async (b) => (await b.status.load()).pending);
    return read.live ? read.value : (read.cached?.value ?? []);
  }

  /** The General tab's pickers. */
  async folders(): Promise<OutlookFolders> {
    return listFolders(await this.options.outlook());
  }

  /** "Test connection": logs on to the gateway with these values (nothing is saved or synced). */
  async testGateway(gatewayUrl: string, userId: string, password: string): Promise<string[]> {
    const stores = await openCalDavStores(gatewayUrl, { credentials: { username: userId, password } });
    return Object.keys(stores);
  }
}
