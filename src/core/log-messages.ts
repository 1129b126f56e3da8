/**
 * The error log's lines as codes with parameters (issue 14, point 2), as the errors are (errors.ts):
 * a log entry keeps its code and parameters, and its English text (made here) for the export, the
 * search and any reader without a catalog. The pane's catalogs translate `logline.<code>` with the
 * same parameters, so a German user reads the log in German.
 *
 * Parameters are plain strings and numbers (an entry is stored in IndexedDB); an optional one is ''
 * when absent, so that a catalog's optional `[…]` part can leave it out. `items` is the count of a
 * line that stands for several items of one kind ('' for one item).
 */
import { describeReason, type ReasonCode } from './sync/reasons.js';
import type { Action } from './sync/actions.js';
import type { ItemKind, Side } from './sync/types.js';

const sideName = (side: Side | '') => (side === 'crm' ? 'CRM' : side === 'outlook' ? 'Outlook' : 'either');
const folder = (kind: ItemKind) => (kind === 'activity' ? 'calendar' : 'To Do list');
const items = (n: number | '') => (n === '' ? '' : `${n} item${n === 1 ? '' : 's'}: `);
const reasonText = (p: { reason: ReasonCode; changedIn: Side | ''; detail: string }) =>
  describeReason({ code: p.reason, ...(p.changedIn && { from: p.changedIn }), ...(p.detail && { detail: p.detail }) });
const nextTry = (at: number | '') => (at === '' ? '' : `; next try at ${new Date(at).toISOString()}`);

type ActionType = Action['type'];

export const LOG_MESSAGES = {
  unreadable: (p: { side: Side; kind: ItemKind; id: string; detail: string }) =>
    `the ${sideName(p.side)} ${p.kind === 'activity' ? 'appointment' : 'task'} ${p.id} cannot be read and was skipped: ${p.detail}`,
  'not-synchronized': (p: { items: number | ''; reason: ReasonCode; changedIn: Side | ''; detail: string }) =>
    `${items(p.items)}${reasonText(p)}`,
  unaccounted: (p: { side: Side; id: string }) =>
    `the ${sideName(p.side)} item ${p.id} was read but neither synchronized nor skipped (please report this)`,
  'wait-backoff': (p: { items: number | ''; side: Side | ''; detail: string; retryAt: number | '' }) =>
    `${items(p.items)}waits${p.side ? ` for ${sideName(p.side)}` : ''} after an earlier failure: ${p.detail}${nextTry(p.retryAt)}`,
  'wait-slow-down': (p: { items: number | ''; side: Side | ''; retryAt: number | '' }) =>
    `${items(p.items)}waits: the ${sideName(p.side)} side asked to slow down${nextTry(p.retryAt)}`,
  'wait-unreachable': (p: { items: number | ''; side: Side | ''; detail: string; retryAt: number | '' }) =>
    `${items(p.items)}waits: ${p.detail}${nextTry(p.retryAt)}`,
  'retention-failed': (p: { detail: string }) => `retention clean-up failed: ${p.detail}`,
  'undo-not-kept': (p: { count: number; detail: string }) =>
    `${p.count} write(s) of this run were made but cannot be undone (they were not kept in the history): ${p.detail}`,
  undone: (p: { action: 'create' | 'update' | 'delete'; side: Side }) =>
    `undone on ${sideName(p.side)}: the run's ${p.action === 'create' ? 'creation' : p.action === 'update' ? 'change' : 'deletion'}`,
  'undo-skipped': (p: { side: Side }) =>
    `not undone: the ${sideName(p.side)} copy changed since the run (the later change stays)`,
  restored: (p: { side: Side }) => `an earlier version restored in ${sideName(p.side)}`,
  vetoed: (p: { action: ActionType }) => `${p.action} skipped: the user exit kept this item from crossing`,
  written: (p: { action: ActionType; side: Side | ''; reason: ReasonCode; changedIn: Side | ''; detail: string }) =>
    `${p.action}${p.side ? ` on ${sideName(p.side)}` : ''}: ${reasonText(p)}`,
  'write-failed': (p: { items: number | ''; action: ActionType; detail: string }) =>
    `${items(p.items)}${p.action} failed: ${p.detail}`,
  refused: (p: { items: number | ''; detail: string }) =>
    `${items(p.items)}cannot be synchronized (tried again when it changes): ${p.detail}`,
  'folder-new-pairing': (p: { kind: ItemKind; to: string; count: number; from: string; also: string }) =>
    `new pairing with the ${folder(p.kind)} ${p.to}: ${p.count} item(s) stay in the ${folder(p.kind)} ${p.from}${p.also ? ` (or ${p.also}, where an interrupted move took them)` : ''} and are no longer synchronized`,
  'folder-stray-removed': (p: { kind: ItemKind; folder: string }) =>
    `a copy an interrupted move left in the ${folder(p.kind)} ${p.folder} removed again`,
  'folder-kept': (p: { count: number; kind: ItemKind; from: string; detail: string }) =>
    `${p.count} item(s) stay in the ${folder(p.kind)} ${p.from} and stay synchronized there: ${p.detail}`,
  'folder-moved': (p: { count: number; kind: ItemKind; from: string; to: string }) =>
    `${p.count} item(s) moved from the ${folder(p.kind)} ${p.from} to ${p.to}`,
  'folder-unsynced-left': (p: { count: number; kind: ItemKind; from: string }) =>
    `${p.count} item(s) of the ${folder(p.kind)} ${p.from} that were not synchronized yet stay there and are no longer synchronized`,
  'run-stopped': (p: { detail: string }) => `the synchronization stopped: ${p.detail}`,
  'profile-not-mirrored': (p: { detail: string }) =>
    `the settings could not be copied to the CRM gateway (they apply on this device; the gateway keeps the ones it had): ${p.detail}`,
} as const;

export type LogCode = keyof typeof LOG_MESSAGES;
export type LogParams<C extends LogCode> = Parameters<(typeof LOG_MESSAGES)[C]>[0];

/** A log line's code, parameters and English text, to spread into a LogEntry. */
export function logLine<C extends LogCode>(
  code: C,
  params: LogParams<C>,
): { code: C; params: LogParams<C>; message: string } {
  return { code, params, message: (LOG_MESSAGES[code] as (p: LogParams<C>) => string)(params) };
}
