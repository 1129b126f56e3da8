/**
 * The planner: `plan(status, outlook, mobile, policy)` is a pure function from what the status
 * table remembers and what both sides read this run to the actions that bring them together
 * (DESIGN.md §4; vdirsyncer's `_get_actions`). Every branch names its case in a comment.
 */
import { MassDeleteError, StoreEmptyError } from '../errors.js';
import { sameSharedContent } from '../model/content-hash.js';
import { isPrivate, type Item } from '../model/item.js';
import { intersects, itemRange, type SyncWindow } from '../model/time.js';
import {
  actionId,
  type Action,
  type CopyRef,
  type PendingAction,
  type SideEntry,
  type SideSnapshot,
  type Skip,
  type SyncPlan,
  type UpdateAction,
} from './actions.js';
import type { ConflictStrategy } from './conflict.js';
import { matchNewItems, pairKeyOf } from './match.js';
import { capDue, capForTarget, capMark, earlierCap, keepBeyondCap, stripCap, uncap } from './prepare.js';
import type { Reason } from './reasons.js';
import { applicationExcluded, type SyncPolicy } from './policy.js';
import { factsOf, withPin, type PairStatus, type SideStatus } from './status.js';
import { otherSide, type ItemKind, type Side } from './types.js';

export interface PlanOptions {
  /** Ids of pending confirmations the user approved (see actionId). */
  readonly approvals?: ReadonlySet<string>;
  /** Conflicts the user decided in the conflict screen: pair key → winning side, or exclude. */
  readonly decisions?: ReadonlyMap<string, Side | 'exclude'>;
  /** Overrides the policy's conflict handling in a two-way sync (tests, the conflict dialog). */
  readonly strategy?: ConflictStrategy;
  /** The user confirmed a run the mass-delete guard stopped. */
  readonly allowMassDelete?: boolean;
  /** The user confirmed that a side is really empty. */
  readonly allowEmptySide?: boolean;
  /** Pairs that waited for the user after the last run: their copies are read again every run. */
  readonly pendingKeys?: ReadonlySet<string>;
}

/** Threshold of the mass-delete guard: more than 30 % of the pairs and more than 10 items. */
export const MASS_DELETE = { share: 0.3, minimum: 10 } as const;

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

const sideStatus = (e: SideEntry): SideStatus => ({ id: e.id, version: e.version, hash: e.hash });

export function plan(
  statusRead: readonly PairStatus[],
  outlook: SideSnapshot,
  mobile: SideSnapshot,
  policy: SyncPolicy,
  options: PlanOptions = {},
): SyncPlan {
  const { window, kinds, now, seriesYears: years } = policy;
  const strategy = (!policy.source && options.strategy) || policy.conflicts;
  const snapshots: Record<Side, SideSnapshot> = { outlook, mobile };
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
    !!(r.outlook?.held || r.mobile?.held || options.pendingKeys?.has(r.key)) ||
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
      subject: r.subject,
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
    const moved = moves.size > 0 && (moves.has(`outlook:${r.key}`) || moves.has(`mobile:${r.key}`));
    if (fresh.length === 0 && !moved) return;
    const next = { ...r };
    for (const s of fresh) (next as Record<Side, SideStatus>)[s] = { ...r[s]!, held: true };
    record(r, next, reason);
  };

  // One pass over the status (an incremental run over 100,000 pairs touches each row once).
  const known: Record<Side, Set<string>> = { outlook: new Set(), mobile: new Set() };
  for (const r of status) {
    const o = stateOf(r.outlook, outlook, moves.size > 0 && moves.has(`outlook:${r.key}`), known.outlook);
    const m = stateOf(r.mobile, mobile, moves.size > 0 && moves.has(`mobile:${r.key}`), known.mobile);
    // Case: item type not synchronized — the pair is left as it is, nothing is deleted.
    if (!kinds.has(r.kind)) continue;
    // Case: nothing changed on either side (most pairs of an incremental run) → nothing to do.
    const capRenewal = r.cap !== undefined && capDue(r.cap, years, now);
    if (o === SAME && m === SAME && !options.decisions?.has(r.key) && !capRenewal) continue;
    const current = [o, m].flatMap((s) => ('entry' in s ? [s.entry.item] : []));
    const changedSides = (['outlook', 'mobile'] as const).filter((s) => (s === 'outlook' ? o : m).kind === 'changed');
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
    // Case: the user excluded the pair in the conflict screen.
    if (decision === 'exclude') {
      skip(r.key, r.subject, { code: 'skip-excluded-by-user' });
      continue;
    }

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
            ...(m.kind === 'touched' && { mobile: withPin(r.mobile, sideStatus(m.entry)) }),
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
      record(r, null, { code: 'deleted', from: 'mobile' });
      continue;
    }
    for (const [from, here, there] of [
      ['outlook', o, m],
      ['mobile', m, o],
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
            ...(capped && { cap: { side: r.cap!.side, until: capped } }),
            outlook: withPin(r.outlook, sideStatus(oe)),
            mobile: withPin(r.mobile, sideStatus(me)),
          },
          { code: 'converged' },
        );
        continue;
      }
      if (!intersects(itemRange(oe.item), window) && !intersects(itemRange(me.item), window)) {
        // Case: changed on both sides, both copies now outside the period → neither is overwritten
        // (rule 2); both held, the conflict is decided when a copy comes back into the period.
        hold(r, ['outlook', 'mobile'], { code: 'skip-outside-period' });
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
      ['mobile', m, o],
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
      const entries = { [modifier]: mod.entry } as { outlook?: SideEntry; mobile?: SideEntry };
      const winner = resolveConflict(r, policy, strategy, decision, entries.outlook, entries.mobile, pending);
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

/**
 * Rule 10: an item that left one id and appeared under another on the same side (moved between
 * folders, id changed) keeps its pair — the row follows the new id instead of delete + create.
 */
function followMoves(
  status: readonly PairStatus[],
  snapshots: Record<Side, SideSnapshot>,
): { status: readonly PairStatus[]; moves: ReadonlySet<string> } {
  let out: PairStatus[] | undefined;
  const moves = new Set<string>();
  for (const side of ['outlook', 'mobile'] as const) {
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
function knownIds(status: readonly PairStatus[], side: Side, snap: SideSnapshot): ReadonlySet<string> {
  const known = new Set<string>();
  if (snap.entries.size === 0) return known;
  for (const r of status) {
    const s = r[side];
    if (s && snap.entries.has(s.id)) known.add(s.id);
  }
  return known;
}

function conflictReason(
  policy: SyncPolicy,
  strategy: ConflictStrategy,
  decision: Side | 'exclude' | undefined,
  winner: Side,
): Reason {
  if (decision && decision !== 'exclude') return { code: 'conflict-decided', from: winner };
  return { code: 'conflict-policy', from: winner, detail: strategy.name };
}

/** The winning side of a conflict, or undefined when it is held for the user. */
function resolveConflict(
  r: { key: string; subject: string },
  policy: SyncPolicy,
  strategy: ConflictStrategy,
  decision: Side | 'exclude' | undefined,
  outlookEntry: SideEntry | undefined,
  mobileEntry: SideEntry | undefined,
  pending: PendingAction[],
): Side | undefined {
  // A one-way sync never changes its source: the source always wins, whatever was decided (rule 8).
  if (policy.source) return policy.source;
  if (decision === 'outlook' || decision === 'mobile') return decision;
  const winner = strategy.resolve({
    pairKey: r.key,
    ...(outlookEntry && { outlook: outlookEntry }),
    ...(mobileEntry && { mobile: mobileEntry }),
  });
  if (winner !== 'hold') return winner;
  pending.push({
    type: 'conflict',
    id: `conflict:${r.key}`,
    pairKey: r.key,
    subject: r.subject,
    reason: { code: 'conflict-held' },
    ...(outlookEntry && { outlook: outlookEntry }),
    ...(mobileEntry && { mobile: mobileEntry }),
  });
  return undefined;
}

/** The other side of a pair whose first action this run creates it (the row keeps what it records). */
const CREATED: SideStatus = { id: '', version: '', hash: '' };

/**
 * The copy `capped` on `side` (read this run) gets its cap moved on: `series`, the open series, capped
 * again for that side. It comes after the pair's other write, which leaves the other side as `other`
 * (the executor runs a pair's actions in order, stops at the first that fails, and keeps the row's
 * record of that side).
 */
function capExtension(
  key: string,
  side: Side,
  capped: SideEntry,
  series: Item,
  other: SideStatus,
  years: number,
  now: number,
): UpdateAction {
  const recap = capForTarget(series, side, years, now);
  return {
    type: 'update',
    pairKey: key,
    kind: series.kind,
    subject: capped.item.subject,
    reason: { code: 'cap-extended', from: otherSide(side) },
    target: side,
    id: capped.id,
    ifVersion: capped.version,
    item: recap.item,
    source: { ...other, side: otherSide(side) },
    ...(recap.cap && { cap: recap.cap }),
  };
}

interface Sink {
  readonly actions: Action[];
  readonly pending: PendingAction[];
  readonly skip: (pairKey: string, subject: string, reason: Reason, copy?: CopyRef) => void;
}

/** Items neither side knew before: first-sync matching, then creation on the other side. */
function planNewItems(
  status: readonly PairStatus[],
  known: Record<Side, ReadonlySet<string>>,
  snapshots: Record<Side, SideSnapshot>,
  policy: SyncPolicy,
  strategy: ConflictStrategy,
  options: PlanOptions,
  sink: Sink,
): void {
  if (snapshots.outlook.entries.size === 0 && snapshots.mobile.entries.size === 0) return;
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

  const { pairs, outlookOnly, mobileOnly } = matchNewItems(fresh('outlook'), fresh('mobile'));
  const newKey = (item: Item, id: string) => {
    const key = pairKeyOf(item);
    usedKeys ??= new Set(status.map((r) => r.key));
    const unique = usedKeys.has(key) ? `${key}#${id}` : key;
    usedKeys.add(unique);
    return unique;
  };
  for (const { outlook: oe, mobile: me, how } of pairs) {
    const key = newKey(me.item, me.id);
    // One copy is the other series with an UNTIL added: a cap an earlier sync wrote there (rule 6).
    const capOn: Side | undefined = earlierCap(oe.item, me.item)
      ? 'outlook'
      : earlierCap(me.item, oe.item)
        ? 'mobile'
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
      mobile: sideStatus(me),
      ...factsOf(me.item),
      ...(earlier && { cap: earlier }),
    };
    const reason: Reason = { code: how };
    const open = (e: SideEntry, side: Side) => stripCap(e.item, side, earlier);
    if (sameSharedContent(open(oe, 'outlook'), open(me, 'mobile'))) {
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
    ['mobile', mobileOnly],
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

/** Seed: "Ask for confirmation when" new / modified / deleted — such actions wait for the user. */
function holdForConfirmation(
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

/** Rule 1: a side that had items and reads as empty stops the run. */
function guardEmptySides(
  status: readonly PairStatus[],
  snapshots: Record<Side, SideSnapshot>,
  kinds: ReadonlySet<ItemKind>,
  window: SyncWindow,
  options: PlanOptions,
  knownToUser: (r: PairStatus) => boolean,
): void {
  if (options.allowEmptySide) return;
  for (const side of ['outlook', 'mobile'] as const) {
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
function guardMassDelete(actions: readonly Action[], status: readonly PairStatus[], options: PlanOptions): void {
  if (options.allowMassDelete) return;
  for (const side of ['outlook', 'mobile'] as const) {
    const deletions = actions.filter((a) => a.type === 'delete' && a.target === side).length;
    if (deletions <= MASS_DELETE.minimum) continue;
    let total = 0;
    for (const r of status) if (r[side]) total++;
    if (deletions > MASS_DELETE.share * total) {
      throw new MassDeleteError(side, deletions, total);
    }
  }
}
