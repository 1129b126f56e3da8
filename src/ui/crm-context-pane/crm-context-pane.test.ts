import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { CrmContextPane, CrmPaneState } from './crm-context-pane.js';
import { mountElement } from '../testing/mount.js';
import './crm-context-pane.js';

const mount = (state: CrmPaneState): Promise<CrmContextPane> =>
  mountElement('crm-context-pane', (pane) => (pane.state = state));

describe('crm-context-pane', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows business partner, contact person and opportunity with their CRM numbers', async () => {
    const pane = await mount({
      kind: 'context',
      context: {
        activityId: '0000004711',
        application: 'SALES',
        businessPartner: { id: '1000042', label: 'ACME Corp' },
        contactPerson: { id: '1000077', label: 'Jane Roe' },
        opportunity: { id: '0000815', label: 'Fleet renewal 2027' },
      },
    });
    const text = pane.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.include('Business Partner ACME Corp (1000042)');
    expect(text).to.include('Contact Person Jane Roe (1000077)');
    expect(text).to.include('Opportunity Fleet renewal 2027 (0000815)');
    expect(text).to.include('Mobile Sales');
  });

  it('shows a context without activity id or application, and no empty rows for them (issue 13, point 8)', async () => {
    const pane = await mount({ kind: 'context', context: { opportunity: { id: '0000815', label: 'Fleet renewal' } } });
    const text = pane.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.include('Opportunity Fleet renewal (0000815)');
    expect(text).to.not.include('Application');
    expect(text).to.not.include('CRM activity');
  });

  it('renders CRM labels as inert text, never as HTML', async () => {
    const evil = '<img src=x onerror="window.__crmXss = 1">';
    const pane = await mount({
      kind: 'context',
      context: { activityId: '1', application: 'SERVICE', businessPartner: { id: '1', label: evil } },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(pane.shadowRoot!.querySelector('img')).to.equal(null);
    expect(pane.shadowRoot!.textContent).to.include(evil);
    expect((window as unknown as { __crmXss?: number }).__crmXss).to.equal(undefined);
  });

  it('says so when the item has no CRM data or it cannot be read', async () => {
    const none = await mount({ kind: 'none' });
    expect(none.shadowRoot!.textContent).to.include('has no CRM data');
    document.body.replaceChildren();
    const broken = await mount({ kind: 'error', detail: 'CRM context field "application" must be SALES or SERVICE' });
    expect(broken.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.include('application');
  });
});
