import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import { ContextProvider } from '@lit/context';
import { translatorContext } from '../contexts.js';
import { createTranslator } from '../i18n/translator.js';
import type { PendingAction } from '../../core/sync/actions.js';
import type { CrmPendingList, PendingDecisionDetail } from './crm-pending-list.js';
import './crm-pending-list.js';

const confirm = (n: number): PendingAction =>
  ({
    type: 'confirm',
    id: `c${n}`,
    pairKey: `k${n}`,
    subject: `Visit ${n}`,
    reason: { code: 'new', from: 'mobile' },
  }) as PendingAction;
const conflict: PendingAction = {
  type: 'conflict',
  id: 'x',
  pairKey: 'kx',
  subject: '<b>Review</b>',
  reason: { code: 'conflict-held' },
} as PendingAction;

async function mount(items: PendingAction[]): Promise<CrmPendingList> {
  const host = document.createElement('div');
  document.body.append(host);
  new ContextProvider(host, { context: translatorContext, initialValue: createTranslator('en') });
  const el = document.createElement('crm-pending-list');
  el.items = items;
  host.append(el);
  await el.updateComplete;
  return el;
}

describe('crm-pending-list', () => {
  afterEach(() => document.body.replaceChildren());

  it('approves or rejects one item or all, and decides conflicts per side', async () => {
    const el = await mount([confirm(1), confirm(2), conflict]);
    const seen: [string[], string][] = [];
    el.addEventListener('crm-pending-decision', (e) => {
      const d = (e as CustomEvent<PendingDecisionDetail>).detail;
      seen.push([d.items.map((i) => i.id), d.decision]);
    });
    const button = (label: RegExp, n = 0) =>
      [...el.shadowRoot!.querySelectorAll('button')].filter((b) => label.test(b.getAttribute('aria-label') ?? ''))[n]!;
    button(/^Approve: all/).click();
    button(/^Reject: Visit 2/).click();
    button(/^Keep the CRM’s: <b>Review<\/b>/).click();
    expect(seen).to.deep.equal([
      [['c1', 'c2'], 'approve'],
      [['c2'], 'reject'],
      [['x'], 'mobile'],
    ]);
    expect(el.shadowRoot!.textContent).to.include('New in CRM');
    expect(el.shadowRoot!.querySelector('b'), 'subjects are text').to.equal(null);
  });

  it('says when nothing waits', async () => {
    const el = await mount([]);
    expect(el.shadowRoot!.textContent).to.include('Nothing waits for your decision.');
  });
});
