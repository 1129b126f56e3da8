#!/usr/bin/env node
// Runs the gateway: the bundle `npm run build:gateway` writes (gateway/dist/cli.mjs, plain Node, starts
// in a fraction of the time) when it is at least as new as every source file it was built from (the
// repository files esbuild's metafile lists); otherwise the TypeScript sources through tsx (a
// dependency), so a checkout runs without a build step and an edit never runs stale code.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)); // also right for paths with spaces, and on Windows
const root = path.join(here, '..'); // the metafile's paths are relative to the gateway workspace
const bundle = path.join(here, '../dist/cli.mjs');
const meta = path.join(here, '../dist/meta.json');

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = Object.keys(JSON.parse(readFileSync(meta, 'utf8')).inputs).filter(
      (f) => !f.includes('node_modules/'),
    );
    return inputs.length > 0 && inputs.every((f) => statSync(path.join(root, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
