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
} from '../../src/adapters/idb/idb-state.js';
import { deviceKeyIsExtractable, openSecret, sealSecret } from '../../src/adapters/idb/secret-box.js';
import type { PairStatus } from '../../src/core/sync/status.js';
import { contractActivity } from '../contract/store-contract.js';
import { Harness } from '../core/support/harness.js';
import { profile } from '../core/support/plan-fixtures.js';
import { runSync } from '../../src/core/sync/engine.js';

let n = 0;
const fresh = () => openStateDb(`test-${Date.now()}-${++n}`);
const row = (key: string): PairStatus => ({ key, kind: 'activity', subject: key, range: [0, Infinity] });

describe('device state in IndexedDB', () => {
  it('keeps the status table, tokens, journal, failures and pending list across a reopen', async () => {
    const db = await fresh();
    await new IdbStatusStore(db).commit({
      upsert: [row('uid:a'), row('uid:b')],
      tokens: { 'outlook:activity': 'token-1', 'mobile:activity': 'token-2' },
      journalAdd: [{ id: 'j1', startedAt: 1, action: { type: 'status', pairKey: 'uid:a' } as never }],
      failures: [{ pairKey: 'uid:b', attempts: 1, nextAttemptAt: 5, lastError: 'x', recheck: [] }],
      pending: [],
    });
    await new IdbStatusStore(db).commit({
      remove: ['uid:a'],
      tokens: { 'mobile:activity': null },
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
    for (let i = 0; i < 5; i++) h.stores.mobile.activity.insert(contractActivity(400 + i));
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
      written: { outlook: { created: at, updated: 0, deleted: 0 }, mobile: { created: 0, updated: 0, deleted: 0 } },
      conflicts: 0,
      pending: 0,
      errors: 0,
    });
    for (const at of [1, 2, 3, 4, 5]) await runs.add(run(at));
    expect((await runs.list()).map((r) => r.at)).to.deep.equal([3, 4, 5]);
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
