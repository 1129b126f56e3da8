/**
 * Where the sync state lives (issue 15). With the reference gateway: with the account, in the
 * gateway's state API, shared by every Outlook the user runs, one run at a time (its lease); a device
 * that kept its own state (version 0.2) hands it over on its first run there. With a CalDAV server
 * that has no place for it (Radicale, Nextcloud, …): on the device, in IndexedDB, as before — a second
 * Outlook's first run is then a first synchronization (the pane and the README say so).
 */
import { DavHttp, type DavCredentials } from '../adapters/caldav/dav-http.js';
import {
  GatewayHistory,
  GatewayLog,
  GatewayRecords,
  GatewayStatusStore,
  StateApi,
  StateLease,
} from '../adapters/gateway-state/gateway-state.js';
import {
  IdbHistory,
  IdbLog,
  IdbMeta,
  IdbRuns,
  IdbStatusStore,
  type LogQuery,
  type RunRecord,
  type StateDb,
} from '../adapters/idb/idb-state.js';
import type { ErrorLog, History, HistoryReader, LogEntry, StatusStore } from '../core/ports/state.js';
import type { Profile } from '../core/profile/profile.js';
import { handover, holdsState } from '../core/sync/handover.js';

export interface StateBackend {
  /** `account`: the gateway keeps it for every device; `device`: this browser's IndexedDB only. */
  readonly where: 'account' | 'device';
  readonly log: ErrorLog & { list(query?: LogQuery): Promise<LogEntry[]> };
  readonly history: History & HistoryReader;
  readonly runs: { add(run: RunRecord): Promise<void>; list(): Promise<RunRecord[]> };
  /** The state for reading (the pane's lists). */
  readonly status: StatusStore;
  /**
   * Begins a run: takes the account's turn (or throws SyncError 'sync-elsewhere'), hands this device's
   * own state over once, and gives the status store the run writes through; `end` gives the turn back.
   */
  begin(progress: () => string): Promise<{ status: StatusStore; end(): Promise<void> }>;
  /** Copies the profile to where the state is, for the gateway's own work (the account's only). */
  mirrorProfile(profile: Profile): Promise<void>;
}

export function deviceBackend(db: StateDb): StateBackend {
  const status = new IdbStatusStore(db);
  return {
    where: 'device',
    log: new IdbLog(db),
    history: new IdbHistory(db),
    runs: new IdbRuns(db),
    status,
    begin: async () => ({ status, end: async () => undefined }),
    mirrorProfile: async () => undefined,
  };
}

/** The device's note that its own state went to the account (it is handed over once). */
interface HandedOver {
  readonly at: number;
  readonly to: string;
}

/** The account's log, history and run reports on the gateway, and its state for reading. */
export function accountRecords(api: StateApi): Pick<StateBackend, 'log' | 'history' | 'runs' | 'status'> {
  return {
    log: new GatewayLog(api),
    history: new GatewayHistory(api),
    runs: new GatewayRecords<RunRecord>(api, 'runs'),
    status: new GatewayStatusStore(api),
  };
}

export function accountBackend(api: StateApi, db: StateDb, holder: string, clock: () => number): StateBackend {
  const meta = new IdbMeta(db);
  return {
    where: 'account',
    ...accountRecords(api),
    async begin(progress) {
      const lease = new StateLease(api, holder);
      await lease.take(progress);
      try {
        const status = new GatewayStatusStore(api, lease.current as () => string);
        const account = await status.load();
        const done = await meta.get<HandedOver>(`handover:${api.base}`);
        if (!done) {
          const own = await new IdbStatusStore(db).load();
          const change = holdsState(own) ? handover(account, own) : undefined;
          if (change) await status.commit(change);
          await meta.set(`handover:${api.base}`, { at: clock(), to: api.base } satisfies HandedOver);
        }
        return { status, end: () => lease.give() };
      } catch (error) {
        await lease.give();
        throw error;
      }
    },
    mirrorProfile: (profile) => api.mirrorProfile(profile),
  };
}

/**
 * The backend for a gateway and logon: the account's when the gateway keeps sync state, else the
 * device's. A gateway that cannot be asked (offline) is an error, not a silent switch to the device:
 * a run on the device's state next to the account's would be the first sync this issue removes.
 */
export async function openStateBackend(
  db: StateDb,
  gatewayUrl: string,
  credentials: DavCredentials,
  mailbox: string,
  holder: string,
  clock: () => number,
): Promise<StateBackend> {
  const api = new StateApi(gatewayUrl, mailbox, new DavHttp({ credentials }));
  return (await api.available()) ? accountBackend(api, db, holder, clock) : deviceBackend(db);
}
