// Shared set-up of the end-to-end tests: the built add-in served over HTTPS on loopback (the same
// server npm start uses) and Debian's Chromium driven by playwright-core.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadDevCertificate } from '../../../scripts/certs.js';
import { startStaticServer, type StaticServer } from '../../../scripts/serve.js';

export const root = path.resolve(import.meta.dirname, '../../..');
export const artifacts = path.join(root, 'test-results');

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
  return startStaticServer({ root: path.join(root, 'dist'), key: cert.key, cert: cert.cert, host: '127.0.0.1' });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  readonly errors: string[];
}

export async function openPage(browser: Browser, url: string): Promise<WatchedPage> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  await page.goto(url);
  return { page, errors };
}

export function artifactPath(name: string): string {
  mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}
