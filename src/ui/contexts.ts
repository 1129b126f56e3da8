// Every @lit/context of the UI lives here (STYLE.md): services reach elements only through these.
import { createContext } from '@lit/context';
import type { Translator } from './i18n/translator.js';
import type { AppServices } from '../app/app-services.js';

export const translatorContext = createContext<Translator>(Symbol('crm-translator'));

/** The pane's services (profile, sync, log), provided by the bootstrap for where the pane runs. */
export const servicesContext = createContext<AppServices | undefined>(Symbol('crm-services'));
