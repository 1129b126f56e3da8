/**
 * Discovery (RFC 6764 §6, RFC 4791 §6.2.1) from the gateway URL the user enters on the General tab:
 * /.well-known/caldav → current-user-principal → calendar-home-set → the collections with the
 * component sets they take. The CRM gateway has `activities/` (VEVENT) and `tasks/` (VTODO); on
 * another CalDAV server the first calendar that takes only that component wins, then any that takes it.
 */
import { createAccount, type DAVCalendar } from 'tsdav';
import { AuthenticationError, SyncError, ThrottledError } from '../../core/errors.js';
import type { ItemKind } from '../../core/sync/types.js';
import { CalDavStore, type CalDavStoreOptions } from './caldav-store.js';
import { DavHttp, type DavHttpOptions } from './dav-http.js';

export interface DiscoveredCollection {
  readonly url: string;
  readonly displayName: string;
  readonly components: readonly string[];
}

export async function discoverCollections(serverUrl: string, http: DavHttp): Promise<DiscoveredCollection[]> {
  let calendars: DAVCalendar[];
  try {
    const account = await createAccount({
      // An address with a path (`https://host/dav/`) is the DAV context path already: no .well-known
      // lookup (RFC 6764 §5 is for a bare host). Browsers also report the manual redirect that lookup
      // relies on as an aborted request.
      account: {
        serverUrl,
        accountType: 'caldav',
        ...(new URL(serverUrl).pathname.length > 1 && { rootUrl: serverUrl }),
      },
      loadCollections: true,
      fetch: http.fetch,
    });
    calendars = account.calendars ?? [];
  } catch (error) {
    // A logon slowed down after failures (the gateway's 429 to a logon) is said as such; an unreachable
    // server or another answer the add-in knows (503: busy) says what it is — "no calendars" is only
    // for a server that answered with none.
    if (error instanceof ThrottledError && error.status === 429)
      throw new SyncError('logon-slowed', {
        origin: new URL(serverUrl).origin,
        seconds: Math.ceil(error.retryAfterMs / 1000),
      });
    if (error instanceof SyncError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    if (/401|credentials/i.test(detail)) throw new AuthenticationError('crm', '', 401);
    throw new SyncError('no-calendars', { origin: new URL(serverUrl).origin, detail }, { cause: error });
  }
  return calendars.map((c) => ({
    url: c.url.endsWith('/') ? c.url : `${c.url}/`,
    displayName: typeof c.displayName === 'string' ? c.displayName : '',
    components: (c.components ?? []).map((x) => x.toUpperCase()),
  }));
}

/** The collection for `kind`: one that takes only its component, else one that takes it. */
export function pickCollection(collections: readonly DiscoveredCollection[], kind: ItemKind) {
  const comp = kind === 'activity' ? 'VEVENT' : 'VTODO';
  return (
    collections.find((c) => c.components.length === 1 && c.components[0] === comp) ??
    collections.find((c) => c.components.includes(comp))
  );
}

/** Discovers the server and opens the stores for activities and tasks (absent when it has none). */
export async function openCalDavStores(
  serverUrl: string,
  httpOptions: DavHttpOptions,
  storeOptions: CalDavStoreOptions = {},
): Promise<Partial<Record<ItemKind, CalDavStore>>> {
  const http = new DavHttp(httpOptions);
  const collections = await discoverCollections(serverUrl, http);
  const out: Partial<Record<ItemKind, CalDavStore>> = {};
  for (const kind of ['activity', 'task'] as const) {
    const c = pickCollection(collections, kind);
    if (c) out[kind] = new CalDavStore(kind, c.url, http, storeOptions);
  }
  return out;
}
