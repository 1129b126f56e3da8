import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import type { RunRecord } from '../../adapters/idb/idb-state.js';
import type { HistoryEntry, RunWrite } from '../../core/ports/state.js';
import type { UndoPair } from '../../core/sync/way-back.js';
import type { CrmWayBack, RestoreDetail, UndoPreviewDetail } from './crm-way-back.js';
import { mountElement } from '../testing/mount.js';
import './crm-way-back.js';

const zero = { created: 0, updated: 0, deleted: 0 };
const run = (at: number, created: number, dryRun = false): RunRecord => ({
  at,
  durationMs: 10,
  dryRun,
  written: { outlook: { ...zero, created }, crm: zero },
  conflicts: 0,
  pending: 0,
  errors: 0,
});
const write = (w: Partial<RunWrite>): RunWrite => ({
  run: 1,
  at: 1,
  pairKey: 'k',
  kind: 'activity',
  side: 'crm',
  subject: 's',
  write: 'create',
  id: 'i',
  row: null,
  ...w,
});
const pair = (subject: string, outcome: UndoPair['outcome'], writes: RunWrite[]): UndoPair => ({
  pairKey: subject,
  subject,
  kind: 'activity',
  writes,
  outcome,
});
/** An appointment as the history keeps it (only what the list shows matters here). */
const activity = (o: { subject: string }) =>
  ({
    kind: 'activity',
    uid: 'u1',
    start: { dateTime: '2026-12-05T10:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-12-05T11:00:00', timeZone: 'UTC' },
    extra: {},
    ...o,
  }) as unknown as HistoryEntry['item'];
const version: HistoryEntry = {
  at: Date.UTC(2026, 11, 3, 9),
  pairKey: 'uid:1',
  side: 'outlook',
  kind: 'activity',
  item: activity({ subject: '<b>Budget</b> review' }),
  reason: 'changed in the CRM',
};

const texts = (el: CrmWayBack, selector: string) =>
  [...el.shadowRoot!.querySelectorAll(selector)].map((e) => e.textContent!.replace(/\s+/g, ' ').trim());
const button = (el: CrmWayBack, label: RegExp) =>
  [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('fluent-button')].find((b) =>
    label.test(b.getAttribute('aria-label') ?? b.textContent!.trim()),
  )!;

describe('crm-way-back', () => {
  afterEach(() => document.body.replaceChildren());

  it('offers to undo the runs that wrote something, newest first, and previews every item in words', async () => {
    const el = await mountElement('crm-way-back', (e) => {
      e.runs = [run(Date.UTC(2026, 11, 1), 2), run(Date.UTC(2026, 11, 2), 0), run(Date.UTC(2026, 11, 3), 1, true)];
    });
    // The run that wrote nothing and the preview (dry run) are not offered.
    expect(el.shadowRoot!.querySelectorAll('fluent-button[aria-label^="Undo…"]')).to.have.length(1);
    const previews: number[] = [];
    el.addEventListener('crm-undo-preview', (e) => previews.push((e as CustomEvent<UndoPreviewDetail>).detail.run));
    button(el, /^Undo…/).click();
    expect(previews).to.deep.equal([Date.UTC(2026, 11, 1)]);

    el.preview = {
      run: Date.UTC(2026, 11, 1),
      pairs: [
        pair('Visit ACME', 'undo', [write({ write: 'create', side: 'outlook' })]),
        pair('Call <Bob>', 'undo', [
          write({ write: 'update', side: 'crm' }),
          write({ write: 'delete', side: 'outlook' }),
        ]),
        pair('Lunch', 'changed', [write({ write: 'update', side: 'crm' })]),
      ],
    };
    await el.updateComplete;
    expect(texts(el, '.preview li'), JSON.stringify(texts(el, '.preview li'))).to.deep.equal([
      'Visit ACME Created in Outlook — will be deleted',
      'Call <Bob> Changed in CRM — the version before comes back Deleted from Outlook — comes back',
      'Lunch Changed since the run — stays as it is',
    ]);
    // A run whose writes the history no longer keeps says so, and offers nothing to confirm.
    const kept = el.preview;
    el.preview = { run: Date.UTC(2026, 11, 1), pairs: [] };
    await el.updateComplete;
    expect(texts(el, '.preview p')[0]).to.match(/^The writes of this run are not kept/);
    expect(button(el, /^Undo 0 items$/).disabled).to.equal(true);
    el.preview = kept;
    await el.updateComplete;
    let confirmed = 0;
    el.addEventListener('crm-undo-confirm', () => confirmed++);
    button(el, /^Undo 2 items$/).click();
    expect(confirmed).to.equal(1);
  });

  it('restores a version to either side, finds versions by subject, and shows subjects as text', async () => {
    const el = await mountElement('crm-way-back', (e) => {
      e.versions = [version, { ...version, item: activity({ subject: 'Lunch' }) }];
    });
    expect(el.shadowRoot!.querySelector('b')).to.equal(null);
    const restored: string[] = [];
    el.addEventListener('crm-restore', (e) => {
      const d = (e as CustomEvent<RestoreDetail>).detail;
      restored.push(`${d.entry.item.subject} → ${d.side}`);
    });
    button(el, /^Restore in CRM: <b>Budget<\/b> review$/).click();
    button(el, /^Restore in Outlook: Lunch$/).click();
    expect(restored).to.deep.equal(['<b>Budget</b> review → crm', 'Lunch → outlook']);
    // (Fluent's text field: what is typed goes into the search box inside it.)
    const field = el.shadowRoot!.querySelector('fluent-text-input.search')!;
    await customElements.whenDefined('fluent-text-input');
    const search = field.shadowRoot!.querySelector('input')!;
    expect(search.type).to.equal('search');
    search.value = 'lunch';
    search.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(texts(el, 'li .subject')).to.deep.equal(['Lunch']);
  });

  it('says what an undo did or why it did not happen, in German too', async () => {
    const el = await mountElement(
      'crm-way-back',
      (e) => (e.note = { kind: 'error', code: 'undo-exceptions-included', params: {}, message: 'x' }),
      'de',
    );
    expect(texts(el, '[role="alert"]')[0]).to.match(/^Nicht ausgeführt: Ein Lauf kann nicht rückgängig gemacht werden/);
    el.note = { kind: 'done', undone: 3, left: 1 };
    await el.updateComplete;
    expect(texts(el, '[role="status"]')).to.deep.equal([
      'Rückgängig gemacht: 3 Elemente (jetzt auf der Ausnahmeliste). Unverändert gelassen: 1.',
    ]);
  });
});
