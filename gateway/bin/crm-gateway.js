#!/usr/bin/env node
// Runs the gateway's TypeScript sources through tsx (a dependency), so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
