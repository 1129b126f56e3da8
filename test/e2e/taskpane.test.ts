// The built task pane, opened over HTTPS outside Office in Chromium: title, the six tabs of the seed,
// keyboard navigation, no console error; a screenshot is kept in test-results/.
import { after, before, describe, it } from 'node:test';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { StaticServer } from '../../scripts/serve.js';
import { artifactPath, ax, isDisabled, launchChromium, openPage, serveDist, TABS } from './support/browser.js';

describe('task pane in Chromium, outside Office', () => {
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    server = await serveDist();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders its title and the six tabs with no console error', async () => {
    const { page, errors } = await openPage(browser, `${server.origin}/taskpane.html`);
    await page.getByRole('heading', { name: 'CRM Calendar Sync' }).waitFor({ timeout: 60_000 });
    // The settings appear once the profile is loaded from this browser's storage.
    await page.getByRole('tab').first().waitFor({ timeout: 60_000 });
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs.map((t) => t.trim())).to.deep.equal(TABS);
    // Outside Office the pane says so (demo mode).
    await page.getByText(/Running outside Outlook/).waitFor();
    // Nothing is configured in this browser: the sync buttons are off and the pane says what is missing.
    await page.getByText(/Enter and save the gateway address/).waitFor();
    expect(await isDisabled(page.locator(ax('button', 'Sync now')))).to.equal(true);
    await page.getByRole('tab', { name: 'General' }).click();
    await page.getByText(/can be chosen when the pane runs in Outlook/).waitFor();
    await page.getByRole('tab', { name: TABS[0] }).click();
    await page.screenshot({ path: artifactPath('taskpane.png'), fullPage: true });
    expect(errors).to.deep.equal([]);
  });

  it('moves between tabs with the arrow keys and shows the selected panel', async () => {
    const { page, errors } = await openPage(browser, `${server.origin}/taskpane.html`);
    const first = page.getByRole('tab', { name: TABS[0] });
    await first.waitFor({ timeout: 60_000 });
    await first.focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'General' }).getAttribute('aria-selected')).to.equal('true');
    await page.keyboard.press('End');
    const last = page.getByRole('tab', { name: 'Series' });
    expect(await last.getAttribute('aria-selected')).to.equal('true');
    expect(await page.getByRole('tabpanel').count()).to.equal(1);
    await page.screenshot({ path: artifactPath('taskpane-series-tab.png'), fullPage: true });
    expect(errors).to.deep.equal([]);
  });

  it('serves the SAP CRM pane, the dialog and the commands page without errors', async () => {
    for (const [file, text] of [
      ['crm-pane.html', /Open this pane from an appointment/],
      ['dialog.html', /Open this screen from the CRM Sync pane/],
    ] as const) {
      const { page, errors } = await openPage(browser, `${server.origin}/${file}`);
      await page.getByText(text).waitFor({ timeout: 60_000 });
      await page.screenshot({ path: artifactPath(file.replace('.html', '.png')) });
      expect(errors, file).to.deep.equal([]);
    }
    const { page, errors } = await openPage(browser, `${server.origin}/commands.html`);
    await page.waitForLoadState('load');
    expect(errors, 'commands.html').to.deep.equal([]);
  });
});
