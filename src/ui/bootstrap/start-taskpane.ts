import { createTranslator } from '../i18n/translator.js';
import '../crm-app/crm-app.js';
import { detectHost } from './host.js';

/** Mounts the ribbon task pane. */
export async function startTaskpane(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const host = await detectHost(office, navigator);
  const app = document.createElement('crm-app');
  app.translator = createTranslator(host.displayLanguage);
  app.mode = host.mode;
  mount.replaceChildren(app);
}
