import type { Activity, Task } from '../../../src/core/model/item.js';

/** A realistic business activity for tests; override any field. */
export function activity(overrides: Partial<Activity> = {}): Activity {
  return {
    kind: 'activity',
    uid: 'act-0000004711@crm.example.com',
    subject: 'Quarterly review with ACME',
    start: { dateTime: '2026-12-01T10:00:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2026-12-01T11:00:00', timeZone: 'Europe/Berlin' },
    location: 'ACME HQ, Walldorf',
    body: { text: 'Agenda: fleet renewal.' },
    organizer: { email: 'anna.seller@example.com', name: 'Anna Seller' },
    attendees: [
      { email: 'jane.roe@acme.example', name: 'Jane Roe', role: 'required', response: 'accepted' },
      { email: 'bob@acme.example', role: 'optional', response: 'tentative' },
    ],
    showAs: 'busy',
    sensitivity: 'normal',
    categories: ['CRM', 'Customer'],
    reminderMinutes: 15,
    importance: 'normal',
    crm: {
      activityId: '0000004711',
      application: 'SALES',
      businessPartner: { id: '1000042', label: 'ACME Corp' },
    },
    extra: { ical: ['DTSTAMP:20261120T080000Z', 'X-CUSTOM;A=1:keep me'] },
    ...overrides,
  };
}

export function task(overrides: Partial<Task> = {}): Task {
  return {
    kind: 'task',
    uid: 'task-0000000815@crm.example.com',
    subject: 'Send offer to ACME',
    status: 'notStarted',
    percentComplete: 0,
    due: { date: '2026-12-05' },
    sensitivity: 'normal',
    categories: [],
    importance: 'high',
    extra: {},
    ...overrides,
  };
}
