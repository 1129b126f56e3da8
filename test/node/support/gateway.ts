// Helpers for the gateway's tests: iCalendar bodies, HTTP with Basic auth, the gateway's CLI as a
// separate process (what an IT department runs), and a throw-away PostgreSQL database.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'gateway/bin/crm-gateway.js');

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** 20261127T090000Z → 20261127T100000Z */
const plusHour = (utc: string) =>
  new Date(Date.parse(utc.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')) + 3600_000)
    .toISOString()
    .replace(/[-:]|\.\d+/g, '');

/** One calendar object with an extra property that must survive byte for byte. */
export const ics = (uid: string, summary: string, comp = 'VEVENT', start = '20261127T090000Z') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    `BEGIN:${comp}`,
    `UID:${uid}`,
    'DTSTAMP:20261126T080000Z',
    `DTSTART:${start}`,
    ...(comp === 'VEVENT' ? [`DTEND:${plusHour(start)}`] : []),
    `SUMMARY:${summary}`,
    'X-UNKNOWN-PROP;X-P=1:kept as is',
    `END:${comp}`,
    'END:VCALENDAR',
    '',
  ].join('\r\n');

/** The VTIMEZONE of Europe/Berlin as CRM clients write it. */
export const BERLIN_VTIMEZONE: readonly string[] = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'BEGIN:STANDARD',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];

export const syncBody = (token = '') =>
  `<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

export const tokenOf = (multistatus: string) => /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(multistatus)?.[1];

export interface Reply {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

/** An HTTP client for one gateway. */
export function client(base: () => string) {
  return async (
    method: string,
    path: string,
    auth: string | undefined,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const r = await fetch(`${base()}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(auth && { Authorization: auth }), ...headers },
      ...(body !== undefined && { body }),
    }).catch((error: Error) => {
      throw new Error(`${method} ${path}: ${error.message} (${String(error.cause)})`);
    });
    return { status: r.status, text: await r.text(), headers: r.headers };
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `crm-gateway <args>` to its end, with `stdin` as standard input. */
export function runCli(args: readonly string[], stdin = ''): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Standard error so far (start-up messages, errors). */
  stderr(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the process gets no chance to finish anything. */
  kill(): Promise<void>;
}

/** Starts `crm-gateway serve --port 0 <args>` and waits until it says where it listens. */
export async function startGatewayProcess(args: readonly string[]): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--quiet', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`crm-gateway did not start in 120 s:\n${err}`)), 120_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`crm-gateway exited with ${code}:\n${err}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, stderr: () => err, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** Where the tests find PostgreSQL: a role that may create databases (.ci/run sets it up). */
export const PG_URL = process.env.CRM_TEST_PG_URL ?? 'postgres://crm:crm@127.0.0.1:5432/crm_test';

/** Creates an empty database for one test file; `drop` removes it again. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}). ` +
        'Start it and create a role that may create databases (README, "Running the tests"), ' +
        'or point CRM_TEST_PG_URL at one.',
      { cause: error },
    );
  }
  const name = `crm_gw_test_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
