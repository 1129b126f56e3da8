/**
 * The options of each settings tab, derived from the profile's schema (@crm-sync/common/profile-schema: its
 * order is the seed's, each setting names its tab and control). Labels and help texts are catalog keys
 * `field.<path>` and `help.<path>`, a select's choices `option.<path>.<value>`. Two controls are not
 * settings of the roaming profile and are added here: the device-only password, and the seed's "All"
 * box of the confirmations.
 */
import type { Profile } from '../../core/profile/profile.js';
import { settingFields, type SettingSpec } from '@crm-sync/common/profile-schema';
import type { SettingsTabId } from '../crm-settings-tabs/crm-settings-tabs.js';

export type FieldKind = SettingSpec['control'] | 'password' | 'all';

export interface FieldSpec extends Omit<SettingSpec, 'control' | 'tab'> {
  /** Dotted path in the profile; `password` is the device-only password. */
  readonly path: string;
  readonly kind: FieldKind;
  /** The checkboxes an `all` field sets together (it is no option of its own). */
  readonly of?: readonly string[];
  /** Shown only when this is true of the profile being edited. */
  readonly when?: (p: Profile) => boolean;
}

/** Controls that are not settings of their own, placed before the setting they belong to. */
const EXTRA_BEFORE: Readonly<Record<string, FieldSpec>> = {
  'general.activitiesCalendarId': { path: 'password', kind: 'password', help: true },
  // The seed's "All": on when the three are on; ticking it sets all three.
  'conflicts.confirmNew': {
    path: 'conflicts.confirmAll',
    kind: 'all',
    of: ['conflicts.confirmNew', 'conflicts.confirmModified', 'conflicts.confirmDeleted'],
  },
};

/** The method name matters only with user exits on. */
const WHEN: Readonly<Record<string, (p: Profile) => boolean>> = {
  'misc.userExitMethod': (p) => p.misc.useUserExits,
};

function tabFields(tab: SettingsTabId): FieldSpec[] {
  return settingFields
    .filter((s) => s.tab === tab)
    .flatMap(({ control, tab: _tab, ...rest }) => {
      const when = WHEN[rest.path];
      const field: FieldSpec = { ...rest, kind: control, ...(when && { when }) };
      const extra = EXTRA_BEFORE[rest.path];
      return extra ? [extra, field] : [field];
    });
}

export const TAB_FIELDS: Readonly<Record<SettingsTabId, readonly FieldSpec[]>> = {
  calendar: tabFields('calendar'),
  general: tabFields('general'),
  sync: tabFields('sync'),
  conflicts: tabFields('conflicts'),
  misc: tabFields('misc'),
  series: tabFields('series'),
};

/** Every profile path a tab edits (for the tests: every option of the seed has a field). */
export const ALL_FIELD_PATHS = Object.values(TAB_FIELDS).flatMap((fields) =>
  fields.filter((f) => f.kind !== 'all').map((f) => f.path),
);
