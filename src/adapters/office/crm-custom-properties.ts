import { SyncError } from '../../core/errors.js';
import { parseCrmContext, type CrmContext } from '../../core/model/crm-context.js';

/**
 * Name of the item custom property that carries the CRM context of an appointment (DESIGN.md §3):
 * the sync writes it (through Graph, as the add-in's custom-properties JSON) and the SAP CRM pane reads
 * it with Office.js, no Graph call needed.
 * https://learn.microsoft.com/office/dev/add-ins/outlook/metadata-for-an-outlook-add-in
 */
export const CRM_CONTEXT_PROPERTY = 'crmContext';

type ItemWithCustomProperties = Pick<Office.AppointmentRead, 'loadCustomPropertiesAsync'>;

/** Reads and validates the open item's CRM context; `null` when the item has none. */
export function loadCrmContext(item: ItemWithCustomProperties): Promise<CrmContext | null> {
  return new Promise((resolve, reject) => {
    item.loadCustomPropertiesAsync((result) => {
      if (result.status !== Office.AsyncResultStatus.Succeeded) {
        reject(
          new SyncError('office-failed', { detail: result.error?.message ?? 'custom properties could not be loaded' }),
        );
        return;
      }
      const raw: unknown = result.value.get(CRM_CONTEXT_PROPERTY);
      if (raw === undefined || raw === null || raw === '') {
        resolve(null);
        return;
      }
      try {
        resolve(parseCrmContext(typeof raw === 'string' ? JSON.parse(raw) : raw));
      } catch (error) {
        // A CrmContextFormatError, or JSON.parse's SyntaxError: the stored text is not the CRM context.
        reject(
          error instanceof SyncError
            ? error
            : new SyncError('crm-context-invalid', { field: '(root)', detail: `is not JSON: ${String(error)}` }),
        );
      }
    });
  });
}
