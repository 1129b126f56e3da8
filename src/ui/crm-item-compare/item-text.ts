/**
 * An item's fields as the conflict screen and Pending show them (issue 18): in the pane's language,
 * times in the user's time zone (the browser's: Outlook on the web gives the pane the mailbox's), an
 * HTML description as the text it holds (the screen shows the sanitized HTML beside it when it can).
 */
import type { FieldName } from '../../core/model/merge.js';
import type { Attendee, Item, RecurrenceRule, TimeValue } from '../../core/model/item.js';
import { toInstant } from '../../core/model/time.js';
import type { MessageKey, Translator } from '../i18n/translator.js';

/** A time in the user's zone; an all-day date as a date; a floating time as its wall clock. */
export function localTime(t: TimeValue | undefined, locale: string, zone?: string): string {
  if (!t) return '';
  if ('date' in t) {
    const [y, m, d] = t.date.split('-').map(Number);
    return new Date(Date.UTC(y!, m! - 1, d!)).toLocaleDateString(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  }
  // (A floating time is the same wall clock everywhere: shown as it is written.)
  if (!t.timeZone)
    return new Date(`${t.dateTime}Z`).toLocaleString(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
  return new Date(toInstant(t)).toLocaleString(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(zone && { timeZone: zone }),
  });
}

function rule(r: RecurrenceRule, tr: Translator, zone?: string): string {
  const parts = [tr.t(`compare.freq.${r.freq}` as MessageKey, { n: String(r.interval) })];
  if (r.byDay?.length) parts.push(r.byDay.map((d) => `${d.ordinal ?? ''}${d.day}`).join(', '));
  if (r.byMonthDay?.length) parts.push(r.byMonthDay.join(', '));
  if (r.until) parts.push(tr.t('compare.until', { when: localTime(r.until, tr.locale, zone) }));
  else if (r.count !== undefined) parts.push(tr.t('compare.count', { count: String(r.count) }));
  else parts.push(tr.t('compare.noEnd'));
  return parts.join(' · ');
}

const person = (a: Attendee, tr: Translator) =>
  `${a.name ? `${a.name} <${a.email}>` : a.email} (${tr.t(`compare.role.${a.role}` as MessageKey)}, ${tr.t(
    `compare.response.${a.response}` as MessageKey,
  )})`;

/** What `field` of `item` says, in words ('' when the item has nothing there). */
export function fieldText(item: Item, field: FieldName, tr: Translator, zone?: string): string {
  const t = (key: string, values?: Record<string, string>) => tr.t(key as MessageKey, values);
  switch (field) {
    case 'subject':
      return item.subject;
    case 'time': {
      if (item.kind === 'task') {
        const due = localTime(item.due, tr.locale, zone);
        const start = localTime(item.start, tr.locale, zone);
        return [start && t('compare.start', { when: start }), due && t('compare.due', { when: due })]
          .filter(Boolean)
          .join(' · ');
      }
      const range = `${localTime(item.start, tr.locale, zone)} – ${localTime(item.end, tr.locale, zone)}`;
      return 'date' in item.start ? `${range} (${t('compare.allDay')})` : range;
    }
    case 'location':
      return item.kind === 'activity' ? (item.location ?? '') : '';
    case 'body':
      return item.body?.text.trim() ?? '';
    case 'attendees':
      if (item.kind !== 'activity') return '';
      return [
        ...(item.organizer ? [t('compare.organizer', { who: item.organizer.name ?? item.organizer.email })] : []),
        ...item.attendees.map((a) => person(a, tr)),
      ].join('; ');
    case 'reminder':
      return item.reminderMinutes === undefined ? '' : t('compare.minutes', { n: String(item.reminderMinutes) });
    case 'categories':
      return item.categories.join(', ');
    case 'privacy':
      return t(`compare.sensitivity.${item.sensitivity}`);
    case 'showAs':
      return item.kind === 'activity' ? t(`compare.showAs.${item.showAs}`) : '';
    case 'importance':
      return t(`compare.importance.${item.importance}`);
    case 'status':
      return item.kind === 'task' ? `${t(`compare.status.${item.status}`)} (${item.percentComplete} %)` : '';
    case 'crm': {
      const c = item.crm;
      if (!c) return '';
      return [
        c.application && t('compare.crm.application', { value: c.application }),
        c.businessPartner && t('compare.crm.businessPartner', { value: c.businessPartner.label }),
        c.contactPerson && t('compare.crm.contactPerson', { value: c.contactPerson.label }),
        c.opportunity && t('compare.crm.opportunity', { value: c.opportunity.label }),
        c.activityId && t('compare.crm.activityId', { value: c.activityId }),
      ]
        .filter(Boolean)
        .join('; ');
    }
    case 'recurrence': {
      const r = item.recurrence;
      if (!r) return '';
      const extra = r.exceptionDates.length + r.overrides.length;
      return rule(r.rule, tr, zone) + (extra ? ` · ${t('compare.exceptions', { count: String(extra) })}` : '');
    }
  }
}
