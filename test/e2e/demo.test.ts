// The offline demo as `npm start` runs it (add-in, demo CRM gateway, Graph emulator with the demo
// mailbox), driven in Chromium: Sync now moves the demo items both ways, an edit on each side crosses,
// a conflict is resolved by the policy and shows in the report and the log; every tab is
// photographed and checked with axe-core; hostile subjects render as text.
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { SyncAccounts } from '../../gateway/src/state/accounts.js';
import type { Profile } from '../../src/core/profile/profile.js';
import { artifactPath, ax, byRole, openPage, setChecked, TABS } from './support/browser.js';
import {
  addToCrm as addTo,
  crmItems as crmItemsOf,
  renameInCrm as renameIn,
  showIn,
  openDemo,
  startDemo,
  stopDemo,
  type TestDemo,
  summaryOf,
  syncNow as syncNowIn,
  until,
} from './support/demo.js';

describe('the offline demo in Chromium', () => {
  let demo: TestDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let gatewayAhead = 0;

  before(async () => {
    demo = await startDemo('demo-e2e', {
      // The gateway's time: the test moves it on to let a dead run's lease expire.
      gatewayClock: () => Date.now() + gatewayAhead,
    });
    ({ browser, page, errors } = await openDemo(demo));
  });
  after(() => stopDemo(browser, demo));

  const pageOfFirstDevice = () => page;
  const mailbox = () => demo.emulator.mailbox('demo');
  const outlookSubjects = () => Object.values(mailbox().state.events).map((e) => String(e.fields.subject));
  const crmItems = () => crmItemsOf(demo);
  const renameInCrm = (item: { href: string; etag: string; body: string }, from: string, to: string) =>
    renameIn(demo, item, from, to);
  const addToCrm = (name: string, summary: string, start: string, end: string) =>
    addTo(demo, name, summary, start, end);

  /**
   * A picture of the pane as Outlook shows it (380 px wide) for the README (test-results/readme-*.png;
   * docs/screenshots has the ones the README shows), from `locator` down to what fits 900 px.
   */
  async function paneShot(name: string, top?: string): Promise<void> {
    await page.setViewportSize({ width: 380, height: 900 });
    try {
      if (top) await page.locator(top).first().scrollIntoViewIfNeeded();
      else await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: artifactPath(`readme-${name}.png`) });
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  }

  /**
   * axe-core's serious and critical findings on the page as it is (axe evaluated into it first), and
   * every control without an accessible name as Chromium's accessibility tree has it: axe does not see
   * the roles of Fluent's web components (ElementInternals, dequelabs/axe-core#4259); the browser does.
   */
  async function axeViolations(): Promise<string[]> {
    // (A string: the test runner's compiler adds helpers to named functions that the page lacks.)
    const unnamed = (await page.evaluate(`(() => {
      const controls = new Set(['button', 'checkbox', 'combobox', 'textbox', 'tab', 'spinbutton', 'switch', 'radio']);
      const found = [];
      // (Only elements that can be controls are asked for their role: asking is slow.)
      const candidates = 'button, input, select, textarea, [role], [tabindex], fluent-button, fluent-checkbox, fluent-tab, fluent-radio, fluent-switch';
      const walk = (node) => {
        for (const el of node.querySelectorAll(candidates)) {
          const hidden = !el.offsetParent && getComputedStyle(el).position !== 'fixed';
          if (!hidden && controls.has(el.computedRole || '') && !(el.computedName || '').trim())
            found.push(el.computedRole + ' without a name: <' + el.localName + (el.id ? '#' + el.id : '') + '>');
        }
        for (const el of node.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
      };
      walk(document);
      return found;
    })()`)) as string[];
    const axeFound = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown[] }[] }[] }>;
          };
        }
      ).axe;
      const r = await axe.run();
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) => `${v.id} (${v.impact}, ${v.nodes.length}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`,
        );
    });
    return [...axeFound, ...unnamed];
  }

  /** Clicks Sync now (in `page`, or another device's) and waits for the report of a new run. */
  const syncNow = (on?: Page) => syncNowIn(on ?? pageOfFirstDevice());

  it('Sync now moves the demo items both ways, with progress and a report', async () => {
    const crmBefore = (await crmItems()).map((i) => summaryOf(i.body));
    expect(outlookSubjects()).to.include('Lunch with Contoso purchasing');
    expect(crmBefore).not.to.include('Lunch with Contoso purchasing');
    const report = await syncNow();
    await page.screenshot({ path: artifactPath('demo-after-sync.png'), fullPage: true });
    const crmAfter = (await crmItems()).map((i) => summaryOf(i.body));
    expect(crmAfter, 'Outlook → CRM').to.include('Lunch with Contoso purchasing');
    // Both sides have a private "Dentist" of their own; neither crosses (synchronize private items is off).
    expect(crmAfter.filter((s) => s === 'Dentist')).to.have.length(1);
    expect(outlookSubjects().filter((s) => s === 'Dentist')).to.have.length(1);
    const outlook = outlookSubjects();
    for (const s of crmBefore.filter((x) => x).slice(0, 5)) expect(outlook, `CRM → Outlook: ${s}`).to.include(s);
    expect(report).to.match(/Outlook\s*[1-9]/);
    expect(report).to.match(/CRM\s*[1-9]/);
    // Item by item (issue 18): what was written where and why, every subject under its row.
    await page
      .locator('crm-sync-panel')
      .locator(ax('button', /^Written in this run: \d+$/))
      .click();
    const written = page.locator('crm-sync-panel crm-write-list');
    await written.getByText(/^New in CRM: \d+ × appointment — New in Outlook$/).waitFor();
    await written.getByText('Lunch with Contoso purchasing', { exact: true }).waitFor();
    await paneShot('report');
    // The history chart has its run.
    expect(await page.locator('crm-run-chart svg.chart').getAttribute('aria-label')).to.match(/^Runs: 1;/);
    // A second run writes nothing.
    const again = await syncNow();
    expect(again).to.match(/Outlook\s*0\s*0\s*0\s*CRM\s*0\s*0\s*0/);
    expect(errors).to.deep.equal([]);
  });

  it('an edit on each side crosses on the next Sync now', async () => {
    const lunch = Object.values(mailbox().state.events).find(
      (e) => e.fields.subject === 'Lunch with Contoso purchasing',
    )!;
    mailbox().updateEvent(lunch.id, { subject: 'Lunch with Contoso purchasing (moved to Friday)' });
    const items = await crmItems();
    const crmItem = items.find((i) => summaryOf(i.body) && !summaryOf(i.body).startsWith('Lunch'))!;
    const oldSubject = summaryOf(crmItem.body);
    await renameInCrm(crmItem, oldSubject, `${oldSubject} – agenda changed`);
    await syncNow();
    expect((await crmItems()).map((i) => summaryOf(i.body))).to.include(
      'Lunch with Contoso purchasing (moved to Friday)',
    );
    expect(outlookSubjects()).to.include(`${oldSubject} – agenda changed`);
    expect(errors).to.deep.equal([]);
  });

  it('a second device (another browser) continues where the first is, and two devices never run at once (issue 15)', async () => {
    const second = await openPage(browser, `${demo.addinUrl}/taskpane.html`);
    await second.page.getByText(/Demo mode outside Outlook/).waitFor();
    // Its first run: the account's state is there, nothing to do.
    const first = await syncNow(second.page);
    expect(first, 'the second device writes nothing').to.match(/Outlook\s*0\s*0\s*0\s*CRM\s*0\s*0\s*0/);
    // An Outlook edit synchronized by the second device crosses once: the first then has nothing to do.
    const lunch = Object.values(mailbox().state.events).find((e) =>
      String(e.fields.subject).startsWith('Lunch with Contoso'),
    )!;
    mailbox().updateEvent(lunch.id, { subject: 'Lunch with Contoso (second device)' });
    expect(await syncNow(second.page)).to.match(/CRM\s*0\s*1\s*0/);
    expect(await syncNow()).to.match(/Outlook\s*0\s*0\s*0\s*CRM\s*0\s*0\s*0/);
    // Both started together: one runs, the other says who does and runs nothing beside it.
    demo.emulator.setLatency(200);
    try {
      const buttons = [page, second.page].map((p) => p.locator('crm-sync-panel').locator(ax('button', 'Sync now')));
      await Promise.all(buttons.map((b) => b.click()));
      const alert = (p: Page) => p.locator('crm-sync-panel [role="alert"]', { hasText: 'running on another device' });
      await Promise.race([alert(page).waitFor({ timeout: 120_000 }), alert(second.page).waitFor({ timeout: 120_000 })]);
      const waited = [await alert(page).count(), await alert(second.page).count()];
      expect(waited.sort(), 'exactly one of the two waited').to.deep.equal([0, 1]);
      for (const p of [page, second.page])
        await p
          .locator('crm-sync-panel')
          .locator(ax('button', 'Cancel'))
          .waitFor({ state: 'detached', timeout: 300_000 });
    } finally {
      demo.emulator.setLatency(0);
    }
    // The one refused lease is the gateway's answer by design (409, in the console too); nothing else.
    let refused = 0;
    for (const list of [errors, second.errors]) {
      const keep = list.filter((e) => !(e.includes('/state/demo/lease') && e.includes('409')));
      refused += list.length - keep.length;
      list.splice(0, list.length, ...keep);
    }
    expect(refused).to.be.above(0);
    await second.page.context().close();
    expect([...errors, ...second.errors]).to.deep.equal([]);
  });

  it('a conflict with the conflict screen off is resolved by the policy (CRM wins) and shows in the report and the log', async () => {
    const items = await crmItems();
    const crmItem = items.find((i) => summaryOf(i.body).endsWith('– agenda changed'))!;
    const subject = summaryOf(crmItem.body);
    const event = Object.values(mailbox().state.events).find((e) => e.fields.subject === subject)!;
    mailbox().updateEvent(event.id, { subject: `${subject} (Outlook edit)` });
    await renameInCrm(crmItem, subject, `${subject} (CRM edit)`);
    const report = await syncNow();
    expect(report).to.match(/Conflicts resolved: 1/);
    expect(outlookSubjects(), 'the CRM version won').to.include(`${subject} (CRM edit)`);
    await byRole(page, 'button', 'Error log', { exact: true }).click();
    await page
      .locator('crm-log-viewer')
      // The log line in the pane's words: the side written, the action, and who won.
      .getByText(/Outlook: change — Changed on both sides: CRM wins/)
      .first()
      .waitFor();
    await page.screenshot({ path: artifactPath('demo-conflict-log.png'), fullPage: true });
    expect(errors).to.deep.equal([]);
  });

  it('configured through the pane: saved settings survive a reload, and a confirmation waits until approved', async () => {
    await page.getByRole('tab', { name: 'Conflicts' }).click();
    await setChecked(page.locator(ax('checkbox', 'Ask before creating items')), true);
    await page.getByRole('tab', { name: 'Sync', exact: true }).click();
    const ahead = page.locator(ax('textbox', 'Days in the future'));
    await ahead.fill('5000');
    await ahead.press('Tab');
    await page.locator(ax('button', 'Save')).click();
    await page.getByText('Not saved: correct the marked fields').waitFor();
    await page.getByText('Enter a whole number from 1 to 3650.').waitFor();
    await ahead.fill('120');
    await ahead.press('Tab');
    await page.locator(ax('button', 'Save')).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    // The gateway keeps a copy of the saved settings for the account (issue 15), checked as the pane checks them.
    const accounts = new SyncAccounts(demo.store.state);
    const mirrored = async () => (await accounts.profile('demo', 'demo'))?.profile as unknown as Profile | undefined;
    for (let i = 0; i < 100 && (await mirrored())?.sync.daysAhead !== 120; i++)
      await new Promise((r) => setTimeout(r, 100));
    const copy = await mirrored();
    expect([copy?.sync.daysAhead, copy?.conflicts.confirmNew]).to.deep.equal([120, true]);
    await page.reload();
    await page.getByRole('tab', { name: 'Sync', exact: true }).click();
    expect(await page.locator(ax('textbox', 'Days in the future')).inputValue()).to.equal('120');

    // A new CRM activity now waits for approval.
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    await addToCrm('e2e-confirm', 'Approve me', `${day}T090000Z`, `${day}T100000Z`);
    // Throttled answers from "Outlook" make the run slow enough to watch its progress bar.
    demo.emulator.throttle({ count: 2, retryAfter: 1 });
    await page.locator('crm-sync-panel').locator(ax('button', 'Sync now')).click();
    await page.locator('crm-sync-panel fluent-progress-bar').waitFor();
    await page
      .locator('crm-sync-panel')
      .locator(ax('button', 'Cancel'))
      .waitFor({ state: 'detached', timeout: 300_000 });
    // The browser reports the intended 429 answers; they are not errors of the pane.
    errors.splice(0, errors.length, ...errors.filter((e) => !/\b429\b|Too Many Requests/.test(e)));
    expect(outlookSubjects()).not.to.include('Approve me');
    await page.getByText('Pending (1)').waitFor({ timeout: 300_000 });
    await page.locator(ax('button', 'Approve: Approve me')).click();
    await page.getByText('Pending (0)').waitFor({ timeout: 300_000 });
    expect(outlookSubjects()).to.include('Approve me');
    await page.getByRole('tab', { name: 'Conflicts' }).click();
    await setChecked(page.locator(ax('checkbox', 'Ask before creating items')), false);
    await page.locator(ax('button', 'Save')).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect(errors).to.deep.equal([]);
  });

  it('with the conflict screen on, a conflict waits with both versions side by side until decided', async () => {
    await page.getByRole('tab', { name: 'Conflicts' }).click();
    await setChecked(page.locator(ax('checkbox', 'Open the conflict resolution screen')), true);
    await page.locator(ax('button', 'Save')).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    const crmItem = (await crmItems()).find((i) => summaryOf(i.body) === 'Approve me')!;
    const event = Object.values(mailbox().state.events).find((e) => e.fields.subject === 'Approve me')!;
    mailbox().updateEvent(event.id, { subject: 'Approve me (Outlook says)' });
    await renameInCrm(crmItem, 'Approve me', 'Approve me (CRM says)');
    await syncNow();
    await page.getByText('Pending (1)').waitFor({ timeout: 300_000 });
    const compare = page.locator('crm-pending-list crm-item-compare table');
    await compare.getByText('Approve me (Outlook says)').waitFor();
    await compare.getByText('Approve me (CRM says)').waitFor();
    await page.screenshot({ path: artifactPath('demo-conflict-screen.png'), fullPage: true });
    // The dialog window Outlook would open shows the same conflict (read from this mailbox's state).
    const dialog = await page.context().newPage();
    await dialog.goto(`${demo.addinUrl}/dialog.html?mailbox=demo&outlook=%23aa0000&crm=%230000aa`);
    await dialog.locator('crm-pending-list crm-item-compare table').getByText('Approve me (CRM says)').waitFor();
    await dialog.screenshot({ path: artifactPath('demo-conflict-dialog.png') });
    await dialog.close();
    await page.locator(ax('button', 'Keep Outlook’s: Approve me')).click();
    await page.getByText('Pending (0)').waitFor({ timeout: 300_000 });
    expect((await crmItems()).map((i) => summaryOf(i.body))).to.include('Approve me (Outlook says)');

    // Another conflict, merged field by field (issue 18): the subject from the CRM, the location from Outlook.
    const again = Object.values(mailbox().state.events).find((e) => e.fields.subject === 'Approve me (Outlook says)')!;
    mailbox().updateEvent(again.id, { subject: 'Merge me (Outlook)', location: { displayName: 'Room Outlook' } });
    const crmAgain = (await crmItems()).find((i) => summaryOf(i.body) === 'Approve me (Outlook says)')!;
    await renameInCrm(crmAgain, 'Approve me (Outlook says)', 'Merge me (CRM)');
    await syncNow();
    await page.getByText('Pending (1)').waitFor({ timeout: 300_000 });
    await compare.getByText('Room Outlook').waitFor();
    await page
      .locator('crm-pending-list crm-item-compare')
      .locator(ax('radiogroup', 'Subject from', { exact: true }))
      .locator(ax('radio', 'CRM', { exact: true }))
      .click();
    await page.screenshot({ path: artifactPath('demo-conflict-merge.png'), fullPage: true });
    await paneShot('conflict', 'crm-pending-list');
    await page.locator(ax('button', 'Keep this merge on both sides')).click();
    await page.getByText('Pending (0)').waitFor({ timeout: 300_000 });
    const mergedEvent = mailbox().state.events[again.id]!;
    expect([
      mergedEvent.fields.subject,
      (mergedEvent.fields.location as { displayName: string }).displayName,
    ]).to.deep.equal(['Merge me (CRM)', 'Room Outlook']);
    const mergedCrm = (await crmItems()).find((i) => summaryOf(i.body) === 'Merge me (CRM)')!;
    expect(mergedCrm.body).to.match(/\r\nLOCATION[^:]*:Room Outlook\r\n/);
    await page.getByRole('tab', { name: 'Conflicts' }).click();
    await setChecked(page.locator(ax('checkbox', 'Open the conflict resolution screen')), false);
    await page.locator(ax('button', 'Save')).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect(errors).to.deep.equal([]);
  });

  it('a reload in the middle of a sync loses nothing and duplicates nothing', async () => {
    const day = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    for (let n = 0; n < 12; n++) {
      const hour = String(8 + (n % 8)).padStart(2, '0');
      await addToCrm(`e2e-reload-${n}`, `Reload ${n}`, `${day}T${hour}0000Z`, `${day}T${hour}3000Z`);
    }
    // A slow "Outlook", so that the reload lands among the writes.
    demo.emulator.setLatency(250);
    await page.locator('crm-sync-panel').locator(ax('button', 'Sync now')).click();
    await page.locator('crm-sync-panel [role="status"]', { hasText: /Writing: [1-9]/ }).waitFor({ timeout: 300_000 });
    await page.reload();
    demo.emulator.setLatency(0);
    await page.getByText(/Demo mode outside Outlook/).waitFor();
    // Requests cut by the reload are reported by the browser; they are the point of this test.
    errors.splice(0, errors.length, ...errors.filter((e) => !/ERR_ABORTED|net::ERR_/.test(e)));
    const written = outlookSubjects().filter((s) => s.startsWith('Reload ')).length;
    expect(written, 'the reload came before the end of the writes').to.be.below(12);
    await syncNow();
    const subjects = outlookSubjects().filter((s) => s.startsWith('Reload '));
    expect(subjects.sort()).to.deep.equal(Array.from({ length: 12 }, (_, n) => `Reload ${n}`).sort());
    const crm = (await crmItems()).map((i) => summaryOf(i.body)).filter((s) => s.startsWith('Reload '));
    expect(crm, 'nothing came back as a new CRM item').to.have.length(12);
    expect(errors).to.deep.equal([]);
  });

  it('a device killed in the middle of a run: the other waits, takes over when its lease expires, and loses and duplicates nothing (issue 15)', async () => {
    const day = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    for (let n = 0; n < 10; n++) {
      const hour = String(8 + (n % 8)).padStart(2, '0');
      await addToCrm(`e2e-killed-${n}`, `Killed ${n}`, `${day}T${hour}0000Z`, `${day}T${hour}3000Z`);
    }
    const other = await openPage(browser, `${demo.addinUrl}/taskpane.html`);
    await other.page.getByText(/Demo mode outside Outlook/).waitFor();
    demo.emulator.setLatency(250);
    try {
      await other.page.locator('crm-sync-panel').locator(ax('button', 'Sync now')).click();
      await other.page
        .locator('crm-sync-panel [role="status"]', { hasText: /Writing: [1-9]/ })
        .waitFor({ timeout: 300_000 });
      await other.page.context().close(); // the laptop's lid, a killed tab
    } finally {
      demo.emulator.setLatency(0);
    }
    // (A request already sent when the tab died may still land: counted once it has.)
    await new Promise((r) => setTimeout(r, 1500));
    const written = outlookSubjects().filter((s) => s.startsWith('Killed ')).length;
    expect(written, 'killed before the end of the writes').to.be.below(10);
    // Its lease still runs: this device waits and writes nothing beside it.
    await page.locator('crm-sync-panel').locator(ax('button', 'Sync now')).click();
    await page.locator('crm-sync-panel [role="alert"]', { hasText: 'running on another device' }).waitFor();
    expect(outlookSubjects().filter((s) => s.startsWith('Killed ')).length).to.equal(written);
    errors.splice(0, errors.length, ...errors.filter((e) => !(e.includes('/state/demo/lease') && e.includes('409'))));
    // The lease expires (at most 2 minutes): this device takes over, its recovery finishes the dead run.
    gatewayAhead += 3 * 60_000;
    await page.reload();
    await page.getByText(/Demo mode outside Outlook/).waitFor();
    await syncNow();
    const subjects = outlookSubjects().filter((s) => s.startsWith('Killed '));
    expect(subjects.sort()).to.deep.equal(Array.from({ length: 10 }, (_, n) => `Killed ${n}`).sort());
    const crm = (await crmItems()).map((i) => summaryOf(i.body)).filter((s) => s.startsWith('Killed '));
    expect(crm, 'nothing came back as a new CRM item').to.have.length(10);
    expect(await syncNow(), 'and then nothing to do').to.match(/Outlook\s*0\s*0\s*0\s*CRM\s*0\s*0\s*0/);
    expect(errors).to.deep.equal([]);
  });

  it('exports the error log to a file', async () => {
    const logFold = byRole(page, 'button', 'Error log', { exact: true });
    if (!(await page.locator('crm-log-viewer').isVisible())) await logFold.click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('crm-log-viewer').locator(ax('button', 'Export…')).click(),
    ]);
    expect(download.suggestedFilename()).to.match(/^crm-sync-log-\d{4}-\d{2}-\d{2}\.txt$/);
    const file = path.join(demo.dir, 'log.txt');
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).to.match(/\tinfo\t/);
  });

  it('serves every page with a Content-Security-Policy: no inline script runs, only the demo servers are reachable (issue 16)', async () => {
    for (const name of ['taskpane', 'crm-pane', 'dialog', 'auth-dialog', 'commands']) {
      const r = await page.request.get(`${demo.addinUrl}/${name}.html`);
      const csp = r.headers()['content-security-policy'] ?? '';
      expect(csp, name).to.include("script-src 'self';").and.include("object-src 'none'");
      expect(csp, name).not.to.match(/script-src[^;]*'unsafe-(inline|eval)'/);
      const connect = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(' ') ?? [];
      expect(connect, name).to.have.members([
        "'self'",
        new URL(demo.gatewayUrl).origin,
        new URL(demo.graphUrl).origin,
        'https://login.microsoftonline.com',
      ]);
    }
    // What an HTML injection would try: the browser refuses to run it (and says so on the console).
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.head.append(s);
      return (window as { __injected?: boolean }).__injected === true;
    });
    expect(ran).to.equal(false);
    const refused = errors.filter((e) => e.includes('Content Security Policy'));
    expect(refused).to.have.length(1);
    errors.splice(0, errors.length, ...errors.filter((e) => !refused.includes(e)));
    expect(errors).to.deep.equal([]);
  });

  it('hostile subjects from Outlook and the CRM render as text', async () => {
    const calendar = mailbox().state.calendars[0]!.id;
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    mailbox().createEvent(calendar, {
      subject: '<img src=x onerror="window.__xss=1">',
      body: { contentType: 'html', content: '<a href="javascript:window.__xss=2">click</a>' },
      start: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T11:00:00`, timeZone: 'UTC' },
    });
    await page.locator('crm-sync-panel').locator(ax('button', 'Preview')).click();
    const preview = page.locator('crm-sync-panel section').first();
    await preview.getByText('<img src=x onerror="window.__xss=1">').waitFor();
    await syncNow();
    await byRole(page, 'searchbox', 'Search the log').fill('onerror');
    await page.locator('crm-log-viewer li').first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).to.equal(undefined);
    expect(
      // A string, not a function: tsx would wrap a named inner function with a helper the page lacks.
      await page.evaluate(`(() => {
        const all = [];
        const walk = (root) => root.querySelectorAll('*').forEach((e) => {
          all.push(e);
          if (e.shadowRoot) walk(e.shadowRoot);
        });
        walk(document);
        return all.filter((e) => e.tagName === 'IMG' || (e.tagName === 'A' && /^javascript:/i.test(e.getAttribute('href') || ''))).length;
      })()`),
      'no element was made from the texts',
    ).to.equal(0);
    expect(errors).to.deep.equal([]);
  });

  it('a way back (issue 18): an overwritten version restored, and a whole run undone from the pane', async () => {
    const calendar = mailbox().state.calendars[0]!.id;
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const crmSubjects = async () => (await crmItems()).map((i) => summaryOf(i.body));
    mailbox().createEvent(calendar, {
      subject: 'Budget review',
      start: { dateTime: `${day}T14:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T15:00:00`, timeZone: 'UTC' },
    });
    await syncNow();
    const budget = (await crmItems()).find((i) => summaryOf(i.body) === 'Budget review')!;
    await renameInCrm(budget, 'Budget review', 'Budget review – wrong');
    await syncNow();
    expect(outlookSubjects()).to.include('Budget review – wrong');

    // Restore: Outlook's version the run overwrote goes back into Outlook, and the run after it carries
    // it to the CRM.
    const wayBack = page.locator('crm-way-back');
    await byRole(page, 'button', 'Undo and restore', { exact: true }).click();
    await byRole(wayBack, 'searchbox', 'Find by subject').fill('Budget');
    await wayBack
      .locator(ax('button', 'Restore in Outlook: Budget review', { exact: true }))
      .first()
      .click();
    await wayBack.getByText(/^Restored in Outlook/).waitFor({ timeout: 300_000 });
    await until(async () => (await crmSubjects()).includes('Budget review'));
    expect(outlookSubjects()).to.include('Budget review');
    expect(outlookSubjects()).not.to.include('Budget review – wrong');
    expect(await crmSubjects()).not.to.include('Budget review – wrong');

    // Undo: a run that carried an Outlook edit to the CRM and a new CRM item to Outlook.
    const event = Object.values(mailbox().state.events).find((e) => e.fields.subject === 'Budget review')!;
    mailbox().updateEvent(event.id, { subject: 'Budget review (Outlook)' });
    const compact = day.replaceAll('-', '');
    await addToCrm('undo-me', 'Undo me', `${compact}T080000Z`, `${compact}T090000Z`);
    await syncNow();
    expect(await crmSubjects()).to.include('Budget review (Outlook)');
    expect(outlookSubjects()).to.include('Undo me');
    const before = { outlook: outlookSubjects().sort(), crm: (await crmSubjects()).sort() };
    await wayBack
      .locator(ax('button', /^Undo…/))
      .first()
      .click();
    const preview = wayBack.getByRole('region', { name: /^Undo the run of/ });
    await preview.getByText('Created in Outlook — will be deleted').waitFor();
    await preview.getByText('Changed in CRM — the version before comes back').waitFor();
    await page.screenshot({ path: artifactPath('demo-undo-preview.png'), fullPage: true });
    await paneShot('undo', 'crm-way-back');
    await preview.locator(ax('button', 'Undo 2 items')).click();
    await wayBack.getByText('Undone: 2 items (now on the exception list). Left as they are: 0.').waitFor();
    const undone = {
      outlook: before.outlook.filter((s) => s !== 'Undo me').sort(),
      crm: before.crm.map((s) => (s === 'Budget review (Outlook)' ? 'Budget review' : s)).sort(),
    };
    expect({ outlook: outlookSubjects().sort(), crm: (await crmSubjects()).sort() }).to.deep.equal(undone);
    // Syncing again leaves both sides as they were before that run.
    await syncNow();
    expect({ outlook: outlookSubjects().sort(), crm: (await crmSubjects()).sort() }).to.deep.equal(undone);
    await byRole(page, 'button', 'Exception list (2)', { exact: true }).waitFor();
    await page.screenshot({ path: artifactPath('demo-way-back.png'), fullPage: true });
    // (The section stays open: the next test's axe-core run checks it too.)
    expect(errors).to.deep.equal([]);
  });

  it('the mass-delete stop lists what it would delete and brings it back from the other side (issue 18)', async () => {
    const crmSubjects = async () => (await crmItems()).map((i) => summaryOf(i.body));
    const crm = new Set(await crmSubjects());
    const kept = new Set(['Budget review', 'Budget review (Outlook)', 'Undo me', 'Dentist']);
    const victims = Object.values(mailbox().state.events)
      .filter((e) => crm.has(String(e.fields.subject)) && !kept.has(String(e.fields.subject)))
      .slice(0, 25);
    expect(victims).to.have.length(25);
    const names = victims.map((e) => String(e.fields.subject)).sort();
    for (const e of victims) mailbox().deleteEvent(e.id);
    const crmBefore = (await crmSubjects()).sort();
    await page.locator('crm-sync-panel').locator(ax('button', 'Sync now')).click();
    const stop = page.locator('crm-app section.mass-delete');
    await stop.getByRole('heading', { name: 'Stopped before deleting 25 items in CRM' }).waitFor();
    expect((await stop.locator('li').allTextContents()).sort()).to.deep.equal(names);
    await page.screenshot({ path: artifactPath('demo-mass-delete.png'), fullPage: true });
    await paneShot('mass-delete', 'crm-app section.mass-delete');
    // (The run after the restore is over when its report is shown: the button is enabled in between too.)
    const reportAt = () =>
      page.locator('crm-sync-panel section[data-started-at]').first().getAttribute('data-started-at');
    const reportBefore = await reportAt();
    await stop.locator(ax('button', 'Restore them in Outlook from CRM')).click();
    await until(async () => names.every((n) => outlookSubjects().includes(n)));
    await until(async () => (await reportAt()) !== reportBefore);
    await page
      .locator('crm-sync-panel')
      .locator(ax('button', 'Sync now'))
      .and(page.locator(':enabled'))
      .waitFor({ timeout: 300_000 });
    expect(await stop.count(), 'the stop is answered').to.equal(0);
    expect((await crmSubjects()).sort(), 'nothing deleted in the CRM').to.deep.equal(crmBefore);
    const again = await syncNow();
    expect(again).to.match(/Outlook\s*0\s*0\s*0\s*CRM\s*0\s*0\s*0/);
    expect(errors).to.deep.equal([]);
  });

  it('every settings tab: a screenshot, and axe-core finds no serious or critical violation', async () => {
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    // (Evaluated by the test's own channel: the page's Content-Security-Policy refuses inline scripts.)
    await page.evaluate(readFileSync(axePath, 'utf8'));
    for (const tab of TABS) {
      await page.getByRole('tab', { name: tab }).click();
      await page.screenshot({
        path: artifactPath(`demo-tab-${tab.toLowerCase().replace(/[^a-z]+/g, '-')}.png`),
        fullPage: true,
      });
      const violations = await axeViolations();
      expect(violations, tab).to.deep.equal([]);
    }
    expect(errors).to.deep.equal([]);
  });

  it('dark theme (issue 18): follows the system outside Outlook; axe-core finds no serious contrast or other violation', async () => {
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    await page.evaluate(readFileSync(axePath, 'utf8'));
    const background = () =>
      page.evaluate(`getComputedStyle(document.querySelector('crm-app')).backgroundColor`) as Promise<string>;
    expect(await background()).to.equal('rgb(255, 255, 255)');
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await until(async () => (await background()) === 'rgb(41, 41, 41)');
      for (const tab of TABS) {
        await page.getByRole('tab', { name: tab }).click();
        const violations = await axeViolations();
        expect(violations, `dark, ${tab}`).to.deep.equal([]);
      }
      await paneShot('dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await until(async () => (await background()) === 'rgb(255, 255, 255)');
    expect(errors).to.deep.equal([]);
  });

  it('at 320 and 380 px, in English and German, no tab scrolls sideways (issue 18)', async () => {
    const wide = () =>
      page.evaluate(`(() => {
        const e = document.scrollingElement;
        return { scroll: e.scrollWidth, width: e.clientWidth };
      })()`) as Promise<{ scroll: number; width: number }>;
    try {
      for (const lang of ['en', 'de'] as const) {
        await showIn(page, lang);
        for (const width of [320, 380]) {
          await page.setViewportSize({ width, height: 900 });
          const tabs = page.getByRole('tab');
          if (width === 380) {
            // The six tabs on one row (they wrapped onto three before Fluent's tab list and short names).
            const tops = new Set<number>();
            for (let i = 0; i < (await tabs.count()); i++) tops.add(Math.round((await tabs.nth(i).boundingBox())!.y));
            expect([...tops], `${lang}, 380 px: rows of tabs`).to.have.length(1);
          }
          for (let i = 0; i < (await tabs.count()); i++) {
            await tabs.nth(i).click();
            const { scroll, width: shown } = await wide();
            expect(
              scroll,
              `${lang}, ${width} px, tab ${i + 1}: content ${scroll} px wide in ${shown} px`,
            ).to.be.at.most(shown);
            if (width === 320)
              await page.screenshot({ path: artifactPath(`demo-${lang}-320-tab-${i + 1}.png`), fullPage: true });
            if (width === 380 && i === 1) {
              await page.locator('crm-settings-tabs').scrollIntoViewIfNeeded();
              await page.screenshot({ path: artifactPath(`readme-settings-${lang}.png`) });
            }
          }
        }
      }
    } finally {
      await showIn(page, 'outlook');
      await page.setViewportSize({ width: 1280, height: 720 });
    }
    expect(errors).to.deep.equal([]);
  });
});
