/**
 * Why the planner decided what it did, as codes the UI translates, with English text for logs
 * (STYLE.md: error and reason texts live in one module).
 */
import type { Side } from './types.js';

export type ReasonCode =
  | 'new'
  | 'changed'
  | 'deleted'
  | 'conflict-policy'
  | 'conflict-held'
  | 'conflict-decided'
  | 'modify-delete-policy'
  | 'both-deleted'
  | 'converged'
  | 'version-only'
  | 'matched-crm-id'
  | 'matched-uid'
  | 'matched-subject-time'
  | 'skip-private'
  | 'skip-exception-list'
  | 'skip-outside-period'
  | 'kept-outside-period'
  | 'skip-direction'
  | 'skip-application'
  | 'cap-extended';

export interface Reason {
  readonly code: ReasonCode;
  /** The side whose change caused the action. */
  readonly from?: Side;
  /** Conflict policy or match detail. */
  readonly detail?: string;
}

const sideName = (side?: Side) =>
  side === 'outlook' ? 'Outlook' : side === 'crm' ? 'the CRM mobile client' : 'one side';

/** English text of a reason, for the error log and as the catalogs' fallback. */
export function describeReason(r: Reason): string {
  switch (r.code) {
    case 'new':
      return `new in ${sideName(r.from)}`;
    case 'changed':
      return `changed in ${sideName(r.from)}`;
    case 'deleted':
      return `deleted in ${sideName(r.from)}`;
    case 'conflict-policy':
      return `changed on both sides: ${sideName(r.from)} wins (${r.detail ?? 'conflict handling'})`;
    case 'conflict-held':
      return 'changed on both sides: waits for your decision in the conflict screen';
    case 'conflict-decided':
      return `changed on both sides: you chose ${sideName(r.from)}`;
    case 'modify-delete-policy':
      return `deleted on one side and changed on the other: ${sideName(r.from)} wins (${r.detail ?? 'conflict handling'})`;
    case 'both-deleted':
      return 'deleted on both sides';
    case 'converged':
      return 'changed the same way on both sides';
    case 'version-only':
      return 'version changed without a content change';
    case 'matched-crm-id':
      return 'already on both sides (same CRM activity)';
    case 'matched-uid':
      return 'already on both sides (same UID)';
    case 'matched-subject-time':
      return 'already on both sides (same subject, start and end)';
    case 'skip-private':
      return 'private item: not synchronized (Series / Private)';
    case 'skip-exception-list':
      return 'on the exception list: not synchronized';
    case 'skip-outside-period':
      return 'outside the synchronization period: not synchronized';
    case 'kept-outside-period':
      return `deleted in ${sideName(r.from)}; the other copy is outside the synchronization period and is kept`;
    case 'skip-direction':
      return `not synchronized in this direction (${r.detail ?? 'Sync Properties'})`;
    case 'cap-extended':
      return 'series without an end: its limit of N years from today was moved on';
    case 'skip-application':
      return 'activity of a CRM application that is not synchronized (SAP CRM Calendar Properties)';
  }
}
