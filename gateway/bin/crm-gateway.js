#!/usr/bin/env node
// Runs the gateway: the bundle `npm run build:gateway` writes (gateway/dist/cli.mjs, plain Node, starts
// in a fraction of the time) when it is at least as new as every source file; otherwise the
// TypeScript sources through tsx (a dependency), so a checkout runs without a build step.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const bundle = path.join(here, '../dist/cli.mjs');
const sources = path.join(here, '../src');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource(sources);
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
