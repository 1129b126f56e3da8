/**
 * CRM context of a business activity: what the seed's Custom Forms show on the SAP CRM tab of an
 * Outlook appointment (Business Partner, Contact Person, Opportunity). It travels one way, CRM →
 * Outlook, as X-SAPCRM-* properties on the gateway side (DESIGN.md §2) and as item custom properties
 * on the Outlook side (DESIGN.md §3).
 */
import { SyncError } from '../errors.js';

export type CrmApplication = 'SALES' | 'SERVICE';

/** A CRM object reference: its CRM number and the label a person reads. */
export interface CrmRef {
  readonly id: string;
  readonly label: string;
}

/**
 * Every field is optional: a CRM task or a meeting may carry a business partner or an opportunity
 * without an activity id or application of its own, and the SAP CRM pane shows whatever it carries
 * (issue 13, point 8). A context has at least one field.
 */
export interface CrmContext {
  /** The CRM activity's number; it also pairs the item on a first sync (match.ts). */
  readonly activityId?: string;
  readonly application?: CrmApplication;
  readonly businessPartner?: CrmRef;
  readonly contactPerson?: CrmRef;
  readonly opportunity?: CrmRef;
}

/** Why a stored CRM context could not be read; the message names the field. */
export class CrmContextFormatError extends SyncError<'crm-context-invalid'> {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super('crm-context-invalid', { field, detail });
    this.name = 'CrmContextFormatError';
  }
}

const MAX_ID = 64;
const MAX_LABEL = 512;

function readRef(value: unknown, field: string): CrmRef | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw new CrmContextFormatError(field, 'is not an object');
  const { id, label } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) {
    throw new CrmContextFormatError(`${field}.id`, `must be a string of 1 to ${MAX_ID} characters`);
  }
  if (typeof label !== 'string' || label.length > MAX_LABEL) {
    throw new CrmContextFormatError(`${field}.label`, `must be a string of at most ${MAX_LABEL} characters`);
  }
  return { id, label };
}

/**
 * Validates a CRM context read from an untrusted store (item custom properties are writable by any
 * add-in with item access). Unknown fields are dropped; a missing or malformed required field throws.
 */
export function parseCrmContext(value: unknown): CrmContext {
  if (typeof value !== 'object' || value === null) throw new CrmContextFormatError('(root)', 'is not an object');
  const raw = value as Record<string, unknown>;
  const activityId = raw.activityId ?? undefined;
  if (
    activityId !== undefined &&
    (typeof activityId !== 'string' || activityId.length === 0 || activityId.length > MAX_ID)
  ) {
    throw new CrmContextFormatError('activityId', `must be a string of 1 to ${MAX_ID} characters`);
  }
  const application = raw.application ?? undefined;
  if (application !== undefined && application !== 'SALES' && application !== 'SERVICE') {
    throw new CrmContextFormatError('application', 'must be SALES or SERVICE');
  }
  const businessPartner = readRef(raw.businessPartner, 'businessPartner');
  const contactPerson = readRef(raw.contactPerson, 'contactPerson');
  const opportunity = readRef(raw.opportunity, 'opportunity');
  if (!activityId && !application && !businessPartner && !contactPerson && !opportunity)
    throw new CrmContextFormatError('(root)', 'holds none of the CRM fields');
  return {
    ...(activityId !== undefined && { activityId }),
    ...(application !== undefined && { application }),
    ...(businessPartner && { businessPartner }),
    ...(contactPerson && { contactPerson }),
    ...(opportunity && { opportunity }),
  };
}
