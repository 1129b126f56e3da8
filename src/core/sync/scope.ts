/**
 * What decides which items a run can see: the read scope. Incremental reads (delta, sync-collection)
 * report a change once; an item the profile kept out when it was reported (private, one-way, another
 * application, the exception list, another period or folder) is not reported again when the profile
 * lets it in. So when the scope changes, the engine reads both sides in full once (issue 13, point 9):
 * unchanged pairs still plan nothing (their versions match the status), and what the old scope kept out
 * is planned like any change.
 *
 * The sync period moves with today, but a Graph calendarView delta keeps the window it started with
 * (https://learn.microsoft.com/graph/api/event-delta) and a CalDAV sync-collection does not report an
 * item that merely came into the period: the scope therefore also names the week, so the period is
 * read in full once a week and items that entered it are seen within seven days.
 */
import type { Profile } from '../profile/profile.js';

/** The token key under which the state keeps the scope of its read tokens. */
export const SCOPE_TOKEN = 'scope';

const WEEK_MS = 7 * 86_400_000;

export function readScope(p: Profile, now: number): string {
  return JSON.stringify([
    p.general.gatewayUrl,
    p.general.userId,
    p.general.activitiesCalendarId,
    p.general.tasksListId,
    p.sync.direction,
    p.sync.itemTypes,
    p.sync.daysBack,
    p.sync.daysAhead,
    p.series.syncPrivate,
    p.automatic.mobileSales,
    p.automatic.mobileService,
    p.misc.includeExceptionList,
    // (what Outlook refuses depends on it: a refused meeting change may go through now)
    p.misc.sendUpdatesToAttendees,
    [...p.exceptionList].sort(),
    Math.floor(now / WEEK_MS),
  ]);
}
