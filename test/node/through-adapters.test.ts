// Issue 13's regression tests through the real adapters: the engine with the CalDAV store on the
// reference gateway (SQLite) and the Graph store on the emulator. The CRM items are iCalendar text
// written here by hand (not by this project's generator), PUT as a CRM mobile client would.
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import ICAL from 'ical.js';
import { hashPassword } from '../../gateway/src/auth.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import { openCalDavStores } from '../../src/adapters/caldav/discover.js';
import type { CalDavStore } from '../../src/adapters/caldav/caldav-store.js';
import type { GraphEvent } from '../../src/adapters/graph/graph-event-types.js';
import { GraphEventStore, type GraphEventStoreOptions } from '../../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../../src/adapters/graph/graph-http.js';
import { GraphTaskStore } from '../../src/adapters/graph/graph-task-store.js';
import { customPropertiesId, PROP } from '../../src/adapters/graph/graph-event-types.js';
import { CRM_CONTEXT_PROPERTY } from '../../src/adapters/office/crm-custom-properties.js';
import type { Profile } from '../../src/core/profile/profile.js';
import type { StorePort } from '../../src/core/ports/store.js';
import { runSync, type RunOptions, type SyncDeps } from '../../src/core/sync/engine.js';
import { FolderChangedError } from '../../src/core/errors.js';
import { dieAtCommit, Harness } from '../core/support/harness.js';
import { profile } from '../core/support/plan-fixtures.js';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';
import { basic, BERLIN_VTIMEZONE } from './support/gateway.js';
import { WRITES_AT_ONCE } from '../../src/core/sync/chunks.js';

const dir = mkdtempSync(join(tmpdir(), 'crm-through-'));
let gw: RunningGateway;
let db: SqliteStore;
let emulator: RunningGraphEmulator;
before(async () => {
  db = new SqliteStore(join(dir, 'g.sqlite'));
  await db.migrate();
  gw = await startGateway({ store: db, port: 0 });
  emulator = await startGraphEmulator({});
});
after(async () => {
  await gw?.close();
  await db?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const activities = profile({ sync: { itemTypes: 'activities' } });
const ADDIN = '5d7e4a35-7a2b-4c1e-9c3a-5a1f2b3c4d5e';

/** A fresh CRM user on the gateway and a fresh mailbox on the emulator, with the engine between them. */
async function pairUp(options: GraphEventStoreOptions = {}, crmFetch?: typeof fetch) {
  const h = new Harness();
  const user = `u${randomUUID().slice(0, 8)}`;
  await db.addUser(user, await hashPassword(`${user}-pw`));
  const crm = (await openCalDavStores(
    gw.url,
    { credentials: { username: user, password: `${user}-pw` }, ...(crmFetch && { fetch: crmFetch }) },
    { clock: h.clock },
  )) as { activity: CalDavStore; task: CalDavStore };
  const mailbox = `m-${randomUUID().slice(0, 8)}`;
  const http = new GraphHttp({ baseUrl: `${emulator.url}/v1.0`, token: async () => `dev:${mailbox}` });
  const { value } = await http.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
  const calendar = value.find((c) => c.isDefaultCalendar)!.id;
  const outlook = new GraphEventStore(http, calendar, { clock: h.clock, addinId: ADDIN, ...options });
  const lists = await http.get<{ value: { id: string }[] }>('/me/todo/lists');
  const todo = new GraphTaskStore(http, lists.value[0]!.id);
  const auth = basic(user, `${user}-pw`);
  const collection = crm.activity.collectionUrl;
  const tasks = crm.task.collectionUrl;
  return {
    h,
    http,
    sync: (p: Profile = activities, calendarStore = outlook) =>
      runSync(
        {
          ...h.deps(),
          stores: {
            outlook: { activity: calendarStore, task: todo },
            crm: { activity: crm.activity, task: crm.task },
          },
        },
        p,
      ),
    /** A run with other Outlook stores (another calendar or To Do list) and run options. */
    run: (
      p: Profile,
      outlookStores: { activity?: StorePort; task?: StorePort },
      options: RunOptions = {},
      storeIn?: SyncDeps['storeIn'],
    ) =>
      runSync(
        {
          ...h.deps(),
          stores: { outlook: outlookStores, crm: { activity: crm.activity, task: crm.task } },
          ...(storeIn && { storeIn }),
        },
        p,
        options,
      ),
    /** The same calendar through a store with other options (another zone for the user, say). */
    reopen: (more: GraphEventStoreOptions) =>
      new GraphEventStore(http, calendar, { clock: h.clock, addinId: ADDIN, ...options, ...more }),
    outlook,
    todo,
    /** PUTs an iCalendar object into the CRM user's activities (or tasks). */
    put: async (name: string, text: string, into = collection) => {
      const r = await fetch(`${into}${name}.ics`, {
        method: 'PUT',
        headers: { Authorization: auth, 'Content-Type': 'text/calendar' },
        body: text,
      });
      expect(r.status, await r.clone().text()).to.be.oneOf([201, 204]);
    },
    /** One CRM object's text. */
    tasks,
    get: async (name: string, from = collection) =>
      (await fetch(`${from}${name}.ics`, { headers: { Authorization: auth } })).text(),
    /** The CRM user's objects, as their text. */
    crmObjects: async () => {
      const list = await crm.activity.changesSince(null, { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) });
      const texts: string[] = [];
      for (const s of list.changed) {
        const r = await fetch(new URL(s.id, collection), { headers: { Authorization: auth } });
        texts.push(await r.text());
      }
      return texts;
    },
    events: () => Object.values(emulator.mailbox(mailbox).state.events),
    instances: async (id: string, from = '2026-01-01T00:00:00Z', to = '2028-12-31T00:00:00Z') =>
      http.allPages(
        await http.get<{ value: GraphEvent[] }>(`/me/events/${id}/instances?startDateTime=${from}&endDateTime=${to}`),
      ),
  };
}

const vtimezone = BERLIN_VTIMEZONE;

const calendar = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//A CRM mobile client//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');

/** Occurrence starts (UTC ISO) of the first VEVENT series in `text`, expanded with ical.js. */
function expand(text: string, limit = 100): string[] {
  const comp = new ICAL.Component(ICAL.parse(text));
  const event = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
  const it = event.iterator();
  const out: string[] = [];
  for (let next = it.next(); next && out.length < limit; next = it.next()) out.push(next.toJSDate().toISOString());
  return out;
}

describe('issue 13 through the real adapters (gateway + Graph emulator)', () => {
  it('point 2: "the last weekday of the month" comes back from an Outlook edit with the CRM rule and all 12 occurrences', async () => {
    const s = await pairUp();
    const rrule = 'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=12';
    await s.put(
      'last-weekday',
      calendar(
        'BEGIN:VEVENT',
        'UID:last-weekday-1',
        'DTSTAMP:20261120T080000Z',
        'DTSTART:20261130T090000Z',
        'DTEND:20261130T100000Z',
        rrule,
        'SUMMARY:Month-end close',
        'END:VEVENT',
      ),
    );
    const before = expand((await s.crmObjects())[0]!);
    expect(before).to.have.length(12);
    expect((await s.sync()).errors).to.deep.equal([]);
    const [master] = s.events();
    expect(
      (await s.instances(master!.id)).map((x) => x.start!.dateTime.slice(0, 10)),
      'Outlook has the same occurrences',
    ).to.deep.equal(before.map((x) => x.slice(0, 10)));
    await s.http.request('PATCH', `/me/events/${master!.id}`, { subject: 'Month-end close (finance)' });
    s.h.now += 3600_000;
    expect((await s.sync()).errors).to.deep.equal([]);
    const text = (await s.crmObjects())[0]!;
    expect(text).to.contain('SUMMARY:Month-end close (finance)');
    expect(text, 'the rule is the CRM one, not BYDAY=-1MO,-1TU,…').to.contain(rrule);
    expect(text).to.not.contain('EXDATE');
    expect(expand(text)).to.deep.equal(before);
    expect((await s.sync()).plan.actions).to.deep.equal([]);
  });

  it('point 1: RANGE=THISANDFUTURE is refused by name, never flattened; neither side is overwritten', async () => {
    const s = await pairUp();
    const master = [
      'BEGIN:VEVENT',
      'UID:weekly-review-1',
      'DTSTAMP:20261120T080000Z',
      'DTSTART;TZID=Europe/Berlin:20261123T090000',
      'DTEND;TZID=Europe/Berlin:20261123T100000',
      'RRULE:FREQ=WEEKLY;COUNT=10',
      'SUMMARY:Weekly review',
      'END:VEVENT',
    ];
    await s.put('weekly-review', calendar(...vtimezone, ...master));
    expect((await s.sync()).errors).to.deep.equal([]);
    expect(s.events()).to.have.length(1);
    const outlookBefore = JSON.stringify(s.events());
    // The CRM moves this and every later occurrence an hour later, from 7 December on.
    const future = calendar(
      ...vtimezone,
      ...master,
      'BEGIN:VEVENT',
      'UID:weekly-review-1',
      'DTSTAMP:20261125T080000Z',
      'RECURRENCE-ID;TZID=Europe/Berlin;RANGE=THISANDFUTURE:20261207T090000',
      'DTSTART;TZID=Europe/Berlin:20261207T100000',
      'DTEND;TZID=Europe/Berlin:20261207T110000',
      'SUMMARY:Weekly review (new time)',
      'END:VEVENT',
    );
    await s.put('weekly-review', future);
    s.h.now += 3600_000;
    const r = await s.sync();
    expect(r.unreadable.map((u) => u.error).join(' ')).to.match(/RANGE=THISANDFUTURE/);
    expect(s.h.log.entries.map((e) => e.message).join('\n')).to.match(/RANGE=THISANDFUTURE.*cannot be synchronized/);
    expect(JSON.stringify(s.events()), 'Outlook keeps the series as it was').to.equal(outlookBefore);
    // An Outlook edit meanwhile does not write over the CRM's series.
    await s.http.request('PATCH', `/me/events/${s.events()[0]!.id}`, { subject: 'Weekly review (Outlook)' });
    s.h.now += 3600_000;
    await s.sync();
    expect(await s.get('weekly-review'), 'the CRM object as the CRM wrote it').to.equal(future);
  });

  it('point 1: a new CRM series with RANGE=THISANDFUTURE is not created in Outlook as a flattened series', async () => {
    const s = await pairUp();
    await s.put(
      'board',
      calendar(
        'BEGIN:VEVENT',
        'UID:board-1',
        'DTSTAMP:20261120T080000Z',
        'DTSTART:20261124T150000Z',
        'DTEND:20261124T160000Z',
        'RRULE:FREQ=WEEKLY;COUNT=6',
        'SUMMARY:Board',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:board-1',
        'DTSTAMP:20261120T080000Z',
        'RECURRENCE-ID;RANGE=THISANDFUTURE:20261208T150000Z',
        'DTSTART:20261208T140000Z',
        'DTEND:20261208T150000Z',
        'SUMMARY:Board (earlier)',
        'END:VEVENT',
      ),
    );
    const r = await s.sync();
    expect(r.unreadable).to.have.length(1);
    expect(s.events()).to.deep.equal([]);
  });

  it('point 8: a CRM context without an activity id reaches Outlook (SAP CRM pane) and comes back, for a meeting and a task', async () => {
    const s = await pairUp();
    const bp = 'X-SAPCRM-BUSINESS-PARTNER;X-SAPCRM-ID=1000042:ACME Corp';
    const opp = 'X-SAPCRM-OPPORTUNITY;X-SAPCRM-ID=0000815:Fleet renewal 2027';
    await s.put(
      'meeting',
      calendar(
        'BEGIN:VEVENT',
        'UID:meeting-ctx-1',
        'DTSTAMP:20261120T080000Z',
        'DTSTART:20261201T090000Z',
        'DTEND:20261201T100000Z',
        'SUMMARY:Fleet workshop',
        bp,
        opp,
        'END:VEVENT',
      ),
    );
    await s.put(
      'task',
      calendar(
        'BEGIN:VTODO',
        'UID:task-ctx-1',
        'DTSTAMP:20261120T080000Z',
        'DUE;VALUE=DATE:20261204',
        'SUMMARY:Send offer',
        bp,
        'END:VTODO',
      ),
      s.tasks,
    );
    expect((await s.sync(profile())).errors).to.deep.equal([]);
    const [event] = s.events();
    const props = (
      await s.http.get<GraphEvent>(
        `/me/events/${event!.id}?$expand=singleValueExtendedProperties($filter=id eq '${customPropertiesId(ADDIN)}' or id eq '${PROP.context}')`,
      )
    ).singleValueExtendedProperties!;
    const pane = JSON.parse(props.find((p) => p.id.toLowerCase() === customPropertiesId(ADDIN).toLowerCase())!.value);
    expect(JSON.parse(pane[CRM_CONTEXT_PROPERTY]), 'what the SAP CRM pane reads').to.deep.equal({
      businessPartner: { id: '1000042', label: 'ACME Corp' },
      opportunity: { id: '0000815', label: 'Fleet renewal 2027' },
    });
    const read = await s.todo.changesSince(null, { from: Date.UTC(2026, 0, 1), to: Date.UTC(2028, 0, 1) });
    expect(read.changed.map((t) => t.item.crm)).to.deep.equal([
      { businessPartner: { id: '1000042', label: 'ACME Corp' } },
    ]);
    // Edited in Outlook, both come back to the CRM with their context.
    await s.http.request('PATCH', `/me/events/${event!.id}`, { subject: 'Fleet workshop (room 4)' });
    const [todoTask] = read.changed;
    await s.http.request('PATCH', `/me/todo/lists/${s.todo.listId}/tasks/${todoTask!.id}`, { title: 'Send the offer' });
    s.h.now += 3600_000;
    expect((await s.sync(profile())).errors).to.deep.equal([]);
    const meeting = await s.get('meeting');
    expect(meeting).to.contain('SUMMARY:Fleet workshop (room 4)').and.contain(bp).and.contain(opp);
    expect(meeting).to.not.contain('X-SAPCRM-ACTIVITY-ID');
    const task = await s.get('task', s.tasks);
    expect(task).to.contain('SUMMARY:Send the offer').and.contain(bp);
    expect((await s.sync(profile())).plan.actions).to.deep.equal([]);
  });

  it("point 7: floating times are the user's own zone in Outlook, come back floating, and a change of zone moves nothing", async () => {
    const s = await pairUp({ floatingZone: 'Europe/Berlin' });
    await s.put(
      'floating',
      calendar(
        'BEGIN:VEVENT',
        'UID:floating-1',
        'DTSTAMP:20261120T080000Z',
        'DTSTART:20261201T090000',
        'DTEND:20261201T100000',
        'RRULE:FREQ=WEEKLY;COUNT=4',
        'EXDATE:20261208T090000',
        'SUMMARY:Stand-up',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:floating-1',
        'DTSTAMP:20261120T080000Z',
        'RECURRENCE-ID:20261215T090000',
        'DTSTART:20261215T110000',
        'DTEND:20261215T120000',
        'SUMMARY:Stand-up (late)',
        'END:VEVENT',
      ),
    );
    expect((await s.sync()).errors).to.deep.equal([]);
    const [master] = s.events();
    const starts = (await s.instances(master!.id)).map((x) => [x.start!.dateTime.slice(0, 16), x.subject]);
    expect(starts, 'at 09:00 and 11:00 Berlin (UTC+1), one cancelled').to.deep.equal([
      ['2026-12-01T08:00', 'Stand-up'],
      ['2026-12-15T10:00', 'Stand-up (late)'],
      ['2026-12-22T08:00', 'Stand-up'],
    ]);
    await s.http.request('PATCH', `/me/events/${master!.id}`, { subject: 'Daily stand-up' });
    s.h.now += 3600_000;
    expect((await s.sync()).errors).to.deep.equal([]);
    const text = await s.get('floating');
    expect(text).to.contain('SUMMARY:Daily stand-up');
    for (const line of [
      'DTSTART:20261201T090000\r\n',
      'EXDATE:20261208T090000\r\n',
      'RECURRENCE-ID:20261215T090000\r\n',
    ])
      expect(text, 'still floating').to.contain(line);
    expect((await s.sync()).plan.actions).to.deep.equal([]);
    // The user moves to New York: what is in Outlook stays where it was written, nothing is rewritten.
    const newYork = s.reopen({ floatingZone: 'America/New_York' });
    s.h.now += 3600_000;
    const r = await s.sync(activities, newYork);
    expect(r.errors).to.deep.equal([]);
    expect(r.plan.actions).to.deep.equal([]);
  });

  it('point 13: a gateway lost mid-run is one error, the rest waits with its next try, and the run that writes them counts them', async () => {
    // A gateway of its own on the shared database, closed after the first chunk of creations (the
    // writes go WRITES_AT_ONCE at a time) and started again: the next chunk fails, the rest waits.
    const W = WRITES_AT_ONCE;
    const n = 2 * W + 10;
    let own = await startGateway({ store: db, port: 0 });
    const port = Number(new URL(own.url).port);
    const h = new Harness();
    const user = `u${randomUUID().slice(0, 8)}`;
    await db.addUser(user, await hashPassword(`${user}-pw`));
    let puts = 0;
    const crm = (await openCalDavStores(
      own.url,
      {
        credentials: { username: user, password: `${user}-pw` },
        fetch: async (input, init) => {
          const r = await fetch(input, init);
          if (init?.method === 'PUT' && ++puts === W) await own.close();
          return r;
        },
      },
      { clock: h.clock },
    )) as { activity: CalDavStore };
    const mailbox = `m-${randomUUID().slice(0, 8)}`;
    const http = new GraphHttp({ baseUrl: `${emulator.url}/v1.0`, token: async () => `dev:${mailbox}` });
    const { value } = await http.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
    const calendarId = value.find((c) => c.isDefaultCalendar)!.id;
    for (let i = 0; i < n; i++)
      await http.request('POST', `/me/calendars/${calendarId}/events`, {
        subject: `Visit ${i}`,
        start: { dateTime: `2026-12-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00`, timeZone: 'UTC' },
        end: { dateTime: `2026-12-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00`, timeZone: 'UTC' },
      });
    const outlook = new GraphEventStore(http, calendarId, { clock: h.clock });
    const sync = () =>
      runSync({ ...h.deps(), stores: { outlook: { activity: outlook }, crm: { activity: crm.activity } } }, activities);

    const first = await sync();
    expect(first.written.crm.created).to.equal(W);
    expect(first.errorGroups, `one error, not ${W}`).to.have.length(1);
    expect(first.errorGroups[0]).to.deep.include({ side: 'crm', count: W });
    expect(first.errorGroups[0]!.error).to.match(/UnreachableError: cannot reach the CRM gateway/);
    expect(first.waiting).to.have.length(1);
    expect(first.waiting[0]).to.deep.include({ cause: 'unreachable', side: 'crm', count: 10 });
    expect(first.waiting[0]!.retryAt).to.be.above(h.now);
    const lines = h.log.entries.filter((e) => e.level !== 'info');
    expect(lines.map((e) => e.message)).to.have.length(2);
    expect(lines[1]!.message).to.match(/^10 items: waits: .*cannot reach the CRM gateway.*; next try at 2026-/);
    expect(lines[1]).to.deep.include({ code: 'wait-unreachable' });
    expect(lines[1]!.error?.code, 'the pane translates the error behind the line').to.equal('unreachable');
    expect(lines[1]!.params).to.deep.include({ items: 10, side: 'crm', retryAt: first.waiting[0]!.retryAt! });

    own = await startGateway({ store: db, port });
    h.now += 10_000;
    const soon = await sync();
    expect(soon.written.crm).to.deep.equal({ created: 0, updated: 0, deleted: 0 });
    expect(soon.deferred).to.equal(W + 10);
    expect(soon.waiting.map((w) => [w.cause, w.count])).to.deep.equal([['backoff', W + 10]]);
    expect(soon.waiting[0]!.retryAt).to.be.above(h.now);

    h.now += 5 * 60_000;
    const later = await sync();
    expect(later.written.crm.created, 'what recovery and the plan wrote, together').to.equal(W + 10);
    expect(later.errors).to.deep.equal([]);
    expect(later.waiting).to.deep.equal([]);
    const all = await crm.activity.changesSince(null, { from: Date.UTC(2026, 0, 1), to: Date.UTC(2028, 0, 1) });
    expect(new Set(all.changed.map((x) => x.item.subject)).size).to.equal(n);
    expect(all.changed).to.have.length(n);
    expect((await sync()).plan.actions).to.deep.equal([]);
    await own.close();
  });

  it('point 15: every item the settings keep out is in the log by its key, one line per reason, each run', async () => {
    const s = await pairUp();
    const day = (n: number) => `2026-12-${String(1 + n).padStart(2, '0')}`;
    for (let n = 0; n < 12; n++)
      await s.http.request('POST', `/me/events`, {
        subject: `Outlook ${n}`,
        sensitivity: n % 3 === 0 ? 'private' : 'normal',
        start: { dateTime: `${day(n)}T09:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${day(n)}T10:00:00`, timeZone: 'UTC' },
      });
    const crmItem = (n: number, app: string) =>
      calendar(
        'BEGIN:VEVENT',
        `UID:crm-${n}`,
        'DTSTAMP:20261120T080000Z',
        `DTSTART:${day(n).replaceAll('-', '')}T140000Z`,
        `DTEND:${day(n).replaceAll('-', '')}T150000Z`,
        `SUMMARY:CRM ${n}`,
        `X-SAPCRM-ACTIVITY-ID:00000${500 + n}`,
        `X-SAPCRM-APPLICATION:${app}`,
        'END:VEVENT',
      );
    for (let n = 0; n < 10; n++) await s.put(`crm-${n}`, crmItem(n, n < 3 ? 'SERVICE' : 'SALES'));
    const salesOnly = profile({ sync: { itemTypes: 'activities' }, automatic: { mobileSales: true } });
    const notSynced = (from: number) =>
      s.h.log.entries
        .filter((e) => e.at >= from && e.pairKeys)
        .map((e) => [e.level, e.message.replace(/ \(.*/, ''), [...e.pairKeys!].sort()]);
    const first = await s.sync(salesOnly);
    expect(first.errors).to.deep.equal([]);
    expect(first.unaccounted).to.deep.equal([]);
    expect(first.written).to.deep.include({
      outlook: { created: 7, updated: 0, deleted: 0 },
      crm: { created: 8, updated: 0, deleted: 0 },
    });
    const privateKeys = first.notSynchronized.find((g) => g.reason.code === 'skip-private')!.pairKeys;
    expect(privateKeys).to.have.length(4);
    expect(notSynced(first.startedAt)).to.deep.equal([
      ['info', '4 items: private item: not synchronized', [...privateKeys].sort()],
      [
        'info',
        '3 items: activity of a CRM application that is not synchronized',
        ['crm:00000500', 'crm:00000501', 'crm:00000502'],
      ],
    ]);
    // One way from Outlook: a new CRM item and a CRM edit of a synchronized one do not cross — and say so.
    const oneWay = profile({
      sync: { itemTypes: 'activities', direction: 'outlook-to-crm' },
      automatic: { mobileSales: true },
    });
    await s.put('crm-20', crmItem(20, 'SALES'));
    await s.put('crm-5', crmItem(5, 'SALES').replace('SUMMARY:CRM 5', 'SUMMARY:CRM 5 (moved room)'));
    s.h.now += 3600_000;
    const second = await s.sync(oneWay);
    expect(second.unaccounted).to.deep.equal([]);
    expect(second.written.outlook).to.deep.equal({ created: 0, updated: 0, deleted: 0 });
    const lines = notSynced(second.startedAt);
    expect(lines.find((l) => String(l[1]).includes('direction'))).to.deep.equal([
      'info',
      '2 items: not synchronized in this direction',
      ['crm:00000505', 'crm:00000520'],
    ]);
    // The held change is read and said again in every run until it may cross; then it crosses.
    s.h.now += 3600_000;
    const third = await s.sync(oneWay);
    expect(notSynced(third.startedAt).find((l) => String(l[1]).includes('direction'))?.[2]).to.deep.equal([
      'crm:00000505',
    ]);
    s.h.now += 3600_000;
    const both = await s.sync(salesOnly);
    expect(both.unaccounted).to.deep.equal([]);
    const { value } = await s.http.get<{ value: GraphEvent[] }>('/me/events?$top=100&$select=subject');
    expect(value.map((e) => e.subject))
      .to.include('CRM 5 (moved room)')
      .and.include('CRM 20');
  });

  it('point 10: another calendar and To Do list: asked first; moved in Graph, a meeting with attendees stays and stays synchronized', async () => {
    const s = await pairUp();
    const both = profile({ sync: { itemTypes: 'both' } });
    const at = (d: number, h: number) => ({
      dateTime: `2026-12-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00`,
      timeZone: 'UTC',
    });
    await s.http.request('POST', '/me/events', { subject: 'Plain visit', start: at(3, 9), end: at(3, 10) });
    await s.http.request('POST', '/me/events', {
      subject: 'Team meeting',
      start: at(4, 9),
      end: at(4, 10),
      attendees: [{ emailAddress: { address: 'jane.roe@acme.example', name: 'Jane Roe' }, type: 'required' }],
    });
    await s.put(
      'crm-visit',
      calendar(
        'BEGIN:VEVENT',
        'UID:crm-visit-1',
        'DTSTAMP:20261120T080000Z',
        'DTSTART:20261207T090000Z',
        'DTEND:20261207T100000Z',
        'SUMMARY:CRM visit',
        'X-SAPCRM-ACTIVITY-ID:0000700001',
        'END:VEVENT',
      ),
    );
    await s.put(
      'crm-task',
      calendar(
        'BEGIN:VTODO',
        'UID:crm-task-1',
        'DTSTAMP:20261120T080000Z',
        'DUE;VALUE=DATE:20261210',
        'SUMMARY:Send offer',
        'END:VTODO',
      ),
      s.tasks,
    );
    expect((await s.sync(both)).errors).to.deep.equal([]);
    const crmBefore = await s.crmObjects();

    const calendarB = (await s.http.request<{ id: string }>('POST', '/me/calendars', { name: 'Customer visits' })).body
      .id;
    const listB = (await s.http.request<{ id: string }>('POST', '/me/todo/lists', { displayName: 'CRM tasks' })).body
      .id;
    const stores = {
      activity: new GraphEventStore(s.http, calendarB, { clock: s.h.clock, addinId: ADDIN }),
      task: new GraphTaskStore(s.http, listB),
    };
    const storeIn: SyncDeps['storeIn'] = (_side, kind, folder) =>
      kind === 'activity'
        ? new GraphEventStore(s.http, folder, { clock: s.h.clock, addinId: ADDIN })
        : new GraphTaskStore(s.http, folder);
    const asked = await s.run(both, stores, {}, storeIn).catch((e: unknown) => e);
    expect(asked).to.be.instanceOf(FolderChangedError);
    expect((asked as FolderChangedError).changes.map((c) => [c.kind, c.to, c.pairs])).to.deep.equal([
      ['activity', calendarB, 3],
      ['task', listB, 1],
    ]);
    expect(await s.crmObjects(), 'nothing written while asking').to.deep.equal(crmBefore);

    const r = await s.run(both, stores, { folderChange: 'move' }, storeIn);
    expect(r.errors).to.deep.equal([]);
    const subjectsIn = async (path: string) =>
      (await s.http.get<{ value: { subject?: string; title?: string }[] }>(path)).value
        .map((x) => x.subject ?? x.title)
        .sort();
    const defaultCalendar = (
      await s.http.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars')
    ).value.find((c) => c.isDefaultCalendar)!.id;
    expect(await subjectsIn(`/me/calendars/${defaultCalendar}/events`), 'only the meeting stays').to.deep.equal([
      'Team meeting',
    ]);
    expect(await subjectsIn(`/me/calendars/${calendarB}/events`)).to.deep.equal(['CRM visit', 'Plain visit']);
    expect(await subjectsIn(`/me/todo/lists/${s.todo.listId}/tasks`)).to.deep.equal([]);
    expect(await subjectsIn(`/me/todo/lists/${listB}/tasks`)).to.deep.equal(['Send offer']);
    expect(await s.crmObjects(), 'the CRM is not changed by a move').to.deep.equal(crmBefore);
    expect(s.h.log.entries.map((e) => e.message).join('\n')).to.match(
      /1 item\(s\) stay in the calendar .* and stay synchronized there: a meeting with 1 attendee/,
    );
    expect((await s.run(both, stores, {}, storeIn)).plan.actions).to.deep.equal([]);

    // The meeting that stayed is still read: an Outlook edit of it reaches the CRM.
    const meeting = (await s.http.get<{ value: GraphEvent[] }>('/me/events?$top=100')).value.find(
      (e) => e.subject === 'Team meeting',
    )!;
    await s.http.request('PATCH', `/me/events/${meeting.id}`, { subject: 'Team meeting (room 2)' });
    s.h.now += 3600_000;
    const after = await s.run(both, stores, {}, storeIn);
    expect(after.written.crm.updated).to.equal(1);
    expect((await s.crmObjects()).join('\n')).to.contain('SUMMARY:Team meeting (room 2)');
  });

  it('point 10: a creation the process died after is finished in the calendar it was made for, then moved — one copy, none lost (adapter model run, seed 777)', async () => {
    const s = await pairUp();
    await s.put(
      'visit',
      calendar(
        'BEGIN:VEVENT',
        'UID:visit-1',
        'DTSTAMP:20261126T080000Z',
        'DTSTART:20261203T090000Z',
        'DTEND:20261203T100000Z',
        'SUMMARY:Visit',
        'END:VEVENT',
      ),
    );
    // The process dies at the status commit after the Outlook write: the journal holds the creation.
    dieAtCommit(s.h.state);
    await s.sync().catch(() => undefined);
    s.h.state.beforeCommit = undefined;
    expect(s.h.state.state.journal).to.have.length(1);
    const calendarB = (await s.http.request<{ id: string }>('POST', '/me/calendars', { name: 'CRM' })).body.id;
    const storeB = new GraphEventStore(s.http, calendarB, { clock: s.h.clock, addinId: ADDIN });
    const storeIn: SyncDeps['storeIn'] = (_side, _kind, folder) =>
      new GraphEventStore(s.http, folder, { clock: s.h.clock, addinId: ADDIN });
    const r = await s.run(activities, { activity: storeB }, { folderChange: 'move' }, storeIn);
    expect(r.errors).to.deep.equal([]);
    const visits = s.events().filter((e) => (e.fields as { subject?: string }).subject === 'Visit');
    // (Recovery made a second copy in the new calendar, and the move then deleted that one as "the
    // original": Graph reads an event by its id in any calendar.)
    expect(visits.map((e) => e.calendarId)).to.deep.equal([calendarB]);
    expect((await s.crmObjects()).filter((t) => t.includes('SUMMARY:Visit'))).to.have.length(1);
    expect((await s.run(activities, { activity: storeB }, {}, storeIn)).plan.actions).to.deep.equal([]);
  });

  for (const choice of ['move', 'new-pairing'] as const)
    it(`point 10 (${choice}): an Outlook item never paired — its copy failed, or it waits for a confirmation — stays with the old calendar`, async () => {
      // The gateway answers 429 to PUTs while `busy` (a throttled CRM).
      let busy = false;
      const s = await pairUp({}, async (input, init) =>
        busy && init?.method === 'PUT'
          ? new Response('slow down', { status: 429, headers: { 'Retry-After': '30' } })
          : fetch(input, init),
      );
      const at = (d: number) => ({ dateTime: `2026-12-${String(d).padStart(2, '0')}T09:00:00`, timeZone: 'UTC' });
      const end = (d: number) => ({ dateTime: `2026-12-${String(d).padStart(2, '0')}T10:00:00`, timeZone: 'UTC' });
      await s.http.request('POST', '/me/events', { subject: 'Known visit', start: at(3), end: end(3) });
      expect((await s.sync()).errors).to.deep.equal([]);
      await s.http.request('POST', '/me/events', { subject: 'Throttled visit', start: at(5), end: end(5) });
      busy = true;
      const failed = await s.sync();
      busy = false;
      expect(failed.errors.map((e) => e.subject)).to.deep.equal(['Throttled visit']);
      // A second new item waits for the user's confirmation (the CRM is asked before a new item goes in).
      const confirming = profile({ sync: { itemTypes: 'activities' }, conflicts: { confirmNew: true } });
      await s.http.request('POST', '/me/events', { subject: 'Unconfirmed visit', start: at(6), end: end(6) });
      const asked = await s.sync(confirming);
      const pending = asked.pending.find((p) => p.subject === 'Unconfirmed visit');
      expect(pending, 'the new item waits for a confirmation').to.not.equal(undefined);

      const calendarB = (await s.http.request<{ id: string }>('POST', '/me/calendars', { name: 'CRM' })).body.id;
      const storeB = new GraphEventStore(s.http, calendarB, { clock: s.h.clock, addinId: ADDIN });
      const storeIn: SyncDeps['storeIn'] = (_side, _kind, folder) =>
        new GraphEventStore(s.http, folder, { clock: s.h.clock, addinId: ADDIN });
      s.h.now += 10 * 60_000;
      const moved = await s.run(activities, { activity: storeB }, { folderChange: choice }, storeIn);
      expect(moved.errors).to.deep.equal([]);
      expect(s.h.log.entries.map((e) => e.message).join('\n')).to.match(
        /2 item\(s\) of the calendar .* that were not synchronized yet stay there and are no longer synchronized/,
      );
      // Approving the old decision later, and the retry's time passing, copy neither into the CRM.
      s.h.now += 10 * 60_000;
      const later = await s.run(confirming, { activity: storeB }, { approvals: new Set([pending!.id]) }, storeIn);
      expect(later.errors).to.deep.equal([]);
      const crm = (await s.crmObjects()).map((t) => /SUMMARY:(.*)/.exec(t)?.[1]?.trim()).sort();
      const inB = (await s.http.get<{ value: GraphEvent[] }>(`/me/calendars/${calendarB}/events`)).value
        .map((e) => e.subject)
        .sort();
      // Moved, or come into the new calendar from the CRM (a new pairing): only the item that was paired.
      expect(crm).to.deep.equal(['Known visit']);
      expect(inB).to.deep.equal(['Known visit']);
      expect((await s.run(confirming, { activity: storeB }, {}, storeIn)).plan.actions).to.deep.equal([]);
    });
});
