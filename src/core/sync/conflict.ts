/**
 * Conflict strategies are values (STYLE.md; RxDB's conflict handler): the planner asks one which side
 * wins. The seed's Conflict Handling options are three policies; "Open Conflict Resolution Screen" is
 * the strategy that holds the conflict for the user.
 */
import type { PendingAction, SideEntry } from './actions.js';
import type { SyncPolicy } from './policy.js';
import type { Reason } from './reasons.js';
import type { Side } from './types.js';

export interface ConflictCase {
  readonly pairKey: string;
  /** Absent when that side deleted the item (modify against delete). */
  readonly outlook?: SideEntry;
  readonly crm?: SideEntry;
}

export interface ConflictStrategy {
  readonly name: string;
  resolve(c: ConflictCase): Side | 'hold';
}

export const crmWins: ConflictStrategy = { name: 'CRM wins', resolve: () => 'crm' };
export const outlookWins: ConflictStrategy = { name: 'Outlook wins', resolve: () => 'outlook' };

/**
 * The later modification wins. A deletion has no time stamp, so modify against delete keeps the
 * modified version (nothing is lost); ties and unknown times go to the CRM mobile client, the CRM being
 * the system of record.
 */
export const mostRecentWins: ConflictStrategy = {
  name: 'most recent wins',
  resolve: ({ outlook, crm }) => {
    if (!outlook) return 'crm';
    if (!crm) return 'outlook';
    return (outlook.modifiedAt ?? -Infinity) > (crm.modifiedAt ?? -Infinity) ? 'outlook' : 'crm';
  },
};

export const holdForUser: ConflictStrategy = { name: 'conflict screen', resolve: () => 'hold' };

/** Why the winner of a conflict won: the user's decision, else the strategy. */
export function conflictReason(
  policy: SyncPolicy,
  strategy: ConflictStrategy,
  decision: Side | undefined,
  winner: Side,
): Reason {
  if (decision) return { code: 'conflict-decided', from: winner };
  return { code: 'conflict-policy', from: winner, detail: strategy.name };
}

/** The winning side of a conflict, or undefined when it is held for the user. */
export function resolveConflict(
  r: { key: string; subject: string },
  policy: SyncPolicy,
  strategy: ConflictStrategy,
  decision: Side | undefined,
  outlookEntry: SideEntry | undefined,
  crmEntry: SideEntry | undefined,
  pending: PendingAction[],
): Side | undefined {
  // A one-way sync never changes its source: the source always wins, whatever was decided (rule 8).
  if (policy.source) return policy.source;
  if (decision === 'outlook' || decision === 'crm') return decision;
  const winner = strategy.resolve({
    pairKey: r.key,
    ...(outlookEntry && { outlook: outlookEntry }),
    ...(crmEntry && { crm: crmEntry }),
  });
  if (winner !== 'hold') return winner;
  pending.push({
    type: 'conflict',
    id: `conflict:${r.key}`,
    pairKey: r.key,
    subject: r.subject,
    reason: { code: 'conflict-held' },
    ...(outlookEntry && { outlook: outlookEntry }),
    ...(crmEntry && { crm: crmEntry }),
  });
  return undefined;
}
