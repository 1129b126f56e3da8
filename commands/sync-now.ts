import { createTranslator } from '../src/ui/i18n/translator.js';
import { notify } from './notify.js';

/**
 * The ribbon "Sync now" command (ExecuteFunction). The sync engine is not wired in yet, so the command
 * says so on the info bar instead of pretending to sync.
 */
export async function syncNow(office: typeof Office, event: Office.AddinCommands.Event): Promise<void> {
  try {
    const { t } = createTranslator(office.context.displayLanguage);
    await notify(office, 'crm-sync-status', {
      type: office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
      message: t('command.syncNotYet'),
      icon: 'SyncIcon.16',
      persistent: false,
    });
  } finally {
    event.completed();
  }
}
