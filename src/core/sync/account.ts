/**
 * The run's accounting (issue 13, point 15): every copy read this run ends synchronized (its status
 * row knows this version), in an action (done, failed or deferred: the executor reports each), under
 * Pending, or skipped with a reason — never nowhere. A copy that is none of these is a planner
 * defect; the engine logs it as a warning and reports it, so it can never vanish without a trace.
 * (Copies that could not be read are not in the snapshots: the read logged them.)
 */
import type { Action, CopyRef, SideSnapshot, SyncPlan } from './actions.js';
import type { PairStatus } from './status.js';
import type { Side } from './types.js';

export interface Unaccounted extends CopyRef {
  readonly subject: string;
}

export function unaccounted(
  rows: readonly PairStatus[],
  snapshots: Readonly<Record<Side, SideSnapshot>>,
  planned: SyncPlan,
): Unaccounted[] {
  const byKey = new Map<string, PairStatus>();
  const accounted = new Set<string>();
  const add = (side: Side, id: string | undefined) => id && accounted.add(`${side}:${id}`);
  const addRow = (r: PairStatus | null | undefined) => {
    add('outlook', r?.outlook?.id);
    add('crm', r?.crm?.id);
  };
  for (const r of rows) {
    byKey.set(r.key, r);
    // Synchronized: the row knows the version read (an unchanged copy of an incremental re-read).
    for (const side of ['outlook', 'crm'] as const) {
      const s = r[side];
      const e = s && snapshots[side].entries.get(s.id);
      if (e && e.hash === s.hash && !s.held) add(side, s.id);
    }
  }
  const addAction = (a: Action) => {
    addRow(byKey.get(a.pairKey));
    if (a.type === 'create' || a.type === 'update') add(a.source.side, a.source.id);
    if (a.type === 'update' || a.type === 'delete') add(a.target, a.id);
    if (a.type === 'status') addRow(a.status);
  };
  for (const a of planned.actions) addAction(a);
  for (const p of planned.pending) {
    addRow(byKey.get(p.pairKey));
    add('outlook', p.outlook?.id);
    add('crm', p.crm?.id);
    if (p.action) addAction(p.action);
  }
  for (const s of planned.skipped) {
    addRow(byKey.get(s.pairKey));
    if (s.copy) add(s.copy.side, s.copy.id);
  }
  const out: Unaccounted[] = [];
  for (const side of ['outlook', 'crm'] as const)
    for (const e of snapshots[side].entries.values())
      if (!accounted.has(`${side}:${e.id}`)) out.push({ side, id: e.id, subject: e.item.subject });
  return out;
}
