// The sync state API of the reference gateway (issue 15): one state per CRM user and Outlook mailbox,
// with compare-and-swap commits and a lease, on SQLite and on PostgreSQL behind two gateways that share
// the database. Every request goes over loopback HTTP with the user's logon, as the add-in sends it.
import { after, before, describe, it } from 'node:test';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { PostgresStore } from '../../gateway/src/store/postgres.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import type { GatewayStore } from '../../gateway/src/store/types.js';
import { basic, freshPostgresDatabase } from './support/gateway.js';
import { defaultProfile, PROFILE_VERSION } from '@crm-sync/common/profile-schema';
import { validateProfile } from '@crm-sync/common/profile-validate';

const MAILBOX = 'Anna.Seller@example.com';
const mb = encodeURIComponent(MAILBOX);

interface Setup {
  /** Two gateways (one for SQLite: a process owns its file) and the clock they share. */
  readonly urls: () => readonly string[];
  now: number;
  restart?: () => Promise<void>;
}

async function call(
  url: string,
  user: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: basic(user, `${user}-pw`),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: r.status, json: json as Record<string, unknown> & unknown[], headers: r.headers, text };
}

const row = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  kind: 'activity',
  subject: key,
  range: [0, { $num: 'Infinity' }],
  ...extra,
});

function stateApiSuite(name: string, make: () => Promise<Setup & { close(): Promise<void> }>) {
  describe(`sync state API (${name})`, () => {
    let s: Setup & { close(): Promise<void> };
    before(async () => {
      s = await make();
    });
    after(async () => s?.close());
    const [a, b] = [() => s.urls()[0]!, () => s.urls().at(-1)!];
    const lease = async (url: string, user: string, holder: string, ttlMs = 60_000) =>
      call(url, user, 'POST', `/state/${mb}/lease`, { holder, ttlMs });
    const commit = (url: string, user: string, id: string, version: number, change: unknown) =>
      call(url, user, 'POST', `/state/${mb}/commit`, change, { 'Sync-Lease': id, 'If-Match': `"${version}"` });

    it('keeps a state per user and mailbox: a commit lands all of it, another user sees none of it', async () => {
      const empty = await call(a(), 'alice', 'GET', `/state/${mb}`);
      expect(empty.status).to.equal(200);
      expect(empty.headers.get('etag')).to.equal('"0"');
      expect(empty.json).to.deep.include({ version: 0, rows: [], tokens: {}, journal: [], failures: [], pending: [] });
      const l = await lease(a(), 'alice', 'laptop');
      expect(l.status).to.equal(200);
      const id = String(l.json.lease);
      const change = {
        upsert: [row('uid:1', { outlook: { id: 'o1', version: 'v1', hash: 'h' } }), row('uid:2')],
        tokens: { 'outlook:activity': 'delta-1', 'crm:activity': 'sync:7' },
        journalAdd: [{ id: 'j1', startedAt: 5, action: { type: 'create', pairKey: 'uid:3' } }],
        failures: [{ pairKey: 'uid:2', attempts: 1, nextAttemptAt: 9, lastError: 'x', recheck: [] }],
        pending: [{ type: 'confirm', id: 'create:crm:uid:4:h', pairKey: 'uid:4', subject: 'Ä “quoted”' }],
      };
      const first = await commit(a(), 'alice', id, 0, change);
      expect(first.status).to.equal(200);
      expect(first.json).to.deep.equal({ version: 1 });
      const second = await commit(b(), 'alice', id, 1, {
        remove: ['uid:2'],
        tokens: { 'crm:activity': null },
        journalDone: ['j1'],
        failuresClear: ['uid:2'],
      });
      expect(second.json).to.deep.equal({ version: 2 });
      const state = await call(b(), 'alice', 'GET', `/state/${encodeURIComponent(MAILBOX.toUpperCase())}`);
      expect(state.headers.get('etag')).to.equal('"2"');
      expect(state.json).to.deep.include({
        version: 2,
        rows: [change.upsert[0]],
        tokens: { 'outlook:activity': 'delta-1' },
        journal: [],
        failures: [],
        pending: change.pending,
      });
      expect(state.json.lease).to.deep.include({ holder: 'laptop' });

      const other = await call(a(), 'bob', 'GET', `/state/${mb}`);
      expect(other.json).to.deep.include({ version: 0, rows: [], tokens: {} });
      expect((await commit(a(), 'bob', id, 2, { remove: ['uid:1'] })).status, "alice's lease is not bob's").to.equal(
        409,
      );
      expect((await call(a(), 'alice', 'GET', `/state/${mb}`)).json.rows).to.have.length(1);
      expect(
        (await call(a(), 'alice', 'DELETE', `/state/${mb}/lease`, undefined, { 'Sync-Lease': id })).status,
      ).to.equal(204);
    });

    it('refuses a commit made on an older version (412) and one without its lease (409, 428): nothing of it lands', async () => {
      const l = await lease(a(), 'carol', 'laptop');
      const id = String(l.json.lease);
      expect((await commit(a(), 'carol', id, 0, { upsert: [row('uid:a')] })).status).to.equal(200);
      const stale = await commit(b(), 'carol', id, 0, { upsert: [row('uid:b')], tokens: { t: 'x' } });
      expect(stale.status).to.equal(412);
      expect(stale.json).to.deep.equal({ error: 'version', version: 1 });
      const noLease = await call(
        a(),
        'carol',
        'POST',
        `/state/${mb}/commit`,
        { upsert: [row('uid:c')] },
        { 'If-Match': '"1"' },
      );
      expect(noLease.status).to.equal(428);
      const noVersion = await call(a(), 'carol', 'POST', `/state/${mb}/commit`, {}, { 'Sync-Lease': id });
      expect(noVersion.status).to.equal(428);
      const wrongLease = await commit(a(), 'carol', 'not-the-lease', 1, { upsert: [row('uid:d')] });
      expect(wrongLease.status).to.equal(409);
      const state = await call(a(), 'carol', 'GET', `/state/${mb}`);
      expect((state.json.rows as { key: string }[]).map((r) => r.key)).to.deep.equal(['uid:a']);
      expect(state.json.tokens).to.deep.equal({});
    });

    it('two commits racing on one version: exactly one lands', async () => {
      const id = String((await lease(a(), 'dave', 'laptop')).json.lease);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => commit(i % 2 ? a() : b(), 'dave', id, 0, { upsert: [row(`uid:${i}`)] })),
      );
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 412, 412, 412, 412, 412, 412, 412]);
      const state = await call(a(), 'dave', 'GET', `/state/${mb}`);
      expect(state.json.version).to.equal(1);
      expect(state.json.rows).to.have.length(1);
    });

    it('one run at a time: devices starting together get one lease; the others learn who runs and until when', async () => {
      const results = await Promise.all(
        ['laptop', 'web', 'mac', 'phone', 'tablet', 'kiosk'].map((holder, i) =>
          lease(i % 2 ? a() : b(), 'erin', holder),
        ),
      );
      const won = results.filter((r) => r.status === 200);
      expect(won).to.have.length(1);
      const lost = results.filter((r) => r.status === 409);
      expect(lost).to.have.length(5);
      const holder = (await call(a(), 'erin', 'GET', `/state/${mb}`)).json.lease as { holder: string };
      for (const r of lost) {
        expect(r.json).to.deep.include({ error: 'leased', holder: holder.holder });
        expect(Number(r.headers.get('retry-after'))).to.be.within(1, 60);
      }
      // The holder says how far it is; the others see it.
      const id = String(won[0]!.json.lease);
      const renewed = await call(
        a(),
        'erin',
        'PUT',
        `/state/${mb}/lease`,
        { ttlMs: 60_000, progress: 'writing 40 of 120' },
        {
          'Sync-Lease': id,
        },
      );
      expect(renewed.status).to.equal(200);
      expect((await lease(b(), 'erin', 'someone-else')).json).to.deep.include({ progress: 'writing 40 of 120' });
    });

    it('a lease nobody renews expires: another device takes over, and the first can no longer write', async () => {
      const first = String((await lease(a(), 'frank', 'laptop', 30_000)).json.lease);
      expect((await commit(a(), 'frank', first, 0, { upsert: [row('uid:1')] })).status).to.equal(200);
      expect((await lease(b(), 'frank', 'web')).status).to.equal(409);
      s.now += 31_000; // the laptop was closed
      const second = await lease(b(), 'frank', 'web');
      expect(second.status).to.equal(200);
      expect(second.json.version, 'the new holder learns the version').to.equal(1);
      const late = await commit(a(), 'frank', first, 1, { upsert: [row('uid:late')] });
      expect(late.status).to.equal(409);
      expect(late.json).to.deep.include({ error: 'lease-lost' });
      const renew = await call(a(), 'frank', 'PUT', `/state/${mb}/lease`, {}, { 'Sync-Lease': first });
      expect(renew.status).to.equal(409);
      expect((await commit(b(), 'frank', String(second.json.lease), 1, { upsert: [row('uid:2')] })).status).to.equal(
        200,
      );
      // The same device starting again (a reload) takes its own lease over; the old id stops working.
      const again = await lease(a(), 'frank', 'web');
      expect(again.status).to.equal(200);
      expect((await commit(b(), 'frank', String(second.json.lease), 2, { remove: ['uid:1'] })).status).to.equal(409);
    });

    it('keeps the error log, history and run reports: filtered, searched, newest first, pruned, the last runs only', async () => {
      const post = (part: string, value: unknown) => call(a(), 'gina', 'POST', `/state/${mb}/${part}`, value);
      for (const [at, level, message] of [
        [1, 'info', 'create on Outlook: new in the CRM'],
        [2, 'error', 'update failed: 100% broken'],
        [2, 'warning', 'Gateway unreachable'],
        [3, 'error', 'delete failed'],
      ] as const)
        expect((await post('log', { at, level, message, code: 'x' })).status).to.equal(204);
      const list = (query: string) => call(b(), 'gina', 'GET', `/state/${mb}/log${query}`);
      expect(((await list('')).json as { message: string }[]).map((e) => e.message)).to.deep.equal([
        'delete failed',
        'Gateway unreachable',
        'update failed: 100% broken',
        'create on Outlook: new in the CRM',
      ]);
      expect(((await list('?levels=error')).json as { at: number }[]).map((e) => e.at)).to.deep.equal([3, 2]);
      expect(((await list('?search=GATEWAY')).json as { at: number }[]).map((e) => e.at)).to.deep.equal([2]);
      expect(
        ((await list('?search=0%25')).json as { at: number }[]).map((e) => e.at),
        '% is a letter',
      ).to.deep.equal([2]);
      expect(((await list('?search=_')).json as unknown[]).length, '_ is a letter').to.equal(0);
      const pruned = await call(a(), 'gina', 'DELETE', `/state/${mb}/log?before=2`);
      expect(pruned.json).to.deep.equal({ removed: 1 });
      // A chunk's lines in one request, kept in their order; an empty or malformed list is refused.
      const chunk = ['written 1', 'written 2', 'written 3'].map((message) => ({ at: 9, level: 'info', message }));
      expect((await post('log', chunk)).status).to.equal(204);
      expect(((await list('?limit=3')).json as { message: string }[]).map((e) => e.message)).to.deep.equal([
        'written 3',
        'written 2',
        'written 1',
      ]);
      for (const wrong of [[], [{ at: 9 }, 'text']]) expect((await post('log', wrong)).status).to.equal(400);
      for (let i = 0; i < 55; i++) await post('runs', { at: i, durationMs: 1 });
      const runs = (await call(a(), 'gina', 'GET', `/state/${mb}/runs`)).json as { at: number }[];
      expect(runs.map((r) => r.at)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 5));
      expect((await post('history', { at: 7, pairKey: 'uid:1', item: { subject: 'old' } })).status).to.equal(204);
      expect((await call(b(), 'gina', 'GET', `/state/${mb}/history`)).json).to.deep.equal([
        { at: 7, pairKey: 'uid:1', item: { subject: 'old' } },
      ]);
      expect((await call(b(), 'hank', 'GET', `/state/${mb}/log`)).json, "not another user's").to.deep.equal([]);
    });

    it('answers a malformed request with 4xx and a reason, and changes nothing', async () => {
      const id = String((await lease(a(), 'ivan', 'laptop')).json.lease);
      for (const [body, reason] of [
        ['{not json', /not JSON/],
        [[], /JSON object/],
        [{ upsert: [{ subject: 'no key' }] }, /"key"/],
        [{ upsert: 'x' }, /list of objects/],
        [{ remove: [1] }, /list of keys/],
        [{ tokens: { t: 5 } }, /tokens/],
        [{ everything: true }, /unknown fields in the state change: everything/],
      ] as const) {
        const r = await commit(a(), 'ivan', id, 0, body);
        expect(r.status, JSON.stringify(body)).to.equal(400);
        expect(r.text).to.match(reason);
      }
      expect((await call(a(), 'ivan', 'POST', `/state/${mb}/lease`, { holder: '' })).status).to.equal(400);
      expect((await call(a(), 'ivan', 'GET', `/state/${mb}/nothing`)).status).to.equal(404);
      expect((await call(a(), 'ivan', 'GET', `/state/a%2Fb`)).status).to.equal(400);
      expect((await call(a(), 'ivan', 'GET', `/state/${mb}`)).json.version).to.equal(0);
      const anonymous = await fetch(`${a()}/state/${mb}`);
      expect(anonymous.status).to.equal(401);
    });

    it("mirrors the profile with the add-in's validation: a bad one is refused field by field, no secret is kept", async () => {
      const profile = {
        ...defaultProfile(),
        general: { ...defaultProfile().general, gatewayUrl: 'https://crm.example.com/dav/', userId: 'kim' },
        sync: { ...defaultProfile().sync, daysAhead: 90 },
      };
      expect((await call(a(), 'kim', 'GET', `/state/${mb}/profile`)).status, 'none mirrored yet').to.equal(404);
      const put = await call(a(), 'kim', 'PUT', `/state/${mb}/profile`, { ...profile, password: 'secret' });
      expect(put.status, put.text).to.equal(204);
      const got = await call(b(), 'kim', 'GET', `/state/${mb}/profile`);
      expect(got.json.profile).to.deep.equal(profile);
      expect(got.json.savedAt).to.equal(s.now);
      expect(got.text, 'a password sent by mistake is dropped').not.to.include('secret');
      expect((await call(b(), 'alice', 'GET', `/state/${mb}/profile`)).status, "not another user's").to.equal(404);

      const bad = await call(a(), 'kim', 'PUT', `/state/${mb}/profile`, {
        ...profile,
        sync: { ...profile.sync, daysBack: 99999, direction: 'sideways' },
        misc: { ...profile.misc, conflictColorCrm: 'blue' },
      });
      expect(bad.status).to.equal(422);
      expect(bad.json.findings).to.deep.equal(
        validateProfile({
          ...profile,
          sync: { ...profile.sync, daysBack: 99999, direction: 'sideways' as never },
          misc: { ...profile.misc, conflictColorCrm: 'blue' },
        }),
      );
      expect((bad.json.findings as unknown as { field: string }[]).map((f) => f.field)).to.have.members([
        'sync.direction',
        'sync.daysBack',
        'misc.conflictColorCrm',
      ]);
      const older = await call(a(), 'kim', 'PUT', `/state/${mb}/profile`, { ...profile, version: 1 });
      expect([older.status, older.json.findings]).to.deep.equal([
        422,
        [{ field: 'version', code: 'choice', params: { supported: PROFILE_VERSION } }],
      ]);
      expect((await call(a(), 'kim', 'PUT', `/state/${mb}/profile`, '{no')).status).to.equal(400);
      expect(
        (await call(a(), 'kim', 'GET', `/state/${mb}/profile`)).json.profile,
        'refused ones change nothing',
      ).to.deep.equal(profile);
    });

    if (name.startsWith('SQLite'))
      it('a gateway restarted in the middle of a run keeps the state and the lease: the run continues', async () => {
        const id = String((await lease(a(), 'judy', 'laptop')).json.lease);
        expect((await commit(a(), 'judy', id, 0, { upsert: [row('uid:1')] })).status).to.equal(200);
        await s.restart!();
        expect((await commit(a(), 'judy', id, 1, { upsert: [row('uid:2')] })).status).to.equal(200);
        expect((await call(a(), 'judy', 'GET', `/state/${mb}`)).json.rows).to.have.length(2);
      });
  });
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'judy', 'kim'];
async function addUsers(store: GatewayStore) {
  for (const u of USERS) await store.addUser(u, await hashPassword(`${u}-pw`));
}

stateApiSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-state-'));
  let store = new SqliteStore(join(dir, 'g.sqlite'));
  await store.migrate();
  await addUsers(store);
  const setup = { now: Date.UTC(2026, 11, 4, 9) };
  const open = () => startGateway({ store, port: 0, clock: () => setup.now });
  let gw: RunningGateway = await open();
  return Object.assign(setup, {
    urls: () => [gw.url],
    async restart() {
      await gw.close();
      await store.close();
      store = new SqliteStore(join(dir, 'g.sqlite'));
      await store.migrate();
      gw = await open();
    },
    async close() {
      await gw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

stateApiSuite('PostgreSQL, two gateways on one database', async () => {
  const database = await freshPostgresDatabase();
  const stores = [new PostgresStore(database.url), new PostgresStore(database.url)];
  await stores[0]!.migrate();
  await addUsers(stores[0]!);
  const setup = { now: Date.UTC(2026, 11, 4, 9) };
  const gws = await Promise.all(stores.map((store) => startGateway({ store, port: 0, clock: () => setup.now })));
  return Object.assign(setup, {
    urls: () => gws.map((g) => g.url),
    async close() {
      for (const g of gws) await g.close();
      for (const store of stores) await store.close();
      await database.drop();
    },
  });
});
