// The device state in real IndexedDB (Chromium): the engine's status table survives a reload, a
// commit is all or nothing, the error log filters and prunes, the password is sealed with a
// non-extractable key.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import {
  IdbHistory,
  IdbLog,
  IdbRuns,
  IdbStatusStore,
  openStateDb,
  type RunRecord,
  type StateDb,
} from '../../src/adapters/idb/idb-state.js';
import { deviceKeyIsExtractable, openSecret, sealSecret } from '../../src/adapters/idb/secret-box.js';
import type { PairStatus } from '../../src/core/sync/status.js';
import { contractActivity } from '../contract/store-contract.js';
import { Harness } from '../core/support/harness.js';
import { profile } from '../core/support/plan-fixtures.js';
import { runSync } from '../../src/core/sync/engine.js';
import { openDB } from 'idb';

let n = 0;
const fresh = () => openStateDb(`test-${Date.now()}-${++n}`);
const row = (key: string): PairStatus => ({ key, kind: 'activity', subject: key, range: [0, Infinity] });

describe('device state in IndexedDB', () => {
  it('keeps the status table, tokens, journal, failures and pending list across a reopen', async () => {
    const db = await fresh();
    await new IdbStatusStore(db).commit({
      upsert: [row('uid:a'), row('uid:b')],
      tokens: { 'outlook:activity': 'token-1', 'crm:activity': 'token-2' },
      journalAdd: [{ id: 'j1', startedAt: 1, action: { type: 'status', pairKey: 'uid:a' } as never }],
      failures: [{ pairKey: 'uid:b', attempts: 1, nextAttemptAt: 5, lastError: 'x', recheck: [] }],
      pending: [],
    });
    await new IdbStatusStore(db).commit({
      remove: ['uid:a'],
      tokens: { 'crm:activity': null },
      journalDone: ['j1'],
    });
    const name = db.name;
    db.close();
    const again = await openStateDb(name.replace('crm-calendar-sync:', ''));
    const state = await new IdbStatusStore(again).load();
    expect(state.rows.map((r) => r.key)).to.deep.equal(['uid:b']);
    expect(state.rows[0]!.range[1], 'an infinite series keeps its open end').to.equal(Infinity);
    expect(state.tokens).to.deep.equal({ 'outlook:activity': 'token-1' });
    expect(state.journal).to.deep.equal([]);
    expect(state.failures.map((f) => f.pairKey)).to.deep.equal(['uid:b']);
    again.close();
  });

  it('applies nothing of a commit that fails part-way', async () => {
    const db = await fresh();
    const store = new IdbStatusStore(db);
    await store.commit({ upsert: [row('uid:kept')], tokens: { t: 'before' } });
    let error: unknown;
    try {
      await store.commit({
        upsert: [row('uid:new'), { ...row('uid:broken'), subject: (() => 1) as unknown as string }],
        tokens: { t: 'after' },
      });
    } catch (e) {
      error = e;
    }
    expect(error, 'a function cannot be stored').to.be.instanceOf(Error);
    const state = await store.load();
    expect(state.rows.map((r) => r.key)).to.deep.equal(['uid:kept']);
    expect(state.tokens).to.deep.equal({ t: 'before' });
    db.close();
  });

  it('runs the engine: a second run after a reload plans nothing', async () => {
    const db = await fresh();
    const h = new Harness();
    for (let i = 0; i < 5; i++) h.stores.crm.activity.insert(contractActivity(400 + i));
    const deps = () => ({
      ...h.deps(),
      state: new IdbStatusStore(db),
      log: new IdbLog(db),
      history: new IdbHistory(db),
    });
    const activities = profile({ sync: { itemTypes: 'activities' } });
    const first = await runSync(deps(), activities);
    expect(first.written.outlook.created).to.equal(5);
    const second = await runSync(deps(), activities);
    expect(second.plan.actions).to.deep.equal([]);
    db.close();
  });

  it('filters and searches the error log, newest first, and prunes by age', async () => {
    const db = await fresh();
    const log = new IdbLog(db);
    await log.append({ at: 1, level: 'error', message: 'update failed', subject: 'Visit ACME' });
    await log.append({ at: 2, level: 'warning', message: 'precondition', subject: 'Call Jane' });
    await log.append({ at: 3, level: 'info', message: 'sync finished' });
    expect((await log.list()).map((e) => e.at)).to.deep.equal([3, 2, 1]);
    expect((await log.list({ levels: ['error', 'warning'] })).map((e) => e.at)).to.deep.equal([2, 1]);
    expect((await log.list({ search: 'acme' })).map((e) => e.at)).to.deep.equal([1]);
    expect(await log.prune(3)).to.equal(2);
    expect((await log.list()).map((e) => e.at)).to.deep.equal([3]);
    db.close();
  });

  it('keeps the reports of the last runs only', async () => {
    const db = await fresh();
    const runs = new IdbRuns(db, 3);
    const run = (at: number): RunRecord => ({
      at,
      durationMs: 1,
      dryRun: false,
      written: { outlook: { created: at, updated: 0, deleted: 0 }, crm: { created: 0, updated: 0, deleted: 0 } },
      conflicts: 0,
      pending: 0,
      errors: 0,
    });
    for (const at of [1, 2, 3, 4, 5]) await runs.add(run(at));
    expect((await runs.list()).map((r) => r.at)).to.deep.equal([3, 4, 5]);
    db.close();
  });
});

/** Version 1's name for the CRM side, put back into records the current version wrote (test data only). */
function asVersion1(value: unknown): unknown {
  if (value === 'crm') return 'mobile';
  if (typeof value === 'string') return value.replace(/^(create|update|delete):crm:/, '$1:mobile:');
  if (Array.isArray(value)) return value.map(asVersion1);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === 'crm' ? 'mobile' : k, asVersion1(v)]));
  return value;
}

/** Writes a database as version 0.2 of the add-in kept it (schema version 1) from `records`. */
async function version1Db(name: string, records: Record<string, [IDBValidKey | undefined, unknown][]>) {
  const db = await openDB(`crm-calendar-sync:${name}`, 1, {
    upgrade(d) {
      d.createObjectStore('rows', { keyPath: 'key' });
      d.createObjectStore('tokens');
      d.createObjectStore('journal', { keyPath: 'id' });
      d.createObjectStore('failures', { keyPath: 'pairKey' });
      d.createObjectStore('meta');
      d.createObjectStore('log', { autoIncrement: true }).createIndex('at', 'at');
      d.createObjectStore('history', { autoIncrement: true }).createIndex('at', 'at');
      d.createObjectStore('runs', { autoIncrement: true }).createIndex('at', 'at');
    },
  });
  for (const [store, entries] of Object.entries(records))
    for (const [key, value] of entries) await db.put(store, value, key);
  db.close();
}

describe('a device that kept its state with version 0.2 (the CRM side called "mobile")', () => {
  it('continues where it was: the next run after the update plans nothing', async () => {
    const h = new Harness();
    for (let i = 0; i < 5; i++) h.stores.crm.activity.insert(contractActivity(500 + i));
    const activities = profile({ sync: { itemTypes: 'activities' } });
    const now = await fresh();
    const deps = (db: StateDb) => ({ ...h.deps(), state: new IdbStatusStore(db), log: new IdbLog(db) });
    expect((await runSync(deps(now), activities)).written.outlook.created).to.equal(5);
    const state = await new IdbStatusStore(now).load();
    now.close();
    const name = `v1-${Date.now()}-${++n}`;
    await version1Db(name, {
      rows: state.rows.map((r) => [undefined, asVersion1(r)]),
      tokens: Object.entries(state.tokens).map(([k, v]) => [asVersion1(k.replace(/^crm:/, 'mobile:')) as string, v]),
    });
    const upgraded = await openStateDb(name);
    const after = await new IdbStatusStore(upgraded).load();
    expect(after.rows).to.deep.equal(state.rows);
    expect(after.tokens).to.deep.equal(state.tokens);
    expect((await runSync(deps(upgraded), activities)).plan.actions).to.deep.equal([]);
    upgraded.close();
  });

  it('keeps its journal, failures, pending decisions, history, log and reports, and never rewrites item text', async () => {
    const item = { ...contractActivity(600), subject: 'mobile', description: 'crm' };
    const source = { side: 'mobile', id: 'm1', version: 'v1', hash: 'h1' };
    const create = {
      type: 'create',
      pairKey: 'uid:p',
      kind: 'activity',
      subject: 'mobile',
      reason: { code: 'new', from: 'mobile' },
      target: 'outlook',
      item,
      source,
    };
    const update = {
      type: 'update',
      pairKey: 'uid:q',
      kind: 'activity',
      subject: 'Visit',
      reason: { code: 'skip-direction', detail: 'outlook-to-mobile' },
      target: 'mobile',
      id: 'm2',
      ifVersion: 'v2',
      item,
      source: { ...source, side: 'outlook' },
      cap: { side: 'mobile', until: { date: '2036-12-04' } },
    };
    const name = `v1-${Date.now()}-${++n}`;
    await version1Db(name, {
      journal: [
        [undefined, { id: 'j0', startedAt: 0, action: create }],
        [undefined, { id: 'j1', startedAt: 1, action: update }],
      ],
      failures: [
        [
          undefined,
          {
            pairKey: 'uid:q',
            attempts: 1,
            nextAttemptAt: 5,
            lastError: 'x',
            recheck: [{ side: 'mobile', kind: 'activity', id: 'm2' }],
          },
        ],
      ],
      meta: [
        [
          'pending',
          [
            {
              type: 'confirm',
              id: 'update:mobile:uid:q:h1',
              action: update,
              pairKey: 'uid:q',
              subject: 'Visit',
              reason: update.reason,
            },
            {
              type: 'conflict',
              id: 'uid:p',
              pairKey: 'uid:p',
              subject: 'mobile',
              reason: { code: 'conflict-held' },
              mobile: { id: 'm1', version: 'v1', hash: 'h1', item },
            },
          ],
        ],
      ],
      history: [[undefined, { at: 1, pairKey: 'uid:p', side: 'mobile', kind: 'activity', item, reason: 'mobile' }]],
      log: [[undefined, { at: 2, level: 'error', message: 'mobile', side: 'mobile', subject: 'mobile' }]],
      runs: [
        [
          undefined,
          {
            at: 3,
            durationMs: 1,
            dryRun: false,
            written: {
              outlook: { created: 1, updated: 0, deleted: 0 },
              mobile: { created: 2, updated: 0, deleted: 0 },
            },
            conflicts: 0,
            pending: 0,
            errors: 0,
          },
        ],
      ],
    });
    const db = await openStateDb(name);
    const state = await new IdbStatusStore(db).load();
    const moved = {
      ...update,
      target: 'crm',
      reason: { code: 'skip-direction', detail: 'outlook-to-crm' },
      cap: { side: 'crm', until: { date: '2036-12-04' } },
    };
    expect(state.journal).to.deep.equal([
      {
        id: 'j0',
        startedAt: 0,
        action: { ...create, reason: { code: 'new', from: 'crm' }, source: { ...source, side: 'crm' } },
      },
      { id: 'j1', startedAt: 1, action: moved },
    ]);
    expect(state.failures[0]!.recheck).to.deep.equal([{ side: 'crm', kind: 'activity', id: 'm2' }]);
    expect(state.pending[0]).to.deep.include({ id: 'update:crm:uid:q:h1', action: moved });
    expect(state.pending[1]).to.deep.equal({
      type: 'conflict',
      id: 'uid:p',
      pairKey: 'uid:p',
      subject: 'mobile',
      reason: { code: 'conflict-held' },
      crm: { id: 'm1', version: 'v1', hash: 'h1', item },
    });
    const [entry] = await new IdbHistory(db).versions();
    expect(entry).to.deep.include({ side: 'crm', reason: 'mobile', item });
    expect((await new IdbLog(db).list())[0]).to.deep.equal({
      at: 2,
      level: 'error',
      message: 'mobile',
      side: 'crm',
      subject: 'mobile',
    });
    expect((await new IdbRuns(db, 10).list())[0]!.written).to.deep.equal({
      outlook: { created: 1, updated: 0, deleted: 0 },
      crm: { created: 2, updated: 0, deleted: 0 },
    });
    db.close();
  });
});

describe('the password on the device', () => {
  it('is sealed with a key script cannot read, and opens again', async () => {
    const sealed = await sealSecret('Geheim-123!');
    expect(sealed).not.to.include('Geheim');
    expect(sealed).to.match(/^v1\./);
    expect(await openSecret(sealed)).to.equal('Geheim-123!');
    expect(await deviceKeyIsExtractable()).to.equal(false);
    expect(await sealSecret('Geheim-123!'), 'a new IV each time').not.to.equal(sealed);
  });

  it('a damaged or foreign ciphertext is a clear error, not garbage', async () => {
    const sealed = await sealSecret('pw');
    const [v, iv, data] = sealed.split('.');
    const flipped = `${v}.${iv}.${data!.slice(0, -4)}AAAA`;
    let error: unknown;
    try {
      await openSecret(flipped);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/cannot be read on this device/);
  });
});
