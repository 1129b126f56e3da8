/**
 * The DAV properties of the gateway's resources (root, principal, calendar home, the two calendar
 * collections and their items) and the multistatus responses built from them (RFC 4918 §9.1,
 * RFC 4791 §5.2, RFC 6578 for the sync token).
 */
import type { Element } from '@xmldom/xmldom';
import { child, elements, esc, NS, response, type PropName } from './xml.js';
import { enc, HttpError, hrefs, SYNC_PREFIX, type Target } from './http.js';
import { COLLECTIONS, type CollectionName, type GatewayStore, type ItemMeta } from '../store/types.js';

export const P = (ns: string, name: string): PropName => ({ ns, name });
const DEFAULT_PROPS = [
  P(NS.dav, 'resourcetype'),
  P(NS.dav, 'displayname'),
  P(NS.dav, 'getetag'),
  P(NS.dav, 'getcontenttype'),
  P(NS.dav, 'getlastmodified'),
  P(NS.cs, 'getctag'),
  P(NS.dav, 'sync-token'),
  P(NS.caldav, 'supported-calendar-component-set'),
];

export /** The property names a PROPFIND or REPORT asks for (allprop / empty body → the default set). */
function requestedProps(root: Element | undefined): PropName[] {
  const prop = root && child(root, NS.dav, 'prop');
  if (!prop) return DEFAULT_PROPS;
  return elements(prop).map((e) => P(e.namespaceURI ?? '', e.localName ?? ''));
}

export type Dav = ReturnType<typeof davResources>;

/** The property and response builders over one store (`limit`: the largest body PUT accepts). */
export function davResources(store: GatewayStore, limit: number) {
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
      // RFC 4918 §15.7: when the gateway stored this version, as an HTTP date (unknown: 404 in the propstat).
      if (meta.modifiedAt !== undefined) set(P(NS.dav, 'getlastmodified'), new Date(meta.modifiedAt).toUTCString());
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

  return { store, limit, syncToken, collectionRev, propResponse, itemResponses };
}
