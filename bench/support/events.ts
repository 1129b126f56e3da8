// Realistic CRM activities as iCalendar for the sync benchmarks: timed meetings in Europe/Berlin (with
// its VTIMEZONE), all-day items, weekly series with a cancelled occurrence, attendees, alarms and the
// CRM's X-properties — spread over the days around `now`, deterministic for one `n`.

import { BERLIN_VTIMEZONE } from '../../test/node/support/gateway.js';

const DAY = 86_400_000;

const pad = (v: number) => String(v).padStart(2, '0');
const date = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
};

/** The resource name and UID of event `n`. */
export const benchUid = (n: number) => `bench-${n}@crm-calendar-sync`;

/**
 * Event `n` as an iCalendar object: day offset from `now` in [-days, +days]; `edit` is appended to the
 * summary (a change). Kinds by n: 1 in 10 all-day, 1 in 10 a weekly series of 8 with one occurrence
 * cancelled, the rest timed meetings; 1 in 3 with attendees, 1 in 2 with an alarm.
 */
export function benchEvent(n: number, now: number, days: number, edit = ''): string {
  const offset = ((n * 7919) % (2 * days + 1)) - days;
  const day = now + offset * DAY;
  const hour = 8 + (n % 9);
  const kind = n % 10 === 3 ? 'all-day' : n % 10 === 7 ? 'series' : 'timed';
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//crm-calendar-sync//bench//EN'];
  if (kind !== 'all-day') lines.push(...BERLIN_VTIMEZONE);
  lines.push('BEGIN:VEVENT', `UID:${benchUid(n)}`, 'DTSTAMP:20261201T080000Z', `SEQUENCE:${edit ? 1 : 0}`);
  if (kind === 'all-day') lines.push(`DTSTART;VALUE=DATE:${date(day)}`, `DTEND;VALUE=DATE:${date(day + DAY)}`);
  else
    lines.push(
      `DTSTART;TZID=Europe/Berlin:${date(day)}T${pad(hour)}0000`,
      `DTEND;TZID=Europe/Berlin:${date(day)}T${pad(hour + 1)}3000`,
    );
  if (kind === 'series')
    lines.push('RRULE:FREQ=WEEKLY;COUNT=8', `EXDATE;TZID=Europe/Berlin:${date(day + 14 * DAY)}T${pad(hour)}0000`);
  lines.push(
    `SUMMARY:${kind === 'series' ? 'Weekly account review' : 'Customer visit'} ${n}${edit}`,
    `LOCATION:Building ${n % 17}\\, room ${n % 5}`,
    `DESCRIPTION:Agenda for activity ${n}:\\n- pricing\\n- delivery dates`,
    'CATEGORIES:CRM,Customer',
    `X-SAPCRM-ACTIVITY-ID:ACT-${String(n).padStart(8, '0')}`,
    `X-SAPCRM-BUSINESS-PARTNER;X-SAPCRM-ID=${4711 + (n % 300)}:Müller GmbH ${n % 300}`,
    `X-SAPCRM-CONTACT-PERSON;X-SAPCRM-ID=${9000 + (n % 900)}:Erika Mustermann`,
    ...(n % 4 === 0 ? [`X-SAPCRM-OPPORTUNITY;X-SAPCRM-ID=${7000 + (n % 50)}:Rollout 2027`] : []),
  );
  if (n % 3 === 0)
    lines.push(
      'ORGANIZER;CN=Sales Rep:mailto:rep@example.com',
      `ATTENDEE;CN=Buyer ${n};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:buyer${n}@example.org`,
      `ATTENDEE;CN=Engineer;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:engineer${n % 20}@example.com`,
    );
  if (n % 2 === 0) lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM');
  lines.push('END:VEVENT', 'END:VCALENDAR', '');
  return lines.join('\r\n');
}
