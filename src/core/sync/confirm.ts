/**
 * The seed's "Ask for confirmation when" new / modified / deleted: such actions leave the plan and
 * wait under Pending until the user decides (rule 7).
 */
import { actionId, type Action, type PendingAction } from './actions.js';
import type { PlanOptions } from './plan.js';
import type { SyncPolicy } from './policy.js';

/** Seed: "Ask for confirmation when" new / modified / deleted — such actions wait for the user. */
export function holdForConfirmation(
  actions: Action[],
  pending: PendingAction[],
  policy: SyncPolicy,
  options: PlanOptions,
): void {
  const c = policy.confirm;
  const held = new Set<string>();
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i]!;
    const ask =
      (a.type === 'create' && c.create) || (a.type === 'update' && c.update) || (a.type === 'delete' && c.delete);
    const id = actionId(a);
    // Moving the cap on is the sync's own housekeeping, not a change of the user's (never asked).
    if (!ask || a.reason.code === 'cap-extended' || options.approvals?.has(id)) continue;
    actions.splice(i, 1);
    pending.unshift({ type: 'confirm', id, action: a, pairKey: a.pairKey, subject: a.subject, reason: a.reason });
    held.add(a.pairKey);
  }
  // A cap moved on after a write that waits for the user waits with it (it would take the change for
  // written on its own side).
  for (let i = actions.length - 1; i >= 0; i--)
    if (held.has(actions[i]!.pairKey) && actions[i]!.reason.code === 'cap-extended') actions.splice(i, 1);
}
