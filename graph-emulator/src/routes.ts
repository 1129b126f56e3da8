/**
 * The emulator's routes: each Graph resource path and method the Outlook adapter uses, on a radix
 * router (find-my-way), with the page of the Graph documentation it follows. A path or method that is
 * not here answers 400 BadRequest, as Graph does for an unknown segment.
 */
import Router from 'find-my-way';
import {
  GraphError,
  type EmulatedEvent,
  type EmulatedTask,
  type Instance,
  type Json,
  type Mailbox,
} from './mailbox.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a route handler gets: the mailbox, the request and the path's parameters. */
interface Call {
  readonly m: Mailbox;
  readonly method: string;
  readonly url: URL;
  readonly body: Json;
  readonly headers: Record<string, string>;
  readonly prefer: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The representations and paging the routes answer with (server.ts). */
export interface Representations {
  eventJson(inst: Instance | EmulatedEvent, prefer: string, props?: Set<string>): Json;
  taskJson(t: EmulatedTask, expandExtensions: boolean): Json;
  listPage(value: readonly unknown[], url: URL, prefer: string): Reply;
  startDelta(m: Mailbox, url: URL, kind: 'events' | 'tasks', container: string, prefer: string): Reply;
}

/** Extended property ids the request asked for with $expand=singleValueExtendedProperties($filter=…). */
function expandedProperties(expand: string | null): Set<string> | undefined {
  if (!expand) return undefined;
  const m = /singleValueExtendedProperties\(\$filter=(.*)\)/i.exec(expand);
  if (!m) return undefined;
  return new Set([...m[1]!.matchAll(/id eq '([^']+)'/gi)].map((x) => x[1]!.toLowerCase()));
}

/** `$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')` or `iCalUId eq '…'`. */
function eventFilter(filter: string | null): ((e: Json) => boolean) | undefined {
  if (!filter) return undefined;
  const ext =
    /singleValueExtendedProperties\/Any\(\w+:\s*\w+\/id eq '([^']+)' and \w+\/value eq '((?:[^']|'')*)'\)/i.exec(
      filter,
    );
  if (ext) {
    const id = ext[1]!.toLowerCase();
    const value = ext[2]!.replace(/''/g, "'");
    return (e) =>
      ((e.singleValueExtendedProperties as { id: string; value: string }[] | undefined) ?? []).some(
        (p) => p.id.toLowerCase() === id && p.value === value,
      );
  }
  const uid = /^iCalUId eq '((?:[^']|'')*)'$/i.exec(filter.trim());
  if (uid) return (e) => e.iCalUId === uid[1]!.replace(/''/g, "'");
  throw new GraphError(400, 'ErrorInvalidUrlQueryFilter', `the emulator does not support the filter ${filter}`);
}

type Handler = (c: Call) => Reply;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const json = (status: number, b?: unknown): Reply => ({ status, ...(b !== undefined && { body: b }) });

function precondition(m: Mailbox, id: string, ifMatch: string | undefined) {
  // Outlook items carry their change key as the ETag; a PATCH or DELETE with a stale If-Match fails
  // with 412 (https://learn.microsoft.com/graph/api/resources/event, changeKey; ErrorIrresolvableConflict).
  if (!ifMatch || ifMatch === '*') return;
  const want = ifMatch.replace(/^W\//, '').replace(/"/g, '');
  if (m.changeKeyOf(id) !== want)
    throw new GraphError(
      412,
      'ErrorIrresolvableConflict',
      'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    );
}

/** The router over the mailboxes: `route(m, method, url, body, headers)` answers one request. */
export function graphRoutes(r: Representations) {
  const { eventJson, taskJson, listPage, startDelta } = r;
  const router = Router({ ignoreTrailingSlash: true, maxParamLength: 1000 });
  const on = (method: Method, path: string, handler: Handler) => router.on(method, path, () => undefined, handler);

  const calendarJson = (c: { id: string; name: string; isDefaultCalendar: boolean }) => ({
    id: c.id,
    name: c.name,
    isDefaultCalendar: c.isDefaultCalendar,
    canEdit: true,
    changeKey: c.id.slice(0, 8),
  });
  const defaultCalendar = (m: Mailbox) => m.state.calendars.find((c) => c.isDefaultCalendar)!;

  // Calendars (https://learn.microsoft.com/graph/api/user-list-calendars, user-post-calendars).
  on('GET', '/me/calendars', ({ m }) => json(200, { value: m.state.calendars.map(calendarJson) }));
  on('POST', '/me/calendars', ({ m, body }) => json(201, calendarJson(m.addCalendar(String(body.name ?? '')))));
  on('GET', '/me/calendar', ({ m }) => json(200, calendarJson(defaultCalendar(m))));
  on('GET', '/me/calendars/:cal/calendarView/delta', ({ m, url, prefer, params }) => {
    m.calendar(params.cal!);
    return startDelta(m, url, 'events', params.cal!, prefer);
  });

  // https://learn.microsoft.com/graph/api/user-list-events and user-post-events: /me/events is the
  // default calendar's events.
  const createEvent: Handler = ({ m, body, prefer, params }) => {
    const cal = params.cal ?? defaultCalendar(m).id;
    m.calendar(cal);
    return json(201, eventJson(m.createEvent(cal, body), prefer));
  };
  // https://learn.microsoft.com/graph/api/calendar-list-events: series masters and single events.
  const listEvents: Handler = ({ m, url, prefer, params }) => {
    const cal = params.cal ?? defaultCalendar(m).id;
    m.calendar(cal);
    const keep = eventFilter(url.searchParams.get('$filter'));
    const props = expandedProperties(url.searchParams.get('$expand'));
    const value = Object.values(m.state.events)
      .filter((e) => e.calendarId === cal && (!keep || keep(e.fields)))
      .map((e) => eventJson(e, prefer, props));
    return listPage(value, url, prefer);
  };
  for (const path of ['/me/events', '/me/calendars/:cal/events']) {
    on('POST', path, createEvent);
    on('GET', path, listEvents);
  }
  on('GET', '/me/events/:id/instances', ({ m, url, prefer, params }) => {
    // https://learn.microsoft.com/graph/api/event-list-instances: occurrences and exceptions in the range.
    const { event } = m.find(params.id!);
    const a = Date.parse(url.searchParams.get('startDateTime') ?? '');
    const b = Date.parse(url.searchParams.get('endDateTime') ?? '');
    if (Number.isNaN(a) || Number.isNaN(b))
      throw new GraphError(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required');
    return listPage(
      m.instances(event, a, b).map((i) => eventJson(i, prefer)),
      url,
      prefer,
    );
  });
  on('GET', '/me/events/:id', ({ m, url, prefer, params }) => {
    const id = params.id!;
    const { event, originalStart } = m.find(id);
    const props = expandedProperties(url.searchParams.get('$expand'));
    if (!originalStart) return json(200, eventJson(event, prefer, props));
    const inst = m.instances(event, -Infinity, Infinity).find((i) => i.id === id)!;
    return json(200, eventJson(inst, prefer, props));
  });
  on('PATCH', '/me/events/:id', ({ m, body, headers, prefer, params }) => {
    const id = params.id!;
    precondition(m, id, headers['if-match']);
    const e = m.updateEvent(id, body);
    const { originalStart } = m.find(id);
    const inst = originalStart ? m.instances(e, -Infinity, Infinity).find((i) => i.id === id) : undefined;
    return json(200, eventJson(inst ?? e, prefer));
  });
  on('DELETE', '/me/events/:id', ({ m, headers, params }) => {
    precondition(m, params.id!, headers['if-match']);
    m.deleteEvent(params.id!);
    return json(204);
  });

  // To Do (https://learn.microsoft.com/graph/api/resources/todo-overview)
  const listJson = (l: { id: string; displayName: string; wellknownListName: string }) => ({
    id: l.id,
    displayName: l.displayName,
    wellknownListName: l.wellknownListName,
    isOwner: true,
    isShared: false,
  });
  on('GET', '/me/todo/lists', ({ m }) => json(200, { value: m.state.todoLists.map(listJson) }));
  on('POST', '/me/todo/lists', ({ m, body }) => json(201, listJson(m.addList(String(body.displayName ?? '')))));
  on('GET', '/me/todo/lists/:list/tasks/delta', ({ m, url, prefer, params }) => {
    m.list(params.list!);
    return startDelta(m, url, 'tasks', params.list!, prefer);
  });
  on('POST', '/me/todo/lists/:list/tasks', ({ m, body, params }) => {
    m.list(params.list!);
    return json(201, taskJson(m.createTask(params.list!, body), true));
  });
  on('GET', '/me/todo/lists/:list/tasks', ({ m, url, prefer, params }) => {
    const list = params.list!;
    m.list(list);
    const value = Object.values(m.state.tasks)
      .filter((t) => t.listId === list)
      .map((t) => taskJson(t, /extensions/i.test(url.searchParams.get('$expand') ?? '')));
    return listPage(value, url, prefer);
  });
  // https://learn.microsoft.com/graph/api/opentypeextension-update: PATCH replaces the extension's
  // custom data; https://learn.microsoft.com/graph/api/opentypeextension-get.
  const extensionsOf = (m: Mailbox, list: string, id: string) =>
    (m.task(list, id).fields.extensions as Json[] | undefined) ?? [];
  on('GET', '/me/todo/lists/:list/tasks/:id/extensions/:name', ({ m, params }) => {
    const found = extensionsOf(m, params.list!, params.id!).find((e) => e.extensionName === params.name);
    if (!found) throw new GraphError(404, 'ErrorItemNotFound', 'The extension was not found.');
    return json(200, found);
  });
  on('PATCH', '/me/todo/lists/:list/tasks/:id/extensions/:name', ({ m, body, params }) => {
    const name = params.name!;
    const others = extensionsOf(m, params.list!, params.id!).filter((e) => e.extensionName !== name);
    m.updateTask(params.list!, params.id!, {
      extensions: [...others, { ...body, extensionName: name, id: `microsoft.graph.openTypeExtension.${name}` }],
    });
    return json(200, { ...body, extensionName: name });
  });
  on('GET', '/me/todo/lists/:list/tasks/:id', ({ m, url, params }) =>
    json(200, taskJson(m.task(params.list!, params.id!), /extensions/i.test(url.searchParams.get('$expand') ?? ''))),
  );
  on('PATCH', '/me/todo/lists/:list/tasks/:id', ({ m, body, headers, params }) => {
    const [list, id] = [params.list!, params.id!];
    const ifMatch = headers['if-match'];
    if (ifMatch && ifMatch !== '*' && ifMatch.replace(/^W\//, '').replace(/"/g, '') !== String(m.task(list, id).seq))
      throw new GraphError(412, 'PreconditionFailed', 'The ETag does not match the current version of the task.');
    return json(200, taskJson(m.updateTask(list, id, body), true));
  });
  on('DELETE', '/me/todo/lists/:list/tasks/:id', ({ m, params }) => {
    m.deleteTask(params.list!, params.id!);
    return json(204);
  });

  return (m: Mailbox, method: string, url: URL, body: Json, headers: Record<string, string>): Reply => {
    const p = url.pathname.replace(/^\/v1\.0/, '').replace(/\/$/, '');
    const found = router.find(method as Method, p);
    if (!found) throw new GraphError(400, 'BadRequest', `Resource not found for the segment in ${method} ${p}`);
    const params = Object.fromEntries(
      Object.entries(found.params).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return (found.store as Handler)({ m, method, url, body, headers, prefer: headers.prefer ?? '', params });
  };
}
