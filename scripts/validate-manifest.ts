// `npm run validate`: the offline manifest checks against the last build in dist/, then Microsoft's
// online validator (office-addin-manifest validate) when its service can be reached.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { DEV_BASE_URL } from './build-config.js';
import { checkManifest } from './manifest/check.js';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const manifest = path.join(dist, 'manifest.xml');
if (!existsSync(manifest)) {
  console.error('dist/manifest.xml does not exist: run "npm run build:dev" (or "npm run build") first.');
  process.exit(2);
}
const xml = readFileSync(manifest, 'utf8');
const baseUrl = /<SourceLocation DefaultValue="(https:\/\/[^"]+?)\/taskpane\.html"/.exec(xml)?.[1] ?? DEV_BASE_URL;
const problems = checkManifest(xml, { distDir: dist, baseUrl });
if (problems.length) {
  console.error(`Offline check: ${problems.length} problem(s) in dist/manifest.xml`);
  for (const p of problems) console.error(`  - ${p}`);
} else {
  console.log('Offline check: dist/manifest.xml is valid for every part this add-in uses.');
}

// The online validator posts the manifest to Microsoft's validation service.
const host = 'validationgateway.omex.office.net';
const reachable = await new Promise<boolean>((resolve) => {
  const req = https.request({ host, method: 'HEAD', path: '/', timeout: 5000 }, () => resolve(true));
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => resolve(false));
  req.end();
});
let onlineFailed = false;
if (!reachable) {
  console.log(`Online check: skipped — Microsoft's validation service (${host}) cannot be reached from this machine.`);
} else {
  const code = await new Promise<number>((resolve) => {
    // Fetched on demand: the validator is only useful where its online service is reachable.
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const child = spawn(npx, ['--yes', 'office-addin-manifest', 'validate', manifest], { stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  onlineFailed = code !== 0;
  console.log(onlineFailed ? 'Online check: failed (see above).' : 'Online check: passed.');
}
process.exit(problems.length || onlineFailed ? 1 : 0);
