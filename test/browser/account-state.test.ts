// One sync state per account (issue 15), in Chromium against the reference gateway that npm test
// starts: two devices (two IndexedDB databases, as two browsers have) synchronize the same mailbox and
// CRM user through the gateway's state. The sides are memory stores; the state, its lease and the
// handover of a device's own state go through the real adapters, IndexedDB and the gateway over HTTP.
import { before, describe, it } from 'node:test';
import { expect } from 'chai';
import { DavHttp } from '../../src/adapters/caldav/dav-http.js';
import { GatewayStatusStore, StateApi } from '../../src/adapters/gateway-state/gateway-state.js';
import { IdbStatusStore, openStateDb } from '../../src/adapters/idb/idb-state.js';
import { accountBackend, openStateBackend, type StateBackend } from '../../src/app/state-backend.js';
import type { ProfileService } from '../../src/app/profile-service.js';
import { SyncService } from '../../src/app/sync-service.js';
import { emptyRecord } from '../../src/app/run-records.js';
import type { PendingAction } from '../../src/core/sync/actions.js';
import { SyncError } from '../../src/core/errors.js';
import { runSync } from '../../src/core/sync/engine.js';
import { contractActivity } from '../contract/store-contract.js';
import { Harness } from '../core/support/harness.js';
import { profile } from '../core/support/plan-fixtures.js';

// Set by scripts/test.ts; the users browser41…browser50 are this file's.
const GATEWAY = process.env.CRM_TEST_GATEWAY_URL ?? '';
let nextUser = 40;
let dbs = 0;
const activities = profile({ sync: { itemTypes: 'activities' } });

before(() => {
  expect(GATEWAY, 'run the browser tests through npm test, which starts the gateway').to.match(
    /^http:\/\/127\.0\.0\.1:\d+$/,
  );
});

/** One user and mailbox, and a way to make devices for them (each its own IndexedDB). */
function account() {
  const user = `browser${++nextUser}`;
  const mailbox = `${user}@example.com`;
  const api = () =>
    new StateApi(GATEWAY, mailbox, new DavHttp({ credentials: { username: user, password: `${user}-pw` } }));
  const h = new Harness();
  const device = async (name: string) => {
    const db = await openStateDb(`account-state-${Date.now()}-${++dbs}`);
    return { db, backend: accountBackend(api(), db, name, h.clock), name };
  };
  /** One run on `backend`'s turn, as the sync service makes it. */
  const run = async (backend: StateBackend) => {
    const turn = await backend.begin(() => 'testing');
    try {
      return await runSync({ ...h.deps(), state: turn.status, log: backend.log, history: backend.history }, activities);
    } finally {
      await turn.end();
    }
  };
  return { user, mailbox, api, h, device, run };
}

describe('one sync state per account, shared by the devices (Chromium ↔ gateway)', () => {
  it('a second device continues where the first is: its first run writes nothing; edits cross once', async () => {
    const { h, device, run } = account();
    for (let i = 0; i < 4; i++) h.stores.crm.activity.insert(contractActivity(800 + i));
    // An infinite series: its status row's open end (Infinity) must survive the trip through JSON.
    h.stores.crm.activity.insert(
      contractActivity(810, {
        recurrence: { rule: { freq: 'WEEKLY', interval: 1 }, exceptionDates: [], extraDates: [], overrides: [] },
      }),
    );
    const laptop = await device('laptop');
    const web = await device('web');
    const first = await run(laptop.backend);
    expect(first.written.outlook.created).to.equal(5);
    const second = await run(web.backend);
    expect(second.plan.actions, 'the web device plans nothing').to.deep.equal([]);
    expect(second.written).to.deep.equal({
      outlook: { created: 0, updated: 0, deleted: 0 },
      crm: { created: 0, updated: 0, deleted: 0 },
    });
    // An edit in Outlook, synchronized by the web device, is not done again by the laptop.
    const [o] = h.stores.outlook.activity.all();
    h.stores.outlook.activity.write(o!.id, { ...o!.item, subject: 'Edited in Outlook on the web' });
    expect((await run(web.backend)).written.crm.updated).to.equal(1);
    expect((await run(laptop.backend)).plan.actions).to.deep.equal([]);
    // Both see the same reports and log.
    expect((await laptop.backend.runs.list()).length).to.equal(0); // the service adds runs, not runSync
    const log = await web.backend.log.list();
    expect(log.some((e) => e.code === 'written' && e.subject === 'Edited in Outlook on the web')).to.equal(true);
    // Five creations and the update, each a line (a chunk's lines go in one request: appendAll).
    expect(log.filter((e) => e.code === 'written')).to.have.length(6);
    const state = await laptop.backend.status.load();
    expect(
      state.rows.find((r) => r.range[1] === Infinity),
      'the open end survived',
    ).to.not.equal(undefined);
  });

  it('one run at a time: a device that starts while another runs learns who runs, and runs after it', async () => {
    const { device } = account();
    const laptop = await device('Outlook for Windows · 1a2b3c4d');
    const web = await device('Outlook on the web · 9f8e7d6c');
    const turn = await laptop.backend.begin(() => 'writing 3/10');
    let error: unknown;
    try {
      await web.backend.begin(() => '');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SyncError);
    expect((error as SyncError).code).to.equal('sync-elsewhere');
    expect((error as SyncError).params).to.deep.include({ holder: 'Outlook for Windows · 1a2b3c4d' });
    await turn.end();
    const after = await web.backend.begin(() => '');
    await after.end();
  });

  it('a commit after the lease was lost is refused, and nothing of it lands', async () => {
    const { api, device } = account();
    const laptop = await device('laptop');
    const turn = await laptop.backend.begin(() => '');
    await turn.status.load();
    // Another start of the same device takes the lease over (a reload): the first run's lease stops working.
    const again = await laptop.backend.begin(() => '');
    let error: unknown;
    try {
      await turn.status.commit({ upsert: [{ key: 'uid:late', kind: 'activity', subject: 'late', range: [0, 1] }] });
    } catch (e) {
      error = e;
    }
    expect((error as SyncError).code).to.equal('lease-lost');
    await again.end();
    expect((await new GatewayStatusStore(api()).load()).rows).to.deep.equal([]);
  });

  it('a device that kept its own state (0.2) hands it over once; a new device then continues from it', async () => {
    const { h, device, run, mailbox, user } = account();
    for (let i = 0; i < 3; i++) h.stores.crm.activity.insert(contractActivity(820 + i));
    // The old way: the state in this device's IndexedDB only.
    const old = await device('laptop');
    const own = await runSync({ ...h.deps(), state: new IdbStatusStore(old.db) }, activities);
    expect(own.written.outlook.created).to.equal(3);
    // The update: the same device now finds the gateway's state API.
    const backend = await openStateBackend(
      old.db,
      GATEWAY,
      { username: user, password: `${user}-pw` },
      mailbox,
      'laptop',
      h.clock,
    );
    expect(backend.where).to.equal('account');
    expect((await run(backend)).plan.actions, 'its state came along: nothing to do').to.deep.equal([]);
    const web = await device('web');
    expect((await run(web.backend)).plan.actions, 'nor for a new device').to.deep.equal([]);
    // A change to the device's own (old) state later is not handed over again.
    await new IdbStatusStore(old.db).commit({
      upsert: [{ key: 'uid:ghost', kind: 'activity', subject: 'ghost', range: [0, 1] }],
    });
    await (await backend.begin(() => '')).end();
    const rows = (await backend.status.load()).rows.map((r) => r.key);
    expect(rows).to.have.length(3);
    expect(rows).not.to.include('uid:ghost');
  });

  it('a logon the gateway refuses is an error, not a quiet switch to the device’s state', async () => {
    const { user, mailbox } = account();
    const api = new StateApi(GATEWAY, mailbox, new DavHttp({ credentials: { username: user, password: 'wrong' } }));
    let error: unknown;
    try {
      await api.available();
    } catch (e) {
      error = e;
    }
    expect((error as SyncError).code).to.equal('authentication');
  });

  it('the profile goes to the account as saved; one the gateway refuses is an error naming the fields', async () => {
    const { user, api, device } = account();
    const laptop = await device('laptop');
    const settings = { ...activities, general: { ...activities.general, gatewayUrl: GATEWAY, userId: user } };
    await laptop.backend.mirrorProfile(settings);
    const saved = await api().request('GET', '/profile');
    expect(JSON.parse(saved.text).profile).to.deep.equal(settings);
    let error: unknown;
    try {
      await laptop.backend.mirrorProfile({ ...settings, sync: { ...settings.sync, daysBack: -1 } });
    } catch (e) {
      error = e;
    }
    expect([(error as SyncError).code, (error as SyncError).params]).to.deep.equal([
      'profile-refused',
      { fields: 'sync.daysBack' },
    ]);
    expect(JSON.parse((await api().request('GET', '/profile')).text).profile).to.deep.equal(settings);
  });

  it('while the gateway cannot be reached, the pane shows the account’s state as this device last read it', async () => {
    const { user, mailbox, device, h } = account();
    // The account's state, as another device's runs left it: a pending item, a pair, a run, a log line.
    const other = await device('laptop');
    const turn = await other.backend.begin(() => 'testing');
    const pair = { key: 'uid:offline-1', kind: 'activity' as const, subject: 'Fleet review', range: [0, 1] as const };
    const waiting = {
      id: 'confirm:uid:offline-2',
      pairKey: 'uid:offline-2',
      type: 'confirm' as const,
      subject: 'Approve me offline',
    } as unknown as PendingAction;
    await turn.status.commit({ upsert: [pair], pending: [waiting] });
    await turn.end();
    await other.backend.runs.add(emptyRecord(h.now, 10));
    await other.backend.log.append({ at: h.now, level: 'warning', message: 'seen by both', code: 'written' });

    const settings = { ...activities, general: { ...activities.general, gatewayUrl: GATEWAY, userId: user } };
    const profiles = {
      load: async () => ({ profile: settings, locked: [], replaced: [], hasPassword: true, storage: 'browser' }),
      password: async () => `${user}-pw`,
    } as unknown as ProfileService;
    const db = await openStateDb(`account-state-offline-${Date.now()}`);
    const outlook = () => Promise.reject(new Error('Outlook must not be asked'));
    let now = Date.UTC(2026, 11, 4, 9);
    // The network can go: then every request fails as one to an unreachable host does.
    const realFetch = globalThis.fetch;
    let down = false;
    globalThis.fetch = ((input, init) =>
      down ? Promise.reject(new TypeError('Failed to fetch')) : realFetch(input, init)) as typeof fetch;
    const sync = new SyncService({ profiles, db, outlook, mailbox, deviceName: 'web', clock: () => now });
    const lists = async () => ({
      pending: (await sync.pending()).map((p) => p.subject),
      subjects: [...(await sync.subjects()).values()],
      runs: (await sync.history()).length,
      log: (await sync.log.list()).map((e) => e.message),
      warnings: (await sync.log.list({ levels: ['warning'], search: 'BOTH' })).length,
      where: await sync.stateWhere(),
    });
    try {
      const online = await lists();
      expect(online).to.deep.equal({
        where: 'account',
        pending: ['Approve me offline'],
        subjects: ['Fleet review'],
        runs: 1,
        log: ['seen by both'],
        warnings: 1,
      });
      expect(await sync.cachedAt()).to.equal(now);

      down = true;
      now += 3_600_000;
      const offline = await lists();
      expect(offline, JSON.stringify(offline)).to.deep.equal({ ...online, where: 'unreachable' });
      expect(await sync.cachedAt(), 'as of the last read').to.equal(now - 3_600_000);
      // A gateway that answers but refuses the logon is not "cannot be reached", and shows no copy.
      down = false;
      const refused = new SyncService({
        profiles: { ...profiles, password: async () => 'wrong' } as unknown as ProfileService,
        db,
        outlook,
        mailbox,
        deviceName: 'web',
        clock: () => now,
      });
      expect([await refused.pending(), await refused.stateWhere()]).to.deep.equal([[], 'account']);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
