/**
 * Read phase: each store's changes since its token, normalised into a SideSnapshot. Reported removals
 * of known items are confirmed with getMany: an item that still exists merely left the period or the
 * delta (rule 2) and is not a deletion. Items held back last run (pending, failed) are read again.
 */
import { contentHash } from '../model/content-hash.js';
import type { SyncWindow } from '../model/time.js';
import { isReadable, type StorePort, type StoredItem } from '../ports/store.js';
import type { RecheckRef } from '../ports/state.js';
import type { SideEntry, SideSnapshot } from './actions.js';
import { UNKNOWN_VERSION, type PairStatus } from './status.js';
import type { ItemKind, Side } from './types.js';

export interface SideRead {
  readonly snapshot: SideSnapshot;
  readonly raw: ReadonlyMap<string, unknown>;
  /** New tokens per kind, committed after the run. */
  readonly tokens: Readonly<Record<string, string>>;
  /** Items that exist but could not be read: logged, left alone, never deletions. */
  readonly unreadable: readonly {
    readonly side: Side;
    readonly kind: ItemKind;
    readonly id: string;
    readonly error: string;
  }[];
}

export const tokenKey = (side: Side, kind: ItemKind) => `${side}:${kind}`;

const toEntry = (s: StoredItem): SideEntry => ({
  id: s.id,
  version: s.version,
  hash: contentHash(s.item),
  item: s.item,
  ...(s.modifiedAt !== undefined && { modifiedAt: s.modifiedAt }),
});

export async function readSide(
  side: Side,
  stores: readonly StorePort[],
  tokens: Readonly<Record<string, string>>,
  status: readonly PairStatus[],
  recheck: readonly RecheckRef[],
  window: SyncWindow,
  /** Items read again and listed even when their version did not move (a cap to renew). */
  refresh: readonly RecheckRef[] = [],
): Promise<SideRead> {
  const forced = new Set(refresh.filter((r) => r.side === side).map((r) => r.id));
  const entries = new Map<string, SideEntry>();
  const deleted = new Set<string>();
  const raw = new Map<string, unknown>();
  const newTokens: Record<string, string> = {};
  const unreadable: SideRead['unreadable'][number][] = [];
  let complete = true;
  const known = new Map<string, string>(); // id → version in status
  const keyOf = new Map<string, string>(); // id → pair key
  const knownOfKind = new Map<ItemKind, string[]>();
  const unknownVersion: RecheckRef[] = [];
  for (const r of status) {
    if (!r[side]) continue;
    known.set(r[side]!.id, r[side]!.version);
    keyOf.set(r[side]!.id, r.key);
    if (r[side]!.version === UNKNOWN_VERSION) unknownVersion.push({ side, kind: r.kind, id: r[side]!.id });
    let ids = knownOfKind.get(r.kind);
    if (!ids) knownOfKind.set(r.kind, (ids = []));
    ids.push(r[side]!.id);
  }

  for (const store of stores) {
    const key = tokenKey(side, store.kind);
    // (A store may leave out what the status holds as it is; items to read again are read below.)
    const changes = await store.changesSince(tokens[key] ?? null, window, known);
    complete &&= changes.complete;
    newTokens[key] = changes.token;
    for (const s of changes.changed) {
      entries.set(s.id, toEntry(s));
      if (s.raw !== undefined) raw.set(s.id, s.raw);
    }
    const bad = new Set<string>();
    for (const u of changes.unreadable ?? []) {
      bad.add(u.id);
      unreadable.push({ side, kind: store.kind, id: u.id, error: u.error });
    }
    // A full listing has no removals: known items it does not list are checked one by one.
    const unlisted = changes.complete ? (knownOfKind.get(store.kind) ?? []).filter((id) => !entries.has(id)) : [];
    const removed = [...changes.removed, ...unlisted].filter((id) => known.has(id) && !entries.has(id) && !bad.has(id));
    const again = [...recheck, ...unknownVersion, ...refresh]
      .filter((r) => r.side === side && r.kind === store.kind && !entries.has(r.id) && !bad.has(r.id))
      .map((r) => r.id);
    const ids = [...new Set([...removed, ...again])];
    if (ids.length === 0) continue;
    const current = await store.getMany(ids);
    for (const id of ids) {
      const s = current.get(id);
      if (!s) {
        // Confirmed gone: a real deletion (only for items the status knows) — unless the item lives on
        // under another id outside the period (moved and rescheduled at once: the listing shows only
        // the old id's removal). The copy that carries the pair's key is read, and the pair follows it
        // (rule 10; it is then outside the period, rule 2).
        if (!known.has(id)) continue;
        deleted.add(id);
        const moved = store.findByKey ? await store.findByKey(keyOf.get(id)!) : undefined;
        const found =
          moved !== undefined && moved !== id && !entries.has(moved) && (await store.getMany([moved])).get(moved);
        if (found && isReadable(found)) {
          entries.set(moved!, toEntry(found));
          if (found.raw !== undefined) raw.set(moved!, found.raw);
        }
      } else if (!isReadable(s)) {
        // There, but unreadable: neither a change nor a deletion (rules 1 and 9).
        unreadable.push({ side, kind: store.kind, id, error: s.error });
      } else if (s.version !== known.get(id) || forced.has(id)) {
        // Still there with another version: changed (possibly moved out of the period), or a
        // held-back new item (pending confirmation, failed creation) read again.
        entries.set(id, toEntry(s));
        if (s.raw !== undefined) raw.set(id, s.raw);
      }
    }
  }
  return {
    snapshot: { entries, deleted, complete: complete && stores.length > 0 },
    raw,
    tokens: newTokens,
    unreadable,
  };
}
