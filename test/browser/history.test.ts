// The history's two kinds of record (issue 18) — versions kept for Restore, runs' writes kept for Undo —
// in both places the state lives: IndexedDB on the device and the gateway's state API (cross-origin,
// the users browser51… are this file's). One contract, both implementations.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { DavHttp } from '../../src/adapters/caldav/dav-http.js';
import { GatewayHistory, StateApi } from '../../src/adapters/gateway-state/gateway-state.js';
import { IdbHistory, openStateDb } from '../../src/adapters/idb/idb-state.js';
import type { History, HistoryEntry, HistoryReader, RunWrite } from '../../src/core/ports/state.js';
import { contractActivity } from '../contract/store-contract.js';

const GATEWAY = process.env.CRM_TEST_GATEWAY_URL ?? '';
let users = 50;
let dbs = 0;

const version = (at: number, subject: string): HistoryEntry => ({
  at,
  pairKey: `uid:${subject}`,
  side: 'crm',
  kind: 'activity',
  item: contractActivity(1, { subject }),
  reason: 'changed in Outlook',
});
const write = (run: number, at: number, pairKey: string): RunWrite => ({
  run,
  at,
  pairKey,
  kind: 'activity',
  side: 'outlook',
  subject: pairKey,
  write: 'create',
  id: `id-${pairKey}`,
  version: 'v1',
  row: null,
});

function historyContract(name: string, make: () => Promise<History & HistoryReader>) {
  describe(`the history: versions and runs' writes (${name})`, () => {
    it('lists the versions apart from the writes, a run’s writes in the order made, and prunes both', async () => {
      const h = await make();
      await h.put(version(1, 'old A'));
      await h.putWrites!([write(100, 101, 'a'), write(100, 102, 'b')]);
      await h.putWrites!([write(1000, 1001, 'c')]);
      await h.put(version(1002, 'old B'));
      expect((await h.versions()).map((v) => v.item.subject)).to.deep.equal(['old B', 'old A']);
      expect((await h.writesOf(100)).map((w) => w.pairKey)).to.deep.equal(['a', 'b']);
      expect((await h.writesOf(1000)).map((w) => w.pairKey)).to.deep.equal(['c']);
      // (A run's start is not a prefix of another's: run 10 has no writes.)
      expect(await h.writesOf(10)).to.deep.equal([]);
      await h.prune(500);
      expect(await h.writesOf(100)).to.deep.equal([]);
      expect((await h.versions()).map((v) => v.item.subject)).to.deep.equal(['old B']);
    });

    it('gives back every write of a run larger than a page of the gateway (1,000)', async () => {
      const h = await make();
      const many = Array.from({ length: 1203 }, (_, i) => write(7, 8 + i, `k${i}`));
      await h.putWrites!(many);
      const back = await h.writesOf(7);
      expect(back.length).to.equal(1203);
      expect(back.map((w) => w.pairKey)).to.deep.equal(many.map((w) => w.pairKey));
    });
  });
}

historyContract('IndexedDB', async () => new IdbHistory(await openStateDb(`history-${Date.now()}-${++dbs}`)));

historyContract('gateway state API', async () => {
  expect(GATEWAY, 'run the browser tests through npm test, which starts the gateway').to.match(
    /^http:\/\/127\.0\.0\.1:\d+$/,
  );
  const user = `browser${++users}`;
  return new GatewayHistory(
    new StateApi(
      GATEWAY,
      `${user}@example.com`,
      new DavHttp({ credentials: { username: user, password: `${user}-pw` } }),
    ),
  );
});
