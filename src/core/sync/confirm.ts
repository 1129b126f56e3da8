/**
 * The seed's "Ask for confirmation when" new / modified / deleted: such actions leave the plan and
 * wait under Pending until the user decides (rule 7).
 */
import { contentHash } from '../model/content-hash.js';
import { isReadable, type StorePort } from '../ports/store.js';
import { actionId, type Action, type PendingAction, type SideEntry, type SideSnapshot } from './actions.js';
import type { PlanOptions } from './plan.js';
import type { SyncPolicy } from './policy.js';
import type { ItemKind, Side } from './types.js';

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

/** The change or deletion a confirmation waits with, and the copy it would overwrite or delete. */
const overwrites = (p: PendingAction) =>
  p.type === 'confirm' && (p.action?.type === 'update' || p.action?.type === 'delete') && !p[p.action.target]
    ? p.action
    : undefined;

/**
 * Confirmations of a change or a deletion carry the copy they would overwrite or delete, so that
 * Pending shows it before → after (issue 18): as read this run, else read now (one request per store).
 */
export async function withTargets(
  pending: readonly PendingAction[],
  snapshots: Readonly<Record<Side, SideSnapshot>>,
  store: (side: Side, kind: ItemKind) => StorePort,
): Promise<PendingAction[]> {
  const missing = new Map<string, { side: Side; kind: ItemKind; ids: string[] }>();
  for (const p of pending) {
    const a = overwrites(p);
    if (!a || snapshots[a.target].entries.has(a.id)) continue;
    const k = `${a.target}:${a.kind}`;
    const e = missing.get(k) ?? { side: a.target, kind: a.kind, ids: [] };
    e.ids.push(a.id);
    missing.set(k, e);
  }
  const read = new Map<string, SideEntry>();
  for (const e of missing.values())
    for (const [id, s] of await store(e.side, e.kind).getMany(e.ids))
      if (isReadable(s))
        read.set(`${e.side}:${id}`, {
          id,
          version: s.version,
          hash: contentHash(s.item),
          item: s.item,
          ...(s.modifiedAt !== undefined && { modifiedAt: s.modifiedAt }),
        });
  return pending.map((p) => {
    const a = overwrites(p);
    const target = a && (snapshots[a.target].entries.get(a.id) ?? read.get(`${a.target}:${a.id}`));
    return a && target ? { ...p, [a.target]: target } : p;
  });
}
