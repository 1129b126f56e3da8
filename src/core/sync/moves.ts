/**
 * Rule 10 in the planner: a row follows its item to another id on the same side (moved between
 * folders, exported and imported again), so a move is never a deletion plus a creation.
 */
import type { SideEntry, SideSnapshot } from './actions.js';
import { pairKeyOf } from './match.js';
import type { PairStatus } from './status.js';
import type { Side } from './types.js';

/**
 * Rule 10: an item that left one id and appeared under another on the same side (moved between
 * folders, id changed) keeps its pair — the row follows the new id instead of delete + create.
 */
export function followMoves(
  status: readonly PairStatus[],
  snapshots: Record<Side, SideSnapshot>,
): { status: readonly PairStatus[]; moves: ReadonlySet<string> } {
  let out: PairStatus[] | undefined;
  const moves = new Set<string>();
  for (const side of ['outlook', 'crm'] as const) {
    const snap = snapshots[side];
    if (snap.deleted.size === 0) continue;
    const known = knownIds(status, side, snap);
    const arrivals = new Map<string, SideEntry>();
    for (const e of snap.entries.values()) if (!known.has(e.id)) arrivals.set(pairKeyOf(e.item), e);
    status.forEach((r, i) => {
      const s = r[side];
      const arrival = s && snap.deleted.has(s.id) ? arrivals.get(r.key) : undefined;
      if (!s || !arrival) return;
      out ??= [...status];
      // The row follows the new id; the old version and hash stay, so the arrival reads as touched or
      // changed, and a held change stays held (see hold).
      out[i] = { ...(out[i] ?? r), [side]: { ...s, id: arrival.id } };
      moves.add(`${side}:${r.key}`);
      arrivals.delete(r.key);
    });
  }
  return { status: out ?? status, moves };
}

/**
 * The ids of this run's entries on `side` that the status already pairs. Sized by the entries read,
 * not by the status: an incremental run over 100,000 pairs allocates only for what changed.
 */
export function knownIds(status: readonly PairStatus[], side: Side, snap: SideSnapshot): ReadonlySet<string> {
  const known = new Set<string>();
  if (snap.entries.size === 0) return known;
  for (const r of status) {
    const s = r[side];
    if (s && snap.entries.has(s.id)) known.add(s.id);
  }
  return known;
}
