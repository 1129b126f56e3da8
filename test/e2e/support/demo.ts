/**
 * What the e2e suites do to the offline demo besides clicking: the CRM side edited straight on the
 * gateway (as another user of the CRM would), waiting for a state, and "Sync now" until its report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { putObject } from '../../../gateway/src/objects.js';
import { loadDevCertificate } from '../../../scripts/certs.js';
import { startDemoServers, type DemoServerOptions, type DemoServers } from '../../../scripts/demo-servers.js';
import { ax, launchChromium, openPage, root, type PageOptions } from './browser.js';

/** The offline demo of a test, and the folder its data is in. */
export type TestDemo = DemoServers & { readonly dir: string };

/**
 * The offline demo as `npm start` runs it, on free loopback ports, its data in a new temporary folder
 * named after `name` (the built add-in from dist/); `options` add to or replace the defaults.
 */
export async function startDemo(name: string, options: Partial<DemoServerOptions> = {}): Promise<TestDemo> {
  const dir = mkdtempSync(path.join(tmpdir(), `crm-${name}-`));
  const demo = await startDemoServers({
    dist: path.join(root, 'dist'),
    dataDir: dir,
    gatewayDb: path.join(dir, 'gateway.sqlite'),
    certificate: await loadDevCertificate(root),
    ports: { addin: 0, gateway: 0, graph: 0 },
    hostname: '127.0.0.1',
    ...options,
  });
  return Object.assign(demo, { dir });
}

/** Chromium with the demo's task pane open (its demo banner shown). */
export async function openDemo(
  demo: DemoServers,
  options?: PageOptions,
): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await launchChromium();
  const { page, errors } = await openPage(browser, `${demo.addinUrl}/taskpane.html`, options);
  await page.getByText(/Demo mode outside Outlook/).waitFor();
  return { browser, page, errors };
}

/** Closes the browser and the demo and removes the demo's data. */
export async function stopDemo(browser: Browser | undefined, demo: TestDemo | undefined): Promise<void> {
  await browser?.close();
  await demo?.close();
  if (demo) rmSync(demo.dir, { recursive: true, force: true });
}

/** An iCalendar object's SUMMARY. */
export const summaryOf = (body: string): string => /\r\nSUMMARY[^:]*:([^\r]*)/.exec(body)?.[1] ?? '';

/** The demo user's CRM activities as the gateway has them. */
export async function crmItems(demo: DemoServers): Promise<{ href: string; etag: string; body: string }[]> {
  const list = await demo.store.list('demo', 'activities');
  return demo.store.get(
    'demo',
    'activities',
    list.map((i) => i.href),
  );
}

/** A user's edit of a CRM item's subject, straight on the gateway. */
export const renameInCrm = (
  demo: DemoServers,
  item: { href: string; etag: string; body: string },
  from: string,
  to: string,
) =>
  putObject(demo.store, 'demo', 'activities', item.href, item.body.replace(`SUMMARY:${from}`, `SUMMARY:${to}`), {
    ifMatch: item.etag,
  });

/** A new CRM activity on the gateway; `start` and `end` are UTC `yyyymmddThhmmssZ`. */
export const addToCrm = (demo: DemoServers, name: string, summary: string, start: string, end: string) =>
  putObject(
    demo.store,
    'demo',
    'activities',
    `/dav/calendars/demo/activities/${name}.ics`,
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//e2e//EN',
      'BEGIN:VEVENT',
      `UID:${name}@crm.example`,
      'DTSTAMP:20261127T080000Z',
      `DTSTART:${start}`,
      `DTEND:${end}`,
      `SUMMARY:${summary}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
    { ifNoneMatch: true },
  );

/**
 * Polls `check` until it holds (300 s at most). Not page.waitForFunction: that evaluates a string
 * in the page, which the pages' Content-Security-Policy refuses (no eval).
 */
export async function until(check: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + 300_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('waited 300 s in vain');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks Sync now in `page` and waits for the report of a new run; its text. */
export async function syncNow(page: Page): Promise<string> {
  const button = page.locator('crm-sync-panel').locator(ax('button', 'Sync now'));
  await until(() =>
    page.evaluate(() => {
      const b = document
        .querySelector('crm-app')
        ?.shadowRoot?.querySelector('crm-sync-panel')
        ?.shadowRoot?.querySelector('fluent-button[appearance="primary"]');
      return b && !b.matches(':disabled');
    }),
  );
  // A run is over when a report of a new start time is shown, or a failure.
  const state = `(() => {
    const panel = document.querySelector('crm-app')?.shadowRoot?.querySelector('crm-sync-panel')?.shadowRoot;
    return [panel?.querySelector('section[data-started-at]')?.getAttribute('data-started-at') ?? '', !!panel?.querySelector('[role="alert"]')];
  })()`;
  const [before] = (await page.evaluate(state)) as [string, boolean];
  await button.click();
  // Generous: a run writes ~60 items over HTTPS; the CI machines lose the CPU for seconds at a time.
  await until(async () => {
    const [started, failed] = (await page.evaluate(state)) as [string, boolean];
    return failed || started !== before;
  });
  await page.locator('crm-sync-panel').locator(ax('button', 'Cancel')).waitFor({ state: 'detached', timeout: 300_000 });
  expect(await page.locator('crm-sync-panel [role="alert"]').count(), 'no failure').to.equal(0);
  const report = page.locator('crm-sync-panel section').first();
  await report.getByRole('heading', { name: /Last synchronization/ }).waitFor();
  return (await report.textContent()) ?? '';
}

/**
 * Shows the pane in `language` as a user picks it (opens the language list, clicks the option) and
 * waits for its title in that language; `outlook` goes back to Outlook's language.
 */
export async function showIn(page: Page, language: 'en' | 'de' | 'outlook'): Promise<void> {
  await page.locator(ax('combobox', /^(Language|Sprache)$/)).click();
  const option = { en: 'English', de: 'Deutsch', outlook: /^(As Outlook|Wie Outlook)$/ }[language];
  await page.locator(ax('option', option, { exact: true })).click();
  if (language !== 'outlook')
    await page
      .getByRole('heading', { level: 1, name: language === 'de' ? 'CRM-Kalendersynchronisation' : 'CRM Calendar Sync' })
      .waitFor();
}
