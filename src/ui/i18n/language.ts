/**
 * The pane's language as the user chose it (issue 18): Outlook's display language unless the user
 * picked another in the pane. The choice is this device's (local storage of the add-in's origin), read
 * by the task pane, the SAP CRM pane and the conflict dialog alike.
 */
import type { Translator } from './translator.js';

export const LANGUAGE_KEY = 'crm-sync.language';

/** What the pane's language chooser offers: Outlook's own, or a catalog's. */
export type LanguageChoice = 'outlook' | Translator['locale'];

/**
 * This device's storage, read inside the callers' try: in an add-in's frame, even reading
 * `localStorage` throws where the browser blocks storage for it.
 */
const storage = (): Storage | undefined => globalThis.localStorage;

/** The chosen language (`outlook` when none was chosen, storage is off, or it holds something else). */
export function chosenLanguage(): LanguageChoice {
  try {
    const v = storage()?.getItem(LANGUAGE_KEY);
    return v === 'en' || v === 'de' ? v : 'outlook';
  } catch {
    return 'outlook';
  }
}

/** Keeps the choice (`outlook` forgets it); a storage that refuses keeps the choice for this page only. */
export function chooseLanguage(v: LanguageChoice): void {
  try {
    if (v === 'outlook') storage()?.removeItem(LANGUAGE_KEY);
    else storage()?.setItem(LANGUAGE_KEY, v);
  } catch {
    // (local storage switched off: the choice lasts until the pane is closed)
  }
}

/** The language to show: the choice, else Outlook's display language. */
export const languageOf = (choice: LanguageChoice, outlookLanguage: string | undefined): string | undefined =>
  choice === 'outlook' ? outlookLanguage : choice;
