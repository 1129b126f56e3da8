// Benchmark (not a test): what the task pane costs before it shows anything. Builds the add-in for
// production into a temporary folder, then
// - initialJsGzipKB: gzip size (level 9) of our JavaScript taskpane.html loads before its first render
//   (its <script> tags; office.js is Microsoft's, from their CDN in production, reported apart);
// - firstRenderMs: time from navigation to the pane's title being on screen in headless Chromium
//   (Debian's), median of BENCH_RUNS (default 7) cold loads from a loopback HTTPS server;
// - settingsMs: time until the first settings tab shows its fields (the services, the profile and the
//   settings' elements load after the first render), same runs; settingsJsGzipKB: gzip size of all of
//   our JavaScript the page had loaded by then.
// Writes bench/results/ui.json as {"initialJsGzipKB":…,"firstRenderMs":…,"settingsMs":…}.
// Targets: ≤ 60 KB and ≤ 500 ms before the first render, settings on screen ≤ 1,000 ms.
// Exits 1 when a target is missed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import webpack from 'webpack';
import { loadDevCertificate } from '../scripts/certs.js';
import { startStaticServer } from '../scripts/serve.js';
import { launchChromium } from '../test/e2e/support/browser.js';
import webpackConfig from '../webpack.config.js';
import { load, writeResults } from './support/results.js';

/** The machine's 1-minute load average when the benchmark starts (written into its file). */
const loadBefore = load();

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const root = path.resolve(import.meta.dirname, '..');
const out = mkdtempSync(path.join(tmpdir(), 'crm-bench-ui-'));

try {
  process.env.ADDIN_BASE_URL ??= 'https://localhost:3000';
  process.env.OFFICE_JS_LOCAL = '1'; // no internet here: office.js from the package, as in development
  const config = webpackConfig({}, { mode: 'production' });
  config.output = { ...config.output, path: out };
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    webpack(config, (error, s) => (error || !s ? reject(error) : resolve(s))),
  );
  if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));

  const html = readFileSync(path.join(out, 'taskpane.html'), 'utf8');
  // The production HTML is minified: attribute values may come without quotes.
  const scripts = [...html.matchAll(/<script[^>]*\ssrc=["']?([^"'\s>]+)/g)].map((m) => m[1]!);
  if (!scripts.length) throw new Error('taskpane.html names no script: the benchmark cannot read it');
  const gz = (file: string) => gzipSync(readFileSync(path.join(out, file)), { level: 9 }).length / 1024;
  const ours = scripts.filter((s) => !s.startsWith('office-js/'));
  const initialJsGzipKB = Math.round(ours.reduce((sum, s) => sum + gz(s), 0) * 10) / 10;
  const officeJsGzipKB =
    Math.round(scripts.filter((s) => s.startsWith('office-js/')).reduce((sum, s) => sum + gz(s), 0) * 10) / 10;

  const cert = await loadDevCertificate(root);
  const server = await startStaticServer({ root: out, key: cert.key, cert: cert.cert, host: '127.0.0.1' });
  const browser = await launchChromium();
  const times: number[] = [];
  const settingsTimes: number[] = [];
  let settingsJsGzipKB = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
      // Loopback only: office.js's telemetry frame is stopped before it leaves the machine.
      await context.route(
        (u) => !['127.0.0.1', 'localhost'].includes(u.hostname),
        (r) => r.abort('blockedbyclient'),
      );
      const page = await context.newPage();
      await page.goto(`${server.origin}/taskpane.html`, { waitUntil: 'commit' });
      const ms = await page.evaluate(
        `new Promise((resolve) => {
          const check = () => {
            const h = document.querySelector('crm-app')?.shadowRoot?.querySelector('h1');
            if (h && h.getBoundingClientRect().height > 0) requestAnimationFrame(() => resolve(performance.now()));
            else requestAnimationFrame(check);
          };
          check();
        })`,
      );
      times.push(Number(ms));
      const settings = await page.evaluate(
        `new Promise((resolve) => {
          const check = () => {
            const form = document.querySelector('crm-app')?.shadowRoot?.querySelector('crm-settings-form');
            const field = form?.shadowRoot?.querySelector('.field');
            if (field && field.getBoundingClientRect().height > 0)
              requestAnimationFrame(() =>
                resolve([performance.now(), performance.getEntriesByType('resource').map((e) => e.name)]),
              );
            else requestAnimationFrame(check);
          };
          check();
        })`,
      );
      const [settingsAt, loaded] = settings as [number, string[]];
      settingsTimes.push(settingsAt);
      const files = loaded
        .map((u) => new URL(u).pathname.slice(1))
        .filter((f) => f.endsWith('.js') && !f.startsWith('office-js/'));
      settingsJsGzipKB = Math.round([...new Set([...ours, ...files])].reduce((sum, f) => sum + gz(f), 0) * 10) / 10;
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  times.sort((a, b) => a - b);
  settingsTimes.sort((a, b) => a - b);
  const firstRenderMs = Math.round(times[Math.floor(times.length / 2)]!);
  const settingsMs = Math.round(settingsTimes[Math.floor(settingsTimes.length / 2)]!);
  const result = {
    initialJsGzipKB,
    firstRenderMs,
    settingsMs,
    settingsJsGzipKB,
    officeJsGzipKB,
    scripts: ours,
    runsMs: times.map((t) => Math.round(t)),
  };
  writeResults('ui', { ...result, loadBefore });
  const ok = initialJsGzipKB <= 60 && firstRenderMs <= 500 && settingsMs <= 1000;
  console.log(
    `bench:ui task pane: ${initialJsGzipKB} KB gzip of our JS before the first render (target ≤ 60; office.js ` +
      `${officeJsGzipKB} KB apart), first render ${firstRenderMs} ms (median of ${RUNS}, target ≤ 500), settings on screen ${settingsMs} ms ` +
      `(target ≤ 1,000; ${settingsJsGzipKB} KB of our JS by then) — ` +
      (ok ? 'targets met' : 'TARGET MISSED'),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
