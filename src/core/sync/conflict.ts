/**
 * Conflict strategies are values (STYLE.md; RxDB's conflict handler): the planner asks one which side
 * wins. The seed's Conflict Handling options are three policies; "Open Conflict Resolution Screen" is
 * the strategy that holds the conflict for the user.
 */
import type { SideEntry } from './actions.js';
import type { Side } from './types.js';

export interface ConflictCase {
  readonly pairKey: string;
  /** Absent when that side deleted the item (modify against delete). */
  readonly outlook?: SideEntry;
  readonly mobile?: SideEntry;
}

export interface ConflictStrategy {
  readonly name: string;
  resolve(c: ConflictCase): Side | 'hold';
}

export const mobileWins: ConflictStrategy = { name: 'mobile wins', resolve: () => 'mobile' };
export const outlookWins: ConflictStrategy = { name: 'Outlook wins', resolve: () => 'outlook' };

/**
 * The later modification wins. A deletion has no time stamp, so modify against delete keeps the
 * modified version (nothing is lost); ties and unknown times go to the mobile client, the CRM being
 * the system of record.
 */
export const mostRecentWins: ConflictStrategy = {
  name: 'most recent wins',
  resolve: ({ outlook, mobile }) => {
    if (!outlook) return 'mobile';
    if (!mobile) return 'outlook';
    return (outlook.modifiedAt ?? -Infinity) > (mobile.modifiedAt ?? -Infinity) ? 'outlook' : 'mobile';
  },
};

export const holdForUser: ConflictStrategy = { name: 'conflict screen', resolve: () => 'hold' };
