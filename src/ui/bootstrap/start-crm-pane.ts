import { ContextProvider } from '@lit/context';
import { loadCrmContext } from '../../adapters/office/crm-custom-properties.js';
import { translatorContext } from '../contexts.js';
import { english } from '../i18n/translator.js';
import { loadTranslator } from '../i18n/load-translator.js';
import { chosenLanguage, languageOf } from '../i18n/language.js';
import '../crm-context-pane/crm-context-pane.js';
import { detectHost } from './host.js';
import { followTheme } from './theme.js';

/** Mounts the SAP CRM appointment pane and fills it from the open item's custom properties. */
export async function startCrmPane(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const host = await detectHost(office, navigator);
  void followTheme(document.documentElement, office, host.mode === 'outlook');
  new ContextProvider(mount, {
    context: translatorContext,
    initialValue: await loadTranslator(languageOf(chosenLanguage(), host.displayLanguage)).catch(() => english),
  });
  const pane = document.createElement('crm-context-pane');
  mount.replaceChildren(pane);
  const item = host.mode === 'outlook' ? office?.context.mailbox?.item : undefined;
  if (!item) {
    pane.state = { kind: 'outside-office' };
    return;
  }
  try {
    const context = await loadCrmContext(item as Office.AppointmentRead);
    pane.state = context ? { kind: 'context', context } : { kind: 'none' };
  } catch (error) {
    pane.state = { kind: 'error', detail: error instanceof Error ? error.message : String(error) };
  }
}
