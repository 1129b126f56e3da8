// The reference gateway over real SQLite on loopback: discovery, items with ETags and preconditions,
// sync-collection with deletions, isolation between users and the bad-input answers.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { hashPassword } from '../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'crm-gw-'));
let gw: RunningGateway;
let store: SqliteStore;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const A = basic('alice', 'alice-pw');
const B = basic('bob', 'bob-pw');

const ics = (uid: string, summary: string, comp = 'VEVENT') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    `BEGIN:${comp}`,
    `UID:${uid}`,
    'DTSTAMP:20261126T080000Z',
    'DTSTART:20261127T090000Z',
    ...(comp === 'VEVENT' ? ['DTEND:20261127T100000Z'] : []),
    `SUMMARY:${summary}`,
    'X-UNKNOWN-PROP;X-P=1:kept as is',
    `END:${comp}`,
    'END:VCALENDAR',
    '',
  ].join('\r\n');

async function req(
  method: string,
  path: string,
  auth: string | undefined,
  body?: string,
  headers: Record<string, string> = {},
) {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...(auth && { Authorization: auth }), ...headers },
    ...(body !== undefined && { body }),
  });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

const syncBody = (token = '') =>
  `<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

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
    const token = /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(first.text)![1]!;
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
});
