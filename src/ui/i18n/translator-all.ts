import { de } from './messages-de.js';
import { en } from './messages-en.js';
import { localeOf, translatorOf, type Translator } from './translator.js';

/**
 * The translator for a display language, with every catalog loaded up front: for classic Outlook's
 * event runtime, which runs one self-contained file (no chunks to load), and the ribbon command.
 * The panes use `loadTranslator`, which loads a catalog only when it is needed.
 */
export function createTranslator(displayLanguage: string | undefined): Translator {
  const locale = localeOf(displayLanguage);
  return translatorOf(locale, locale === 'de' ? de : en);
}
