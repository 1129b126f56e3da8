import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { SyncReport } from '../../core/sync/engine.js';
import type { CrmSyncPanel, SyncRequestDetail } from './crm-sync-panel.js';
import { mountElement } from '../testing/mount.js';
import './crm-sync-panel.js';
import '../crm-run-chart/crm-run-chart.js'; // (the pane loads it after its first render: crm-app/deferred.ts)
import '../crm-write-list/crm-write-list.js';

const HOSTILE = '<img src=x onerror="window.__xssPanel=1">';

const mount = (props: Partial<CrmSyncPanel>): Promise<CrmSyncPanel> =>
  mountElement('crm-sync-panel', (el) => Object.assign(el, props));

const zero = { created: 0, updated: 0, deleted: 0 };
function report(over: Partial<SyncReport> = {}): SyncReport {
  return {
    startedAt: Date.UTC(2026, 10, 27, 9),
    durationMs: 1200,
    dryRun: false,
    plan: { actions: [], pending: [], skipped: [] },
    written: { outlook: { created: 3, updated: 1, deleted: 0 }, crm: zero },
    conflictsResolved: 1,
    pending: [],
    errors: [{ pairKey: 'k', subject: HOSTILE, error: 'HTTP 500' }],
    unreadable: [],
    deferred: 0,
    vetoed: 0,
    recovered: 0,
    requests: 10,
    bytes: 1000,
    ...over,
  } as SyncReport;
}

describe('crm-sync-panel', () => {
  afterEach(() => document.body.replaceChildren());

  it('Sync now and Preview ask for a run; Cancel shows while one runs', async () => {
    const el = await mount({});
    const seen: boolean[] = [];
    el.addEventListener('crm-sync-request', (e) => seen.push((e as CustomEvent<SyncRequestDetail>).detail.dryRun));
    const buttons = () => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('fluent-button')];
    buttons()[0]!.click();
    buttons()[1]!.click();
    expect(seen).to.deep.equal([false, true]);
    let cancelled = 0;
    el.addEventListener('crm-sync-cancel', () => cancelled++);
    el.running = true;
    el.progress = { phase: 'write', done: 3, total: 8 };
    await el.updateComplete;
    expect(buttons().map((b) => [b.textContent!.trim(), b.matches(':disabled')])).to.deep.equal([
      ['Sync now', true],
      ['Preview', true],
      ['Cancel', false],
    ]);
    buttons()[2]!.click();
    expect(cancelled).to.equal(1);
    const bar = el.shadowRoot!.querySelector('fluent-progress-bar') as HTMLElement & { max: number; value: number };
    expect([bar.max, bar.value]).to.deep.equal([8, 3]);
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Writing: 3 of 8');
  });

  it('without a saved profile the buttons are off and the pane says what is missing', async () => {
    const el = await mount({ ready: false });
    const buttons = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('fluent-button')];
    expect(buttons.map((b) => b.matches(':disabled'))).to.deep.equal([true, true]);
    expect(el.shadowRoot!.textContent).to.include('General tab');
  });

  it('the report counts writes per side; hostile subjects render as text', async () => {
    const el = await mount({ report: report() });
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((r) =>
      r.textContent!.replace(/\s+/g, ' ').trim(),
    );
    expect(rows).to.deep.equal(['Outlook 3 1 0', 'CRM 0 0 0']);
    expect(el.shadowRoot!.textContent).to.include('Conflicts resolved: 1. Waiting for you: 0. Errors: 1.');
    expect(el.shadowRoot!.textContent).to.include(HOSTILE);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as unknown as { __xssPanel?: number }).__xssPanel).to.equal(undefined);
  });

  it('identical failures are one row with a count; what waits says why and when it is tried again (issue 13, point 13)', async () => {
    const retryAt = Date.UTC(2026, 10, 27, 9, 7);
    const errors = Array.from({ length: 3 }, (_, n) => ({
      pairKey: `k${n}`,
      subject: `Visit ${n}`,
      error: 'HTTP 500',
    }));
    const el = await mount({
      report: report({
        errors,
        errorGroups: [
          {
            error: 'HTTP 500',
            side: 'crm',
            count: 3,
            retryAt,
            subjects: errors.map((e) => e.subject),
            pairKeys: errors.map((e) => e.pairKey),
          },
        ],
        deferred: 105,
        waiting: [
          {
            cause: 'unreachable',
            side: 'crm',
            count: 105,
            retryAt,
            detail: 'cannot reach the CRM gateway',
            subjects: ['A', 'B', 'C', 'D', 'E'],
            pairKeys: [],
          },
        ],
      }),
    });
    const errorRows = [...el.shadowRoot!.querySelectorAll('.errors li')].map((li) =>
      li.textContent!.replace(/\s+/g, ' '),
    );
    expect(errorRows).to.have.length(1);
    expect(errorRows[0]).to.match(/“Visit 0”, “Visit 1”, “Visit 2”: HTTP 500 \(next try at/);
    const waiting = [...el.shadowRoot!.querySelectorAll('.waiting li')].map((li) =>
      li.textContent!.replace(/\s+/g, ' '),
    );
    expect(waiting).to.have.length(1);
    expect(waiting[0]).to.match(
      /^ ?105 for CRM, which could not be reached: cannot reach the CRM gateway \(next try at .*\) “A”, .*“E” … \(\+100\)/,
    );
    expect(el.shadowRoot!.textContent).to.include('Not done in this run: 105');
  });

  it('what the settings keep out is listed by reason with a count; a fault of the add-in is said (point 15)', async () => {
    const el = await mount({
      report: report({
        notSynchronized: [
          { reason: { code: 'skip-private' }, count: 7, subjects: [HOSTILE, 'B'], pairKeys: [] },
          { reason: { code: 'skip-outside-period' }, count: 1, subjects: ['Old visit'], pairKeys: [] },
        ],
        unaccounted: [{ side: 'outlook', id: 'o1', subject: 'Lost' }],
      }),
    });
    const rows = [...el.shadowRoot!.querySelectorAll('.not-synced li')].map((li) =>
      li.textContent!.replace(/\s+/g, ' '),
    );
    expect(rows).to.have.length(2);
    expect(rows[0]).to.match(/7: Private item, not synchronized “<img src=x onerror=.*”, “B” … \(\+5\)/);
    expect(rows[1]).to.match(/1: Outside the period “Old visit”/);
    expect(el.shadowRoot!.textContent).to.include('Not synchronized, as the settings say: 8');
    expect(el.shadowRoot!.querySelector('.unaccounted')!.textContent).to.match(/1 items were read but neither/);
    expect((window as { __xssPanel?: number }).__xssPanel).to.equal(undefined);
  });

  it('a preview lists what would be done, writing nothing', async () => {
    const el = await mount({
      report: report({
        dryRun: true,
        plan: {
          actions: [
            {
              type: 'create',
              target: 'outlook',
              kind: 'activity',
              subject: HOSTILE,
              pairKey: 'a',
              reason: { code: 'new', from: 'crm' },
            } as never,
            {
              type: 'delete',
              target: 'crm',
              kind: 'activity',
              subject: 'Old visit',
              pairKey: 'b',
              reason: { code: 'deleted', from: 'outlook' },
            } as never,
            { type: 'status', subject: 'Same on both' } as never,
            { type: 'status', subject: 'Same too' } as never,
          ],
          pending: [],
          skipped: [],
        },
      }),
    });
    // In the user's words, one row per kind of write with every item under it; pairs only recorded
    // are one line, not "link" rows.
    const list = el.shadowRoot!.querySelector('crm-write-list')!;
    await list.updateComplete;
    const text = (e: Element) => e.textContent!.replace(/\s+/g, ' ').trim();
    expect([...list.shadowRoot!.querySelectorAll('li.group > .what')].map(text)).to.deep.equal([
      'New in Outlook: 1 × appointment — New in CRM',
      'Deleted from CRM: 1 × appointment — Deleted in Outlook',
    ]);
    expect([...list.shadowRoot!.querySelectorAll('li.subject')].map(text)).to.deep.equal([HOSTILE, 'Old visit']);
    expect(list.shadowRoot!.querySelector('img')).to.equal(null);
    expect(el.shadowRoot!.textContent).to.include('Preview: 2 changes would be made');
    expect(el.shadowRoot!.textContent).to.include('2 items are the same on both sides already');
    expect(el.shadowRoot!.textContent).not.to.match(/\blink\b/);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
  });

  it('after a run, lists every item it wrote, grouped by what was done, where and why', async () => {
    const line = (n: number, type: 'create' | 'update', side: 'outlook' | 'crm') => ({
      type,
      side,
      kind: 'task' as const,
      subject: `Call ${n}`,
      pairKey: `k${n}`,
      reason: { code: type === 'create' ? ('new' as const) : ('changed' as const), from: 'crm' as const },
    });
    const done = [
      ...Array.from({ length: 53 }, (_, i) => line(i + 1, 'create', 'outlook')),
      line(99, 'update', 'outlook'),
    ];
    const el = await mount({ report: report({ done }) });
    const heading = el.shadowRoot!.querySelector('fluent-accordion-item.done [slot="heading"]')!;
    expect(heading.textContent!.trim()).to.equal('Written in this run: 54');
    const list = el.shadowRoot!.querySelector('crm-write-list')!;
    await list.updateComplete;
    const text = (e: Element) => e.textContent!.replace(/\s+/g, ' ').trim();
    expect([...list.shadowRoot!.querySelectorAll('li.group > .what')].map(text)).to.deep.equal([
      'New in Outlook: 53 × task — New in CRM',
      'Changed in Outlook: 1 × task — Changed in CRM',
    ]);
    // The first 50 of a row by name, the rest counted.
    expect(list.shadowRoot!.querySelectorAll('li.subject')).to.have.length(51);
    expect(text(list.shadowRoot!.querySelector('.more')!)).to.equal('… and 3 more');
  });

  it('shows the recent runs’ chart', async () => {
    const el = await mount({
      runs: [
        {
          at: 1,
          durationMs: 1,
          dryRun: false,
          written: { outlook: zero, crm: zero },
          conflicts: 0,
          pending: 0,
          errors: 0,
        },
      ],
    });
    expect(el.shadowRoot!.querySelector('crm-run-chart')!.runs).to.have.length(1);
  });
});
