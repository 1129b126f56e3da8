import { ContextProvider } from '@lit/context';
import { translatorContext } from '../contexts.js';
import { createTranslator } from '../i18n/translator.js';
import '../crm-conflict-dialog/crm-conflict-dialog.js';
import { detectHost } from './host.js';

/** Mounts the conflict dialog page (opened with Office.context.ui.displayDialogAsync). */
export async function startDialog(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const host = await detectHost(office, navigator);
  new ContextProvider(mount, { context: translatorContext, initialValue: createTranslator(host.displayLanguage) });
  mount.replaceChildren(document.createElement('crm-conflict-dialog'));
}
