/**
 * One error language (issue 14, point 2): every error the synchronization reports has a code from
 * this catalogue and typed parameters; the English text is made here from them (the log's fallback),
 * and the pane's catalogs translate `error.<code>` with the same parameters, so a German user reads
 * German. (The model: temporal-polyfill's errorMessages.ts.) The named safety errors keep their
 * classes and fields for the engine's `instanceof` (vdirsyncer's sync/exceptions.py); each is a
 * SyncError with its code. Adapters translate HTTP and Office failures into these, so the engine and
 * the UI never see a raw Response.
 */
import type { ItemKind, Side } from './sync/types.js';

const sideWord = (side: Side) => (side === 'crm' ? 'CRM mobile client' : 'Outlook mailbox');
const sideName = (side: Side) => (side === 'crm' ? 'CRM' : 'Outlook');
const serverName = (side: Side, origin: string) =>
  side === 'crm' ? `the CRM gateway at ${origin}` : `Microsoft Graph (${origin})`;
const seconds = (ms: number) => Math.ceil(ms / 1000);
const folderWord = (kind: ItemKind) => (kind === 'activity' ? 'calendar' : 'To Do list');

/** The catalogue: code → English text from the error's parameters (plain strings and numbers). */
export const ERROR_MESSAGES = {
  'store-empty': (p: { side: Side; kind: ItemKind; known: number }) =>
    `the ${sideName(p.side)} ${p.kind === 'activity' ? 'calendar' : 'task list'} reads as empty although ${p.known} item(s) were synchronized with it: nothing was deleted; confirm to continue`,
  'mass-delete': (p: { side: Side; deletions: number; total: number }) =>
    `this run would delete ${p.deletions} of ${p.total} item(s) on the ${sideName(p.side)} side: it was stopped; confirm to continue`,
  'folder-changed': (p: { pairs: number }) =>
    `the Outlook folder changed while ${p.pairs} item(s) are synchronized with the one before: choose whether to move them to the new one or to start a new pairing`,
  'precondition-failed': (p: { side: Side; id: string; expected: string }) =>
    `the ${sideName(p.side)} item ${p.id} changed since it was read (expected version ${p.expected})`,
  conflict: (p: { subject: string }) =>
    `"${p.subject}" was changed in Outlook and in the CRM: it waits for your decision`,
  'unreadable-target': (p: { side: Side; id: string; detail: string }) =>
    `the ${sideName(p.side)} item ${p.id} cannot be read (${p.detail}): it was not overwritten; repair or delete it there`,
  throttled: (p: { side: Side; seconds: number }) =>
    `the ${sideName(p.side)} side asked to slow down: retry in ${p.seconds} s`,
  unreachable: (p: { side: Side; origin: string; seconds: number | ''; detail: string }) =>
    p.seconds !== ''
      ? `${serverName(p.side, p.origin)} did not answer within ${p.seconds} s`
      : `cannot reach ${serverName(p.side, p.origin)}: ${p.detail}`,
  authentication: (p: { side: Side; status: number | ''; detail: string }) =>
    `logon to the ${sideWord(p.side)} failed: ${p.detail || 'the user ID and password or the token were refused'}${p.status !== '' ? ` (HTTP ${p.status})` : ''}`,
  'user-exit': (p: { detail: string }) => `the user exit failed: ${p.detail}`,
  'cannot-synchronize': (p: { detail: string }) => p.detail,
  cancelled: () => 'the synchronization was cancelled before anything was written',
  // The application layer (src/app): what stops a run before it starts.
  'settings-incomplete': (p: { fields: string }) =>
    `the settings are not complete (${p.fields}): open the CRM Sync pane and save them`,
  'no-password': () => 'no password is saved for the CRM gateway: enter it on the General tab',
  'sync-running': () => 'a synchronization is running already',
  'calendar-read-only': (p: { name: string }) => `the Outlook calendar "${p.name}" is read-only`,
  'no-collection': (p: { kind: ItemKind }) =>
    `the CRM gateway has no collection for ${p.kind === 'activity' ? 'activities' : 'tasks'}`,
  'user-exits-missing': (p: { detail: string }) => `the user exits cannot be loaded: ${p.detail}`,
  'user-exit-not-found': (p: { method: string }) => `the user exit method "${p.method}" is not in user-exits.js`,
  'user-exits-not-deployed': () => 'no user-exit module is deployed with the add-in',
  'folder-gone': (p: { kind: ItemKind }) =>
    `the ${folderWord(p.kind)} chosen on the General tab does not exist any more`,
  'settings-not-saved': (p: { detail: string }) => `Outlook did not save the settings: ${p.detail}`,
  'admin-defaults-http': (p: { url: string; status: number }) =>
    `the administrator defaults (${p.url}) answered HTTP ${p.status}`,
  'admin-defaults-json': (p: { url: string }) => `the administrator defaults (${p.url}) are not JSON`,
  'admin-defaults-locks': (p: { url: string; paths: string }) =>
    `the administrator defaults (${p.url}) lock unknown settings: ${p.paths}`,
  'profile-version': (p: { found: number; supported: number }) =>
    `the stored profile has version ${p.found}, newer than this add-in's ${p.supported}: update the add-in`,
  'profile-too-large': (p: { bytes: number; limit: number }) =>
    `the profile needs ${p.bytes} bytes, more than the ${p.limit} bytes of Office roaming settings`,
  // A way back (core/sync/way-back.ts).
  'kind-not-synchronized': (p: { kind: ItemKind }) =>
    `${p.kind === 'activity' ? 'appointments' : 'tasks'} are not synchronized now (Synchronization tab): turn them on to restore or undo them`,
  'undo-exceptions-included': () =>
    'a run cannot be undone while "Include the exception list" is on (Miscellaneous): the next run would write the undone items again',
  // The folder move (core/sync/folders.ts).
  'move-no-store': (p: { kind: ItemKind }) => `the items cannot be moved: no store for the old ${folderWord(p.kind)}`,
  'move-refused': (p: { subject: string; kind: ItemKind; detail: string }) =>
    `"${p.subject}" cannot be moved to the new ${folderWord(p.kind)}: ${p.detail}`,
  // Adapters: what Microsoft Graph, the CRM gateway, Office and the device answered.
  'graph-refused': (p: { status: number; code: string; detail: string }) =>
    `Microsoft Graph answered ${p.status} ${p.code}: ${p.detail}`,
  'delta-refused': (p: { kind: ItemKind }) =>
    `Microsoft Graph refused a new ${p.kind === 'activity' ? 'calendar' : 'task'} delta query (410)`,
  'delta-incomplete': (p: { kind: ItemKind }) =>
    `the ${p.kind === 'activity' ? 'calendar' : 'task'} delta query of Microsoft Graph ended without a deltaLink`,
  'read-back-failed': (p: { side: Side; id: string }) =>
    `the ${sideName(p.side)} item ${p.id} was written but cannot be read back`,
  'gateway-refused': (p: { request: string; status: number; detail: string }) =>
    `the CRM gateway answered ${p.status} to ${p.request}${p.detail ? `: ${p.detail}` : ''}`,
  'sync-token-missing': () => 'the CRM gateway sent no sync-token with its changes',
  'no-calendars': (p: { origin: string; detail: string }) => `no CalDAV calendars found at ${p.origin}: ${p.detail}`,
  'logon-slowed': (p: { origin: string; seconds: number }) =>
    `the CRM gateway at ${p.origin} refuses logons from this device for ${p.seconds} s after too many failed ones: wait, then check the user ID and password`,
  'ical-invalid': (p: { line: number | ''; property: string; detail: string }) =>
    [p.line !== '' && `line ${p.line}`, p.property].filter(Boolean).join(', ').replace(/.+/, '$&: ') + p.detail,
  'crm-context-invalid': (p: { field: string; detail: string }) => `CRM context field "${p.field}" ${p.detail}`,
  'office-failed': (p: { detail: string }) => `Outlook answered with an error: ${p.detail}`,
  'office-missing': () => 'signing in to Microsoft 365 needs Outlook (Office.js is not loaded)',
  'dev-token-not-graph': () => 'a development token is for the Graph emulator only, not for Microsoft Graph',
  'password-format': () => 'the stored password has an unknown format',
  'password-unreadable': () => 'the stored password cannot be read on this device: enter it again on the General tab',
  // One state per account (issue 15): the gateway's lease and versions.
  'sync-elsewhere': (p: { holder: string; untilAt: number; progress: string }) =>
    `a synchronization is running on another device (${p.holder}${p.progress ? `: ${p.progress}` : ''}); it ends or gives way by ${Number.isFinite(p.untilAt) ? new Date(p.untilAt).toISOString() : 'soon'}`,
  'lease-lost': () =>
    'this run lost its turn (it was stopped longer than its lease and another device went on): nothing more was written; the next run continues',
  'state-moved': () =>
    'the sync state was changed by another run during this one: nothing more was written; the next run continues from it',
  'profile-refused': (p: { fields: string }) =>
    `the CRM gateway refused these settings: ${p.fields} (its add-in version checks them differently)`,
  /** A broken invariant of the add-in itself: the text is for the bug report. */
  internal: (p: { detail: string }) => `internal error (please report this): ${p.detail}`,
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof ERROR_MESSAGES)[C]>[0] extends infer P
  ? P extends object
    ? P
    : Record<string, never>
  : never;

/** An error of the catalogue: its code and parameters; `message` is the English text. */
export class SyncError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    readonly params: ErrorParams<C>,
    options?: { cause?: unknown },
  ) {
    super((ERROR_MESSAGES[code] as (p: ErrorParams<C>) => string)(params), options);
    this.name = 'SyncError';
  }
}

/** An error's code and parameters, as a log entry or a report keeps them. */
export interface ErrorRef {
  readonly code: ErrorCode;
  readonly params: Readonly<Record<string, string | number>>;
}

/** The catalogue's code and parameters of `error`; undefined for an error from outside the catalogue. */
export const errorRef = (error: unknown): ErrorRef | undefined =>
  error instanceof SyncError ? { code: error.code, params: error.params as ErrorRef['params'] } : undefined;

/** A side that had items reads as empty: a failed or partial read must never become deletions (rule 1). */
export class StoreEmptyError extends SyncError<'store-empty'> {
  /** @param side the side that read as empty; @param kind which collection; @param known pairs that existed. */
  constructor(
    readonly side: Side,
    readonly kind: ItemKind,
    readonly known: number,
  ) {
    super('store-empty', { side, kind, known });
    this.name = 'StoreEmptyError';
  }
}

/** A run would delete more than the threshold (30 % and more than 10 items) on one side (rule 1). */
/** An item a stopped run would have deleted: its pair and subject. */
export interface WouldDelete {
  readonly pairKey: string;
  readonly subject: string;
}

export class MassDeleteError extends SyncError<'mass-delete'> {
  /**
   * @param side where the deletions would happen; @param deletions how many; @param total pairs known;
   * @param items the items (the pane lists them, and can restore them on the side that deleted them).
   */
  constructor(
    readonly side: Side,
    readonly deletions: number,
    readonly total: number,
    readonly items: readonly WouldDelete[] = [],
  ) {
    super('mass-delete', { side, deletions, total });
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
export class FolderChangedError extends SyncError<'folder-changed'> {
  constructor(readonly changes: readonly FolderChange[]) {
    super('folder-changed', { pairs: changes.reduce((n, c) => n + c.pairs, 0) });
    this.name = 'FolderChangedError';
  }
}

/** A write's precondition (etag, change key) no longer holds: the item changed since it was read. */
export class PreconditionFailedError extends SyncError<'precondition-failed'> {
  /** @param side the store; @param id the item; @param expected the version the write was based on. */
  constructor(
    readonly side: Side,
    readonly id: string,
    readonly expected: string,
  ) {
    super('precondition-failed', { side, id, expected });
    this.name = 'PreconditionFailedError';
  }
}

/** Both sides changed one pair and the policy did not resolve it (the conflict screen is on). */
export class ConflictError extends SyncError<'conflict'> {
  /** @param pairKey the pair; @param subject for the person who decides. */
  constructor(
    readonly pairKey: string,
    readonly subject: string,
  ) {
    super('conflict', { subject });
    this.name = 'ConflictError';
  }
}

/** The item a write would replace exists but cannot be read, so it could not be kept in the history (rule 5). */
export class UnreadableTargetError extends SyncError<'unreadable-target'> {
  /** @param side the store; @param id the item; @param detail why it cannot be read. */
  constructor(
    readonly side: Side,
    readonly id: string,
    detail: string,
  ) {
    super('unreadable-target', { side, id, detail });
    this.name = 'UnreadableTargetError';
  }
}

/** The store was throttled or unavailable; retry after `retryAfterMs`. */
export class ThrottledError extends SyncError<'throttled'> {
  /** @param status the HTTP status that asked (429 or 503), where there was one. */
  constructor(
    readonly side: Side,
    readonly retryAfterMs: number,
    readonly status?: number,
  ) {
    super('throttled', { side, seconds: seconds(retryAfterMs) });
    this.name = 'ThrottledError';
  }
}

/**
 * A store could not be reached: no network, a refused connection, no answer in time. Whether a write
 * under way took effect is unknown (its journal entry stays for recovery); the run writes nothing more
 * to that side and tries again after a backoff.
 */
export class UnreachableError extends SyncError<'unreachable'> {
  /**
   * @param side the store that did not answer; @param origin its address;
   * @param why no answer within `timeoutMs`, or the network's own error text.
   */
  constructor(
    readonly side: Side,
    origin: string,
    why: { readonly timeoutMs: number } | { readonly detail: string },
    options?: { cause?: unknown },
  ) {
    super(
      'unreachable',
      'timeoutMs' in why
        ? { side, origin, seconds: why.timeoutMs / 1000, detail: '' }
        : { side, origin, seconds: '', detail: why.detail },
      options,
    );
    this.name = 'UnreachableError';
  }
}

/** Logon to a store failed (HTTP 401/403, expired token). */
export class AuthenticationError extends SyncError<'authentication'> {
  /** @param detail what the sign-in said ('' when the server refused); @param status the HTTP status of a refusal. */
  constructor(
    readonly side: Side,
    detail: string,
    status?: number,
  ) {
    super('authentication', { side, detail, status: status ?? '' });
    this.name = 'AuthenticationError';
  }
}

/** The user exit threw or returned something that is not an item: nothing was written. */
export class UserExitError extends SyncError<'user-exit'> {
  constructor(cause: unknown) {
    super('user-exit', { detail: cause instanceof Error ? cause.message : String(cause) }, { cause });
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
export class CannotSynchronizeError extends SyncError<'cannot-synchronize'> {
  constructor(message: string) {
    super('cannot-synchronize', { detail: message });
    this.name = 'CannotSynchronizeError';
  }
}

/** The user cancelled the run before anything was written. */
export class SyncCancelledError extends SyncError<'cancelled'> {
  constructor() {
    super('cancelled', {});
    this.name = 'SyncCancelledError';
  }
}
