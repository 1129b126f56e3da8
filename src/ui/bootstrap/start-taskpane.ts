import { createTranslator } from '../i18n/translator.js';
import '../crm-app/crm-app.js';
import { detectHost } from './host.js';

/**
 * Mounts the ribbon task pane at once, in the browser's language, then settles host mode and Office's
 * display language when office.js is ready (outside Office that takes seconds).
 */
export async function startTaskpane(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const app = document.createElement('crm-app');
  app.translator = createTranslator(navigator.language);
  mount.replaceChildren(app);
  const host = await detectHost(office, navigator);
  if (host.displayLanguage !== navigator.language) app.translator = createTranslator(host.displayLanguage);
  app.mode = host.mode;
}
