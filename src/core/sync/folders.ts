/**
 * A change of the Outlook calendar or To Do list (General tab) while items are synchronized with the old
 * one (issue 13, point 10). The state remembers the folder each kind's pairs were made in; a run that
 * finds another folder in the profile stops before it reads (FolderChangedError) until the user chooses:
 *
 * - **move**: every synchronized Outlook copy is copied into the new folder and deleted from the old one
 *   (Graph v1.0 has no move for events or To Do tasks), one pair at a time, each committed at once. The
 *   CRM side is not touched. A copy that cannot be moved that way (a meeting with attendees: the copy and
 *   the deletion would mail them) stays where it is, stays synchronized (read by its id every run) and
 *   is named in the log. An interrupted move is finished by the next run the user confirms again: a copy
 *   already made is found by its pair key (creation is idempotent): kept when it equals the original
 *   or when only the copy was edited since (that edit then crosses as a change), else given the
 *   original, its own version kept in the history first (rule 5); one already deleted from the old
 *   folder is followed to the new one (rule 10).
 * - **new pairing**: the pairs of that kind end. The old folder's items stay there, no longer
 *   synchronized; the new folder is synchronized with the CRM as in a first synchronization (items on
 *   both sides are matched, the rest is copied).
 *
 * Either way an Outlook item of the old folder that was never paired — its first copy to the CRM failed
 * and waits for a retry, or waits for the user's confirmation — stays behind like any other item that
 * was not synchronized: its retry and its pending decision end (logged with a count), so that no later
 * run copies an item of a folder the profile no longer names into the CRM.
 *
 * Until the move has finished the state keeps the old folder, so a stopped move asks again.
 *
 * (Over 350 lines: the choice, the move of each copy and the recovery of an interrupted move share the
 * folder tokens and their order of commits, which is the argument that nothing is lost or doubled.)
 */
import { SyncError, type FolderChange } from '../errors.js';
import { logLine } from '../log-messages.js';
import { contentHash } from '../model/content-hash.js';
import type { ErrorLog, History, StatusStore, SyncState } from '../ports/state.js';
import { isReadable, type StoredItem, type StorePort } from '../ports/store.js';
import { subjectLine } from './failure-log.js';
import { UNKNOWN_VERSION, type PairStatus } from './status.js';
import type { ItemKind } from './types.js';

export type FolderChoice = 'move' | 'new-pairing';

/** The token under which the state keeps the folder a kind's Outlook copies are in. */
export const folderToken = (kind: ItemKind) => `folder:outlook:${kind}`;

/**
 * The token under which the state keeps the folder a move is taking a kind's copies to, named before
 * its first write and dropped when it has finished: where an interrupted move left some of them.
 */
export const movingToken = (kind: ItemKind) => `folder-moving:outlook:${kind}`;
/** The pair whose copy a move is making, until its row names the copy. */
const inFlightToken = (kind: ItemKind) => `folder-moving-pair:outlook:${kind}`;

/** The pairs of `kind` whose Outlook copy is to go to the folder `to` (not already pinned there). */
const movable = (rows: readonly PairStatus[], { kind, to }: Pick<FolderChange, 'kind' | 'to'>) =>
  rows.filter((r) => r.kind === kind && r.outlook && r.outlook.pinned !== to);

/**
 * Kinds whose Outlook folder differs from the one their pairs were made in (and that have pairs), or
 * whose copies an interrupted move left partly in another folder than the profile's.
 */
export function folderChanges(
  state: SyncState,
  stores: Partial<Record<ItemKind, StorePort>>,
  kinds: readonly ItemKind[],
): FolderChange[] {
  return kinds.flatMap((kind) => {
    const from = state.tokens[folderToken(kind)];
    const to = stores[kind]?.folder;
    if (!from || !to) return [];
    // An interrupted move took some copies to a folder the profile no longer names: that move is
    // finished first, then they all go on (back, if the profile names the first folder again).
    const moving = state.tokens[movingToken(kind)];
    const also = moving && moving !== to && moving !== from ? moving : undefined;
    if (from === to && !also) return [];
    const pairs = movable(state.rows, { kind, to }).length;
    return pairs ? [{ kind, from, to, pairs, ...(also && { also }) }] : [];
  });
}

/**
 * The folder tokens to commit after a run: the folder of each kind the run synchronized (a kind out of
 * scope keeps the folder its pairs are in, so turning it on again asks when its folder changed).
 */
export const folderTokens = (
  stores: Partial<Record<ItemKind, StorePort>>,
  kinds: readonly ItemKind[],
): Record<string, string> =>
  Object.fromEntries(
    kinds.flatMap((kind) => (stores[kind]?.folder ? [[folderToken(kind), stores[kind]!.folder]] : [])),
  );

export interface FolderDeps {
  readonly state: StatusStore;
  readonly log: ErrorLog;
  readonly history: History;
  readonly clock: () => number;
  /** The store of the new folder. */
  readonly store: (kind: ItemKind) => StorePort;
  /** A store for another folder of the same mailbox (the old one). */
  readonly storeIn?: (kind: ItemKind, folder: string) => StorePort;
}

const BATCH = 20;

/** Carries out the user's choice for each change (the engine asks for it: FolderChangedError). */
export async function changeFolders(
  changes: readonly FolderChange[],
  choice: FolderChoice,
  state: SyncState,
  deps: FolderDeps,
): Promise<void> {
  for (const c of changes) {
    const rows = movable(state.rows, c);
    await endUnpaired(c, state, deps);
    if (choice === 'new-pairing') {
      await deps.state.commit({
        remove: rows.map((r) => r.key),
        failuresClear: rows.map((r) => r.key),
        tokens: { [folderToken(c.kind)]: c.to, [movingToken(c.kind)]: null },
      });
      await deps.log.append({
        at: deps.clock(),
        level: 'info',
        ...logLine('folder-new-pairing', {
          kind: c.kind,
          to: c.to,
          count: rows.length,
          from: c.from,
          also: c.also ?? '',
        }),
        count: rows.length,
        pairKeys: rows.map((r) => r.key),
      });
      continue;
    }
    const storeIn = deps.storeIn;
    if (!storeIn) throw new SyncError('move-no-store', { kind: c.kind });
    const step = (from: string, to: string, moved: readonly PairStatus[], target: StorePort) =>
      moveStep(c.kind, from, to, moved, storeIn(c.kind, from), target, deps);
    if (c.also && c.from === c.to) {
      // Back to the folder the pairs were made in while a move away from it was unfinished: what the
      // move took away comes back, what it had not reached stays where it is, and a copy it made of
      // an item it then did not remove (stopped in between) is removed again, kept in the history.
      const inFlight = state.tokens[inFlightToken(c.kind)];
      await step(c.also, c.to, rows, deps.store(c.kind));
      await removeStrayCopy(c.kind, storeIn(c.kind, c.also), inFlight, deps);
      continue;
    }
    // An interrupted move to another folder is finished first (its copies found there by pair key,
    // none made twice), so that every copy is in one folder before they go on.
    let rest = rows;
    if (c.also) {
      await step(c.from, c.also, rest, storeIn(c.kind, c.also));
      rest = movable((await deps.state.load()).rows, c);
    }
    await step(c.also ?? c.from, c.to, rest, deps.store(c.kind));
  }
}

/**
 * The copy in `stray` of the pair a stopped move was making (named before the copy), when the pair's
 * copy is elsewhere: the move stopped between the copy and the deletion of the original.
 */
async function removeStrayCopy(kind: ItemKind, stray: StorePort, key: string | undefined, deps: FolderDeps) {
  const r = key !== undefined ? (await deps.state.load()).rows.find((x) => x.key === key) : undefined;
  const id = r?.outlook && stray.findByKey ? await stray.findByKey(r.key) : undefined;
  const s = id !== undefined && id !== r!.outlook!.id ? (await stray.getMany([id])).get(id) : undefined;
  if (s && isReadable(s)) {
    await deps.history.put({
      at: deps.clock(),
      pairKey: r!.key,
      side: 'outlook',
      kind,
      item: s.item,
      reason: 'a copy an interrupted move to another folder made, removed when the move was undone',
    });
    await stray.delete(s.id, s.version);
    await deps.log.append({
      at: deps.clock(),
      level: 'info',
      ...logLine('folder-stray-removed', { kind, folder: stray.folder ?? '' }),
      subject: r!.subject,
      pairKey: r!.key,
    });
  }
  await deps.state.commit({ tokens: { [inFlightToken(kind)]: null } });
}

/**
 * Moves the copies of `rows` from the folder `from` (its store `source`) to `to` (its store `target`),
 * and makes `to` the pairs' folder once every copy is there or stays behind by name.
 */
async function moveStep(
  kind: ItemKind,
  from: string,
  to: string,
  rows: readonly PairStatus[],
  source: StorePort,
  target: StorePort,
  deps: FolderDeps,
): Promise<void> {
  // Where this move takes the copies, before its first write (a later change finds them there).
  await deps.state.commit({ tokens: { [movingToken(kind)]: to } });
  const result = await moveAll(kind, source, from, target, rows, deps);
  // Copies that stayed behind in the folder that is the synchronized one again are in it now.
  const home = (await deps.state.load()).rows.filter((r) => r.kind === kind && r.outlook?.pinned === to);
  if (home.length)
    await deps.state.commit({
      upsert: home.map((r) => {
        const { pinned: _pinned, ...side } = r.outlook!;
        return { ...r, outlook: side };
      }),
    });
  if (result.kept.length)
    await deps.log.append({
      at: deps.clock(),
      level: 'warning',
      ...logLine('folder-kept', { count: result.kept.length, kind, from, detail: result.kept[0]!.why }),
      subject: subjectLine(
        result.kept.slice(0, 5).map((k) => k.row.subject),
        result.kept.length,
      ),
      count: result.kept.length,
      pairKeys: result.kept.map((k) => k.row.key),
    });
  // Only a finished move takes the new folder as the pairs' folder (a stopped one asks again).
  await deps.state.commit({ tokens: { [folderToken(kind)]: to, [movingToken(kind)]: null } });
  await deps.log.append({
    at: deps.clock(),
    level: 'info',
    ...logLine('folder-moved', { count: result.moved, kind, from, to }),
    count: result.moved,
  });
}

/** Pair keys whose Outlook item of kind `kind` is known only by a retry or a pending decision. */
function unpairedKeys(state: SyncState, kind: ItemKind): Set<string> {
  const paired = new Set(state.rows.filter((r) => r.outlook).map((r) => r.key));
  const keys = new Set<string>();
  for (const f of state.failures)
    if (f.recheck.some((ref) => ref.side === 'outlook' && ref.kind === kind)) keys.add(f.pairKey);
  for (const p of state.pending) {
    const a = p.action;
    const fromOutlook = a && 'source' in a && a.source.side === 'outlook' && a.kind === kind;
    if (fromOutlook || p.outlook?.item.kind === kind) keys.add(p.pairKey);
  }
  for (const k of paired) keys.delete(k);
  return keys;
}

/**
 * Ends the retries and pending decisions of the old folder's items that were never paired — also
 * where the folder changed with nothing synchronized in it (no question asked: the engine calls this
 * itself), else such a retry would read an id the new folder does not have, run after run, and hold
 * the CRM copy it was paired with.
 */
export async function endUnpaired(
  c: Pick<FolderChange, 'kind' | 'from'>,
  state: SyncState,
  deps: Pick<FolderDeps, 'state' | 'log' | 'clock'>,
): Promise<void> {
  const keys = unpairedKeys(state, c.kind);
  if (!keys.size) return;
  const subjects = state.pending.filter((p) => keys.has(p.pairKey)).map((p) => p.subject);
  await deps.state.commit({
    failuresClear: [...keys],
    pending: state.pending.filter((p) => !keys.has(p.pairKey)),
  });
  await deps.log.append({
    at: deps.clock(),
    level: 'info',
    ...logLine('folder-unsynced-left', { count: keys.size, kind: c.kind, from: c.from }),
    ...(subjects.length && { subject: subjectLine(subjects.slice(0, 5), keys.size) }),
    count: keys.size,
    pairKeys: [...keys],
  });
}

/**
 * A copy an earlier, interrupted attempt made, as the user may have changed it since. Equal to the
 * original: kept. Edited in the new folder while the original stayed as it was synchronized: kept,
 * and it is the change the next read finds (`edited`). Otherwise the original (which the user edited
 * in the old folder) is written over it, the copy's own version kept in the history first (rule 5).
 */
async function refreshCopy(
  target: StorePort,
  id: string,
  version: string,
  original: StoredItem,
  r: PairStatus,
  deps: FolderDeps,
): Promise<{ version: string; edited?: boolean }> {
  const copy = (await target.getMany([id])).get(id);
  const readable = copy && isReadable(copy) ? copy : undefined;
  if (readable && contentHash(readable.item) === contentHash(original.item)) return { version: readable.version };
  if (readable && original.version === r.outlook!.version) return { version: readable.version, edited: true };
  if (readable)
    await deps.history.put({
      at: deps.clock(),
      pairKey: r.key,
      side: 'outlook',
      kind: r.kind,
      item: readable.item,
      reason: 'replaced by the original when an interrupted move to another folder was finished',
    });
  return { version: (await target.update(id, original.item, readable?.version ?? version)).version };
}

async function moveAll(
  kind: ItemKind,
  old: StorePort,
  from: string,
  target: StorePort,
  rows: readonly PairStatus[],
  deps: FolderDeps,
): Promise<{ moved: number; kept: { row: PairStatus; why: string }[] }> {
  const kept: { row: PairStatus; why: string }[] = [];
  let moved = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    const current = await old.getMany(chunk.map((r) => r.outlook!.id));
    for (const r of chunk) {
      const side = r.outlook!;
      const s = current.get(side.id);
      // Gone from the old folder: deleted by the user (the next run carries the deletion over), or
      // moved by an earlier attempt whose commit was lost (the next run follows it, rule 10).
      if (!s) continue;
      const why = isReadable(s) ? old.cannotMove?.(s.raw) : `it cannot be read (${s.error})`;
      if (why || !isReadable(s)) {
        // It stays where it is, read by its id every run — where the new folder's store can read it.
        if (!target.readsAnyFolder)
          throw new SyncError('move-refused', { subject: r.subject, kind, detail: why ?? '' });
        kept.push({ row: r, why: why ?? '' });
        await deps.state.commit({ upsert: [{ ...r, outlook: { ...side, pinned: from } }] });
        continue;
      }
      // The pair being moved is named first: if the move stops between the copy and the deletion and
      // the user then goes back to the old folder, that copy is the one to remove again.
      await deps.state.commit({ tokens: { [inFlightToken(kind)]: r.key } });
      const made = await target.create(s.item, r.key);
      if (made.existing && made.id === s.id) {
        // Already in the new folder (a store that reads by id in any folder found it there: journal
        // recovery made it there before this move): deleting "the original" would delete it.
        await deps.state.commit({ tokens: { [inFlightToken(kind)]: null } });
        moved++;
        continue;
      }
      const copied = made.existing
        ? await refreshCopy(target, made.id, made.version, s, r, deps)
        : { version: made.version };
      await old.delete(s.id, s.version);
      // The row keeps the agreed content's hash; an edit of the original not yet synchronized stays a
      // change (an unknown version makes the next read compare the copy by its content).
      const { pinned: _pinned, ...rest } = side;
      const agreed = s.version === side.version && !copied.edited;
      const copy = { ...rest, id: made.id, version: agreed ? copied.version : UNKNOWN_VERSION };
      await deps.state.commit({ upsert: [{ ...r, outlook: copy }], tokens: { [inFlightToken(kind)]: null } });
      moved++;
    }
  }
  return { moved, kept };
}
