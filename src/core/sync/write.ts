/**
 * One action's write (the executor's step 3 between journal and status): the user exit first, then
 * the store; before an overwrite or a delete the target's previous version goes into the history
 * (rule 5), and a creation the store finds already made (its key) is finished, not repeated (rule 4).
 */
import { UnreadableTargetError, UserExitError } from '../errors.js';
import { contentHash, sameSharedContent } from '../model/content-hash.js';
import type { Item } from '../model/item.js';
import { isReadable, type StoredItem, type UnreadableItem } from '../ports/store.js';
import type { Action } from './actions.js';
import { keepBeyondCap } from './caps.js';
import type { ExecuteDeps } from './execute.js';
import { describeReason } from './reasons.js';
import type { Side } from './types.js';

export const VETOED = Symbol('vetoed by the user exit');

/**
 * The targets of a chunk's updates and deletions, read in one request per store before their writes
 * (issue 17: a read per item): by side, kind and id; an id absent from its map no longer exists.
 */
export type TargetsRead = ReadonlyMap<string, ReadonlyMap<string, StoredItem | UnreadableItem>>;

export const targetsKey = (side: Side, kind: string) => `${side}:${kind}`;

/** Reads the current versions of the targets of `actions`' updates and deletions, one getMany per store. */
export async function readTargets(actions: readonly Action[], deps: ExecuteDeps): Promise<TargetsRead> {
  const ids = new Map<string, { side: Side; kind: Action['kind']; ids: string[] }>();
  for (const a of actions)
    if (a.type === 'update' || a.type === 'delete') {
      const k = targetsKey(a.target, a.kind);
      const entry = ids.get(k) ?? { side: a.target, kind: a.kind, ids: [] };
      entry.ids.push(a.id);
      ids.set(k, entry);
    }
  const out = new Map<string, ReadonlyMap<string, StoredItem | UnreadableItem>>();
  for (const [k, e] of ids) out.set(k, await deps.store(e.side, e.kind).getMany(e.ids));
  return out;
}

/** What a creation or an update wrote; `previous`: the version it overwrote (kept for undoing the run). */
export interface Written {
  readonly id: string;
  readonly version: string;
  readonly item: Item;
  readonly existing?: boolean;
  readonly previous?: Item;
}

/** A deletion done; `previous`: the version deleted. */
export interface Removed {
  readonly removed: true;
  readonly previous?: Item;
}

/** Performs one action's write; returns what was written (creates, updates) or removed (deletions). */
export async function write(
  a: Action,
  deps: ExecuteDeps,
  targets?: TargetsRead,
): Promise<Written | Removed | undefined | typeof VETOED> {
  if (a.type === 'status') return undefined;
  const store = deps.store(a.target, a.kind);
  /** The target as read for this chunk, or now. */
  const current = async (id: string) => {
    const read = targets?.get(targetsKey(a.target, a.kind));
    return read ? read.get(id) : (await store.getMany([id])).get(id);
  };
  if (a.type === 'delete') {
    const found = await keepPrevious(await current(a.id), a, deps);
    await store.delete(a.id, a.ifVersion, found);
    return { removed: true, ...(found && { previous: found.item }) };
  }
  let item = a.item;
  if (deps.userExit) {
    const direction = a.target === 'crm' ? 'outlook-to-mobile' : 'mobile-to-outlook';
    let result: Item | null;
    try {
      result = await deps.userExit({ direction, item, raw: deps.raw?.(a.source.side, a.source.id) });
    } catch (error) {
      throw new UserExitError(error);
    }
    if (result === null) return VETOED;
    if (typeof result !== 'object' || result.kind !== a.item.kind)
      throw new UserExitError(`it returned no ${a.item.kind} (return the item, or null to skip it)`);
    item = result;
  }
  if (a.type === 'create') {
    const created = await store.create(item, a.pairKey);
    if (!created.existing) return { ...created, item: created.item ?? item };
    // Recovery: the interrupted run's creation, maybe edited by the user since. The status records
    // what this run wrote, so that an edit since is a change the next read finds (recording the item as
    // found absorbed the edit: model run on the adapters, seed 777).
    if (deps.recovering)
      return { ...created, item: created.item && sameSharedContent(created.item, item) ? created.item : item };
    // The key names an item the status lost track of (it left the window under a new id, say): the
    // plan chose this content for the pair, so it is written over that item like any update.
    const found = (await store.getMany([created.id])).get(created.id);
    // Never overwrite what cannot be kept in the history (rule 5): that item waits for repair.
    if (found && !isReadable(found)) throw new UnreadableTargetError(a.target, created.id, found.error);
    const previous = found;
    if (previous && contentHash(previous.item) === contentHash(item))
      return { id: created.id, version: previous.version, item };
    if (previous) await saveInHistory(previous.item, a, deps);
    const over = previous ? withTargetExtra(item, previous.item) : item;
    const updated = await store.update(created.id, over, previous?.version ?? created.version, previous);
    return {
      id: created.id,
      version: updated.version,
      item: updated.item ?? over,
      ...(previous && { previous: previous.item }),
    };
  }
  const found = await keepPrevious(await current(a.id), a, deps);
  const previous = found?.item;
  // From the capped copy over its source: the source's occurrences after the cap stay (rule 6).
  const fromCap = a.cap?.side === a.source.side ? a.cap : undefined;
  const over = previous ? withTargetExtra(keepBeyondCap(item, previous, fromCap), previous) : item;
  const updated = await store.update(a.id, over, a.ifVersion, found);
  return { id: a.id, version: updated.version, item: updated.item ?? over, ...(previous && { previous }) };
}

/** Saves the target's current version in the history before it is overwritten or deleted. */
async function keepPrevious(
  previous: StoredItem | UnreadableItem | undefined,
  a: Action & { target: Side; id: string },
  deps: ExecuteDeps,
): Promise<StoredItem | undefined> {
  if (previous && !isReadable(previous)) throw new UnreadableTargetError(a.target, a.id, previous.error);
  if (previous) await saveInHistory(previous.item, a, deps);
  return previous;
}

/**
 * The item to write over `target`: the source's content, with the target's own round-trip data
 * (`extra` of origins the source does not carry: unknown iCalendar properties, Graph-only fields),
 * so that an update from the other side does not strip what only this side holds.
 */
function withTargetExtra(item: Item, target: Item): Item {
  return { ...item, extra: { ...target.extra, ...item.extra } };
}

function saveInHistory(item: Item, a: Action & { target: Side }, deps: ExecuteDeps): Promise<void> {
  return deps.history.put({
    at: deps.clock(),
    pairKey: a.pairKey,
    side: a.target,
    kind: a.kind,
    item,
    reason: describeReason(a.reason),
  });
}
