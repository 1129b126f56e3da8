import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { PendingAction } from '../../core/sync/actions.js';
import type { CrmPendingList, PendingDecisionDetail } from './crm-pending-list.js';
import { mountElement } from '../testing/mount.js';
import './crm-pending-list.js';

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
      [...el.shadowRoot!.querySelectorAll('button')].filter((b) => label.test(b.getAttribute('aria-label') ?? ''))[n]!;
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
    const version = (subject: string, start: string) => ({
      id: subject,
      version: 'v',
      hash: 'h',
      item: {
        kind: 'activity',
        uid: 'u',
        subject,
        start: { dateTime: start, timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-12-01T11:00:00', timeZone: 'Europe/Berlin' },
        location: 'Walldorf',
        attendees: [],
        categories: [],
        sensitivity: 'normal',
        importance: 'normal',
        showAs: 'busy',
        extra: {},
      },
    });
    const el = await mount([
      {
        ...conflict,
        outlook: version('Review (Outlook)', '2026-12-01T10:00:00'),
        crm: version('Review', '2026-12-01T10:00:00'),
      } as PendingAction,
    ]);
    el.colors = { outlook: '#aa0000', crm: '#0000aa' };
    await el.updateComplete;
    const heads = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.compare thead th')];
    expect(heads.map((h) => [h.textContent!.trim(), h.style.borderTopColor])).to.deep.equal([
      ['Outlook', 'rgb(170, 0, 0)'],
      ['CRM', 'rgb(0, 0, 170)'],
    ]);
    const rows = [...el.shadowRoot!.querySelectorAll('.compare tbody tr')].map((r) => [
      ...[...r.children].map((c) => c.textContent!.trim()),
      r.className,
    ]);
    expect(rows).to.deep.equal([
      ['Subject', 'Review (Outlook)', 'Review', 'differs'],
      ['Start', '2026-12-01 10:00 (Europe/Berlin)', '2026-12-01 10:00 (Europe/Berlin)', ''],
      ['End / due', '2026-12-01 11:00 (Europe/Berlin)', '2026-12-01 11:00 (Europe/Berlin)', ''],
      ['Location', 'Walldorf', 'Walldorf', ''],
    ]);
  });

  it('says when nothing waits', async () => {
    const el = await mount([]);
    expect(el.shadowRoot!.textContent).to.include('Nothing waits for your decision.');
  });
});
