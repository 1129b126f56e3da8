// The reference gateway over real SQLite on loopback: discovery, items with ETags and preconditions,
// sync-collection with deletions, isolation between users and the bad-input answers.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Authenticator, hashPassword } from '../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import { basic, client, ics, syncBody, tokenOf } from './support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'crm-gw-'));
let gw: RunningGateway;
let store: SqliteStore;
const A = basic('alice', 'alice-pw');
const B = basic('bob', 'bob-pw');
const req = client(() => gw.url);

describe('reference gateway (SQLite, loopback)', () => {
  before(async () => {
    store = new SqliteStore(join(dir, 'g.sqlite'));
    await store.migrate();
    await store.addUser('alice', await hashPassword('alice-pw'));
    await store.addUser('bob', await hashPassword('bob-pw'));
    gw = await startGateway({ store, port: 0, corsOrigins: ['https://localhost:3000'], maxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await gw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and redirects /.well-known/caldav', async () => {
    expect(gw.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await req('PROPFIND', '/.well-known/caldav', A);
    expect(r.status).to.equal(301);
    expect(r.headers.get('location')).to.equal('/dav/');
  });

  it('discovers principal, home and the two collections', async () => {
    const root = await req(
      'PROPFIND',
      '/dav/',
      A,
      '<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>',
      { Depth: '0' },
    );
    expect(root.status).to.equal(207);
    expect(root.text).to.include('<D:href>/dav/principals/alice/</D:href>');
    const home = await req(
      'PROPFIND',
      '/dav/calendars/alice/',
      A,
      '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:resourcetype/><C:supported-calendar-component-set/></D:prop></D:propfind>',
      { Depth: '1' },
    );
    expect(home.text).to.include('/dav/calendars/alice/activities/').and.include('<C:comp name="VEVENT"/>');
    expect(home.text).to.include('/dav/calendars/alice/tasks/').and.include('<C:comp name="VTODO"/>');
  });

  it('stores items byte for byte with strong ETags and honours If-Match / If-None-Match', async () => {
    const path = '/dav/calendars/alice/activities/one.ics';
    const body = ics('one', 'First');
    const created = await req('PUT', path, A, body, { 'Content-Type': 'text/calendar', 'If-None-Match': '*' });
    expect(created.status).to.equal(201);
    const etag = created.headers.get('etag')!;
    expect(etag).to.match(/^"[^"]+"$/);
    const again = await req('PUT', path, A, body, { 'Content-Type': 'text/calendar', 'If-None-Match': '*' });
    expect(again.status).to.equal(412);
    const got = await req('GET', path, A);
    expect(got.text).to.equal(body);
    expect(got.headers.get('etag')).to.equal(etag);
    const stale = await req('PUT', path, A, ics('one', 'Second'), {
      'Content-Type': 'text/calendar',
      'If-Match': '"stale"',
    });
    expect(stale.status).to.equal(412);
    const ok = await req('PUT', path, A, ics('one', 'Second'), { 'Content-Type': 'text/calendar', 'If-Match': etag });
    expect(ok.status).to.equal(204);
    expect((await req('DELETE', path, A, undefined, { 'If-Match': etag })).status).to.equal(412);
    const dup = await req('PUT', '/dav/calendars/alice/activities/other.ics', A, ics('one', 'Clash'), {
      'Content-Type': 'text/calendar',
    });
    expect(dup.status).to.equal(403);
    expect(dup.text).to.include('no-uid-conflict');
  });

  it('reports changes and deletions with sync-collection; an unknown token is refused', async () => {
    const coll = '/dav/calendars/alice/tasks/';
    await req('PUT', `${coll}t1.ics`, A, ics('t1', 'Task 1', 'VTODO'), { 'Content-Type': 'text/calendar' });
    const first = await req('REPORT', coll, A, syncBody());
    const token = tokenOf(first.text)!;
    expect(first.text).to.include(`${coll}t1.ics`);
    expect((await req('DELETE', `${coll}t1.ics`, A)).status).to.equal(204);
    await req('PUT', `${coll}t2.ics`, A, ics('t2', 'Task 2', 'VTODO'), { 'Content-Type': 'text/calendar' });
    const next = await req('REPORT', coll, A, syncBody(token));
    expect(next.text).to.match(/t1\.ics<\/D:href><D:status>HTTP\/1\.1 404 Not Found/);
    expect(next.text).to.include(`${coll}t2.ics`);
    const bad = await req('REPORT', coll, A, syncBody('urn:crm-gateway:sync:alice/tasks/999999'));
    expect(bad.status).to.equal(403);
    expect(bad.text).to.include('valid-sync-token');
  });

  it('keeps users apart: bob can neither read, write nor discover alice', async () => {
    expect((await req('GET', '/dav/calendars/alice/activities/one.ics', B)).status).to.equal(404);
    expect((await req('PROPFIND', '/dav/calendars/alice/', B, '', { Depth: '1' })).status).to.equal(404);
    const w = await req('PUT', '/dav/calendars/alice/activities/evil.ics', B, ics('evil', 'x'), {
      'Content-Type': 'text/calendar',
    });
    expect(w.status).to.equal(404);
    expect((await req('GET', '/dav/calendars/alice/activities/evil.ics', A)).status).to.equal(404);
    expect((await req('GET', '/dav/', undefined)).status).to.equal(401);
  });

  it('answers bad input with 4xx and a clear body, never 500', async () => {
    const coll = '/dav/calendars/alice/activities/';
    const cases: [string, string, string | undefined, Record<string, string>, number][] = [
      ['REPORT', coll, '<D:sync-collection xmlns:D="DAV:"><D:sync-token>', {}, 400],
      ['REPORT', coll, '<!DOCTYPE lolz [<!ENTITY lol "lol">]><D:sync-collection xmlns:D="DAV:"/>', {}, 400],
      ['PUT', `${coll}bad.ics`, 'BEGIN:VCALENDAR\r\nthis is not ical', { 'Content-Type': 'text/calendar' }, 400],
      ['PUT', `${coll}bad.ics`, ics('x', 'y'), { 'Content-Type': 'application/json' }, 415],
      [
        'PUT',
        `${coll}bad.ics`,
        ics('x', 'y').replace(
          'END:VEVENT',
          'END:VEVENT\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTART:20261127T090000Z\r\nEND:VEVENT',
        ),
        { 'Content-Type': 'text/calendar' },
        400,
      ],
      ['PUT', `${coll}big.ics`, ics('big', 'x'.repeat(70 * 1024)), { 'Content-Type': 'text/calendar' }, 413],
      ['PUT', `${coll}todo.ics`, ics('todo', 'wrong component', 'VTODO'), { 'Content-Type': 'text/calendar' }, 403],
    ];
    for (const [method, path, body, headers, status] of cases) {
      const r = await req(method, path, A, body, headers);
      expect(r.status, `${method} ${path}: ${r.text}`).to.equal(status);
      expect(r.text.length, 'a body that says what is wrong').to.be.greaterThan(5);
    }
  });

  it('answers CORS preflight for allowed origins only and exposes ETag', async () => {
    const pre = await req('OPTIONS', '/dav/calendars/alice/activities/', undefined, undefined, {
      Origin: 'https://localhost:3000',
      'Access-Control-Request-Method': 'REPORT',
    });
    expect(pre.status).to.equal(204);
    expect(pre.headers.get('access-control-allow-methods')).to.include('REPORT');
    const denied = await req('OPTIONS', '/dav/', undefined, undefined, {
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'PUT',
    });
    expect(denied.status).to.equal(403);
    const get = await req('GET', '/dav/calendars/alice/activities/one.ics', A, undefined, {
      Origin: 'https://localhost:3000',
    });
    expect(get.headers.get('access-control-expose-headers')).to.include('ETag');
  });

  it('answers OPTIONS with the DAV header and serves HEAD like GET without a body', async () => {
    const o = await req('OPTIONS', '/dav/calendars/alice/activities/', undefined);
    expect(o.status).to.equal(200);
    expect(o.headers.get('dav')).to.include('calendar-access');
    expect(o.headers.get('allow')).to.include('REPORT');
    const path = '/dav/calendars/alice/activities/head.ics';
    await req('PUT', path, A, ics('head', 'Head'), { 'Content-Type': 'text/calendar' });
    const get = await req('GET', path, A);
    const head = await req('HEAD', path, A);
    expect(head.status).to.equal(200);
    expect(head.text).to.equal('');
    expect(head.headers.get('etag')).to.equal(get.headers.get('etag'));
  });

  it('If-Match: * needs an existing item; If-Match takes a list of ETags', async () => {
    const path = '/dav/calendars/alice/activities/star.ics';
    const put = (body: string, h: Record<string, string>) =>
      req('PUT', path, A, body, { 'Content-Type': 'text/calendar', ...h });
    expect((await put(ics('star', 'a'), { 'If-Match': '*' })).status).to.equal(412);
    const created = await put(ics('star', 'a'), {});
    expect(created.status).to.equal(201);
    expect((await put(ics('star', 'b'), { 'If-Match': '*' })).status).to.equal(204);
    const etag = (await req('GET', path, A)).headers.get('etag')!;
    expect((await put(ics('star', 'c'), { 'If-Match': `"old", ${etag}` })).status).to.equal(204);
    expect((await req('DELETE', path, A, undefined, { 'If-Match': '*' })).status).to.equal(204);
    expect((await req('DELETE', path, A, undefined, { 'If-Match': '*' })).status).to.equal(404);
  });

  it('calendar-multiget returns the asked items with data, and 404 for unknown ones', async () => {
    const coll = '/dav/calendars/alice/tasks/';
    await req('PUT', `${coll}m1.ics`, A, ics('m1', 'Multi 1', 'VTODO'), { 'Content-Type': 'text/calendar' });
    const r = await req(
      'REPORT',
      coll,
      A,
      `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>${coll}m1.ics</D:href><D:href>${coll}nope.ics</D:href></C:calendar-multiget>`,
      { Depth: '1' },
    );
    expect(r.status).to.equal(207);
    expect(r.text).to.include('SUMMARY:Multi 1').and.include('X-UNKNOWN-PROP;X-P=1:kept as is');
    expect(r.text).to.match(/nope\.ics<\/D:href><D:status>HTTP\/1\.1 404 Not Found/);
  });

  it('calendar-query by time range knows recurrences, moved and cancelled occurrences', async () => {
    const coll = '/dav/calendars/alice/activities/';
    const weekly = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      'UID:weekly',
      'DTSTAMP:20261126T080000Z',
      'DTSTART:20260105T090000Z',
      'DTEND:20260105T100000Z',
      'RRULE:FREQ=WEEKLY;COUNT=10',
      'EXDATE:20260119T090000Z',
      'SUMMARY:Weekly',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:weekly',
      'DTSTAMP:20261126T080000Z',
      'RECURRENCE-ID:20260126T090000Z',
      'DTSTART:20260128T150000Z',
      'DTEND:20260128T160000Z',
      'SUMMARY:Weekly (moved)',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect((await req('PUT', `${coll}weekly.ics`, A, weekly, { 'Content-Type': 'text/calendar' })).status).to.equal(
      201,
    );
    const query = (start: string, end: string) =>
      req(
        'REPORT',
        coll,
        A,
        `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
        { Depth: '1' },
      );
    const hit = (r: { text: string }) => r.text.includes(`${coll}weekly.ics`);
    expect(hit(await query('20260112T000000Z', '20260113T000000Z')), 'second occurrence').to.equal(true);
    expect(hit(await query('20260119T000000Z', '20260120T000000Z')), 'cancelled occurrence').to.equal(false);
    expect(hit(await query('20260126T000000Z', '20260127T000000Z')), 'moved away from here').to.equal(false);
    expect(hit(await query('20260128T000000Z', '20260129T000000Z')), 'moved to here').to.equal(true);
    expect(hit(await query('20260107T000000Z', '20260108T000000Z')), 'between occurrences').to.equal(false);
    expect(hit(await query('20270101T000000Z', '20270201T000000Z')), 'after the last').to.equal(false);
    const unsupported = await req(
      'REPORT',
      coll,
      A,
      `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:comp-filter name="VALARM"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
      { Depth: '1' },
    );
    expect(unsupported.status).to.equal(403);
    expect(unsupported.text).to.include('supported-filter');
  });

  it('issues app tokens for the password only, lists them without secrets and revokes them', async () => {
    const issued = await req('POST', '/auth/token', A, JSON.stringify({ label: 'Outlook add-in' }));
    expect(issued.status).to.equal(201);
    const { id, token } = JSON.parse(issued.text) as { id: string; token: string };
    const bearer = `Bearer ${token}`;
    expect((await req('PROPFIND', '/dav/calendars/alice/', bearer, '', { Depth: '0' })).status).to.equal(207);
    expect((await req('POST', '/auth/token', bearer, '{}')).status, 'a token cannot mint tokens').to.equal(403);
    const list = await req('GET', '/auth/tokens', A);
    expect(list.text).to.include('Outlook add-in').and.not.include(token);
    expect((await req('GET', '/auth/tokens', B)).text, 'bob sees none of alice').to.not.include('Outlook add-in');
    expect((await req('DELETE', `/auth/tokens/${id}`, B)).status, 'bob cannot revoke it').to.equal(404);
    expect((await req('DELETE', `/auth/tokens/${id}`, A)).status).to.equal(204);
    expect((await req('PROPFIND', '/dav/calendars/alice/', bearer, '', { Depth: '0' })).status).to.equal(401);
  });

  it('slows a client down after repeated failed logons (429 with Retry-After), also for its right password', async () => {
    const own = await startGateway({ store, port: 0, throttle: { maxFailures: 3, lockMs: 60_000, maxLockMs: 60_000 } });
    try {
      const ownReq = client(() => own.url);
      for (let i = 0; i < 2; i++)
        expect((await ownReq('GET', '/dav/', basic('bob', `wrong-${i}`))).status).to.equal(401);
      expect((await ownReq('GET', '/dav/', basic('bob', 'wrong-2'))).status, 'the third failure locks').to.equal(429);
      const locked = await ownReq('GET', '/dav/', B);
      expect(locked.status).to.equal(429);
      expect(Number(locked.headers.get('retry-after'))).to.be.within(1, 60);
    } finally {
      await own.close();
    }
  });

  it('checks parallel requests with the same new credentials with one scrypt, and remembers the result', async () => {
    let lookups = 0;
    const counting = new Proxy(store, {
      get: (target, key, receiver) =>
        key === 'passwordHash'
          ? (id: string) => (lookups++, target.passwordHash(id))
          : (Reflect.get(target, key, receiver) as unknown),
    });
    const auth = new Authenticator(counting);
    const header = basic('bob', 'bob-pw');
    const results = await Promise.all(Array.from({ length: 8 }, () => auth.check(header, '127.0.0.1')));
    expect(results.every((r) => r.ok)).to.equal(true);
    expect(lookups, 'one verification for eight parallel requests').to.equal(1);
    expect((await auth.check(header, '127.0.0.1')).ok).to.equal(true);
    expect(lookups, 'then from memory').to.equal(1);
    const wrong = await Promise.all([1, 2].map(() => auth.check(basic('bob', 'nope'), '127.0.0.1')));
    expect(wrong.map((r) => r.ok)).to.deep.equal([false, false]);
    expect(lookups).to.equal(2);
  });

  it('writes a structured access log without credentials', async () => {
    const entries: Record<string, unknown>[] = [];
    const own = await startGateway({ store, port: 0, accessLog: (e) => entries.push(e) });
    try {
      const token = JSON.parse((await client(() => own.url)('POST', '/auth/token', A, '{}')).text) as { token: string };
      await client(() => own.url)('GET', '/dav/', `Bearer ${token.token}`);
      await client(() => own.url)('GET', '/dav/', basic('alice', 'typo-pw'));
      expect(entries).to.have.length(3);
      expect(entries[0]).to.include({ method: 'POST', path: '/auth/token', status: 201, user: 'alice' });
      const text = JSON.stringify(entries);
      for (const secret of ['alice-pw', 'typo-pw', token.token, A.slice(6)])
        expect(text, 'no credential in the log').to.not.include(secret);
    } finally {
      await own.close();
    }
  });

  it('calendar-query evaluates prop-filters: text-match (collation, negation), is-not-defined; refuses param-filter', async () => {
    const coll = '/dav/calendars/alice/tasks/';
    const done = ics('pf-done', 'Done task', 'VTODO').replace('END:VTODO', 'STATUS:COMPLETED\r\nEND:VTODO');
    await req('PUT', `${coll}pf-open.ics`, A, ics('pf-open', 'Open task', 'VTODO'), {
      'Content-Type': 'text/calendar',
    });
    await req('PUT', `${coll}pf-done.ics`, A, done, { 'Content-Type': 'text/calendar' });
    const query = async (inner: string) => {
      const r = await req(
        'REPORT',
        coll,
        A,
        `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">${inner}</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
        { Depth: '1' },
      );
      return { status: r.status, hrefs: [...r.text.matchAll(/(pf-\w+)\.ics</g)].map((m) => m[1]).sort() };
    };
    expect((await query('<C:prop-filter name="STATUS"><C:is-not-defined/></C:prop-filter>')).hrefs).to.deep.equal([
      'pf-open',
    ]);
    expect(
      (
        await query(
          '<C:prop-filter name="STATUS"><C:text-match negate-condition="yes">COMPLETED</C:text-match></C:prop-filter>',
        )
      ).hrefs,
      'a negated match needs the property to exist (RFC 4791 §9.7.2)',
    ).to.deep.equal([]);
    expect(
      (await query('<C:prop-filter name="SUMMARY"><C:text-match>done</C:text-match></C:prop-filter>')).hrefs,
    ).to.deep.equal(['pf-done']);
    expect(
      (
        await query(
          '<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">done</C:text-match></C:prop-filter>',
        )
      ).hrefs,
      'i;octet is case-sensitive',
    ).to.deep.equal([]);
    expect(
      (await query('<C:prop-filter name="UID"><C:text-match>pf-</C:text-match></C:prop-filter>')).hrefs,
    ).to.deep.equal(['pf-done', 'pf-open']);
    const param = await query('<C:prop-filter name="SUMMARY"><C:param-filter name="LANGUAGE"/></C:prop-filter>');
    expect(param.status).to.equal(403);
  });
});
