/**
 * The demo mailbox of `npm start`'s offline demo: a few Outlook appointments of the coming days, so
 * that a first "Sync now" moves items both ways — a customer meeting, an all-day trade fair, a private
 * appointment (left out while "synchronize private items" is off) and a weekly team call.
 */
import type { Mailbox } from './mailbox.js';

const DAY = 86_400_000;

/** Fills the mailbox once (when its calendar is empty); true when it did. */
export function ensureDemoMailbox(mailbox: Mailbox, now = Date.now()): boolean {
  if (Object.keys(mailbox.state.events).length) return false;
  const calendar = mailbox.state.calendars.find((c) => c.isDefaultCalendar)!.id;
  const day = (offset: number) => new Date(now + offset * DAY).toISOString().slice(0, 10);
  const at = (offset: number, time: string) => ({
    dateTime: `${day(offset)}T${time}`,
    timeZone: 'W. Europe Standard Time',
  });
  mailbox.createEvent(calendar, {
    subject: 'Lunch with Contoso purchasing',
    start: at(2, '12:00:00'),
    end: at(2, '13:30:00'),
    location: { displayName: 'Brasserie am Markt' },
    body: { contentType: 'html', content: '<p>Talk about the <b>cold-chain pilot</b> volumes.</p>' },
    categories: ['Customer'],
  });
  mailbox.createEvent(calendar, {
    subject: 'Trade fair (Hannover Messe)',
    isAllDay: true,
    start: { dateTime: `${day(5)}T00:00:00`, timeZone: 'UTC' },
    end: { dateTime: `${day(7)}T00:00:00`, timeZone: 'UTC' },
    showAs: 'oof',
  });
  mailbox.createEvent(calendar, {
    subject: 'Dentist',
    sensitivity: 'private',
    start: at(3, '08:00:00'),
    end: at(3, '09:00:00'),
  });
  mailbox.createEvent(calendar, {
    subject: 'Sales team call',
    start: at(1, '09:00:00'),
    end: at(1, '09:30:00'),
    recurrence: {
      pattern: {
        type: 'weekly',
        interval: 1,
        daysOfWeek: [
          new Date(now + DAY).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }).toLowerCase(),
        ],
      },
      range: { type: 'numbered', startDate: day(1), numberOfOccurrences: 8 },
    },
  });
  const list = mailbox.state.todoLists[0]!.id;
  mailbox.createTask(list, {
    title: 'Book hotel for the trade fair',
    importance: 'high',
    dueDateTime: { dateTime: `${day(4)}T00:00:00`, timeZone: 'UTC' },
  });
  return true;
}
