// The gateway as an IT department runs it: `crm-gateway` processes started from the CLI, killed in
// the middle of a burst of writes (nothing acknowledged may be lost, the database stays sound), two
// processes sharing one PostgreSQL database, and the CLI's user, import and export commands.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { hashPassword } from '../../gateway/src/auth.js';
import { PostgresStore } from '../../gateway/src/store/postgres.js';
import {
  basic,
  client,
  BERLIN_VTIMEZONE,
  freshPostgresDatabase,
  ics,
  runCli,
  startGatewayProcess,
  syncBody,
  tokenOf,
  type GatewayProcess,
  type Reply,
} from './support/gateway.js';

const A = basic('alice', 'alice-pw');
const B = basic('bob', 'bob-pw');
const ACTIVITIES = '/dav/calendars/alice/activities/';
const calendar = { 'Content-Type': 'text/calendar' };

interface Burst {
  /** href → [ETag, body] of every write the gateway acknowledged. */
  readonly acknowledged: Map<string, readonly [string, string]>;
  /** href → body of every write that was sent (acknowledged or not). */
  readonly sent: Map<string, string>;
}

/**
 * PUTs `count` new items, `parallel` at a time, spread over the gateways; `onAck(n)` is called with the
 * number acknowledged so far. Requests that fail (the process was killed) are not acknowledged.
 */
async function burst(
  gateways: readonly GatewayProcess[],
  count: number,
  parallel: number,
  onAck: (n: number) => void = () => undefined,
): Promise<Burst> {
  const acknowledged = new Map<string, readonly [string, string]>();
  const sent = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const href = `${ACTIVITIES}burst-${i}.ics`;
      const body = ics(`burst-${i}`, `Burst ${i} ${'x'.repeat(i % 500)}`);
      sent.set(href, body);
      const gw = gateways[i % gateways.length]!;
      let r: Reply;
      try {
        r = await client(() => gw.url)('PUT', href, A, body, { ...calendar, 'If-None-Match': '*' });
      } catch {
        continue; // killed while in flight: not acknowledged
      }
      if (r.status === 201) {
        acknowledged.set(href, [r.headers.get('etag')!, body]);
        onAck(acknowledged.size);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { acknowledged, sent };
}

/** Every acknowledged write reads back byte for byte with its ETag; anything else stored is whole. */
async function expectNothingLost(gw: GatewayProcess, b: Burst) {
  const req = client(() => gw.url);
  for (const [href, [etag, body]] of b.acknowledged) {
    const r = await req('GET', href, A);
    expect(r.status, `${href} acknowledged but gone`).to.equal(200);
    expect(r.headers.get('etag')).to.equal(etag);
    expect(r.text).to.equal(body);
  }
  const listing = await req('REPORT', ACTIVITIES, A, syncBody());
  const stored = [...listing.text.matchAll(/<D:href>([^<]+burst-\d+\.ics)<\/D:href>/g)].map((m) => m[1]!);
  expect(stored.length).to.be.at.least(b.acknowledged.size);
  for (const href of stored) {
    if (b.acknowledged.has(href)) continue;
    // Sent, not acknowledged: it may have landed, but then completely.
    expect((await req('GET', href, A)).text, `${href} is torn`).to.equal(b.sent.get(href));
  }
}

describe('gateway processes: SQLite, killed during a burst of writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-gw-proc-'));
  const db = join(dir, 'gateway.sqlite');
  let gw: GatewayProcess | undefined;
  after(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds users from the CLI with the password on standard input, once', async () => {
    expect((await runCli(['user', 'add', 'alice', '--password-stdin', '--db', db], 'alice-pw\n')).code).to.equal(0);
    const dup = await runCli(['user', 'add', 'alice', '--password-stdin', '--db', db], 'other-pw\n');
    expect(dup.code).to.equal(2);
    expect(dup.stderr).to.include('exists already');
    const list = await runCli(['user', 'list', '--db', db]);
    expect(list.stdout.trim().split('\n')).to.deep.equal(['alice']);
  });

  it('loses nothing it acknowledged when SIGKILLed mid-burst, and the database stays sound', async () => {
    gw = await startGatewayProcess(['--db', db]);
    const killed = gw;
    let killing: Promise<void> | undefined;
    const b = await burst([killed], 400, 16, (n) => {
      if (n === 120) killing = killed.kill();
    });
    await killing;
    expect(killed.child.signalCode).to.equal('SIGKILL');
    expect(b.acknowledged.size, 'the kill came in the middle of the burst').to.be.within(120, 399);

    const check = new Database(db, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).to.equal('ok');
    } finally {
      check.close();
    }
    gw = await startGatewayProcess(['--db', db]);
    await expectNothingLost(gw, b);
  });

  it('imports an .ics file and exports it again, one VTIMEZONE per zone', async () => {
    const file = join(dir, 'import.ics');
    const zone = BERLIN_VTIMEZONE;
    const event = (uid: string, hour: string) => [
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20261126T080000Z',
      `DTSTART;TZID=Europe/Berlin:20261201T${hour}0000`,
      `DTEND;TZID=Europe/Berlin:20261201T${hour}3000`,
      `SUMMARY:Imported ${uid}`,
      'X-SAPCRM-BUSINESS-PARTNER:4711 Müller GmbH',
      'END:VEVENT',
    ];
    const todo = ['BEGIN:VTODO', 'UID:imp-task', 'DTSTAMP:20261126T080000Z', 'SUMMARY:Imported task', 'END:VTODO'];
    const broken = ['BEGIN:VEVENT', 'UID:imp-broken', 'DTSTART:not-a-date', 'END:VEVENT'];
    const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...zone, ...event('imp-1', '09')];
    text.push(...event('imp-2', '14'), ...todo, ...broken, 'END:VCALENDAR', '');
    writeFileSync(file, text.join('\r\n'));
    await gw?.stop();
    gw = undefined;
    const imported = await runCli(['import', 'alice', file, '--db', db]);
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stderr).to.include('imported 3 of 4').and.include('skipped imp-broken');
    const exported = await runCli(['export', 'alice', '--db', db]);
    expect(exported.code, exported.stderr).to.equal(0);
    for (const uid of ['imp-1', 'imp-2', 'imp-task']) expect(exported.stdout).to.include(`UID:${uid}`);
    expect(exported.stdout).to.include('X-SAPCRM-BUSINESS-PARTNER:4711 Müller GmbH');
    expect(exported.stdout.match(/BEGIN:VTIMEZONE/g)).to.have.length(1);
    expect((await runCli(['export', 'nobody', '--db', db])).stderr).to.include('no user nobody');
  });
});

describe('gateway processes: two processes on one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let one: GatewayProcess;
  let two: GatewayProcess;
  before(async () => {
    database = await freshPostgresDatabase();
    const store = new PostgresStore(database.url);
    await store.migrate();
    await store.addUser('alice', await hashPassword('alice-pw'));
    await store.addUser('bob', await hashPassword('bob-pw'));
    await store.close();
    // Both start at once: their migrations meet on the advisory lock.
    [one, two] = await Promise.all([
      startGatewayProcess(['--db', database.url]),
      startGatewayProcess(['--db', database.url]),
    ]);
  });
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await database?.drop();
  });

  it('what one process writes, the other serves with the same ETag; tokens work on both', async () => {
    const r1 = client(() => one.url);
    const r2 = client(() => two.url);
    const start = tokenOf((await r2('REPORT', ACTIVITIES, A, syncBody())).text)!;
    const put = await r1('PUT', `${ACTIVITIES}shared.ics`, A, ics('shared', 'Shared'), calendar);
    expect(put.status).to.equal(201);
    const got = await r2('GET', `${ACTIVITIES}shared.ics`, A);
    expect(got.headers.get('etag')).to.equal(put.headers.get('etag'));
    const changes = await r2('REPORT', ACTIVITIES, A, syncBody(start));
    expect(changes.status).to.equal(207);
    expect(changes.text).to.include(`${ACTIVITIES}shared.ics`);
    expect((await r2('GET', `${ACTIVITIES}shared.ics`, B)).status, 'bob sees nothing of alice').to.equal(404);
  });

  it('races for one href or one UID across processes: exactly one wins each time', async () => {
    const r1 = client(() => one.url);
    const r2 = client(() => two.url);
    for (let i = 0; i < 15; i++) {
      const href = `${ACTIVITIES}race-${i}.ics`;
      const both = await Promise.all([
        r1('PUT', href, A, ics(`race-${i}`, 'from one'), { ...calendar, 'If-None-Match': '*' }),
        r2('PUT', href, A, ics(`race-${i}`, 'from two'), { ...calendar, 'If-None-Match': '*' }),
      ]);
      expect(both.map((r) => r.status).sort(), `round ${i}`).to.deep.equal([201, 412]);
      const uid = await Promise.all([
        r1('PUT', `${ACTIVITIES}uid-a-${i}.ics`, A, ics(`uid-${i}`, 'a'), calendar),
        r2('PUT', `${ACTIVITIES}uid-b-${i}.ics`, A, ics(`uid-${i}`, 'b'), calendar),
      ]);
      expect(uid.map((r) => r.status).sort(), `UID round ${i}`).to.deep.equal([201, 403]);
    }
  });

  it('the sync state across processes: one lease for devices racing on both, one commit per version (issue 15)', async () => {
    const state = (url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/state/anna%40example.com${path}`, {
        method,
        headers: { Authorization: A, 'Content-Type': 'application/json', ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    for (let round = 0; round < 5; round++) {
      const tries = await Promise.all(
        ['laptop', 'web', 'mac', 'phone'].map((holder, i) =>
          state(i % 2 ? one.url : two.url, 'POST', '/lease', { holder: `${holder}-${round}`, ttlMs: 60_000 }),
        ),
      );
      const won = tries.filter((r) => r.status === 200);
      expect(tries.map((r) => r.status).sort(), `round ${round}`).to.deep.equal([200, 409, 409, 409]);
      const { lease, version } = (await won[0]!.json()) as { lease: string; version: number };
      const commits = await Promise.all(
        [one, two, one, two].map((p, i) =>
          state(
            p.url,
            'POST',
            '/commit',
            { upsert: [{ key: `uid:${round}-${i}` }] },
            {
              'Sync-Lease': lease,
              'If-Match': `"${version}"`,
            },
          ),
        ),
      );
      expect(commits.map((r) => r.status).sort(), `commits of round ${round}`).to.deep.equal([200, 412, 412, 412]);
      expect((await state(two.url, 'DELETE', '/lease', undefined, { 'Sync-Lease': lease })).status).to.equal(204);
    }
    const final = (await (await state(one.url, 'GET', '')).json()) as { version: number; rows: unknown[] };
    expect(final).to.deep.include({ version: 5 });
    expect(final.rows).to.have.length(5);
  });

  it('a burst over both processes, one of them SIGKILLed: the other serves every acknowledged write', async () => {
    const before = tokenOf((await client(() => two.url)('REPORT', ACTIVITIES, A, syncBody())).text)!;
    let killing: Promise<void> | undefined;
    const b = await burst([one, two], 200, 12, (n) => {
      if (n === 60) killing = one.kill();
    });
    await killing;
    expect(b.acknowledged.size).to.be.within(60, 200);
    await expectNothingLost(two, b);
    const changes = await client(() => two.url)('REPORT', ACTIVITIES, A, syncBody(before));
    for (const href of b.acknowledged.keys()) expect(changes.text).to.include(`<D:href>${href}</D:href>`);
  });
});
