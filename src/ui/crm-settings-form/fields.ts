/**
 * The options of each settings tab (DESIGN.md §4's table, in the seed's order). Labels and help texts
 * are catalog keys `field.<path>` and `help.<path>`; limits come from the core's validation.
 */
import type { Profile } from '../../core/profile/profile.js';
import { LIMITS } from '../../core/profile/validate.js';
import type { SettingsTabId } from '../crm-settings-tabs/crm-settings-tabs.js';

export type FieldKind = 'checkbox' | 'number' | 'select' | 'text' | 'url' | 'color' | 'folder' | 'password' | 'all';

export interface FieldSpec {
  /** Dotted path in the profile; `password` is the device-only password. */
  readonly path: string;
  readonly kind: FieldKind;
  readonly options?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** The checkboxes an `all` field sets together (it is no option of its own). */
  readonly of?: readonly string[];
  /** Which Outlook folders a `folder` field lists. */
  readonly folders?: 'calendars' | 'taskLists';
  /** Shown only when this is true of the profile being edited. */
  readonly when?: (p: Profile) => boolean;
  /** Has a help text (`help.<path>`). */
  readonly help?: boolean;
}

export const TAB_FIELDS: Readonly<Record<SettingsTabId, readonly FieldSpec[]>> = {
  calendar: [
    { path: 'automatic.onPaneOpen', kind: 'checkbox' },
    { path: 'automatic.everyMinutes', kind: 'number', min: 0, max: LIMITS.everyMinutes.max, help: true },
    { path: 'automatic.onSaveOrSend', kind: 'checkbox', help: true },
    { path: 'automatic.mobileSales', kind: 'checkbox' },
    { path: 'automatic.mobileService', kind: 'checkbox', help: true },
  ],
  general: [
    { path: 'general.gatewayUrl', kind: 'url', help: true },
    { path: 'general.userId', kind: 'text' },
    { path: 'password', kind: 'password', help: true },
    { path: 'general.activitiesCalendarId', kind: 'folder', folders: 'calendars' },
    { path: 'general.tasksListId', kind: 'folder', folders: 'taskLists', help: true },
  ],
  sync: [
    { path: 'sync.direction', kind: 'select', options: ['both', 'outlook-to-mobile', 'mobile-to-outlook'] },
    { path: 'sync.itemTypes', kind: 'select', options: ['both', 'activities', 'tasks'] },
    { path: 'sync.daysBack', kind: 'number', min: LIMITS.daysBack.min, max: LIMITS.daysBack.max },
    { path: 'sync.daysAhead', kind: 'number', min: LIMITS.daysAhead.min, max: LIMITS.daysAhead.max },
    { path: 'sync.useForms', kind: 'checkbox', help: true },
  ],
  conflicts: [
    // The seed's "All": on when the three are on; ticking it sets all three.
    {
      path: 'conflicts.confirmAll',
      kind: 'all',
      of: ['conflicts.confirmNew', 'conflicts.confirmModified', 'conflicts.confirmDeleted'],
    },
    { path: 'conflicts.confirmNew', kind: 'checkbox' },
    { path: 'conflicts.confirmModified', kind: 'checkbox' },
    { path: 'conflicts.confirmDeleted', kind: 'checkbox' },
    { path: 'conflicts.handling', kind: 'select', options: ['mobile-wins', 'outlook-wins', 'most-recent'] },
    { path: 'conflicts.openConflictScreen', kind: 'checkbox', help: true },
  ],
  misc: [
    {
      path: 'misc.errorLogRetentionDays',
      kind: 'number',
      min: LIMITS.errorLogRetentionDays.min,
      max: LIMITS.errorLogRetentionDays.max,
      help: true,
    },
    { path: 'misc.sendUpdatesToAttendees', kind: 'checkbox', help: true },
    { path: 'misc.conflictColorOutlook', kind: 'color' },
    { path: 'misc.conflictColorMobile', kind: 'color' },
    { path: 'misc.useUserExits', kind: 'checkbox', help: true },
    { path: 'misc.userExitMethod', kind: 'text', when: (p) => p.misc.useUserExits },
    { path: 'misc.includeExceptionList', kind: 'checkbox', help: true },
  ],
  series: [
    {
      path: 'series.infiniteSeriesYears',
      kind: 'number',
      min: LIMITS.infiniteSeriesYears.min,
      max: LIMITS.infiniteSeriesYears.max,
      help: true,
    },
    { path: 'series.syncPrivate', kind: 'checkbox', help: true },
  ],
};

/** Every profile path a tab edits (for the tests: every option of the seed has a field). */
export const ALL_FIELD_PATHS = Object.values(TAB_FIELDS).flatMap((fields) =>
  fields.filter((f) => f.kind !== 'all').map((f) => f.path),
);
