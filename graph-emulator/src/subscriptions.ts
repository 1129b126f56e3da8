/**
 * Change notifications (webhooks) as Microsoft Graph delivers them, for the mailboxes of the emulator:
 * subscriptions to a calendar's events or a To Do list's tasks, the notification URL's validation,
 * notifications of created, updated and deleted items with the subscription's clientState, renewal,
 * expiry, and lifecycle notifications (sent on demand by tests: reauthorizationRequired,
 * subscriptionRemoved, missed). Each rule cites its page of the Graph documentation:
 *
 * - subscription resource and its maximum lengths:
 *   https://learn.microsoft.com/graph/api/resources/subscription
 * - create / update / delete / reauthorize: https://learn.microsoft.com/graph/api/subscription-post-subscriptions,
 *   …/subscription-update, …/subscription-delete, …/subscription-reauthorize
 * - validation and delivery: https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
 * - lifecycle notifications: https://learn.microsoft.com/graph/change-notifications-lifecycle-events
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { GraphError, type Json } from './mailbox.js';

/** A change in a mailbox that a subscription may be told about. */
export interface MailboxChange {
  readonly mailbox: string;
  readonly kind: 'event' | 'task';
  readonly changeType: 'created' | 'updated' | 'deleted';
  readonly id: string;
  /** The event's calendar or the task's list. */
  readonly container: string;
  /** The item's version after the change (events: changeKey; tasks: its sequence). */
  readonly etag?: string;
}

export interface Subscription {
  readonly id: string;
  readonly mailbox: string;
  readonly resource: string;
  readonly kind: 'event' | 'task';
  /** The calendar or list; undefined: the default calendar (`me/events`). */
  readonly container?: string;
  readonly changeType: string;
  notificationUrl: string;
  readonly lifecycleNotificationUrl?: string;
  readonly clientState?: string;
  expirationDateTime: string;
  /** A reauthorizationRequired was sent and not answered yet. */
  reauthorizationPending?: boolean;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface SubscriptionOptions {
  /** The emulator's time (tests move it on to expire subscriptions). */
  readonly clock?: () => number;
  /** Certificates to trust for the notification URLs (a development CA), besides the system's. */
  readonly ca?: string;
  /** The calendar `me/events` means (the mailbox's default calendar). */
  readonly defaultCalendar: (mailbox: string) => string | undefined;
  /** Whether a calendar or list exists in the mailbox. */
  readonly exists: (mailbox: string, kind: 'event' | 'task', container: string) => boolean;
  /** Attempts of one delivery before it counts as missed (Graph retries for up to 4 hours). */
  readonly attempts?: number;
  /** Milliseconds before the first retry; doubled each time (Graph: exponential backoff). */
  readonly retryMs?: number;
}

/** https://learn.microsoft.com/graph/api/resources/subscription, "Maximum length of subscription per resource type". */
export const MAX_MINUTES = { event: 10_080, task: 4_230 } as const;
/** The tenant id the emulator's notifications carry. */
export const EMULATOR_TENANT = '00000000-0000-0000-0000-00000000e1e1';

const RESOURCE_PATTERNS: readonly { re: RegExp; kind: 'event' | 'task'; container?: number }[] = [
  { re: /^\/?(?:me|users\/[^/]+)\/events$/i, kind: 'event' },
  { re: /^\/?(?:me|users\/[^/]+)\/calendars\/([^/]+)\/events$/i, kind: 'event', container: 1 },
  { re: /^\/?(?:me|users\/[^/]+)\/todo\/lists\/([^/]+)\/tasks$/i, kind: 'task', container: 1 },
];
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

/** Answer of one POST to a notification or lifecycle URL. */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

export class Subscriptions {
  private readonly all = new Map<string, Subscription>();
  private readonly clock: () => number;
  /** Deliveries under way (tests wait for them: `settled()`). */
  private readonly pending = new Set<Promise<void>>();
  /** Notifications posted, by subscription id (tests count them). */
  readonly delivered: { subscriptionId: string; changeType: string; id: string }[] = [];

  constructor(private readonly options: SubscriptionOptions) {
    this.clock = options.clock ?? Date.now;
  }

  private post(url: string, body: string, contentType: string, timeoutMs: number): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const lib = u.protocol === 'https:' ? https : http;
      const req = lib.request(
        u,
        {
          method: 'POST',
          headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
          timeout: timeoutMs,
          ...(u.protocol === 'https:' && this.options.ca && { ca: this.options.ca }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              contentType: String(res.headers['content-type'] ?? ''),
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * The validation request: Graph POSTs to the URL with `?validationToken=…` and expects, within 10
   * seconds, 200 OK with the token as plain text (change-notifications-delivery-webhooks, "Notification
   * endpoint validation").
   */
  private async validate(url: string): Promise<void> {
    const token = `Validation: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    let answer: Answer;
    try {
      answer = await this.post(target.toString(), '', 'text/plain; charset=utf-8', 10_000);
    } catch (error) {
      throw new GraphError(
        400,
        'ValidationError',
        `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (${(error as Error).message})`,
      );
    }
    if (answer.status !== 200 || answer.body !== token || !/^text\/plain/i.test(answer.contentType))
      throw new GraphError(
        400,
        'ValidationError',
        `Subscription validation request failed. Notification endpoint must respond with 200 OK and the validation token as text/plain (got ${answer.status}).`,
      );
  }

  private expiry(kind: 'event' | 'task', value: unknown): string {
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at)) throw new GraphError(400, 'InvalidRequest', 'expirationDateTime is required (ISO 8601).');
    const now = this.clock();
    if (at <= now) throw new GraphError(400, 'InvalidRequest', 'Subscription expiration must be in the future.');
    if (at > now + MAX_MINUTES[kind] * 60_000)
      throw new GraphError(
        400,
        'InvalidRequest',
        `Subscription expiration can only be ${MAX_MINUTES[kind]} minutes in the future.`,
      );
    return new Date(at).toISOString();
  }

  private own(mailbox: string, id: string): Subscription {
    const s = this.all.get(id);
    if (!s || s.mailbox !== mailbox || Date.parse(s.expirationDateTime) <= this.clock())
      throw new GraphError(404, 'ResourceNotFound', `The object was not found: subscription ${id}.`);
    return s;
  }

  /** POST /subscriptions (subscription-post-subscriptions): 201 with the subscription. */
  async create(mailbox: string, body: Json): Promise<Json> {
    const resource = String(body.resource ?? '');
    const match = RESOURCE_PATTERNS.map((p) => ({ p, m: p.re.exec(resource) })).find((x) => x.m);
    if (!match)
      throw new GraphError(400, 'InvalidRequest', `The resource '${resource}' does not support change notifications.`);
    const kind = match.p.kind;
    const container =
      match.p.container !== undefined ? match.m![match.p.container]! : this.options.defaultCalendar(mailbox);
    if (!container || !this.options.exists(mailbox, kind, container))
      throw new GraphError(404, 'ResourceNotFound', `The resource '${resource}' was not found.`);
    const changeType = String(body.changeType ?? '');
    if (!changeType || !changeType.split(',').every((c) => CHANGE_TYPES.has(c.trim())))
      throw new GraphError(
        400,
        'InvalidRequest',
        'changeType must be created, updated, deleted or a comma-separated list.',
      );
    const notificationUrl = String(body.notificationUrl ?? '');
    // The notification URL must be HTTPS (subscription resource: notificationUrl).
    if (!/^https:\/\//i.test(notificationUrl))
      throw new GraphError(400, 'InvalidRequest', 'notificationUrl must use HTTPS.');
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl === undefined ? undefined : String(body.lifecycleNotificationUrl);
    if (lifecycleNotificationUrl !== undefined && !/^https:\/\//i.test(lifecycleNotificationUrl))
      throw new GraphError(400, 'InvalidRequest', 'lifecycleNotificationUrl must use HTTPS.');
    const clientState = body.clientState === undefined ? undefined : String(body.clientState);
    if (clientState !== undefined && clientState.length > 128)
      throw new GraphError(400, 'InvalidRequest', 'clientState is limited to 128 characters.');
    const expirationDateTime = this.expiry(kind, body.expirationDateTime);
    await this.validate(notificationUrl);
    if (lifecycleNotificationUrl) await this.validate(lifecycleNotificationUrl);
    const s: Subscription = {
      id: randomUUID(),
      mailbox,
      resource,
      kind,
      ...(container !== undefined && { container }),
      changeType,
      notificationUrl,
      ...(lifecycleNotificationUrl && { lifecycleNotificationUrl }),
      ...(clientState !== undefined && { clientState }),
      expirationDateTime,
    };
    this.all.set(s.id, s);
    return this.json(s);
  }

  /** GET /subscriptions/{id}. */
  get(mailbox: string, id: string): Json {
    return this.json(this.own(mailbox, id));
  }

  /** GET /subscriptions: the caller's active subscriptions. */
  list(mailbox: string): Json {
    const now = this.clock();
    return {
      value: [...this.all.values()]
        .filter((s) => s.mailbox === mailbox && Date.parse(s.expirationDateTime) > now)
        .map((s) => this.json(s)),
    };
  }

  /** PATCH /subscriptions/{id} (subscription-update): a new expiry and/or notification URL; also reauthorizes. */
  async update(mailbox: string, id: string, body: Json): Promise<Json> {
    const s = this.own(mailbox, id);
    const expirationDateTime =
      body.expirationDateTime === undefined ? undefined : this.expiry(s.kind, body.expirationDateTime);
    if (body.notificationUrl !== undefined) {
      const url = String(body.notificationUrl);
      if (!/^https:\/\//i.test(url)) throw new GraphError(400, 'InvalidRequest', 'notificationUrl must use HTTPS.');
      await this.validate(url);
      s.notificationUrl = url;
    }
    if (expirationDateTime) s.expirationDateTime = expirationDateTime;
    s.reauthorizationPending = false;
    return this.json(s);
  }

  /** DELETE /subscriptions/{id}. */
  delete(mailbox: string, id: string): void {
    this.own(mailbox, id);
    this.all.delete(id);
  }

  /** POST /subscriptions/{id}/reauthorize (subscription-reauthorize): 204. */
  reauthorize(mailbox: string, id: string): void {
    this.own(mailbox, id).reauthorizationPending = false;
  }

  private json(s: Subscription): Json {
    return {
      id: s.id,
      resource: s.resource,
      changeType: s.changeType,
      notificationUrl: s.notificationUrl,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
      clientState: s.clientState ?? null,
      expirationDateTime: s.expirationDateTime,
      applicationId: null,
      creatorId: s.mailbox,
      latestSupportedTlsVersion: 'v1_2',
      notificationContentType: 'application/json',
      includeResourceData: false,
    };
  }

  /**
   * A change in a mailbox: every active subscription to its calendar or list whose changeType names
   * it gets a notification (a changeNotificationCollection of one; clientState as set).
   */
  changed(change: MailboxChange): void {
    const now = this.clock();
    for (const s of this.all.values()) {
      if (s.mailbox !== change.mailbox || s.kind !== change.kind || s.container !== change.container) continue;
      if (Date.parse(s.expirationDateTime) <= now) continue;
      if (!s.changeType.split(',').some((c) => c.trim() === change.changeType)) continue;
      const path =
        change.kind === 'event'
          ? `Users/${s.mailbox}/Events/${change.id}`
          : `Users/${s.mailbox}/todo/lists/${change.container}/tasks/${change.id}`;
      const notification = {
        subscriptionId: s.id,
        subscriptionExpirationDateTime: s.expirationDateTime,
        changeType: change.changeType,
        resource: path,
        resourceData: {
          '@odata.type': change.kind === 'event' ? '#Microsoft.Graph.Event' : '#microsoft.graph.todoTask',
          '@odata.id': path,
          ...(change.etag && { '@odata.etag': `W/"${change.etag}"` }),
          id: change.id,
        },
        ...(s.clientState !== undefined && { clientState: s.clientState }),
        tenantId: EMULATOR_TENANT,
      };
      this.track(this.deliver(s, notification, change));
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /**
   * One delivery: 2xx within 3 seconds is delivered; otherwise Graph retries with exponential backoff
   * (change-notifications-delivery-webhooks, "Processing the change notification"); when it gives up,
   * the subscription's lifecycle URL hears `missed`.
   */
  private async deliver(s: Subscription, notification: Json, change: MailboxChange): Promise<void> {
    const attempts = this.options.attempts ?? 4;
    let wait = this.options.retryMs ?? 1_000;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const answer = await this.post(
          s.notificationUrl,
          JSON.stringify({ value: [notification] }),
          'application/json',
          3_000,
        );
        if (answer.status >= 200 && answer.status < 300) {
          this.delivered.push({ subscriptionId: s.id, changeType: change.changeType, id: change.id });
          return;
        }
      } catch {
        /* retried */
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
    }
    await this.lifecycle(s.id, 'missed').catch(() => undefined);
  }

  /**
   * Sends a lifecycle notification to the subscription's lifecycle URL (tests; Graph sends them on its
   * own). `subscriptionRemoved` also removes the subscription; `reauthorizationRequired` marks it until
   * the app reauthorizes or renews it.
   */
  async lifecycle(id: string, event: LifecycleEvent): Promise<void> {
    const s = this.all.get(id);
    if (!s) throw new GraphError(404, 'ResourceNotFound', `The object was not found: subscription ${id}.`);
    if (event === 'subscriptionRemoved') this.all.delete(id);
    if (event === 'reauthorizationRequired') s.reauthorizationPending = true;
    if (!s.lifecycleNotificationUrl) return;
    const body = {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: s.expirationDateTime,
          tenantId: EMULATOR_TENANT,
          ...(s.clientState !== undefined && { clientState: s.clientState }),
          lifecycleEvent: event,
        },
      ],
    };
    await this.post(s.lifecycleNotificationUrl, JSON.stringify(body), 'application/json', 3_000);
  }

  /** Makes a subscription expire now (tests): Graph stops notifying and forgets it. */
  expire(id: string): void {
    const s = this.all.get(id);
    if (s) s.expirationDateTime = new Date(this.clock() - 1).toISOString();
  }

  /** Every subscription, active or not (tests). */
  subscriptions(): readonly Subscription[] {
    return [...this.all.values()];
  }

  /** Resolves when no delivery is under way. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
