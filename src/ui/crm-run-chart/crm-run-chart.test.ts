import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { CrmRunChart } from './crm-run-chart.js';
import { mountElement } from '../testing/mount.js';
import './crm-run-chart.js';

const mount = (props: Partial<CrmRunChart>): Promise<CrmRunChart> =>
  mountElement('crm-run-chart', (el) => Object.assign(el, props));

const zero = { created: 0, updated: 0, deleted: 0 };

describe('crm-run-chart', () => {
  afterEach(() => document.body.replaceChildren());

  it('the history chart has one bar per run, stopped runs marked', async () => {
    const run = (at: number, created: number, failure?: string) => ({
      at,
      durationMs: 1,
      dryRun: false,
      written: { outlook: { ...zero, created }, crm: zero },
      conflicts: 0,
      pending: 0,
      errors: 0,
      ...(failure && { failure }),
    });
    const el = await mount({ runs: [run(1, 5), run(2, 0, 'cancelled'), run(3, 2)] });
    const bars = [...el.shadowRoot!.querySelectorAll('svg rect')];
    expect(bars.map((b) => b.getAttribute('class'))).to.deep.equal(['ok', 'failed', 'ok']);
    expect(el.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).to.equal('Runs: 3; items changed: 7');
    // Axes (the largest count, 0, the first and last run's time) and a legend of both colours.
    const text = (sel: string) => el.shadowRoot!.querySelector(sel)!.textContent!.replace(/\s+/g, ' ').trim();
    expect([...el.shadowRoot!.querySelectorAll('.y-axis span')].map((x) => x.textContent)).to.deep.equal([
      '5',
      'items',
      '0',
    ]);
    expect(text('.x-axis')).to.include('older → newer');
    expect(text('.legend')).to.include('completed').and.include('stopped');
  });

  it('a run’s bar shows a tooltip on focus: when, how long, the outcome, the counts per side', async () => {
    const el = await mount({
      runs: [
        {
          at: Date.UTC(2026, 11, 4, 7, 5),
          durationMs: 3200,
          dryRun: false,
          written: { outlook: { created: 2, updated: 1, deleted: 0 }, crm: { created: 0, updated: 0, deleted: 3 } },
          conflicts: 1,
          pending: 2,
          errors: 0,
        },
        {
          at: Date.UTC(2026, 11, 4, 7, 10),
          durationMs: 500,
          dryRun: false,
          written: { outlook: zero, crm: zero },
          conflicts: 0,
          pending: 0,
          errors: 0,
          failure: 'cannot reach the CRM gateway at https://gw.example: refused',
          failureError: {
            code: 'unreachable',
            params: { side: 'crm', origin: 'https://gw.example', seconds: '', detail: 'refused' },
          },
        },
      ],
    });
    const tip = () => el.shadowRoot!.querySelector('[role=tooltip]')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(tip()).to.equal(undefined);
    const bars = el.shadowRoot!.querySelectorAll<SVGRectElement>('svg rect');
    bars[0]!.dispatchEvent(new FocusEvent('focus'));
    await el.updateComplete;
    expect(tip()).to.include('3.2 s');
    expect(tip()).to.include('completed');
    expect(tip()).to.include('Outlook: 2 created, 1 changed, 0 deleted');
    expect(tip()).to.include('CRM: 0 created, 0 changed, 3 deleted');
    expect(tip()).to.include('1 conflicts, 2 waiting, 0 errors');
    bars[1]!.dispatchEvent(new FocusEvent('focus'));
    await el.updateComplete;
    expect(tip()).to.match(/stopped \(CRM cannot be reached at https:\/\/gw\.example: refused\.\)/);
    bars[1]!.dispatchEvent(new FocusEvent('blur'));
    await el.updateComplete;
    expect(tip()).to.equal(undefined);
  });
});
