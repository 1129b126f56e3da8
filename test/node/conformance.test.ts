// Conformance of the reference gateway with CalDAV clients we did not write, from Debian's packages:
// vdirsyncer (discovery, two-way sync with a local folder, edits both ways, deletions both ways) and
// python3-caldav (discovery, save, search by time range, lookup by UID, sync token with deletions).
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { hashPassword } from '../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import { basic, client, ics, ROOT } from './support/gateway.js';

const PYTHON = '/usr/bin/python3';
const A = basic('alice', 'alice-pw');
const calendar = { 'Content-Type': 'text/calendar' };

function run(command: string, args: readonly string[], stdin = ''): Promise<{ code: number | null; out: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`${command} could not start (${error.message}); see .ci/run`)));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('CalDAV conformance with third-party clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-conformance-'));
  let store: SqliteStore;
  let gw: RunningGateway;
  const req = client(() => gw.url);

  before(async () => {
    store = new SqliteStore(join(dir, 'gateway.sqlite'));
    await store.migrate();
    await store.addUser('alice', await hashPassword('alice-pw'));
    await store.addUser('bob', await hashPassword('bob-pw'));
    gw = await startGateway({ store, port: 0 });
  });
  after(async () => {
    await gw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('vdirsyncer discovers both collections and syncs them both ways with a local folder', async () => {
    const local = join(dir, 'vdirsyncer-local');
    const config = join(dir, 'vdirsyncer.conf');
    mkdirSync(local);
    writeFileSync(
      config,
      `[general]
status_path = "${join(dir, 'vdirsyncer-status')}/"

[pair crm]
a = "crm_gateway"
b = "crm_local"
collections = ["from a"]

[storage crm_gateway]
type = "caldav"
url = "${gw.url}/"
username = "alice"
password = "alice-pw"

[storage crm_local]
type = "filesystem"
path = "${local}/"
fileext = ".ics"
`,
    );
    const vdirsyncer = async (...args: string[]) => {
      const r = await run('vdirsyncer', ['-c', config, ...args], 'y\ny\n');
      expect(r.code, `vdirsyncer ${args.join(' ')}:\n${r.out}`).to.equal(0);
      return r.out;
    };
    /** The local file holding `uid`, if any. */
    const localFile = (coll: string, uid: string) => {
      const d = join(local, coll);
      if (!existsSync(d)) return undefined;
      const f = readdirSync(d).find((n) => readFileSync(join(d, n), 'utf8').match(new RegExp(`^UID:${uid}\\r?$`, 'm')));
      return f && join(d, f);
    };

    expect(
      (await req('PUT', '/dav/calendars/alice/activities/seed.ics', A, ics('seed', 'Seeded'), calendar)).status,
    ).to.equal(201);
    expect(
      (await req('PUT', '/dav/calendars/alice/tasks/task.ics', A, ics('task', 'Call back', 'VTODO'), calendar)).status,
    ).to.equal(201);
    // vdirsyncer refuses to sync a collection that was emptied entirely (its own safety net): one task stays.
    expect(
      (await req('PUT', '/dav/calendars/alice/tasks/keep.ics', A, ics('keep', 'Keep', 'VTODO'), calendar)).status,
    ).to.equal(201);

    const discovered = await vdirsyncer('discover', 'crm');
    expect(discovered).to.include('"activities" ("CRM activities")').and.include('"tasks" ("CRM tasks")');
    await vdirsyncer('sync');
    const seedFile = localFile('activities', 'seed');
    expect(seedFile, 'the event reached the folder').to.be.a('string');
    expect(readFileSync(seedFile!, 'utf8')).to.include('X-UNKNOWN-PROP;X-P=1:kept as is');
    expect(localFile('tasks', 'task'), 'the task reached the folder').to.be.a('string');

    // Edit in the folder → the gateway.
    writeFileSync(seedFile!, readFileSync(seedFile!, 'utf8').replace('SUMMARY:Seeded', 'SUMMARY:Edited locally'));
    await vdirsyncer('sync');
    expect((await req('GET', '/dav/calendars/alice/activities/seed.ics', A)).text).to.include('SUMMARY:Edited locally');

    // Edit on the gateway → the folder.
    const current = await req('GET', '/dav/calendars/alice/activities/seed.ics', A);
    const edited = current.text.replace('SUMMARY:Edited locally', 'SUMMARY:Edited on the gateway');
    const put = await req('PUT', '/dav/calendars/alice/activities/seed.ics', A, edited, {
      ...calendar,
      'If-Match': current.headers.get('etag')!,
    });
    expect(put.status).to.equal(204);
    await vdirsyncer('sync');
    expect(readFileSync(localFile('activities', 'seed')!, 'utf8')).to.include('SUMMARY:Edited on the gateway');

    // Created in the folder → the gateway.
    writeFileSync(join(local, 'activities', 'local-new.ics'), ics('local-new', 'Made in the folder'));
    await vdirsyncer('sync');
    const byUid = await req(
      'REPORT',
      '/dav/calendars/alice/activities/',
      A,
      `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">local-new</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
      { Depth: '1' },
    );
    expect(byUid.text).to.include('SUMMARY:Made in the folder');
    const newHref = /<D:href>([^<]+)<\/D:href>/.exec(byUid.text)![1]!;

    // Deleted on the gateway → gone from the folder; deleted in the folder → gone from the gateway.
    expect((await req('DELETE', '/dav/calendars/alice/tasks/task.ics', A)).status).to.equal(204);
    unlinkSync(localFile('activities', 'local-new')!);
    await vdirsyncer('sync');
    expect(localFile('tasks', 'task'), 'deleted on the gateway').to.equal(undefined);
    expect((await req('GET', newHref, A)).status, 'deleted in the folder').to.equal(404);

    // Nothing left to do: a further sync changes nothing on either side.
    const before = await req('PROPFIND', '/dav/calendars/alice/activities/', A, '', { Depth: '0' });
    await vdirsyncer('sync');
    const after = await req('PROPFIND', '/dav/calendars/alice/activities/', A, '', { Depth: '0' });
    expect(/getctag>([^<]+)</.exec(after.text)?.[1]).to.equal(/getctag>([^<]+)</.exec(before.text)?.[1]);
  });

  it('python3-caldav discovers, saves, searches by time range and UID, and follows a sync token', async () => {
    const r = await run(PYTHON, [join(ROOT, 'test/conformance/caldav_client.py'), `${gw.url}/`, 'bob', 'bob-pw']);
    expect(r.code, r.out).to.equal(0);
    const seen = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(seen.calendars).to.deep.equal(['CRM activities', 'CRM tasks']);
    expect(seen.components).to.deep.equal({ activities: ['VEVENT'], tasks: ['VTODO'] });
    expect(seen.saved_url).to.equal(`${gw.url}/dav/calendars/bob/activities/pycaldav-1.ics`);
    expect(seen.todos).to.deep.equal(['Task by python-caldav']);
    expect(seen.search_hit).to.deep.equal(['Saved by python-caldav']);
    expect(seen.search_miss).to.deep.equal([]);
    expect(seen.by_uid).to.equal('Saved by python-caldav');
    expect(seen.sync_updated).to.deep.equal(['Edited by python-caldav']);
    expect(seen.sync_after_delete).to.deep.equal({
      updated: 0,
      deleted: [`${gw.url}/dav/calendars/bob/activities/pycaldav-1.ics`],
    });
  });
});
