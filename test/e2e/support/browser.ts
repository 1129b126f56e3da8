// Shared set-up of the end-to-end tests: the built add-in served over HTTPS on loopback (the same
// server npm start uses) and Debian's Chromium driven by playwright-core.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium, selectors, type Browser, type Locator, type Page } from 'playwright-core';
import { loadDevCertificate } from '../../../scripts/certs.js';
import { contentSecurityPolicy } from '../../../scripts/build-config.js';
import { startStaticServer, type StaticServer } from '../../../scripts/serve.js';

export const root = path.resolve(import.meta.dirname, '../../..');
export const artifacts = path.join(root, 'test-results');

/** The six tabs of the seed's settings dialog, as the English pane names them. */
export const TABS = ['Calendar', 'General', 'Sync', 'Conflicts', 'Other', 'Series'];

/** The flags every headless Chromium here needs (no sandbox as root, no calls to Google's hosts). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function serveDist(): Promise<StaticServer> {
  const cert = await loadDevCertificate(root);
  return startStaticServer({
    root: path.join(root, 'dist'),
    key: cert.key,
    cert: cert.cert,
    host: '127.0.0.1',
    csp: () =>
      contentSecurityPolicy({
        officeJsUrl: 'office-js/office.js',
        authority: 'https://login.microsoftonline.com/common',
        connect: [],
      }),
  });
}

/**
 * Finds elements by their role and accessible name as Chromium's accessibility tree has them
 * (`Element.computedRole` / `computedName`, Blink's ComputedAccessibilityInfo). The pane's controls are
 * Fluent 2 web components whose role comes from ElementInternals, which Playwright's own `getByRole`
 * does not see (microsoft/playwright#34264): this engine asks the browser, as a screen reader would.
 * Shadow roots are searched. Selector body: JSON `{ role, name?, exact?, pattern? }`; a name matches
 * as Playwright's does (case-insensitive substring, whole when `exact`; `pattern` is a RegExp source).
 */
// (A string, not a function: the test runner's compiler adds helpers to functions that do not exist
// in the page.)
const AX_ENGINE = `({
  // Asking Chromium for an element's role and name is slow (it brings the accessibility tree up to
  // date): only elements that can have the role are asked (a page has thousands of others).
  candidates: {
    button: 'button, fluent-button, [role="button"], input[type="button"], input[type="submit"]',
    checkbox: 'input[type="checkbox"], fluent-checkbox, [role="checkbox"]',
    combobox: 'select, [role="combobox"]',
    option: 'option, fluent-option, [role="option"]',
    radio: 'input[type="radio"], fluent-radio, [role="radio"]',
    radiogroup: 'fluent-radio-group, [role="radiogroup"]',
    searchbox: 'input[type="search"], [role="searchbox"]',
    tab: 'fluent-tab, [role="tab"]',
    textbox: 'input:not([type]), input[type="text"], input[type="url"], input[type="password"], input[type="email"], textarea, [role="textbox"]',
  },
  queryAll(root, body) {
    const q = JSON.parse(body);
    const norm = (s) => s.replace(/\\s+/g, ' ').trim();
    const matches = (name) =>
      q.pattern !== undefined
        ? new RegExp(q.pattern).test(norm(name))
        : q.name === undefined ||
          (q.exact ? norm(name) === q.name : norm(name).toLowerCase().includes(q.name.toLowerCase()));
    const selector = this.candidates[q.role] || '*';
    const found = [];
    const walk = (node) => {
      for (const el of node.querySelectorAll(selector))
        if (el.computedRole === q.role && matches(el.computedName || '')) found.push(el);
      for (const el of node.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(root);
    if (root.shadowRoot) walk(root.shadowRoot);
    return found;
  },
  query(root, body) {
    return this.queryAll(root, body)[0] || null;
  },
})`;

let axRegistered: Promise<void> | undefined;

export async function launchChromium(): Promise<Browser> {
  axRegistered ??= selectors.register('ax', { content: AX_ENGINE });
  await axRegistered;
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    args: [...CHROMIUM_FLAGS, '--enable-blink-features=ComputedAccessibilityInfo'],
  });
}

/**
 * The element of `role` named `name` in `scope`, by Chromium's accessibility tree (see AX_ENGINE):
 * the e2e suites' `getByRole` for Fluent's web components as well as native elements.
 */
export function byRole(
  scope: Page | Locator,
  role: string,
  name?: string | RegExp,
  options: { exact?: boolean } = {},
): Locator {
  return scope.locator(ax(role, name, options));
}

/** The selector of `byRole`, for a chain: `page.locator('crm-sync-panel').locator(ax('button', 'Sync now'))`. */
export const ax = (role: string, name?: string | RegExp, options: { exact?: boolean } = {}): string =>
  `ax=${JSON.stringify(name instanceof RegExp ? { role, pattern: name.source } : { role, name, exact: options.exact ?? false })}`;

/** Whether a control is disabled as the browser has it (`:disabled` covers Fluent's form controls too). */
export const isDisabled = (control: Locator): Promise<boolean> => control.evaluate((el) => el.matches(':disabled'));

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  readonly errors: string[];
}

/**
 * Outside an Office host, office.js opens a telemetry frame on this Microsoft host. Tests send traffic
 * to loopback only, so that request is stopped before it leaves the browser; it is the only one
 * tolerated, and any other request off loopback fails the test.
 */
const OFFICE_JS_TELEMETRY = 'telemetryservice.firstpartyapps.oaspapps.com';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface PageOptions {
  /** The browser's time zone (IANA; default: the machine's). */
  readonly timezoneId?: string;
  /** The page's clock starts at this time and runs on from it (Playwright's clock). */
  readonly clockAt?: Date;
}

export async function openPage(browser: Browser, url: string, options: PageOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    locale: 'en-US',
    ...(options.timezoneId && { timezoneId: options.timezoneId }),
  });
  if (options.clockAt) await context.clock.install({ time: options.clockAt });
  const errors: string[] = [];
  await context.route(
    (u) => !LOOPBACK.has(u.hostname),
    (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host !== OFFICE_JS_TELEMETRY) errors.push(`request off loopback: ${route.request().url()}`);
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  const offLoopback = (u: string) => !LOOPBACK.has(new URL(u).hostname);
  page.on('console', (msg) => {
    // The blocked telemetry frame logs its own failure; everything else is an error of ours.
    const demoProbe = msg.location().url?.endsWith('/demo-config.json') && msg.text().includes('404');
    if (msg.type() === 'error' && !demoProbe && !(msg.location().url && offLoopback(msg.location().url))) {
      errors.push(`console: ${msg.text()} (${msg.location().url})`);
    }
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => {
    if (!offLoopback(req.url()))
      errors.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  page.on('response', (res) => {
    // The pane asks for demo-config.json to find npm start's demo; elsewhere it is absent by design.
    if (res.status() === 404 && new URL(res.url()).pathname === '/demo-config.json') return;
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  // Generous: these are not timing checks (benchmarks measure speed), and the virtual machines the
  // suites run on lose the CPU for seconds at a time; a development bundle took 25 s to load in CI.
  page.setDefaultTimeout(60_000);
  await page.goto(url, { timeout: 120_000 });
  return { page, errors };
}

export function artifactPath(name: string): string {
  mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}

/**
 * Ticks or unticks a checkbox by a user's click, as Playwright's check() would (which knows only native
 * checkboxes and ARIA attributes, not Fluent's checkbox), and checks that it took.
 */
export async function setChecked(box: Locator, on: boolean): Promise<void> {
  const state = () => box.evaluate((el) => (el as HTMLInputElement).checked);
  if ((await state()) !== on) await box.click();
  if ((await state()) !== on) throw new Error(`the checkbox did not become ${on ? 'ticked' : 'unticked'}`);
}
