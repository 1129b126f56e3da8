/**
 * The store port over Microsoft To Do for one task list (https://learn.microsoft.com/graph/api/todotask-delta).
 * Ids are task ids, versions their etags. Delta has no period, so the period is applied here: a task
 * that leaves it is reported removed (the engine confirms with getMany and keeps it, rule 2). Delta
 * returns no extensions: changed tasks are fetched by id with `$expand=extensions` in $batch of 20.
 * Creation looks for a task carrying the key (the CRM id in linkedResources, the UID in the extension)
 * before it POSTs: the first few by reading the list, then from one index of the list built once (a
 * first synchronization of N tasks read the list N times: issue 17). Creations, their read-backs and
 * the reads of changed tasks join the $batch of the chunk under way (GraphHttp.queued). In an
 * incremental read, a task the delta lists at the etag the status holds (the run's own write) is not
 * fetched again (`unchanged`: no echo run). To Do has no If-Match on tasks that we rely on: the version
 * is checked by a read just before the write.
 */
import { PreconditionFailedError, SyncError } from '../../core/errors.js';
import { pairKeyOf } from '../../core/sync/match.js';
import { intersects, itemRange, type SyncWindow } from '../../core/model/time.js';
import type { Item, Task } from '../../core/model/item.js';
import type { ChangeSet, StoredItem, StorePort, UnreadableItem, WriteResult } from '../../core/ports/store.js';
import type { GraphHttp } from './graph-http.js';
import { KeyLookup } from './key-lookup.js';
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

/** Creations per run that read the list for their key before one index of the list answers the rest. */
export const TASK_LOOKUPS_ONE_BY_ONE = 3;

export class GraphTaskStore implements StorePort {
  readonly side = 'outlook' as const;
  readonly kind = 'task' as const;

  /** Where a creation's key is (the first few by reading the list, then one index of the list). */
  private readonly keys = new KeyLookup(
    TASK_LOOKUPS_ONE_BY_ONE,
    (key) => this.findByKey(key),
    () => this.listKeys(),
  );

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
    // (Through the queue: the read-backs of a chunk's writes share their $batch.)
    const answers = await this.http.batchQueued(
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

  async changesSince(
    token: string | null,
    window: SyncWindow,
    known?: ReadonlyMap<string, string>,
  ): Promise<ChangeSet> {
    const prefer = `odata.maxpagesize=${this.options.pageSize ?? 100}`;
    const ids = new Set<string>();
    const removed = new Set<string>();
    // The etag each listed task has (https://learn.microsoft.com/graph/api/resources/todotask: a task
    // carries its @odata.etag; delta lists tasks in that form).
    const etags = new Map<string, string | undefined>();
    const url = await this.http.readDelta<GraphTask>(token ?? `${this.path()}/delta`, prefer, 'task', (t) => {
      if (t['@removed']) {
        removed.add(t.id);
        ids.delete(t.id);
      } else {
        ids.add(t.id);
        removed.delete(t.id);
        etags.set(t.id, t['@odata.etag']);
      }
    });
    if (url === 'gone') {
      if (!token) throw new SyncError('delta-refused', { kind: 'task' });
      return this.changesSince(null, window);
    }
    // In an incremental read, a task at the etag the status holds (the run's own write) is not read again.
    const unchanged = token
      ? [...ids].filter((id) => {
          const etag = etags.get(id);
          return etag !== undefined && known?.get(id) === etag;
        })
      : [];
    for (const id of unchanged) ids.delete(id);
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
      ...(unchanged.length && { unchanged }),
    };
  }

  private task(item: Item): Task {
    if (item.kind !== 'task') throw new GraphMappingError('an activity cannot be written to a task list');
    return item;
  }

  async findByKey(key: string): Promise<string | undefined> {
    return (await this.listKeys(key)).get(key);
  }

  /**
   * The list's tasks by the keys they carry: their pair key, `uid:` and `crm:` (the pair key first).
   * To Do offers no filter on extensions or linked resources: the list is read and compared. With
   * `until`, the reading stops at the page where that key turns up.
   */
  private async listKeys(until?: string): Promise<Map<string, string>> {
    const index = new Map<string, string>();
    const byPairKey: [string, string][] = [];
    let url: string | undefined = `${this.path()}?$expand=extensions&$top=100`;
    while (url) {
      const page: { value?: GraphTask[]; '@odata.nextLink'?: string } = await this.http.get(url);
      for (const t of page.value ?? []) {
        const s = this.stored(t);
        if (!('item' in s)) continue;
        byPairKey.push([pairKeyOf(s.item), t.id]);
        if (!index.has(`uid:${s.item.uid}`)) index.set(`uid:${s.item.uid}`, t.id);
        const crmId = s.item.crm?.activityId;
        if (crmId && !index.has(`crm:${crmId}`)) index.set(`crm:${crmId}`, t.id);
      }
      if (until && byPairKey.some(([k]) => k === until)) break;
      url = page['@odata.nextLink'];
    }
    for (const [k, id] of byPairKey) index.set(k, id);
    return index;
  }

  async create(item: Item, key: string): Promise<WriteResult & { id: string; existing?: boolean }> {
    const task = this.task(item);
    const found = await this.keys.where(key);
    const existing = found ? (await this.getMany([found])).get(found) : undefined;
    if (existing)
      return {
        id: existing.id,
        version: existing.version,
        existing: true,
        ...('item' in existing && { item: existing.item }),
      };
    // Sent in a $batch with the chunk's other creations (GraphHttp.queued).
    const r = await this.http.queued<GraphTask>({
      method: 'POST',
      url: this.path(),
      body: { ...taskToGraph(task, this.options), extensions: [taskExtension(task)] },
    });
    const id = r.body.id;
    await this.keys.created(key, id);
    return { id, ...(await this.readBack(id)) };
  }

  async update(id: string, item: Item, ifVersion: string, read?: StoredItem): Promise<WriteResult> {
    const task = this.task(item);
    await this.check(id, ifVersion, read);
    // (PATCHes join the chunk's $batch, as the creations do.)
    const r = await this.http.queued(
      {
        method: 'PATCH',
        url: this.path(id),
        body: taskToGraph(task, this.options),
        headers: { 'If-Match': ifVersion },
      },
      [404, 412],
    );
    if (r.status === 412 || r.status === 404) throw new PreconditionFailedError('outlook', id, ifVersion);
    await this.http.queued({
      method: 'PATCH',
      url: `${this.path(id)}/extensions/${TASK_EXTENSION}`,
      body: taskExtension(task),
    });
    return this.readBack(id);
  }

  async delete(id: string, ifVersion: string, read?: StoredItem): Promise<void> {
    await this.check(id, ifVersion, read);
    // Already gone (404) is what a deletion wants.
    const r = await this.http.queued(
      { method: 'DELETE', url: this.path(id), headers: { 'If-Match': ifVersion } },
      [404, 412],
    );
    if (r.status === 412) throw new PreconditionFailedError('outlook', id, ifVersion);
    await this.keys.deleted(id);
  }

  /** The task is at `ifVersion` (as the engine read it just before, or read now), else PreconditionFailed. */
  private async check(id: string, ifVersion: string, read?: StoredItem): Promise<void> {
    const s = read?.id === id ? read : (await this.getMany([id])).get(id);
    if (!s || s.version !== ifVersion) throw new PreconditionFailedError('outlook', id, ifVersion);
  }

  private async readBack(id: string): Promise<WriteResult> {
    const s = (await this.getMany([id])).get(id);
    if (!s) throw new SyncError('read-back-failed', { side: 'outlook', id });
    return { version: s.version, ...('item' in s && { item: s.item }) };
  }
}
