import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { CrmLogViewer, LogQueryDetail } from './crm-log-viewer.js';
import { mountElement } from '../testing/mount.js';
import './crm-log-viewer.js';

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

  it('asks for a filtered list when a level or the search changes, and for an export', async () => {
    const el = await mount();
    const queries: LogQueryDetail[] = [];
    let exports = 0;
    el.addEventListener('crm-log-query', (e) => queries.push((e as CustomEvent<LogQueryDetail>).detail));
    el.addEventListener('crm-log-export', () => exports++);
    const boxes = el.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type="checkbox"]');
    boxes[2]!.click(); // Information off
    const search = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="search"]')!;
    search.value = 'acme';
    search.dispatchEvent(new Event('input'));
    el.shadowRoot!.querySelector<HTMLButtonElement>('button')!.click();
    expect(queries).to.deep.equal([
      { levels: ['error', 'warning'], search: '' },
      { levels: ['error', 'warning'], search: 'acme' },
    ]);
    expect(exports).to.equal(1);
  });
});
