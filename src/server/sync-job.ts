/**
 * One user's synchronization run on the server (issue 19): the same pure engine and the same Graph
 * and CalDAV store adapters as the task pane, the profile the pane mirrored to the gateway, and the
 * account's shared state with its lease — so a server run and an Outlook run never overlap (the second
 * to come waits: SyncError 'sync-elsewhere'), and the pane shows this run's report, pending items and
 * log lines as its own.
 */
import { DavHttp, type DavCredentials, type DavHttpOptions } from '../adapters/caldav/dav-http.js';
import { GatewayStatusStore, StateApi, StateLease } from '../adapters/gateway-state/gateway-state.js';
import { accountRecords } from '../app/state-backend.js';
import { GraphHttp, type TokenSource } from '../adapters/graph/graph-http.js';
import { openStores } from '../app/open-stores.js';
import { emptyRecord, recordOf } from '../app/run-records.js';
import { validateProfile } from '@crm-sync/common/profile-validate';
import { errorRef, SyncError } from '../core/errors.js';
import { logLine } from '../core/log-messages.js';
import type { Profile } from '../core/profile/profile.js';
import { runSync, type SyncReport } from '../core/sync/engine.js';
import { compilePolicy } from '../core/sync/policy.js';

/** A CRM user and the Outlook mailbox their state belongs to (the gateway's account). */
export interface Account {
  readonly user: string;
  readonly mailbox: string;
}

export interface ServerSyncOptions {
  /** The gateway's CalDAV address as the server reaches it (it may differ from the users' one). */
  readonly gatewayUrl: string;
  /** How the worker logs on to the gateway as `user` (an app token of the gateway). */
  readonly crmCredentials: (user: string) => Promise<DavCredentials>;
  /** Microsoft Graph for the mailbox: its address and the token source (on-behalf-of, app, or the emulator's). */
  readonly graph: (account: Account) => { readonly baseUrl: string; readonly token: TokenSource };
  /** How other devices see this run while it holds the account's turn ("server · host"). */
  readonly holder: string;
  /** The zone floating times are read in (default UTC: the server has no Outlook to ask). */
  readonly floatingZone?: string;
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** How the worker reaches an account at the gateway: the logon's options and the account's state API. */
export async function accountApi(
  account: Account,
  o: Pick<ServerSyncOptions, 'gatewayUrl' | 'crmCredentials' | 'fetch'>,
): Promise<{ api: StateApi; dav: DavHttpOptions }> {
  const dav = { credentials: await o.crmCredentials(account.user), ...(o.fetch && { fetch: o.fetch }) };
  return { api: new StateApi(o.gatewayUrl, account.mailbox, new DavHttp(dav)), dav };
}

/** The profile the pane mirrored to the gateway; undefined: none yet (the user has not saved settings). */
export async function mirroredProfile(api: StateApi): Promise<Profile | undefined> {
  const r = await api.request('GET', '/profile');
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw api.refused('GET /state/profile', r);
  return (JSON.parse(r.text) as { profile: Profile }).profile;
}

/**
 * Runs the account's synchronization once; undefined when no Outlook has saved settings for it yet or
 * they do not ask for the server's synchronization.
 * Throws SyncError 'sync-elsewhere' while another run (an Outlook's, another server's) holds the
 * account; a run that fails is in the account's run reports and log, as the pane's are.
 */
export async function runServerSync(account: Account, o: ServerSyncOptions): Promise<SyncReport | undefined> {
  const clock = o.clock ?? Date.now;
  const { api, dav } = await accountApi(account, o);
  const { runs, log, history } = accountRecords(api);
  const profile = await mirroredProfile(api);
  const startedAt = clock();
  const policy = profile && compilePolicy(profile, startedAt);
  // (No settings saved from an Outlook yet, or "Keep synchronizing when Outlook is closed" is off:
  // nothing to run, and nothing to report as a failure.)
  if (!profile || !policy?.triggers.onServer) return undefined;
  const findings = validateProfile(profile);
  if (findings.length) throw new SyncError('settings-incomplete', { fields: findings.map((f) => f.field).join(', ') });
  // (The CRM is reached at the server's own address for the gateway, not the one the user typed.)
  const serverPolicy = { ...policy, crm: { ...policy.crm, gatewayUrl: o.gatewayUrl } };
  const graph = o.graph(account);
  const http = new GraphHttp({ ...graph, maxInFlight: 4, ...(o.fetch && { fetch: o.fetch }) });
  const lease = new StateLease(api, o.holder);
  let progress = '';
  await lease.take(() => progress);
  try {
    const report = await runSync(
      {
        ...(await openStores(serverPolicy, http, { crm: dav, floatingZone: o.floatingZone ?? 'UTC' })),
        state: new GatewayStatusStore(api, lease.current as () => string),
        log,
        history,
        clock,
        onProgress: (p) => {
          progress = `${p.phase}${p.total ? ` ${p.done}/${p.total}` : ''}`;
        },
      },
      profile,
    );
    await runs.add(recordOf(report));
    return report;
  } catch (error) {
    await Promise.all([
      runs.add({
        ...emptyRecord(startedAt, clock() - startedAt),
        failure: message(error),
        ...(errorRef(error) && { failureError: errorRef(error) }),
      }),
      log.append({
        at: startedAt,
        level: 'error',
        ...logLine('run-stopped', { detail: message(error) }),
        ...(errorRef(error) && { error: errorRef(error) }),
      }),
    ]).catch(() => undefined);
    throw error;
  } finally {
    await lease.give();
  }
}
