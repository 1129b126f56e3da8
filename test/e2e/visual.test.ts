// Visual references (issue 18): the pane's main screens — every settings tab, the report, a change
// waiting in Pending, a conflict and the error log — at 320 and 380 px, in English and German, in the
// light and the dark theme, compared pixel by pixel with the pictures committed in test/e2e/visual/.
//
// The demo is laid out around a fixed time and the page's clock starts there (Playwright's clock), in
// one time zone, so dates and the demo's items are the same on every run. What still changes from run
// to run is masked: the report's start time, the run chart's time axis, the log's times and the
// "Changed" times of a conflict (the Graph emulator stamps them with its own clock), and the gateway's
// address (a free port).
//
// A difference fails the test and leaves the new picture and a picture of the differences in
// test-results/visual/. After an intended change of the pane's look: `npm run test:visual:update`,
// look at the pictures, commit them.
import { after, before, describe, it } from 'node:test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PNG } from 'pngjs';
import type { Browser, Locator, Page } from 'playwright-core';
import { artifactPath, ax, byRole, root, setChecked } from './support/browser.js';
import {
  crmItems,
  openDemo,
  renameInCrm,
  showIn,
  startDemo,
  stopDemo,
  summaryOf,
  type TestDemo,
  syncNow,
  until,
} from './support/demo.js';

/** The demo's time: a Monday morning in Walldorf. */
const T0 = new Date('2026-12-07T08:00:00Z');
const ZONE = 'Europe/Berlin';
const REFERENCES = path.join(root, 'test', 'e2e', 'visual');
const UPDATE = process.env.UPDATE_VISUAL === '1';
/**
 * A pixel differs when one of its channels differs by more than CHANNEL (of 255); a picture passes
 * with at most SHARE of its pixels different (anti-aliasing may vary; a changed word or colour does
 * not hide in 0.1 %: one letter of 12 px text is ~80 pixels of a 380 × 300 picture, 0.07 %, and a
 * moved line or box changes far more).
 */
const CHANNEL = 40;
const SHARE = 0.001;

/** How two pictures differ: undefined when within the tolerance. */
function difference(expected: PNG, actual: PNG): { text: string; diff?: PNG } | undefined {
  if (expected.width !== actual.width || expected.height !== actual.height)
    return { text: `size ${actual.width}×${actual.height}, reference ${expected.width}×${expected.height}` };
  const diff = new PNG({ width: actual.width, height: actual.height });
  let different = 0;
  for (let i = 0; i < actual.data.length; i += 4) {
    let off = false;
    for (let c = 0; c < 3; c++) if (Math.abs(actual.data[i + c]! - expected.data[i + c]!) > CHANNEL) off = true;
    if (off) different++;
    // The differences in red over a faded copy of the reference.
    const grey = (expected.data[i]! + expected.data[i + 1]! + expected.data[i + 2]!) / 3;
    diff.data[i] = off ? 255 : 200 + grey / 5;
    diff.data[i + 1] = off ? 0 : 200 + grey / 5;
    diff.data[i + 2] = off ? 0 : 200 + grey / 5;
    diff.data[i + 3] = 255;
  }
  const share = different / (actual.width * actual.height);
  return share > SHARE ? { text: `${different} pixels differ (${(share * 100).toFixed(2)} %)`, diff } : undefined;
}

describe('visual references: the main screens at 320 and 380 px, English and German, light and dark (issue 18)', () => {
  let demo: TestDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const started = Date.now();

  before(async () => {
    demo = await startDemo('visual-e2e', {
      now: T0,
      gatewayClock: () => T0.getTime() + (Date.now() - started),
    });
    ({ browser, page, errors } = await openDemo(demo, { timezoneId: ZONE, clockAt: T0 }));
  });
  after(() => stopDemo(browser, demo));

  const mailbox = () => demo.emulator.mailbox('demo');

  /** The demo after two runs: a change that waits for approval and a conflict in Pending, a log. */
  async function arrange(): Promise<void> {
    await page.getByRole('tab', { name: 'Conflicts' }).click();
    await setChecked(page.locator(ax('checkbox', 'Ask before changing items')), true);
    await setChecked(page.locator(ax('checkbox', 'Open the conflict resolution screen')), true);
    await page.locator(ax('button', 'Save')).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    await syncNow(page);
    // A conflict: the same meeting changed in Outlook and in the CRM.
    const lunch = Object.values(mailbox().state.events).find(
      (e) => e.fields.subject === 'Lunch with Contoso purchasing',
    )!;
    mailbox().updateEvent(lunch.id, {
      subject: 'Lunch with Contoso purchasing (moved)',
      location: { displayName: 'Canteen, building 3' },
    });
    const items = await crmItems(demo);
    const crmLunch = items.find((i) => summaryOf(i.body) === 'Lunch with Contoso purchasing')!;
    await renameInCrm(demo, crmLunch, 'Lunch with Contoso purchasing', 'Lunch with Contoso (CRM)');
    // A change from the CRM that waits for approval.
    const call = items.find((i) => summaryOf(i.body) === 'Sales team call')!;
    await renameInCrm(demo, call, 'Sales team call', 'Sales team call – new agenda');
    await syncNow(page);
    await page.getByText('Pending (2)').waitFor();
    expect(errors).to.deep.equal([]);
  }

  interface Screen {
    readonly name: string;
    /** Brings the screen up; the element to picture. */
    show(): Promise<Locator>;
    /** What changes from run to run, painted over. */
    readonly mask?: readonly string[];
  }

  const fold = async (heading: RegExp) => {
    const button = byRole(page, 'button', heading);
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  };
  const pendingRow = (subject: string) =>
    page.locator('crm-pending-list li').filter({ has: page.locator('.subject', { hasText: subject }) });

  const SCREENS: readonly Screen[] = [
    ...[1, 2, 3, 4, 5, 6].map((n): Screen => ({
      name: `tab-${n}`,
      show: async () => {
        await page
          .getByRole('tab')
          .nth(n - 1)
          .click();
        return page.locator('crm-settings-tabs');
      },
      mask: ['crm-settings-form fluent-text-input[type="url"]'],
    })),
    {
      name: 'report',
      show: async () => page.locator('crm-sync-panel'),
      mask: ['crm-sync-panel #report-h', 'crm-run-chart .x-axis'],
    },
    {
      name: 'pending',
      show: async () => {
        await fold(/^(Pending|Ausstehend)/);
        return pendingRow('Sales team call');
      },
    },
    {
      name: 'conflict',
      show: async () => {
        await fold(/^(Pending|Ausstehend)/);
        return pendingRow('Lunch with Contoso');
      },
      mask: ['crm-item-compare tr.modified td'],
    },
    {
      name: 'log',
      show: async () => {
        await fold(/^(Error log|Fehlerprotokoll)/);
        // (One meeting's lines: the lines of one run have the same time, in the order its writes ended.)
        await byRole(page, 'searchbox', /^(Search the log|Protokoll durchsuchen)$/).fill('Lunch');
        return page.locator('crm-log-viewer');
      },
      mask: ['crm-log-viewer time'],
    },
  ];

  const background = () =>
    page.evaluate(`getComputedStyle(document.querySelector('crm-app')).backgroundColor`) as Promise<string>;

  it('every tab, the report, Pending, a conflict and the error log match their references', async () => {
    await arrange();
    const failures: string[] = [];
    let compared = 0;
    try {
      for (const lang of ['en', 'de'] as const) {
        await showIn(page, lang);
        for (const theme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: theme });
          await until(
            async () => (await background()) === (theme === 'dark' ? 'rgb(41, 41, 41)' : 'rgb(255, 255, 255)'),
          );
          for (const width of [320, 380]) {
            await page.setViewportSize({ width, height: 900 });
            for (const screen of SCREENS) {
              const name = `${screen.name}-${lang}-${theme}-${width}`;
              const element = await screen.show();
              // No hover or focus ring of the last click in the picture.
              await page.mouse.move(0, 0);
              await page.evaluate('document.activeElement && document.activeElement.blur()');
              await page.evaluate('document.fonts.ready');
              const shot = await element.screenshot({
                animations: 'disabled',
                mask: (screen.mask ?? []).map((m) => page.locator(m)),
                maskColor: '#ff00ff',
              });
              const file = path.join(REFERENCES, `${name}.png`);
              if (UPDATE) {
                mkdirSync(REFERENCES, { recursive: true });
                writeFileSync(file, shot);
                continue;
              }
              compared++;
              const problem = existsSync(file)
                ? difference(PNG.sync.read(readFileSync(file)), PNG.sync.read(shot))
                : { text: 'no reference (npm run test:visual:update writes it)' };
              if (!problem) continue;
              failures.push(`${name}: ${problem.text}`);
              mkdirSync(artifactPath('visual'), { recursive: true });
              writeFileSync(artifactPath(`visual/${name}.png`), shot);
              if (problem.diff) writeFileSync(artifactPath(`visual/${name}.diff.png`), PNG.sync.write(problem.diff));
            }
          }
        }
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await showIn(page, 'outlook');
    }
    expect(failures, 'pictures that differ from test/e2e/visual/').to.deep.equal([]);
    if (!UPDATE) expect(compared).to.equal(SCREENS.length * 8);
    expect(errors).to.deep.equal([]);
  });
});
