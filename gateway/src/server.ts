/**
 * The reference mobile-client gateway: a CalDAV server (RFC 4791, 4918, 6578, 6764 — the subset of
 * DESIGN.md §2) over a GatewayStore. Every user has /dav/calendars/<user>/activities/ (VEVENT) and
 * tasks/ (VTODO). Another user's paths answer 404: nothing of them can be read, written or found.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Element } from '@xmldom/xmldom';
import { Authenticator, DEFAULT_THROTTLE, type Throttle } from './auth.js';
import {
  child,
  elements,
  errorBody,
  esc,
  is,
  MULTISTATUS_CLOSE,
  MULTISTATUS_OPEN,
  NS,
  parseXml,
  response,
  XmlError,
  type PropName,
} from './dav/xml.js';
import { ICalError, overlaps, parseUtc, propsMatch, textMatches, type PropFilter, type TextMatch } from './ical.js';
import { putObject } from './objects.js';
import { COLLECTIONS, type CollectionName, type GatewayStore, type ItemMeta } from './store/types.js';

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
  readonly throttle?: Throttle;
}

export interface RunningGateway {
  readonly url: string;
  readonly server: http.Server;
  readonly auth: Authenticator;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;
const DAV_HEADER = '1, 3, calendar-access';
const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT';
const SYNC_PREFIX = 'urn:crm-gateway:sync:';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Target =
  | { kind: 'root'; href: '/' | '/dav/' }
  | { kind: 'principal'; user: string }
  | { kind: 'home'; user: string }
  | { kind: 'collection'; user: string; name: CollectionName }
  | { kind: 'item'; user: string; name: CollectionName; file: string };

function route(path: string): Target | undefined {
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // a malformed %-escape names nothing
  }
  // Clients given only the server's address (python-caldav, say) ask its root for the principal.
  if (parts.length === 0) return { kind: 'root', href: '/' };
  if (parts[0] !== 'dav') return undefined;
  if (parts.length === 1) return { kind: 'root', href: '/dav/' };
  const [, area, user, coll, file, ...rest] = parts;
  if (!user || rest.length) return undefined;
  if (area === 'principals' && !coll) return { kind: 'principal', user };
  if (area !== 'calendars') return undefined;
  if (!coll) return { kind: 'home', user };
  if (!(coll in COLLECTIONS)) return undefined;
  const name = coll as CollectionName;
  if (!file) return { kind: 'collection', user, name };
  return { kind: 'item', user, name, file };
}

interface QueryFilter {
  readonly range?: { readonly from: number; readonly to: number };
  /** prop-filters on VCALENDAR itself, and on the collection's component. */
  readonly calendar: readonly PropFilter[];
  readonly items: readonly PropFilter[];
}

const unsupportedFilter = (what: string) =>
  new HttpError(403, `filter ${what} is not supported`, errorBody(NS.caldav, 'supported-filter'));

/** A CALDAV:prop-filter element: is-not-defined, or text-matches (param-filter is not supported). */
function propFilter(e: Element): PropFilter {
  const name = e.getAttribute('name') ?? '';
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw new XmlError('a prop-filter needs a property name');
  const matches: TextMatch[] = [];
  let notDefined = false;
  for (const c of elements(e)) {
    if (is(c, NS.caldav, 'is-not-defined')) notDefined = true;
    else if (is(c, NS.caldav, 'text-match')) {
      const collation = c.getAttribute('collation') ?? 'i;ascii-casemap';
      if (collation !== 'i;octet' && collation !== 'i;ascii-casemap')
        throw new HttpError(
          403,
          `collation ${collation} is not supported`,
          errorBody(NS.caldav, 'supported-collation'),
        );
      matches.push({
        text: c.textContent ?? '',
        caseless: collation === 'i;ascii-casemap',
        negate: c.getAttribute('negate-condition') === 'yes',
      });
    } else throw unsupportedFilter(`${c.localName} in prop-filter ${name}`);
  }
  return { name, notDefined, matches };
}

const isUidMatch = (f: PropFilter) => f.name.toUpperCase() === 'UID' && !f.notDefined;

const enc = encodeURIComponent;
const hrefs = {
  principal: (u: string) => `/dav/principals/${enc(u)}/`,
  home: (u: string) => `/dav/calendars/${enc(u)}/`,
  collection: (u: string, n: string) => `/dav/calendars/${enc(u)}/${n}/`,
  item: (u: string, n: string, f: string) => `/dav/calendars/${enc(u)}/${n}/${enc(f)}`,
};

const P = (ns: string, name: string): PropName => ({ ns, name });
const DEFAULT_PROPS = [
  P(NS.dav, 'resourcetype'),
  P(NS.dav, 'displayname'),
  P(NS.dav, 'getetag'),
  P(NS.dav, 'getcontenttype'),
  P(NS.cs, 'getctag'),
  P(NS.dav, 'sync-token'),
  P(NS.caldav, 'supported-calendar-component-set'),
];

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The property names a PROPFIND or REPORT asks for (allprop / empty body → the default set). */
function requestedProps(root: Element | undefined): PropName[] {
  const prop = root && child(root, NS.dav, 'prop');
  if (!prop) return DEFAULT_PROPS;
  return elements(prop).map((e) => P(e.namespaceURI ?? '', e.localName ?? ''));
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const store = options.store;
  const auth = new Authenticator(store, options.throttle ?? DEFAULT_THROTTLE);
  const origins = new Set(options.corsOrigins ?? []);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const syncToken = (user: string, name: string, rev: number) => `${SYNC_PREFIX}${enc(user)}/${name}/${rev}`;

  async function collectionRev(user: string, name: CollectionName) {
    const c = await store.collection(user, name);
    if (!c) throw new HttpError(404, 'not found');
    return c.rev;
  }

  /** Property values of a resource; undefined → reported as 404 in its propstat. */
  async function propsOf(user: string, t: Target, meta?: ItemMeta, body?: string) {
    const values = new Map<string, string>();
    const set = (p: PropName, v: string) => values.set(`${p.ns}|${p.name}`, v);
    const principal = `<D:href>${esc(hrefs.principal(user))}</D:href>`;
    set(P(NS.dav, 'current-user-principal'), principal);
    set(P(NS.dav, 'principal-URL'), principal);
    set(P(NS.dav, 'owner'), principal);
    set(P(NS.caldav, 'calendar-home-set'), `<D:href>${esc(hrefs.home(user))}</D:href>`);
    set(
      P(NS.dav, 'current-user-privilege-set'),
      '<D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege>',
    );
    if (t.kind === 'root') set(P(NS.dav, 'resourcetype'), '<D:collection/>');
    if (t.kind === 'principal') {
      set(P(NS.dav, 'resourcetype'), '<D:principal/>');
      set(P(NS.dav, 'displayname'), esc(user));
    }
    if (t.kind === 'home') {
      set(P(NS.dav, 'resourcetype'), '<D:collection/>');
      set(P(NS.dav, 'displayname'), esc(user));
    }
    if (t.kind === 'collection') {
      const info = COLLECTIONS[t.name];
      const rev = await collectionRev(user, t.name);
      set(P(NS.dav, 'resourcetype'), '<D:collection/><C:calendar/>');
      set(P(NS.dav, 'displayname'), esc(info.displayName));
      set(P(NS.caldav, 'supported-calendar-component-set'), `<C:comp name="${info.component}"/>`);
      set(P(NS.caldav, 'supported-calendar-data'), '<C:calendar-data content-type="text/calendar" version="2.0"/>');
      set(P(NS.cs, 'getctag'), `"${rev}"`);
      set(P(NS.dav, 'sync-token'), esc(syncToken(user, t.name, rev)));
      set(
        P(NS.dav, 'supported-report-set'),
        ['sync-collection', 'calendar-multiget', 'calendar-query']
          .map(
            (r) =>
              `<D:supported-report><D:report>${r === 'sync-collection' ? '<D:' : '<C:'}${r}/></D:report></D:supported-report>`,
          )
          .join(''),
      );
      set(P(NS.caldav, 'max-resource-size'), String(limit));
    }
    if (t.kind === 'item' && meta) {
      set(P(NS.dav, 'resourcetype'), '');
      set(P(NS.dav, 'getetag'), esc(meta.etag));
      set(
        P(NS.dav, 'getcontenttype'),
        `text/calendar; charset=utf-8; component=${COLLECTIONS[t.name].component.toLowerCase()}`,
      );
      if (body !== undefined) set(P(NS.caldav, 'calendar-data'), esc(body));
    }
    return values;
  }

  async function propResponse(
    href: string,
    user: string,
    t: Target,
    wanted: PropName[],
    meta?: ItemMeta,
    body?: string,
  ) {
    const values = await propsOf(user, t, meta, body);
    const found: [PropName, string][] = [];
    const missing: PropName[] = [];
    for (const p of wanted) {
      const v = values.get(`${p.ns}|${p.name}`);
      if (v === undefined) missing.push(p);
      else found.push([p, v]);
    }
    return response(href, found, missing);
  }

  const wantsData = (wanted: PropName[]) => wanted.some((p) => p.ns === NS.caldav && p.name === 'calendar-data');

  async function itemResponses(user: string, name: CollectionName, metas: readonly ItemMeta[], wanted: PropName[]) {
    const bodies = wantsData(wanted)
      ? new Map(
          (
            await store.get(
              user,
              name,
              metas.map((m) => m.href),
            )
          ).map((s) => [s.href, s]),
        )
      : undefined;
    const out: string[] = [];
    for (const m of metas) {
      const t: Target = { kind: 'item', user, name, file: m.href };
      const stored = bodies?.get(m.href);
      if (bodies && !stored) continue; // deleted between the two reads: the next sync reports it
      out.push(await propResponse(hrefs.item(user, name, m.href), user, t, wanted, stored ?? m, stored?.body));
    }
    return out;
  }

  async function propfind(req: http.IncomingMessage, user: string, t: Target, text: string) {
    const depth = String(req.headers.depth ?? '1');
    if (depth !== '0' && depth !== '1')
      throw new HttpError(403, 'Depth: infinity is not supported', errorBody(NS.dav, 'propfind-finite-depth'));
    const root = text.trim() ? parseXml(text) : undefined;
    if (root && !is(root, NS.dav, 'propfind')) throw new XmlError('expected a DAV:propfind body');
    const wanted = requestedProps(root);
    const out: string[] = [];
    if (t.kind === 'item') {
      const [stored] = await store.get(t.user, t.name, [t.file]);
      if (!stored) throw new HttpError(404, 'not found');
      out.push(await propResponse(hrefs.item(user, t.name, t.file), user, t, wanted, stored, stored.body));
    } else {
      const self =
        t.kind === 'root'
          ? t.href
          : t.kind === 'principal'
            ? hrefs.principal(user)
            : t.kind === 'home'
              ? hrefs.home(user)
              : hrefs.collection(user, t.name);
      out.push(await propResponse(self, user, t, wanted));
      if (depth === '1' && t.kind === 'home')
        for (const name of Object.keys(COLLECTIONS) as CollectionName[])
          out.push(await propResponse(hrefs.collection(user, name), user, { kind: 'collection', user, name }, wanted));
      if (depth === '1' && t.kind === 'collection')
        out.push(...(await itemResponses(user, t.name, await store.list(user, t.name), wanted)));
    }
    return `${MULTISTATUS_OPEN}${out.join('')}${MULTISTATUS_CLOSE}`;
  }

  async function report(user: string, t: Target, text: string) {
    if (t.kind !== 'collection') throw new HttpError(403, 'REPORT works on a calendar collection');
    const root = parseXml(text);
    const wanted = requestedProps(root);
    const { name } = t;
    if (is(root, NS.dav, 'sync-collection')) {
      const tokenText = child(root, NS.dav, 'sync-token')?.textContent?.trim() ?? '';
      let since = 0;
      if (tokenText) {
        const prefix = `${SYNC_PREFIX}${enc(user)}/${name}/`;
        const rev = tokenText.startsWith(prefix) ? Number(tokenText.slice(prefix.length)) : NaN;
        if (!Number.isInteger(rev))
          throw new HttpError(403, 'invalid sync token', errorBody(NS.dav, 'valid-sync-token'));
        since = rev;
      }
      const changes = await store.changesSince(user, name, since);
      if (!changes) throw new HttpError(403, 'invalid sync token', errorBody(NS.dav, 'valid-sync-token'));
      const out = await itemResponses(user, name, changes.changed, wanted);
      // An initial sync lists only what exists; removals are reported to holders of a token.
      if (tokenText)
        for (const href of changes.removed)
          out.push(
            `<D:response><D:href>${esc(hrefs.item(user, name, href))}</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>`,
          );
      return `${MULTISTATUS_OPEN}${out.join('')}<D:sync-token>${esc(syncToken(user, name, changes.rev))}</D:sync-token>${MULTISTATUS_CLOSE}`;
    }
    if (is(root, NS.caldav, 'calendar-multiget')) {
      const base = hrefs.collection(user, name);
      const asked = elements(root)
        .filter((e) => is(e, NS.dav, 'href'))
        .map((e) => (e.textContent ?? '').trim());
      const files = asked.map((h) => {
        let path = h;
        try {
          path = new URL(h, 'http://x').pathname;
        } catch {
          /* kept as given */
        }
        return path.startsWith(base) ? decodeURIComponent(path.slice(base.length)) : undefined;
      });
      const stored = new Map(
        (
          await store.get(
            user,
            name,
            files.filter((f): f is string => !!f),
          )
        ).map((s) => [s.href, s] as const),
      );
      const out: string[] = [];
      for (let i = 0; i < asked.length; i++) {
        const s = files[i] === undefined ? undefined : stored.get(files[i]!);
        if (!s) {
          out.push(
            `<D:response><D:href>${esc(asked[i]!)}</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>`,
          );
          continue;
        }
        out.push(
          await propResponse(
            hrefs.item(user, name, s.href),
            user,
            { kind: 'item', user, name, file: s.href },
            wanted,
            s,
            s.body,
          ),
        );
      }
      return `${MULTISTATUS_OPEN}${out.join('')}${MULTISTATUS_CLOSE}`;
    }
    if (is(root, NS.caldav, 'calendar-query')) {
      const component = COLLECTIONS[name].component;
      const filter = queryFilter(root, component);
      if (filter === 'none') return `${MULTISTATUS_OPEN}${MULTISTATUS_CLOSE}`;
      const { range } = filter;
      let matching = await store.list(user, name);
      // The index narrows the time range first (every occurrence lies within start…end).
      if (range)
        matching = matching.filter(
          (m) =>
            m.index.start === null || (m.index.start < range.to && (m.index.end === null || m.index.end >= range.from)),
        );
      // A UID text-match is answered from the index; other property filters and recurrences read the bodies.
      const uidOnly = filter.calendar.length === 0 && filter.items.every(isUidMatch);
      const toRead = uidOnly ? (range ? matching.filter((m) => m.index.recurring) : []) : matching;
      const bodies = new Map(
        toRead.length
          ? (
              await store.get(
                user,
                name,
                toRead.map((m) => m.href),
              )
            ).map((b) => [b.href, b.body])
          : [],
      );
      matching = matching.filter((m) => {
        const body = bodies.get(m.href) ?? '';
        if (uidOnly) {
          if (!filter.items.every((f) => f.matches.every((t) => textMatches(m.index.uid, t)))) return false;
        } else if (!propsMatch(body, component, filter.calendar, filter.items)) return false;
        return !range || !m.index.recurring || overlaps(body, m.index, range.from, range.to);
      });
      const out = await itemResponses(user, name, matching, wanted);
      return `${MULTISTATUS_OPEN}${out.join('')}${MULTISTATUS_CLOSE}`;
    }
    throw new HttpError(403, `unsupported report ${root.localName}`, errorBody(NS.dav, 'supported-report'));
  }

  async function put(req: http.IncomingMessage, user: string, t: Target, text: string) {
    if (t.kind !== 'item')
      throw new HttpError(405, 'PUT works on items', undefined, { Allow: 'PROPFIND, REPORT, OPTIONS' });
    const type = String(req.headers['content-type'] ?? 'text/calendar');
    if (!/^text\/calendar\b/i.test(type)) throw new HttpError(415, `expected text/calendar, got ${type}`);
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    const result = await putObject(store, user, t.name, t.file, text, {
      ...(ifMatch && { ifMatch }),
      ...(ifNoneMatch?.trim() === '*' && { ifNoneMatch: true }),
    });
    if (result.kind === 'precondition-failed') throw new HttpError(412, 'the item changed since you read it (ETag)');
    if (result.kind === 'uid-conflict')
      throw new HttpError(
        403,
        'another item of this collection has the same UID',
        errorBody(NS.caldav, 'no-uid-conflict', `<D:href>${esc(hrefs.item(user, t.name, result.href))}</D:href>`),
      );
    return { status: result.kind === 'created' ? 201 : 204, etag: result.etag };
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res);
  const server: http.Server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : http.createServer(listener);
  // Idle connections stay open longer than clients keep them (undici: the Keep-Alive hint minus 1 s;
  // browsers and proxies about 60 s), so that a client never sends on a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;

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
            'Access-Control-Allow-Methods': ALLOW,
            'Access-Control-Allow-Headers':
              'Authorization, Content-Type, Depth, If-Match, If-None-Match, Prefer, Brief',
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
        await readBody(req, limit).catch(() => undefined);
        return send(checked.status, checked.reason, {
          ...(checked.status === 401 && { 'WWW-Authenticate': 'Basic realm="CRM gateway", charset="UTF-8"' }),
          ...(checked.retryAfterS && { 'Retry-After': String(checked.retryAfterS) }),
        });
      }
      user = checked.user;

      if (url.pathname.startsWith('/auth/'))
        return await authRoute(req, method, url.pathname, checked.user, checked.via, send);

      const t = route(url.pathname);
      // Someone else's data does not exist for this user.
      if (!t || ('user' in t && t.user !== user)) {
        await readBody(req, limit).catch(() => undefined);
        return send(404, 'not found');
      }
      const text = await readBody(req, limit);
      switch (method) {
        case 'PROPFIND':
          return send(207, await propfind(req, user, t, text), { DAV: DAV_HEADER });
        case 'REPORT':
          return send(207, await report(user, t, text), { DAV: DAV_HEADER });
        case 'GET':
        case 'HEAD': {
          if (t.kind !== 'item') return send(200, 'CalDAV endpoint of the CRM gateway', { DAV: DAV_HEADER });
          const [s] = await store.get(user, t.name, [t.file]);
          if (!s) return send(404, 'not found');
          res.setHeader('Content-Length', Buffer.byteLength(s.body));
          return send(200, s.body, { 'Content-Type': 'text/calendar; charset=utf-8', ETag: s.etag });
        }
        case 'PUT': {
          if (req.headers['if-match']?.trim() === '*' && t.kind === 'item') {
            const [s] = await store.get(user, t.name, [t.file]);
            if (!s) return send(412, 'If-Match: * and the item does not exist');
          }
          const r = await put(req, user, t, text);
          return send(r.status, '', {
            ETag: r.etag,
            ...(r.status === 201 && {
              Location: hrefs.item(user, (t as { name: string }).name, (t as { file: string }).file),
            }),
          });
        }
        case 'DELETE': {
          if (t.kind !== 'item') return send(403, 'collections cannot be deleted');
          const ifMatch = req.headers['if-match'];
          const r = await store.delete(user, t.name, t.file, ifMatch ? { ifMatch } : {});
          if (r === 'not-found') return send(404, 'not found');
          if (r === 'precondition-failed') return send(412, 'the item changed since you read it (ETag)');
          return send(204);
        }
        case 'MKCOL':
        case 'MKCALENDAR':
          return send(403, 'the gateway has two fixed collections: activities and tasks');
        default:
          return send(405, `${method} is not supported`, { Allow: ALLOW });
      }
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, error.body ?? error.message, error.headers);
      if (error instanceof XmlError) return send(400, error.message);
      if (error instanceof ICalError)
        return send(
          error.status,
          error.precondition ? errorBody(NS.caldav, error.precondition, esc(error.message)) : error.message,
        );
      if (error instanceof URIError) return send(400, 'malformed URL encoding');
      options.accessLog?.({ at: new Date().toISOString(), level: 'error', path: url.pathname, error: String(error) });
      if (!res.headersSent) send(500, 'internal error');
    }
  }

  async function authRoute(
    req: http.IncomingMessage,
    method: string,
    path: string,
    user: string,
    via: 'password' | 'token',
    send: (status: number, body?: string, extra?: Record<string, string>) => void,
  ) {
    const json = { 'Content-Type': 'application/json' };
    const text = await readBody(req, 16 * 1024);
    if (path === '/auth/token' && method === 'POST') {
      // Only the password issues tokens: a leaked token cannot mint more.
      if (via !== 'password') return send(403, 'log on with the password to create a token');
      let label = 'app token';
      try {
        const body = text.trim() ? (JSON.parse(text) as { label?: unknown }) : {};
        if (typeof body.label === 'string') label = body.label.slice(0, 100);
      } catch {
        return send(400, 'expected a JSON body like {"label": "Outlook add-in"}');
      }
      const { token, secret } = await auth.issueToken(user, label);
      return send(
        201,
        JSON.stringify({ id: token.id, token: secret, label: token.label, createdAt: token.createdAt }),
        json,
      );
    }
    if (path === '/auth/tokens' && method === 'GET')
      return send(200, JSON.stringify(await store.listTokens(user)), json);
    const m = /^\/auth\/tokens\/([A-Za-z0-9_-]+)$/.exec(path);
    if (m && method === 'DELETE') return send((await store.revokeToken(user, m[1]!)) ? 204 : 404);
    return send(404, 'not found');
  }

  /**
   * The calendar-query filter (RFC 4791 §9.7): VCALENDAR › the collection's component, with a
   * time-range and prop-filters (is-not-defined, text-match) on either. param-filter and time-range
   * on a property are refused with supported-filter rather than answered wrongly. 'none': a filter
   * that no item of this collection can match.
   */
  function queryFilter(root: Element, component: string): QueryFilter | 'none' {
    const filter = child(root, NS.caldav, 'filter');
    if (!filter) return { calendar: [], items: [] };
    const cal = child(filter, NS.caldav, 'comp-filter');
    if (!cal || cal.getAttribute('name')?.toUpperCase() !== 'VCALENDAR') return 'none';
    const calendar: PropFilter[] = [];
    const items: PropFilter[] = [];
    let range: QueryFilter['range'];
    let comp: Element | undefined;
    for (const e of elements(cal)) {
      if (is(e, NS.caldav, 'comp-filter')) comp = e;
      else if (is(e, NS.caldav, 'prop-filter')) calendar.push(propFilter(e));
      else throw unsupportedFilter(`${e.localName} on VCALENDAR`);
    }
    if (comp) {
      if (comp.getAttribute('name')?.toUpperCase() !== component) return 'none';
      for (const e of elements(comp)) {
        if (is(e, NS.caldav, 'time-range')) {
          const start = e.getAttribute('start');
          const end = e.getAttribute('end');
          range = { from: start ? parseUtc(start) : -Infinity, to: end ? parseUtc(end) : Infinity };
        } else if (is(e, NS.caldav, 'prop-filter')) items.push(propFilter(e));
        else throw unsupportedFilter(e.localName ?? e.nodeName);
      }
    }
    return { ...(range && { range }), calendar, items };
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
