// Benchmark (not a test): requests the Outlook adapter sends to read a calendar of BENCH_EVENTS events
// (default 5,000) from the Graph emulator, then for an incremental run with nothing changed.
// Writes bench/results/graph.json as {"events","pageSize","initialRequests","incrementalRequests",…}.
// Targets (issue 6): initial read ≤ ceil(N / pagesize) + ceil(N / 20) requests (delta pages, then the
// extended properties in $batch of 20); an unchanged incremental run = 1 delta request per folder.
// The events are single events created by the CRM side (extended properties set), spread over the
// sync period. Exits 1 when a target is missed. BENCH_PAGE changes the page size (default 100).
import { activityToEvent } from '../src/adapters/graph/event-write.js';
import { GraphEventStore } from '../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../src/adapters/graph/graph-http.js';
import { CONTRACT_NOW, contractActivity } from '../test/contract/store-contract.js';
import { startGraphEmulator } from '@crm-sync/graph-emulator';
import { load, writeResults } from './support/results.js';

/** The machine's 1-minute load average when the benchmark starts (written into its file). */
const loadBefore = load();

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const PAGE = Number(process.env.BENCH_PAGE ?? 100);
const DAY = 86_400_000;

const emulator = await startGraphEmulator({ host: '127.0.0.1' });
try {
  const mailbox = emulator.mailbox('bench');
  const calendar = mailbox.state.calendars[0]!.id;
  // Seeded in-process (not through HTTP): only the adapter's requests are counted.
  for (let n = 0; n < EVENTS; n++) {
    const a = contractActivity(n, { subject: `Customer visit ${n}` });
    mailbox.createEvent(calendar, activityToEvent(a, { key: `crm:${a.crm!.activityId}` }));
  }
  const http = new GraphHttp({ baseUrl: `${emulator.url}/v1.0`, token: async () => 'dev:bench' });
  const store = new GraphEventStore(http, calendar, { pageSize: PAGE });
  // The contract items lie within 20 days after CONTRACT_NOW; the window covers them with room to spare.
  const window = { from: CONTRACT_NOW - 30 * DAY, to: CONTRACT_NOW + 180 * DAY };

  let t = performance.now();
  const initial = await store.changesSince(null, window);
  const initialMs = performance.now() - t;
  const initialRequests = http.stats().requests;
  if (initial.changed.length !== EVENTS)
    throw new Error(`the initial read returned ${initial.changed.length} of ${EVENTS} events`);

  t = performance.now();
  const incremental = await store.changesSince(initial.token, window);
  const incrementalMs = performance.now() - t;
  const incrementalRequests = http.stats().requests - initialRequests;
  if (incremental.changed.length || incremental.removed.length)
    throw new Error('the unchanged incremental run reported changes');

  const initialTarget = Math.ceil(EVENTS / PAGE) + Math.ceil(EVENTS / 20);
  const result = {
    events: EVENTS,
    pageSize: PAGE,
    initialRequests,
    incrementalRequests,
    initialTarget,
    incrementalTarget: 1,
    initialSeconds: Math.round(initialMs / 100) / 10,
    incrementalSeconds: Math.round(incrementalMs / 100) / 10,
    bytes: http.stats().bytes,
  };
  writeResults('graph', { ...result, loadBefore });
  const ok = initialRequests <= initialTarget && incrementalRequests <= 1;
  console.log(
    `bench:graph ${EVENTS} events, page ${PAGE}: initial ${initialRequests} requests (target ≤ ${initialTarget}, ` +
      `${result.initialSeconds} s), unchanged incremental ${incrementalRequests} (target 1, ${result.incrementalSeconds} s) — ` +
      (ok ? 'targets met' : 'TARGET MISSED'),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await emulator.close();
}
