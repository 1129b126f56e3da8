import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { CrmLogViewer, LogQueryDetail } from './crm-log-viewer.js';
import { mountElement } from '../testing/mount.js';
import './crm-log-viewer.js';
import { logLine } from '../../core/log-messages.js';
import { ThrottledError } from '../../core/errors.js';

const mount = (): Promise<CrmLogViewer> =>
  mountElement('crm-log-viewer', (el) => {
    el.entries = [
      { at: 2, level: 'error', message: 'update failed: <script>window.__xssLog=1</script>', subject: '<img src=x>' },
      { at: 1, level: 'info', message: 'create on outlook: new in the CRM mobile client' },
    ];
  });

describe('crm-log-viewer', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists the entries as text', async () => {
    const el = await mount();
    const items = [...el.shadowRoot!.querySelectorAll('li')];
    expect(items).to.have.length(2);
    expect(items[0]!.textContent).to.include('<script>window.__xssLog=1</script>');
    expect(el.shadowRoot!.querySelector('script, img')).to.equal(null);
  });

  it('shows a German user the log in German, and entries written before the catalogue in English', async () => {
    const slow = new ThrottledError('outlook', 12_000);
    const el = await mountElement(
      'crm-log-viewer',
      (v) => {
        v.entries = [
          {
            at: 3,
            level: 'error',
            ...logLine('write-failed', { items: '', action: 'delete', detail: slow.message }),
            error: { code: slow.code, params: slow.params },
            subject: 'Besuch',
          },
          { at: 2, level: 'info', ...logLine('folder-moved', { count: 4, kind: 'task', from: 'A', to: 'B' }) },
          { at: 1, level: 'info', message: 'create on outlook: new in the CRM mobile client' },
        ];
      },
      'de-DE',
    );
    const items = [...el.shadowRoot!.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' '));
    expect(items[0]).to.include(
      '“Besuch” löschen fehlgeschlagen: Die Seite Outlook bat um Verlangsamung: Der nächste Lauf macht in 12 s weiter.',
    );
    expect(items[1]).to.include('4 Elemente aus dem Ordner A nach B verschoben (Aufgabenliste).');
    expect(items[2]).to.include('create on outlook: new in the CRM mobile client');
  });

  it('asks for a filtered list when a level or the search changes, and for an export', async () => {
    const el = await mount();
    const queries: LogQueryDetail[] = [];
    let exports = 0;
    el.addEventListener('crm-log-query', (e) => queries.push((e as CustomEvent<LogQueryDetail>).detail));
    el.addEventListener('crm-log-export', () => exports++);
    const boxes = el.shadowRoot!.querySelectorAll<HTMLInputElement>('fluent-checkbox');
    boxes[2]!.click(); // Information off
    // (Fluent's text field: what is typed goes into the search box inside it.)
    const field = el.shadowRoot!.querySelector('fluent-text-input.search')!;
    await customElements.whenDefined('fluent-text-input');
    const search = field.shadowRoot!.querySelector('input')!;
    expect(search.type).to.equal('search');
    search.value = 'acme';
    search.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.shadowRoot!.querySelector<HTMLButtonElement>('fluent-button')!.click();
    expect(queries).to.deep.equal([
      { levels: ['error', 'warning'], search: '' },
      { levels: ['error', 'warning'], search: 'acme' },
    ]);
    expect(exports).to.equal(1);
  });
});
