/**
 * PROPFIND (RFC 4918 §9.1, Depth 0 and 1) and PUT (RFC 4791 §5.3.2: text/calendar only, If-Match /
 * If-None-Match, one UID per collection) on the gateway's resources.
 */
import type http from 'node:http';
import { putObject } from '../objects.js';
import { COLLECTIONS, type CollectionName } from '../store/types.js';
import { HttpError, hrefs, type Target } from './http.js';
import { requestedProps, type Dav } from './resources.js';
import { errorBody, esc, is, MULTISTATUS_CLOSE, MULTISTATUS_OPEN, NS, parseXml, XmlError } from './xml.js';

export async function propfind(dav: Dav, req: http.IncomingMessage, user: string, t: Target, text: string) {
  const { store, propResponse, itemResponses } = dav;
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

export async function put(dav: Dav, req: http.IncomingMessage, user: string, t: Target, text: string) {
  const { store } = dav;
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
