import { english, localeOf, translatorOf, type Translator } from './translator.js';

// (A module of its own: classic Outlook's event runtime runs one self-contained file, which must not
// contain a chunk load; it takes translator-all.ts.)
/**
 * The translator for a display language. Only English is in the pane's first script; another
 * language's catalog is loaded when it is first asked for (an English user never downloads German).
 */
export async function loadTranslator(displayLanguage: string | undefined): Promise<Translator> {
  if (localeOf(displayLanguage) === 'en') return english;
  const { de } = await import(/* webpackChunkName: "messages-de" */ './messages-de.js');
  return translatorOf('de', de);
}
