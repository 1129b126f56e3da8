/**
 * The state database's version 2 (issue 14, point 5): version 1 called the CRM side `mobile`. Every
 * record that names a side is rewritten once, in the upgrade transaction, so a device that updates
 * the add-in keeps its status table, journal, pending decisions and history (rule 3: a crash during
 * the upgrade leaves version 1 as it was, and the next open upgrades again). Only the fields that
 * hold a side are touched: an item's own text ("mobile" in a subject) is never rewritten.
 */
import type { FailureRecord, HistoryRecord, JournalEntry, LogEntry } from '../../core/ports/state.js';
import type { Action, PendingAction } from '../../core/sync/actions.js';
import type { Reason } from '../../core/sync/reasons.js';
import type { PairStatus } from '../../core/sync/status.js';

/** A record as version 1 stored it: any shape, read through these helpers. */
type Old = Record<string, unknown>;

const side = (value: unknown) => (value === 'mobile' ? 'crm' : value);

/** An object's `mobile` field under its new name `crm` (the key order does not matter to readers). */
function renameField<T>(o: Old): T {
  if (!('mobile' in o)) return o as T;
  const { mobile, ...rest } = o;
  return { ...rest, crm: mobile } as T;
}

/** Reason details that named the side: the one-way direction and the conflict strategy's name. */
const DETAILS: Readonly<Record<string, string>> = {
  'outlook-to-mobile': 'outlook-to-crm',
  'mobile-to-outlook': 'crm-to-outlook',
  'mobile wins': 'CRM wins',
};

function reason(r: unknown): Reason {
  const o = r as Old;
  return {
    ...o,
    ...('from' in o && { from: side(o.from) }),
    ...(typeof o.detail === 'string' && DETAILS[o.detail] && { detail: DETAILS[o.detail] }),
  } as Reason;
}

export function pairStatus(r: unknown): PairStatus {
  const o = renameField<Old>(r as Old);
  const cap = o.cap as Old | undefined;
  return { ...o, ...(cap && { cap: { ...cap, side: side(cap.side) } }) } as PairStatus;
}

export function action(a: unknown): Action {
  const o = a as Old;
  const out: Old = { ...o, reason: reason(o.reason) };
  if ('target' in o) out.target = side(o.target);
  if (o.source) out.source = { ...(o.source as Old), side: side((o.source as Old).side) };
  if (o.cap) out.cap = { ...(o.cap as Old), side: side((o.cap as Old).side) };
  if (o.status) out.status = pairStatus(o.status);
  return out as unknown as Action;
}

export const journalEntry = (j: unknown): JournalEntry => {
  const o = j as Old;
  return { ...o, action: action(o.action) } as JournalEntry;
};

export function failure(f: unknown): FailureRecord {
  const o = f as Old;
  const recheck = Array.isArray(o.recheck) ? o.recheck.map((r: Old) => ({ ...r, side: side(r.side) })) : o.recheck;
  return { ...o, recheck } as FailureRecord;
}

export function pending(p: unknown): PendingAction {
  const o = renameField<Old>(p as Old);
  return {
    ...o,
    // A confirmation's id is `${type}:${target}:…` (actionId): the next run must find it again.
    ...(typeof o.id === 'string' && { id: o.id.replace(/^(create|update|delete):mobile:/, '$1:crm:') }),
    ...(o.action !== undefined && { action: action(o.action) }),
    reason: reason(o.reason),
  } as PendingAction;
}

/** History and log entries name a side in `side`. */
export function sided<T extends HistoryRecord | LogEntry>(e: unknown): T {
  const o = e as Old;
  return ('side' in o ? { ...o, side: side(o.side) } : o) as T;
}

/** A run record's written counts per side. */
export function run<T>(r: unknown): T {
  const o = r as Old;
  return (o.written ? { ...o, written: renameField(o.written as Old) } : o) as T;
}

/** A read token's key `${side}:${kind}`. */
export const tokenKey = (key: string): string => key.replace(/^mobile:/, 'crm:');
