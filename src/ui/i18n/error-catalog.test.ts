// The error catalogue (core/errors.ts) in the pane's languages: every code has an English and a
// German text, and a text names only parameters its error has (a wrong name would show as `{name}`).
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { ERROR_MESSAGES, SyncError, type ErrorCode } from '../../core/errors.js';
import { de } from './messages-de.js';
import { en } from './messages-en.js';
import { createTranslator, type MessageKey } from './translator.js';

/** The parameter names the English text of `code` reads (a recording stand-in for the parameters). */
function paramsOf(code: ErrorCode): Set<string> {
  const used = new Set<string>();
  const probe = new Proxy({}, { get: (_t, key) => (used.add(String(key)), key === 'kind' ? 'activity' : 1) });
  (ERROR_MESSAGES[code] as (p: unknown) => string)(probe);
  return used;
}

describe('the error catalogue in English and German', () => {
  for (const code of Object.keys(ERROR_MESSAGES) as ErrorCode[])
    it(code, () => {
      const params = paramsOf(code);
      const key = `error.${code}` as MessageKey;
      for (const [language, catalog] of [
        ['en', en as Record<string, string>],
        ['de', de as Record<string, string>],
      ] as const) {
        // (Read from the catalog itself: the translator would fall back to English.)
        const text = catalog[key];
        expect(text, `${language} text of ${code}`).to.be.a('string');
        for (const [, name] of text!.matchAll(/\{(\w+)\}/g))
          expect(params.has(name!), `${language} ${code} names {${name}}, which the error does not have`).to.equal(
            true,
          );
      }
    });

  it('a German user reads why the run stopped in German, with the side named in words', () => {
    const e = new SyncError('mass-delete', { side: 'crm', deletions: 12, total: 20 });
    const { t } = createTranslator('de-DE');
    const text = t(`error.${e.code}` as MessageKey, {
      side: t('side.crm'),
      deletions: String(e.params.deletions),
      total: String(e.params.total),
    });
    expect(text).to.equal(
      'Zur Sicherheit angehalten: Dieser Lauf würde 12 von 20 Elementen auf der Seite CRM löschen. Bestätigen Sie, um fortzufahren.',
    );
    expect(e.message).to.equal(
      'this run would delete 12 of 20 item(s) on the CRM side: it was stopped; confirm to continue',
    );
  });
});
