// `npm test`: lint, typecheck, build, then every suite (Node, e2e, karma), ending with one line
// "N passed, N failed" that sums them all. Lint, each typecheck and the build count as one check each.
// Exit code 1 when anything failed.
//   --only node|e2e|karma   run just that suite (after the build), for quick iterations
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const root = path.resolve(import.meta.dirname, '..');
const buildDir = path.join(root, '.build');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const results: { name: string; counts: Counts; seconds: number }[] = [];
/** The slowest top-level suites of the Node runs, printed with the summary. */
const slowest: { name: string; seconds: number }[] = [];
const began = Date.now();
/** Seconds since `from`, for the summary: CI has a time limit, and this shows where the time went. */
const since = (from: number) => Math.round((Date.now() - from) / 1000);

/** Runs a command to its end; with `output`, its stdout and stderr are collected there, not shown. */
function run(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = {}, output?: Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, {
      cwd: root,
      stdio: output ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...env },
    });
    child.stdout?.on('data', (d: Buffer) => output!.push(d));
    child.stderr?.on('data', (d: Buffer) => output!.push(d));
    child.on('error', (error) => {
      console.error(`cannot start ${cmd}: ${error.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

/** A check: its name, the command and its arguments. */
type Check = readonly [string, string, string[]];

/**
 * Runs checks (each one counts as one test) two at a time: the machines here have two cores, and a
 * typecheck waits on the disk as much as on the CPU. Each one's output is printed whole when it ends;
 * results go in the given order.
 */
async function checks(list: readonly Check[]): Promise<void> {
  const outcomes: { ok: boolean; seconds: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      const [name, cmd, cmdArgs] = list[i]!;
      const started = Date.now();
      const output: Buffer[] = [];
      const code = await run(cmd, cmdArgs, {}, output);
      outcomes[i] = { ok: code === 0, seconds: since(started) };
      console.log(`\n▶ ${name}${code === 0 ? '' : ` (exit code ${code})`}`);
      process.stdout.write(Buffer.concat(output));
    }
  };
  await Promise.all([worker(), worker()]);
  list.forEach(([name], i) => {
    const { ok, seconds } = outcomes[i]!;
    results.push({ name, counts: { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 }, seconds });
  });
}

function findTests(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(path.join(root, f)).isFile())
    .sort();
}

/** Runs files with Node's test runner: spec output on the console, TAP in a file for the counts. */
async function nodeSuite(name: string, files: string[], extraArgs: string[] = []): Promise<void> {
  console.log(`\n▶ ${name} (${files.length} files)`);
  const started = Date.now();
  if (files.length === 0) {
    results.push({ name, counts: { passed: 0, failed: 0, skipped: 0 }, seconds: 0 });
    return;
  }
  const tap = path.join(buildDir, `${name.replace(/\W+/g, '-')}.tap`);
  rmSync(tap, { force: true });
  const code = await run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    ...extraArgs,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const num = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const counts = { passed: num('pass'), failed: num('fail') + num('cancelled'), skipped: num('skipped') + num('todo') };
  // A runner that died without reporting, or exited non-zero with no failed test, is one failure.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({ name, counts, seconds: since(started) });
  for (const m of text.matchAll(/^(?:not )?ok \d+ - (.+)\n {2}---\n {2}duration_ms: ([\d.]+)/gm)) {
    slowest.push({ name: m[1]!, seconds: Math.round(Number(m[2]) / 1000) });
  }
}

/** A reference gateway on loopback with a temporary SQLite and the users `<prefix>1…<prefix>n`. */
async function startTestGateway(origins: string[], prefix: string, n: number) {
  const [{ startGateway }, { SqliteStore }, { hashPassword }] = await Promise.all([
    import('@crm-sync/gateway'),
    import('@crm-sync/gateway/store/sqlite'),
    import('@crm-sync/gateway/auth'),
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-karma-gw-'));
  const store = new SqliteStore(path.join(dir, 'gateway.sqlite'));
  await store.migrate();
  for (let i = 1; i <= n; i++) await store.addUser(`${prefix}${i}`, await hashPassword(`${prefix}${i}-pw`));
  const gw = await startGateway({ store, port: 0, corsOrigins: origins });
  return {
    url: gw.url,
    async close() {
      await gw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function karmaSuite(): Promise<void> {
  const name = 'karma (Chromium)';
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const summary = path.join(buildDir, 'karma-summary.json');
  rmSync(summary, { force: true });
  // The browser tests reach a reference gateway cross-origin (karma serves on 127.0.0.1:9876).
  const gateway = await startTestGateway(['http://127.0.0.1:9876', 'http://localhost:9876'], 'browser', 60);
  // …and the Graph emulator, also cross-origin, for the Outlook adapter.
  const { startGraphEmulator } = await import('@crm-sync/graph-emulator');
  const graph = await startGraphEmulator();
  let code: number;
  try {
    code = await run(bin('karma'), ['start', 'karma.conf.cjs'], {
      KARMA_SUMMARY_FILE: summary,
      CRM_TEST_GATEWAY_URL: gateway.url,
      CRM_TEST_GRAPH_URL: graph.url,
    });
  } finally {
    await gateway.close();
    await graph.close();
  }
  const parsed = existsSync(summary)
    ? (JSON.parse(readFileSync(summary, 'utf8')) as Counts & { errors: string[] })
    : { passed: 0, failed: 0, skipped: 0, errors: ['karma wrote no summary'] };
  for (const error of parsed.errors) console.error(`karma: ${error}`);
  const counts = { passed: parsed.passed, failed: parsed.failed + parsed.errors.length, skipped: parsed.skipped };
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  results.push({ name, counts, seconds: since(started) });
}

mkdirSync(buildDir, { recursive: true });
// Lint and typechecks unless --only; the builds always (the suites run against them).
const lintAndTypes: Check[] = [
  ['typecheck: tests and tools', bin('tsc'), ['--noEmit', '-p', 'tsconfig.node.json']],
  ['lint: eslint', bin('eslint'), ['.']],
  ['lint: prettier', bin('prettier'), ['--check', '.']],
  ['typecheck: add-in', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['typecheck: pure core', bin('tsc'), ['--noEmit', '-p', 'src/core/tsconfig.json']],
];
await checks([
  ...(only ? [] : lintAndTypes),
  ['build (development)', bin('webpack'), ['--mode', 'development']],
  ['build (gateway)', 'npm', ['run', '--silent', 'build:gateway']],
]);
if (!only || only === 'node') {
  // Three files at a time: most of them wait on servers and child processes, not on the CPU (each
  // file has its own ports, databases and folders).
  await nodeSuite(
    'node',
    [
      ...findTests('test/core'),
      ...findTests('test/adapters'),
      ...findTests('test/contract'),
      ...findTests('test/node'),
    ],
    ['--test-concurrency=3'],
  );
}
if (!only || only === 'e2e') {
  await nodeSuite('e2e (Playwright, Chromium)', findTests('test/e2e'), ['--test-concurrency=1']);
}
if (!only || only === 'karma') await karmaSuite();

console.log('\nSummary');
for (const { name, counts, seconds } of results) {
  console.log(
    `  ${counts.failed ? '✗' : '✓'} ${name}: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} (${seconds} s)`,
  );
}
console.log(`  took ${since(began)} s in all; slowest Node suites:`);
for (const { name, seconds } of slowest.sort((a, b) => b.seconds - a.seconds).slice(0, 8)) {
  console.log(`    ${seconds} s  ${name}`);
}
const total = results.reduce(
  (a, r) => ({
    passed: a.passed + r.counts.passed,
    failed: a.failed + r.counts.failed,
    skipped: a.skipped + r.counts.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
