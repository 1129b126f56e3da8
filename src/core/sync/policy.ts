/**
 * The profile compiled once into what a run obeys (issue 14, point 1). The planner, the executor and
 * the engine read only this; the profile's shape (dotted settings, three spellings of a direction)
 * stops here. Each field names the seed's option it comes from.
 */
import type { CrmApplication } from '../model/crm-context.js';
import { syncWindow, type SyncWindow } from '../model/time.js';
import type { Direction, Profile } from '../profile/profile.js';
import { holdForUser, crmWins, mostRecentWins, outlookWins, type ConflictStrategy } from './conflict.js';
import type { ItemKind, Side } from './types.js';

const DAY_MS = 86_400_000;

/** The token key under which the state keeps the scope of its read tokens (see readScope). */
export const SCOPE_TOKEN = 'scope';
const WEEK_MS = 7 * DAY_MS;

export interface SyncPolicy {
  /** When the policy was compiled: the run's start (the period and the caps count from it). */
  readonly now: number;
  /** Sync Properties, activities / tasks / both. */
  readonly kinds: ReadonlySet<ItemKind>;
  /** Sync Properties, the period; `seriesTo`: a series' own occurrences matter up to the cap. */
  readonly window: SyncWindow & { readonly seriesTo: number };
  /** Sync Properties, direction: the sides a run may write, and the source of a one-way sync. */
  readonly writable: Readonly<Record<Side, boolean>>;
  readonly source?: Side;
  /** The direction as the user chose it (named in the reasons of what a one-way sync held). */
  readonly direction: Direction;
  /**
   * Conflict Resolution: who wins a conflict — the source of a one-way sync, else the handling
   * chosen (or the conflict screen, which holds it for the user).
   */
  readonly conflicts: ConflictStrategy;
  /** Conflict Resolution, confirm new / modified / deleted items. */
  readonly confirm: { readonly create: boolean; readonly update: boolean; readonly delete: boolean };
  /** Series / Private: whether private items cross. */
  readonly privateItems: boolean;
  /** The exception list (pair keys) and Miscellaneous "include the exception list". */
  readonly exceptions: { readonly keys: ReadonlySet<string>; readonly included: boolean };
  /**
   * SAP CRM Calendar Properties, Mobile Sales / Mobile Service: the applications whose activities
   * synchronize; undefined = every application (neither ticked: manual synchronization of all).
   */
  readonly applications?: ReadonlySet<CrmApplication>;
  /** Series / Private: infinite series are capped this many years ahead. */
  readonly seriesYears: number;
  /** Miscellaneous, user exits: the method called for every item that crosses, or none. */
  readonly userExit?: string;
  /** Miscellaneous, the error log is kept this many days. */
  readonly logRetentionDays: number;
  /** The Outlook side: its folders, the SAP CRM pane's data (Use forms) and attendee updates. */
  readonly outlook: {
    readonly calendarId: string;
    readonly taskListId: string;
    readonly forms: boolean;
    readonly notifyAttendees: boolean;
  };
  /** The CRM side: the gateway and the user (the password is the device's). */
  readonly crm: { readonly gatewayUrl: string; readonly userId: string };
  /**
   * What runs by itself: the task pane on opening and every N minutes (0 = off); the gateway's sync
   * worker on every change (`onServer`, issue 19). Never with no application ticked.
   */
  readonly triggers: { readonly onPaneOpen: boolean; readonly everyMinutes: number; readonly onServer: boolean };
  /** Miscellaneous, the colours the conflict screen and Pending mark each side with. */
  readonly colors: Readonly<Record<Side, string>>;
  /**
   * The read scope: what decides which items a run can see (readScope below). A run in another scope than
   * the read tokens were taken in reads everything once.
   */
  readonly scope: string;
}

const sourceWins = (side: Side): ConflictStrategy => ({ name: 'one-way sync', resolve: () => side });

function strategyOf(p: Profile, source: Side | undefined): ConflictStrategy {
  // A one-way sync never changes its source: the source always wins (rule 8).
  if (source) return sourceWins(source);
  if (p.conflicts.openConflictScreen) return holdForUser;
  const h = p.conflicts.handling;
  return h === 'outlook-wins' ? outlookWins : h === 'most-recent' ? mostRecentWins : crmWins;
}

const SOURCE: Readonly<Record<Direction, Side | undefined>> = {
  both: undefined,
  'outlook-to-crm': 'outlook',
  'crm-to-outlook': 'crm',
};

export function compilePolicy(p: Profile, now: number): SyncPolicy {
  const source = SOURCE[p.sync.direction];
  const kinds = new Set<ItemKind>(
    p.sync.itemTypes === 'both' ? ['activity', 'task'] : p.sync.itemTypes === 'activities' ? ['activity'] : ['task'],
  );
  const apps = new Set<CrmApplication>([
    ...(p.automatic.mobileSales ? (['SALES'] as const) : []),
    ...(p.automatic.mobileService ? (['SERVICE'] as const) : []),
  ]);
  const period = syncWindow(now, p.sync.daysBack, p.sync.daysAhead);
  const exceptions = { keys: new Set(p.exceptionList), included: p.misc.includeExceptionList };
  const policy = {
    now,
    kinds,
    window: { ...period, seriesTo: Math.max(period.to, now + (p.series.infiniteSeriesYears * 365 + 1) * DAY_MS) },
    writable: { outlook: source !== 'outlook', crm: source !== 'crm' },
    ...(source && { source }),
    direction: p.sync.direction,
    conflicts: strategyOf(p, source),
    confirm: {
      create: p.conflicts.confirmNew,
      update: p.conflicts.confirmModified,
      delete: p.conflicts.confirmDeleted,
    },
    privateItems: p.series.syncPrivate,
    exceptions,
    ...(apps.size > 0 && { applications: apps }),
    seriesYears: p.series.infiniteSeriesYears,
    ...(p.misc.useUserExits && { userExit: p.misc.userExitMethod }),
    logRetentionDays: p.misc.errorLogRetentionDays,
    outlook: {
      calendarId: p.general.activitiesCalendarId,
      taskListId: p.general.tasksListId,
      forms: p.sync.useForms,
      notifyAttendees: p.misc.sendUpdatesToAttendees,
    },
    crm: { gatewayUrl: p.general.gatewayUrl, userId: p.general.userId },
    // (Automatic synchronization carries the applications ticked: with neither, only by hand.)
    triggers: {
      onPaneOpen: p.automatic.onPaneOpen && apps.size > 0,
      everyMinutes: apps.size > 0 ? p.automatic.everyMinutes : 0,
      onServer: p.automatic.onServer && apps.size > 0,
    },
    colors: { outlook: p.misc.conflictColorOutlook, crm: p.misc.conflictColorCrm },
  };
  return { ...policy, scope: readScope(policy) };
}

/**
 * What decides which items a run can see: the read scope. Incremental reads (delta, sync-collection)
 * report a change once; an item the policy kept out when it was reported (private, one-way, another
 * application, the exception list, another period or folder) is not reported again when the policy
 * lets it in. So when the scope changes, the engine reads both sides in full once (issue 13, point 9):
 * unchanged pairs still plan nothing (their versions match the status), and what the old scope kept
 * out is planned like any change.
 *
 * The sync period moves with today, but a Graph calendarView delta keeps the window it started with
 * (https://learn.microsoft.com/graph/api/event-delta) and a CalDAV sync-collection does not report an
 * item that merely came into the period: the scope therefore also names the week, so the period is
 * read in full once a week and items that entered it are seen within seven days.
 */
function readScope(p: Omit<SyncPolicy, 'scope'>): string {
  return JSON.stringify([
    p.crm.gatewayUrl,
    p.crm.userId,
    p.outlook.calendarId,
    p.outlook.taskListId,
    p.direction,
    [...p.kinds].sort(),
    // (The period's length: the window itself moves with every run, the week below covers that.)
    Math.round((p.now - p.window.from) / DAY_MS),
    Math.round((p.window.to - p.now) / DAY_MS),
    p.privateItems,
    p.applications ? [...p.applications].sort() : null,
    p.exceptions.included,
    // (What Outlook refuses depends on it: a refused meeting change may go through now.)
    p.outlook.notifyAttendees,
    [...p.exceptions.keys].sort(),
    Math.floor(p.now / WEEK_MS),
  ]);
}

/**
 * Whether the policy keeps an activity of this CRM application from crossing. Items without one
 * (born in Outlook, tasks) belong to no application and always synchronize.
 */
export const applicationExcluded = (policy: SyncPolicy, app: CrmApplication | undefined): boolean =>
  !!app && !!policy.applications && !policy.applications.has(app);
