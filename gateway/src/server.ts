/**
 * The reference mobile-client gateway: a CalDAV server (RFC 4791, 4918, 6578, 6764 — the subset of
 * DESIGN.md §2) over a GatewayStore. Every user has /dav/calendars/<user>/activities/ (VEVENT) and
 * tasks/ (VTODO). Another user's paths answer 404: nothing of them can be read, written or found.
 * This file starts the server and routes a request (CORS, logon, the methods); the methods are in
 * dav/ (properties, PROPFIND and PUT, REPORT), the token API in auth-route.ts.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import PQueue from 'p-queue';
import { Authenticator, type Throttle } from './auth.js';
import { authRoute } from './auth-route.js';
import {
  ALLOW,
  CLOSE,
  DAV_HEADER,
  DEFAULT_BODY_IDLE_MS,
  HttpError,
  hrefs,
  readBody,
  route,
  type BodyReader,
} from './dav/http.js';
import { propfind, put } from './dav/methods.js';
import { report } from './dav/report.js';
import { davResources } from './dav/resources.js';
import { errorBody, esc, NS, XmlError } from './dav/xml.js';
import { ICalError } from './ical.js';
import { SyncAccounts } from './state/accounts.js';
import { stateRoute } from './state/route.js';
import type { GatewayStore } from './store/types.js';

export interface GatewayOptions {
  readonly store: GatewayStore;
  readonly host?: string;
  readonly port?: number;
  /** Origins allowed to call from a browser (the add-in's). */
  readonly corsOrigins?: readonly string[];
  readonly maxBodyBytes?: number;
  /** PEM key and certificate: the gateway then speaks HTTPS. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Structured access log, one object per request (never credentials). */
  readonly accessLog?: (entry: Record<string, unknown>) => void;
  readonly throttle?: Partial<Throttle>;
  /** Time for leases (tests set it); default Date.now. */
  readonly clock?: () => number;
  readonly limits?: Partial<GatewayLimits>;
  /**
   * Told after an item of a user's collection was written or deleted (issue 19: the sync worker
   * queues that user's run).
   */
  readonly onChange?: (user: string, collection: string) => void;
  /** Told after the add-in mirrored a profile (issue 19: the sync worker watches the folders it names). */
  readonly onProfileSaved?: (user: string, mailbox: string) => void;
}

/** What one client may hold of the server (issue 16, point 7): slow requests end, no address takes every socket. */
export interface GatewayLimits {
  /** Time to receive a request's headers, in ms. */
  readonly headersMs: number;
  /** Time to receive a whole request, headers and body (a state commit may carry 16 MiB). */
  readonly requestMs: number;
  /** Longest pause within a request body. */
  readonly bodyIdleMs: number;
  /** Open connections from one address (an office behind one NAT address holds many). */
  readonly connectionsPerAddress: number;
  /** Requests of one user served at once; the others wait their turn. */
  readonly perUserConcurrency: number;
  /** Requests of one user waiting beyond those; more are answered 429 with Retry-After. */
  readonly perUserQueue: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  headersMs: 15_000,
  requestMs: 120_000,
  bodyIdleMs: DEFAULT_BODY_IDLE_MS,
  connectionsPerAddress: 256,
  perUserConcurrency: 4,
  perUserQueue: 64,
};

export interface RunningGateway {
  readonly url: string;
  readonly server: http.Server;
  readonly auth: Authenticator;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const store = options.store;
  const auth = new Authenticator(store, options.throttle);
  const origins = new Set(options.corsOrigins ?? []);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const dav = davResources(store, limit);
  const accounts = new SyncAccounts(store.state);
  const clock = options.clock ?? Date.now;

  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Each user's turns (issue 16, point 5): created on a user's first request, dropped when idle.
  const userTurns = new Map<string, PQueue>();
  const turnsOf = (user: string) => {
    let turns = userTurns.get(user);
    if (!turns) {
      const created = new PQueue({ concurrency: limits.perUserConcurrency });
      created.on('idle', () => userTurns.delete(user));
      userTurns.set(user, (turns = created));
    }
    return turns;
  };
  const body: BodyReader = (req, max) => readBody(req, max, limits.bodyIdleMs);

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res);
  // Node answers 408 and closes when the headers or the whole request take longer than these; it
  // checks every connectionsCheckingInterval (30 s by default: too coarse for these limits).
  const timing = {
    headersTimeout: limits.headersMs,
    requestTimeout: Math.max(limits.requestMs, limits.headersMs),
    connectionsCheckingInterval: Math.min(1000, limits.headersMs / 2),
  };
  const server: http.Server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert, ...timing }, listener)
    : http.createServer(timing, listener);
  // Idle connections stay open longer than clients keep them (undici: the Keep-Alive hint minus 1 s;
  // browsers and proxies about 60 s), so that a client never sends on a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  // One address holds at most so many connections; more are closed at once.
  const perAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const open = (perAddress.get(address) ?? 0) + 1;
    if (open > limits.connectionsPerAddress) {
      options.accessLog?.({
        at: new Date().toISOString(),
        level: 'warning',
        address,
        refused: 'connections per address',
      });
      return void socket.destroy();
    }
    perAddress.set(address, open);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://gateway');
    const address = req.socket.remoteAddress ?? '';
    let user: string | undefined;
    const headers: Record<string, string> = {};
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Expose-Headers'] = 'ETag, DAV, Location, Retry-After';
      headers.Vary = 'Origin';
    }
    const send = (status: number, body = '', extra: Record<string, string> = {}) => {
      const type = body.startsWith('<?xml') ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8';
      res.writeHead(status, { ...headers, ...(body && { 'Content-Type': type }), ...extra });
      res.end(method === 'HEAD' ? undefined : body);
      options.accessLog?.({
        at: new Date(started).toISOString(),
        address,
        method,
        path: url.pathname,
        status,
        ms: Date.now() - started,
        ...(user && { user }),
        bytes: Buffer.byteLength(body),
      });
    };
    try {
      if (method === 'OPTIONS') {
        if (origin && req.headers['access-control-request-method']) {
          if (!origins.has(origin)) return send(403, 'origin not allowed');
          return send(204, '', {
            'Access-Control-Allow-Methods': `${ALLOW}, POST`,
            'Access-Control-Allow-Headers':
              'Authorization, Content-Type, Depth, If-Match, If-None-Match, Prefer, Brief, Sync-Lease',
            'Access-Control-Max-Age': '600',
          });
        }
        return send(200, '', { DAV: DAV_HEADER, Allow: ALLOW });
      }
      if (url.pathname === '/health') return send(200, 'ok');
      if (url.pathname === '/.well-known/caldav' || url.pathname === '/.well-known/caldav/')
        return send(301, '', { Location: '/dav/' });

      const checked = await auth.check(req.headers.authorization, address);
      if (!checked.ok) {
        // The body of a request that is not let in is not read: a slow one would hold the socket.
        return send(checked.status, checked.reason, {
          ...(!req.complete && CLOSE),
          ...(checked.status === 401 && { 'WWW-Authenticate': 'Basic realm="CRM gateway", charset="UTF-8"' }),
          ...(checked.retryAfterS && { 'Retry-After': String(checked.retryAfterS) }),
        });
      }
      user = checked.user;
      const who = checked.user;
      // One user's requests run a few at a time: a user who sends many never starves the others.
      const turns = turnsOf(who);
      if (turns.size >= limits.perUserQueue)
        return send(429, 'too many requests of this user at once: try again in a second', {
          'Retry-After': '1',
          ...(!req.complete && CLOSE),
        });
      await turns.add(async () => {
        if (url.pathname.startsWith('/auth/'))
          return await authRoute(auth, store, req, body, method, url.pathname, checked.user, checked.via, send);
        if (url.pathname.startsWith('/state/'))
          return await stateRoute(
            accounts,
            req,
            body,
            method,
            url,
            checked.user,
            clock(),
            send,
            options.onProfileSaved,
          );

        const t = route(url.pathname);
        // Someone else's data does not exist for this user.
        if (!t || ('user' in t && t.user !== who)) return send(404, 'not found', req.complete ? {} : CLOSE);
        const text = await body(req, limit);
        switch (method) {
          case 'PROPFIND':
            return send(207, await propfind(dav, req, who, t, text), { DAV: DAV_HEADER });
          case 'REPORT':
            return send(207, await report(dav, who, t, text), { DAV: DAV_HEADER });
          case 'GET':
          case 'HEAD': {
            if (t.kind !== 'item') return send(200, 'CalDAV endpoint of the CRM gateway', { DAV: DAV_HEADER });
            const [s] = await store.get(who, t.name, [t.file]);
            if (!s) return send(404, 'not found');
            res.setHeader('Content-Length', Buffer.byteLength(s.body));
            return send(200, s.body, {
              'Content-Type': 'text/calendar; charset=utf-8',
              ETag: s.etag,
              ...(s.modifiedAt !== undefined && { 'Last-Modified': new Date(s.modifiedAt).toUTCString() }),
            });
          }
          case 'PUT': {
            if (req.headers['if-match']?.trim() === '*' && t.kind === 'item') {
              const [s] = await store.get(who, t.name, [t.file]);
              if (!s) return send(412, 'If-Match: * and the item does not exist');
            }
            const r = await put(dav, req, who, t, text);
            options.onChange?.(who, (t as { name: string }).name);
            return send(r.status, '', {
              ETag: r.etag,
              ...(r.status === 201 && {
                Location: hrefs.item(who, (t as { name: string }).name, (t as { file: string }).file),
              }),
            });
          }
          case 'DELETE': {
            if (t.kind !== 'item') return send(403, 'collections cannot be deleted');
            const ifMatch = req.headers['if-match'];
            const r = await store.delete(who, t.name, t.file, ifMatch ? { ifMatch } : {});
            if (r === 'not-found') return send(404, 'not found');
            if (r === 'precondition-failed') return send(412, 'the item changed since you read it (ETag)');
            options.onChange?.(who, t.name);
            return send(204);
          }
          case 'MKCOL':
          case 'MKCALENDAR':
            return send(403, 'the gateway has two fixed collections: activities and tasks');
          default:
            return send(405, `${method} is not supported`, { Allow: ALLOW });
        }
      });
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, error.body ?? error.message, error.headers);
      if (error instanceof XmlError) return send(400, error.message);
      if (error instanceof ICalError)
        return send(
          error.status,
          error.precondition ? errorBody(NS.caldav, error.precondition, esc(error.message)) : error.message,
        );
      if (error instanceof URIError) return send(400, 'malformed URL encoding');
      // A value the database refuses (PostgreSQL class 22, data exception: a number out of range, a
      // character it cannot store) is the request's fault, not the server's; every known case is
      // refused by name before it reaches the database — this is the net under them.
      const code = (error as { code?: unknown }).code;
      if (store.kind === 'postgres' && typeof code === 'string' && code.startsWith('22'))
        return send(400, `the database cannot store a value of this request (SQLSTATE ${code})`);
      options.accessLog?.({ at: new Date().toISOString(), level: 'error', path: url.pathname, error: String(error) });
      if (!res.headersSent) send(500, 'internal error');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${addr.port}`,
    server,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
