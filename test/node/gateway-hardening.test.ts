// Gateway hardening (issue 16): one user's data or one attacker never stops the others. Each test
// failed before its fix. The gateway runs on real SQLite (and PostgreSQL where the store matters) on
// loopback; requests go over HTTP as clients send them.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { Authenticator, hashPassword } from '../../gateway/src/auth.js';
import { etagOf } from '../../gateway/src/etag.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/src/server.js';
import { PostgresStore } from '../../gateway/src/store/postgres.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import type { GatewayStore } from '../../gateway/src/store/types.js';
import { basic, BERLIN_VTIMEZONE, client, freshPostgresDatabase, ics, syncBody } from './support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'crm-gw-hard-'));
let gw: RunningGateway;
let store: SqliteStore;
const A = basic('alice', 'alice-pw');
const B = basic('bob', 'bob-pw');
const req = client(() => gw.url);
const EVENTS = '/dav/calendars/alice/activities/';
const putIcs = (file: string, body: string) =>
  req('PUT', `${EVENTS}${file}`, A, body, { 'Content-Type': 'text/calendar; charset=utf-8' });

/** A weekly series in Berlin time with the given extra lines in its VEVENT. */
const series = (uid: string, lines: readonly string[], rule = 'RRULE:FREQ=WEEKLY') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    ...BERLIN_VTIMEZONE,
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261126T080000Z',
    'DTSTART;TZID=Europe/Berlin:20261201T090000',
    'DTEND;TZID=Europe/Berlin:20261201T100000',
    rule,
    ...lines,
    `SUMMARY:${uid}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const rangeQuery = (from: string, to: string) =>
  `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${from}" end="${to}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;

describe('gateway hardening (issue 16)', () => {
  before(async () => {
    store = new SqliteStore(join(dir, 'g.sqlite'));
    await store.migrate();
    for (const u of ['alice', 'bob']) await store.addUser(u, await hashPassword(`${u}-pw`));
    gw = await startGateway({ store, port: 0 });
  });
  after(async () => {
    await gw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('1. a poison item', () => {
    it('an EXDATE list with an empty entry is refused with 400 naming it', async () => {
      const r = await putIcs(
        'poison.ics',
        series('poison', ['EXDATE;TZID=Europe/Berlin:20261201T090000,,20261215T090000']),
      );
      expect(r.status).to.equal(400);
      expect(r.text).to.include('EXDATE: an entry of its list is empty');
      const bad = await putIcs('bad-date.ics', series('bad-date', ['EXDATE;TZID=Europe/Berlin:2026120T0900']));
      expect([bad.status, bad.text]).to.satisfy(([s, t]: [number, string]) => s === 400 && t.includes('EXDATE:'));
    });

    it('an object stored before the checks does not fail the query: it is answered with the others', async () => {
      const good = ics('good-1', 'Good one', 'VEVENT', '20261203T090000Z');
      expect((await putIcs('good-1.ics', good)).status).to.equal(201);
      // As stored by an older gateway (no checks): straight into the store, index as it was then.
      const body = series('stored-poison', ['EXDATE;TZID=Europe/Berlin:20261201T090000,,20261215T090000']);
      await store.put(
        'alice',
        'activities',
        {
          href: 'stored-poison.ics',
          etag: etagOf(body),
          body,
          index: { uid: 'stored-poison', start: Date.UTC(2026, 11, 1, 8), end: null, recurring: true },
        },
        {},
      );
      const r = await req('REPORT', EVENTS, A, rangeQuery('20261201T000000Z', '20261231T000000Z'), { Depth: '1' });
      expect(r.status).to.equal(207);
      expect(r.text).to.include('good-1.ics').and.include('stored-poison.ics');
    });
  });

  describe('2. the modification time', () => {
    it('DAV:getlastmodified is served on PROPFIND, in REPORTs and as Last-Modified, from when the gateway stored it', async () => {
      const before = Date.now() - 1000;
      expect((await putIcs('dated.ics', ics('dated', 'Dated'))).status).to.equal(201);
      const after = Date.now() + 1000;
      const within = (text: string) => {
        const m = /<D:getlastmodified>([^<]+)<\/D:getlastmodified>/.exec(text);
        expect(m, text).not.to.equal(null);
        expect(Date.parse(m![1]!)).to.be.within(Math.floor(before / 1000) * 1000, after);
      };
      const prop = '<D:prop><D:getlastmodified/><D:getetag/></D:prop>';
      const propfind = await req(
        'PROPFIND',
        `${EVENTS}dated.ics`,
        A,
        `<?xml version="1.0"?><D:propfind xmlns:D="DAV:">${prop}</D:propfind>`,
        { Depth: '0' },
      );
      expect(propfind.status).to.equal(207);
      within(propfind.text);
      const multiget = await req(
        'REPORT',
        EVENTS,
        A,
        `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">${prop}<D:href>${EVENTS}dated.ics</D:href></C:calendar-multiget>`,
      );
      within(multiget.text);
      const sync = await req(
        'REPORT',
        EVENTS,
        A,
        syncBody().replace('<D:getetag/>', '<D:getetag/><D:getlastmodified/>'),
      );
      within(sync.text.slice(sync.text.indexOf('dated.ics')));
      const get = await req('GET', `${EVENTS}dated.ics`, A);
      expect(Date.parse(get.headers.get('last-modified') ?? '')).to.be.within(Math.floor(before / 1000) * 1000, after);
    });
  });

  describe('5. the cost of a rule', () => {
    it('refuses FREQ=SECONDLY and MINUTELY, which no CRM activity has, naming the rule', async () => {
      for (const freq of ['SECONDLY', 'MINUTELY']) {
        const r = await putIcs(`${freq}.ics`, series(freq, [], `RRULE:FREQ=${freq};COUNT=100000`));
        expect(r.status, freq).to.equal(403);
        expect(r.text).to.include(`RRULE: FREQ=${freq} is not accepted`).and.include('valid-calendar-object-resource');
      }
    });

    it('one user’s heavy queries never starve another user: they take turns, and too many wait with 429', async () => {
      const own = await startGateway({ store, port: 0, limits: { perUserConcurrency: 1, perUserQueue: 2 } });
      try {
        const call = client(() => own.url);
        // Bob's calendar: 20 series of 2,000 days each, queried near their end (the most expansion).
        for (let i = 0; i < 20; i++)
          await call(
            'PUT',
            `/dav/calendars/bob/activities/heavy-${i}.ics`,
            B,
            series(`heavy-${i}`, [], 'RRULE:FREQ=DAILY;COUNT=2000'),
            {
              'Content-Type': 'text/calendar',
            },
          );
        const done: string[] = [];
        const heavy = (n: number) =>
          call('REPORT', '/dav/calendars/bob/activities/', B, rangeQuery('20320501T000000Z', '20320502T000000Z'), {
            Depth: '1',
          }).then((r) => (done.push(`bob${n}:${r.status}`), r));
        const bobs = [heavy(1), heavy(2), heavy(3), heavy(4), heavy(5)];
        await new Promise((r) => setTimeout(r, 20));
        const alice = call('PROPFIND', '/dav/calendars/alice/', A, '', { Depth: '0' }).then(
          (r) => (done.push('alice'), r),
        );
        const answers = await Promise.all(bobs);
        expect((await alice).status).to.equal(207);
        expect(answers.filter((r) => r.status === 429).length, 'beyond one running and two waiting').to.equal(2);
        expect(answers.find((r) => r.status === 429)!.headers.get('retry-after')).to.equal('1');
        expect(answers.filter((r) => r.status === 207).every((r) => r.text.includes('heavy-0.ics'))).to.equal(true);
        const lastBob = done.reduce((last, d, i) => (d.endsWith(':207') ? i : last), -1);
        expect(done.indexOf('alice'), `alice was served before bob's queries were done: ${done.join(' ')}`).to.be.below(
          lastBob,
        );
      } finally {
        await own.close();
      }
    });

    it('evaluates at most MAX_INSTANCES occurrences of a series; one beyond is answered, never left out', async () => {
      // 100,000 days: the occurrence in 2200 lies far beyond what the gateway expands.
      expect((await putIcs('long.ics', series('long', [], 'RRULE:FREQ=DAILY;COUNT=100000'))).status).to.equal(201);
      const r = await req('REPORT', EVENTS, A, rangeQuery('22000101T000000Z', '22000102T000000Z'), { Depth: '1' });
      expect(r.status).to.equal(207);
      expect(r.text).to.include('long.ics');
    });
  });
});

describe('3. throttling that cannot be used to lock a user out', () => {
  let s: Awaited<ReturnType<typeof sqliteStore>>;
  before(async () => {
    s = await sqliteStore();
    for (const u of ['anna', 'ben', 'dora', 'emil', 'fritz', 'gus', 'hedi'])
      await s.store.addUser(u, await hashPassword(`${u}-pw`));
  });
  after(async () => s.close());
  let now = Date.UTC(2026, 11, 4, 9);
  const auth = () => new Authenticator(s.store, { maxFailures: 5, lockMs: 30_000, maxLockMs: 15 * 60_000 }, () => now);
  const check = (a: Authenticator, user: string, password: string, address: string) =>
    a.check(basic(user, password), address);

  it('an attacker elsewhere cannot keep the user out: the right password from a known client gets through', async () => {
    const a = auth();
    expect((await check(a, 'anna', 'anna-pw', '10.0.0.1')).ok, 'anna at her desk').to.equal(true);
    a.forget(); // (and the remembered logon expired: the password is checked again)
    const tries = [];
    for (let i = 0; i < 12; i++) tries.push((await check(a, 'anna', `guess-${i}`, '203.0.113.66')).ok);
    expect(tries.every((ok) => !ok)).to.equal(true);
    const attacker = await check(a, 'anna', 'anna-pw', '203.0.113.66');
    expect(
      [attacker.ok, !attacker.ok && attacker.status],
      'the attacker waits, even with the right password',
    ).to.deep.equal([false, 429]);
    expect((await check(a, 'anna', 'anna-pw', '10.0.0.1')).ok, 'anna from her known client').to.equal(true);
    const elsewhere = await check(a, 'anna', 'anna-pw', '198.51.100.7');
    expect(!elsewhere.ok && elsewhere.status, 'a new client of hers waits while she is under attack').to.equal(429);
    now += 16 * 60_000; // the waits are over (at most 15 minutes)
    expect((await check(a, 'anna', 'anna-pw', '198.51.100.7')).ok, 'and then gets through').to.equal(true);
  });

  it('the waits double with each further failure, as Retry-After says', async () => {
    const a = auth();
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await check(a, 'ben', `wrong-${i}`, '192.0.2.10');
      if (!r.ok && r.status === 429) {
        waits.push(r.retryAfterS);
        now += (r.retryAfterS ?? 0) * 1000; // the client waits as told
      }
    }
    expect(waits).to.deep.equal([30, 60, 120, 240]);
  });

  it('bad tokens from an address slow down only bad tokens: the users behind it log on', async () => {
    const a = auth();
    for (let i = 0; i < 10; i++) await a.check(`Bearer not-a-token-${i}`, '10.9.9.9');
    const token = await a.issueToken('dora', 'laptop');
    expect((await a.check(`Bearer ${token.secret}`, '10.9.9.9')).ok, 'a real token').to.equal(true);
    expect((await check(a, 'emil', 'emil-pw', '10.9.9.9')).ok, 'a password logon').to.equal(true);
    const scanner = await a.check('Bearer yet-another', '10.9.9.9');
    expect(!scanner.ok && scanner.status).to.equal(429);
  });

  it('colleagues behind one office address mistyping does not stop the others', async () => {
    const a = auth();
    for (const u of ['fritz', 'gus', 'dora', 'emil', 'ben', 'anna']) await check(a, u, 'typo', '192.0.2.200');
    expect((await check(a, 'hedi', 'hedi-pw', '192.0.2.200')).ok, 'hedi logs on for the first time').to.equal(true);
  });
});

describe('4. a flood of logons', () => {
  let s: Awaited<ReturnType<typeof sqliteStore>>;
  before(async () => {
    s = await sqliteStore();
    await s.store.addUser('iris', await hashPassword('iris-pw'));
  });
  after(async () => s.close());

  it('bounds the password checks at once: beyond the queue, 503 with Retry-After; a known client goes first', async () => {
    const a = new Authenticator(s.store, { hashConcurrency: 1, hashQueue: 20 });
    expect((await a.check(basic('iris', 'iris-pw'), '10.1.1.1')).ok).to.equal(true);
    a.forget();
    const order: string[] = [];
    const flood = Array.from({ length: 40 }, (_, i) =>
      a.check(basic(`nobody${i}`, 'x'), `203.0.113.${i}`).then((r) => {
        order.push(r.ok ? 'ok' : String(r.status));
        return r;
      }),
    );
    const iris = a.check(basic('iris', 'iris-pw'), '10.1.1.1').then((r) => {
      order.push('iris');
      return r;
    });
    const results = await Promise.all(flood);
    expect((await iris).ok).to.equal(true);
    const overloaded = results.filter((r) => !r.ok && r.status === 503);
    expect(overloaded.length, 'the queue holds 20').to.be.within(15, 20);
    expect(overloaded.every((r) => !r.ok && r.retryAfterS === 1)).to.equal(true);
    const checked = order.filter((o) => o !== '503');
    expect(
      checked.indexOf('iris'),
      `iris waited for at most the checks already running: ${checked.join(' ')}`,
    ).to.be.below(3);
  });

  it('over HTTP: the overload is a 503 with Retry-After, and a remembered logon is answered at once', async () => {
    const own = await startGateway({ store: s.store, port: 0, throttle: { hashConcurrency: 1, hashQueue: 2 } });
    try {
      const call = client(() => own.url);
      const I = basic('iris', 'iris-pw');
      expect((await call('PROPFIND', '/dav/calendars/iris/', I, '', { Depth: '0' })).status).to.equal(207);
      const flood = await Promise.all(Array.from({ length: 12 }, (_, i) => call('GET', '/dav/', basic(`x${i}`, 'y'))));
      const busy = flood.filter((r) => r.status === 503);
      expect(busy.length).to.be.above(0);
      expect(busy[0]!.headers.get('retry-after')).to.equal('1');
      expect((await call('PROPFIND', '/dav/calendars/iris/', I, '', { Depth: '0' })).status).to.equal(207);
    } finally {
      await own.close();
    }
  });
});

type OpenStore = () => Promise<{ store: GatewayStore; close(): Promise<void> }>;

/** A gateway of the suite's own on a fresh store with these users (password `<user>-pw`), for its tests. */
function ownGateway(open: OpenStore, users: readonly string[], options: Partial<GatewayOptions> = {}) {
  let s: Awaited<ReturnType<OpenStore>>;
  let gw: RunningGateway;
  before(async () => {
    s = await open();
    for (const u of users) await s.store.addUser(u, await hashPassword(`${u}-pw`));
    gw = await startGateway({ store: s.store, port: 0, ...options });
  });
  after(async () => {
    await gw?.close();
    await s?.close();
  });
  return { url: () => gw.url, store: () => s.store };
}

/**
 * A raw connection to `url`: what a slow or hostile client sends, byte by byte. `closed` says when the
 * server closed it (ms after `open`) and what it answered.
 */
async function rawConnection(url: string) {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const opened = Date.now();
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) =>
    socket.once('close', () => resolve({ afterMs: Date.now() - opened, answer })),
  );
  /** Sends `text` one byte every `everyMs` until it is sent or the server closed the connection. */
  const trickle = async (text: string, everyMs: number) => {
    for (const ch of text) {
      if (socket.destroyed) return;
      socket.write(ch);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  return { socket, closed, trickle };
}

describe('7. slow requests and connections per address', () => {
  const own = ownGateway(() => sqliteStore(), ['alice'], {
    limits: { headersMs: 1000, requestMs: 3000, bodyIdleMs: 1000, connectionsPerAddress: 4 },
  });
  const head = (auth: string, length: number) =>
    `PUT ${EVENTS}slow.ics HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: text/calendar\r\nContent-Length: ${length}\r\n\r\n`;

  it('headers trickled byte by byte: 408 and closed when the header time is over', async () => {
    const c = await rawConnection(own.url());
    void c.trickle(`GET /dav/ HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 100);
    const { afterMs, answer } = await c.closed;
    expect(answer).to.match(/^HTTP\/1\.1 408/);
    expect(afterMs).to.be.below(5000);
  });

  it('a body trickled before authentication is not read: 401 and closed at once', async () => {
    const c = await rawConnection(own.url());
    c.socket.write(head(basic('alice', 'wrong'), 1000));
    void c.trickle('x'.repeat(1000), 100);
    const { afterMs, answer } = await c.closed;
    expect(answer).to.match(/^HTTP\/1\.1 401/);
    expect(afterMs).to.be.below(2000);
  });

  it('a body that pauses: 408 when the pause is too long; one that trickles on: 408 when the request time is over', async () => {
    const paused = await rawConnection(own.url());
    paused.socket.write(head(A, 100) + 'BEGIN:VCALENDAR');
    const p = await paused.closed;
    expect(p.answer).to.match(/^HTTP\/1\.1 408/);
    expect(p.answer).to.include('paused');
    const slow = await rawConnection(own.url());
    slow.socket.write(head(A, 1000));
    void slow.trickle('x'.repeat(1000), 300);
    const t = await slow.closed;
    expect(t.answer).to.match(/^HTTP\/1\.1 408/);
    expect(t.afterMs).to.be.below(7000);
  });

  it('one address holds at most the configured connections; others are served', async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => rawConnection(own.url())));
    const fifth = await rawConnection(own.url());
    const { afterMs } = await fifth.closed;
    expect(afterMs).to.be.below(1000);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    const r = await client(own.url)('PROPFIND', '/dav/calendars/alice/', A, '', { Depth: '0' });
    expect(r.status).to.equal(207);
  });
});

/** A request with a bad body, header or name; `ok`: the status when the gateway may replace the value. */
interface BadRequest {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly ok?: number;
}

/** Each must be a 4xx with a readable reason. */
const BAD: readonly BadRequest[] = [
  { what: 'XML cut short', method: 'PROPFIND', path: EVENTS, body: '<D:propfind xmlns:D="DAV:"><D:prop>' },
  { what: 'mismatched tags', method: 'REPORT', path: EVENTS, body: '<a></b>' },
  { what: 'an unbound prefix', method: 'PROPFIND', path: EVENTS, body: '<D:propfind/>' },
  { what: 'an entity', method: 'REPORT', path: EVENTS, body: '<a>&foo;</a>' },
  { what: 'a DTD', method: 'REPORT', path: EVENTS, body: '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' },
  { what: 'two roots', method: 'PROPFIND', path: EVENTS, body: '<a/><b/>' },
  { what: 'text, not XML', method: 'REPORT', path: EVENTS, body: 'hello' },
  { what: 'a bad time range', method: 'REPORT', path: EVENTS, body: rangeQuery('tomorrow', '20270101T000000Z') },
  { what: 'a NUL in an item name', method: 'PUT', path: `${EVENTS}a%00b.ics`, body: ics('nul-name', 'x') },
  { what: 'a NUL in iCalendar', method: 'PUT', path: `${EVENTS}nul.ics`, body: ics('nul', 'x\u0000y') },
  { what: 'a NUL in a log line', method: 'POST', path: '/state/m/log', body: '{"message":"a\\u0000b"}' },
  { what: 'a NUL in the lease holder', method: 'POST', path: '/state/m/lease', body: '{"holder":"h\\u0000"}' },
  { what: 'a NUL in a search', method: 'GET', path: '/state/m/log?search=%00' },
  { what: 'a time beyond BIGINT', method: 'DELETE', path: '/state/m/log?before=99999999999999999999' },
  {
    what: 'a log time beyond BIGINT',
    method: 'POST',
    path: '/state/m/log',
    body: '{"at":1e300,"message":"x"}',
    ok: 204,
  },
  {
    what: 'a version beyond BIGINT',
    method: 'POST',
    path: '/state/m/commit',
    body: '{}',
    headers: { 'Sync-Lease': 'x', 'If-Match': '"99999999999999999999"' },
  },
];

function badBodySuite(name: string, open: OpenStore) {
  describe(`6. bad bodies, headers and names (${name})`, () => {
    const own = ownGateway(open, ['alice']);

    it('every one is a 4xx (or, for a value the gateway may replace, accepted) with a readable reason, never 500', async () => {
      const call = client(own.url);
      const answers: string[] = [];
      for (const b of BAD) {
        const r = await call(b.method, b.path, A, b.body, {
          'Content-Type': b.path.startsWith('/state')
            ? 'application/json'
            : b.method === 'PUT'
              ? 'text/calendar'
              : 'application/xml',
          ...b.headers,
        });
        const fine = b.ok ? r.status === b.ok : r.status >= 400 && r.status < 500 && r.text.trim().length > 5;
        if (!fine) answers.push(`${b.what}: ${r.status} ${r.text.slice(0, 120)}`);
      }
      expect(answers).to.deep.equal([]);
    });
  });
}

const sqliteStore = async () => {
  const d = mkdtempSync(join(tmpdir(), 'crm-gw-hard-s-'));
  const s = new SqliteStore(join(d, 'g.sqlite'));
  await s.migrate();
  return {
    store: s,
    async close() {
      await s.close();
      rmSync(d, { recursive: true, force: true });
    },
  };
};

const postgresStore = async () => {
  const database = await freshPostgresDatabase();
  const s = new PostgresStore(database.url);
  await s.migrate();
  return {
    store: s,
    async close() {
      await s.close();
      await database.drop();
    },
  };
};

badBodySuite('SQLite', sqliteStore);
badBodySuite('PostgreSQL', postgresStore);

function tokenSuite(name: string, open: OpenStore) {
  describe(`8. app tokens (${name})`, () => {
    const own = ownGateway(open, ['carol']);
    const C = basic('carol', 'carol-pw');
    const call = client(own.url);
    const newToken = async () =>
      JSON.parse((await call('POST', '/auth/token', C, JSON.stringify({ label: 'device' }))).text) as {
        id: string;
        token: string;
      };

    it('only a password logon revokes tokens: a token cannot revoke the user’s others', async () => {
      const [one, two] = [await newToken(), await newToken()];
      const r = await call('DELETE', `/auth/tokens/${two.id}`, `Bearer ${one.token}`);
      expect(r.status).to.equal(403);
      expect(r.text).to.include('log on with the password');
      expect(
        (await call('PROPFIND', '/dav/calendars/carol/', `Bearer ${two.token}`, '', { Depth: '0' })).status,
      ).to.equal(207);
      expect((await call('DELETE', `/auth/tokens/${two.id}`, C)).status).to.equal(204);
    });

    it('a password change revokes the user’s tokens', async () => {
      const t = await newToken();
      const bearer = `Bearer ${t.token}`;
      expect((await call('PROPFIND', '/dav/calendars/carol/', bearer, '', { Depth: '0' })).status).to.equal(207);
      expect(await own.store().setPassword('carol', await hashPassword('carol-new-pw'))).to.equal(true);
      expect((await call('PROPFIND', '/dav/calendars/carol/', bearer, '', { Depth: '0' })).status).to.equal(401);
      expect(await own.store().listTokens('carol')).to.deep.equal([]);
      expect(await own.store().setPassword('nobody', await hashPassword('x'))).to.equal(false);
    });
  });
}

tokenSuite('SQLite', sqliteStore);
tokenSuite('PostgreSQL', postgresStore);
