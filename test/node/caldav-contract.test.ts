// The store contract on the CalDAV store against real servers on loopback: the reference gateway,
// Radicale and Xandikos (Debian packages). Each test gets a fresh collection: a new gateway user,
// or a new calendar made with MKCALENDAR on Radicale and Xandikos.
import { after, before, describe, it } from 'node:test';
import { expect } from 'chai';
import { calendarMultiGet } from 'tsdav';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import { CalDavStore, CRM_LOOKUPS_ONE_BY_ONE } from '../../src/adapters/caldav/caldav-store.js';
import type { SyncError } from '../../src/core/errors.js';
import { UnreachableError } from '../../src/core/errors.js';
import type { Item } from '../../src/core/model/item.js';
import { DavHttp, type DavCredentials } from '../../src/adapters/caldav/dav-http.js';
import type { StateDb } from '../../src/adapters/idb/idb-state.js';
import { openStateBackend } from '../../src/app/state-backend.js';
import { openCalDavStores } from '../../src/adapters/caldav/discover.js';
import { syncWindow } from '../../src/core/model/time.js';
import { runSync } from '../../src/core/sync/engine.js';
import { Harness } from '../core/support/harness.js';
import { profile } from '../core/support/plan-fixtures.js';
import { CONTRACT_NOW, contractActivity, storeContract } from '../contract/store-contract.js';
import { basic } from './support/gateway.js';
import { startCalDavServer, type CalDavServer } from './support/caldav-servers.js';

const clock = () => CONTRACT_NOW;

// --- the reference gateway ------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'crm-contract-'));
let gw: RunningGateway;
let store: SqliteStore;
let users = 0;
before(async () => {
  store = new SqliteStore(join(dir, 'g.sqlite'));
  await store.migrate();
  gw = await startGateway({ store, port: 0 });
});
after(async () => {
  await gw?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

storeContract('CalDAV store ↔ reference gateway', {
  async fresh(kind) {
    const user = `contract${++users}`;
    await store.addUser(user, await hashPassword(`${user}-pw`));
    // Discovery from the bare server URL, as the General tab does it.
    const stores = await openCalDavStores(
      gw.url,
      { credentials: { username: user, password: `${user}-pw` } },
      { clock },
    );
    return stores[kind]!;
  },
});

// --- Radicale and Xandikos ------------------------------------------------------------------------
const servers = new Map<'radicale' | 'xandikos', CalDavServer>();
let extraCalendars = 0;
for (const kind of ['radicale', 'xandikos'] as const) {
  let calendars = 0;
  before(async () => {
    servers.set(kind, await startCalDavServer(kind));
  });
  after(async () => servers.get(kind)?.stop());
  storeContract(`CalDAV store ↔ ${kind}`, {
    async fresh(k) {
      const server = servers.get(kind)!;
      const url = await server.makeCalendar(`contract-${++calendars}`, k === 'activity' ? 'VEVENT' : 'VTODO');
      return new CalDavStore(k, url, new DavHttp({ credentials: server.credentials }), { clock });
    },
  });
}

// --- beyond the port contract: what only a CalDAV store meets ---------------------------------------
const rawIcs = (uid: string, summary: string, extra: string[] = []) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//another client//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261120T080000Z',
    'DTSTART:20261201T100000Z',
    'DTEND:20261201T110000Z',
    `SUMMARY:${summary}`,
    ...extra,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

async function put(url: string, auth: string, body: string): Promise<void> {
  const r = await fetch(url, {
    method: 'PUT',
    headers: { Authorization: auth, 'Content-Type': 'text/calendar; charset=utf-8' },
    body,
  });
  await r.text();
  if (!r.ok) throw new Error(`PUT ${url} answered ${r.status}`);
}

const WINDOW = syncWindow(CONTRACT_NOW, 30, 90);

describe('CalDAV store beyond the contract', () => {
  const targets: {
    name: string;
    open: () => Promise<{ store: CalDavStore; url: string; auth: string; credentials: DavCredentials }>;
  }[] = [
    {
      name: 'reference gateway',
      async open() {
        const user = `extra${++users}`;
        await store.addUser(user, await hashPassword(`${user}-pw`));
        const s = (
          await openCalDavStores(gw.url, { credentials: { username: user, password: `${user}-pw` } }, { clock })
        ).activity!;
        const credentials = { username: user, password: `${user}-pw` };
        return { store: s, url: s.collectionUrl, auth: basic(user, `${user}-pw`), credentials };
      },
    },
    ...(['radicale', 'xandikos'] as const).map((kind) => ({
      name: kind,
      async open() {
        const server = servers.get(kind)!;
        const url = await server.makeCalendar(`extra-${++extraCalendars}`, 'VEVENT');
        const s = new CalDavStore('activity', url, new DavHttp({ credentials: server.credentials }), { clock });
        return {
          store: s,
          url,
          auth: basic(server.credentials.username, server.credentials.password),
          credentials: server.credentials,
        };
      },
    })),
  ];
  for (const t of targets) {
    it(`${t.name}: an item another client put under another name is found by its UID, not duplicated`, async () => {
      const { store: s, url, auth } = await t.open();
      await put(`${url}renamed-by-another-client.ics`, auth, rawIcs('moved@example.com', 'Original'));
      const item = { ...contractActivity(40, { crm: undefined }), uid: 'moved@example.com' };
      const created = await s.create(item, `uid:${item.uid}`);
      expect(created.existing).to.equal(true);
      expect(created.id).to.match(/renamed-by-another-client\.ics$/);
      const all = await s.changesSince(null, WINDOW);
      expect(all.changed.map((x) => x.item.subject)).to.deep.equal(['Original']);
    });

    it(`${t.name}: creations under CRM ids cost one query in all beyond the first few, and still find an item elsewhere`, async () => {
      const { url, auth, credentials } = await t.open();
      // Another client stored the CRM's item under its own UID and name, long after the sync period.
      const elsewhere = rawIcs('crm-made@example.com', 'Made in the CRM', ['X-SAPCRM-ACTIVITY-ID:0000009999'])
        .replace('DTSTART:20261201', 'DTSTART:20301201')
        .replace('DTEND:20261201', 'DTEND:20301201');
      await put(`${url}made-in-crm.ics`, auth, elsewhere);
      const queries: string[] = [];
      const counting: typeof fetch = (input, init) => {
        if (init?.method === 'REPORT' && String(init.body).includes('calendar-query')) queries.push(String(init.body));
        return fetch(input, init);
      };
      const s = new CalDavStore('activity', url, new DavHttp({ credentials, fetch: counting }), { clock });
      for (let n = 0; n < 20; n++) {
        const a = contractActivity(500 + n);
        expect((await s.create(a, `crm:${a.crm!.activityId}`)).existing, `creation ${n}`).to.equal(undefined);
      }
      expect(queries, 'three lookups, then one index').to.have.length(CRM_LOOKUPS_ONE_BY_ONE + 1);
      const twin = { ...contractActivity(999), uid: 'outlook-uid@example.com', crm: { activityId: '0000009999' } };
      const found = await s.create(twin as Item, 'crm:0000009999');
      expect([found.existing, found.id.endsWith('made-in-crm.ics')]).to.deep.equal([true, true]);
      const again = contractActivity(505);
      expect(
        (await s.create(again, `crm:${again.crm!.activityId}`)).existing,
        'its own creations are in the index',
      ).to.equal(true);
      expect(queries).to.have.length(CRM_LOOKUPS_ONE_BY_ONE + 1);
    });

    it(`${t.name}: the read after a run's own writes does not fetch them again (no echo); a full read lists everything`, async () => {
      const { url, credentials } = await t.open();
      const multigets: number[] = [];
      const counting: typeof fetch = (input, init) => {
        if (init?.method === 'REPORT' && String(init.body).includes('calendar-multiget'))
          multigets.push(String(init.body).split('<D:href>').length - 1);
        return fetch(input, init);
      };
      const s = new CalDavStore('activity', url, new DavHttp({ credentials, fetch: counting }), { clock });
      const before = await s.changesSince(null, WINDOW);
      const known = new Map<string, string>();
      for (let n = 0; n < 10; n++) {
        const a = contractActivity(700 + n);
        const created = await s.create(a, `uid:${a.uid}`);
        known.set(created.id, created.version);
      }
      const fetched = () => multigets.reduce((a, b) => a + b, 0);
      const fetchedBefore = fetched();
      // Another client edits one of them meanwhile: that one is read, the nine others are not.
      const [edited] = [...known.keys()];
      const current = await s.getMany([edited!]);
      const item = (current.get(edited!) as { item: Item }).item;
      await s.update(edited!, { ...item, subject: 'Edited elsewhere' }, known.get(edited!)!);
      const next = await s.changesSince(before.token, WINDOW, known);
      expect(next.changed.map((c) => c.item.subject)).to.deep.equal(['Edited elsewhere']);
      expect(next.unchanged).to.have.length(9);
      expect(fetched() - fetchedBefore, 'the edited item, read back before the edit and once by the read').to.equal(2);
      const full = await s.changesSince(null, WINDOW, known);
      expect([full.changed.length, full.unchanged, full.complete], 'a full read lists them all').to.deep.equal([
        10,
        undefined,
        true,
      ]);
    });

    it(`${t.name}: an unchanged incremental read is one request; a token the server refuses lists the period again`, async () => {
      const { url, credentials } = await t.open();
      const requests: string[] = [];
      const counting: typeof fetch = (input, init) => {
        requests.push(init?.method ?? 'GET');
        return fetch(input, init);
      };
      const open = () => new CalDavStore('activity', url, new DavHttp({ credentials, fetch: counting }), { clock });
      const a = contractActivity(800);
      await open().create(a, `uid:${a.uid}`);
      const first = await open().changesSince(null, WINDOW);
      // A new store, as each run opens: the token says how to ask (issue 17: one round trip).
      requests.length = 0;
      const next = await open().changesSince(first.token, WINDOW);
      expect([next.changed.length, next.removed.length, requests]).to.deep.equal([0, 0, ['REPORT']]);
      const refused = await open().changesSince(`${first.token.replace(/.$/, '')}-never-given`, WINDOW);
      expect([refused.complete, refused.changed.map((c) => c.item.subject)]).to.deep.equal([true, [a.subject]]);
    });

    it(`${t.name}: an item the model cannot hold is reported with its line and skipped; the rest syncs`, async () => {
      const { store: s, url, auth } = await t.open();
      await put(`${url}good.ics`, auth, rawIcs('good@example.com', 'Good one'));
      await put(`${url}hourly.ics`, auth, rawIcs('hourly@example.com', 'Every hour', ['RRULE:FREQ=HOURLY;COUNT=3']));
      const full = await s.changesSince(null, WINDOW);
      expect(full.changed.map((x) => x.item.subject)).to.deep.equal(['Good one']);
      // The line is the server's copy's (Radicale writes the object anew).
      expect(full.unreadable?.map((u) => u.error)).to.have.length(1);
      expect(full.unreadable![0]!.error).to.match(
        /^line \d+, RRULE: FREQ=HOURLY cannot be synchronized \(Outlook repeats daily, weekly, monthly or yearly\)$/,
      );
      // Through the engine: the good item crosses, the bad one is in the error log, nothing is deleted.
      const h = new Harness();
      const report = await runSync(
        { ...h.deps(), stores: { outlook: { activity: h.stores.outlook.activity }, crm: { activity: s } } },
        profile({ sync: { itemTypes: 'activities' } }),
      );
      expect(h.stores.outlook.activity.all().map((x) => x.item.subject)).to.deep.equal(['Good one']);
      expect(report.unreadable.map((u) => u.id)).to.deep.equal([full.unreadable![0]!.id]);
      expect(
        h.log.entries
          .filter((e) => e.level === 'error')
          .map((e) => e.message)
          .join(),
      ).to.include('FREQ=HOURLY');
    });

    it(`${t.name}: the sync state is kept ${t.name === 'reference gateway' ? 'with the account' : 'on the device (no place for it there)'}`, async () => {
      const { store: s } = await t.open();
      const credentials = (s as unknown as { http: { options: { credentials: DavCredentials } } }).http.options
        .credentials;
      // (deviceBackend only keeps the database: nothing of IndexedDB is touched in Node.)
      const backend = await openStateBackend(
        {} as StateDb,
        s.collectionUrl,
        credentials,
        'anna@example.com',
        'test',
        clock,
      );
      expect(backend.where).to.equal(t.name === 'reference gateway' ? 'account' : 'device');
    });

    // Why the store sends its own calendar-multiget body through tsdav's davRequest rather than calling
    // tsdav's calendarMultiGet (issue 14, point 4): a multiget answers 404 for an href that is gone
    // (RFC 4791 §7.9), and that 404 is how a deletion is confirmed (rule 2). tsdav's collectionQuery
    // throws a bare Error for the whole request when any response is not 2xx. If tsdav changes, this
    // test fails and the store can call it.
    it(`${t.name}: a multiget with a deleted item confirms the deletion; tsdav's calendarMultiGet fails as a whole`, async () => {
      const { store: s, url, auth } = await t.open();
      await put(`${url}kept.ics`, auth, rawIcs('kept@example.com', 'Kept'));
      const kept = new URL(`${url}kept.ics`).pathname;
      const gone = new URL(`${url}gone.ics`).pathname;
      const read = await s.getMany([kept, gone]);
      expect([...read.keys()]).to.deep.equal([kept]);
      let error: unknown;
      try {
        await calendarMultiGet({
          url,
          props: { 'd:getetag': {}, 'c:calendar-data': {} },
          objectUrls: [kept, gone],
          depth: '1',
          headers: { authorization: auth },
        });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(/Collection query failed: 404/);
    });
  }
});

describe('CalDAV store without RFC 6578 (ctag mode)', () => {
  it('an unchanged ctag is no change; a moved one lists the period again', async () => {
    const user = `ctag${++users}`;
    await store.addUser(user, await hashPassword(`${user}-pw`));
    const s = (
      await openCalDavStores(
        gw.url,
        { credentials: { username: user, password: `${user}-pw` } },
        { clock, syncMode: 'ctag' },
      )
    ).activity!;
    const a = contractActivity(50);
    const c = await s.create(a, `uid:${a.uid}`);
    const first = await s.changesSince(null, WINDOW);
    expect([first.complete, first.changed.length, first.token.startsWith('ctag:')]).to.deep.equal([true, 1, true]);
    const idle = await s.changesSince(first.token, WINDOW);
    expect([idle.complete, idle.changed, idle.token]).to.deep.equal([false, [], first.token]);
    await s.update(c.id, { ...a, subject: 'Changed' }, c.version);
    const moved = await s.changesSince(first.token, WINDOW);
    expect([moved.complete, moved.changed.map((x) => x.item.subject)]).to.deep.equal([true, ['Changed']]);
  });
});

describe('CalDAV discovery says what went wrong (issue 18)', () => {
  it('a logon slowed down after failed ones is said as such, not as "no calendars"', async () => {
    const user = `slowed${++users}`;
    await store.addUser(user, await hashPassword(`${user}-pw`));
    const codes: string[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        await openCalDavStores(gw.url, { credentials: { username: user, password: 'wrong' } }).then(
          () => 'opened',
          (e: unknown) => (e as SyncError).code,
        ),
      );
    // The gateway's default: 5 failures (a discovery makes several requests), then waits (429 with Retry-After).
    expect(codes[0]).to.equal('authentication');
    expect(codes.at(-1)).to.equal('logon-slowed');
    expect(
      codes.filter((c) => c !== 'authentication' && c !== 'logon-slowed'),
      'never "no calendars"',
    ).to.deep.equal([]);
    const e = await openCalDavStores(gw.url, { credentials: { username: user, password: 'wrong' } }).catch(
      (x: unknown) => x as SyncError,
    );
    expect((e as SyncError).params).to.include({ origin: new URL(gw.url).origin });
    expect(Number((e as SyncError<'logon-slowed'>).params.seconds)).to.be.within(1, 30);
  });

  it('a server that cannot be reached is unreachable, not "no calendars"', async () => {
    const e = await openCalDavStores('http://127.0.0.1:1/dav/', {
      credentials: { username: 'x', password: 'y' },
    }).catch((x: unknown) => x as SyncError);
    expect(e).to.be.instanceOf(UnreachableError);
  });
});
