/**
 * The Graph emulator: the subset of Microsoft Graph v1.0 the Outlook adapter uses, with its documented
 * semantics, on 127.0.0.1 (tests, and `npm start`'s offline demo). A bearer token `dev:<mailbox>`
 * selects the mailbox (created on first use). Each behaviour cites the page it follows.
 *
 * Control endpoints for tests (not Graph): POST /emulator/throttle {count, retryAfter, status?} makes
 * the next `count` requests — also requests inside a $batch — answer 429 (or `status`) with
 * Retry-After; POST /emulator/expire-delta?mailbox=m makes every delta token issued so far answer 410;
 * POST /emulator/subscriptions/{id}/lifecycle {event} sends a lifecycle notification and
 * POST /emulator/subscriptions/{id}/expire makes a subscription expire now (subscriptions.ts).
 *
 * (About 450 lines: the representations, delta paging and $batch are closures over the server's state
 * — mailboxes, the public address, the throttle switch; the routes are in routes.ts.)
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  GraphError,
  instantOf,
  inZone,
  Mailbox,
  newMailbox,
  type EmulatedEvent,
  type EmulatedTask,
  type DateTimeTimeZone,
  type Instance,
  type Json,
  type MailboxState,
} from './mailbox.js';
import { RecurrenceError } from './recurrence.js';
import { graphRoutes, type Reply } from './routes.js';
import { Subscriptions, type LifecycleEvent } from './subscriptions.js';

export interface GraphEmulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** Keeps the mailboxes in this JSON file (loaded at start, written after every change). */
  readonly file?: string;
  /** Page size when the client sends no `Prefer: odata.maxpagesize` (Graph's default is larger). */
  readonly defaultPageSize?: number;
  /** Serve HTTPS with this key and certificate (the demo: a page on https:// may not call http://). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Certificates trusted for change notification URLs (the development certificate), besides the system's. */
  readonly notificationCa?: string;
  /** The emulator's time for subscriptions' expiry (tests move it on; default Date.now). */
  readonly clock?: () => number;
  /** Milliseconds before a failed notification is posted again (doubled each time; default 1,000). */
  readonly notificationRetryMs?: number;
}

export interface RunningGraphEmulator {
  readonly url: string;
  /** Requests served, by method and path pattern, for tests that count calls. */
  readonly requests: { method: string; path: string }[];
  mailbox(name: string): Mailbox;
  /** Every answer waits `ms` (0: none), for tests that need a run to take its time. */
  setLatency(ms: number): void;
  /** What POST /emulator/throttle does, for tests in the same process. */
  throttle(spec: { count: number; retryAfter: number; status?: number }): void;
  /** The address clients use when it is not the bound one (nextLink and deltaLink are absolute, as Graph's). */
  setPublicUrl(url: string): void;
  /** Change notification subscriptions (tests: lifecycle notifications, expiry, deliveries). */
  readonly subscriptions: Subscriptions;
  close(): Promise<void>;
}

interface DeltaState {
  kind: 'events' | 'tasks';
  container: string;
  /** calendarView window (ms). */
  from: number;
  to: number;
  /** Changes after this sequence are reported. */
  since: number;
  /** The sequence the round is a snapshot of. */
  upTo: number;
  /** Position in the snapshot's entries (paging). */
  offset: number;
  /**
   * The round continues from a deltaLink: it reports removals. Not told by `since > 0`: a mailbox
   * that was empty at the first round has a deltaLink at position 0, and its holder must still learn
   * of deletions (https://learn.microsoft.com/graph/delta-query-overview: the deltaLink "returns the
   * changes since the last request", whatever the first round held).
   */
  tracking?: boolean;
}

const encodeToken = (s: DeltaState) => Buffer.from(JSON.stringify(s)).toString('base64url');
function decodeToken(t: string): DeltaState {
  try {
    return JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as DeltaState;
  } catch {
    throw new GraphError(400, 'BadRequest', 'the delta or skip token is malformed');
  }
}

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<RunningGraphEmulator> {
  const mailboxes = new Map<string, Mailbox>();
  if (options.file) {
    try {
      const saved = JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, MailboxState>;
      for (const [name, state] of Object.entries(saved)) mailboxes.set(name, new Mailbox(state));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const save = () => {
    if (!options.file) return;
    const all = Object.fromEntries([...mailboxes].map(([k, m]) => [k, m.state]));
    writeFileSync(`${options.file}.tmp`, JSON.stringify(all));
    renameSync(`${options.file}.tmp`, options.file);
  };
  const subscriptions = new Subscriptions({
    ...(options.clock && { clock: options.clock }),
    ...(options.notificationCa && { ca: options.notificationCa }),
    ...(options.notificationRetryMs !== undefined && { retryMs: options.notificationRetryMs }),
    defaultCalendar: (name) => mailbox(name).state.calendars.find((c) => c.isDefaultCalendar)?.id,
    exists: (name, kind, container) =>
      kind === 'event'
        ? mailbox(name).state.calendars.some((c) => c.id === container)
        : mailbox(name).state.todoLists.some((l) => l.id === container),
  });
  const notifying = (name: string, m: Mailbox) => {
    m.onChange = (change) => subscriptions.changed({ ...change, mailbox: name });
    return m;
  };
  for (const [name, m] of mailboxes) notifying(name, m);
  const mailbox = (name: string) => {
    let m = mailboxes.get(name);
    if (!m) mailboxes.set(name, (m = notifying(name, new Mailbox(newMailbox()))));
    return m;
  };
  let throttle = { count: 0, retryAfter: 1, status: 429 };
  /** Test control: every answer waits this long (a slow network, to catch a run in the middle). */
  let latency = 0;
  const requests: { method: string; path: string }[] = [];
  const pageDefault = options.defaultPageSize ?? 100;
  let base = '';

  // --- representations ----------------------------------------------------------------------------

  const tz = (prefer: string) => /outlook\.timezone="([^"]+)"/i.exec(prefer)?.[1] ?? 'UTC';

  function eventJson(inst: Instance | EmulatedEvent, prefer: string, props?: Set<string>): Json {
    const isInstance = 'type' in inst;
    const event = isInstance ? inst.event : inst;
    const f = event.fields;
    const zone = tz(prefer);
    const { singleValueExtendedProperties: ext, transactionId: _t, ...rest } = f;
    void _t;
    const exFields = isInstance && inst.exception ? inst.exception.fields : {};
    const type = isInstance ? inst.type : f.recurrence ? 'seriesMaster' : 'singleInstance';
    const start = isInstance ? inst.start : instantOf(f.start as DateTimeTimeZone);
    const end = isInstance ? inst.end : instantOf(f.end as DateTimeTimeZone);
    const id = isInstance ? inst.id : event.id;
    const ck = isInstance && inst.exception ? inst.exception.changeKey : event.changeKey;
    const out: Json = {
      '@odata.etag': `W/"${ck}"`,
      id,
      createdDateTime: event.created,
      lastModifiedDateTime: event.modified,
      changeKey: ck,
      categories: [],
      attendees: [],
      // https://learn.microsoft.com/graph/api/resources/event: isOrganizer "set to true if the calendar
      // owner … is the organizer of the event"; events created through Graph are the owner's.
      isOrganizer: true,
      sensitivity: 'normal',
      importance: 'normal',
      showAs: 'busy',
      isAllDay: false,
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      body: { contentType: 'text', content: '' },
      location: { displayName: '' },
      ...rest,
      ...exFields,
      type,
      start: inZone(start, zone),
      end: inZone(end, zone),
      recurrence: type === 'seriesMaster' ? f.recurrence : null,
      ...(isInstance && type !== 'singleInstance' && { seriesMasterId: event.id, originalStart: inst.originalStart }),
    };
    if (props) {
      const chosen = ((ext as { id: string; value: string }[] | undefined) ?? []).filter((p) =>
        props.has(p.id.toLowerCase()),
      );
      // https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get: the property comes
      // back only when it exists; an event without it has no singleValueExtendedProperties member.
      if (chosen.length) out.singleValueExtendedProperties = chosen;
    }
    return out;
  }

  function taskJson(t: EmulatedTask, expandExtensions: boolean): Json {
    const { extensions, ...fields } = t.fields;
    return {
      '@odata.etag': `W/"${t.seq}"`,
      id: t.id,
      createdDateTime: t.created,
      lastModifiedDateTime: t.modified,
      categories: [],
      body: { content: '', contentType: 'text' },
      ...fields,
      ...(expandExtensions && { extensions: extensions ?? [] }),
    };
  }

  // --- delta (https://learn.microsoft.com/graph/delta-query-events, https://learn.microsoft.com/graph/api/todotask-delta)

  function deltaEntries(m: Mailbox, s: DeltaState, prefer: string): Json[] {
    if (s.kind === 'events') {
      const out: Json[] = [];
      const seen = new Set<string>();
      for (const e of Object.values(m.state.events)) {
        if (e.calendarId !== s.container || e.seq <= s.since || e.seq > s.upTo) continue;
        const inst = m.instances(e, s.from, s.to);
        for (const i of inst) {
          seen.add(i.id);
          out.push(eventJson(i, prefer));
        }
        // A single event moved out of the view is reported removed to holders of a token.
        if (s.tracking && !e.fields.recurrence && !inst.length)
          out.push({ id: e.id, '@removed': { reason: 'deleted' } });
      }
      if (s.tracking)
        for (const t of m.state.tombstones)
          if (t.seq > s.since && t.seq <= s.upTo && !seen.has(t.id)) {
            seen.add(t.id);
            out.push({ id: t.id, '@removed': { reason: 'deleted' } });
          }
      return out;
    }
    const out: Json[] = [];
    for (const t of Object.values(m.state.tasks))
      if (t.listId === s.container && t.seq > s.since && t.seq <= s.upTo) out.push(taskJson(t, false));
    if (s.tracking)
      for (const t of m.state.taskTombstones)
        if (t.listId === s.container && t.seq > s.since && t.seq <= s.upTo)
          out.push({ id: t.id, '@removed': { reason: 'deleted' } });
    return out;
  }

  /**
   * The entries of one delta round, computed at its first page and kept for its next pages: a round
   * is a snapshot (`upTo`), and computing it again for every page made reading N events cost N²/page
   * (issue 17: the emulator, not the add-in, was the bottleneck of a 10,000-event first sync). A few
   * rounds are kept per mailbox, the oldest dropped first.
   */
  const rounds = new WeakMap<Mailbox, Map<string, Json[]>>();
  function roundEntries(m: Mailbox, s: DeltaState, prefer: string): Json[] {
    const key = JSON.stringify([s.kind, s.container, s.from, s.to, s.since, s.upTo, s.tracking ?? false, prefer]);
    const kept = rounds.get(m) ?? new Map<string, Json[]>();
    rounds.set(m, kept);
    const hit = kept.get(key);
    if (hit) return hit;
    const all = deltaEntries(m, s, prefer);
    kept.set(key, all);
    if (kept.size > 8) kept.delete(kept.keys().next().value!);
    return all;
  }

  function deltaPage(m: Mailbox, s: DeltaState, prefer: string, path: string): Reply {
    // https://learn.microsoft.com/graph/delta-query-overview: an expired state answers 410 Gone; the
    // client starts over with a full synchronization.
    if (s.tracking && s.since < m.state.expiredBefore)
      throw new GraphError(410, 'SyncStateNotFound', 'The sync state is no longer available. Resync required.');
    const size = Number(/odata\.maxpagesize=(\d+)/i.exec(prefer)?.[1] ?? pageDefault);
    const all = roundEntries(m, s, prefer);
    const page = all.slice(s.offset, s.offset + size);
    const more = s.offset + size < all.length;
    const link = more
      ? { '@odata.nextLink': `${base}${path}?$skiptoken=${encodeToken({ ...s, offset: s.offset + size })}` }
      : {
          '@odata.deltaLink': `${base}${path}?$deltatoken=${encodeToken({ ...s, since: s.upTo, upTo: 0, offset: 0, tracking: true })}`,
        };
    return {
      status: 200,
      body: { value: page, ...link },
      ...(/odata\.maxpagesize/i.test(prefer) && { headers: { 'Preference-Applied': `odata.maxpagesize=${size}` } }),
    };
  }

  /**
   * One page of a plain list (events, instances, tasks). Server-side paging
   * (https://learn.microsoft.com/graph/paging): "To read all results, you must continue to call
   * Microsoft Graph with the @odata.nextLink property"; Outlook lists answer 10 items a page unless
   * `$top` or `Prefer: odata.maxpagesize` asks otherwise ("The Calendar API has a default page size
   * of 10", Microsoft Q&A 800560). The nextLink carries the query with a `$skip`.
   */
  function listPage(value: readonly unknown[], url: URL, prefer: string): Reply {
    const top = Number(url.searchParams.get('$top') ?? NaN);
    const size = Number.isFinite(top) && top > 0 ? top : Number(/odata\.maxpagesize=(\d+)/i.exec(prefer)?.[1] ?? 10);
    const skip = Number(url.searchParams.get('$skip') ?? 0);
    const more = skip + size < value.length;
    const next = new URL(url.href);
    next.searchParams.set('$skip', String(skip + size));
    return {
      status: 200,
      body: {
        value: value.slice(skip, skip + size),
        ...(more && { '@odata.nextLink': `${base}${next.pathname}${next.search}` }),
      },
    };
  }

  function startDelta(m: Mailbox, url: URL, kind: DeltaState['kind'], container: string, prefer: string): Reply {
    const path = url.pathname;
    const skip = url.searchParams.get('$skiptoken');
    const delta = url.searchParams.get('$deltatoken');
    if (skip) return deltaPage(m, decodeToken(skip), prefer, path);
    if (delta) return deltaPage(m, { ...decodeToken(delta), upTo: m.state.seq }, prefer, path);
    let from = -Infinity;
    let to = Infinity;
    if (kind === 'events') {
      // https://learn.microsoft.com/graph/api/event-delta: startDateTime and endDateTime are required.
      const a = Date.parse(url.searchParams.get('startDateTime') ?? '');
      const b = Date.parse(url.searchParams.get('endDateTime') ?? '');
      if (Number.isNaN(a) || Number.isNaN(b))
        throw new GraphError(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required');
      [from, to] = [a, b];
    }
    return deltaPage(m, { kind, container, from, to, since: 0, upTo: m.state.seq, offset: 0 }, prefer, path);
  }

  // --- routing (routes.ts) ----------------------------------------------------------------------

  const route = graphRoutes({ eventJson, taskJson, listPage, startDelta });

  /** One request: authentication, the throttle switch, routing; errors in Graph's error shape. */
  /** The mailbox a request's development token names (`Bearer dev:<mailbox>`). */
  function caller(headers: Record<string, string>): string {
    const auth = /^Bearer dev:([A-Za-z0-9._@-]{1,100})$/.exec(headers.authorization ?? '');
    if (!auth)
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty or not a development token.');
    return auth[1]!;
  }

  const graphError = (error: unknown): Reply => {
    if (!(error instanceof GraphError)) throw error;
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  };

  /** /v1.0/subscriptions (subscriptions.ts): asynchronous, since creating one validates its URL first. */
  async function serveSubscriptions(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Json,
  ): Promise<Reply> {
    requests.push({ method, path: url.pathname });
    try {
      const name = caller(headers);
      const [, id, action] = /^\/v1\.0\/subscriptions(?:\/([^/]+))?(?:\/([^/]+))?\/?$/.exec(url.pathname) ?? [];
      if (!id && method === 'POST') return { status: 201, body: await subscriptions.create(name, body) };
      if (!id && method === 'GET') return { status: 200, body: subscriptions.list(name) };
      if (id && !action && method === 'GET') return { status: 200, body: subscriptions.get(name, id) };
      if (id && !action && method === 'PATCH') return { status: 200, body: await subscriptions.update(name, id, body) };
      if (id && !action && method === 'DELETE') {
        subscriptions.delete(name, id);
        return { status: 204 };
      }
      if (id && action === 'reauthorize' && method === 'POST') {
        subscriptions.reauthorize(name, id);
        return { status: 204 };
      }
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment in ${method} ${url.pathname}`);
    } catch (error) {
      return graphError(error);
    }
  }

  function serve(method: string, rawUrl: string, headers: Record<string, string>, body: unknown): Reply {
    const url = new URL(rawUrl, base || 'http://127.0.0.1');
    requests.push({ method, path: url.pathname });
    try {
      // https://learn.microsoft.com/graph/throttling: 429 with Retry-After, also per request in a batch.
      if (throttle.count > 0) {
        throttle.count--;
        throw new GraphError(throttle.status, 'TooManyRequests', 'Too many requests: retry after the given delay.');
      }
      const m = mailbox(caller(headers));
      const reply = route(m, method, url, (body ?? {}) as Json, headers);
      if (method !== 'GET') save();
      return reply;
    } catch (error) {
      if (error instanceof GraphError)
        return {
          status: error.status,
          body: { error: { code: error.code, message: error.message } },
          ...((error.status === 429 || error.status === 503) && {
            headers: { 'Retry-After': String(throttle.retryAfter) },
          }),
        };
      if (error instanceof RecurrenceError)
        return { status: 400, body: { error: { code: 'ErrorInvalidRequest', message: error.message } } };
      throw error;
    }
  }

  /**
   * JSON batching (https://learn.microsoft.com/graph/json-batching): at most 20 requests, relative URLs,
   * `dependsOn` runs a request after the ones it names and fails it with 424 when one of them failed.
   */
  function batch(body: Json, headers: Record<string, string>): Reply {
    const list = body.requests as {
      id: string;
      method: string;
      url: string;
      headers?: Record<string, string>;
      body?: unknown;
      dependsOn?: string[];
    }[];
    if (!Array.isArray(list) || list.length === 0)
      return { status: 400, body: { error: { code: 'BadRequest', message: 'a batch needs requests' } } };
    if (list.length > 20)
      return {
        status: 400,
        body: { error: { code: 'BadRequest', message: 'A batch may contain at most 20 requests.' } },
      };
    const done = new Map<string, number>();
    const responses: Json[] = [];
    for (const r of list) {
      const failed = (r.dependsOn ?? []).some((d) => !done.has(d) || done.get(d)! >= 400);
      let reply: Reply;
      if (failed)
        reply = {
          status: 424,
          body: { error: { code: 'FailedDependency', message: 'A request it depends on failed.' } },
        };
      else {
        const sub = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        reply = serve(
          r.method.toUpperCase(),
          `/v1.0${r.url.startsWith('/') ? '' : '/'}${r.url}`,
          { ...sub, authorization: headers.authorization ?? '', prefer: sub.prefer ?? headers.prefer ?? '' },
          r.body,
        );
      }
      done.set(r.id, reply.status);
      responses.push({
        id: r.id,
        status: reply.status,
        headers: reply.headers ?? {},
        ...(reply.body !== undefined && { body: reply.body }),
      });
    }
    return { status: 200, body: { responses } };
  }

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => setTimeout(answer, latency));
    const answer = () => {
      const method = req.method ?? 'GET';
      // CORS for the add-in running in a browser (Graph answers preflights for any origin).
      const cors: Record<string, string> = {
        'Access-Control-Allow-Origin': req.headers.origin ?? '*',
        'Access-Control-Expose-Headers': 'ETag, Location, Retry-After, Preference-Applied, request-id',
      };
      if (method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Prefer, If-Match',
          'Access-Control-Max-Age': '600',
        });
        return res.end();
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      let reply: Reply | Promise<Reply>;
      try {
        body = text ? JSON.parse(text) : undefined;
        const url = new URL(req.url ?? '/', base);
        if (url.pathname === '/emulator/throttle' && method === 'POST') {
          const b = (body ?? {}) as { count?: number; retryAfter?: number; status?: number };
          throttle = { count: b.count ?? 1, retryAfter: b.retryAfter ?? 1, status: b.status ?? 429 };
          reply = { status: 204 };
        } else if (url.pathname === '/emulator/expire-delta' && method === 'POST') {
          const m = mailbox(url.searchParams.get('mailbox') ?? '');
          m.state.expiredBefore = m.state.seq + 1;
          save();
          reply = { status: 204 };
        } else if (/^\/emulator\/subscriptions\/[^/]+\/(lifecycle|expire)$/.test(url.pathname) && method === 'POST') {
          // Test control: a lifecycle notification ({"event": "missed"}) or the subscription's expiry now.
          const [, id, what] = /^\/emulator\/subscriptions\/([^/]+)\/(\w+)$/.exec(url.pathname)!;
          if (what === 'expire') subscriptions.expire(id!);
          reply =
            what === 'expire'
              ? { status: 204 }
              : subscriptions
                  .lifecycle(id!, String((body as Json | undefined)?.event) as LifecycleEvent)
                  .then(() => ({ status: 204 }), graphError);
        } else if (url.pathname.startsWith('/v1.0/subscriptions'))
          reply = serveSubscriptions(method, url, headers, (body ?? {}) as Json);
        else if (url.pathname === '/v1.0/$batch' && method === 'POST') reply = batch((body ?? {}) as Json, headers);
        else reply = serve(method, req.url ?? '/', headers, body);
      } catch (error) {
        reply =
          error instanceof SyntaxError
            ? { status: 400, body: { error: { code: 'BadRequest', message: `malformed JSON: ${error.message}` } } }
            : { status: 500, body: { error: { code: 'InternalServerError', message: String(error) } } };
      }
      const write = (r: Reply) => {
        const out = r.body === undefined ? '' : JSON.stringify(r.body);
        res.writeHead(r.status, {
          ...cors,
          ...(out && { 'Content-Type': 'application/json' }),
          ...r.headers,
        });
        res.end(out);
      };
      void Promise.resolve(reply).then(write, (error: unknown) =>
        write({ status: 500, body: { error: { code: 'InternalServerError', message: String(error) } } }),
      );
    };
  };
  const server = options.tls ? https.createServer({ ...options.tls }, handler) : http.createServer(handler);
  // Idle connections outlive the clients' keep-alive (undici: the hint minus 1 s), so that a client never
  // sends on a socket the server is closing ("fetch failed" under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  base = `${options.tls ? 'https' : 'http'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    url: base,
    requests,
    mailbox,
    setLatency: (ms) => {
      latency = ms;
    },
    throttle: (spec) => {
      throttle = { count: spec.count, retryAfter: spec.retryAfter, status: spec.status ?? 429 };
    },
    setPublicUrl: (url) => {
      base = url.replace(/\/+$/, '');
    },
    subscriptions,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
