// The model-based test (test/core/support/machine.ts) on the real adapters: the engine syncs a CRM
// user of the reference gateway (CalDAV store, SQLite) with a mailbox of the Graph emulator (Graph
// event and task stores), and the user edits both through the same adapters. Slower than the memory
// run, so npm test runs few (6), smaller sequences with a fixed seed; the long mode, with a fresh seed:
// CRM_ADAPTER_PROPERTY_RUNS=200 (and CRM_ADAPTER_PROPERTY_SIZE=full for 20–200 items a side), or
// npm run test:property-adapters-long. CRM_PROPERTY_SEED / _PATH / _TRACE replay a failure as there.
import { after, before, describe, it } from 'node:test';
import { env, figuresLine, FULL_SIZE, runMachine, type Sizes } from '../core/support/machine.js';
import { startServers, type Servers } from './support/model-adapters.js';

const RUNS = Number(env?.CRM_ADAPTER_PROPERTY_RUNS ?? 6);
/** npm test's sequences: 10–60 items a side, 15–40 commands. */
const SMALL: Sizes = { oneSide: [5, 30], shared: [5, 20], commands: [15, 40] };
const SIZES = env?.CRM_ADAPTER_PROPERTY_SIZE === 'full' ? FULL_SIZE : SMALL;

let servers: Servers;
before(async () => {
  servers = await startServers();
});
after(async () => {
  await servers?.close();
});

describe('sync engine, model-based, through the real adapters (gateway + Graph emulator)', () => {
  after(() => console.log(figuresLine('gateway + Graph emulator')));

  it(`keeps both sides in agreement through random edits, settings changes and faults (${RUNS} sequences)`, () =>
    runMachine({
      world: (p) => servers.world(p),
      runs: RUNS,
      long: env?.CRM_ADAPTER_PROPERTY_RUNS !== undefined,
      sizes: SIZES,
    }));
});
