/**
 * The sync worker (issue 19): keeps the given accounts in sync while no Outlook is open. A run is
 * triggered by Microsoft Graph change notifications for the synchronized calendar and task list
 * (graph-watch.ts), by a change of the user's CRM collections on the gateway (`crmChanged`, wired to
 * the gateway's `onChange`), by the full check every `fullCheckMs`, and once at start. Runs go through
 * the scheduler (bursts coalesced, one run per account at a time) and are the same runs as the pane's
 * (sync-job.ts), on the account's shared state and lease.
 *
 * Not built yet (issue 19 stays open): tokens for the server (on-behalf-of, application permissions: the
 * Graph token source is given), the PostgreSQL job queue across several processes, and the interval
 * from the profile.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { compilePolicy } from '../core/sync/policy.js';
import { GraphWatch } from './graph-watch.js';
import { accountKey, Scheduler } from './scheduler.js';
import { accountApi, mirroredProfile, runServerSync, type Account, type ServerSyncOptions } from './sync-job.js';

export interface WorkerOptions extends ServerSyncOptions {
  /**
   * The accounts the add-in has mirrored a profile for (the gateway's SyncAccounts.profiles); the
   * worker keeps those whose profile has "Keep synchronizing when Outlook is closed" on.
   */
  readonly accounts: () => Promise<readonly Account[]>;
  /** The worker's HTTPS listener for Graph's notifications (127.0.0.1 in tests and the demo). */
  readonly listen: { readonly host: string; readonly port: number; readonly tls: { key: string; cert: string } };
  /** The listener's address as Graph reaches it (default: the bound one). */
  readonly publicUrl?: string;
  /** A full check of every account this often (default: daily). */
  readonly fullCheckMs?: number;
  /** How often subscriptions are renewed when due (default: hourly). */
  readonly renewCheckMs?: number;
  /** Quiet time after a trigger (default 1 s). */
  readonly debounceMs?: number;
  /** Told of every run's end and of problems, for the gateway's log (never a token). */
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface RunningWorker {
  readonly url: string;
  readonly scheduler: Scheduler;
  readonly watch: GraphWatch;
  /** The accounts kept in sync now. */
  kept(): readonly Account[];
  /** A user's CRM collection changed: their accounts' runs are due. */
  crmChanged(user: string): void;
  /** An Outlook saved the account's settings: the folders they name are watched, and a run is due. */
  profileSaved(user: string, mailbox: string): void;
  close(): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function startSyncWorker(o: WorkerOptions): Promise<RunningWorker> {
  const log = o.log ?? (() => undefined);
  const scheduler = new Scheduler({
    run: (account) => runServerSync(account, o),
    ...(o.debounceMs !== undefined && { debounceMs: o.debounceMs }),
    onRun: (account, outcome, reasons) =>
      log({
        at: new Date().toISOString(),
        level: outcome.ok ? 'info' : 'warning',
        user: account.user,
        mailbox: account.mailbox,
        run: outcome.ok ? 'done' : message(outcome.error),
        reasons,
      }),
  });
  let base = '';
  const watch = new GraphWatch({
    graph: o.graph,
    get notificationUrl() {
      return `${o.publicUrl ?? base}/graph/notify`;
    },
    get lifecycleUrl() {
      return `${o.publicUrl ?? base}/graph/lifecycle`;
    },
    onChange: (account, reason) => scheduler.trigger(account, reason),
    ...(o.fetch && { fetch: o.fetch }),
    ...(o.clock && { clock: o.clock }),
  });
  const server = https.createServer(o.listen.tls, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://worker').pathname;
    if (req.method === 'POST' && (path === '/graph/notify' || path === '/graph/lifecycle'))
      return watch.handle(req, res, path === '/graph/lifecycle');
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  base = `https://${o.listen.host}:${(server.address() as AddressInfo).port}`;

  /** The accounts kept in sync, by user and mailbox. */
  const kept = new Map<string, Account>();
  /**
   * Reads the account's mirrored profile: with "Keep synchronizing when Outlook is closed" on, the
   * folders it names are watched (a new folder replaces the old one's subscription) and, for an account
   * not kept before, a run is due; off, the account is let go (subscriptions deleted).
   */
  const start = async (account: Account) => {
    // (The pane mirrors its settings at every run too: only an account newly kept gets a run now.)
    const known = kept.has(accountKey(account));
    try {
      const profile = await mirroredProfile((await accountApi(account, o)).api);
      if (!profile || !compilePolicy(profile, Date.now()).triggers.onServer) {
        if (kept.delete(accountKey(account))) await watch.unwatch(account);
        return;
      }
      kept.set(accountKey(account), account);
      await watch.watch(account, profile);
    } catch (error) {
      log({ at: new Date().toISOString(), level: 'warning', user: account.user, problem: message(error) });
    }
    if (!known && kept.has(accountKey(account))) scheduler.trigger(account, 'settings', 0);
  };
  await Promise.all((await o.accounts()).map(start));

  const full = setInterval(
    () => kept.forEach((a) => scheduler.trigger(a, 'full check')),
    o.fullCheckMs ?? 24 * 3_600_000,
  );
  const renew = setInterval(() => void watch.renewDue(), o.renewCheckMs ?? 3_600_000);
  return {
    url: base,
    scheduler,
    watch,
    kept: () => [...kept.values()],
    crmChanged: (user) => kept.forEach((a) => a.user === user && scheduler.trigger(a, 'crm change')),
    profileSaved: (user, mailbox) => void start({ user, mailbox }),
    async close() {
      clearInterval(full);
      clearInterval(renew);
      await scheduler.stop();
      await watch.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}
