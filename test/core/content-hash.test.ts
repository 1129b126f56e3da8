import { describe, it } from 'node:test';
import { expect } from 'chai';
import { contentHash, hash64, sameSharedContent, stableStringify } from '../../src/core/model/content-hash.js';
import { activity, task } from './support/items.js';

describe('content hash', () => {
  it('is stable and 16 hex digits', () => {
    expect(contentHash(activity())).to.match(/^[0-9a-f]{16}$/);
    expect(contentHash(activity())).to.equal(contentHash(activity()));
    expect(hash64('a')).not.to.equal(hash64('b'));
  });

  it('ignores the order of attendees and categories and the case of e-mail addresses', () => {
    const a = activity();
    const b = activity({
      attendees: [...a.attendees].reverse().map((x) => ({ ...x, email: x.email.toUpperCase() })),
      categories: ['Customer', 'CRM', 'CRM'],
    });
    expect(contentHash(b)).to.equal(contentHash(a));
  });

  it('ignores volatile iCalendar properties but not unknown ones', () => {
    const a = activity();
    const stamped = activity({
      extra: {
        ical: [
          'X-CUSTOM;A=1:keep me',
          'DTSTAMP:20261125T090000Z',
          'LAST-MODIFIED:20261125T090000Z',
          'PRODID:-//Other//EN',
        ],
      },
    });
    expect(contentHash(stamped)).to.equal(contentHash(a));
    const changed = activity({ extra: { ical: ['DTSTAMP:20261120T080000Z', 'X-CUSTOM;A=2:keep me'] } });
    expect(contentHash(changed)).not.to.equal(contentHash(a));
  });

  it('compares versions from both sides on shared content only (not UID or side-local extras)', () => {
    const crm = activity({ uid: 'crm-uid', extra: { ical: ['X-CRM-ONLY:1'] } });
    const outlook = activity({ uid: 'AAMkAD=', extra: { graph: ['{"onlineMeeting":null}'] } });
    expect(sameSharedContent(crm, outlook)).to.equal(true);
    expect(sameSharedContent(crm, activity({ location: 'elsewhere' }))).to.equal(false);
  });

  it('changes with every real content change', () => {
    const base = contentHash(activity());
    const variants = [
      activity({ subject: 'Quarterly review with ACME (moved)' }),
      activity({ start: { dateTime: '2026-12-01T10:30:00', timeZone: 'Europe/Berlin' } }),
      activity({ start: { dateTime: '2026-12-01T10:00:00', timeZone: 'Europe/London' } }),
      activity({ start: { date: '2026-12-01' }, end: { date: '2026-12-02' } }),
      activity({ sensitivity: 'private' }),
      activity({ reminderMinutes: 30 }),
      activity({ attendees: [] }),
      activity({ crm: { activityId: '0000004711', application: 'SERVICE' } }),
    ];
    for (const v of variants) expect(contentHash(v), v.subject).not.to.equal(base);
    expect(contentHash(task({ status: 'completed' }))).not.to.equal(contentHash(task()));
  });

  it('serialises equal data to equal text whatever the key order', () => {
    expect(stableStringify({ b: 1, a: { d: [1, undefined], c: 'x' }, e: undefined })).to.equal(
      '{"a":{"c":"x","d":[1,null]},"b":1}',
    );
  });
});
