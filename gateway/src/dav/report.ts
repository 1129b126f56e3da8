/**
 * REPORT on a calendar collection: sync-collection (RFC 6578), calendar-multiget and calendar-query
 * (RFC 4791 §7.8, §7.9) with the filter subset DESIGN.md §2 names; anything else is refused with the
 * precondition the RFC gives, never answered wrongly.
 */
import type { Element } from '@xmldom/xmldom';
import { overlaps, parseUtc, propsMatch, textMatches, type PropFilter, type TextMatch } from '../ical.js';
import { COLLECTIONS, type ItemMeta } from '../store/types.js';
import { enc, HttpError, hrefs, SYNC_PREFIX, type Target } from './http.js';
import { requestedProps, type Dav } from './resources.js';
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
  XmlError,
} from './xml.js';

/** How long a query evaluates objects before it lets other requests run (issue 16, point 5). */
const YIELD_AFTER_MS = 10;

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

export async function report(dav: Dav, user: string, t: Target, text: string) {
  const { store, syncToken, propResponse, itemResponses } = dav;
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
      if (!Number.isInteger(rev)) throw new HttpError(403, 'invalid sync token', errorBody(NS.dav, 'valid-sync-token'));
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
    const answered = (m: ItemMeta) => {
      const body = bodies.get(m.href) ?? '';
      // One object the gateway cannot evaluate (stored before its checks, say) never fails the whole
      // query: it is answered, and the client that cannot read it says so for that object alone.
      try {
        if (uidOnly) {
          if (!filter.items.every((f) => f.matches.every((t) => textMatches(m.index.uid, t)))) return false;
        } else if (!propsMatch(body, component, filter.calendar, filter.items)) return false;
        return !range || !m.index.recurring || overlaps(body, m.index, range.from, range.to);
      } catch {
        return true;
      }
    };
    const kept: ItemMeta[] = [];
    let slice = performance.now();
    for (const m of matching) {
      if (answered(m)) kept.push(m);
      // (Expanding series is the heavy part: other requests get their turn every few milliseconds.)
      if (performance.now() - slice > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    matching = kept;
    const out = await itemResponses(user, name, matching, wanted);
    return `${MULTISTATUS_OPEN}${out.join('')}${MULTISTATUS_CLOSE}`;
  }
  throw new HttpError(403, `unsupported report ${root.localName}`, errorBody(NS.dav, 'supported-report'));
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
