import { loadCrmContext } from '../src/adapters/office/crm-custom-properties.js';
import { createTranslator } from '../src/ui/i18n/translator-all.js';
import { notify } from './notify.js';

/**
 * Event-based activation handlers (manifest.xml, LaunchEvent). They run in classic Outlook's
 * JavaScript-only runtime too: no DOM, no IndexedDB promised (DESIGN.md §1), so they only use Office.js.
 * Pushing the saved or sent appointment to the CRM arrives with the sync engine; until then the
 * handlers complete at once and never block sending.
 */
export function eventHandlers(office: typeof Office) {
  const complete = (event: Office.AddinCommands.Event) => event.completed();
  return {
    onNewAppointmentOrganizer: complete,
    onAppointmentTimeChanged: complete,
    onAppointmentAttendeesChanged: complete,
    onAppointmentRecurrenceChanged: complete,
    /** Task panes cannot be pinned on appointments: offer the SAP CRM pane when the item has CRM data. */
    onAppointmentOrganizer: async (event: Office.AddinCommands.Event) => {
      try {
        const item = office.context.mailbox?.item as Office.AppointmentCompose | undefined;
        const context = item ? await loadCrmContext(item).catch(() => null) : null;
        if (context) {
          const { t } = createTranslator(office.context.displayLanguage);
          await notify(office, 'crm-pane-offer', {
            type: office.MailboxEnums.ItemNotificationMessageType.InsightMessage,
            message: t('insight.crmData'),
            icon: 'CrmIcon.16',
            actions: [
              {
                actionType: office.MailboxEnums.ActionType.ShowTaskPane,
                actionText: t('insight.open'),
                commandId: 'crmSyncApptOrgCrmPane',
                contextData: '{}',
              },
            ],
          });
        }
      } finally {
        event.completed();
      }
    },
    /** SendMode is SoftBlock: always allow the send; the sync never stands between a user and Send. */
    onAppointmentSend: (event: Office.AddinCommands.Event) => {
      (event.completed as (options?: { allowEvent: boolean }) => void)({ allowEvent: true });
    },
  };
}

/** Maps each handler to the FunctionName the manifest declares for it. */
export function associateEventHandlers(office: typeof Office): void {
  for (const [name, handler] of Object.entries(eventHandlers(office))) {
    office.actions.associate(name, handler);
  }
}
