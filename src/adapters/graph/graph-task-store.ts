/**
 * The store port over Microsoft To Do for one task list (https://learn.microsoft.com/graph/api/todotask-delta).
 * Ids are task ids, versions their etags. Delta has no period, so the period is applied here: a task
 * that leaves it is reported removed (the engine confirms with getMany and keeps it, rule 2). Delta
 * returns no extensions: changed tasks are fetched by id with `$expand=extensions` in $batch of 20.
 * Creation looks for a task carrying the key (the CRM id in linkedResources, the UID in the extension)
 * before it POSTs. To Do has no If-Match on tasks that we rely on: the version is checked by a read
 * just before the write.
 */
import { PreconditionFailedError, SyncError } from '../../core/errors.js';
import { pairKeyOf } from '../../core/sync/match.js';
import { intersects, itemRange, type SyncWindow } from '../../core/model/time.js';
import type { Item, Task } from '../../core/model/item.js';
import type { ChangeSet, StoredItem, StorePort, UnreadableItem, WriteResult } from '../../core/ports/store.js';
import type { GraphHttp } from './graph-http.js';
import { GraphMappingError } from './recurrence-mapping.js';
import {
  graphToTask,
  TASK_EXTENSION,
  taskExtension,
  taskToGraph,
  type GraphTask,
  type TaskWriteOptions,
} from './task-mapping.js';

export interface GraphTaskStoreOptions extends TaskWriteOptions {
  readonly pageSize?: number;
}

export class GraphTaskStore implements StorePort {
  readonly side = 'outlook' as const;
  readonly kind = 'task' as const;

  constructor(
    private readonly http: GraphHttp,
    readonly listId: string,
    private readonly options: GraphTaskStoreOptions = {},
  ) {}

  stats() {
    return this.http.stats();
  }

  get folder(): string {
    return this.listId;
  }

  private path(id?: string): string {
    return `/me/todo/lists/${encodeURIComponent(this.listId)}/tasks${id ? `/${encodeURIComponent(id)}` : ''}`;
  }

  private stored(t: GraphTask): StoredItem | UnreadableItem {
    const version = t['@odata.etag'] ?? '';
    try {
      return {
        id: t.id,
        version,
        item: graphToTask(t),
        ...(t.lastModifiedDateTime && { modifiedAt: Date.parse(t.lastModifiedDateTime) }),
        raw: t,
      };
    } catch (error) {
      return { id: t.id, version, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async getMany(ids: readonly string[]): Promise<ReadonlyMap<string, StoredItem | UnreadableItem>> {
    const answers = await this.http.batch(
      ids.map((id) => ({ method: 'GET', url: `${this.path(id)}?$expand=extensions` })),
    );
    const out = new Map<string, StoredItem | UnreadableItem>();
    answers.forEach((r, i) => {
      if (r.status === 404) return;
      if (r.status >= 400)
        out.set(ids[i]!, { id: ids[i]!, version: '', error: `Graph answered ${r.status} reading the task` });
      else out.set(ids[i]!, this.stored(r.body as GraphTask));
    });
    return out;
  }

  async changesSince(token: string | null, window: SyncWindow): Promise<ChangeSet> {
    const prefer = `odata.maxpagesize=${this.options.pageSize ?? 100}`;
    const ids = new Set<string>();
    const removed = new Set<string>();
    const url = await this.http.readDelta<GraphTask>(token ?? `${this.path()}/delta`, prefer, 'task', (t) => {
      if (t['@removed']) {
        removed.add(t.id);
        ids.delete(t.id);
      } else {
        ids.add(t.id);
        removed.delete(t.id);
      }
    });
    if (url === 'gone') {
      if (!token) throw new SyncError('delta-refused', { kind: 'task' });
      return this.changesSince(null, window);
    }
    const found = await this.getMany([...ids]);
    const changed: StoredItem[] = [];
    const unreadable: UnreadableItem[] = [];
    for (const id of ids) {
      const s = found.get(id);
      if (!s) removed.add(id);
      else if (!('item' in s)) unreadable.push(s);
      else if (!intersects(itemRange(s.item), window)) {
        if (token) removed.add(id); // left the period: the engine confirms and keeps it
      } else changed.push(s);
    }
    return {
      changed,
      removed: [...removed],
      ...(unreadable.length && { unreadable }),
      complete: !token,
      token: url,
    };
  }

  private task(item: Item): Task {
    if (item.kind !== 'task') throw new GraphMappingError('an activity cannot be written to a task list');
    return item;
  }

  async findByKey(key: string): Promise<string | undefined> {
    return (await this.findStoredByKey(key))?.id;
  }

  private async findStoredByKey(key: string): Promise<StoredItem | undefined> {
    // To Do offers no filter on extensions or linked resources: the list is read and compared.
    let url: string | undefined = `${this.path()}?$expand=extensions&$top=100`;
    while (url) {
      const page: { value?: GraphTask[]; '@odata.nextLink'?: string } = await this.http.get(url);
      for (const t of page.value ?? []) {
        const s = this.stored(t);
        if (
          'item' in s &&
          (pairKeyOf(s.item) === key ||
            `uid:${s.item.uid}` === key ||
            (s.item.crm?.activityId && `crm:${s.item.crm.activityId}` === key))
        )
          return s;
      }
      url = page['@odata.nextLink'];
    }
    return undefined;
  }

  async create(item: Item, key: string): Promise<WriteResult & { id: string; existing?: boolean }> {
    const task = this.task(item);
    const existing = await this.findStoredByKey(key);
    if (existing) return { id: existing.id, version: existing.version, existing: true, item: existing.item };
    const r = await this.http.request<GraphTask>('POST', this.path(), {
      ...taskToGraph(task, this.options),
      extensions: [taskExtension(task)],
    });
    return { id: r.body.id, ...(await this.readBack(r.body.id)) };
  }

  async update(id: string, item: Item, ifVersion: string): Promise<WriteResult> {
    const task = this.task(item);
    await this.check(id, ifVersion);
    const r = await this.http.request(
      'PATCH',
      this.path(id),
      taskToGraph(task, this.options),
      { 'If-Match': ifVersion },
      [404, 412],
    );
    if (r.status === 412 || r.status === 404) throw new PreconditionFailedError('outlook', id, ifVersion);
    await this.http.request('PATCH', `${this.path(id)}/extensions/${TASK_EXTENSION}`, taskExtension(task));
    return this.readBack(id);
  }

  async delete(id: string, ifVersion: string): Promise<void> {
    await this.check(id, ifVersion);
    // Already gone (404) is what a deletion wants.
    const r = await this.http.request('DELETE', this.path(id), undefined, { 'If-Match': ifVersion }, [404, 412]);
    if (r.status === 412) throw new PreconditionFailedError('outlook', id, ifVersion);
  }

  private async check(id: string, ifVersion: string): Promise<void> {
    const s = (await this.getMany([id])).get(id);
    if (!s || s.version !== ifVersion) throw new PreconditionFailedError('outlook', id, ifVersion);
  }

  private async readBack(id: string): Promise<WriteResult> {
    const s = (await this.getMany([id])).get(id);
    if (!s) throw new SyncError('read-back-failed', { side: 'outlook', id });
    return { version: s.version, ...('item' in s && { item: s.item }) };
  }
}
