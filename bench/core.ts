// Benchmark (not a test): plan() on 1k, 10k and 100k items per side with 1 % changed on each side, as
// an incremental run sees them. Prints milliseconds and heap; writes bench/results/core.json.
// Target on the reference machine: 100k items in ≤ 150 ms, growing linearly (100k/10k ≤ 12).
import { contentHash } from '../src/core/model/content-hash.js';
import type { Activity } from '../src/core/model/item.js';
import { itemRange } from '../src/core/model/time.js';
import { defaultProfile } from '../src/core/profile/profile.js';
import type { SideEntry } from '../src/core/sync/actions.js';
import { plan } from '../src/core/sync/plan.js';
import { compilePolicy } from '../src/core/sync/policy.js';
import type { PairStatus } from '../src/core/sync/status.js';
import { load, writeResults } from './support/results.js';

/** The machine's 1-minute load average when the benchmark starts (written into its file). */
const loadBefore = load();

const NOW = Date.UTC(2026, 10, 26, 12);
const policy = compilePolicy(defaultProfile(), NOW);

function item(i: number, subject = `Visit ${i}`): Activity {
  const day = new Date(NOW + ((i % 200) - 20) * 86_400_000).toISOString().slice(0, 10);
  return {
    kind: 'activity',
    uid: `uid-${i}`,
    subject,
    start: { dateTime: `${day}T09:00:00`, timeZone: 'Europe/Berlin' },
    end: { dateTime: `${day}T10:00:00`, timeZone: 'Europe/Berlin' },
    attendees: [],
    showAs: 'busy',
    sensitivity: 'normal',
    categories: [],
    importance: 'normal',
    crm: { activityId: String(i).padStart(10, '0'), application: 'SALES' },
    extra: {},
  };
}

function setup(n: number) {
  const status: PairStatus[] = [];
  const outlook = new Map<string, SideEntry>();
  const crm = new Map<string, SideEntry>();
  for (let i = 0; i < n; i++) {
    const it = item(i);
    const hash = contentHash(it);
    status.push({
      key: `crm:${it.crm!.activityId}`,
      kind: 'activity',
      subject: it.subject,
      range: itemRange(it),
      outlook: { id: `o${i}`, version: 'v1', hash },
      crm: { id: `m${i}`, version: 'v1', hash },
    });
  }
  // 1 % changed on each side (different items), as an incremental read delivers them.
  for (let i = 0; i < n / 100; i++) {
    const a = i * 2;
    const b = i * 2 + 1;
    const ea = item(a, `Visit ${a} (moved)`);
    const eb = item(b, `Visit ${b} (new room)`);
    outlook.set(`o${a}`, { id: `o${a}`, version: 'v2', hash: contentHash(ea), item: ea });
    crm.set(`m${b}`, { id: `m${b}`, version: 'v2', hash: contentHash(eb), item: eb });
  }
  return {
    status,
    outlook: { entries: outlook, deleted: new Set<string>(), complete: false },
    crm: { entries: crm, deleted: new Set<string>(), complete: false },
  };
}

const REPEAT = Number(process.env.BENCH_REPEAT ?? 15);
const gc = (globalThis as { gc?: () => void }).gc;
const rows: { items: number; ms: number; medianMs: number; heapMB: number }[] = [];
for (const n of (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number)) {
  const input = setup(n);
  for (let w = 0; w < 3; w++) plan(input.status, input.outlook, input.crm, policy); // warm-up
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  let peak = 0;
  for (let r = 0; r < REPEAT; r++) {
    const t = performance.now();
    const p = plan(input.status, input.outlook, input.crm, policy);
    times.push(performance.now() - t);
    if (process.env.BENCH_VERBOSE) console.log(`  run ${r + 1}: ${times.at(-1)!.toFixed(1)} ms`);
    peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore);
    if (p.actions.length !== (n / 100) * 2)
      throw new Error(`expected ${(n / 100) * 2} actions, got ${p.actions.length}`);
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  // The fastest run is the figure: this kind of VM loses the CPU for whole seconds at random (steal
  // time; a fixed 34 ms loop was seen taking 3 s), which the median measures instead of the code.
  const ms = round(times[0]!);
  const medianMs = round(times[Math.floor(times.length / 2)]!);
  const heapMB = round(Math.max(0, peak) / 2 ** 20);
  rows.push({ items: n, ms, medianMs, heapMB });
  console.log(
    `plan() ${String(n).padStart(7)} items per side: ${ms} ms (fastest of ${REPEAT}; median ${medianMs} ms), heap +${heapMB} MB`,
  );
}
const at = (n: number) => rows.find((r) => r.items === n)?.ms;
const [ten, hundred] = [at(10_000), at(100_000)];
if (ten && hundred)
  console.log(`100k/10k ratio: ${(hundred / ten).toFixed(1)} (target ≤ 12); 100k: ${hundred} ms (target ≤ 150 ms)`);
writeResults('core', { rows, loadBefore });
