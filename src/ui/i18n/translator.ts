import { en, type Catalog, type MessageKey } from './messages-en.js';

export type { MessageKey } from './messages-en.js';

/**
 * Looks up a message and fills `{name}` placeholders; a `[…]` part is left out when a value it names
 * is empty. Values are plain text; lit escapes them on render.
 */
export interface Translator {
  readonly locale: 'en' | 'de';
  t(key: MessageKey, values?: Record<string, string>): string;
}

/**
 * The catalog's language for an Office display language (`Office.context.displayLanguage`, e.g.
 * "de-DE") or a browser language; anything without a catalog is English.
 */
export const localeOf = (displayLanguage: string | undefined): Translator['locale'] =>
  displayLanguage?.toLowerCase().startsWith('de') ? 'de' : 'en';

/** A translator over one catalog; a key it lacks is looked up in English, then shown as is. */
export function translatorOf(locale: Translator['locale'], catalog: Catalog): Translator {
  return {
    locale,
    t(key, values) {
      // A key built at run time (`error.<name>`) may have no entry: English, then the key itself.
      const text = catalog[key] ?? (en as Catalog)[key] ?? key;
      if (!values) return text;
      const fill = (part: string) => part.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
      // `[…]` is optional: left out when a value it names is empty or absent ("[line {line}, ]").
      return fill(
        text.replace(/\[([^\]]*)\]/g, (_whole, part: string) =>
          [...part.matchAll(/\{(\w+)\}/g)].every(([, name]) => values[name!]) ? part : '',
        ),
      );
    },
  };
}

/** The English translator (always at hand: the fallback of every other catalog). */
export const english: Translator = translatorOf('en', en);
