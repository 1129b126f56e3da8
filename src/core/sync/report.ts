/**
 * What a run reports (the pane's report, the ribbon's notification, the run history): counts per side,
 * and the work that waits, failed or was kept out grouped by cause, each group with its first subjects,
 * every pair key and the earliest next try (issue 13, points 13 and 15).
 */
import type { Unaccounted } from './account.js';
import type { Action, PendingAction, SyncPlan } from './actions.js';
import type { DeferCause } from './execute.js';
import type { Reason } from './reasons.js';
import type { ItemKind, Side } from './types.js';
import type { ErrorRef } from '../errors.js';
import { logLine } from '../log-messages.js';

export type Counts = Record<'created' | 'updated' | 'deleted', number>;

export interface WaitingGroup {
  readonly cause: DeferCause;
  /** The side the writes are for. */
  readonly side?: Side;
  readonly count: number;
  /** The earliest next try (absent: when the items change, or with their pair's earlier write). */
  readonly retryAt?: number;
  readonly detail?: string;
  /** The error behind `detail` in the catalogue, when the run saw it. */
  readonly error?: ErrorRef;
  readonly subjects: readonly string[];
  readonly pairKeys: readonly string[];
}

export interface ErrorGroup {
  readonly error: string;
  readonly side?: Side;
  readonly count: number;
  readonly retryAt?: number;
  readonly subjects: readonly string[];
  readonly pairKeys: readonly string[];
}

/** Items not synchronized this run for one reason (issue 13, point 15). */
export interface SkipGroup {
  readonly reason: Reason;
  readonly count: number;
  readonly subjects: readonly string[];
  readonly pairKeys: readonly string[];
}

type Group = { count: number; retryAt?: number; subjects: string[]; pairKeys: string[] };

type About = { readonly subject: string; readonly pairKey: string; readonly retryAt?: number | undefined };
/** What a deferred or failed action is about. */
export const ofAction = (x: { readonly action: Action; readonly retryAt?: number }): About => ({
  subject: x.action.subject,
  pairKey: x.action.pairKey,
  retryAt: x.retryAt,
});

/**
 * Rows of `list` with the same key, counted, with the earliest retry, the first subjects and every
 * pair key (`about` tells which item a row is about).
 */
export function grouped<T, G>(
  list: readonly T[],
  keyOf: (x: T) => string,
  make: (first: T) => G,
  about: (x: T) => About,
): (G & Group)[] {
  const groups = new Map<string, G & Group>();
  for (const x of list) {
    const k = keyOf(x);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ...make(x), count: 0, subjects: [], pairKeys: [] }));
    g.count++;
    const { subject, pairKey, retryAt } = about(x);
    if (g.subjects.length < 5) g.subjects.push(subject);
    g.pairKeys.push(pairKey);
    if (retryAt !== undefined) g.retryAt = Math.min(g.retryAt ?? Infinity, retryAt);
  }
  return [...groups.values()];
}

export const targetOf = (a: Action): Side | undefined => ('target' in a ? a.target : undefined);

/** A write a run did (or a preview would do), as the report lists it (issue 18): no item content. */
export interface WriteLine {
  readonly type: 'create' | 'update' | 'delete';
  readonly side: Side;
  readonly kind: ItemKind;
  readonly subject: string;
  readonly pairKey: string;
  readonly reason: Reason;
}

/** The report's line of an action; none for a status-only one (a pair recorded as in sync). */
export const lineOf = (a: Action): WriteLine[] =>
  a.type === 'status'
    ? []
    : [{ type: a.type, side: a.target, kind: a.kind, subject: a.subject, pairKey: a.pairKey, reason: a.reason }];

export interface SyncReport {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  readonly plan: SyncPlan;
  /** Writes done per target side. */
  readonly written: Readonly<Record<Side, Counts>>;
  /** Every write done (also those finished for an interrupted run), for the report's list; a preview: none. */
  readonly done?: readonly WriteLine[];
  readonly conflictsResolved: number;
  readonly pending: readonly PendingAction[];
  readonly errors: readonly { readonly pairKey: string; readonly subject: string; readonly error: string }[];
  /** Items that exist on a side but could not be read (skipped, in the error log). */
  readonly unreadable: readonly { readonly side: Side; readonly id: string; readonly error: string }[];
  /** Items the profile kept from synchronizing, one row per reason (each an info line in the log). */
  readonly notSynchronized: readonly SkipGroup[];
  /**
   * Copies read this run that ended nowhere — not synchronized, written, pending or skipped: a defect,
   * logged as a warning (see account.ts). Empty in every correct run.
   */
  readonly unaccounted: readonly Unaccounted[];
  /** Actions not attempted this run (the sum of `waiting`). */
  readonly deferred: number;
  /** Why work waits, one row per cause and side, with the next try (issue 13, point 13). */
  readonly waiting: readonly WaitingGroup[];
  /** The failed writes of `errors`, one row per error and side. */
  readonly errorGroups: readonly ErrorGroup[];
  /** Items the user exit kept from crossing. */
  readonly vetoed: number;
  readonly recovered: number;
  readonly requests: number;
  readonly bytes: number;
  /** Set when the user cancelled during the writes: `notStarted` actions wait for the next run. */
  readonly cancelled?: { readonly notStarted: number };
}

/**
 * The log line of a group of waiting writes (the engine logs them all but refusals, which were logged
 * when they happened, and writes that wait for their pair's earlier one).
 */
export function waitLine(w: WaitingGroup) {
  const common = { items: w.count, side: w.side ?? '', retryAt: w.retryAt ?? '' } as const;
  const error = w.error && { error: w.error };
  switch (w.cause) {
    case 'backoff':
      return logLine('wait-backoff', { ...common, detail: w.detail ?? 'unknown' });
    case 'slow-down':
      return { ...logLine('wait-slow-down', common), ...error };
    case 'unreachable':
      return { ...logLine('wait-unreachable', { ...common, detail: w.detail ?? '' }), ...error };
    case 'refused':
    case 'after-earlier':
      return undefined;
  }
}

export function count(written: Record<Side, Counts>, a: Action): void {
  if (a.type === 'create') written[a.target].created++;
  else if (a.type === 'update') written[a.target].updated++;
  else if (a.type === 'delete') written[a.target].deleted++;
}
