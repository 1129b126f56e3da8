// Benchmark (not a test): our sync engine against vdirsyncer (Debian) on the same two calendars —
// two Radicale calendars, then two calendars of our gateway — and ours alone from the gateway into
// Outlook (the Graph emulator in a process of its own; only Graph's side counted) — with N realistic events (series,
// all-day items, attendees, alarms, CRM X-properties) in calendar A and B empty: the first sync, an
// unchanged sync, and a sync after 10 events changed in A. For each: wall time, the tool's CPU, the
// server's CPU, and the requests and bytes a counting proxy in front of the server saw. Every phase
// checks its result (B holds N events, the 10 edits arrived) and the file says so.
// Writes bench/results/sync.json. Needs radicale and vdirsyncer (Debian packages).
// BENCH_SIZES (default 1000,10000), BENCH_SERVERS (radicale,gateway,graph), BENCH_TOOLS (ours,vdirsyncer)
// limit the runs; BENCH_PEER_LIMIT_S (default 3600) stops a vdirsyncer phase that runs longer (the
// file then says it did not finish).
// Each tool runs on a fresh server holding the same data; the machine is let go quiet (1-minute load
// average below half the CPUs) before each tool's runs, and the load average is recorded.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { hashPassword } from '@crm-sync/gateway/auth';
import { putObject } from '@crm-sync/gateway/objects';
import { SqliteStore } from '@crm-sync/gateway/store/sqlite';
import { CalDavStore } from '../src/adapters/caldav/caldav-store.js';
import { DavHttp } from '../src/adapters/caldav/dav-http.js';
import { GraphEventStore } from '../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../src/adapters/graph/graph-http.js';
import type { ChangeSet, StorePort } from '../src/core/ports/store.js';
import { MemoryHistory, MemoryLog, MemoryStatusStore } from '../src/adapters/memory/memory-state.js';
import { defaultProfile } from '../src/core/profile/profile.js';
import { runSync } from '../src/core/sync/engine.js';
import type { Side } from '../src/core/sync/types.js';
import { freePort } from '../scripts/net.js';
import { benchEvent } from './support/events.js';
import {
  basicAuth,
  cleanup,
  cpuSeconds,
  load,
  needTools,
  quiet,
  RADICALE_CALENDAR_PROPS,
  scratch,
  writeResults,
  start,
  startRadicale,
  waitFor,
  type Started,
} from './support/processes.js';

const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const SIZES = list('BENCH_SIZES', '1000,10000').map(Number);
const SERVERS = list('BENCH_SERVERS', 'radicale,gateway,graph') as ('radicale' | 'gateway' | 'graph')[];
const TOOLS = list('BENCH_TOOLS', 'ours,vdirsyncer') as ('ours' | 'vdirsyncer')[];
const PEER_LIMIT_S = Number(process.env.BENCH_PEER_LIMIT_S ?? 3600);
/** Our CalDAV requests in flight at once (DavHttp's default when unset). */
const DAV_IN_FLIGHT = process.env.BENCH_DAV_IN_FLIGHT ? Number(process.env.BENCH_DAV_IN_FLIGHT) : undefined;
/** Keep the rows of the last file that this run does not measure again (a part measured anew). */
const MERGE = process.env.BENCH_MERGE === '1';
const CHANGED = 10;
/** Events lie within this many days of today; the profile's period covers them. */
const SPREAD_DAYS = 300;
const DAY = 86_400_000;
const root = path.resolve(import.meta.dirname, '..');
const NOW = Date.now();

needTools('bench:sync', [
  ...(SERVERS.includes('radicale') ? ['radicale'] : []),
  ...(TOOLS.includes('vdirsyncer') ? ['vdirsyncer'] : []),
]);

const USERS = { a: ['bench-a', 'pw-a-bench'], b: ['bench-b', 'pw-b-bench'] } as const;
type Cal = keyof typeof USERS;

/** A server with calendars A (N events) and B (empty), each of its own user. */
interface Server {
  readonly started: Started;
  /** The collection URL of calendar `c` through `origin`. */
  readonly collection: (origin: string, c: Cal) => string;
  readonly origin: string;
}

/**
 * Where calendar B is: on the same server (CalDAV), or in Outlook — the Graph emulator in a process of
 * its own, B its default calendar — for the run from the gateway into Outlook (ours only: vdirsyncer
 * does not speak Graph). The counting proxy stands in front of B's server.
 */
interface BSide {
  readonly started: Started;
  readonly origin: string;
  /** Our store for B through `origin`. */
  readonly store: (origin: string) => StorePort;
  /** B's events read straight from its server. */
  readonly inspect: (edit: string) => Promise<{ events: number; edits: number }>;
}

const WIDE = { from: NOW - 2 * SPREAD_DAYS * DAY, to: NOW + 2 * SPREAD_DAYS * DAY };
const counted = (all: ChangeSet, edit: string) => ({
  events: all.changed.length + (all.unreadable?.length ?? 0),
  edits: all.changed.filter((s) => s.item.subject.endsWith(edit)).length,
});

const davStore = (side: Side, url: string, c: Cal) =>
  new CalDavStore(
    'activity',
    url,
    new DavHttp({
      credentials: { username: USERS[c][0], password: USERS[c][1] },
      side,
      timeoutMs: 600_000,
      ...(DAV_IN_FLIGHT && { maxInFlight: DAV_IN_FLIGHT }),
    }),
    { side },
  );

/** B as a calendar of `server`. */
const bOn = (server: Server): BSide => ({
  started: server.started,
  origin: server.origin,
  store: (origin) => davStore('outlook', server.collection(origin, 'b'), 'b'),
  inspect: async (edit) =>
    counted(await davStore('outlook', server.collection(server.origin, 'b'), 'b').changesSince(null, WIDE), edit),
});

async function outlookEmulator(): Promise<BSide> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const started = await start(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'graph-emulator/src/cli.ts'), '--port', String(port)],
    () => waitFor(`${origin}/v1.0/me/calendars`, 'Bearer dev:bench', 200),
  );
  const http = (o: string) => new GraphHttp({ baseUrl: `${o}/v1.0`, token: async () => 'dev:bench' });
  const { value } = await http(origin).get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
  const calendar = value.find((c) => c.isDefaultCalendar)!.id;
  return {
    started,
    origin,
    store: (o) => new GraphEventStore(http(o), calendar),
    inspect: async (edit) => counted(await new GraphEventStore(http(origin), calendar).changesSince(null, WIDE), edit),
  };
}

async function radicale(n: number): Promise<Server> {
  const dir = scratch('crm-bench-sync-radicale-');
  for (const c of ['a', 'b'] as const) {
    const coll = path.join(dir, 'collection-root', USERS[c][0], 'activities');
    mkdirSync(coll, { recursive: true });
    writeFileSync(path.join(coll, '.Radicale.props'), RADICALE_CALENDAR_PROPS);
    if (c === 'a')
      for (let i = 0; i < n; i++) writeFileSync(path.join(coll, `bench-${i}.ics`), benchEvent(i, NOW, SPREAD_DAYS));
  }
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const collection = (o: string, c: Cal) => `${o}/${USERS[c][0]}/activities/`;
  const started = await startRadicale(dir, port, Object.values(USERS), collection(origin, 'a'), basicAuth(...USERS.a));
  return { started, collection, origin };
}

async function gateway(n: number): Promise<Server> {
  const dir = scratch('crm-bench-sync-gateway-');
  const db = path.join(dir, 'gateway.sqlite');
  const store = new SqliteStore(db);
  await store.migrate();
  for (const [user, password] of Object.values(USERS)) await store.addUser(user, await hashPassword(password));
  for (let i = 0; i < n; i++)
    await putObject(store, USERS.a[0], 'activities', `bench-${i}.ics`, benchEvent(i, NOW, SPREAD_DAYS));
  await store.close();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const collection = (o: string, c: Cal) => `${o}/dav/calendars/${USERS[c][0]}/activities/`;
  const started = await start(
    process.execPath,
    [path.join(root, 'gateway/bin/crm-gateway.js'), 'serve', '--db', db, '--port', String(port), '--quiet'],
    () => waitFor(collection(origin, 'a'), basicAuth(...USERS.a)),
  );
  return { started, collection, origin };
}

// A proxy that counts the requests and bytes (both ways) it passes to the server: the same count for
// both tools. It runs in a process of its own, so that its work is in neither tool's CPU.
const PROXY = `
const http = require('node:http');
const port = Number(process.argv[1]);
const target = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let requests = 0, bytes = 0;
http.createServer((q, s) => {
  if (q.url === '/__bench/counts') return s.end(JSON.stringify({ requests, bytes }));
  requests++;
  const p = http.request({ host: target.hostname, port: target.port, method: q.method, path: q.url, headers: q.headers, agent }, (r) => {
    s.writeHead(r.statusCode, r.headers);
    r.on('data', (c) => { bytes += c.length; s.write(c); });
    r.on('end', () => s.end());
  });
  p.on('error', () => { s.statusCode = 502; s.end(); });
  q.on('data', (c) => { bytes += c.length; p.write(c); });
  q.on('end', () => p.end());
}).listen(port, '127.0.0.1');
`;

async function proxy(target: string): Promise<{ origin: string; started: Started; counts: () => Promise<Counts> }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const started = await start(process.execPath, ['-e', PROXY, String(port), target], () =>
    waitFor(`${origin}/__bench/counts`, '', 200),
  );
  return {
    origin,
    started,
    counts: async () => (await (await fetch(`${origin}/__bench/counts`)).json()) as Counts,
  };
}

interface Counts {
  readonly requests: number;
  readonly bytes: number;
}

type Phase = 'initial' | 'unchanged' | 'changed';
interface Row {
  readonly server: string;
  readonly n: number;
  readonly tool: string;
  readonly phase: Phase;
  readonly finished: boolean;
  readonly wallS: number;
  readonly cpuS: number;
  readonly serverCpuS: number;
  readonly requests: number;
  readonly bytes: number;
  /** What the phase left: events in B, and how many of the edits arrived (after `changed`). */
  readonly eventsInB: number;
  readonly editsInB?: number;
  readonly ok: boolean;
  readonly loadBefore: number;
}

/** 10 events of A edited straight on the server (not through the proxy). */
async function editA(server: Server, n: number, edit: string): Promise<void> {
  for (let i = 0; i < CHANGED; i++) {
    const k = Math.floor((i * n) / CHANGED);
    const r = await fetch(`${server.collection(server.origin, 'a')}bench-${k}.ics`, {
      method: 'PUT',
      headers: { Authorization: basicAuth(...USERS.a), 'Content-Type': 'text/calendar; charset=utf-8' },
      body: benchEvent(k, NOW, SPREAD_DAYS, edit),
    });
    await r.arrayBuffer();
    if (r.status >= 300) throw new Error(`editing bench-${k} answered ${r.status}`);
  }
}

/** Our engine in this process, A as the CRM side and B as the other: one run per call, state kept between. */
function ours(a: string, b: () => StorePort) {
  const state = new MemoryStatusStore();
  const log = new MemoryLog();
  const history = new MemoryHistory();
  const profile = defaultProfile();
  const p = {
    ...profile,
    sync: {
      ...profile.sync,
      itemTypes: 'activities' as const,
      daysBack: SPREAD_DAYS + 30,
      daysAhead: SPREAD_DAYS + 30,
    },
  };
  let first = true;
  return async (): Promise<{ cpuS: number; finished: boolean }> => {
    const cpu = process.cpuUsage();
    const report = await runSync(
      {
        stores: { crm: { activity: davStore('crm', a, 'a') }, outlook: { activity: b() } },
        state,
        log,
        history,
        clock: Date.now,
      },
      p,
      { allowEmptySide: first },
    );
    first = false;
    const used = process.cpuUsage(cpu);
    if (report.errors.length) console.log(`  ours: ${report.errors.length} errors, first: ${report.errors[0]!.error}`);
    return { cpuS: (used.user + used.system) / 1e6, finished: true };
  };
}

/** vdirsyncer (Debian) syncing A and B, its status kept between calls; CPU from its rusage. */
function vdirsyncer(a: string, b: string) {
  const dir = scratch('crm-bench-vdirsyncer-');
  const config = path.join(dir, 'config');
  writeFileSync(
    config,
    `[general]
status_path = "${path.join(dir, 'status')}/"

[pair bench]
a = "bench_a"
b = "bench_b"
collections = null
conflict_resolution = "a wins"

[storage bench_a]
type = "caldav"
url = "${a}"
username = "${USERS.a[0]}"
password = "${USERS.a[1]}"

[storage bench_b]
type = "caldav"
url = "${b}"
username = "${USERS.b[0]}"
password = "${USERS.b[1]}"
`,
  );
  // Python measures the CPU of the process it runs (RUSAGE_CHILDREN) and prints it last.
  const py = `
import json, resource, subprocess, sys
limit = float(sys.argv[1])
try:
    code = subprocess.run(sys.argv[2:], timeout=limit).returncode
    finished = code == 0
except subprocess.TimeoutExpired:
    finished = False
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("RUSAGE " + json.dumps({"cpu": u.ru_utime + u.ru_stime, "finished": finished}))
`;
  // vdirsyncer wants its pair discovered once before it syncs (set-up, not measured).
  const discover = spawnSync('vdirsyncer', ['-c', config, 'discover', 'bench'], { encoding: 'utf8', input: '' });
  if (discover.status !== 0) throw new Error(`vdirsyncer discover failed:\n${discover.stderr}`);
  return async (): Promise<{ cpuS: number; finished: boolean }> => {
    const run = spawnSync('/usr/bin/python3', ['-c', py, String(PEER_LIMIT_S), 'vdirsyncer', '-c', config, 'sync'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const line = /RUSAGE (.*)/.exec(run.stdout)?.[1];
    if (!line) throw new Error(`vdirsyncer gave no result:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
    const { cpu, finished } = JSON.parse(line) as { cpu: number; finished: boolean };
    if (!finished) console.log(`  vdirsyncer: ${run.stderr.split('\n').slice(-5).join('\n  ')}`);
    return { cpuS: cpu, finished };
  };
}

const setup = {
  sizes: SIZES,
  servers: SERVERS,
  tools: TOOLS,
  changed: CHANGED,
  peerLimitS: PEER_LIMIT_S,
  cpus: availableParallelism(),
  vdirsyncer: spawnSync('vdirsyncer', ['--version'], { encoding: 'utf8' }).stdout.trim(),
  method:
    'each tool on a fresh server with the same data, warmed up; measured once the 1-minute load average is below half the CPUs; requests and bytes counted by a proxy in front of the server',
};

/** Ours against vdirsyncer per server, size and phase: how many times faster (wall time). */
const ratiosOf = () =>
  [...earlier, ...rows]
    .filter((r) => r.tool === 'ours')
    .flatMap((o) => {
      const peer = [...earlier, ...rows].find(
        (r) => r.tool === 'vdirsyncer' && r.server === o.server && r.n === o.n && r.phase === o.phase,
      );
      return peer
        ? [
            {
              server: o.server,
              n: o.n,
              phase: o.phase,
              oursS: o.wallS,
              vdirsyncerS: peer.wallS,
              vdirsyncerFinished: peer.finished,
              // A peer that did not finish ran at least this long: the ratio is then a lower bound.
              timesFaster: Math.round((peer.wallS / o.wallS) * 10) / 10,
            },
          ]
        : [];
    });
/** The file, written after each tool's runs (a long run stopped midway keeps what it measured). */
function save(complete: boolean): void {
  writeResults('sync', { complete, rows: [...earlier, ...rows], ratios: ratiosOf(), setup });
}
/** With BENCH_MERGE=1: the last file's rows of the runs this one does not repeat. */
const earlier: Row[] = MERGE
  ? (JSON.parse(readFileSync(path.join(root, 'bench/results/sync.json'), 'utf8')) as { rows: Row[] }).rows.filter(
      (r) => !(SIZES.includes(r.n) && (SERVERS as string[]).includes(r.server) && (TOOLS as string[]).includes(r.tool)),
    )
  : [];

const rows: Row[] = [];
for (const n of SIZES)
  for (const kind of SERVERS)
    for (const tool of TOOLS) {
      if (kind === 'graph' && tool !== 'ours') continue; // vdirsyncer does not speak Graph
      console.log(`${kind}, ${n} events, ${tool}: preparing a fresh server…`);
      const server = await (kind === 'radicale' ? radicale(n) : gateway(n));
      const b = kind === 'graph' ? await outlookEmulator() : bOn(server);
      const counter = await proxy(b.origin);
      try {
        // Warm-up: the server reads A once (Radicale builds its item cache here), straight, not counted.
        await davStore('crm', server.collection(server.origin, 'a'), 'a').changesSince(null, WIDE);
        // Into Outlook, only Graph's side is counted (its floor is the target); A is read straight.
        const a = server.collection(kind === 'graph' ? server.origin : counter.origin, 'a');
        const run =
          tool === 'ours'
            ? ours(a, () => b.store(counter.origin))
            : vdirsyncer(a, server.collection(counter.origin, 'b'));
        const loadBefore = await quiet();
        const edit = ` (edited ${Date.now()})`;
        for (const phase of ['initial', 'unchanged', 'changed'] as const) {
          if (phase === 'changed') await editA(server, n, edit);
          const counts = await counter.counts();
          const serverCpu = cpuSeconds(b.started.pid);
          const t = performance.now();
          const r = await run();
          const wallS = (performance.now() - t) / 1000;
          const after = await counter.counts();
          const seen = await b.inspect(edit);
          const row: Row = {
            server: kind,
            n,
            tool,
            phase,
            finished: r.finished,
            wallS: Math.round(wallS * 100) / 100,
            cpuS: Math.round(r.cpuS * 100) / 100,
            serverCpuS: Math.round((cpuSeconds(b.started.pid) - serverCpu) * 100) / 100,
            requests: after.requests - counts.requests,
            bytes: after.bytes - counts.bytes,
            eventsInB: seen.events,
            ...(phase === 'changed' && { editsInB: seen.edits }),
            ok: r.finished && seen.events === n && (phase !== 'changed' || seen.edits === CHANGED),
            loadBefore: phase === 'initial' ? loadBefore : load(),
          };
          rows.push(row);
          console.log(
            `  ${phase.padEnd(9)} ${String(row.wallS).padStart(8)} s  cpu ${String(row.cpuS).padStart(7)} s  server ${String(row.serverCpuS).padStart(7)} s  ${String(row.requests).padStart(6)} requests  ${(row.bytes / 1e6).toFixed(1).padStart(7)} MB  B: ${row.eventsInB}${phase === 'changed' ? `, ${row.editsInB} edits` : ''}${row.ok ? '' : '  NOT OK'}`,
          );
          if (!r.finished) break;
        }
      } finally {
        await counter.started.stop();
        if (b.started !== server.started) await b.started.stop();
        await server.started.stop();
      }
      save(false);
    }

console.log('\nours vs vdirsyncer (wall time):');
for (const r of ratiosOf())
  console.log(
    `  ${r.server.padEnd(9)} ${String(r.n).padStart(6)} ${r.phase.padEnd(9)} ${r.oursS} s vs ${r.vdirsyncerS} s${r.vdirsyncerFinished ? '' : ' (not finished)'}: ${r.timesFaster}×`,
  );
save(true);
await cleanup();
process.exit(rows.every((r) => r.ok) ? 0 : 1);
