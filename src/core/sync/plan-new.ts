/**
 * The planner's second half: items neither side knew before — first-sync matching (rule 3), then
 * creation on the other side, with the infinite-series cap (rule 6). Every branch names its case.
 */
import { sameSharedContent } from '../model/content-hash.js';
import { isPrivate, type Item } from '../model/item.js';
import { intersects, itemRange } from '../model/time.js';
import type { Action, CopyRef, PendingAction, SideEntry, SideSnapshot } from './actions.js';
import { capDue, capExtension, capForTarget, capMark, CREATED, earlierCap, keepBeyondCap, stripCap } from './caps.js';
import { resolveConflict, type ConflictStrategy } from './conflict.js';
import { matchNewItems, pairKeyOf } from './match.js';
import type { PlanOptions } from './plan.js';
import { applicationExcluded, type SyncPolicy } from './policy.js';
import type { Reason } from './reasons.js';
import { factsOf, sideStatus, type PairStatus } from './status.js';
import { otherSide, type Side } from './types.js';

export interface Sink {
  readonly actions: Action[];
  readonly pending: PendingAction[];
  readonly skip: (pairKey: string, subject: string, reason: Reason, copy?: CopyRef) => void;
}

/** Items neither side knew before: first-sync matching, then creation on the other side. */
export function planNewItems(
  status: readonly PairStatus[],
  known: Record<Side, ReadonlySet<string>>,
  snapshots: Record<Side, SideSnapshot>,
  policy: SyncPolicy,
  strategy: ConflictStrategy,
  options: PlanOptions,
  sink: Sink,
): void {
  if (snapshots.outlook.entries.size === 0 && snapshots.crm.entries.size === 0) return;
  const { kinds, window, now, seriesYears: years } = policy;
  let usedKeys: Set<string> | undefined;
  const excluded = policy.exceptions.keys;
  const fresh = (side: Side): SideEntry[] =>
    [...snapshots[side].entries.values()].filter((e) => {
      if (known[side].has(e.id) || !kinds.has(e.item.kind)) return false;
      const key = pairKeyOf(e.item);
      const skip = (code: Reason['code']) => sink.skip(key, e.item.subject, { code }, { side, id: e.id });
      // Case: new but private, on the exception list, of an application not synchronized or outside
      // the period → not synchronized, not deleted (a profile change reads everything again: engine).
      if (!policy.privateItems && isPrivate(e.item)) skip('skip-private');
      else if (excluded.has(key) && !policy.exceptions.included) skip('skip-exception-list');
      else if (applicationExcluded(policy, e.item.crm?.application)) skip('skip-application');
      else if (!intersects(itemRange(e.item), window)) skip('skip-outside-period');
      else return true;
      return false;
    });

  const { pairs, outlookOnly, crmOnly } = matchNewItems(fresh('outlook'), fresh('crm'));
  const newKey = (item: Item, id: string) => {
    const key = pairKeyOf(item);
    usedKeys ??= new Set(status.map((r) => r.key));
    const unique = usedKeys.has(key) ? `${key}#${id}` : key;
    usedKeys.add(unique);
    return unique;
  };
  for (const { outlook: oe, crm: me, how } of pairs) {
    const key = newKey(me.item, me.id);
    // One copy is the other series with an UNTIL added: a cap an earlier sync wrote there (rule 6).
    const capOn: Side | undefined = earlierCap(oe.item, me.item)
      ? 'outlook'
      : earlierCap(me.item, oe.item)
        ? 'crm'
        : undefined;
    const earlier = capOn && {
      side: capOn,
      until: (capOn === 'outlook' ? oe : me).item.recurrence!.rule.until!,
    };
    const row: PairStatus = {
      key,
      kind: me.item.kind,
      subject: me.item.subject,
      outlook: sideStatus(oe),
      crm: sideStatus(me),
      ...factsOf(me.item),
      ...(earlier && { cap: earlier }),
    };
    const reason: Reason = { code: how };
    const open = (e: SideEntry, side: Side) => stripCap(e.item, side, earlier);
    if (sameSharedContent(open(oe, 'outlook'), open(me, 'crm'))) {
      const from = earlier && otherSide(earlier.side);
      const source = from && (from === 'outlook' ? oe : me);
      if (earlier && source && capDue(earlier, years, now) && policy.writable[earlier.side]) {
        // Case: the same series on both sides, capped by an earlier sync and the cap is due → paired,
        // and the capped copy gets the cap moved on.
        const recap = capForTarget(source.item, earlier.side, years, now);
        sink.actions.push({
          type: 'update',
          pairKey: key,
          kind: row.kind,
          subject: row.subject,
          reason: { code: 'cap-extended', from },
          target: earlier.side,
          id: row[earlier.side]!.id,
          ifVersion: row[earlier.side]!.version,
          item: recap.item,
          source: { ...sideStatus(source), side: from },
          ...(recap.cap && { cap: recap.cap }),
        });
        continue;
      }
      // Case: first sync finds the same item on both sides → pair them, write nothing (rule 3).
      sink.actions.push({ type: 'status', pairKey: key, kind: row.kind, subject: row.subject, reason, status: row });
      continue;
    }
    // Case: first sync pairs two versions that differ → resolved like a conflict.
    const decision = options.decisions?.get(key);
    const winner = resolveConflict(row, policy, strategy, decision, oe, me, sink.pending);
    if (!winner) continue;
    const entry = winner === 'outlook' ? oe : me;
    const target = otherSide(winner);
    // From the capped copy: the open series goes over the other copy, the cap stays where it was.
    const { item, cap } =
      earlier?.side === winner
        ? { item: open(entry, winner), cap: earlier }
        : capForTarget(entry.item, target, years, now);
    sink.actions.push({
      type: 'update',
      pairKey: key,
      kind: row.kind,
      subject: entry.item.subject,
      reason: { code: how, from: winner, detail: strategy.name },
      target,
      id: row[target]!.id,
      ifVersion: row[target]!.version,
      item,
      source: { ...sideStatus(entry), side: winner },
      ...(cap && { cap }),
    });
    if (earlier?.side === winner && capDue(earlier, years, now) && policy.writable[winner]) {
      // Case: … and the winner is the capped copy, whose cap is due → after the write above, the
      // capped copy gets its cap moved on too (as for a change from the capped copy, in order).
      const other = target === 'outlook' ? oe : me;
      const series = keepBeyondCap(open(entry, winner), other.item, earlier);
      sink.actions.push(capExtension(key, winner, entry, series, row[target]!, years, now));
    }
  }
  for (const [from, entries] of [
    ['outlook', outlookOnly],
    ['crm', crmOnly],
  ] as const) {
    const target = otherSide(from);
    for (const e of entries) {
      const key = newKey(e.item, e.id);
      // Case: new on one side in a one-way sync towards it → target-only items are left alone.
      if (!policy.writable[target]) {
        sink.skip(key, e.item.subject, { code: 'skip-direction', detail: policy.direction }, { side: from, id: e.id });
        continue;
      }
      // Case: new on one side → create it on the other. A copy the sync capped in an earlier pairing
      // (a new pairing, a device without status) stands for an infinite series: that is what is
      // created, and the copy stays its capped copy (rule 6); otherwise an infinite series is capped
      // for the target.
      const mark = capMark(e.item);
      const { item, cap } = mark
        ? { item: stripCap(e.item, from, { side: from, until: mark }), cap: { side: from, until: mark } }
        : capForTarget(e.item, target, years, now);
      sink.actions.push({
        type: 'create',
        pairKey: key,
        kind: e.item.kind,
        subject: e.item.subject,
        reason: { code: 'new', from },
        target,
        item,
        source: { ...sideStatus(e), side: from },
        ...(cap && { cap }),
      });
      if (mark && capDue(cap, years, now) && policy.writable[from]) {
        // Case: … and that copy's cap is due → after the creation, it is moved on (in order).
        sink.actions.push(capExtension(key, from, e, item, CREATED, years, now));
      }
    }
  }
}
