/**
 * First-sync matching (rule 3): items already on both sides are paired instead of duplicated — by CRM
 * activity id, then by UID, then by subject + start + end.
 */
import { isAllDay, type Item } from '../model/item.js';
import { toInstant } from '../model/time.js';
import type { SideEntry } from './actions.js';

export type MatchHow = 'matched-crm-id' | 'matched-uid' | 'matched-subject-time';

export interface NewItemMatch {
  readonly outlook: SideEntry;
  readonly crm: SideEntry;
  readonly how: MatchHow;
}

/** The stable key of a pair: the CRM activity id when known, else the UID. */
export const pairKeyOf = (item: Item): string =>
  item.crm?.activityId ? `crm:${item.crm.activityId}` : `uid:${item.uid}`;

/**
 * Start and end as instants (all-day dates as dates): one meeting written in UTC on one side and in
 * Europe/Berlin on the other is the same meeting (issue 13, point 5). Floating times mean the user's
 * zone, which this pure function does not know; they compare by wall clock with each other only.
 */
const times = (item: Item): string => {
  const t = item.kind === 'activity' ? [item.start, item.end] : [item.start, item.due];
  return t
    .map((v) => (v === undefined ? '-' : isAllDay(v) ? v.date : v.timeZone === null ? `f${v.dateTime}` : toInstant(v)))
    .join('/');
};

const KEYS: readonly [MatchHow, (item: Item) => string | undefined][] = [
  ['matched-crm-id', (i) => (i.crm?.activityId ? `${i.kind}:${i.crm.activityId}` : undefined)],
  ['matched-uid', (i) => (i.uid ? `${i.kind}:${i.uid}` : undefined)],
  ['matched-subject-time', (i) => `${i.kind}:${i.subject.trim().toLowerCase()}:${times(i)}`],
];

export function matchNewItems(
  outlook: readonly SideEntry[],
  crm: readonly SideEntry[],
): { pairs: NewItemMatch[]; outlookOnly: SideEntry[]; crmOnly: SideEntry[] } {
  const pairs: NewItemMatch[] = [];
  const takenO = new Set<string>();
  const takenM = new Set<string>();
  for (const [how, keyOf] of KEYS) {
    const index = new Map<string, SideEntry | null>();
    for (const m of crm) {
      const key = takenM.has(m.id) ? undefined : keyOf(m.item);
      // An ambiguous key (two CRM items) matches nothing: better a duplicate than a wrong pair.
      if (key !== undefined) index.set(key, index.has(key) ? null : m);
    }
    for (const o of outlook) {
      if (takenO.has(o.id)) continue;
      const key = keyOf(o.item);
      const m = key === undefined ? undefined : index.get(key);
      if (!m || takenM.has(m.id)) continue;
      pairs.push({ outlook: o, crm: m, how });
      takenO.add(o.id);
      takenM.add(m.id);
    }
  }
  return {
    pairs,
    outlookOnly: outlook.filter((o) => !takenO.has(o.id)),
    crmOnly: crm.filter((m) => !takenM.has(m.id)),
  };
}
