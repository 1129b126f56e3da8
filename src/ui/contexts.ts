// Every @lit/context of the UI lives here (STYLE.md): services reach elements only through these.
import { createContext } from '@lit/context';
import type { Translator } from './i18n/translator.js';

export const translatorContext = createContext<Translator>(Symbol('crm-translator'));
