import type { CrmApplication } from '../model/crm-context.js';
import { isPrivate, type Item, type TimeValue } from '../model/item.js';
import { itemRange } from '../model/time.js';
import type { SideEntry } from './actions.js';
import type { ItemKind, Side } from './types.js';

/** What the status table remembers of one side of a pair after the last sync. */
export interface SideStatus {
  readonly id: string;
  /** The store's version token: ETag (CalDAV) or change key (Graph). */
  readonly version: string;
  /** Content hash of the item as it is on that side (DESIGN.md §4, step 2). */
  readonly hash: string;
  /**
   * This side changed since `version` and the profile kept the change from crossing (one-way sync,
   * private item, exception list, application, period). `version` and `hash` stay those of the last
   * agreement, so the change is still a change when the profile lets it cross; the engine reads a held
   * side again every run (an incremental read reports a change once).
   */
  readonly held?: true;
  /**
   * The copy stayed in this folder when the user moved the synchronized items to another one (it could
   * not be moved: see StorePort.cannotMove); it is read by its id every run and stays synchronized.
   */
  readonly pinned?: string;
}

/** `next` for the same copy as `prev` keeps the folder `prev` stayed in (see SideStatus.pinned). */
export const withPin = (prev: SideStatus | undefined, next: SideStatus): SideStatus =>
  prev?.pinned && prev.id === next.id && !next.pinned ? { ...next, pinned: prev.pinned } : next;

/**
 * The version of a copy the sync wrote without learning which version its write produced: a repeated
 * creation (journal recovery) finds the item the first call made, possibly edited by the user since.
 * No store version equals it, so the next read fetches the copy again and compares its content hash.
 */
export const UNKNOWN_VERSION = '';

/**
 * One row per synchronized pair (vdirsyncer's status). A side counts as changed only when both its
 * version token and its content hash moved.
 */
export interface PairStatus {
  /** Stable key of the pair: `crm:<activity id>` or `uid:<uid>`; also the idempotency key of creations. */
  readonly key: string;
  readonly kind: ItemKind;
  readonly subject: string;
  readonly outlook?: SideStatus;
  readonly crm?: SideStatus;
  /** The pair's time range at the last sync (UTC ms; Infinity for infinite series). */
  readonly range: readonly [number, number];
  /** The infinite-series cap this sync wrote on one side; never written back to the source (rule 6). */
  readonly cap?: { readonly side: Side; readonly until: TimeValue };
  /**
   * What the profile's filters judge, as the pair was at the last sync: a deletion on one side leaves
   * only the other copy, which the run does not read — a private pair stays private (rule 8).
   */
  readonly private?: true;
  readonly application?: CrmApplication;
}

/** The facts a status row keeps of the item its pair holds. */
export function factsOf(item: Item): Pick<PairStatus, 'range' | 'private' | 'application'> {
  return {
    range: itemRange(item),
    ...(isPrivate(item) && { private: true as const }),
    ...(item.crm?.application && { application: item.crm.application }),
  };
}

/** What the status records of a copy read this run. */
export const sideStatus = (e: SideEntry): SideStatus => ({ id: e.id, version: e.version, hash: e.hash });
