/**
 * The synchronization profile, declared once (issue 14, point 1): one setting per option of the seed's
 * "SAP CRM Calendar Synchronization Settings" dialog (DESIGN.md §4). From this declaration come the
 * `Profile` type, the defaults, the validation (findings with codes the catalogs translate), the
 * administrator's locks (only these paths exist) and the settings form's fields (`settingFields`).
 *
 * The schema library is valibot (https://valibot.dev): its functions are separate imports, so the
 * task pane's first bundle carries only the few validators used here (zod's object API would bring
 * its whole runtime), and `metadata` lets each setting carry its tab and control.
 *
 * A validator's message is the finding's code (`profile.<code>` in the catalogs), never English.
 */
import * as v from 'valibot';

export const PROFILE_VERSION = 2;

/** The settings tabs, in the seed's order. */
export type SettingsTab = 'calendar' | 'general' | 'sync' | 'conflicts' | 'misc' | 'series';

export type ProfileFindingCode =
  'required' | 'url' | 'https' | 'range' | 'choice' | 'color' | 'identifier' | 'noItemTypesForApplication';

/** What the settings form needs to show one setting. */
export type SettingMeta = {
  readonly tab: SettingsTab;
  readonly control: 'checkbox' | 'number' | 'select' | 'text' | 'url' | 'color' | 'folder';
  /** Has a help text (`help.<path>`). */
  readonly help?: boolean;
  /** Which Outlook folders a `folder` control lists. */
  readonly folders?: 'calendars' | 'taskLists';
  /** Bounds of a number (a finding `range` names them). */
  readonly min?: number;
  readonly max?: number;
  /**
   * Not available in this version: the form shows the option disabled with its help text saying so,
   * and no part of the synchronization reads it (the policy test allows exactly these).
   */
  readonly unavailable?: true;
};

export const LIMITS = {
  daysBack: { min: 0, max: 3650 },
  daysAhead: { min: 1, max: 3650 },
  everyMinutes: { min: 5, max: 1440 },
  errorLogRetentionDays: { min: 1, max: 365 },
  infiniteSeriesYears: { min: 1, max: 10 },
} as const;

const COLOR = /^#[0-9a-f]{6}$/i;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
// Plain parsing rather than URL(): the core has no DOM or Node globals to lean on.
const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i;
/** Plain http only to this computer (a gateway on the same machine, the demo): the password travels in every request. */
const SECURE_OR_LOCAL = /^(?:https:|http:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?(?:[/?#]|$))/i;

const flag = (fallback: boolean, meta: SettingMeta) => v.optional(v.pipe(v.boolean(), v.metadata(meta)), fallback);
const days = (limits: { min: number; max: number }, fallback: number, meta: Omit<SettingMeta, 'control'>) =>
  v.optional(
    v.pipe(
      v.number('range'),
      v.integer('range'),
      v.minValue(limits.min, 'range'),
      v.maxValue(limits.max, 'range'),
      v.metadata({ ...meta, control: 'number', ...limits } as SettingMeta),
    ),
    fallback,
  );
const choice = <const T extends readonly [string, ...string[]]>(options: T, fallback: T[number], meta: SettingMeta) =>
  v.optional(v.pipe(v.picklist(options, 'choice'), v.metadata(meta)), fallback);
const text = (fallback: string, meta: SettingMeta) => v.optional(v.pipe(v.string(), v.metadata(meta)), fallback);
const color = (fallback: string, meta: SettingMeta) =>
  v.optional(v.pipe(v.string('color'), v.regex(COLOR, 'color'), v.metadata(meta)), fallback);

export const DEFAULT_USER_EXIT_METHOD = 'crmCalendarUserExit';

export const ProfileSchema = v.pipe(
  v.object({
    version: v.optional(v.literal(PROFILE_VERSION), PROFILE_VERSION),
    /** Tab "SAP CRM Calendar Properties": none on = manual synchronization only. */
    automatic: v.object({
      onPaneOpen: flag(false, { tab: 'calendar', control: 'checkbox' }),
      /** Minutes between syncs while the task pane is open; 0 = off, else 5 to 1440. */
      everyMinutes: v.optional(
        v.pipe(
          v.number('range'),
          v.check((n) => n === 0 || (Number.isInteger(n) && n >= 5 && n <= 1440), 'range'),
          v.metadata({ tab: 'calendar', control: 'number', help: true, min: 0, max: 1440 } as SettingMeta),
        ),
        0,
      ),
      /**
       * The gateway's sync worker keeps the account in sync on every change, also while Outlook is
       * closed (issue 19; off by default).
       */
      onServer: flag(false, { tab: 'calendar', control: 'checkbox', help: true }),
      /** Outlook has no event for saving an appointment: this comes with the server sync (issue 19). */
      onSaveOrSend: flag(false, { tab: 'calendar', control: 'checkbox', help: true, unavailable: true }),
      mobileSales: flag(true, { tab: 'calendar', control: 'checkbox' }),
      mobileService: flag(false, { tab: 'calendar', control: 'checkbox', help: true }),
    }),
    /** Tab "General" (the password is device-only, never here). */
    general: v.object({
      gatewayUrl: v.optional(
        v.pipe(
          v.string('url'),
          v.nonEmpty('required'),
          v.regex(HTTP_URL, 'url'),
          v.regex(SECURE_OR_LOCAL, 'https'),
          v.metadata({ tab: 'general', control: 'url', help: true } as SettingMeta),
        ),
        '',
      ),
      userId: v.optional(
        v.pipe(
          v.string('required'),
          v.check((s) => s.trim() !== '', 'required'),
          v.metadata({ tab: 'general', control: 'text' } as SettingMeta),
        ),
        '',
      ),
      /** Outlook calendar for business activities; '' = the default calendar. */
      activitiesCalendarId: text('', { tab: 'general', control: 'folder', folders: 'calendars' }),
      /** To Do list for tasks; '' = the default list. */
      tasksListId: text('', { tab: 'general', control: 'folder', folders: 'taskLists', help: true }),
    }),
    /** Tab "Sync Properties". */
    sync: v.object({
      direction: choice(['both', 'outlook-to-crm', 'crm-to-outlook'], 'both', { tab: 'sync', control: 'select' }),
      itemTypes: choice(['both', 'activities', 'tasks'], 'both', { tab: 'sync', control: 'select' }),
      daysBack: days(LIMITS.daysBack, 30, { tab: 'sync' }),
      daysAhead: days(LIMITS.daysAhead, 180, { tab: 'sync' }),
      useForms: flag(true, { tab: 'sync', control: 'checkbox', help: true }),
    }),
    /** Tab "Conflict Resolution". */
    conflicts: v.object({
      confirmNew: flag(false, { tab: 'conflicts', control: 'checkbox' }),
      confirmModified: flag(false, { tab: 'conflicts', control: 'checkbox' }),
      confirmDeleted: flag(false, { tab: 'conflicts', control: 'checkbox' }),
      handling: choice(['crm-wins', 'outlook-wins', 'most-recent'], 'crm-wins', {
        tab: 'conflicts',
        control: 'select',
      }),
      openConflictScreen: flag(false, { tab: 'conflicts', control: 'checkbox', help: true }),
    }),
    /** Tab "Miscellaneous". */
    misc: v.object({
      /** The web equivalent of the seed's error log path: the log is kept on the device this many days. */
      errorLogRetentionDays: days(LIMITS.errorLogRetentionDays, 30, { tab: 'misc', help: true }),
      sendUpdatesToAttendees: flag(false, { tab: 'misc', control: 'checkbox', help: true }),
      /** Colours (#rrggbb) for conflicting items, per side. */
      conflictColorOutlook: color('#c50f1f', { tab: 'misc', control: 'color' }),
      conflictColorCrm: color('#0f6cbd', { tab: 'misc', control: 'color' }),
      useUserExits: flag(false, { tab: 'misc', control: 'checkbox', help: true }),
      userExitMethod: text(DEFAULT_USER_EXIT_METHOD, { tab: 'misc', control: 'text' }),
      includeExceptionList: flag(false, { tab: 'misc', control: 'checkbox', help: true }),
    }),
    /** Tab "Series / Private". */
    series: v.object({
      infiniteSeriesYears: days(LIMITS.infiniteSeriesYears, 2, { tab: 'series', help: true }),
      syncPrivate: flag(false, { tab: 'series', control: 'checkbox', help: true }),
    }),
    /** Items the user put on the exception list in the conflict screen (pair keys). */
    exceptionList: v.optional(v.array(v.string()), []),
    /**
     * What the exception list shows of its entries (pair key → the subject, and the start or due time
     * as the item had it, when the user excluded it); an entry without one shows its key. Not a setting.
     */
    exceptionLabels: v.optional(
      v.record(v.string(), v.object({ subject: v.pipe(v.string(), v.maxLength(120)), when: v.optional(v.string()) })),
    ),
  }),
  // Rules between settings: the finding goes to the field the user has to change.
  v.forward(
    v.check((p) => !p.misc.useUserExits || IDENTIFIER.test(p.misc.userExitMethod), 'identifier'),
    ['misc', 'userExitMethod'],
  ),
  v.forward(
    v.check(
      (p) =>
        !(p.automatic.onPaneOpen || p.automatic.everyMinutes > 0 || p.automatic.onSaveOrSend || p.automatic.onServer) ||
        p.automatic.mobileSales ||
        p.automatic.mobileService,
      'noItemTypesForApplication',
    ),
    ['automatic', 'mobileSales'],
  ),
);

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type Profile = DeepReadonly<v.InferOutput<typeof ProfileSchema>>;
export type Direction = Profile['sync']['direction'];
export type ItemTypes = Profile['sync']['itemTypes'];
export type ConflictHandling = Profile['conflicts']['handling'];

/** One setting: its dotted path, what the form shows, and its choices for a select. */
export interface SettingSpec extends SettingMeta {
  readonly path: string;
  readonly options?: readonly string[];
}

type Leaf = v.OptionalSchema<v.GenericSchema, unknown>;

/** Every setting of the profile, in declaration order (the form's order within a tab). */
export const settingFields: readonly SettingSpec[] = Object.entries(ProfileSchema.entries).flatMap(([group, schema]) =>
  schema.type === 'object'
    ? Object.entries((schema as v.ObjectSchema<v.ObjectEntries, undefined>).entries).map(([key, leaf]) => {
        const inner = (leaf as Leaf).wrapped as v.SchemaWithPipe<readonly [v.GenericSchema, ...v.GenericPipeItem[]]>;
        const picklist = inner.pipe[0] as { options?: readonly string[] };
        return {
          ...(v.getMetadata(inner) as SettingMeta),
          path: `${group}.${key}`,
          ...(picklist.options && { options: picklist.options }),
        };
      })
    : [],
);

/** The seed's defaults: manual sync, both directions, both item types, private items not synchronized. */
export function defaultProfile(): Profile {
  // (A fresh copy each time: the exception list's default array is never shared between profiles.)
  // (No exceptionLabels: an optional member without a default is absent, not undefined.)
  const { exceptionLabels: _none, ...defaults } = v.getDefaults(ProfileSchema) as unknown as Profile;
  return { ...defaults, exceptionList: [] };
}
