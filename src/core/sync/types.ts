import type { Item } from '../model/item.js';

/** The two sides of a sync: Outlook (Graph) and the CRM mobile client (gateway). */
export type Side = 'outlook' | 'crm';
export type ItemKind = Item['kind'];

export const otherSide = (side: Side): Side => (side === 'outlook' ? 'crm' : 'outlook');
