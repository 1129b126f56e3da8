// The error catalogue (core/errors.ts) and the log's lines (core/log-messages.ts) in the pane's
// languages: every code has an English and a German text, and a text names only parameters its code
// has (a wrong name would show as `{name}`).
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { ERROR_MESSAGES, SyncError, UnreachableError } from '../../core/errors.js';
import { LOG_MESSAGES, logLine } from '../../core/log-messages.js';
import { codedText } from './coded.js';
import { de } from './messages-de.js';
import { en } from './messages-en.js';
import { createTranslator } from './translator-all.js';
import type { MessageKey } from './translator.js';

/** The parameter names an English text reads (a recording stand-in for the parameters). */
function paramsOf(message: (p: never) => string): Set<string> {
  const used = new Set<string>();
  // Twice: with every optional parameter given and with every one empty, for both branches of a text.
  for (const value of [1, '']) {
    const probe = new Proxy({}, { get: (_t, key) => (used.add(String(key)), key === 'kind' ? 'activity' : value) });
    (message as (p: unknown) => string)(probe);
  }
  return used;
}

const catalogues = [
  ['error', ERROR_MESSAGES],
  ['logline', LOG_MESSAGES],
] as const;

describe('the error and log catalogues in English and German', () => {
  for (const [prefix, messages] of catalogues)
    for (const [code, message] of Object.entries(messages) as [string, (p: never) => string][])
      it(`${prefix} ${code}`, () => {
        const params = paramsOf(message);
        const key = `${prefix}.${code}` as MessageKey;
        for (const [language, catalog] of [
          ['en', en as Record<string, string>],
          ['de', de as Record<string, string>],
        ] as const) {
          // (Read from the catalog itself: the translator would fall back to English.)
          const text = catalog[key];
          expect(text, `${language} text of ${prefix} ${code}`).to.be.a('string');
          for (const [, name] of text!.matchAll(/\{(\w+)\}/g))
            expect(params.has(name!), `${language} ${code} names {${name}}, which the error does not have`).to.equal(
              true,
            );
        }
      });

  it('every text of the pane for a code belongs to a code of the core (none is left over)', () => {
    for (const key of Object.keys(en)) {
      const [prefix, code] = key.split(/\.(.*)/s) as [string, string];
      if (prefix === 'logline') expect(LOG_MESSAGES, key).to.have.property(code);
      if (prefix === 'error' && code !== 'generic') expect(ERROR_MESSAGES, key).to.have.property(code);
    }
  });

  it('a German user reads the log in German: sides, actions, reasons and the error behind a line', () => {
    const t = createTranslator('de-DE');
    const failed = logLine('write-failed', { items: 3, action: 'create', detail: 'the CRM gateway at …' });
    const cause = new UnreachableError('crm', 'https://gw.example.com', { timeoutMs: 30_000 });
    expect(codedText(t, 'logline', failed.code, failed.params, { code: cause.code, params: cause.params })).to.equal(
      '3 Elemente: anlegen fehlgeschlagen: CRM ist unter https://gw.example.com nicht erreichbar (keine Antwort in 30 s).',
    );
    const one = logLine('write-failed', { items: '', action: 'update', detail: 'x' });
    expect(codedText(t, 'logline', one.code, one.params), 'one item: no count').to.equal('ändern fehlgeschlagen: x');
    const written = logLine('written', {
      action: 'create',
      side: 'outlook',
      reason: 'new',
      changedIn: 'crm',
      detail: '',
    });
    expect(codedText(t, 'logline', written.code, written.params)).to.equal('Outlook: anlegen – Neu in CRM');
    expect(written.message).to.equal('create on Outlook: new in the CRM mobile client');
    const skipped = logLine('not-synchronized', { items: 2, reason: 'skip-private', changedIn: '', detail: '' });
    expect(codedText(t, 'logline', skipped.code, skipped.params)).to.equal(
      '2 Elemente: Privat, wird nicht synchronisiert',
    );
    expect(codedText(t, 'logline', 'no-such-line', {}), 'an unknown code has no text').to.equal(undefined);
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
