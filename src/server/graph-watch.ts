/**
 * Microsoft Graph change notifications for the accounts the worker keeps in sync (issue 19): one
 * subscription to the chosen calendar's events and one to the To Do list's tasks per account, their
 * notification URL answered (validation handshake, clientState checked in constant time), renewed
 * before they expire, and re-created when Graph removed them or they lapsed — after which a run
 * catches up through delta (Graph does not replay missed notifications).
 *
 * Rules followed: https://learn.microsoft.com/graph/change-notifications-delivery-webhooks (validation:
 * echo the token as text/plain within 10 s; answer notifications 2xx within 3 s, work afterwards;
 * check clientState) and https://learn.microsoft.com/graph/change-notifications-lifecycle-events
 * (reauthorizationRequired: renew or reauthorize; subscriptionRemoved: create a new one and resync;
 * missed: resync).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { listCalendars, listTaskLists } from '../adapters/graph/folders.js';
import { GraphHttp, type TokenSource } from '../adapters/graph/graph-http.js';
import { chooseFolder } from '../app/open-stores.js';
import type { Profile } from '../core/profile/profile.js';
import { compilePolicy } from '../core/sync/policy.js';
import type { Account } from './sync-job.js';

/** Lifetimes asked for (Graph's longest: 10,080 minutes for events, 4,230 for To Do tasks), less a margin. */
export const LIFETIME_MS = { event: (10_080 - 60) * 60_000, task: (4_230 - 60) * 60_000 } as const;

/** The largest notification POST read (Graph sends at most a few hundred notifications at once). */
const MAX_BODY = 1024 * 1024;

export interface GraphWatchOptions {
  readonly graph: (account: Account) => { readonly baseUrl: string; readonly token: TokenSource };
  /** The worker's public HTTPS addresses Graph posts to. */
  readonly notificationUrl: string;
  readonly lifecycleUrl: string;
  /** Something changed for the account (a run is due). */
  readonly onChange: (account: Account, reason: string) => void;
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
}

interface Watched {
  readonly account: Account;
  readonly kind: 'event' | 'task';
  readonly resource: string;
  readonly clientState: string;
  id: string;
  expiresAt: number;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class GraphWatch {
  /** By subscription id. */
  private readonly subs = new Map<string, Watched>();
  /** Notifications refused (unknown subscription or wrong clientState), for the worker's log and tests. */
  refused = 0;

  constructor(private readonly options: GraphWatchOptions) {}

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private http(account: Account): GraphHttp {
    return new GraphHttp({ ...this.options.graph(account), ...(this.options.fetch && { fetch: this.options.fetch }) });
  }

  /** The account's subscriptions (tests). */
  subscriptionsOf(account: Account): readonly Watched[] {
    return [...this.subs.values()].filter(
      (s) => s.account.user === account.user && s.account.mailbox === account.mailbox,
    );
  }

  /**
   * Subscribes to the folders `profile` synchronizes (the calendar and/or the task list). Subscriptions
   * to folders it no longer names are deleted; those it still names are kept.
   */
  async watch(account: Account, profile: Profile): Promise<void> {
    const http = this.http(account);
    const policy = compilePolicy(profile, this.now());
    const wanted: { kind: 'event' | 'task'; resource: string }[] = [];
    if (policy.kinds.has('activity')) {
      const calendar = chooseFolder(await listCalendars(http), policy.outlook.calendarId, 'activity');
      wanted.push({ kind: 'event', resource: `me/calendars/${calendar.id}/events` });
    }
    if (policy.kinds.has('task')) {
      const list = chooseFolder(await listTaskLists(http), policy.outlook.taskListId, 'task');
      wanted.push({ kind: 'task', resource: `me/todo/lists/${list.id}/tasks` });
    }
    const held = this.subscriptionsOf(account);
    for (const s of held) if (!wanted.some((w) => w.resource === s.resource)) await this.drop(s);
    for (const w of wanted)
      if (!held.some((s) => s.resource === w.resource)) await this.subscribe(account, w.kind, w.resource);
  }

  /** Deletes the account's subscriptions (the user turned the worker off). */
  async unwatch(account: Account): Promise<void> {
    for (const s of this.subscriptionsOf(account)) await this.drop(s);
  }

  private async subscribe(account: Account, kind: 'event' | 'task', resource: string): Promise<void> {
    const clientState = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + LIFETIME_MS[kind];
    const r = await this.http(account).request<{ id: string }>('POST', '/subscriptions', {
      changeType: 'created,updated,deleted',
      notificationUrl: this.options.notificationUrl,
      lifecycleNotificationUrl: this.options.lifecycleUrl,
      resource,
      expirationDateTime: new Date(expiresAt).toISOString(),
      clientState,
    });
    this.subs.set(r.body.id, { account, kind, resource, clientState, id: r.body.id, expiresAt });
  }

  private async drop(s: Watched): Promise<void> {
    this.subs.delete(s.id);
    await this.http(s.account)
      .request('DELETE', `/subscriptions/${s.id}`)
      .catch(() => undefined);
  }

  /** A subscription gone (removed by Graph, expired): a new one, and a run to catch up. */
  private async recreate(s: Watched, reason: string): Promise<void> {
    this.subs.delete(s.id);
    await this.subscribe(s.account, s.kind, s.resource);
    this.options.onChange(s.account, reason);
  }

  /**
   * Renews every subscription with less than half its lifetime left (PATCH expirationDateTime); one
   * that Graph no longer knows is created anew and its account synchronized (delta catches up).
   */
  async renewDue(): Promise<void> {
    const now = this.now();
    for (const s of [...this.subs.values()]) {
      if (s.expiresAt - now > LIFETIME_MS[s.kind] / 2) continue;
      const expiresAt = now + LIFETIME_MS[s.kind];
      try {
        await this.http(s.account).request('PATCH', `/subscriptions/${s.id}`, {
          expirationDateTime: new Date(expiresAt).toISOString(),
        });
        s.expiresAt = expiresAt;
      } catch {
        await this.recreate(s, 'subscription lapsed').catch(() => undefined);
      }
    }
  }

  /** The notifications or lifecycle notifications of a POST, those of our subscriptions with their clientState. */
  private accepted(body: unknown): { s: Watched; n: Record<string, unknown> }[] {
    const value = (body as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(value)) return [];
    const out: { s: Watched; n: Record<string, unknown> }[] = [];
    for (const n of value as Record<string, unknown>[]) {
      const s = this.subs.get(String(n.subscriptionId));
      if (s && typeof n.clientState === 'string' && sameSecret(n.clientState, s.clientState)) out.push({ s, n });
      else this.refused++;
    }
    return out;
  }

  /**
   * The HTTP handler of the notification and lifecycle URLs (`lifecycle`: which one). Answers at once;
   * the work (a run, a new subscription) follows.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse, lifecycle: boolean): void {
    const token = new URL(req.url ?? '/', 'https://worker').searchParams.get('validationToken');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // (Graph's collections are small; a larger body is not Graph's: it is not kept, and refused.)
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.writeHead(413);
        return res.end();
      }
      if (token !== null) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        return res.end(token);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400);
        return res.end();
      }
      res.writeHead(202);
      res.end();
      for (const { s, n } of this.accepted(body)) {
        if (!lifecycle) {
          this.options.onChange(s.account, `outlook ${String(n.changeType)}`);
          continue;
        }
        const event = String(n.lifecycleEvent);
        if (event === 'subscriptionRemoved') void this.recreate(s, 'subscription removed').catch(() => undefined);
        else if (event === 'missed') this.options.onChange(s.account, 'notifications missed');
        else if (event === 'reauthorizationRequired')
          void this.http(s.account)
            .request('POST', `/subscriptions/${s.id}/reauthorize`)
            .catch(() => this.recreate(s, 'reauthorization failed'))
            .catch(() => undefined);
      }
    });
  }

  /** Deletes every subscription (the worker stops). */
  async stop(): Promise<void> {
    for (const s of [...this.subs.values()]) await this.drop(s);
  }
}
