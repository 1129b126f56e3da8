import type { Item } from '../model/item.js';
import type { Reason } from './reasons.js';
import type { PairStatus, SideStatus } from './status.js';
import type { ItemKind, Side } from './types.js';

/** An item as one side holds it, read this run. */
export interface SideEntry {
  readonly id: string;
  readonly version: string;
  readonly hash: string;
  readonly item: Item;
  /** Last modification (UTC ms) where the store tells it; for "most recent wins". */
  readonly modifiedAt?: number;
}

/**
 * What a side's read found. Items with status that are neither in `entries` nor in `deleted` are
 * unchanged. The reader confirms a reported removal with a GET before it lands in `deleted`, so an
 * item that merely left the period arrives in `entries` instead (rule 2).
 */
export interface SideSnapshot {
  readonly entries: ReadonlyMap<string, SideEntry>;
  readonly deleted: ReadonlySet<string>;
  /** The read listed everything in the period (first sync, resync), not only changes. */
  readonly complete: boolean;
}

interface ActionBase {
  readonly pairKey: string;
  readonly kind: ItemKind;
  readonly subject: string;
  readonly reason: Reason;
}

/** Create `item` on `target`; `pairKey` is the idempotency key (rule 3). */
export interface CreateAction extends ActionBase {
  readonly type: 'create';
  readonly target: Side;
  readonly item: Item;
  readonly source: SideStatus & { readonly side: Side };
  /** Set when an infinite series was capped for the target (rule 6). */
  readonly cap?: PairStatus['cap'];
}
/** Overwrite the target's item, if it is still at `ifVersion`; the old version goes to the history. */
export interface UpdateAction extends ActionBase {
  readonly type: 'update';
  readonly target: Side;
  readonly id: string;
  readonly ifVersion: string;
  readonly item: Item;
  readonly source: SideStatus & { readonly side: Side };
  readonly cap?: PairStatus['cap'];
}
/** Delete the target's item, if it is still at `ifVersion`; the old version goes to the history. */
export interface DeleteAction extends ActionBase {
  readonly type: 'delete';
  readonly target: Side;
  readonly id: string;
  readonly ifVersion: string;
}
/** Status only: record a pair (first-sync match, converged edits, version moves) or forget it. */
export interface StatusAction extends ActionBase {
  readonly type: 'status';
  readonly status: PairStatus | null;
}
export type Action = CreateAction | UpdateAction | DeleteAction | StatusAction;

/**
 * What the user decides about a pending item (under Pending or in the conflict screen): `approve`
 * carries the confirmation out at the next run; `exclude` puts the item on the exception list, where
 * the policy leaves it alone until the user takes it off; a side makes that side win the conflict.
 */
export type PendingDecision = 'approve' | 'exclude' | Side;

/** An action held for the user: a confirmation (seed: "Ask for confirmation") or a conflict. */
export interface PendingAction {
  readonly type: 'confirm' | 'conflict';
  /** Approving this id (confirm) or deciding this pair (conflict) releases it next run. */
  readonly id: string;
  readonly action?: Action;
  readonly pairKey: string;
  readonly subject: string;
  readonly reason: Reason;
  readonly outlook?: SideEntry;
  readonly crm?: SideEntry;
}

/** A copy read this run (a side and its id there). */
export interface CopyRef {
  readonly side: Side;
  readonly id: string;
}

/**
 * An item the profile keeps from synchronizing this run, and why (logged, one line per reason:
 * issue 13, point 15). A pair's copies are found through its status row; a new item names its copy.
 */
export interface Skip {
  readonly pairKey: string;
  readonly subject: string;
  readonly reason: Reason;
  readonly copy?: CopyRef;
}

export interface SyncPlan {
  readonly actions: readonly Action[];
  readonly pending: readonly PendingAction[];
  readonly skipped: readonly Skip[];
}

/** Identity of an action for confirmations: bound to the content, so an approval of one version does
 * not approve a later one. */
export function actionId(a: Action): string {
  switch (a.type) {
    case 'create':
    case 'update':
      return `${a.type}:${a.target}:${a.pairKey}:${a.source.hash}`;
    case 'delete':
      return `delete:${a.target}:${a.pairKey}:${a.ifVersion}`;
    case 'status':
      return `status:${a.pairKey}`;
  }
}
