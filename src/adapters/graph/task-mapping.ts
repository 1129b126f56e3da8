/**
 * Microsoft To Do task JSON ⇄ canonical Task (https://learn.microsoft.com/graph/api/resources/todotask).
 * Pure. Title, body, status, importance, categories, start/due/completed, reminder and recurrence map
 * to To Do fields; the CRM activity id goes in a linkedResource (externalId, application name, link to
 * the CRM item — https://learn.microsoft.com/graph/api/resources/linkedresource). What To Do has no
 * field for (percent complete, sensitivity, the original UID, the full CRM context, whether a due
 * date was a date or a date-time) travels in the add-in's open extension
 * (https://learn.microsoft.com/graph/api/resources/opentypeextension).
 */
import { parseCrmContext } from '../../core/model/crm-context.js';
import { stableStringify } from '../../core/model/content-hash.js';
import { isAllDay, type Task, type TimeValue } from '../../core/model/item.js';
import { toInstant, toWallClock } from '../../core/model/time.js';
import { htmlToText } from './event-mapping.js';
import type { DateTimeTimeZone } from './graph-event-types.js';
import { graphZoneOf, ianaOf } from './graph-zones.js';
import { fromGraphRecurrence, toGraphRecurrence, type GraphRecurrence } from './recurrence-mapping.js';

export const TASK_EXTENSION = 'com.crmcalendarsync.task';

export interface GraphLinkedResource {
  id?: string;
  applicationName?: string;
  displayName?: string;
  externalId?: string;
  webUrl?: string;
}

export interface GraphTaskExtension {
  '@odata.type'?: string;
  extensionName?: string;
  id?: string;
  uid?: string;
  percentComplete?: number;
  sensitivity?: Task['sensitivity'];
  crm?: string;
  /** Time values that were dates (`date`) or date-times in a zone (the IANA name). */
  forms?: Partial<Record<'start' | 'due' | 'completed', 'date' | string | null>>;
  reminderMinutes?: number;
  /** The range end date the add-in wrote for a series it capped (Recurrence.cap). */
  capEndDate?: string;
}

export interface GraphTask {
  id: string;
  '@odata.etag'?: string;
  title?: string;
  body?: { content?: string; contentType?: 'text' | 'html' } | null;
  importance?: Task['importance'];
  status?: Task['status'];
  categories?: string[];
  startDateTime?: DateTimeTimeZone | null;
  dueDateTime?: DateTimeTimeZone | null;
  completedDateTime?: DateTimeTimeZone | null;
  isReminderOn?: boolean;
  reminderDateTime?: DateTimeTimeZone | null;
  recurrence?: GraphRecurrence | null;
  linkedResources?: GraphLinkedResource[];
  extensions?: GraphTaskExtension[];
  lastModifiedDateTime?: string;
  '@removed'?: { reason?: string };
}

export interface TaskWriteOptions {
  /** The application name shown with the CRM link ("SAP CRM Mobile Sales"). */
  readonly applicationName?: string;
  /** Link to the CRM item; `{id}` is replaced by the activity id. */
  readonly crmLink?: string;
}

function readTime(t: DateTimeTimeZone | null | undefined, form: string | null | undefined): TimeValue | undefined {
  if (!t?.dateTime) return undefined;
  const ms = toInstant({ dateTime: t.dateTime.slice(0, 19), timeZone: ianaOf(t.timeZone) });
  if (form === 'date' || form === undefined) {
    // To Do keeps due dates as midnight in a zone: without our note it is a date.
    return { date: toWallClock(ms, form === 'date' ? 'UTC' : ianaOf(t.timeZone)).slice(0, 10) };
  }
  return { dateTime: toWallClock(ms, form ?? 'UTC'), timeZone: form };
}

function writeTime(t: TimeValue | undefined): DateTimeTimeZone | null {
  if (!t) return null;
  if (isAllDay(t)) return { dateTime: `${t.date}T00:00:00`, timeZone: 'UTC' };
  return { dateTime: t.dateTime, timeZone: graphZoneOf(t.timeZone) };
}

const formOf = (t: TimeValue | undefined) => (t ? (isAllDay(t) ? 'date' : t.timeZone) : undefined);

export function extensionOf(t: GraphTask): GraphTaskExtension | undefined {
  return t.extensions?.find((x) => x.extensionName === TASK_EXTENSION || x.id?.endsWith(TASK_EXTENSION));
}

/** A To Do task as the canonical Task. */
export function graphToTask(t: GraphTask): Task {
  const x = extensionOf(t) ?? {};
  const forms = x.forms ?? {};
  const start = readTime(t.startDateTime, forms.start);
  const due = readTime(t.dueDateTime, forms.due);
  const completed = readTime(t.completedDateTime, forms.completed);
  const content = t.body?.content ?? '';
  // A task made in To Do has a reminder time, not minutes: counted back from its start or due date.
  const anchor = start ?? due;
  const reminderAt = t.reminderDateTime?.dateTime
    ? toInstant({ dateTime: t.reminderDateTime.dateTime.slice(0, 19), timeZone: ianaOf(t.reminderDateTime.timeZone) })
    : undefined;
  const reminderMinutes =
    x.reminderMinutes ??
    (anchor && reminderAt !== undefined ? Math.round((toInstant(anchor) - reminderAt) / 60_000) : undefined);
  const link = t.linkedResources?.find((r) => r.externalId);
  const crm = x.crm
    ? parseCrmContext(JSON.parse(x.crm))
    : link?.externalId
      ? parseCrmContext({
          activityId: link.externalId,
          application: /service/i.test(link.applicationName ?? '') ? 'SERVICE' : 'SALES',
        })
      : undefined;
  const task: Task = {
    kind: 'task',
    uid: x.uid ?? t.id,
    subject: t.title ?? '',
    ...(content.trim() && {
      body: t.body?.contentType === 'html' ? { text: htmlToText(content), html: content } : { text: content },
    }),
    sensitivity: x.sensitivity ?? 'normal',
    categories: t.categories ?? [],
    ...(t.isReminderOn && reminderMinutes !== undefined && { reminderMinutes }),
    importance: t.importance ?? 'normal',
    ...(crm && { crm }),
    extra: {},
    status: t.status ?? 'notStarted',
    percentComplete: x.percentComplete ?? (t.status === 'completed' ? 100 : 0),
    ...(start && { start }),
    ...(due && { due }),
    ...(completed && t.status === 'completed' && { completed }),
  };
  if (t.recurrence && (start ?? due)) {
    const rule = fromGraphRecurrence(t.recurrence, (start ?? due)!);
    // The cap the add-in wrote, while the series still ends on that date (else the user moved the end).
    const capped = rule.until && x.capEndDate !== undefined && t.recurrence.range.endDate === x.capEndDate;
    return {
      ...task,
      recurrence: { rule, exceptionDates: [], extraDates: [], overrides: [], ...(capped && { cap: rule.until }) },
    };
  }
  return task;
}

/** The fields of a POST or PATCH for `task` (without the extension: it is written on its own). */
export function taskToGraph(task: Task, options: TaskWriteOptions = {}): Record<string, unknown> {
  const anchor = task.start ?? task.due;
  const reminderAt =
    task.reminderMinutes !== undefined && anchor ? toInstant(anchor) - task.reminderMinutes * 60_000 : undefined;
  return {
    title: task.subject,
    body: task.body?.html
      ? { contentType: 'html', content: task.body.html }
      : { contentType: 'text', content: task.body?.text ?? '' },
    importance: task.importance,
    status: task.status,
    categories: [...task.categories],
    startDateTime: writeTime(task.start),
    dueDateTime: writeTime(task.due),
    ...(task.completed && { completedDateTime: writeTime(task.completed) }),
    isReminderOn: reminderAt !== undefined,
    reminderDateTime:
      reminderAt === undefined ? null : { dateTime: new Date(reminderAt).toISOString().slice(0, 19), timeZone: 'UTC' },
    recurrence:
      task.recurrence && anchor
        ? toGraphRecurrence(task.recurrence.rule, anchor, isAllDay(anchor) ? 'UTC' : graphZoneOf(anchor.timeZone))
        : null,
    // The link to the CRM activity needs its number; the rest of the context is in the extension.
    linkedResources: task.crm?.activityId
      ? [
          {
            applicationName:
              options.applicationName ??
              (task.crm.application === 'SERVICE' ? 'SAP CRM Mobile Service' : 'SAP CRM Mobile Sales'),
            displayName: task.subject,
            externalId: task.crm.activityId,
            ...(options.crmLink && {
              webUrl: options.crmLink.replace('{id}', encodeURIComponent(task.crm.activityId)),
            }),
          },
        ]
      : [],
  };
}

/** The add-in's open extension for `task`. */
export function taskExtension(task: Task): GraphTaskExtension {
  const capped = capEndDate(task);
  return {
    '@odata.type': 'microsoft.graph.openTypeExtension',
    extensionName: TASK_EXTENSION,
    uid: task.uid,
    percentComplete: task.percentComplete,
    sensitivity: task.sensitivity,
    ...(task.crm && { crm: JSON.stringify(task.crm) }),
    forms: { start: formOf(task.start), due: formOf(task.due), completed: formOf(task.completed) },
    ...(task.reminderMinutes !== undefined && { reminderMinutes: task.reminderMinutes }),
    ...(capped !== undefined && { capEndDate: capped }),
  };
}

/** The range end date a capped series is written with (see GraphTaskExtension.capEndDate). */
function capEndDate(task: Task): string | undefined {
  const r = task.recurrence;
  const anchor = task.start ?? task.due;
  if (!r?.cap || !r.rule.until || !anchor || stableStringify(r.cap) !== stableStringify(r.rule.until)) return undefined;
  return toGraphRecurrence(r.rule, anchor, isAllDay(anchor) ? 'UTC' : graphZoneOf(anchor.timeZone)).range.endDate;
}
