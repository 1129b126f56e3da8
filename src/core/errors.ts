/**
 * Named safety errors of the sync engine, one place (STYLE.md; vdirsyncer's sync/exceptions.py).
 * Adapters translate HTTP and Office failures into these, so the engine and the UI never see a raw
 * Response. Each documents the fields it carries.
 */
import type { ItemKind, Side } from './sync/types.js';

/** A side that had items reads as empty: a failed or partial read must never become deletions (rule 1). */
export class StoreEmptyError extends Error {
  /** @param side the side that read as empty; @param kind which collection; @param known pairs that existed. */
  constructor(
    readonly side: Side,
    readonly kind: ItemKind,
    readonly known: number,
  ) {
    super(
      `the ${side} ${kind === 'activity' ? 'calendar' : 'task list'} reads as empty although ${known} item(s) were synchronized with it: nothing was deleted; confirm to continue`,
    );
    this.name = 'StoreEmptyError';
  }
}

/** A run would delete more than the threshold (30 % and more than 10 items) on one side (rule 1). */
export class MassDeleteError extends Error {
  /** @param side where the deletions would happen; @param deletions how many; @param total pairs known. */
  constructor(
    readonly side: Side,
    readonly deletions: number,
    readonly total: number,
  ) {
    super(
      `this run would delete ${deletions} of ${total} item(s) on the ${side} side: it was stopped; confirm to continue`,
    );
    this.name = 'MassDeleteError';
  }
}

/** One Outlook folder the profile names now, and the one the status table's pairs were made in. */
export interface FolderChange {
  readonly kind: ItemKind;
  readonly from: string;
  readonly to: string;
  /** Pairs whose Outlook copy is in `from` (or in `also`). */
  readonly pairs: number;
  /**
   * The folder an interrupted move was taking the copies to, where some of them already are (the
   * user named yet another folder before the move was finished).
   */
  readonly also?: string;
}

/**
 * The calendar or To Do list changed on the General tab while items are synchronized with the old one
 * (issue 13, point 10): nothing is read or written until the user chooses to move the synchronized items
 * to the new folder or to start a new pairing with it (RunOptions.folderChange).
 */
export class FolderChangedError extends Error {
  constructor(readonly changes: readonly FolderChange[]) {
    super(
      changes
        .map(
          (c) =>
            `the Outlook ${c.kind === 'activity' ? 'calendar' : 'To Do list'} changed while ${c.pairs} item(s) are synchronized with the one before`,
        )
        .join('; ') + ': choose whether to move them to the new one or to start a new pairing',
    );
    this.name = 'FolderChangedError';
  }
}

/** A write's precondition (etag, change key) no longer holds: the item changed since it was read. */
export class PreconditionFailedError extends Error {
  /** @param side the store; @param id the item; @param expected the version the write was based on. */
  constructor(
    readonly side: Side,
    readonly id: string,
    readonly expected: string,
  ) {
    super(`the ${side} item ${id} changed since it was read (expected version ${expected})`);
    this.name = 'PreconditionFailedError';
  }
}

/** Both sides changed one pair and the policy did not resolve it (the conflict screen is on). */
export class ConflictError extends Error {
  /** @param pairKey the pair; @param subject for the person who decides. */
  constructor(
    readonly pairKey: string,
    readonly subject: string,
  ) {
    super(`"${subject}" was changed in Outlook and in the CRM: it waits for your decision`);
    this.name = 'ConflictError';
  }
}

/** The item a write would replace exists but cannot be read, so it could not be kept in the history (rule 5). */
export class UnreadableTargetError extends Error {
  /** @param side the store; @param id the item; @param detail why it cannot be read. */
  constructor(
    readonly side: Side,
    readonly id: string,
    detail: string,
  ) {
    super(`the ${side} item ${id} cannot be read (${detail}): it was not overwritten; repair or delete it there`);
    this.name = 'UnreadableTargetError';
  }
}

/** The store was throttled or unavailable; retry after `retryAfterMs`. */
export class ThrottledError extends Error {
  constructor(
    readonly side: Side,
    readonly retryAfterMs: number,
  ) {
    super(`the ${side} side asked to slow down: retry in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'ThrottledError';
  }
}

/**
 * A store could not be reached: no network, a refused connection, no answer in time. Whether a write
 * under way took effect is unknown (its journal entry stays for recovery); the run writes nothing more
 * to that side and tries again after a backoff.
 */
export class UnreachableError extends Error {
  /** @param side the store that did not answer; @param message names it and the cause. */
  constructor(
    readonly side: Side,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}

/** Logon to a store failed (HTTP 401/403, expired token). */
export class AuthenticationError extends Error {
  constructor(
    readonly side: Side,
    detail: string,
  ) {
    super(`logon to the ${side === 'mobile' ? 'CRM mobile client' : 'Outlook mailbox'} failed: ${detail}`);
    this.name = 'AuthenticationError';
  }
}

/** The user exit threw or returned something that is not an item: nothing was written. */
export class UserExitError extends Error {
  constructor(cause: unknown) {
    super(`the user exit failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'UserExitError';
  }
}

/**
 * The target side cannot hold this item as it is (a rule Outlook's recurrence patterns cannot express,
 * a meeting change refused while attendee updates are off). Nothing was written; trying again without
 * a change would fail the same way, so the item is marked "cannot be synchronized" once (log and
 * pane) and tried again only when it changes or the settings do (issue 13, point 14). Adapters' refusals
 * of this kind extend it.
 */
export class CannotSynchronizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotSynchronizeError';
  }
}

/** The user cancelled the run before anything was written. */
export class SyncCancelledError extends Error {
  constructor() {
    super('the synchronization was cancelled before anything was written');
    this.name = 'SyncCancelledError';
  }
}
