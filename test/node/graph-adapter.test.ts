// The Outlook adapter with the sync engine against the Graph emulator: throttling, an expired delta
// state, a crash between a creation and its status commit, series with exceptions, private items.
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  GraphEventStore,
  KEY_LOOKUPS_ONE_BY_ONE,
  type GraphEventStoreOptions,
} from '../../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../../src/adapters/graph/graph-http.js';
import { GraphTaskStore, TASK_LOOKUPS_ONE_BY_ONE } from '../../src/adapters/graph/graph-task-store.js';
import { listFolders } from '../../src/adapters/graph/folders.js';
import { PROP, type GraphEvent } from '../../src/adapters/graph/graph-event-types.js';
import { contentHash, sameSharedContent } from '../../src/core/model/content-hash.js';
import { WRITES_AT_ONCE } from '../../src/core/sync/chunks.js';
import type { Activity, Item } from '../../src/core/model/item.js';
import type { StorePort } from '../../src/core/ports/store.js';
import { runSync } from '../../src/core/sync/engine.js';
import { pairKeyOf } from '../../src/core/sync/match.js';
import { syncWindow } from '../../src/core/model/time.js';
import { CONTRACT_NOW, contractActivity, contractSeries, contractTask } from '../contract/store-contract.js';
import { dieAtCommit, Harness } from '../core/support/harness.js';
import { profile } from '../core/support/plan-fixtures.js';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';

let emulator: RunningGraphEmulator;
before(async () => {
  emulator = await startGraphEmulator({ defaultPageSize: 4 });
});
after(() => emulator.close());

const activities = profile({ sync: { itemTypes: 'activities' } });

/** A fresh mailbox, its default calendar as a store, and the waits the adapter asked for. */
async function outlook(options: GraphEventStoreOptions = {}, maxAttempts?: number) {
  const mailbox = `m-${randomUUID().slice(0, 8)}`;
  const waits: number[] = [];
  const http = new GraphHttp({
    baseUrl: `${emulator.url}/v1.0`,
    token: async () => `dev:${mailbox}`,
    sleep: async (ms) => void waits.push(ms),
    ...(maxAttempts && { maxAttempts }),
  });
  const { value } = await http.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
  const calendar = value.find((c) => c.isDefaultCalendar)!.id;
  const store = new GraphEventStore(http, calendar, { pageSize: 3, ...options });
  const events = () => Object.values(emulator.mailbox(mailbox).state.events);
  return { mailbox, http, store, waits, calendar, events };
}

function syncWith(h: Harness, store: GraphEventStore) {
  return runSync(
    { ...h.deps(), stores: { outlook: { activity: store }, crm: { activity: h.stores.crm.activity } } },
    activities,
  );
}

/**
 * No echo: six items the store created, one of them then edited by another client; the incremental
 * read with the versions the run kept fetches only the edited one, and costs less than half the read
 * without them; a full read still lists all six.
 */
async function expectNoEcho(
  store: StorePort,
  http: GraphHttp,
  item: (n: number) => Item,
  editElsewhere: (id: string) => void,
) {
  const window = syncWindow(CONTRACT_NOW, 30, 90);
  const before = await store.changesSince(null, window);
  const known = new Map<string, string>();
  for (let n = 0; n < 6; n++) {
    const created = await store.create(item(n), pairKeyOf(item(n)));
    known.set(created.id, created.version);
  }
  editElsewhere([...known.keys()][0]!);
  const counted = async (k?: Map<string, string>) => {
    const at = http.stats();
    const changes = await store.changesSince(before.token, window, k);
    return { changes, bytes: http.stats().bytes - at.bytes };
  };
  const next = await counted(known);
  expect(next.changes.changed.map((c) => c.item.subject)).to.deep.equal(['Edited elsewhere']);
  expect(next.changes.unchanged).to.have.length(5);
  // The same read without the status' versions reads all six back.
  const echo = await counted();
  expect(echo.changes.changed).to.have.length(6);
  expect(next.bytes, 'what the own writes cost to read back').to.be.below(echo.bytes / 2);
  const full = await store.changesSince(null, window, known);
  expect([full.changed.length, full.unchanged], 'a full read lists them all').to.deep.equal([6, undefined]);
}

const control = (path: string, body: unknown = {}) =>
  fetch(`${emulator.url}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => {
    if (r.status !== 204) throw new Error(`${path} answered ${r.status}`);
  });

describe('Outlook adapter with the engine, on the Graph emulator', () => {
  it('a burst of 429s slows the sync down (Retry-After honoured) but loses nothing', async () => {
    const o = await outlook();
    const h = new Harness();
    for (let n = 0; n < 12; n++) h.stores.crm.activity.insert(contractActivity(100 + n));
    await control('/emulator/throttle', { count: 5, retryAfter: 3 });
    const report = await syncWith(h, o.store);
    expect(report.errors).to.deep.equal([]);
    expect(
      o.waits.filter((w) => w === 3000),
      'each 429 waited its Retry-After',
    ).to.have.length(5);
    expect(o.events()).to.have.length(12);
    expect((await syncWith(h, o.store)).plan.actions).to.deep.equal([]);
  });

  it('throttling that outlasts the retries defers the work to the next run, without duplicates', async () => {
    const o = await outlook({}, 3);
    const h = new Harness();
    for (let n = 0; n < 6; n++) h.stores.crm.activity.insert(contractActivity(200 + n));
    await control('/emulator/throttle', { count: 1000, retryAfter: 1 });
    const first = await syncWith(h, o.store).catch((e: unknown) => e);
    await control('/emulator/throttle', { count: 0 });
    expect(o.events().length, 'nothing or part of it got through').to.be.below(6);
    void first;
    const second = await syncWith(h, o.store);
    expect(second.errors).to.deep.equal([]);
    expect(o.events()).to.have.length(6);
    expect(h.stores.crm.activity.all()).to.have.length(6);
  });

  it('an expired delta state (410) becomes a full read: changes arrive, nothing is duplicated', async () => {
    const o = await outlook();
    const h = new Harness();
    for (let n = 0; n < 5; n++) h.stores.crm.activity.insert(contractActivity(300 + n));
    await syncWith(h, o.store);
    const target = o.events().find((e) => (e.fields.subject as string).endsWith('302'))!;
    await o.http.request('PATCH', `/me/events/${target.id}`, { subject: 'Renamed in Outlook' });
    await control(`/emulator/expire-delta?mailbox=${o.mailbox}`);
    const report = await syncWith(h, o.store);
    expect(report.written.crm).to.deep.include({ created: 0, updated: 1, deleted: 0 });
    expect(report.written.outlook).to.deep.include({ created: 0, updated: 0, deleted: 0 });
    expect(h.stores.crm.activity.all().map((s) => s.item.subject)).to.include('Renamed in Outlook');
    expect(o.events()).to.have.length(5);
    expect(h.stores.crm.activity.all()).to.have.length(5);
  });

  it('a crash between a creation and its status commit leaves no duplicate', async () => {
    const o = await outlook();
    const h = new Harness();
    h.stores.crm.activity.insert(contractActivity(400));
    dieAtCommit(h.state);
    await syncWith(h, o.store).catch(() => undefined);
    expect(o.events()).to.have.length(1);
    h.state.beforeCommit = undefined;
    const r = await syncWith(h, o.store);
    expect(r.recovered).to.equal(1);
    expect(o.events()).to.have.length(1);
    expect((await syncWith(h, o.store)).plan.actions).to.deep.equal([]);
  });

  it('a repeated POST with the same transactionId creates one event (Graph de-duplicates it)', async () => {
    const o = await outlook();
    const body = {
      subject: 'Once',
      start: { dateTime: '2026-12-01T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' },
      transactionId: 'crm-sync-test-1',
    };
    const a = await o.http.request<GraphEvent>('POST', `/me/calendars/${o.calendar}/events`, body);
    const b = await o.http.request<GraphEvent>('POST', `/me/calendars/${o.calendar}/events`, body);
    expect(b.body.id).to.equal(a.body.id);
    expect(o.events()).to.have.length(1);
  });

  it('a series with a moved and a cancelled occurrence crosses as one unit, and an Outlook edit of one occurrence comes back', async () => {
    const o = await outlook();
    const h = new Harness();
    const series = contractSeries(500);
    h.stores.crm.activity.insert(series);
    await syncWith(h, o.store);
    expect(o.events()).to.have.length(1);
    const [stored] = (await o.store.changesSince(null, { from: Date.UTC(2026, 9, 1), to: Date.UTC(2027, 5, 1) }))
      .changed;
    expect(sameSharedContent(stored!.item, series)).to.equal(true);
    // The user moves the occurrence of 23 November to the afternoon in Outlook.
    const { value } = await o.http.get<{ value: GraphEvent[] }>(
      `/me/events/${stored!.id}/instances?startDateTime=2026-11-23T00:00:00Z&endDateTime=2026-11-24T00:00:00Z`,
    );
    await o.http.request('PATCH', `/me/events/${value[0]!.id}`, {
      start: { dateTime: '2026-11-23T15:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-11-23T16:00:00', timeZone: 'W. Europe Standard Time' },
    });
    const report = await syncWith(h, o.store);
    expect(report.written.crm.updated).to.equal(1);
    const back = h.stores.crm.activity.all()[0]!.item as Activity;
    expect(back.recurrence!.overrides.map((x) => x.recurrenceId)).to.deep.include({
      dateTime: '2026-11-23T09:00:00',
      timeZone: 'Europe/Berlin',
    });
    expect(back.recurrence!.exceptionDates).to.deep.equal(series.recurrence!.exceptionDates);
    expect(h.stores.crm.activity.all()).to.have.length(1);
  });

  for (const [zone, windows] of [
    ['Europe/Berlin', 'W. Europe Standard Time'],
    ['America/New_York', 'Eastern Standard Time'],
  ] as const)
    it(`a weekly all-day series created in Outlook in ${zone} reaches the CRM with only its real cancelled dates (issue 13, point 3)`, async () => {
      const o = await outlook();
      const h = new Harness();
      // Created in Outlook (Monday 7 December 2026, weekly), one occurrence cancelled there.
      const created = await o.http.request<GraphEvent>('POST', `/me/calendars/${o.calendar}/events`, {
        subject: 'Trade fair stand duty',
        isAllDay: true,
        start: { dateTime: '2026-12-07T00:00:00', timeZone: windows },
        end: { dateTime: '2026-12-08T00:00:00', timeZone: windows },
        recurrence: {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
          range: { type: 'numbered', startDate: '2026-12-07', numberOfOccurrences: 6, recurrenceTimeZone: windows },
        },
      });
      const { value } = await o.http.get<{ value: GraphEvent[] }>(
        `/me/events/${created.body.id}/instances?startDateTime=2026-12-13T00:00:00Z&endDateTime=2026-12-16T00:00:00Z`,
      );
      expect(value).to.have.length(1);
      await o.http.request('DELETE', `/me/events/${value[0]!.id}`);
      const report = await syncWith(h, o.store);
      expect(report.errors).to.deep.equal([]);
      const crm = h.stores.crm.activity.all()[0]!.item as Activity;
      expect(crm.start).to.deep.equal({ date: '2026-12-07' });
      expect(crm.recurrence!.rule).to.include({ freq: 'WEEKLY', count: 6 });
      expect(crm.recurrence!.exceptionDates).to.deep.equal([{ date: '2026-12-14' }]);
      // …and a second run writes nothing (no difference read back from either side).
      expect((await syncWith(h, o.store)).plan.actions).to.deep.equal([]);
      // The CRM cancels another day: Outlook drops that occurrence (it was looked up at midnight UTC).
      const [mine] = h.stores.crm.activity.all();
      h.stores.crm.activity.write(mine!.id, {
        ...crm,
        recurrence: { ...crm.recurrence!, exceptionDates: [{ date: '2026-12-14' }, { date: '2026-12-21' }] },
      });
      const rep = await syncWith(h, o.store);
      expect(rep.errors).to.deep.equal([]);
      const left = await o.http.get<{ value: GraphEvent[] }>(
        `/me/events/${created.body.id}/instances?startDateTime=2026-12-01T00:00:00Z&endDateTime=2027-02-01T00:00:00Z`,
      );
      expect(left.value.map((x) => x.start!.dateTime.slice(0, 10))).to.deep.equal([
        '2026-12-07',
        '2026-12-28',
        '2027-01-04',
        '2027-01-11',
      ]);
    });

  it('a cancelled occurrence stays cancelled in Outlook when the CRM edits another part of the series (issue 13, point 6)', async () => {
    const o = await outlook();
    const h = new Harness();
    const series = contractSeries(600);
    const id = h.stores.crm.activity.insert(series);
    await syncWith(h, o.store);
    const starts = async () => {
      const value = await o.http.allPages(
        await o.http.get<{ value: GraphEvent[] }>(
          `/me/events/${o.events()[0]!.id}/instances?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-04-01T00:00:00Z`,
        ),
      );
      return value.map((x) => x.originalStart!.slice(0, 10));
    };
    expect(await starts()).to.not.include('2026-11-16');
    // The CRM cancels another occurrence…
    const rec = series.recurrence!;
    const more = {
      ...series,
      recurrence: {
        ...rec,
        exceptionDates: [...rec.exceptionDates, { dateTime: '2026-11-30T09:00:00', timeZone: 'Europe/Berlin' }],
      },
    };
    h.stores.crm.activity.write(id, more);
    expect((await syncWith(h, o.store)).errors).to.deep.equal([]);
    expect(await starts()).to.not.include.members(['2026-11-16']);
    expect(await starts()).to.not.include('2026-11-30');
    // …then renames the moved occurrence.
    const renamed = {
      ...more,
      recurrence: {
        ...more.recurrence,
        overrides: more.recurrence.overrides.map((x) => ({
          ...x,
          fields: { ...x.fields, subject: 'Pipeline review (Tuesday, room 2)' },
        })),
      },
    };
    h.stores.crm.activity.write(id, renamed);
    expect((await syncWith(h, o.store)).errors).to.deep.equal([]);
    const after = await starts();
    expect(after).to.not.include('2026-11-16');
    expect(after).to.not.include('2026-11-30');
    expect(after).to.have.length(series.recurrence!.rule.count! - 2);
    expect((await syncWith(h, o.store)).plan.actions).to.deep.equal([]);
  });

  it('private items are read and left out by the planner, which says so (the store takes no sync flag)', async () => {
    const o = await outlook();
    for (const [subject, sensitivity] of [
      ['Doctor', 'private'],
      ['Customer lunch', 'normal'],
    ])
      await o.http.request('POST', `/me/calendars/${o.calendar}/events`, {
        subject,
        sensitivity,
        start: { dateTime: '2026-11-30T12:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-11-30T13:00:00', timeZone: 'W. Europe Standard Time' },
      });
    // The emulator's /me/events is the default calendar's (what the README's curl example lists).
    const listed = await o.http.get<{ value: { subject: string }[] }>('/me/events');
    expect(listed.value.map((e) => e.subject).sort()).to.deep.equal(['Customer lunch', 'Doctor']);
    const read = await o.store.changesSince(null, { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 31) });
    // The store hands everything over: were it to drop private events, nothing would log them (point 15).
    expect(read.changed.map((s) => s.item.subject).sort()).to.deep.equal(['Customer lunch', 'Doctor']);
    const h = new Harness();
    const report = await syncWith(h, o.store);
    expect(report.notSynchronized.map((g) => [g.reason.code, g.subjects])).to.deep.equal([
      ['skip-private', ['Doctor']],
    ]);
    expect(h.stores.crm.activity.all().map((s) => s.item.subject)).to.deep.equal(['Customer lunch']);
  });

  describe('"send update to attendees"', () => {
    const mail = (mailbox: string) => emulator.mailbox(mailbox).state.sent ?? [];
    const later = (a: Activity, hours: number): Activity => {
      const move = (t: Activity['start']) =>
        'date' in t
          ? t
          : {
              ...t,
              dateTime: t.dateTime.replace(
                /T(\d\d)/,
                (_, h: string) => `T${String(Number(h) + hours).padStart(2, '0')}`,
              ),
            };
      return { ...a, start: move(a.start), end: move(a.end) };
    };

    it('off (the default): CRM attendees are kept without inviting them, and come back unchanged', async () => {
      const o = await outlook();
      const h = new Harness();
      const id = h.stores.crm.activity.insert(contractActivity(300));
      expect((await syncWith(h, o.store)).errors).to.deep.equal([]);
      const [event] = o.events();
      expect(event!.fields.attendees, 'no Outlook attendee, so no invitation').to.equal(undefined);
      expect(mail(o.mailbox)).to.deep.equal([]);
      expect((await syncWith(h, o.store)).plan.actions, 'the attendees read back equal the CRM ones').to.deep.equal([]);
      h.stores.crm.activity.write(id, later(h.stores.crm.activity.get(id) as Activity, 1));
      const moved = await syncWith(h, o.store);
      expect(moved.errors).to.deep.equal([]);
      expect(moved.written.outlook.updated).to.equal(1);
      expect(mail(o.mailbox), 'nobody was told').to.deep.equal([]);
    });

    it('on: creating invites, a real change updates, an unchanged run mails nobody', async () => {
      const o = await outlook({ notifyAttendees: true });
      const h = new Harness();
      const id = h.stores.crm.activity.insert(contractActivity(301));
      await syncWith(h, o.store);
      expect(mail(o.mailbox).map((m) => [m.kind, m.to])).to.deep.equal([['invitation', ['jane.roe@acme.example']]]);
      expect((await syncWith(h, o.store)).plan.actions).to.deep.equal([]);
      h.stores.crm.activity.write(id, later(h.stores.crm.activity.get(id) as Activity, 2));
      expect((await syncWith(h, o.store)).errors).to.deep.equal([]);
      expect(mail(o.mailbox).map((m) => m.kind)).to.deep.equal(['invitation', 'update']);
      await syncWith(h, o.store);
      expect(mail(o.mailbox)).to.have.length(2);
    });

    /** A meeting the user organizes in Outlook (invitation sent from Outlook), synced to the CRM. */
    async function organizedMeeting() {
      const o = await outlook();
      await o.http.request('POST', `/me/calendars/${o.calendar}/events`, {
        subject: 'Pipeline review',
        start: { dateTime: '2026-11-30T09:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-11-30T10:00:00', timeZone: 'W. Europe Standard Time' },
        attendees: [{ type: 'required', emailAddress: { address: 'jane.roe@acme.example', name: 'Jane Roe' } }],
      });
      const h = new Harness();
      h.stores.crm.activity.insert(contractActivity(302)); // so that a deletion does not empty the CRM side
      await syncWith(h, o.store);
      const row = h.stores.crm.activity.all().find((r) => r.item.subject === 'Pipeline review')!;
      const meeting = () => o.events().find((e) => e.fields.subject === 'Pipeline review');
      return { o, h, row, meeting, invited: mail(o.mailbox).length };
    }

    it('off: a meeting the user organizes takes personal changes silently and refuses the others', async () => {
      const { o, h, row, meeting, invited } = await organizedMeeting();
      const crm = row.item as Activity;
      expect(crm.attendees.map((a) => a.email)).to.deep.equal(['jane.roe@acme.example']);

      h.stores.crm.activity.write(row.id, { ...crm, categories: ['CRM', 'Key account'], reminderMinutes: 30 });
      const personal = await syncWith(h, o.store);
      expect(personal.errors).to.deep.equal([]);
      expect(meeting()!.fields.categories).to.deep.equal(['CRM', 'Key account']);
      expect(mail(o.mailbox), 'categories and reminder are the organizer’s own').to.have.length(invited);

      const before = JSON.stringify(meeting()!.fields.start);
      h.stores.crm.activity.write(row.id, later(h.stores.crm.activity.get(row.id) as Activity, 1));
      const moved = await syncWith(h, o.store);
      expect(moved.errors.map((e) => e.error).join()).to.match(/AttendeeUpdateRefused.*Send update to attendees/);
      expect(JSON.stringify(meeting()!.fields.start), 'Outlook unchanged').to.equal(before);
      expect(mail(o.mailbox)).to.have.length(invited);
    });

    it('off: deleting in the CRM a meeting the user organizes is refused, no cancellation goes out', async () => {
      const { o, h, row, meeting, invited } = await organizedMeeting();
      h.stores.crm.activity.remove(row.id);
      const removed = await syncWith(h, o.store);
      expect(removed.errors.map((e) => e.error).join()).to.match(/AttendeeUpdateRefused.*not deleted in Outlook/);
      expect(meeting(), 'still in Outlook').to.not.equal(undefined);
      expect(mail(o.mailbox)).to.have.length(invited);
    });
  });

  it('an item Outlook cannot express is marked "cannot be synchronized" once and tried again only when it changes (issue 13, point 14)', async () => {
    const o = await outlook();
    const h = new Harness();
    h.stores.crm.activity.insert(contractActivity(1));
    const lastDay = {
      ...contractActivity(2, { subject: 'Month-end closing' }),
      recurrence: {
        rule: { freq: 'MONTHLY' as const, interval: 1, byMonthDay: [-1] },
        exceptionDates: [],
        extraDates: [],
        overrides: [],
      },
    };
    const id = h.stores.crm.activity.insert(lastDay);
    const first = await syncWith(h, o.store);
    expect(first.errors.map((e) => e.subject)).to.deep.equal(['Month-end closing']);
    const refusals = () => h.log.entries.filter((e) => e.message.startsWith('cannot be synchronized'));
    expect(refusals()).to.have.length(1);
    expect(refusals()[0]!.message).to.match(/negative BYMONTHDAY/);
    // Later runs neither write nor log it again, and a full read of the period does not either.
    for (let i = 0; i < 3; i++) {
      h.now += 86_400_000;
      const again = await syncWith(h, o.store);
      expect(again.errors).to.deep.equal([]);
    }
    h.state.state = {
      ...h.state.state,
      tokens: { ...h.state.state.tokens, 'outlook:activity': '', 'crm:activity': '' },
    };
    expect((await syncWith(h, o.store)).errors).to.deep.equal([]);
    expect(refusals()).to.have.length(1);
    expect(o.events().map((e) => e.fields.subject)).to.not.include('Month-end closing');
    // Changed in the CRM to a rule Outlook knows: it crosses.
    h.stores.crm.activity.write(id, {
      ...lastDay,
      recurrence: { ...lastDay.recurrence, rule: { freq: 'MONTHLY', interval: 1, byMonthDay: [28] } },
    });
    const fixed = await syncWith(h, o.store);
    expect(fixed.errors).to.deep.equal([]);
    expect(fixed.written.outlook.created).to.equal(1);
  });

  it('a mailbox empty at the first delta still reports later deletions (issue 13, point 16)', async () => {
    // The emulator's first deltaLink of an empty mailbox pointed at position 0, and a round from
    // position 0 was taken for a first read without @removed entries: the deletion was lost.
    const o = await outlook();
    const window = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2027, 5, 1) };
    const first = await o.store.changesSince(null, window);
    expect(first.changed).to.deep.equal([]);
    const created = await o.store.create(contractActivity(1), 'uid:empty-first');
    const second = await o.store.changesSince(first.token, window);
    expect(second.changed.map((c) => c.id)).to.deep.equal([created.id]);
    const current = (await o.store.getMany([created.id])).get(created.id)!;
    await o.store.delete(created.id, current.version);
    const third = await o.store.changesSince(second.token, window);
    expect(third.removed).to.deep.equal([created.id]);
    // …and against the token of the empty first round too (two devices, one of them idle).
    const fromEmpty = await o.store.changesSince(first.token, window);
    expect(fromEmpty.changed).to.deep.equal([]);
    expect(fromEmpty.removed).to.deep.equal([created.id]);
  });

  it('the read after a run’s own writes does not read them again (no echo); another client’s edit is read', async () => {
    const { store, http, mailbox } = await outlook();
    await expectNoEcho(
      store,
      http,
      (n) => contractActivity(600 + n),
      (id) => emulator.mailbox(mailbox).updateEvent(id, { subject: 'Edited elsewhere' }),
    );
  });

  it('a first sync sends its creations in $batch with one key listing and no read back; what they return is what a read gives (issue 17)', async () => {
    const o = await outlook();
    const h = new Harness();
    const n = 2 * WRITES_AT_ONCE + 5;
    for (let i = 0; i < n; i++) h.stores.crm.activity.insert(contractActivity(700 + i));
    // A copy made earlier (its key: the CRM id), moved out of the period: the listing still finds it.
    const away = contractActivity(700);
    await o.http.request('POST', `/me/calendars/${o.calendar}/events`, {
      subject: 'Made by an interrupted run, moved away since',
      start: { dateTime: '2031-01-06T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2031-01-06T10:00:00', timeZone: 'UTC' },
      singleValueExtendedProperties: [{ id: PROP.key, value: `crm:${away.crm!.activityId}` }],
    });
    const at = o.http.stats().requests;
    const r = await syncWith(h, o.store);
    const requests = o.http.stats().requests - at;
    expect(r.written.outlook.created + r.written.outlook.updated).to.equal(n);
    expect(o.events(), 'the moved copy is updated, not duplicated').to.have.length(n);
    // One delta page, the first creations looked up one by one, one listing, a $batch per chunk (the
    // creations looked up one by one may go in batches of their own), and for the copy found by its key
    // its update: two reads (the store's lookup, the engine's for the history), the PATCH, a read back.
    // Per item it was 3 requests.
    const copy = 4;
    expect(requests, `${requests} requests for ${n} creations`).to.be.at.most(
      1 + KEY_LOOKUPS_ONE_BY_ONE + 1 + Math.ceil(n / WRITES_AT_ONCE) + KEY_LOOKUPS_ONE_BY_ONE + copy,
    );
    // The versions and contents the run kept are those a read gives: nothing reads as changed later.
    const rows = (await h.state.load()).rows;
    const read = await new GraphEventStore(o.http, o.calendar, { pageSize: 50 }).changesSince(null, {
      from: Date.UTC(2020, 0, 1),
      to: Date.UTC(2032, 0, 1),
    });
    expect(read.changed).to.have.length(n);
    for (const s of read.changed) {
      const row = rows.find((x) => x.outlook?.id === s.id)!;
      expect([row.outlook!.version, row.outlook!.hash], s.item.subject).to.deep.equal([s.version, contentHash(s.item)]);
    }
    expect((await syncWith(h, o.store)).plan.actions).to.deep.equal([]);
  });

  it('To Do: a first sync sends its creations in $batch and reads the list once for their keys; a task made before is found, not duplicated (issue 17)', async () => {
    const { http, mailbox } = await outlook();
    const { value } = await http.get<{ value: { id: string }[] }>('/me/todo/lists');
    const list = value[0]!.id;
    const store = new GraphTaskStore(http, list, { pageSize: 50 });
    const h = new Harness();
    const n = 2 * WRITES_AT_ONCE + 5;
    for (let i = 0; i < n; i++) h.stores.crm.task.insert(contractTask(800 + i));
    // A copy made earlier by an interrupted run (the same CRM id): found by its key, not made again.
    const early = contractTask(800 + n - 1);
    await store.create(early, pairKeyOf(early));
    const tasks = () => Object.values(emulator.mailbox(mailbox).state.tasks);
    const at = http.stats().requests;
    const r = await runSync(
      { ...h.deps(), stores: { outlook: { task: store }, crm: { task: h.stores.crm.task } } },
      profile({ sync: { itemTypes: 'tasks' } }),
    );
    const requests = http.stats().requests - at;
    expect(r.errors).to.deep.equal([]);
    expect(tasks(), 'one task each, the early copy included').to.have.length(n);
    // One delta page and a $batch to read it, the first lookups reading the list (one page each), one
    // listing for the rest, then per chunk a $batch of creations and one of their read-backs; the early
    // copy: its read for the history, the update's PATCHes and read-back. Per task it was a read of the
    // whole list, the POST and a read back.
    const chunks = Math.ceil(n / WRITES_AT_ONCE);
    expect(requests, `${requests} requests for ${n} tasks`).to.be.at.most(
      2 + TASK_LOOKUPS_ONE_BY_ONE + 1 + 2 * chunks + TASK_LOOKUPS_ONE_BY_ONE + 4,
    );
    expect(
      (
        await runSync(
          { ...h.deps(), stores: { outlook: { task: store }, crm: { task: h.stores.crm.task } } },
          profile({ sync: { itemTypes: 'tasks' } }),
        )
      ).plan.actions,
    ).to.deep.equal([]);
  });

  it('To Do: the read after a run’s own writes does not read them again (no echo); another client’s edit is read', async () => {
    const { http, mailbox } = await outlook();
    const { value } = await http.get<{ value: { id: string }[] }>('/me/todo/lists');
    await expectNoEcho(
      new GraphTaskStore(http, value[0]!.id, { pageSize: 3 }),
      http,
      (n) => contractTask(900 + n),
      (id) => emulator.mailbox(mailbox).updateTask(value[0]!.id, id, { title: 'Edited elsewhere' }),
    );
  });

  it('lists the calendars and To Do lists for the folder pickers, default first, following nextLink', async () => {
    const o = await outlook();
    await o.http.request('POST', '/me/calendars', { name: 'CRM visits' });
    await o.http.request('POST', '/me/calendars', { name: 'Archive' });
    await o.http.request('POST', '/me/todo/lists', { displayName: 'CRM tasks' });
    const folders = await listFolders(o.http);
    expect(folders.calendars.map((c) => [c.name, c.isDefault, c.canWrite])).to.deep.equal([
      ['Calendar', true, true],
      ['Archive', false, true],
      ['CRM visits', false, true],
    ]);
    expect(folders.taskLists.map((l) => [l.name, l.isDefault])).to.deep.equal([
      ['Tasks', true],
      ['CRM tasks', false],
    ]);

    // Graph pages long collections: every page is read.
    const pages: Record<string, unknown> = {
      '/me/calendars': {
        value: [{ id: 'a', name: 'Shared by Jane', isDefaultCalendar: false, canEdit: false }],
        '@odata.nextLink': 'https://graph.test/v1.0/me/calendars?$skip=1',
      },
      '/me/calendars?$skip=1': { value: [{ id: 'b', name: 'Calendar', isDefaultCalendar: true, canEdit: true }] },
      '/me/todo/lists': { value: [] },
    };
    const paged = new GraphHttp({
      baseUrl: 'https://graph.test/v1.0',
      token: async () => 'dev:x',
      fetch: async (url) => {
        const u = new URL(String(url));
        const key = u.pathname.replace('/v1.0', '') + (u.searchParams.has('$skip') ? '?$skip=1' : '');
        return new Response(JSON.stringify(pages[key]), { status: 200 });
      },
    });
    const read = await listFolders(paged);
    expect(read.calendars.map((c) => [c.id, c.canWrite])).to.deep.equal([
      ['b', true],
      ['a', false],
    ]);
  });
});
