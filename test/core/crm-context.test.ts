// Runs under Node's test runner and, through karma's alias of node:test to mocha, in Chromium.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { CrmContextFormatError, parseCrmContext } from '../../src/core/model/crm-context.js';

describe('parseCrmContext', () => {
  it('accepts a complete Mobile Sales context', () => {
    const ctx = parseCrmContext({
      activityId: '0000004711',
      application: 'SALES',
      businessPartner: { id: '1000042', label: 'ACME Corp' },
      contactPerson: { id: '1000077', label: 'Jane Roe' },
      opportunity: { id: '0000815', label: 'Fleet renewal 2027' },
    });
    expect(ctx.businessPartner).to.deep.equal({ id: '1000042', label: 'ACME Corp' });
    expect(ctx.opportunity?.label).to.equal('Fleet renewal 2027');
  });

  it('keeps optional references absent and drops unknown fields', () => {
    const ctx = parseCrmContext({ activityId: '1', application: 'SERVICE', extra: '<script>' });
    expect(ctx).to.deep.equal({ activityId: '1', application: 'SERVICE' });
  });

  it('names the field that is wrong', () => {
    expect(() => parseCrmContext({ activityId: '1', application: 'MARKETING' })).to.throw(
      CrmContextFormatError,
      /application/,
    );
    expect(() =>
      parseCrmContext({ activityId: '1', application: 'SALES', contactPerson: { id: '', label: 'x' } }),
    ).to.throw(CrmContextFormatError, /contactPerson\.id/);
    expect(() => parseCrmContext('nope')).to.throw(CrmContextFormatError, /root/);
    expect(() => parseCrmContext({ activityId: '' })).to.throw(CrmContextFormatError, /activityId/);
    expect(() => parseCrmContext({})).to.throw(CrmContextFormatError, /none of the CRM fields/);
  });

  it('accepts a context without activity id or application: a task or meeting with a business partner (issue 13, point 8)', () => {
    const ctx = parseCrmContext({ businessPartner: { id: '1000042', label: 'ACME Corp' }, activityId: null });
    expect(ctx).to.deep.equal({ businessPartner: { id: '1000042', label: 'ACME Corp' } });
  });
});
