import { ContextProvider } from '@lit/context';
import { servicesContext } from '../contexts.js';
import { loadTranslator } from '../i18n/load-translator.js';
import { chosenLanguage, languageOf } from '../i18n/language.js';
import '../crm-app/crm-app.js';
import { detectHost } from './host.js';
import { applyTheme, followTheme, systemMode } from './theme.js';

/**
 * Mounts the ribbon task pane at once, in the browser's language, then settles host mode and Office's
 * display language when office.js is ready (outside Office that takes seconds), and hands the pane
 * its services for where it runs.
 */
export async function startTaskpane(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const services = new ContextProvider(mount, { context: servicesContext, initialValue: undefined });
  const app = document.createElement('crm-app');
  const chosen = chosenLanguage();
  const host$ = detectHost(office, navigator);
  // (The services, IndexedDB and the profile's rules: not in the first script, fetched meanwhile.)
  const services$ = import('../../app/app-services.js');
  services$.catch(() => undefined); // (a failure is reported below, where it is awaited)
  // (Fluent's controls need a theme from the first frame: the system's, until Office's is known.)
  void applyTheme(document.documentElement, systemMode()).catch(() => undefined);
  app.translator = await loadTranslator(languageOf(chosen, navigator.language)).catch(() => app.translator);
  app.language = chosen;
  mount.replaceChildren(app);
  const host = await host$;
  app.outlookLanguage = host.displayLanguage;
  if (host.displayLanguage !== navigator.language)
    app.translator = await loadTranslator(languageOf(chosen, host.displayLanguage)).catch(() => app.translator);
  app.mode = host.mode;
  if (host.mode === 'office-missing') return;
  void followTheme(document.documentElement, office, host.mode === 'outlook');
  try {
    const { createServices } = await services$;
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
