import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import { SETTINGS_TABS, type CrmSettingsTabs } from './crm-settings-tabs.js';
import { mountElement } from '../testing/mount.js';
import './crm-settings-tabs.js';

const mount = (language: string): Promise<CrmSettingsTabs> =>
  mountElement(
    'crm-settings-tabs',
    (tabs) => {
      for (const id of SETTINGS_TABS) {
        const p = document.createElement('p');
        p.slot = id;
        p.textContent = `content of ${id}`;
        tabs.append(p);
      }
    },
    language,
  );

const tabButtons = (el: CrmSettingsTabs) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[role="tab"]')];

describe('crm-settings-tabs', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows the six tabs of the seed in order by short names, the first selected; each page says the seed’s name', async () => {
    const el = await mount('en-US');
    expect(tabButtons(el).map((b) => b.textContent?.trim())).to.deep.equal([
      'Calendar',
      'General',
      'Sync',
      'Conflicts',
      'Other',
      'Series',
    ]);
    const seed = [
      'SAP CRM Calendar Properties',
      'General',
      'Sync Properties',
      'Conflict Resolution',
      'Miscellaneous',
      'Series / Private',
    ];
    expect(tabButtons(el).map((b) => b.title)).to.deep.equal(seed);
    expect(tabButtons(el)[0]!.getAttribute('aria-selected')).to.equal('true');
    const panels = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="tabpanel"]')];
    expect(panels.map((p) => p.querySelector('h3')!.textContent)).to.deep.equal(seed);
    expect(panels.filter((p) => !p.hidden).map((p) => p.id)).to.deep.equal(['panel-calendar']);
  });

  it('uses the German catalog for a German Office display language', async () => {
    const el = await mount('de-DE');
    expect(tabButtons(el)[1]!.textContent?.trim()).to.equal('Allgemein');
  });

  it('announces the tab Fluent’s tab list selects (keys and focus: e2e, with real key presses)', async () => {
    const el = await mount('en-US');
    const seen: string[] = [];
    el.addEventListener('crm-tab-change', (e) => seen.push(e.detail.tab));
    const list = el.shadowRoot!.querySelector('fluent-tablist') as HTMLElement & { activeid: string };
    list.activeid = 'tab-sync';
    await el.updateComplete;
    list.activeid = 'tab-series';
    await el.updateComplete;
    expect(seen).to.deep.equal(['sync', 'series']);
    expect(el.selected).to.equal('series');
    const shown = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="tabpanel"]')].filter((p) => !p.hidden);
    expect(shown.map((p) => p.id)).to.deep.equal(['panel-series']);
  });

  it('selects a tab on click', async () => {
    const el = await mount('en-US');
    tabButtons(el)[3]!.click();
    await el.updateComplete;
    expect(el.selected).to.equal('conflicts');
    expect(el.shadowRoot!.querySelector<HTMLElement>('#panel-conflicts')!.hidden).to.equal(false);
  });
});
