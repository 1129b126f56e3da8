// A way back (issue 18): undoing a run and restoring a version, on memory stores. The model-based
// test (support/machine.ts, command `undo`) checks the undo on random worlds; these are the cases a
// user meets, named.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import type { Item } from '../../src/core/model/item.js';
import type { Profile } from '../../src/core/profile/profile.js';
import { MassDeleteError } from '../../src/core/errors.js';
import {
  planUndo,
  restoreFromOtherSide,
  restoreVersion,
  undoRun,
  type WayBackDeps,
} from '../../src/core/sync/way-back.js';
import { activity } from './support/items.js';
import { Harness } from './support/harness.js';
import { profile } from './support/plan-fixtures.js';

const deps = (h: Harness): WayBackDeps => ({
  store: (side, kind) => h.stores[side][kind],
  state: h.state,
  log: h.log,
  history: h.history,
  clock: h.clock,
});
const subjects = (h: Harness, side: 'outlook' | 'crm') =>
  h.stores[side].activity
    .all()
    .map((x) => x.item.subject)
    .sort();
const meeting = (n: number, subject = `Visit ${n}`): Item =>
  activity({ uid: `u${n}`, subject, crm: { activityId: `00000000${n}`, application: 'SALES' } });

/** Undoes the last run as the pane does: its writes, then its pairs on the exception list. */
async function undoLast(h: Harness, p: Profile, run: number): Promise<Profile> {
  const result = await undoRun(
    h.history.writes.filter((w) => w.run === run),
    deps(h),
  );
  expect(result.left).to.deep.equal([]);
  return { ...p, exceptionList: [...p.exceptionList, ...result.undone.map((x) => x.pairKey)] };
}

/** Meeting 1 synchronized, then renamed in Outlook and synchronized an hour later: that second run. */
async function renamedInOutlook(h: Harness, p: Profile, subject: string) {
  h.stores.outlook.activity.insert(meeting(1));
  await h.sync(p);
  const [o] = h.stores.outlook.activity.all();
  h.stores.outlook.activity.write(o!.id, meeting(1, subject));
  h.now += 3_600_000;
  return h.sync(p);
}

describe('undo a run (issue 18)', () => {
  it('keeps every write of a run with the run, the version before and the pair as it was', async () => {
    const h = new Harness();
    const p = profile();
    h.stores.outlook.activity.insert(meeting(1));
    const first = await h.sync(p);
    const [created] = h.history.writes;
    expect(created).to.include({ run: first.startedAt, write: 'create', side: 'crm', pairKey: 'crm:000000001' });
    expect(created!.row).to.equal(null);
    expect(created!.version).to.equal(h.stores.crm.activity.all()[0]!.version);
    const [o] = h.stores.outlook.activity.all();
    h.stores.outlook.activity.write(o!.id, meeting(1, 'Visit 1, moved'));
    h.now += 3_600_000;
    const second = await h.sync(p);
    const changed = h.history.writes.filter((w) => w.run === second.startedAt);
    expect(changed.map((w) => `${w.write} ${w.side}`)).to.deep.equal(['update crm']);
    expect(changed[0]!.before!.subject).to.equal('Visit 1');
    expect(changed[0]!.row!.key).to.equal('crm:000000001');
  });

  it('a run that created, changed and deleted: undone, and a sync after it leaves both sides as before', async () => {
    const h = new Harness();
    let p = profile();
    for (const n of [1, 2, 3]) h.stores.outlook.activity.insert(meeting(n));
    await h.sync(p);
    // Since: one new in the CRM, one changed and one deleted in Outlook.
    h.stores.crm.activity.insert(meeting(4));
    const [one, two] = h.stores.outlook.activity.all();
    h.stores.outlook.activity.write(one!.id, meeting(1, 'Visit 1, moved'));
    h.stores.outlook.activity.remove(two!.id);
    const before = { outlook: subjects(h, 'outlook'), crm: subjects(h, 'crm') };
    h.now += 3_600_000;
    const run = await h.sync(p);
    expect(run.written.crm).to.deep.equal({ created: 0, updated: 1, deleted: 1 });
    expect(run.written.outlook.created).to.equal(1);
    p = await undoLast(h, p, run.startedAt);
    expect({ outlook: subjects(h, 'outlook'), crm: subjects(h, 'crm') }).to.deep.equal(before);
    h.now += 3_600_000;
    const after = await h.sync(p);
    expect(after.plan.actions.filter((a) => a.type !== 'status')).to.deep.equal([]);
    expect({ outlook: subjects(h, 'outlook'), crm: subjects(h, 'crm') }).to.deep.equal(before);
    // Taken off the exception list, the run's changes cross again: the deletion too, without a duplicate.
    p = { ...p, exceptionList: [] };
    h.now += 3_600_000;
    await h.sync(p);
    expect(subjects(h, 'outlook')).to.deep.equal(['Visit 1, moved', 'Visit 3', 'Visit 4']);
    expect(subjects(h, 'crm')).to.deep.equal(['Visit 1, moved', 'Visit 3', 'Visit 4']);
  });

  it('leaves a pair whose copy changed since the run, and says so in the preview and the log', async () => {
    const h = new Harness();
    const p = profile();
    h.stores.outlook.activity.insert(meeting(1));
    h.stores.outlook.activity.insert(meeting(2));
    const run = await h.sync(p);
    const copy = h.stores.crm.activity.all().find((x) => x.item.subject === 'Visit 2')!;
    h.stores.crm.activity.write(copy.id, meeting(2, 'Visit 2, edited in the CRM'));
    const writes = h.history.writes.filter((w) => w.run === run.startedAt);
    const preview = await planUndo(writes, deps(h));
    expect(preview.map((x) => `${x.subject}: ${x.outcome}`).sort()).to.deep.equal([
      'Visit 1: undo',
      'Visit 2: changed',
    ]);
    const result = await undoRun(writes, deps(h));
    expect(result.left.map((x) => x.subject)).to.deep.equal(['Visit 2']);
    expect(subjects(h, 'crm')).to.deep.equal(['Visit 2, edited in the CRM']);
    expect(h.log.entries.map((e) => e.code)).to.include.members(['undone', 'undo-skipped']);
    // The copy the undo deleted is in the history (rule 5).
    expect(h.history.entries.some((e) => e.reason === 'undo' && e.item.subject === 'Visit 1')).to.equal(true);
  });
});

describe('undo: a change made while it runs', () => {
  it('is never overwritten: the store refuses the undo’s write, the pair is left and says why', async () => {
    const h = new Harness();
    const p = profile();
    const run = await renamedInOutlook(h, p, 'Visit 1, moved');
    const crm = h.stores.crm.activity;
    const id = crm.all()[0]!.id;
    let reads = 0;
    crm.faults.beforeRead = () => {
      // (The user edits the CRM copy after the undo judged it, before the undo reads it to write.)
      if (++reads === 2) crm.write(id, meeting(1, 'Visit 1, edited meanwhile'));
    };
    const result = await undoRun(
      h.history.writes.filter((w) => w.run === run.startedAt),
      deps(h),
    );
    expect(result.undone).to.deep.equal([]);
    expect(result.left.map((x) => x.error)).to.satisfy((e: string[]) => e.length === 1 && /Precondition/.test(e[0]!));
    expect(subjects(h, 'crm')).to.deep.equal(['Visit 1, edited meanwhile']);
  });
});

describe('undo: a copy the run wrote twice', () => {
  it('is judged by the version its last write left (the first write’s version is long gone)', async () => {
    const h = new Harness();
    const id = h.stores.crm.activity.insert(meeting(1));
    const first = h.stores.crm.activity.all()[0]!.version;
    h.stores.crm.activity.write(id, meeting(1, 'Visit 1, then changed'));
    const last = h.stores.crm.activity.all()[0]!.version;
    const w = (at: number, write: 'create' | 'update', version: string) => ({
      run: 1,
      at,
      pairKey: 'crm:000000001',
      kind: 'activity' as const,
      side: 'crm' as const,
      subject: 'Visit 1',
      write,
      id,
      version,
      row: null,
      ...(write === 'update' && { before: meeting(1) }),
    });
    const [pair] = await planUndo([w(1, 'create', first), w(2, 'update', last)], deps(h));
    expect(pair!.outcome).to.equal('undo');
    await undoRun([w(1, 'create', first), w(2, 'update', last)], deps(h));
    expect(subjects(h, 'crm')).to.deep.equal([]);
  });
});

describe('restore a version (issue 18)', () => {
  it('an overwritten version restored to either side crosses to the other at the next run', async () => {
    const h = new Harness();
    const p = profile();
    await renamedInOutlook(h, p, 'Visit 1, wrong');
    const kept = h.history.entries.find((e) => e.side === 'crm' && e.item.subject === 'Visit 1')!;
    await restoreVersion(kept, 'outlook', deps(h));
    expect(subjects(h, 'outlook')).to.deep.equal(['Visit 1']);
    h.now += 3_600_000;
    const next = await h.sync(p);
    expect(next.written.crm.updated).to.equal(1);
    expect(subjects(h, 'crm')).to.deep.equal(['Visit 1']);
    expect((await h.sync(p)).plan.actions).to.deep.equal([]);
  });

  it('a deleted version comes back as a new copy, and the next run creates its twin', async () => {
    const h = new Harness();
    const p = profile();
    h.stores.outlook.activity.insert(meeting(1));
    h.stores.outlook.activity.insert(meeting(2));
    await h.sync(p);
    const o = h.stores.outlook.activity.all().find((x) => x.item.subject === 'Visit 1');
    h.stores.outlook.activity.remove(o!.id);
    h.now += 3_600_000;
    await h.sync(p);
    expect(subjects(h, 'crm')).to.deep.equal(['Visit 2']);
    const kept = h.history.entries.find((e) => e.side === 'crm')!;
    await restoreVersion(kept, 'crm', deps(h));
    h.now += 3_600_000;
    await h.sync(p);
    expect(subjects(h, 'outlook')).to.deep.equal(['Visit 1', 'Visit 2']);
    expect(subjects(h, 'crm')).to.deep.equal(['Visit 1', 'Visit 2']);
    expect((await h.sync(p)).plan.actions).to.deep.equal([]);
  });
});

describe('the mass-delete stop: restore from the other side (issue 18)', () => {
  it('names every item it would delete, and brings them back where they were deleted; the next run writes nothing', async () => {
    const h = new Harness();
    const p = profile();
    for (let n = 1; n <= 14; n++) h.stores.crm.activity.insert(meeting(n));
    await h.sync(p);
    const gone = h.stores.outlook.activity.all().slice(0, 12);
    for (const x of gone) h.stores.outlook.activity.remove(x.id);
    h.now += 3_600_000;
    let stop: MassDeleteError | undefined;
    await h.sync(p).catch((e: unknown) => (stop = e as MassDeleteError));
    expect(stop).to.be.instanceOf(MassDeleteError);
    expect(stop!.side).to.equal('crm');
    expect(stop!.items.map((x) => x.subject).sort()).to.deep.equal(gone.map((x) => x.item.subject).sort());
    const result = await restoreFromOtherSide(
      stop!.items.map((x) => x.pairKey),
      'outlook',
      deps(h),
    );
    expect(result).to.deep.equal({ restored: 12, left: 0 });
    expect(subjects(h, 'outlook')).to.deep.equal(subjects(h, 'crm'));
    expect(subjects(h, 'outlook')).to.have.length(14);
    h.now += 3_600_000;
    const next = await h.sync(p);
    expect(next.plan.actions).to.deep.equal([]);
    expect(subjects(h, 'crm')).to.have.length(14);
  });
});
