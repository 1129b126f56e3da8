import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { Activity } from '../../core/model/item.js';
import type { CrmItemCompare, MergeDetail } from './crm-item-compare.js';
import { mountElement } from '../testing/mount.js';
import './crm-item-compare.js';

const meeting = (over: Partial<Activity> = {}): Activity => ({
  kind: 'activity',
  uid: 'u1',
  subject: 'Quarterly review',
  start: { dateTime: '2026-12-01T10:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-12-01T11:00:00', timeZone: 'Europe/Berlin' },
  location: 'Walldorf',
  body: { text: 'Agenda' },
  organizer: { email: 'anna@example.com', name: 'Anna Seller' },
  attendees: [{ email: 'jane@acme.example', name: 'Jane Roe', role: 'required', response: 'accepted' }],
  showAs: 'busy',
  sensitivity: 'normal',
  categories: ['CRM'],
  reminderMinutes: 15,
  importance: 'normal',
  crm: { application: 'SALES', businessPartner: { id: '1', label: 'ACME Corp' } },
  recurrence: { rule: { freq: 'WEEKLY', interval: 1 }, exceptionDates: [], extraDates: [], overrides: [] },
  extra: {},
  ...over,
});

const mount = (setup: (el: CrmItemCompare) => void, language = 'en') =>
  mountElement('crm-item-compare', setup, language);
const text = (e: Element) => e.textContent!.replace(/\s+/g, ' ').trim();
const nextFrame = () => new Promise((r) => setTimeout(r, 50));

describe('crm-item-compare (the conflict screen, issue 18)', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows every field of both versions, times in the user’s zone, the differing fields marked', async () => {
    const el = await mount((e) => {
      e.zone = 'America/New_York';
      e.left = {
        label: 'Outlook',
        color: '#aa0000',
        item: meeting({ subject: 'Review (Outlook)' }),
        modifiedAt: Date.UTC(2026, 11, 1, 8),
      };
      e.right = {
        label: 'CRM',
        color: '#0000aa',
        item: meeting({ reminderMinutes: 30, sensitivity: 'private', location: 'Walldorf' }),
      };
    });
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((r) => text(r.querySelector('th')!));
    expect(rows).to.deep.equal([
      'Subject',
      'When',
      'Location',
      'Description',
      'Attendees',
      'Reminder',
      'Categories',
      'Privacy',
      'Show as',
      'Importance',
      'CRM context',
      'Recurrence',
      'Changed',
    ]);
    const differs = [...el.shadowRoot!.querySelectorAll('tbody tr.differs th')].map(text);
    expect(differs).to.deep.equal(['Subject', 'Reminder', 'Privacy']);
    const cells = (name: string) =>
      [...el.shadowRoot!.querySelectorAll('tbody tr')]
        .find((r) => text(r.querySelector('th')!) === name)!
        .querySelectorAll('td');
    // 10:00 in Berlin is 04:00 in New York.
    expect(text(cells('When')[0]!)).to.match(/Dec 1, 2026, 4:00\s?AM – Dec 1, 2026, 5:00\s?AM/);
    expect(text(cells('Attendees')[0]!)).to.equal(
      'organizer: Anna Seller; Jane Roe <jane@acme.example> (required, accepted)',
    );
    expect(text(cells('CRM context')[1]!)).to.equal('application SALES; business partner ACME Corp');
    expect(text(cells('Recurrence')[0]!)).to.equal('every 1 week(s) · no end');
    expect(text(cells('Privacy')[1]!)).to.equal('Private');
  });

  it('shows an HTML description sanitized by DOMPurify: no script, no image, no javascript: link', async () => {
    const html =
      '<p>Agenda: <b>fleet</b> renewal</p><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>' +
      '<a href="javascript:window.__xss=3">click</a><a href="https://example.com/">site</a><form><input></form>';
    const el = await mount((e) => {
      e.left = { label: 'Outlook', item: meeting({ body: { text: 'Agenda: fleet renewal', html } }) };
      e.right = { label: 'CRM', item: meeting() };
    });
    for (let i = 0; i < 40 && !el.shadowRoot!.querySelector('.html'); i++) {
      await nextFrame();
      await el.updateComplete;
    }
    const shown = el.shadowRoot!.querySelector('.html')!;
    expect(shown.querySelector('b')!.textContent).to.equal('fleet');
    expect(shown.querySelectorAll('img, script, form, input')).to.have.length(0);
    expect([...shown.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')])).to.deep.equal([
      ['click', null],
      ['site', null],
    ]);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
  });

  it('merges field by field: each differing field from the side chosen', async () => {
    const el = await mount((e) => {
      e.mergeable = true;
      e.left = { label: 'Outlook', item: meeting({ subject: 'Review (Outlook)' }) };
      e.right = { label: 'CRM', item: meeting({ location: 'Hall 4' }) };
    });
    await customElements.whenDefined('fluent-radio-group');
    await new Promise((r) => requestAnimationFrame(r));
    // One Fluent radio group per differing field, named by the field, a choice per side under its
    // column; Outlook's value chosen first.
    const groups = [...el.shadowRoot!.querySelectorAll('fluent-radio-group')];
    const radios = [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('fluent-radio')];
    expect(groups.map((g) => g.getAttribute('aria-label'))).to.deep.equal(['Subject from', 'Location from']);
    expect(
      radios.map((r) => `${r.closest('fluent-radio-group')!.getAttribute('aria-label')}:${r.checked}`),
    ).to.deep.equal(['Subject from:true', 'Subject from:false', 'Location from:true', 'Location from:false']);
    expect(radios.map((r) => r.closest('label')!.textContent!.trim())).to.deep.equal([
      'Outlook',
      'CRM',
      'Outlook',
      'CRM',
    ]);
    radios[3]!.click();
    await el.updateComplete;
    expect(radios.map((r) => r.checked)).to.deep.equal([true, false, false, true]);
    const sent: MergeDetail[] = [];
    el.addEventListener('crm-merge', (e) => sent.push((e as CustomEvent<MergeDetail>).detail));
    [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('fluent-button')]
      .find((b) => /merge/.test(b.textContent!))!
      .click();
    expect(sent).to.deep.equal([{ choice: { location: 'crm' } }]);
  });

  it('speaks German', async () => {
    const el = await mount((e) => {
      e.left = { label: 'Outlook', item: meeting({ subject: 'A' }) };
      e.right = { label: 'CRM', item: meeting() };
    }, 'de');
    expect([...el.shadowRoot!.querySelectorAll('tbody th')].map(text).slice(0, 3)).to.deep.equal([
      'Betreff',
      'Wann',
      'Ort',
    ]);
  });
});
