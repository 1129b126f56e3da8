import { describe, it } from 'node:test';
import { expect } from 'chai';
import { fieldDiffers, mergeItems } from '../../src/core/model/merge.js';
import { activity, task } from './support/items.js';

describe('mergeItems (the conflict screen, issue 18)', () => {
  it('takes each field from the side chosen, Outlook’s where none is, the time as one field', () => {
    const outlook = activity({ subject: 'Review (Outlook)', location: 'Walldorf', reminderMinutes: 15 });
    const crm = activity({
      subject: 'Review',
      location: undefined,
      reminderMinutes: 30,
      start: { date: '2026-12-02' },
      end: { date: '2026-12-03' },
    });
    const merged = mergeItems(outlook, crm, { location: 'crm', time: 'crm' });
    expect(merged.subject).to.equal('Review (Outlook)');
    expect('location' in merged).to.equal(false);
    expect(merged.kind === 'activity' && [merged.start, merged.end]).to.deep.equal([
      { date: '2026-12-02' },
      { date: '2026-12-03' },
    ]);
    expect(merged.reminderMinutes).to.equal(15);
    expect(fieldDiffers(merged, crm, 'time')).to.equal(false);
    expect(fieldDiffers(merged, outlook, 'subject')).to.equal(false);
  });

  it('refuses to merge an appointment with a task', () => {
    expect(() => mergeItems(activity(), task(), {})).to.throw(/cannot be merged/);
  });
});
