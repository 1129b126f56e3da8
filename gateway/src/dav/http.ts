/**
 * HTTP plumbing of the gateway's CalDAV server: errors that carry their status, the request body
 * within the size limit, and the routes — /dav/principals/<user>/, /dav/calendars/<user>/<collection>/<item>.
 */
import type http from 'node:http';
import { COLLECTIONS, type CollectionName } from '../store/types.js';

export const DAV_HEADER = '1, 3, calendar-access';
export const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT';
export const SYNC_PREFIX = 'urn:crm-gateway:sync:';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Target =
  | { kind: 'root'; href: '/' | '/dav/' }
  | { kind: 'principal'; user: string }
  | { kind: 'home'; user: string }
  | { kind: 'collection'; user: string; name: CollectionName }
  | { kind: 'item'; user: string; name: CollectionName; file: string };

/** C0 control characters and DEL: in no name, and in iCalendar only as TAB and line ends (RFC 5545 §3.1). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL = /[\u0000-\u001f\u007f]/;

export function route(path: string): Target | undefined {
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
  // (A name with a control character is none a client can have meant — and PostgreSQL cannot store NUL.)
  if (CONTROL.test(file)) throw new HttpError(400, 'an item name may not hold control characters');
  return { kind: 'item', user, name, file };
}

export const enc = encodeURIComponent;
export const hrefs = {
  principal: (u: string) => `/dav/principals/${enc(u)}/`,
  home: (u: string) => `/dav/calendars/${enc(u)}/`,
  collection: (u: string, n: string) => `/dav/calendars/${enc(u)}/${n}/`,
  item: (u: string, n: string, f: string) => `/dav/calendars/${enc(u)}/${n}/${enc(f)}`,
};

/** Reads a request body of at most `limit` bytes; a pause longer than `idleMs` ends it with 408 (issue 16, point 7). */
export type BodyReader = (req: http.IncomingMessage, limit: number) => Promise<string>;

export const DEFAULT_BODY_IDLE_MS = 10_000;

export function readBody(req: http.IncomingMessage, limit: number, idleMs = DEFAULT_BODY_IDLE_MS): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    return Promise.reject(new HttpError(413, `the body is larger than ${limit} bytes`, undefined, CLOSE));
  if (req.complete && req.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: ReturnType<typeof setTimeout>;
    const done = (error?: HttpError) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (error) {
        req.pause(); // the rest is not read: the answer closes the connection
        reject(error);
      } else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => done(new HttpError(408, `the request body paused for more than ${idleMs / 1000} s`, undefined, CLOSE)),
        idleMs,
      );
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(new HttpError(413, `the body is larger than ${limit} bytes`, undefined, CLOSE));
      chunks.push(chunk);
      idle();
    };
    const onEnd = () => done();
    const onError = () => done(new HttpError(400, 'the request body was cut off', undefined, CLOSE));
    req.on('data', onData).on('end', onEnd).on('error', onError);
    idle();
  });
}

/** An answer after which the connection is closed (the rest of the request is not read). */
export const CLOSE: Record<string, string> = { Connection: 'close' };
