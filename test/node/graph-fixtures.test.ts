// Graph JSON ⇄ canonical mapping on saved payloads (test/fixtures/graph): items made in Outlook, read
// by the add-in, and the add-in's own writes read back.
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { cancelledOccurrences, eventToActivity } from '../../src/adapters/graph/event-mapping.js';
import { activityToEvent } from '../../src/adapters/graph/event-write.js';
import type { GraphEvent } from '../../src/adapters/graph/graph-event-types.js';
import { graphZoneOf, ianaOf } from '../../src/adapters/graph/graph-zones.js';
import { graphToTask, taskExtension, taskToGraph } from '../../src/adapters/graph/task-mapping.js';
import {
  fromGraphRecurrence,
  GraphMappingError,
  parseWrittenRule,
  readBackRule,
  toGraphRecurrence,
} from '../../src/adapters/graph/recurrence-mapping.js';
import { sameSharedContent } from '../../src/core/model/content-hash.js';
import type { Activity } from '../../src/core/model/item.js';
import { toInstant } from '../../src/core/model/time.js';
import { contractActivity, contractSeries, contractTask } from '../contract/store-contract.js';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/graph', name), 'utf8')) as T;

/** What the emulator or Graph hands back for a body the add-in wrote (ids, times in UTC). */
function asStored(body: Record<string, unknown>, id = 'written-1'): GraphEvent {
  const start = body.start as { dateTime: string; timeZone: string };
  const end = body.end as { dateTime: string; timeZone: string };
  // As Graph answers with `Prefer: outlook.timezone="UTC"`.
  const toUtc = (t: { dateTime: string; timeZone: string }) => ({
    dateTime: new Date(toInstant({ dateTime: t.dateTime, timeZone: ianaOf(t.timeZone) })).toISOString().slice(0, 19),
    timeZone: 'UTC',
  });
  return {
    ...(body as object),
    id,
    changeKey: 'ck',
    originalStartTimeZone: start.timeZone,
    originalEndTimeZone: end.timeZone,
    start: toUtc(start),
    end: toUtc(end),
  } as GraphEvent;
}

describe('Graph event mapping (saved payloads)', () => {
  it('reads a meeting made in Outlook: Windows zone, attendees with responses, HTML body, private, oof', () => {
    const a = eventToActivity({ event: fixture('event-outlook-meeting.json'), exceptions: [], cancelled: [] });
    expect(a.start).to.deep.equal({ dateTime: '2026-12-03T14:30:00', timeZone: 'Europe/Berlin' });
    expect(a.end).to.deep.equal({ dateTime: '2026-12-03T16:00:00', timeZone: 'Europe/Berlin' });
    expect(a.attendees.map((x) => [x.email, x.role, x.response])).to.deep.equal([
      ['jane.roe@acme.example', 'required', 'accepted'],
      ['Max.Mustermann@acme.example', 'optional', 'tentative'],
      ['erika@acme.example', 'required', 'declined'],
      ['room412@acme.example', 'resource', 'none'],
      ['larry@acme.example', 'required', 'needsAction'],
    ]);
    expect(a.body!.html).to.include('<script>'); // kept as Outlook has it; sanitized wherever it is shown
    expect(a.body!.text).to.equal('Agenda: prices for 2027 & fleet size\nBring the offer\nand the contract');
    expect([a.sensitivity, a.showAs, a.importance, a.reminderMinutes]).to.deep.equal(['private', 'oof', 'high', 30]);
    expect(a.categories).to.deep.equal(['Customer', 'Red category']);
    expect(a.location).to.equal('ACME HQ, Room 4.12');
    expect(a.organizer).to.deep.equal({ email: 'anna.seller@example.com', name: 'Anna Seller' });
    expect(a.uid).to.match(/^040000008200E00074C5B7101A82E008/);
    expect(a.crm).to.equal(undefined);
  });

  it('never writes the online-meeting fields, so an update leaves the Teams meeting as it is', () => {
    const a = eventToActivity({ event: fixture('event-outlook-meeting.json'), exceptions: [], cancelled: [] });
    const body = activityToEvent(a);
    for (const key of ['isOnlineMeeting', 'onlineMeeting', 'onlineMeetingProvider', 'onlineMeetingUrl'])
      expect(body, key).not.to.have.property(key);
  });

  it('reads an all-day event made in another zone as whole days', () => {
    const a = eventToActivity({ event: fixture('event-all-day.json'), exceptions: [], cancelled: [] });
    expect([a.start, a.end]).to.deep.equal([{ date: '2027-01-05' }, { date: '2027-01-08' }]);
    expect(a.showAs).to.equal('workingElsewhere');
    expect(a.reminderMinutes, 'reminder off').to.equal(undefined);
  });

  it('reads a relative monthly series with a moved and a cancelled occurrence as one unit', () => {
    const master = fixture<GraphEvent>('event-series-master.json');
    const { value } = fixture<{ value: GraphEvent[] }>('event-series-instances.json');
    const cancelled = cancelledOccurrences(master, value, Date.UTC(2026, 10, 1), Date.UTC(2027, 5, 1));
    expect(cancelled).to.deep.equal(['2027-01-12T05:30:00.000Z']);
    const a = eventToActivity({ event: master, exceptions: value.filter((x) => x.type === 'exception'), cancelled });
    const zone = ianaOf('India Standard Time');
    expect(a.start).to.deep.equal({ dateTime: '2026-11-10T11:00:00', timeZone: zone });
    expect(a.recurrence!.rule).to.deep.equal({
      freq: 'MONTHLY',
      interval: 1,
      byDay: [{ day: 'TU', ordinal: 2 }],
      until: { dateTime: '2027-04-13T11:00:00', timeZone: zone },
    });
    expect(a.recurrence!.exceptionDates).to.deep.equal([{ dateTime: '2027-01-12T11:00:00', timeZone: zone }]);
    expect(a.recurrence!.overrides).to.deep.equal([
      {
        recurrenceId: { dateTime: '2026-12-08T11:00:00', timeZone: zone },
        fields: {
          start: { dateTime: '2026-12-09T14:00:00', timeZone: zone },
          end: { dateTime: '2026-12-09T15:30:00', timeZone: zone },
          subject: 'Key account review (year end)',
        },
      },
    ]);
  });

  it('writes Windows zone names and reads the IANA name it wrote back (Vienna stays Vienna)', () => {
    const vienna = contractActivity(1, {
      start: { dateTime: '2026-12-01T09:00:00', timeZone: 'Europe/Vienna' },
      end: { dateTime: '2026-12-01T10:00:00', timeZone: 'Europe/Vienna' },
    });
    const body = activityToEvent(vienna, { key: 'crm:1', addinId: 'B7A4D1C2-0000-4000-8000-000000000001' });
    expect((body.start as { timeZone: string }).timeZone).to.equal('W. Europe Standard Time');
    const back = eventToActivity({ event: asStored(body), exceptions: [], cancelled: [] });
    expect(back.start).to.deep.equal(vienna.start);
    expect(sameSharedContent(back, vienna)).to.equal(true);
    expect(back.uid).to.equal(vienna.uid);
    // Outlook moved it to another zone: the stored name no longer fits, the event's own zone counts.
    const moved = asStored({ ...body, start: { dateTime: '2026-12-01T09:00:00', timeZone: 'Tokyo Standard Time' } });
    expect(eventToActivity({ event: moved, exceptions: [], cancelled: [] }).start).to.deep.equal({
      dateTime: '2026-12-01T09:00:00',
      timeZone: ianaOf('Tokyo Standard Time'),
    });
    expect(graphZoneOf('America/New_York')).to.equal('Eastern Standard Time');
    expect(graphZoneOf(null)).to.equal('UTC');
  });

  it('writes the CRM context to extended properties and to the custom properties the SAP CRM pane reads', () => {
    const a = contractActivity(2);
    const body = activityToEvent(a, { key: 'crm:x', addinId: 'B7A4D1C2-0000-4000-8000-000000000001' });
    const props = body.singleValueExtendedProperties as { id: string; value: string }[];
    const custom = props.find((p) => p.id.includes('cecp-b7a4d1c2-0000-4000-8000-000000000001'))!;
    expect(JSON.parse(JSON.parse(custom.value).crmContext as string)).to.deep.equal(a.crm);
    expect(props.find((p) => p.id.endsWith('Name CrmActivityId'))!.value).to.equal(a.crm!.activityId);
  });

  it('round-trips a series through its Graph form; refuses what Outlook cannot express, by name', () => {
    const s = contractSeries(3);
    const body = activityToEvent(s);
    expect(body.recurrence).to.deep.include({
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'monday' },
    });
    expect(() =>
      toGraphRecurrence({ freq: 'MONTHLY', interval: 1, byMonthDay: [1, 15] }, { date: '2026-12-01' }, 'UTC'),
    ).to.throw(GraphMappingError, /several BYMONTHDAY values/);
    expect(() =>
      toGraphRecurrence(
        { freq: 'MONTHLY', interval: 1, byDay: [{ day: 'MO', ordinal: 5 }] },
        { date: '2026-12-01' },
        'UTC',
      ),
    ).to.throw(GraphMappingError, /ordinal 5/);
    const withRdate: Activity = { ...s, recurrence: { ...s.recurrence!, extraDates: [{ date: '2026-12-24' }] } };
    expect(() => activityToEvent(withRdate)).to.throw(GraphMappingError, /RDATE/);
  });

  it('reads a relative pattern of several days as BYSETPOS, and refuses several ordinal weekdays (issue 13, point 2)', () => {
    const start = { dateTime: '2026-11-30T09:00:00', timeZone: 'UTC' };
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const lastWeekday = {
      pattern: { type: 'relativeMonthly' as const, interval: 1, daysOfWeek: weekdays, index: 'last' as const },
      range: { type: 'numbered' as const, startDate: '2026-11-30', numberOfOccurrences: 12 },
    };
    expect(fromGraphRecurrence(lastWeekday, start)).to.deep.equal({
      freq: 'MONTHLY',
      interval: 1,
      byDay: ['MO', 'TU', 'WE', 'TH', 'FR'].map((day) => ({ day })),
      bySetPos: [-1],
      count: 12,
    });
    const oneDay = { ...lastWeekday, pattern: { ...lastWeekday.pattern, daysOfWeek: ['friday'] } };
    expect(fromGraphRecurrence(oneDay, start).byDay).to.deep.equal([{ day: 'FR', ordinal: -1 }]);
    expect(() =>
      toGraphRecurrence(
        {
          freq: 'MONTHLY',
          interval: 1,
          byDay: [
            { day: 'MO', ordinal: -1 },
            { day: 'TU', ordinal: -1 },
          ],
        },
        start,
        'UTC',
      ),
    ).to.throw(GraphMappingError, /several weekdays each with its own ordinal/);
  });

  it("reads the CRM rule back where the pattern is the one written for it, and Outlook's where it changed", () => {
    const start = { dateTime: '2026-11-30T09:00:00', timeZone: 'Europe/Berlin' };
    const crm = {
      freq: 'WEEKLY' as const,
      interval: 1,
      until: { dateTime: '2027-03-01T23:59:59', timeZone: 'Europe/Berlin' },
    };
    const written = toGraphRecurrence(crm, start, 'W. Europe Standard Time');
    expect(readBackRule(written, start, crm), 'no BYDAY added, UNTIL kept').to.deep.equal(crm);
    const later = { dateTime: '2026-11-30T10:00:00', timeZone: 'Europe/Berlin' };
    expect(readBackRule(written, later, crm)).to.deep.equal(crm);
    const shorter = { ...written, range: { ...written.range, endDate: '2027-02-01' } };
    expect(readBackRule(shorter, start, crm)).to.deep.equal(fromGraphRecurrence(shorter, start));
    expect(readBackRule(written, start, parseWrittenRule('{"freq":"HOURLY","interval":1}'))).to.deep.equal(
      fromGraphRecurrence(written, start),
    );
    expect(parseWrittenRule('not json')).to.equal(undefined);
  });
});

describe('To Do task mapping (saved payloads)', () => {
  it('reads a task made in To Do: due date, reminder, status, CRM link', () => {
    const t = graphToTask(fixture('todo-task.json'));
    expect(t).to.deep.include({
      subject: 'Send the revised offer',
      status: 'inProgress',
      importance: 'high',
      percentComplete: 0,
      due: { date: '2026-12-01' },
      reminderMinutes: 960,
      body: { text: 'Include the fleet discount' },
    });
    expect(t.crm).to.deep.equal({ activityId: '0000004711', application: 'SALES' });
  });

  it('writes the CRM id as a linked resource and what To Do has no field for in the extension', () => {
    const t = contractTask(4, {
      crm: { activityId: '0000000815', application: 'SERVICE' },
      due: { dateTime: '2026-12-02T17:00:00', timeZone: 'Europe/Berlin' },
    });
    const body = taskToGraph(t, { crmLink: 'https://crm.example.com/activity/{id}' });
    expect(body.linkedResources).to.deep.equal([
      {
        applicationName: 'SAP CRM Mobile Service',
        displayName: t.subject,
        externalId: '0000000815',
        webUrl: 'https://crm.example.com/activity/0000000815',
      },
    ]);
    const ext = taskExtension(t);
    const back = graphToTask({
      ...(body as object),
      id: 't1',
      dueDateTime: { dateTime: '2026-12-02T16:00:00.0000000', timeZone: 'UTC' },
      extensions: [ext],
    } as never);
    expect(sameSharedContent(back, t)).to.equal(true);
  });
});
