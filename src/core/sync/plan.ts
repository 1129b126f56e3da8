/**
 * The planner: `plan(status, outlook, crm, policy)` is a pure function from what the status
 * table remembers and what both sides read this run to the actions that bring them together
 * (DESIGN.md §4; vdirsyncer's `_get_actions`). Every branch names its case in a comment. This file
 * plans the pairs the status knows; new items are planned in plan-new.ts, the safety guards are in
 * guards.ts, confirmations in confirm.ts, moves (rule 10) in moves.ts, caps (rule 6) in caps.ts.
 * (About 350 lines: the cases of a known pair read best as one table, each with its comment.)
 */
import { sameSharedContent } from '../model/content-hash.js';
import { isPrivate } from '../model/item.js';
import { intersects, itemRange } from '../model/time.js';
import type { Action, CopyRef, PendingAction, SideEntry, SideSnapshot, Skip, SyncPlan } from './actions.js';
import { capDue, capExtension, capForTarget, CREATED, keepBeyondCap, uncap } from './caps.js';
import { conflictReason, resolveConflict, type ConflictStrategy } from './conflict.js';
import { holdForConfirmation } from './confirm.js';
import { guardEmptySides, guardMassDelete } from './guards.js';
import { followMoves } from './moves.js';
import { planNewItems } from './plan-new.js';
import { applicationExcluded, type SyncPolicy } from './policy.js';
import type { Reason } from './reasons.js';
import { sideStatus, withPin, type PairStatus, type SideStatus } from './status.js';
import { otherSide, type Side } from './types.js';

export interface PlanOptions {
  /** Ids of pending confirmations the user approved (see actionId). */
  readonly approvals?: ReadonlySet<string>;
  /**
   * Conflicts the user decided in the conflict screen: pair key → winning side. (Excluding an item is
   * no decision of a run: it goes on the exception list, which the policy holds — PendingDecision.)
   */
  readonly decisions?: ReadonlyMap<string, Side>;
  /** Overrides the policy's conflict handling in a two-way sync (tests, the conflict dialog). */
  readonly strategy?: ConflictStrategy;
  /** The user confirmed a run the mass-delete guard stopped. */
  readonly allowMassDelete?: boolean;
  /** The user confirmed that a side is really empty. */
  readonly allowEmptySide?: boolean;
  /** Pairs that waited for the user after the last run: their copies are read again every run. */
  readonly pendingKeys?: ReadonlySet<string>;
}

type SideState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'same' }
  | { readonly kind: 'touched'; readonly entry: SideEntry }
  | { readonly kind: 'changed'; readonly entry: SideEntry }
  | { readonly kind: 'deleted' };

/**
 * Whether the policy lets an interrupted run's write be finished now: the user may have changed the
 * direction, the item types, private items or the exception list since (journal recovery).
 */
export function policyAllows(p: SyncPolicy, a: Action): boolean {
  if (a.type === 'status') return true;
  if (!p.writable[a.target] || !p.kinds.has(a.kind)) return false;
  if (p.exceptions.keys.has(a.pairKey) && !p.exceptions.included) return false;
  const item = a.type === 'delete' ? undefined : a.item;
  return !item || ((p.privateItems || !isPrivate(item)) && !applicationExcluded(p, item.crm?.application));
}

// Shared states without an entry: the loop over every pair allocates nothing for unchanged pairs.
const ABSENT: SideState = { kind: 'absent' };
const SAME: SideState = { kind: 'same' };
const DELETED: SideState = { kind: 'deleted' };

/** The state of one side of a pair; records the ids of this run's entries that the status knows. */
function stateOf(s: SideStatus | undefined, snap: SideSnapshot, moved: boolean, known: Set<string>): SideState {
  if (!s) return ABSENT;
  if (snap.deleted.size && snap.deleted.has(s.id)) return DELETED;
  const entry = snap.entries.get(s.id);
  if (entry) known.add(s.id);
  // A moved item (rule 10) counts as touched at least, so that its new id is recorded.
  if (!entry || (entry.version === s.version && !moved)) return SAME;
  // A side counts as changed only if its version token and its content hash moved (DESIGN.md §4).
  return entry.hash === s.hash ? { kind: 'touched', entry } : { kind: 'changed', entry };
}

const changedOn = (s: SideState) => s.kind === 'changed';
const restingOn = (s: SideState) => s.kind === 'same' || s.kind === 'touched';
/** Where a side's copy lies: read this run, else as the status last saw it. */
const rangeOf = (s: SideState, r: PairStatus) => ('entry' in s ? itemRange(s.entry.item) : r.range);

export function plan(
  statusRead: readonly PairStatus[],
  outlook: SideSnapshot,
  crm: SideSnapshot,
  policy: SyncPolicy,
  options: PlanOptions = {},
): SyncPlan {
  const { window, kinds, now, seriesYears: years } = policy;
  const strategy = (!policy.source && options.strategy) || policy.conflicts;
  const snapshots: Record<Side, SideSnapshot> = { outlook, crm };
  const actions: Action[] = [];
  const pending: PendingAction[] = [];
  const skipped: Skip[] = [];
  const skip = (pairKey: string, subject: string, reason: Reason, copy?: CopyRef) =>
    skipped.push({ pairKey, subject, reason, ...(copy && { copy }) });

  const { status, moves } = followMoves(statusRead, snapshots);
  const excluded = policy.exceptions.keys;
  // Deletions the user already knows of (held, pending, on the exception list) are read again every
  // run; they are not a read that suddenly lists nothing.
  const knownToUser = (r: PairStatus) =>
    !!(r.outlook?.held || r.crm?.held || options.pendingKeys?.has(r.key)) ||
    (excluded.has(r.key) && !policy.exceptions.included);
  guardEmptySides(status, snapshots, kinds, window, options, knownToUser);

  /** Writes `entry` (read on `from`) over the other side of pair `r`, or creates it there. */
  const propagate = (r: PairStatus, from: Side, entry: SideEntry, reason: Reason) => {
    const target = otherSide(from);
    const source = { ...sideStatus(entry), side: from };
    const { item: open, removed } = uncap(entry.item, from, r.cap);
    // Read back from the capped copy (the status or the copy's own mark says so) → the source gets its
    // infinite series back, uncapped (rule 6); a copy whose end the user changed there (ended early, a
    // split) is no longer capped: it goes over as it is, and the pair has no cap any more.
    const { item, cap } =
      r.cap?.side === from || removed
        ? { item: open, cap: removed && { side: from, until: removed } }
        : capForTarget(open, target, years, now);
    const base = {
      pairKey: r.key,
      kind: r.kind,
      subject: entry.item.subject,
      reason,
      item,
      source,
      ...(cap && { cap }),
    };
    const known = r[target];
    // Overwrite the version read this run (a conflict's loser moved since the last sync).
    const existing = known && (snapshots[target].entries.get(known.id) ?? known);
    actions.push(
      existing
        ? { ...base, type: 'update', target, id: existing.id, ifVersion: existing.version }
        : { ...base, type: 'create', target },
    );
    const due = cap?.side === from && capDue(cap, years, now);
    if (due && policy.writable[from] && intersects(itemRange(entry.item), window)) {
      // Case: the change came from the capped copy and its cap is due → after the write above, the
      // capped copy gets its cap moved on too (the executor runs a pair's actions in order and stops
      // at the first that fails, so the change is never taken for written when it was not).
      // (With what the source says after the old cap, which the write above keeps there: the new cap
      // reaches further and the capped copy must hold it too.)
      const source = existing && 'item' in existing ? existing.item : undefined;
      const series = source ? keepBeyondCap(open, source, cap) : open;
      actions.push(capExtension(r.key, from, entry, series, r[target] ?? CREATED, years, now));
    }
  };
  /** Deletes the target's copy at the version read this run (`seen`), else at the status version. */
  const remove = (r: PairStatus, target: Side, reason: Reason, seen?: SideEntry) => {
    const existing = seen ?? snapshots[target].entries.get(r[target]!.id) ?? r[target]!;
    actions.push({
      type: 'delete',
      pairKey: r.key,
      kind: r.kind,
      // (The copy's own subject where it was read: the mass-delete stop lists what would be deleted.)
      subject: 'item' in existing ? existing.item.subject : r.subject,
      reason,
      target,
      id: existing.id,
      ifVersion: existing.version,
    });
  };
  const record = (r: PairStatus, next: PairStatus | null, reason: Reason) =>
    actions.push({ type: 'status', pairKey: r.key, kind: r.kind, subject: r.subject, reason, status: next });
  /**
   * The profile keeps the change on `sides` from crossing: the status keeps the last agreed version
   * and marks the side held, so the change crosses (or conflicts) once the profile lets it (issue 13,
   * point 9) — never absorbed into the status as if it had been synchronized.
   */
  const hold = (r: PairStatus, sides: readonly Side[], reason: Reason) => {
    skip(r.key, r.subject, reason);
    const fresh = sides.filter((s) => r[s] && !r[s]!.held);
    // A held copy that moved (rule 10) keeps its hold under its new id.
    const moved = moves.size > 0 && (moves.has(`outlook:${r.key}`) || moves.has(`crm:${r.key}`));
    if (fresh.length === 0 && !moved) return;
    const next = { ...r };
    for (const s of fresh) (next as Record<Side, SideStatus>)[s] = { ...r[s]!, held: true };
    record(r, next, reason);
  };

  // One pass over the status (an incremental run over 100,000 pairs touches each row once).
  const known: Record<Side, Set<string>> = { outlook: new Set(), crm: new Set() };
  for (const r of status) {
    const o = stateOf(r.outlook, outlook, moves.size > 0 && moves.has(`outlook:${r.key}`), known.outlook);
    const m = stateOf(r.crm, crm, moves.size > 0 && moves.has(`crm:${r.key}`), known.crm);
    // Case: item type not synchronized — the pair is left as it is, nothing is deleted.
    if (!kinds.has(r.kind)) continue;
    // Case: nothing changed on either side (most pairs of an incremental run) → nothing to do.
    const capRenewal = r.cap !== undefined && capDue(r.cap, years, now);
    if (o === SAME && m === SAME && !options.decisions?.has(r.key) && !capRenewal) continue;
    const current = [o, m].flatMap((s) => ('entry' in s ? [s.entry.item] : []));
    const changedSides = (['outlook', 'crm'] as const).filter((s) => (s === 'outlook' ? o : m).kind === 'changed');
    // Case: on the exception list (conflict screen) and not temporarily included → held.
    if (excluded.has(r.key) && !policy.exceptions.included) {
      if (current.length || o.kind === 'deleted' || m.kind === 'deleted')
        hold(r, changedSides, { code: 'skip-exception-list' });
      continue;
    }
    // Case: a private item and private items are not synchronized — not even the subject crosses; held.
    // (With no copy read this run — a deletion on one side — the pair is what it was at the last sync.)
    if (!policy.privateItems && (current.length ? current.some(isPrivate) : r.private)) {
      hold(r, changedSides, { code: 'skip-private' });
      continue;
    }
    // Case: an activity of a CRM application the profile does not synchronize → held.
    const apps = current.length ? current.map((i) => i.crm?.application) : [r.application];
    if (apps.some((a) => applicationExcluded(policy, a))) {
      hold(r, changedSides, { code: 'skip-application' });
      continue;
    }
    const decision = options.decisions?.get(r.key);

    const capSource = r.cap && otherSide(r.cap.side);
    const capEntry = capRenewal && capSource && r[capSource] && snapshots[capSource].entries.get(r[capSource]!.id);
    const capInWindow = capEntry && intersects(itemRange(capEntry.item), window);
    if (capInWindow && restingOn(o) && restingOn(m)) {
      // Case: an infinite series whose cap falls short of N years from today → written again with the
      // cap moved on (rule 6: the source keeps its open series; the engine read the source for this).
      if (policy.writable[r.cap!.side]) {
        propagate(r, capSource!, capEntry!, { code: 'cap-extended', from: capSource! });
        continue;
      }
      // Case: … but the capped copy is on the side a one-way sync never writes → the cap waits, logged
      // (the copy ends before N years until both ways are synchronized again).
      skip(r.key, r.subject, { code: 'skip-direction', detail: policy.direction });
    }
    if (restingOn(o) && restingOn(m)) {
      // Case: nothing changed; a version moved without content → remember the new version only.
      if (o.kind === 'touched' || m.kind === 'touched') {
        record(
          r,
          {
            ...r,
            ...(o.kind === 'touched' && { outlook: withPin(r.outlook, sideStatus(o.entry)) }),
            ...(m.kind === 'touched' && { crm: withPin(r.crm, sideStatus(m.entry)) }),
          },
          { code: 'version-only' },
        );
      }
      continue;
    }
    if (o.kind === 'deleted' && m.kind === 'deleted') {
      // Case: deleted on both sides → forget the pair.
      record(r, null, { code: 'both-deleted' });
      continue;
    }
    if ((o.kind === 'deleted' || o.kind === 'absent') && m.kind === 'absent') {
      // Case: the only copy is gone → forget the pair.
      record(r, null, { code: 'deleted', from: 'outlook' });
      continue;
    }
    if (o.kind === 'absent' && m.kind === 'deleted') {
      record(r, null, { code: 'deleted', from: 'crm' });
      continue;
    }
    for (const [from, here, there] of [
      ['outlook', o, m],
      ['crm', m, o],
    ] as const) {
      const to = otherSide(from);
      if (here.kind === 'changed' && (restingOn(there) || there.kind === 'absent')) {
        if (!intersects(itemRange(here.entry.item), window) && !intersects(rangeOf(there, r), window)) {
          // Case: changed on one side, and neither copy lies in the period → not synchronized (rule 2),
          // held: the change crosses when the copy comes back into the period.
          hold(r, [from], { code: 'skip-outside-period' });
          continue;
        }
        // Case: changed on one side only (or its partner was never written) → write it over.
        if (policy.writable[to]) propagate(r, from, here.entry, { code: 'changed', from });
        else {
          // Case: one-way sync and the change is on the target → leave the source alone; held, so the
          // change crosses (or conflicts) when both ways are synchronized again.
          hold(r, [from], { code: 'skip-direction', detail: policy.direction });
        }
      } else if (here.kind === 'deleted' && restingOn(there)) {
        if (!intersects(rangeOf(there, r), window)) {
          // Case: deleted on one side, the other copy lies outside the period now → not synchronized
          // any more: the pair ends, the copy is kept (rule 2) and the log says so (point 15).
          // (The kept copy is named: it may have moved to another id this run, rule 10.)
          record(r, null, { code: 'kept-outside-period', from });
          const kept = 'entry' in there ? { side: to, id: there.entry.id } : undefined;
          skip(r.key, r.subject, { code: 'kept-outside-period', from }, kept);
          continue;
        }
        // Case: deleted on one side only → delete the other copy (its old version goes to the history).
        if (policy.writable[to]) remove(r, to, { code: 'deleted', from }, 'entry' in there ? there.entry : undefined);
        else {
          // Case: one-way and the target's copy was deleted → keep the source; the deletion is held and
          // crosses when both ways are synchronized again (a later change of the source recreates it).
          hold(r, [from], { code: 'skip-direction', detail: policy.direction });
        }
      }
    }
    if (changedOn(o) && changedOn(m)) {
      const oe = (o as { entry: SideEntry }).entry;
      const me = (m as { entry: SideEntry }).entry;
      if (sameSharedContent(oe.item, me.item)) {
        // Case: both sides changed the same way → only the status moves (and a cap the capped copy no
        // longer carries is no cap: both copies end where the user ended them).
        const { cap: _cap, ...rest } = r;
        const capped = r.cap && uncap((r.cap.side === 'outlook' ? oe : me).item, r.cap.side, r.cap).removed;
        record(
          r,
          {
            ...rest,
            subject: oe.item.subject,
            ...(capped && { cap: { side: r.cap!.side, until: capped } }),
            outlook: withPin(r.outlook, sideStatus(oe)),
            crm: withPin(r.crm, sideStatus(me)),
          },
          { code: 'converged' },
        );
        continue;
      }
      if (!intersects(itemRange(oe.item), window) && !intersects(itemRange(me.item), window)) {
        // Case: changed on both sides, both copies now outside the period → neither is overwritten
        // (rule 2); both held, the conflict is decided when a copy comes back into the period.
        hold(r, ['outlook', 'crm'], { code: 'skip-outside-period' });
        continue;
      }
      // Case: changed on both sides → the policy, the user's decision or the source of a one-way sync wins.
      const winner = resolveConflict(r, policy, strategy, decision, oe, me, pending);
      if (winner)
        propagate(r, winner, winner === 'outlook' ? oe : me, conflictReason(policy, strategy, decision, winner));
      continue;
    }
    for (const [deleter, del, mod] of [
      ['outlook', o, m],
      ['crm', m, o],
    ] as const) {
      if (del.kind !== 'deleted' || mod.kind !== 'changed') continue;
      if (!intersects(itemRange(mod.entry.item), window)) {
        // Case: deleted on one side, changed out of the period on the other → the pair ends, the
        // changed copy is kept where it is (rule 2); nothing is deleted or created.
        record(r, null, { code: 'kept-outside-period', from: deleter });
        const kept = { side: otherSide(deleter), id: mod.entry.id };
        skip(r.key, r.subject, { code: 'kept-outside-period', from: deleter }, kept);
        continue;
      }
      // Case: deleted on one side, changed on the other → a conflict like any other (rule 5).
      const modifier = otherSide(deleter);
      const entries = { [modifier]: mod.entry } as { outlook?: SideEntry; crm?: SideEntry };
      const winner = resolveConflict(r, policy, strategy, decision, entries.outlook, entries.crm, pending);
      if (!winner) continue;
      const reason: Reason = { ...conflictReason(policy, strategy, decision, winner), code: 'modify-delete-policy' };
      if (winner === modifier) propagate({ ...r, [deleter]: undefined }, modifier, mod.entry, reason);
      else remove(r, modifier, reason, mod.entry);
    }
  }

  planNewItems(status, known, snapshots, policy, strategy, options, { actions, pending, skip });
  holdForConfirmation(actions, pending, policy, options);
  guardMassDelete(actions, status, options);
  return { actions, pending, skipped };
}
