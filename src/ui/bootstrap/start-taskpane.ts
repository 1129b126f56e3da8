import { ContextProvider } from '@lit/context';
import { servicesContext } from '../contexts.js';
import { createTranslator } from '../i18n/translator.js';
import { chosenLanguage, languageOf } from '../i18n/language.js';
import { createServices } from '../../app/app-services.js';
import '../crm-app/crm-app.js';
import { detectHost } from './host.js';
import { followTheme } from './theme.js';

/**
 * Mounts the ribbon task pane at once, in the browser's language, then settles host mode and Office's
 * display language when office.js is ready (outside Office that takes seconds), and hands the pane
 * its services for where it runs.
 */
export async function startTaskpane(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const services = new ContextProvider(mount, { context: servicesContext, initialValue: undefined });
  const app = document.createElement('crm-app');
  const chosen = chosenLanguage();
  app.translator = createTranslator(languageOf(chosen, navigator.language));
  app.language = chosen;
  mount.replaceChildren(app);
  const host = await detectHost(office, navigator);
  app.outlookLanguage = host.displayLanguage;
  if (host.displayLanguage !== navigator.language)
    app.translator = createTranslator(languageOf(chosen, host.displayLanguage));
  app.mode = host.mode;
  if (host.mode === 'office-missing') return;
  followTheme(document.documentElement, office, host.mode === 'outlook');
  try {
    services.setValue(
      await createServices(office, host.mode === 'outlook', {
        fetch: globalThis.fetch.bind(globalThis),
        storage: localStorage,
        origin: location.origin,
      }),
    );
  } catch (error) {
    // IndexedDB switched off (a private window in some browsers), a chunk that did not load, …
    app.startError = error instanceof Error ? error.message : String(error);
  }
}
