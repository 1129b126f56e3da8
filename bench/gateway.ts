// Benchmark (not a test): the reference gateway against Radicale (Debian) serving the same data in the
// same run. 10 users × 5,000 activities each; wrk (Debian; autocannon cannot send REPORT) with 50
// connections on loopback sends a mix of incremental sync-collection (40 %), calendar-multiget of 10
// items (40 %) and PUT of an existing item (20 %). Then, on ours alone: GET of one item only, PUT over
// one item only, and PUT only into a collection of 500 and of 50,000 items (is a PUT's cost flat in the
// collection's size?). Prints req/s and p50/p99 latency side by side and writes
// bench/results/gateway.json as {"ours":{"rps","p50","p99",…},"radicale":{…},"floor":{…},"oursGet",
// "oursPut","oursPutSmall","oursPutLarge"}.
// Targets: the mix ≥ 5× Radicale's throughput with p99 ≤ 50 ms; GET ≥ 10,000 and PUT ≥ 2,000 req/s with
// p99 ≤ 50 ms; PUT into 50,000 items as fast as into 500 (issue 17).
// A third line, "floor", is the same wrk against a Node HTTP server that answers 200 with no work at all:
// what this machine, its loopback and wrk allow at best. Each server runs alone: started, warmed up,
// measured once the machine is quiet (1-minute load average below half the CPUs; recorded before and
// after), then stopped — never beside another server's start-up or cache building (issue 17).
// BENCH_USERS, BENCH_ITEMS, BENCH_SECONDS, BENCH_CONNECTIONS change the set-up (defaults 10, 5000, 20, 50),
// BENCH_SMALL and BENCH_LARGE the two collection sizes (500, 50,000);
// BENCH_PROFILE=DIR profiles instead of measuring: our gateway alone under GET only, PUT only and
// sync-collection only, with `node --cpu-prof` (profiles kept in DIR/get, DIR/put, DIR/sync); it prints the top
// self-time functions and writes them to bench/results/gateway-profile.json.
// (Over 350 lines, one benchmark script: set-up, the wrk runs and the report.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { hashPassword } from '@crm-sync/gateway/auth';
import { putObject } from '@crm-sync/gateway/objects';
import { SqliteStore } from '@crm-sync/gateway/store/sqlite';
import { freePort } from '../scripts/net.js';
import {
  basicAuth,
  cleanup,
  load,
  needTools,
  quiet,
  RADICALE_CALENDAR_PROPS,
  scratch,
  writeResults,
  start,
  startRadicale,
  waitFor,
} from './support/processes.js';
import { topSelfTime } from './support/profile.js';

const USERS = Number(process.env.BENCH_USERS ?? 10);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Items of the two users on our gateway alone whose PUTs show whether a PUT costs more in a larger collection. */
const SMALL = Number(process.env.BENCH_SMALL ?? 500);
const LARGE = Number(process.env.BENCH_LARGE ?? 50_000);
/** Changes made after the token of each user before a sync-collection-only run (what each report lists). */
const SYNC_CHANGES = 100;
/** BENCH_PROFILE=DIR: instead of the measurement, CPU profiles of our gateway under PUT and under sync-collection. */
const PROFILE = process.env.BENCH_PROFILE;
const root = path.resolve(import.meta.dirname, '..');

needTools('bench:gateway', ['wrk', 'radicale']);

const dir = scratch('crm-bench-gw-');
const user = (u: number) => `user${u}`;
const password = (u: number) => `pw-${u}-bench`;
const body = (n: number, summary: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//crm-calendar-sync//bench//EN',
    'BEGIN:VEVENT',
    `UID:item-${n}`,
    'DTSTAMP:20261126T080000Z',
    `DTSTART:2026${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}T090000Z`,
    `DTEND:2026${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}T100000Z`,
    `SUMMARY:${summary}`,
    'X-SAPCRM-BUSINESS-PARTNER:4711 Müller GmbH',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const basic = (u: number) => basicAuth(user(u), password(u));

// --- the same data for both servers ------------------------------------------------------------
console.log(`Loading ${USERS} users × ${ITEMS} activities into both servers…`);
const sqlite = path.join(dir, 'ours.sqlite');
const store = new SqliteStore(sqlite);
await store.migrate();
const radicaleRoot = path.join(dir, 'radicale', 'collection-root');
const radicaleUsers: [string, string][] = [];
for (let u = 0; u < USERS; u++) {
  await store.addUser(user(u), await hashPassword(password(u)));
  radicaleUsers.push([user(u), password(u)]);
  const coll = path.join(radicaleRoot, user(u), 'activities');
  mkdirSync(coll, { recursive: true });
  writeFileSync(path.join(coll, '.Radicale.props'), RADICALE_CALENDAR_PROPS);
  for (let n = 0; n < ITEMS; n++) {
    const text = body(n, `Visit ${n} of ${user(u)}`);
    await putObject(store, user(u), 'activities', `item-${n}.ics`, text);
    writeFileSync(path.join(coll, `item-${n}.ics`), text);
  }
}
// Two more users on our gateway only (Radicale would take hours to cache 50,000 items): PUT into a
// collection of SMALL and of LARGE items.
const SIZED = { small: USERS, large: USERS + 1 } as const;
for (const [u, count] of [
  [SIZED.small, SMALL],
  [SIZED.large, LARGE],
] as const) {
  await store.addUser(user(u), await hashPassword(password(u)));
  for (let n = 0; n < count; n++)
    await putObject(store, user(u), 'activities', `item-${n}.ics`, body(n, `Visit ${n} of ${user(u)}`));
}
await store.close();

// --- the servers, each started for its own measurement -------------------------------------------
const oursPort = await freePort();
const startOurs = (profileDir?: string) =>
  start(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      path.join(root, 'gateway/bin/crm-gateway.js'),
      'serve',
      '--db',
      sqlite,
      '--port',
      String(oursPort),
      '--quiet',
    ],
    () => waitFor(`http://127.0.0.1:${oursPort}/dav/calendars/${user(0)}/activities/`, basic(0)),
  );
const radicalePort = await freePort();
const startRadicaleAlone = () =>
  startRadicale(
    path.join(dir, 'radicale'),
    radicalePort,
    radicaleUsers,
    `http://127.0.0.1:${radicalePort}/${user(0)}/activities/`,
    basic(0),
  );
// The floor: no routing, no parsing, no storage.
const floorPort = await freePort();
const startFloor = () =>
  start(
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('ok')); }).listen(${floorPort}, '127.0.0.1')`,
    ],
    () => waitFor(`http://127.0.0.1:${floorPort}`, '', 200),
  );

interface Server {
  readonly name: 'ours' | 'radicale';
  readonly origin: string;
  readonly collection: (u: number) => string;
}
const servers: Server[] = [
  { name: 'ours', origin: `http://127.0.0.1:${oursPort}`, collection: (u) => `/dav/calendars/${user(u)}/activities/` },
  { name: 'radicale', origin: `http://127.0.0.1:${radicalePort}`, collection: (u) => `/${user(u)}/activities/` },
];

const syncBody = (token: string) =>
  `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

/**
 * What wrk sends: the mix, or only GETs of one item, or only PUTs over one item, or only incremental
 * `sync-collection` reports (each answering the changes made since its token).
 */
type Mode = 'mix' | 'get' | 'put' | 'sync';

/** Lua for wrk: requests of `mode` over the users (with their items and current sync tokens). */
function luaScript(s: Server, mode: Mode, users: readonly { u: number; items: number; token: string }[]): string {
  const list = users
    .map(
      ({ u, items, token }) =>
        `{auth=${JSON.stringify(basic(u))}, base=${JSON.stringify(s.collection(u))}, items=${items}, sync=${JSON.stringify(syncBody(token))}}`,
    )
    .join(',\n  ');
  const template = JSON.stringify(body(0, 'SUMMARY_HERE')).replace(/item-0/, 'item-ITEM_HERE');
  return `-- generated by bench/gateway.ts
local users = {
  ${list}
}
local mode = "${mode}"
local template = ${template}
local counter = 0
errors = 0 -- a global: done() reads it from each thread with thread:get
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local tid = 0
function init(args)
  tid = id or 0
  math.randomseed(os.time() + tid)
end

function request()
  counter = counter + 1
  local u = users[math.random(#users)]
  local items = u.items
  local r = math.random(100)
  if mode == "get" then
    return wrk.format("GET", u.base .. "item-" .. math.random(0, items - 1) .. ".ics", {["Authorization"]=u.auth})
  end
  if mode == "put" then r = 100 end
  if mode == "sync" then r = 1 end
  if r <= 40 then
    return wrk.format("REPORT", u.base, {["Authorization"]=u.auth, ["Content-Type"]="application/xml; charset=utf-8", ["Depth"]="1"}, u.sync)
  elseif r <= 80 then
    local hrefs = {}
    for i = 1, 10 do
      hrefs[i] = "<D:href>" .. u.base .. "item-" .. math.random(0, items - 1) .. ".ics</D:href>"
    end
    local q = '<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>' .. table.concat(hrefs) .. '</C:calendar-multiget>'
    return wrk.format("REPORT", u.base, {["Authorization"]=u.auth, ["Content-Type"]="application/xml; charset=utf-8", ["Depth"]="1"}, q)
  else
    local n = math.random(0, items - 1)
    local b = template:gsub("ITEM_HERE", tostring(n)):gsub("SUMMARY_HERE", "Edited " .. tid .. "-" .. counter)
    -- the template's dates belong to item 0; any valid dates do for an overwrite
    return wrk.format("PUT", u.base .. "item-" .. n .. ".ics", {["Authorization"]=u.auth, ["Content-Type"]="text/calendar; charset=utf-8"}, b)
  end
end

function response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + (t:get("errors") or 0) end
  io.write(string.format("ERRORS %d\\n", e))
end
`;
}

const toMs = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);

interface Figures {
  /** The 1-minute load average when wrk started and when it ended (the server alone on the machine). */
  loadBefore?: number;
  loadAfter?: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

/** One wrk run of `mode` against `s` for the users `us` (default: the users both servers hold). */
async function measure(
  s: Server,
  mode: Mode = 'mix',
  us: readonly { u: number; items: number }[] = shared,
): Promise<Figures> {
  // Warm-up and each user's current sync token (Radicale builds its item cache here).
  const users: { u: number; items: number; token: string }[] = [];
  for (const { u, items } of us) {
    const r = await fetch(`${s.origin}${s.collection(u)}`, {
      method: 'REPORT',
      headers: { Authorization: basic(u), 'Content-Type': 'application/xml', Depth: '1' },
      body: syncBody(''),
    });
    const text = await r.text();
    const token = /<(?:\w+:)?sync-token>([^<]+)</.exec(text)?.[1];
    if (r.status !== 207 || !token) throw new Error(`${s.name}: sync-collection answered ${r.status}`);
    users.push({ u, items, token });
    // Only sync-collection: changes since the token for each report to list (in the mix, the run's PUTs).
    if (mode === 'sync')
      for (let n = 0; n < SYNC_CHANGES; n++) {
        const put = await fetch(`${s.origin}${s.collection(u)}item-${n}.ics`, {
          method: 'PUT',
          headers: { Authorization: basic(u), 'Content-Type': 'text/calendar; charset=utf-8' },
          body: body(n, `Changed before the sync-collection run ${n}`),
        });
        if (!put.ok) throw new Error(`${s.name}: PUT answered ${put.status}`);
      }
  }
  const script = path.join(dir, `${s.name}-${mode}.lua`);
  writeFileSync(script, luaScript(s, mode, users));
  const loadBefore = await quiet();
  return { ...runWrk(`${s.name} ${mode}`, s.origin, ['-s', script]), loadBefore };
}
const shared = Array.from({ length: USERS }, (_, u) => ({ u, items: ITEMS }));

/** wrk with the benchmark's connections and duration; its figures (errors as counted by the script). */
function runWrk(name: string, origin: string, extra: string[]): Figures {
  const wrk = spawnSync(
    'wrk',
    ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '--timeout', '10s', ...extra, origin],
    { encoding: 'utf8' },
  );
  if (wrk.status !== 0) throw new Error(`wrk failed for ${name}: ${wrk.stderr}`);
  const out = wrk.stdout;
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`no ${p}% latency in wrk's output:\n${out}`);
    return Math.round(toMs(m[1]!, m[2]!) * 100) / 100;
  };
  return {
    // One decimal: a server that answers a handful of requests in the run must not read as 0.
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN) * 10) / 10,
    p50: pct('50'),
    p99: pct('99'),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    errors: Number(/ERRORS (\d+)/.exec(out)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    // Requests still unanswered after wrk's 10 s timeout (not in the latency figures).
    timeouts: Number(/Socket errors:.*timeout (\d+)/.exec(out)?.[1] ?? 0),
  };
}

/** One server alone: started, warmed up, the machine quiet, measured, stopped; the load around it. */
async function alone<T extends Figures | Record<string, Figures>>(
  name: string,
  startIt: () => Promise<{ stop: () => Promise<void> }>,
  run: () => Promise<T>,
): Promise<T & { loadAfter: number }> {
  const { stop } = await startIt();
  try {
    return { ...(await run()), loadAfter: load() };
  } finally {
    await stop();
    console.log(`  ${name} stopped`);
  }
}

if (PROFILE) {
  const profiles: Record<string, Figures & ReturnType<typeof topSelfTime>> = {};
  for (const mode of ['get', 'put', 'sync'] as const) {
    const into = path.resolve(PROFILE, mode);
    rmSync(into, { recursive: true, force: true });
    mkdirSync(into, { recursive: true });
    console.log(`wrk: ${CONNECTIONS} connections, ${SECONDS} s of ${mode} only against ours, profiled…`);
    const figures = await alone(
      `ours (${mode}, profiled)`,
      () => startOurs(into),
      () => measure(servers[0]!, mode),
    );
    profiles[mode] = { ...figures, ...topSelfTime(into, root) };
    console.log(`  ${figures.rps} req/s under the profiler; self time (of ${profiles[mode].busyMs} ms busy):`);
    for (const f of profiles[mode].functions) console.log(`  ${String(f.percent).padStart(5)} %  ${f.fn}`);
  }
  writeResults('gateway-profile', {
    profiles,
    setup: { users: USERS, itemsPerUser: ITEMS, seconds: SECONDS, connections: CONNECTIONS, syncChanges: SYNC_CHANGES },
  });
  await cleanup();
  process.exit(0);
}

console.log(
  `wrk: ${CONNECTIONS} connections, ${SECONDS} s each against ours (alone): the mix, GET, PUT, PUT into ${SMALL} and ${LARGE} items…`,
);
const oursAll = await alone('ours', startOurs, async () => {
  const s = servers[0]!;
  return {
    mix: await measure(s),
    get: await measure(s, 'get'),
    put: await measure(s, 'put'),
    putSmall: await measure(s, 'put', [{ u: SIZED.small, items: SMALL }]),
    putLarge: await measure(s, 'put', [{ u: SIZED.large, items: LARGE }]),
  };
});
console.log(`wrk: ${CONNECTIONS} connections, ${SECONDS} s against radicale (alone): the mix…`);
const radicale = await alone('radicale', startRadicaleAlone, () => measure(servers[1]!));
console.log(`wrk: ${CONNECTIONS} connections, ${SECONDS} s against the floor (an HTTP server doing nothing, alone)…`);
const floorOrigin = `http://127.0.0.1:${floorPort}`;
const floor = await alone('floor', startFloor, async () => {
  const loadBefore = await quiet();
  return { ...runWrk('floor', floorOrigin, []), loadBefore };
});
const { loadAfter: _loadAfter, ...oursRuns } = oursAll;
const ours = oursRuns.mix;
const lines: [string, Figures][] = [
  ['ours', ours],
  ['radicale', radicale],
  ['floor', floor],
  ['ours GET', oursRuns.get],
  ['ours PUT', oursRuns.put],
  [`PUT ${SMALL}`, oursRuns.putSmall],
  [`PUT ${LARGE}`, oursRuns.putLarge],
];
console.log(`
                 req/s     p50 ms    p99 ms   requests  errors  timeouts
${lines
  .map(
    ([name, f]) =>
      `  ${name.padEnd(12)}${[f.rps, f.p50, f.p99, f.requests, f.errors, f.timeouts].map((v) => String(v).padStart(9)).join(' ')}`,
  )
  .join('\n')}

  throughput ${radicale.requests ? (ours.requests / radicale.requests).toFixed(1) : 'n/a (Radicale answered nothing)'}× Radicale (target ≥ 5×); p99 ${ours.p99} ms (target ≤ 50 ms)
  GET ${oursRuns.get.rps} req/s (target ≥ 10,000), PUT ${oursRuns.put.rps} req/s (target ≥ 2,000), p99 ≤ 50 ms; PUT into ${LARGE} items ${oursRuns.putLarge.rps} req/s vs ${SMALL} items ${oursRuns.putSmall.rps} req/s (target: flat)`);
writeResults('gateway', {
  ours,
  radicale,
  floor,
  oursGet: oursRuns.get,
  oursPut: oursRuns.put,
  oursPutSmall: { ...oursRuns.putSmall, items: SMALL },
  oursPutLarge: { ...oursRuns.putLarge, items: LARGE },
  setup: {
    users: USERS,
    itemsPerUser: ITEMS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    mix: 'sync 40 / multiget 40 / put 20 (ours, radicale, floor); then GET only and PUT only (ours), PUT only into SMALL and LARGE items',
    cpus: availableParallelism(),
    method:
      'each server started alone, warmed up, measured once the 1-minute load average is below half the CPUs, then stopped',
  },
});
await cleanup();
process.exit(0);
