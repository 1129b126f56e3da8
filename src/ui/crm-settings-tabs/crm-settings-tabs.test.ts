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

  it('shows the six tabs of the seed in order, the first selected', async () => {
    const el = await mount('en-US');
    expect(tabButtons(el).map((b) => b.textContent?.trim())).to.deep.equal([
      'SAP CRM Calendar Properties',
      'General',
      'Sync Properties',
      'Conflict Resolution',
      'Miscellaneous',
      'Series / Private',
    ]);
    expect(tabButtons(el)[0]!.getAttribute('aria-selected')).to.equal('true');
    const visible = [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="tabpanel"]')].filter((p) => !p.hidden);
    expect(visible.map((p) => p.id)).to.deep.equal(['panel-calendar']);
  });

  it('uses the German catalog for a German Office display language', async () => {
    const el = await mount('de-DE');
    expect(tabButtons(el)[1]!.textContent?.trim()).to.equal('Allgemein');
  });

  it('moves with arrow keys, wraps around, and announces the change', async () => {
    const el = await mount('en-US');
    const seen: string[] = [];
    el.addEventListener('crm-tab-change', (e) => seen.push(e.detail.tab));
    const press = async (key: string) => {
      el.shadowRoot!.querySelector('[role="tablist"]')!.dispatchEvent(
        new KeyboardEvent('keydown', { key, bubbles: true }),
      );
      await el.updateComplete;
    };
    await press('ArrowLeft');
    expect(el.selected).to.equal('series');
    await press('ArrowRight');
    await press('ArrowRight');
    expect(el.selected).to.equal('general');
    await press('End');
    await press('Home');
    expect(seen).to.deep.equal(['series', 'calendar', 'general', 'series', 'calendar']);
    const selected = tabButtons(el).filter((b) => b.tabIndex === 0);
    expect(selected.map((b) => b.id)).to.deep.equal(['tab-calendar']);
  });

  it('selects a tab on click', async () => {
    const el = await mount('en-US');
    tabButtons(el)[3]!.click();
    await el.updateComplete;
    expect(el.selected).to.equal('conflicts');
    expect(el.shadowRoot!.querySelector<HTMLElement>('#panel-conflicts')!.hidden).to.equal(false);
  });
});
