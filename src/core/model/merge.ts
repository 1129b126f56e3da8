/**
 * The fields a user compares and merges in the conflict screen (issue 18): each a group of an item's
 * properties that belong together (the time is start, end and whether it lasts all day; the attendees
 * come with their organizer), in the order the screen shows them.
 */
import type { Item } from './item.js';
import type { Side } from '../sync/types.js';

export type FieldName =
  | 'subject'
  | 'time'
  | 'location'
  | 'body'
  | 'attendees'
  | 'reminder'
  | 'categories'
  | 'privacy'
  | 'showAs'
  | 'importance'
  | 'status'
  | 'crm'
  | 'recurrence';

/** The item properties of each field. */
const PROPERTIES: Readonly<Record<FieldName, readonly string[]>> = {
  subject: ['subject'],
  time: ['start', 'end', 'due', 'completed'],
  location: ['location'],
  body: ['body'],
  attendees: ['attendees', 'organizer'],
  reminder: ['reminderMinutes'],
  categories: ['categories'],
  privacy: ['sensitivity'],
  showAs: ['showAs'],
  importance: ['importance'],
  status: ['status', 'percentComplete'],
  crm: ['crm'],
  recurrence: ['recurrence'],
};

/** The fields of an item kind, in the order the conflict screen shows them. */
export const FIELDS: Readonly<Record<Item['kind'], readonly FieldName[]>> = {
  activity: [
    'subject',
    'time',
    'location',
    'body',
    'attendees',
    'reminder',
    'categories',
    'privacy',
    'showAs',
    'importance',
    'crm',
    'recurrence',
  ],
  task: ['subject', 'time', 'status', 'body', 'reminder', 'categories', 'privacy', 'importance', 'crm', 'recurrence'],
};

const valueOf = (item: Item, field: FieldName) =>
  JSON.stringify(PROPERTIES[field].map((p) => (item as unknown as Record<string, unknown>)[p] ?? null));

/** Whether the two versions differ in `field`. */
export const fieldDiffers = (a: Item, b: Item, field: FieldName): boolean => valueOf(a, field) !== valueOf(b, field);

/**
 * One item from both versions: each field from the side `choice` names (Outlook's where it names none);
 * the rest — the UID, the round-trip data of each side — is Outlook's, which the sync keeps per side.
 */
export function mergeItems(outlook: Item, crm: Item, choice: Partial<Record<FieldName, Side>>): Item {
  if (outlook.kind !== crm.kind) throw new Error('an appointment and a task cannot be merged');
  const out: Record<string, unknown> = { ...outlook };
  const from = crm as unknown as Record<string, unknown>;
  for (const field of FIELDS[outlook.kind]) {
    if (choice[field] !== 'crm') continue;
    for (const p of PROPERTIES[field]) {
      if (from[p] === undefined) delete out[p];
      else out[p] = from[p];
    }
  }
  return out as unknown as Item;
}
