import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { PendingAction } from '../../core/sync/actions.js';
import type { CrmPendingList, PendingDecisionDetail } from './crm-pending-list.js';
import { mountElement } from '../testing/mount.js';
import './crm-pending-list.js';
import '../crm-item-compare/crm-item-compare.js';

const confirm = (n: number): PendingAction =>
  ({
    type: 'confirm',
    id: `c${n}`,
    pairKey: `k${n}`,
    subject: `Visit ${n}`,
    reason: { code: 'new', from: 'crm' },
  }) as PendingAction;
const conflict: PendingAction = {
  type: 'conflict',
  id: 'x',
  pairKey: 'kx',
  subject: '<b>Review</b>',
  reason: { code: 'conflict-held' },
} as PendingAction;

/** An all-day appointment with what the comparison shows. */
const meeting = (subject: string, location: string) => ({
  kind: 'activity',
  uid: 'u',
  subject,
  start: { date: '2026-12-01' },
  end: { date: '2026-12-02' },
  location,
  attendees: [],
  categories: [],
  sensitivity: 'normal',
  importance: 'normal',
  showAs: 'busy',
  extra: {},
});

const mount = (items: PendingAction[]): Promise<CrmPendingList> =>
  mountElement('crm-pending-list', (el) => (el.items = items));

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
      [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('fluent-button')].filter((b) =>
        label.test(b.getAttribute('aria-label') ?? ''),
      )[n]!;
    expect([button(/^Approve all$/), button(/^Reject all$/)].map((b) => b.textContent!.trim())).to.deep.equal([
      'Approve all',
      'Reject all',
    ]);
    button(/^Approve all$/).click();
    button(/^Reject: Visit 2/).click();
    button(/^Keep the CRM’s: <b>Review<\/b>/).click();
    expect(seen).to.deep.equal([
      [['c1', 'c2'], 'approve'],
      [['c2'], 'exclude'],
      [['x'], 'crm'],
    ]);
    expect(el.shadowRoot!.textContent).to.include('New in CRM');
    expect(el.shadowRoot!.querySelector('b'), 'subjects are text').to.equal(null);
  });

  it('shows a conflict’s two versions side by side in the conflict colours, differences marked', async () => {
    const version = (subject: string) => ({ id: subject, version: 'v', hash: 'h', item: meeting(subject, 'Walldorf') });
    const el = await mount([
      {
        ...conflict,
        outlook: version('Review (Outlook)'),
        crm: version('Review'),
      } as PendingAction,
    ]);
    el.colors = { outlook: '#aa0000', crm: '#0000aa' };
    await el.updateComplete;
    // The conflict screen's element (its fields: crm-item-compare.test.ts), in the conflict colours.
    const compare = el.shadowRoot!.querySelector('crm-item-compare')!;
    await compare.updateComplete;
    const heads = [...compare.shadowRoot!.querySelectorAll<HTMLElement>('thead th')];
    expect(heads.map((h) => [h.textContent!.trim(), h.style.borderTopColor])).to.deep.equal([
      ['Outlook', 'rgb(170, 0, 0)'],
      ['CRM', 'rgb(0, 0, 170)'],
    ]);
    const differing = [...compare.shadowRoot!.querySelectorAll('tbody tr.differs th')].map((h) =>
      h.textContent!.trim(),
    );
    expect(differing).to.deep.equal(['Subject']);
    expect(compare.mergeable).to.equal(true);
  });

  it('a confirmation of a change shows the copy before and after, the changed fields marked', async () => {
    const el = await mount([
      {
        type: 'confirm',
        id: 'c',
        pairKey: 'k',
        subject: 'Fair',
        reason: { code: 'changed', from: 'crm' },
        action: { type: 'update', target: 'outlook', id: 'o1', item: meeting('Fair', 'Hall 4') },
        outlook: { id: 'o1', version: 'v', hash: 'h', item: meeting('Fair', 'Hall 2') },
      } as unknown as PendingAction,
    ]);
    const compare = el.shadowRoot!.querySelector('crm-item-compare')!;
    await compare.updateComplete;
    const text = (e: Element) => e.textContent!.replace(/\s+/g, ' ').trim();
    expect([...compare.shadowRoot!.querySelectorAll('thead th')].map(text)).to.deep.equal([
      'Now in Outlook',
      'After the change',
    ]);
    expect([...compare.shadowRoot!.querySelectorAll('tbody tr.differs')].map(text)).to.deep.equal([
      'Location Hall 2 Hall 4',
    ]);
    expect(compare.mergeable).to.equal(false);
  });

  it('says when nothing waits', async () => {
    const el = await mount([]);
    expect(el.shadowRoot!.textContent).to.include('Nothing waits for your decision.');
  });
});
