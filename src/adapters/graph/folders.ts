/**
 * The user's Outlook calendars and To Do lists, for the General tab's folder pickers.
 * - https://learn.microsoft.com/graph/api/user-list-calendars (id, name, isDefaultCalendar, canEdit)
 * - https://learn.microsoft.com/graph/api/todo-list-lists (id, displayName, wellknownListName)
 * Both collections are paged with `@odata.nextLink`, which is followed to the end.
 */
import type { GraphHttp } from './graph-http.js';

export interface OutlookFolder {
  readonly id: string;
  readonly name: string;
  /** The default calendar, or the default To Do list ("Tasks"). */
  readonly isDefault: boolean;
  /** False for a calendar shared with the user read-only: the sync cannot write there. */
  readonly canWrite: boolean;
}

export interface OutlookFolders {
  readonly calendars: readonly OutlookFolder[];
  readonly taskLists: readonly OutlookFolder[];
}

const all = async <T>(http: GraphHttp, first: string): Promise<T[]> => http.allPages<T>(await http.get(first));

/** Default first, then by name (the order a picker shows them in). */
const order = (a: OutlookFolder, b: OutlookFolder) =>
  Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name);

export async function listCalendars(http: GraphHttp): Promise<OutlookFolder[]> {
  const list = await all<{ id: string; name?: string; isDefaultCalendar?: boolean; canEdit?: boolean }>(
    http,
    '/me/calendars?$select=id,name,isDefaultCalendar,canEdit',
  );
  return list
    .map((c) => ({
      id: c.id,
      name: c.name ?? '',
      isDefault: c.isDefaultCalendar === true,
      canWrite: c.canEdit !== false,
    }))
    .sort(order);
}

export async function listTaskLists(http: GraphHttp): Promise<OutlookFolder[]> {
  const list = await all<{ id: string; displayName?: string; wellknownListName?: string; isOwner?: boolean }>(
    http,
    '/me/todo/lists',
  );
  return list
    .map((l) => ({
      id: l.id,
      name: l.displayName ?? '',
      isDefault: l.wellknownListName === 'defaultList',
      // A list shared with the user (not owned) can still be written; To Do has no read-only sharing.
      canWrite: true,
    }))
    .sort(order);
}

export async function listFolders(http: GraphHttp): Promise<OutlookFolders> {
  const [calendars, taskLists] = await Promise.all([listCalendars(http), listTaskLists(http)]);
  return { calendars, taskLists };
}
