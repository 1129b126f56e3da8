// A device that kept its own state (version 0.2) hands it over to the account's state (issue 15): the
// rules of handover.ts, each shown with two devices that synchronized the same mailbox and CRM user
// on their own, and what the next run does with the merged state.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { applyStateChange, MemoryStatusStore } from '../../src/adapters/memory/memory-state.js';
import type { SyncState } from '../../src/core/ports/state.js';
import { handover, holdsState } from '../../src/core/sync/handover.js';
import { contractActivity } from '../contract/store-contract.js';
import { Harness } from './support/harness.js';
import { profile } from './support/plan-fixtures.js';

const activities = profile({ sync: { itemTypes: 'activities' } });
const EMPTY: SyncState = { rows: [], tokens: {}, journal: [], failures: [], pending: [] };

/** Two devices on one mailbox and CRM user: each with its own state, as version 0.2 kept it. */
function twoDevices() {
  const h = new Harness();
  const laptop = new MemoryStatusStore();
  const web = new MemoryStatusStore();
  const runOn = async (device: MemoryStatusStore) => {
    h.state = device;
    return h.sync(activities);
  };
  return { h, laptop, web, runOn };
}

/**
 * Both devices synchronized three items; the web device alone (the laptop was closed) synchronized one
 * more, which was then deleted in the CRM. The account holds the laptop's state.
 */
async function deletionOnlyTheWebDeviceKnows() {
  const devices = twoDevices();
  const { h, laptop, web, runOn } = devices;
  for (let i = 0; i < 3; i++) h.stores.crm.activity.insert(contractActivity(710 + i));
  await runOn(laptop);
  await runOn(web);
  const extra = h.stores.crm.activity.insert(contractActivity(720, { subject: 'Only the web device saw it' }));
  await runOn(web);
  const synchronized = h.stores.outlook.activity.all().map((x) => x.item.subject);
  h.stores.crm.activity.remove(extra);
  const account = new MemoryStatusStore();
  account.state = applyStateChange(EMPTY, handover(EMPTY, laptop.state)!);
  return { ...devices, account, synchronized };
}

describe('handing a device state over to the account', () => {
  it('the first device gives everything: its next run on the account state plans nothing', async () => {
    const { h, laptop, runOn } = twoDevices();
    for (let i = 0; i < 4; i++) h.stores.crm.activity.insert(contractActivity(700 + i));
    await runOn(laptop);
    const change = handover(EMPTY, laptop.state)!;
    expect(change.upsert).to.have.length(4);
    expect(change.tokens, 'its read tokens come along').to.deep.equal(laptop.state.tokens);
    const account = new MemoryStatusStore();
    account.state = applyStateChange(EMPTY, change);
    const next = await runOn(account);
    expect(next.plan.actions).to.deep.equal([]);
  });

  it('a second device adds the pairs the account lacks: a deletion it synchronized is carried over, not undone', async () => {
    const { h, web, runOn, account, synchronized } = await deletionOnlyTheWebDeviceKnows();
    expect(synchronized).to.include('Only the web device saw it');
    const change = handover(account.state, web.state)!;
    expect(change.upsert!.map((r) => r.subject)).to.deep.equal(['Only the web device saw it']);
    expect(change.tokens, 'the kinds it added pairs to are read in full').to.deep.equal({
      'outlook:activity': null,
      'crm:activity': null,
    });
    account.state = applyStateChange(account.state, change);
    const next = await runOn(account);
    expect(next.written.outlook.deleted, 'the deletion crosses').to.equal(1);
    expect(next.written.crm.created, 'nothing is brought back').to.equal(0);
    expect(h.stores.outlook.activity.all().map((x) => x.item.subject)).not.to.include('Only the web device saw it');
    expect((await runOn(account)).plan.actions, 'and then nothing').to.deep.equal([]);
  });

  it('without the handover the same deletion would be undone (the test above can fail)', async () => {
    const { runOn, account } = await deletionOnlyTheWebDeviceKnows();
    const next = await runOn(account);
    expect(next.written.crm.created).to.equal(1);
  });

  it('never replaces a pair of the account, nor adds one whose copy the account pairs already, nor one made in another Outlook folder', async () => {
    const { h, laptop, runOn } = twoDevices();
    h.stores.crm.activity.insert(contractActivity(730));
    await runOn(laptop);
    const [row] = laptop.state.rows;
    const device: SyncState = {
      ...EMPTY,
      rows: [
        { ...row!, key: 'uid:another-key-for-the-same-copies' },
        // The account's own pair under the same key, with other copies (made anew since): the account's stays.
        { ...row!, outlook: { ...row!.outlook!, id: 'o-other' }, crm: { ...row!.crm!, id: 'c-other' } },
        { ...row!, key: 'uid:new', outlook: { ...row!.outlook!, id: 'o-new' }, crm: { ...row!.crm!, id: 'c-new' } },
      ],
      tokens: { 'folder:outlook:activity': 'some-other-calendar' },
    };
    const account: SyncState = {
      ...laptop.state,
      tokens: { ...laptop.state.tokens, 'folder:outlook:activity': 'cal-1' },
    };
    expect(handover(account, device), 'another folder: nothing').to.equal(undefined);
    const sameFolder = { ...device, tokens: { 'folder:outlook:activity': 'cal-1' } };
    expect(handover(account, sameFolder)!.upsert!.map((r) => r.key)).to.deep.equal(['uid:new']);
  });

  it('adds the journal, failures and pending items the account lacks, and keeps its own', () => {
    const journal = (id: string) => ({ id, startedAt: 1, action: { type: 'status', pairKey: id } }) as never;
    const failure = (pairKey: string) => ({ pairKey, attempts: 1, nextAttemptAt: 2, lastError: 'x', recheck: [] });
    const pending = (id: string) =>
      ({ type: 'confirm', id, pairKey: id, subject: id, reason: { code: 'new' } }) as never;
    const account: SyncState = {
      ...EMPTY,
      journal: [journal('j1')],
      failures: [failure('uid:1')],
      pending: [pending('p1')],
    };
    const device: SyncState = {
      ...EMPTY,
      journal: [journal('j1'), journal('j2')],
      failures: [{ ...failure('uid:1'), lastError: 'device' }, failure('uid:2')],
      pending: [pending('p1'), pending('p2')],
    };
    const change = handover(account, device)!;
    expect(change.journalAdd!.map((j) => j.id)).to.deep.equal(['j2']);
    expect(change.failures!.map((f) => f.pairKey)).to.deep.equal(['uid:2']);
    expect(change.pending!.map((p) => p.id)).to.deep.equal(['p1', 'p2']);
    expect(change.upsert).to.equal(undefined);
    expect(holdsState(EMPTY)).to.equal(false);
    expect(holdsState(device)).to.equal(true);
    expect(handover(device, device), 'nothing new: nothing to do').to.equal(undefined);
  });
});
