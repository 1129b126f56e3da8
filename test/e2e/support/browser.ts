// Shared set-up of the end-to-end tests: the built add-in served over HTTPS on loopback (the same
// server npm start uses) and Debian's Chromium driven by playwright-core.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadDevCertificate } from '../../../scripts/certs.js';
import { contentSecurityPolicy } from '../../../scripts/build-config.js';
import { startStaticServer, type StaticServer } from '../../../scripts/serve.js';

export const root = path.resolve(import.meta.dirname, '../../..');
export const artifacts = path.join(root, 'test-results');

/** The six tabs of the seed's settings dialog, as the English pane names them. */
export const TABS = [
  'SAP CRM Calendar Properties',
  'General',
  'Sync Properties',
  'Conflict Resolution',
  'Miscellaneous',
  'Series / Private',
];

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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

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

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
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
