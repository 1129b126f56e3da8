// The model-based test of the whole engine on memory stores (the commands, checks and oracle are in
// support/machine.ts). CRM_PROPERTY_RUNS sets the number of sequences (default 150 in Node, 30 in the
// browser, with a fixed seed; the long mode, with a fresh seed: CRM_PROPERTY_RUNS=20000, or
// npm run test:property-long). The same machine runs on the real adapters in
// test/node/sync-machine-adapters.property.test.ts.
import { after, describe, it } from 'node:test';
import { env, figuresLine, FULL_SIZE, runMachine } from './support/machine.js';
import { newWorld } from './support/sync-model.js';

const RUNS = Number(env?.CRM_PROPERTY_RUNS ?? (env ? 150 : 30));

describe('sync engine, model-based (fast-check commands)', () => {
  after(() => console.log(figuresLine('memory stores')));

  it(`keeps both sides in agreement through random edits, settings changes and faults (${RUNS} sequences)`, () =>
    runMachine({ world: newWorld, runs: RUNS, long: env?.CRM_PROPERTY_RUNS !== undefined, sizes: FULL_SIZE }));
});
