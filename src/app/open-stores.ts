/**
 * The stores of both sides for a compiled profile: Outlook's calendar and To Do list through Graph,
 * the CRM's collections through the gateway (CalDAV). The task pane and the gateway's sync worker
 * (issue 19) open them the same way.
 */
import { openCalDavStores } from '../adapters/caldav/discover.js';
import type { DavHttpOptions } from '../adapters/caldav/dav-http.js';
import { listCalendars, listTaskLists, type OutlookFolder } from '../adapters/graph/folders.js';
import { GraphEventStore } from '../adapters/graph/graph-event-store.js';
import type { GraphHttp } from '../adapters/graph/graph-http.js';
import { GraphTaskStore } from '../adapters/graph/graph-task-store.js';
import { SyncError } from '../core/errors.js';
import type { SyncDeps } from '../core/sync/engine.js';
import type { SyncPolicy } from '../core/sync/policy.js';
import type { ItemKind } from '../core/sync/types.js';

export interface OpenedStores {
  readonly stores: SyncDeps['stores'];
  readonly storeIn: NonNullable<SyncDeps['storeIn']>;
}

export interface StoreOptions {
  /** How the CRM side is reached (the gateway's address is the policy's). */
  readonly crm: DavHttpOptions;
  /** The zone floating times are read in (the user's). */
  readonly floatingZone: string;
  /** The add-in's id, for "Use forms" (the SAP CRM pane of an appointment reads what is written there). */
  readonly addinId?: string;
}

/** The folder the General tab names, or the default one when it names none. */
export function chooseFolder(folders: readonly OutlookFolder[], id: string, kind: ItemKind): OutlookFolder {
  const chosen = id ? folders.find((f) => f.id === id) : folders.find((f) => f.isDefault);
  if (!chosen) throw new SyncError('folder-gone', { kind });
  return chosen;
}

/**
 * The stores of both sides for `policy` (a read-only calendar is refused by name), and a store for
 * another Outlook folder with the same options (moving the synchronized items after a folder change).
 */
export async function openStores(policy: SyncPolicy, http: GraphHttp, options: StoreOptions): Promise<OpenedStores> {
  const { kinds } = policy;
  const eventsIn = (calendarId: string) =>
    new GraphEventStore(http, calendarId, {
      ...(options.addinId && policy.outlook.forms && { addinId: options.addinId }),
      notifyAttendees: policy.outlook.notifyAttendees,
      floatingZone: options.floatingZone,
    });
  const tasksIn = (listId: string) => new GraphTaskStore(http, listId);
  const outlook: SyncDeps['stores']['outlook'] = {};
  if (kinds.has('activity')) {
    const chosen = chooseFolder(await listCalendars(http), policy.outlook.calendarId, 'activity');
    if (!chosen.canWrite) throw new SyncError('calendar-read-only', { name: chosen.name });
    outlook.activity = eventsIn(chosen.id);
  }
  if (kinds.has('task')) {
    const chosen = chooseFolder(await listTaskLists(http), policy.outlook.taskListId, 'task');
    outlook.task = tasksIn(chosen.id);
  }
  const storeIn: OpenedStores['storeIn'] = (side, kind, folder) => {
    if (side !== 'outlook') throw new SyncError('internal', { detail: 'only Outlook folders can be changed' });
    return kind === 'activity' ? eventsIn(folder) : tasksIn(folder);
  };
  const crm = await openCalDavStores(policy.crm.gatewayUrl, options.crm);
  for (const kind of kinds) if (!crm[kind]) throw new SyncError('no-collection', { kind });
  return { stores: { outlook, crm }, storeIn };
}
