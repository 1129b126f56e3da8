/**
 * Rule 1, the safety guards of a plan: a side that had items and reads as empty, or a run that would
 * delete more than a share of the pairs, stops before any write until the user confirms.
 */
import { MassDeleteError, StoreEmptyError } from '../errors.js';
import { intersects, type SyncWindow } from '../model/time.js';
import type { Action, SideSnapshot } from './actions.js';
import type { PlanOptions } from './plan.js';
import type { PairStatus } from './status.js';
import type { ItemKind, Side } from './types.js';

/** Threshold of the mass-delete guard: more than 30 % of the pairs and more than 10 items. */
export const MASS_DELETE = { share: 0.3, minimum: 10 } as const;

/** Rule 1: a side that had items and reads as empty stops the run. */
export function guardEmptySides(
  status: readonly PairStatus[],
  snapshots: Record<Side, SideSnapshot>,
  kinds: ReadonlySet<ItemKind>,
  window: SyncWindow,
  options: PlanOptions,
  knownToUser: (r: PairStatus) => boolean,
): void {
  if (options.allowEmptySide) return;
  for (const side of ['outlook', 'crm'] as const) {
    const snap = snapshots[side];
    for (const kind of kinds) {
      let listedOfKind = false;
      for (const e of snap.entries.values())
        if (e.item.kind === kind) {
          listedOfKind = true;
          break;
        }
      // Only a read that lists nothing of the kind can make a side look empty.
      if (listedOfKind || (!snap.complete && snap.deleted.size === 0)) continue;
      let known = 0;
      // A delta read that removes every known item and lists nothing else is an empty side too.
      let allGone = true;
      for (const r of status) {
        const s = r[side];
        // (A copy that stayed in another folder is not this folder's to list: point 10.)
        if (r.kind !== kind || !s || s.pinned || !intersects(r.range, window) || knownToUser(r)) continue;
        known++;
        if (!snap.deleted.has(s.id)) allGone = false;
      }
      if (known > 0 && (snap.complete || allGone)) throw new StoreEmptyError(side, kind, known);
    }
  }
}

/** Rule 1: more than 30 % and more than 10 deletions on one side stop the run until confirmed. */
export function guardMassDelete(actions: readonly Action[], status: readonly PairStatus[], options: PlanOptions): void {
  if (options.allowMassDelete) return;
  for (const side of ['outlook', 'crm'] as const) {
    const deleting = actions.filter((a) => a.type === 'delete' && a.target === side);
    const deletions = deleting.length;
    if (deletions <= MASS_DELETE.minimum) continue;
    let total = 0;
    for (const r of status) if (r[side]) total++;
    if (deletions > MASS_DELETE.share * total) {
      const items = deleting.map((a) => ({ pairKey: a.pairKey, subject: a.subject }));
      throw new MassDeleteError(side, deletions, total, items);
    }
  }
}
