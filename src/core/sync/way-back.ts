/**
 * A way back (issue 18): restoring a version the history kept, and undoing a whole run.
 *
 * Restore writes the version to the side the user chose as any edit there would be: the pair's status
 * is left as the last run made it, so the next run finds that side changed and carries the version to
 * the other side (a normal write, which the next run does not undo).
 *
 * Undo takes every write a run made (RunWrite, kept by the executor) back, newest first: a creation is
 * deleted, a change is written back to the version before it, a deletion is created again; and the
 * pair's status goes back to what it was before the run. A pair is undone whole or not at all: if any
 * copy the run wrote changed since (its version is not the one the run left), the pair is left as it
 * is ('changed'). The caller puts the undone pairs on the exception list first (else the next run would
 * find the run's changes again and redo them): both sides then stay as they were before the run, and
 * taking a pair off the list lets the run's change cross again.
 *
 * Restore from the other side answers the mass-delete stop: the items one side deleted, which the run
 * would have deleted on the other, are created again where they were deleted, from the other side's
 * copies, and the pairs go on as synchronized.
 */
import { errorRef, PreconditionFailedError, UnreadableTargetError } from '../errors.js';
import { logLine } from '../log-messages.js';
import type { Item } from '../model/item.js';
import type { ErrorLog, History, HistoryEntry, RunWrite, StatusStore } from '../ports/state.js';
import { isReadable, type StoredItem, type StorePort } from '../ports/store.js';
import { UNKNOWN_VERSION, type PairStatus, type SideStatus } from './status.js';
import type { ItemKind, Side } from './types.js';

export interface WayBackDeps {
  readonly store: (side: Side, kind: ItemKind) => StorePort;
  readonly state: StatusStore;
  readonly log: ErrorLog;
  readonly history: History;
  readonly clock: () => number;
}

/** What undoing a run does to one pair: 'undo' it, or leave it — a copy the run wrote 'changed' since. */
export interface UndoPair {
  readonly pairKey: string;
  readonly subject: string;
  readonly kind: ItemKind;
  /** The run's writes to this pair, newest first. */
  readonly writes: readonly RunWrite[];
  readonly outcome: 'undo' | 'changed';
}

export interface UndoResult {
  readonly undone: readonly UndoPair[];
  /** Pairs left as they are: a copy changed since the run, or a write of the undo failed (`error`). */
  readonly left: readonly (UndoPair & { readonly error?: string })[];
}

const messageOf = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** A run's writes by pair, newest write first, each pair judged against the copies as they are now. */
export async function planUndo(writes: readonly RunWrite[], deps: Pick<WayBackDeps, 'store'>): Promise<UndoPair[]> {
  const byPair = new Map<string, RunWrite[]>();
  const ordered = writes.map((w, i) => ({ w, i })).sort((x, y) => y.w.at - x.w.at || y.i - x.i);
  for (const { w } of ordered) byPair.set(w.pairKey, [...(byPair.get(w.pairKey) ?? []), w]);
  const current = await currentCopies(writes, deps);
  return [...byPair.values()].map((ws) => {
    // (A copy the run wrote twice is judged by its last write: the version the run left it at.)
    const last = ws.filter((w, i) => w.write === 'delete' || ws.findIndex((x) => copyKey(x) === copyKey(w)) === i);
    return {
      pairKey: ws[0]!.pairKey,
      subject: ws[0]!.subject,
      kind: ws[0]!.kind,
      writes: ws,
      outcome: last.every((w) => asRunLeftIt(w, current.get(copyKey(w)))) ? 'undo' : 'changed',
    };
  });
}

const copyKey = (w: Pick<RunWrite, 'side' | 'kind' | 'id'>) => `${w.side}:${w.kind}:${w.id}`;

/** The copies the run created or changed, as they are now (one read per store). */
async function currentCopies(
  writes: readonly RunWrite[],
  deps: Pick<WayBackDeps, 'store'>,
): Promise<Map<string, StoredItem | 'unreadable'>> {
  const ids = new Map<string, { side: Side; kind: ItemKind; ids: string[] }>();
  for (const w of writes)
    if (w.write !== 'delete') {
      const k = `${w.side}:${w.kind}`;
      const e = ids.get(k) ?? { side: w.side, kind: w.kind, ids: [] };
      e.ids.push(w.id);
      ids.set(k, e);
    }
  const out = new Map<string, StoredItem | 'unreadable'>();
  for (const e of ids.values()) {
    const read = await deps.store(e.side, e.kind).getMany([...new Set(e.ids)]);
    for (const [id, c] of read) out.set(`${e.side}:${e.kind}:${id}`, isReadable(c) ? c : 'unreadable');
  }
  return out;
}

/**
 * Whether the copy is still what the run left: a creation or a change at the version the run wrote; a
 * deletion's copy stays deleted (a copy created since under the pair's key is found when it is created).
 */
function asRunLeftIt(w: RunWrite, now: StoredItem | 'unreadable' | undefined): boolean {
  if (w.write === 'delete') return true;
  if (!now || now === 'unreadable') return false;
  return w.version !== undefined && w.version !== UNKNOWN_VERSION && now.version === w.version;
}

/** Undoes the pairs `planUndo` judged 'undo' (re-checked now); see the module comment. */
export async function undoRun(writes: readonly RunWrite[], deps: WayBackDeps): Promise<UndoResult> {
  const pairs = await planUndo(writes, deps);
  const undone: UndoPair[] = [];
  const left: (UndoPair & { error?: string })[] = [];
  for (const pair of pairs) {
    if (pair.outcome !== 'undo') {
      left.push(pair);
      await deps.log.append({
        at: deps.clock(),
        level: 'warning',
        ...logLine('undo-skipped', { side: pair.writes[0]!.side }),
        pairKey: pair.pairKey,
        subject: pair.subject,
      });
      continue;
    }
    try {
      await undoPair(pair, deps);
      undone.push(pair);
    } catch (error) {
      left.push({ ...pair, error: messageOf(error) });
      await deps.log.append({
        at: deps.clock(),
        level: 'error',
        ...logLine('undo-skipped', { side: pair.writes[0]!.side }),
        ...(errorRef(error) && { error: errorRef(error) }),
        cause: messageOf(error),
        pairKey: pair.pairKey,
        subject: pair.subject,
      });
    }
  }
  return { undone, left };
}

/** One pair's writes taken back, newest first; then its status as before the run. */
async function undoPair(pair: UndoPair, deps: WayBackDeps): Promise<void> {
  const recreated = new Map<Side, string>();
  /**
   * The version each copy must be at for its next write of the undo: the one the run left (its newest
   * write), then the one the undo's own write gave it — a change made since is never overwritten, not
   * even one made while the undo runs (the store refuses it: PreconditionFailedError).
   */
  const expected = new Map<string, string>();
  for (const w of pair.writes) {
    const store = deps.store(w.side, w.kind);
    if (w.write === 'delete') {
      if (!w.before) throw new Error('the deleted version was not kept');
      const made = await store.create(w.before, w.pairKey);
      if (made.existing) throw new Error('a copy with this key was created since the run');
      recreated.set(w.side, made.id);
    } else {
      const now = (await store.getMany([w.id])).get(w.id);
      if (!now) throw new Error('the copy was deleted since the run');
      if (!isReadable(now)) throw new UnreadableTargetError(w.side, w.id, now.error);
      const at = expected.get(copyKey(w)) ?? w.version ?? UNKNOWN_VERSION;
      await keep(now.item, w, 'undo', deps);
      if (w.write === 'create') await store.delete(w.id, at, now);
      else if (!w.before) throw new Error('the changed version was not kept');
      else expected.set(copyKey(w), (await store.update(w.id, w.before, at, now)).version);
    }
    await deps.log.append({
      at: deps.clock(),
      level: 'info',
      ...logLine('undone', { action: w.write, side: w.side }),
      pairKey: w.pairKey,
      subject: w.subject,
      side: w.side,
    });
  }
  // The row before the run (the oldest write has it as every write of the pair does).
  const row = pair.writes[pair.writes.length - 1]!.row;
  if (!row) return deps.state.commit({ remove: [pair.pairKey] });
  const sides: Partial<Record<Side, SideStatus>> = {};
  for (const [side, id] of recreated) if (row[side]) sides[side] = { ...row[side]!, id };
  await deps.state.commit({ upsert: [{ ...row, ...sides } as PairStatus] });
}

function keep(item: Item, w: { pairKey: string; side: Side; kind: ItemKind }, reason: string, deps: WayBackDeps) {
  return deps.history.put({ at: deps.clock(), pairKey: w.pairKey, side: w.side, kind: w.kind, item, reason });
}

/**
 * Writes a version the history kept to `side`: over the pair's copy there, or as a new copy (then the
 * status names it, with no version, so that the next run reads it as changed and carries it over).
 */
export async function restoreVersion(entry: HistoryEntry, side: Side, deps: WayBackDeps): Promise<void> {
  const store = deps.store(side, entry.kind);
  const row = (await deps.state.load()).rows.find((r) => r.key === entry.pairKey);
  const id = row?.[side]?.id;
  let now = id ? (await store.getMany([id])).get(id) : undefined;
  if (!now) {
    const made = await store.create(entry.item, entry.pairKey);
    if (made.existing) now = (await store.getMany([made.id])).get(made.id);
    else {
      if (row)
        await deps.state.commit({
          upsert: [{ ...row, [side]: { id: made.id, version: UNKNOWN_VERSION, hash: '' } }],
        });
      return logRestored(entry.pairKey, entry.item.subject, side, deps);
    }
    if (!now) throw new Error('the copy found under the pair key could not be read');
  }
  if (!isReadable(now)) throw new UnreadableTargetError(side, now.id, now.error);
  await keep(now.item, { ...entry, side }, 'restore', deps);
  const item = { ...entry.item, extra: { ...now.item.extra, ...entry.item.extra } };
  await store.update(now.id, item, now.version, now);
  return logRestored(entry.pairKey, entry.item.subject, side, deps);
}

/**
 * The pairs `keys` whose copy on `deletedOn` is gone: each is created there again from its copy on the
 * other side, and the pair's status names the new copy at the version the pair agreed on (so the next
 * run finds both sides in agreement and writes nothing). Returns how many were restored; a pair whose
 * other copy cannot be read, or whose copy is not gone, is left (the next run decides it as before).
 */
export async function restoreFromOtherSide(
  keys: readonly string[],
  deletedOn: Side,
  deps: WayBackDeps,
): Promise<{ restored: number; left: number }> {
  const from = deletedOn === 'outlook' ? 'crm' : 'outlook';
  const wanted = new Set(keys);
  const rows = (await deps.state.load()).rows.filter((r) => wanted.has(r.key) && r[from] && r[deletedOn]);
  let restored = 0;
  for (const r of rows) {
    try {
      const [gone, source] = await Promise.all([
        deps.store(deletedOn, r.kind).getMany([r[deletedOn]!.id]),
        deps.store(from, r.kind).getMany([r[from]!.id]),
      ]);
      const copy = source.get(r[from]!.id);
      if (gone.size || !copy || !isReadable(copy)) continue;
      const made = await deps.store(deletedOn, r.kind).create(copy.item, r.key);
      await deps.state.commit({
        upsert: [{ ...r, [deletedOn]: { ...r[deletedOn]!, id: made.id, version: made.version } }],
      });
      await logRestored(r.key, copy.item.subject, deletedOn, deps);
      restored++;
    } catch (error) {
      // One item's failure leaves that item only (rule 9): the next run decides it as before.
      await deps.log.append({
        at: deps.clock(),
        level: 'error',
        ...logLine('write-failed', { items: '', action: 'create', detail: messageOf(error) }),
        ...(errorRef(error) && { error: errorRef(error) }),
        cause: messageOf(error),
        pairKey: r.key,
        subject: r.subject,
        side: deletedOn,
      });
    }
  }
  return { restored, left: keys.length - restored };
}

function logRestored(pairKey: string, subject: string, side: Side, deps: WayBackDeps): Promise<void> {
  return deps.log.append({
    at: deps.clock(),
    level: 'info',
    ...logLine('restored', { side }),
    pairKey,
    subject,
    side,
  });
}

/**
 * Writes `item` over the copy of `side` at `at`, if it is still that version (the conflict screen's
 * merge: the merged version goes to Outlook, then a run with the conflict decided for Outlook carries
 * it to the CRM). The copy's version before is kept in the history (rule 5).
 */
export async function writeOver(
  side: Side,
  at: { readonly id: string; readonly version: string },
  item: Item,
  pairKey: string,
  deps: WayBackDeps,
): Promise<void> {
  const store = deps.store(side, item.kind);
  const now = (await store.getMany([at.id])).get(at.id);
  if (!now || !isReadable(now) || now.version !== at.version)
    throw new PreconditionFailedError(side, at.id, at.version);
  await keep(now.item, { pairKey, side, kind: item.kind }, 'merge', deps);
  await store.update(at.id, item, now.version, now);
}
