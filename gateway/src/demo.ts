/**
 * The demo data set (`serve --demo`): user `demo` (password `demo`) with about 40 business activities
 * over the past and coming weeks and 15 tasks, carrying the X-SAPCRM context of a few business
 * partners — among them a weekly series with one moved and one cancelled occurrence, an all-day
 * event, a multi-day event in another time zone and a private appointment.
 */
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { hashPassword } from './auth.js';
import { putObject } from './objects.js';
import type { CollectionName, GatewayStore } from './store/types.js';

const PARTNERS = [
  { id: '1000042', name: 'ACME Corp', contact: ['1000077', 'Jane Roe'], opp: ['0000815', 'Fleet renewal 2027'] },
  {
    id: '1000043',
    name: 'Müller Maschinenbau GmbH',
    contact: ['1000078', 'Klaus Müller'],
    opp: ['0000816', 'Line 4 retrofit'],
  },
  {
    id: '1000044',
    name: 'Northwind Traders',
    contact: ['1000079', 'Ana Trujillo'],
    opp: ['0000817', 'Service contract EMEA'],
  },
  {
    id: '1000045',
    name: 'Contoso Pharma',
    contact: ['1000080', 'Dr. Lena Fischer'],
    opp: ['0000818', 'Cold-chain pilot'],
  },
  {
    id: '1000046',
    name: 'Fabrikam Retail',
    contact: ['1000081', 'Tom Baker'],
    opp: ['0000819', 'Store roll-out 2027'],
  },
];
const TOPICS = ['Quarterly review', 'Product demo', 'Contract negotiation', 'Site visit', 'Kick-off', 'Follow-up call'];
const TASKS = ['Send quote', 'Prepare offer', 'Call back', 'Update forecast', 'Check delivery date'];

const pad = (n: number) => String(n).padStart(2, '0');
const local = (d: Date, h: number, m = 0) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(h)}${pad(m)}00`;
const dateOnly = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const stamp = (d: Date) => `${local(d, d.getUTCHours(), d.getUTCMinutes())}Z`;
const day = (base: Date, n: number) => new Date(base.getTime() + n * 86_400_000);
const zone = (tz: string) => tzlib_get_ical_block(tz)[0]!.split('\r\n');

function crm(i: number, application = 'SALES') {
  const p = PARTNERS[i % PARTNERS.length]!;
  return [
    `X-SAPCRM-ACTIVITY-ID:${String(4700 + i).padStart(10, '0')}`,
    `X-SAPCRM-APPLICATION:${application}`,
    `X-SAPCRM-BUSINESS-PARTNER;X-SAPCRM-ID=${p.id}:${p.name}`,
    `X-SAPCRM-CONTACT-PERSON;X-SAPCRM-ID=${p.contact[0]}:${p.contact[1]}`,
    `X-SAPCRM-OPPORTUNITY;X-SAPCRM-ID=${p.opp[0]}:${p.opp[1]}`,
  ];
}

const calendar = (zones: string[], body: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//CRM Calendar Sync//reference gateway demo//EN',
    ...zones.flatMap(zone),
    ...body,
    'END:VCALENDAR',
    '',
  ].join('\r\n');

/** The demo objects, relative to `now`. */
export function demoObjects(now = new Date()): { name: CollectionName; file: string; body: string }[] {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const dtstamp = `DTSTAMP:${stamp(now)}`;
  const out: { name: CollectionName; file: string; body: string }[] = [];
  const event = (uid: string, lines: string[], zones = ['Europe/Berlin']) =>
    out.push({ name: 'activities', file: `${uid}.ics`, body: calendar(zones, lines) });

  // 36 single business activities from three weeks back to five weeks ahead, on working days.
  for (let i = 0; i < 36; i++) {
    const d = day(today, -21 + Math.floor(i * 1.6));
    const p = PARTNERS[i % PARTNERS.length]!;
    const h = 8 + (i % 8);
    const uid = `demo-activity-${i + 1}@crm.example`;
    event(uid, [
      'BEGIN:VEVENT',
      `UID:${uid}`,
      dtstamp,
      `DTSTART;TZID=Europe/Berlin:${local(d, h)}`,
      `DTEND;TZID=Europe/Berlin:${local(d, h + 1)}`,
      `SUMMARY:${TOPICS[i % TOPICS.length]} – ${p.name}`,
      `LOCATION:${i % 3 === 0 ? 'Customer site' : i % 3 === 1 ? 'Online' : 'Head office, room 2.14'}`,
      `DESCRIPTION:Agenda:\\n1. Status of ${p.opp[1]}\\n2. Next steps`,
      `ORGANIZER;CN=Demo User:mailto:demo@crm.example`,
      `ATTENDEE;CN=${p.contact[1]};PARTSTAT=${i % 4 === 0 ? 'TENTATIVE' : 'ACCEPTED'};ROLE=REQ-PARTICIPANT:mailto:contact${i % 5}@customer.example`,
      `CATEGORIES:${i % 2 ? 'Customer visit' : 'Sales'}`,
      ...crm(i, i % 7 === 0 ? 'SERVICE' : 'SALES'),
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Reminder',
      'TRIGGER:-PT15M',
      'END:VALARM',
      'END:VEVENT',
    ]);
  }
  // A weekly team meeting: one occurrence moved by an hour, one cancelled.
  const monday = day(today, -((today.getUTCDay() + 6) % 7) - 14);
  const moved = day(monday, 14);
  const cancelled = day(monday, 21);
  event('demo-weekly-pipeline@crm.example', [
    'BEGIN:VEVENT',
    'UID:demo-weekly-pipeline@crm.example',
    dtstamp,
    `DTSTART;TZID=Europe/Berlin:${local(monday, 9)}`,
    `DTEND;TZID=Europe/Berlin:${local(monday, 9, 30)}`,
    'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12',
    `EXDATE;TZID=Europe/Berlin:${local(cancelled, 9)}`,
    'SUMMARY:Weekly pipeline review',
    'LOCATION:Online',
    ...crm(40),
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:demo-weekly-pipeline@crm.example',
    dtstamp,
    `RECURRENCE-ID;TZID=Europe/Berlin:${local(moved, 9)}`,
    `DTSTART;TZID=Europe/Berlin:${local(moved, 10)}`,
    `DTEND;TZID=Europe/Berlin:${local(moved, 10, 30)}`,
    'SUMMARY:Weekly pipeline review (moved)',
    'LOCATION:Online',
    ...crm(40),
    'END:VEVENT',
  ]);
  // An all-day event.
  const fair = day(today, 9);
  event('demo-allday-fair@crm.example', [
    'BEGIN:VEVENT',
    'UID:demo-allday-fair@crm.example',
    dtstamp,
    `DTSTART;VALUE=DATE:${dateOnly(fair)}`,
    `DTEND;VALUE=DATE:${dateOnly(day(fair, 1))}`,
    'SUMMARY:Trade fair – booth duty',
    'TRANSP:TRANSPARENT',
    ...crm(41),
    'END:VEVENT',
  ]);
  // A multi-day event in another time zone.
  const trip = day(today, 16);
  event(
    'demo-trip-newyork@crm.example',
    [
      'BEGIN:VEVENT',
      'UID:demo-trip-newyork@crm.example',
      dtstamp,
      `DTSTART;TZID=America/New_York:${local(trip, 9)}`,
      `DTEND;TZID=America/New_York:${local(day(trip, 2), 17)}`,
      'SUMMARY:Customer workshop in New York – Northwind Traders',
      'LOCATION:Northwind Traders, 5th Avenue, New York',
      ...crm(42),
      'END:VEVENT',
    ],
    ['America/New_York'],
  );
  // A private appointment.
  const dentist = day(today, 3);
  event('demo-private-dentist@crm.example', [
    'BEGIN:VEVENT',
    'UID:demo-private-dentist@crm.example',
    dtstamp,
    `DTSTART;TZID=Europe/Berlin:${local(dentist, 16)}`,
    `DTEND;TZID=Europe/Berlin:${local(dentist, 17)}`,
    'SUMMARY:Dentist',
    'CLASS:PRIVATE',
    'END:VEVENT',
  ]);
  // 15 tasks.
  for (let i = 0; i < 15; i++) {
    const p = PARTNERS[i % PARTNERS.length]!;
    const due = day(today, -5 + i * 2);
    const done = i < 3;
    const uid = `demo-task-${i + 1}@crm.example`;
    out.push({
      name: 'tasks',
      file: `${uid}.ics`,
      body: calendar(
        [],
        [
          'BEGIN:VTODO',
          `UID:${uid}`,
          dtstamp,
          `SUMMARY:${TASKS[i % TASKS.length]} – ${p.name}`,
          `DUE;VALUE=DATE:${dateOnly(due)}`,
          `PRIORITY:${i % 3 === 0 ? 1 : 5}`,
          `STATUS:${done ? 'COMPLETED' : i % 4 === 0 ? 'IN-PROCESS' : 'NEEDS-ACTION'}`,
          `PERCENT-COMPLETE:${done ? 100 : i % 4 === 0 ? 50 : 0}`,
          ...(done ? [`COMPLETED:${stamp(day(now, -1))}`] : []),
          ...crm(100 + i),
          'END:VTODO',
        ],
      ),
    });
  }
  return out;
}

/** Creates user demo/demo and its data unless the user exists already. */
export async function ensureDemo(store: GatewayStore, now = new Date()): Promise<boolean> {
  if (await store.passwordHash('demo')) return false;
  await store.addUser('demo', await hashPassword('demo'));
  for (const o of demoObjects(now)) await putObject(store, 'demo', o.name, o.file, o.body, { ifNoneMatch: true });
  return true;
}
