// Issue 13, points 9, 11 and 12 on the engine: a change made while a setting kept it out crosses (or
// conflicts) once the setting lets it; pending items stay until the user decides; the application
// decides which activities synchronize.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import type { Item } from '../../src/core/model/item.js';
import { activity, task } from './support/items.js';
import { Harness } from './support/harness.js';
import { profile } from './support/plan-fixtures.js';

type Side = 'outlook' | 'crm';
const subjects = (h: Harness, side: Side) =>
  [...h.stores[side].activity.all(), ...h.stores[side].task.all()].map((x) => x.item.subject).sort();
const only = (h: Harness, side: Side) => h.stores[side].activity.all()[0]!;
const crmItem = (n: number, over: Partial<Item> = {}) =>
  activity({
    uid: `crm-${n}`,
    subject: `CRM ${n}`,
    crm: { activityId: `00000${n}`, application: 'SALES' },
    ...over,
  } as never);
const outlookItem = (n: number, over: Partial<Item> = {}) =>
  activity({ uid: `ol-${n}`, subject: `Outlook ${n}`, crm: undefined, ...over } as never);

describe('settings changes never drop work (engine, memory stores)', () => {
  it('both ways → Outlook → CRM → CRM → Outlook → both ways: what each one-way phase kept back crosses afterwards', async () => {
    const h = new Harness();
    const o1 = h.stores.outlook.activity.insert(outlookItem(1));
    await h.sync(profile());
    const toCrm = profile({ sync: { direction: 'outlook-to-crm' } });
    const toOutlook = profile({ sync: { direction: 'crm-to-outlook' } });
    // Outlook → CRM: the CRM side creates and edits; none of it crosses yet.
    h.stores.crm.activity.insert(crmItem(2));
    const m1 = h.stores.crm.activity.all().find((x) => x.item.subject === 'Outlook 1')!.id;
    h.stores.crm.activity.write(m1, outlookItem(1, { subject: 'Outlook 1, renamed in the CRM' }));
    h.now += 3600_000;
    await h.sync(toCrm);
    expect(subjects(h, 'outlook')).to.deep.equal(['Outlook 1']);
    // CRM → Outlook: Outlook creates; the CRM's held work now crosses, Outlook's new one waits.
    h.stores.outlook.activity.insert(outlookItem(3));
    h.now += 3600_000;
    await h.sync(toOutlook);
    expect(subjects(h, 'outlook')).to.deep.equal(['CRM 2', 'Outlook 1, renamed in the CRM', 'Outlook 3']);
    expect(subjects(h, 'crm')).to.deep.equal(['CRM 2', 'Outlook 1, renamed in the CRM']);
    // Back to both ways: Outlook's new item crosses; nothing is left behind on either side.
    h.now += 3600_000;
    const r = await h.sync(profile());
    expect(r.written.crm.created).to.equal(1);
    expect(subjects(h, 'crm')).to.deep.equal(subjects(h, 'outlook'));
    expect(h.stores.outlook.activity.get(o1)!.subject).to.equal('Outlook 1, renamed in the CRM');
    expect((await h.sync(profile())).plan.actions).to.deep.equal([]);
  });

  it('an edit on the target of a one-way sync and a later edit of its source: the source wins, the target version is kept in the history', async () => {
    const h = new Harness();
    h.stores.outlook.activity.insert(outlookItem(1));
    await h.sync(profile());
    const toCrm = profile({ sync: { direction: 'outlook-to-crm' } });
    h.stores.crm.activity.write(only(h, 'crm').id, outlookItem(1, { subject: 'CRM edit' }));
    await h.sync(toCrm);
    h.stores.outlook.activity.write(only(h, 'outlook').id, outlookItem(1, { subject: 'Outlook edit' }));
    const r = await h.sync(toCrm);
    expect(r.errors).to.deep.equal([]);
    expect(subjects(h, 'crm')).to.deep.equal(['Outlook edit']);
    expect(h.history.entries.map((e) => e.item.subject)).to.include('CRM edit');
  });

  it('a held deletion on the target of a one-way sync does not stop later runs as an empty side (property seed 234809017)', async () => {
    const h = new Harness();
    h.stores.outlook.task.insert(task({ uid: 'u1', subject: 'Only task' }));
    const toCrm = profile({ sync: { direction: 'outlook-to-crm' } });
    await h.sync(toCrm);
    h.stores.crm.task.remove(h.stores.crm.task.all()[0]!.id);
    await h.sync(toCrm, { allowEmptySide: true });
    const again = await h.sync(toCrm);
    expect(again.plan.actions).to.deep.equal([]);
    // Both ways again: the CRM deletion crosses.
    await h.sync(profile(), { allowEmptySide: true });
    expect(subjects(h, 'outlook')).to.deep.equal([]);
  });

  it('"Synchronize private items" turned on: existing private items cross, not only new ones', async () => {
    const h = new Harness();
    h.stores.outlook.activity.insert(outlookItem(1, { sensitivity: 'private', subject: 'Dentist' }));
    h.stores.crm.activity.insert(crmItem(2, { sensitivity: 'private', subject: 'Private CRM' }));
    await h.sync(profile());
    expect(subjects(h, 'crm')).to.deep.equal(['Private CRM']);
    await h.sync(profile()); // tokens advance past the private items
    const r = await h.sync(profile({ series: { syncPrivate: true } }));
    expect(r.written.crm.created + r.written.outlook.created).to.equal(2);
    expect(subjects(h, 'crm')).to.deep.equal(['Dentist', 'Private CRM']);
  });

  it('an item made private, edited, then private items turned on: the edit crosses', async () => {
    const h = new Harness();
    const id = h.stores.outlook.activity.insert(outlookItem(1));
    await h.sync(profile());
    h.stores.outlook.activity.write(id, outlookItem(1, { sensitivity: 'private', subject: 'Now private' }));
    await h.sync(profile());
    await h.sync(profile());
    expect(subjects(h, 'crm')).to.deep.equal(['Outlook 1']);
    await h.sync(profile({ series: { syncPrivate: true } }));
    expect(subjects(h, 'crm')).to.deep.equal(['Now private']);
  });

  it('"Temporarily include exception list entries": the next run includes them without an edit', async () => {
    const h = new Harness();
    const id = h.stores.crm.activity.insert(crmItem(1));
    const listed = profile({ exceptionList: ['crm:000001'] });
    await h.sync(listed);
    h.stores.crm.activity.write(id, crmItem(1, { subject: 'Edited while excluded' }));
    await h.sync(listed);
    expect(subjects(h, 'outlook')).to.deep.equal([]);
    await h.sync(profile({ exceptionList: ['crm:000001'], misc: { includeExceptionList: true } }));
    expect(subjects(h, 'outlook')).to.deep.equal(['Edited while excluded']);
  });

  it('tasks turned back on: tasks created and edited while only activities synced cross', async () => {
    const h = new Harness();
    const t = h.stores.crm.task.insert(task());
    await h.sync(profile());
    const activitiesOnly = profile({ sync: { itemTypes: 'activities' } });
    h.stores.crm.task.write(t, task({ subject: 'Edited while tasks were off' }));
    h.stores.outlook.task.insert(task({ uid: 'new-task', subject: 'New Outlook task' }));
    await h.sync(activitiesOnly);
    await h.sync(profile());
    expect(subjects(h, 'crm')).to.deep.equal(['Edited while tasks were off', 'New Outlook task']);
    expect(subjects(h, 'outlook')).to.deep.equal(subjects(h, 'crm'));
  });

  it('an item that comes into a longer period crosses (the period setting changed)', async () => {
    const h = new Harness();
    const far = activity({
      uid: 'far',
      crm: undefined,
      subject: 'Trade fair in 2027',
      start: { dateTime: '2027-09-01T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2027-09-01T17:00:00', timeZone: 'Europe/Berlin' },
    });
    h.stores.outlook.activity.insert(far);
    await h.sync(profile());
    await h.sync(profile());
    expect(subjects(h, 'crm')).to.deep.equal([]);
    await h.sync(profile({ sync: { daysAhead: 365 } }));
    expect(subjects(h, 'crm')).to.deep.equal(['Trade fair in 2027']);
  });

  it('an item that comes into the period as time passes crosses within a week', async () => {
    const h = new Harness();
    const start = new Date(h.now + 190 * 86_400_000).toISOString().slice(0, 10);
    h.stores.outlook.activity.insert(
      activity({
        uid: 'later',
        crm: undefined,
        subject: 'In 190 days',
        start: { dateTime: `${start}T09:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${start}T10:00:00`, timeZone: 'UTC' },
      }),
    );
    await h.sync(profile());
    expect(subjects(h, 'crm')).to.deep.equal([]);
    for (let day = 0; day < 21 && subjects(h, 'crm').length === 0; day++) {
      h.now += 86_400_000;
      await h.sync(profile());
    }
    expect(subjects(h, 'crm')).to.deep.equal(['In 190 days']);
  });

  it('a pending deletion stays under Pending run after run until the user decides (point 11)', async () => {
    const h = new Harness();
    const id = h.stores.crm.activity.insert(crmItem(1));
    h.stores.crm.activity.insert(crmItem(2));
    const ask = profile({ conflicts: { confirmDeleted: true } });
    await h.sync(ask);
    h.stores.crm.activity.remove(id);
    const first = await h.sync(ask);
    expect(first.pending.map((p) => p.action?.type)).to.deep.equal(['delete']);
    for (let i = 0; i < 3; i++) {
      h.now += 3600_000;
      const again = await h.sync(ask);
      expect(
        again.pending.map((p) => p.id),
        `run ${i + 2}`,
      ).to.deep.equal(first.pending.map((p) => p.id));
      expect(subjects(h, 'outlook')).to.deep.equal(['CRM 1', 'CRM 2']);
    }
    await h.sync(ask, { approvals: new Set([first.pending[0]!.id]) });
    expect(subjects(h, 'outlook')).to.deep.equal(['CRM 2']);
  });

  it('a first-sync pair whose versions differ, waiting for confirmation, is not duplicated by the next run (model-based test)', async () => {
    const h = new Harness();
    const ask = profile({ conflicts: { confirmModified: true } });
    h.stores.outlook.activity.insert(crmItem(1, { subject: 'Edited in Outlook' }));
    h.stores.crm.activity.insert(crmItem(1));
    const first = await h.sync(ask);
    expect(first.pending.map((p) => p.action?.type)).to.deep.equal(['update']);
    const second = await h.sync(ask);
    expect(second.plan.actions).to.deep.equal([]);
    expect(second.pending.map((p) => p.id)).to.deep.equal(first.pending.map((p) => p.id));
    expect(h.stores.outlook.activity.all()).to.have.length(1);
    expect(h.stores.crm.activity.all()).to.have.length(1);
  });

  it('pending confirmations of new and modified items stay until decided', async () => {
    const h = new Harness();
    const ask = profile({ conflicts: { confirmNew: true, confirmModified: true } });
    h.stores.crm.activity.insert(crmItem(1));
    const first = await h.sync(ask);
    expect(first.pending).to.have.length(1);
    for (let i = 0; i < 2; i++)
      expect((await h.sync(ask)).pending.map((p) => p.id)).to.deep.equal([first.pending[0]!.id]);
  });

  it('with only Mobile Service ticked, Sales activities do not synchronize; ticking Mobile Sales brings them (point 12)', async () => {
    const h = new Harness();
    h.stores.crm.activity.insert(crmItem(1));
    h.stores.crm.activity.insert(crmItem(2, { crm: { activityId: '000002', application: 'SERVICE' } } as never));
    const service = profile({ automatic: { mobileSales: false, mobileService: true } });
    await h.sync(service);
    expect(subjects(h, 'outlook')).to.deep.equal(['CRM 2']);
    await h.sync(profile({ automatic: { mobileSales: true, mobileService: true } }));
    expect(subjects(h, 'outlook')).to.deep.equal(['CRM 1', 'CRM 2']);
  });
});
