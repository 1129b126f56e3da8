// What the server benchmarks share: the servers they start (ended by their PIDs, also when the run is
// interrupted), waiting until one answers, waiting until the machine is quiet, a process's CPU time,
// and Radicale (Debian) started with its cache fsync off.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { load } from './results.js';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

/** Exits with a clear message when a Debian tool the benchmark needs is missing. */
export function needTools(bench: string, tools: readonly string[]): void {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) {
    console.error(`${bench} needs ${missing.join(' and ')} (Debian: apt-get install ${missing.join(' ')}).`);
    process.exit(2);
  }
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** A scratch folder removed when the run ends. */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Stops the processes this run started (by their PIDs) and removes the scratch folders. */
export async function cleanup(): Promise<void> {
  await Promise.all(children.map((c) => stopChild(c)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 5 });
}
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true }); // (also when the run is interrupted)
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

function stopChild(c: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

export interface Started {
  readonly pid: number;
  readonly stop: () => Promise<void>;
}

/** Starts a server process, waits until `probe` says it answers, and gives its PID and a way to stop it. */
export async function start(command: string, args: readonly string[], probe: () => Promise<void>): Promise<Started> {
  const child = spawn(command, args, { stdio: 'inherit' });
  children.push(child);
  await probe();
  return { pid: child.pid!, stop: () => stopChild(child) };
}

/** Waits until `url` answers a PROPFIND (or a GET, for `expect` 200) with `expect`. */
export async function waitFor(url: string, auth: string, expect = 207): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      const r = await fetch(url, {
        method: expect === 207 ? 'PROPFIND' : 'GET',
        headers: { ...(auth && { Authorization: auth }), Depth: '0' },
      });
      await r.arrayBuffer();
      if (r.status === expect) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not come up`);
}

/**
 * Waits until the machine is quiet — the 1-minute load average below half the CPUs, or 3 minutes at
 * most (BENCH_QUIET_WAIT_S; 0 for a quick trial whose figures mean nothing) — so that a server is
 * measured alone and idle, not beside a build or another server's start.
 */
export async function quiet(): Promise<number> {
  const limit = availableParallelism() / 2;
  const tries = Number(process.env.BENCH_QUIET_WAIT_S ?? 180) / 5;
  for (let i = 0; i < tries && loadavg()[0]! > limit; i++) await new Promise((r) => setTimeout(r, 5000));
  return load();
}

export { load, writeResults } from './results.js';

/** CPU seconds (user + system) process `pid` has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (proc(5)); here index 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// Radicale fsyncs every cache file it writes: building its caches for 5,000 items took about 12 min
// per user on the benchmark machine. Its private option _filesystem_fsync (settable only from Python)
// turns that off — it can only help Radicale's figures.
const RADICALE = `
import sys, radicale.config, radicale.log, radicale.server
radicale.log.setup()
conf = radicale.config.load([(sys.argv[1], False)])
conf.update({"storage": {"_filesystem_fsync": "False"}}, "bench", privileged=True)
radicale.log.set_level(conf.get("logging", "level"))
radicale.server.serve(conf)
`;

/**
 * Starts Radicale on 127.0.0.1:`port` over the folder `root` (its `collection-root` inside), with
 * plain-text htpasswd users; `probe` is a collection URL it must answer for `auth`.
 */
export function startRadicale(
  root: string,
  port: number,
  users: readonly (readonly [string, string])[],
  probe: string,
  auth: string,
): Promise<Started> {
  writeFileSync(path.join(root, 'htpasswd'), users.map(([u, p]) => `${u}:${p}`).join('\n') + '\n');
  writeFileSync(
    path.join(root, 'radicale.conf'),
    `[server]
hosts = 127.0.0.1:${port}
[auth]
type = htpasswd
htpasswd_filename = ${path.join(root, 'htpasswd')}
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = ${root}
[logging]
level = warning
`,
  );
  return start('/usr/bin/python3', ['-c', RADICALE, path.join(root, 'radicale.conf')], () => waitFor(probe, auth));
}

/** Radicale's collection properties for a calendar of events. */
export const RADICALE_CALENDAR_PROPS = JSON.stringify({
  tag: 'VCALENDAR',
  'D:displayname': 'CRM activities',
  'C:supported-calendar-component-set': 'VEVENT',
});

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
