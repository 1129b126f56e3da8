/**
 * The small pieces of WebDAV the CalDAV store speaks: namespaces, escaping, hrefs as ids, resource
 * names from UIDs, property texts from tsdav's parsed XML, UTC stamps for time-range, error bodies.
 */
import { hash64 } from '../../core/model/content-hash.js';

export const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"';
export const XML = '<?xml version="1.0" encoding="utf-8"?>';
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Reads and drops a body the caller does not need. Reading keeps the connection for the next request
 * (cancelling the stream closes it, and browsers log the request as aborted).
 */
export const drain = (response: Response) =>
  response.arrayBuffer().then(
    () => undefined,
    () => undefined,
  );

/** Normalises an href to the path, each segment percent-encoded one way (servers differ). */
export function normalizeHref(href: string, base: string): string {
  const path = new URL(href, base).pathname;
  return path
    .split('/')
    .map((seg) => {
      try {
        return encodeURIComponent(decodeURIComponent(seg));
      } catch {
        return seg;
      }
    })
    .join('/');
}

/** A stable resource name for a UID: readable when it is safe in a path, else its hash. */
export const resourceName = (uid: string): string =>
  /^[A-Za-z0-9._-]{1,120}$/.test(uid) && !uid.startsWith('.') ? `${uid}.ics` : `${hash64(uid)}.ics`;

export const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  const o = v as { _cdata?: unknown; _text?: unknown };
  return text(o._cdata ?? o._text);
};

export const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';

/** The first words of an error body, without markup, for a message. */
export const summary = (body: string) =>
  body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
