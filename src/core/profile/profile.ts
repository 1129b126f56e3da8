/**
 * The synchronization profile: one setting per option of the seed's "SAP CRM Calendar Synchronization
 * Settings" dialog (DESIGN.md §4). The roaming part travels with the user's mailbox (Office roaming
 * settings, ≤ 32 KB); secrets never do — they live in the device part only.
 */
export const PROFILE_VERSION = 1;

export type Direction = 'both' | 'outlook-to-mobile' | 'mobile-to-outlook';
export type ItemTypes = 'activities' | 'tasks' | 'both';
export type ConflictHandling = 'mobile-wins' | 'outlook-wins' | 'most-recent';

export interface Profile {
  readonly version: typeof PROFILE_VERSION;
  /** Tab "SAP CRM Calendar Properties": none on = manual synchronization only. */
  readonly automatic: {
    readonly onPaneOpen: boolean;
    /** Minutes between syncs while the task pane is open; 0 = off. */
    readonly everyMinutes: number;
    readonly onSaveOrSend: boolean;
    readonly mobileSales: boolean;
    readonly mobileService: boolean;
  };
  /** Tab "General" (the password is in DeviceProfile). */
  readonly general: {
    readonly gatewayUrl: string;
    readonly userId: string;
    /** Outlook calendar for business activities; '' = the default calendar. */
    readonly activitiesCalendarId: string;
    /** To Do list for tasks; '' = the default list. */
    readonly tasksListId: string;
  };
  /** Tab "Sync Properties". */
  readonly sync: {
    readonly direction: Direction;
    readonly itemTypes: ItemTypes;
    readonly daysBack: number;
    readonly daysAhead: number;
    readonly useForms: boolean;
  };
  /** Tab "Conflict Resolution". */
  readonly conflicts: {
    readonly confirmNew: boolean;
    readonly confirmModified: boolean;
    readonly confirmDeleted: boolean;
    readonly handling: ConflictHandling;
    readonly openConflictScreen: boolean;
  };
  /** Tab "Miscellaneous". */
  readonly misc: {
    /** The web equivalent of the seed's error log path: the log is kept on the device this many days. */
    readonly errorLogRetentionDays: number;
    readonly sendUpdatesToAttendees: boolean;
    /** Colours (#rrggbb) for conflicting items, per side. */
    readonly conflictColorOutlook: string;
    readonly conflictColorMobile: string;
    readonly useUserExits: boolean;
    readonly userExitMethod: string;
    readonly includeExceptionList: boolean;
  };
  /** Tab "Series / Private". */
  readonly series: {
    readonly infiniteSeriesYears: number;
    readonly syncPrivate: boolean;
  };
  /** Items the user put on the exception list in the conflict screen (pair keys). */
  readonly exceptionList: readonly string[];
}

/** Device-only state of the profile: never roams, never logged. */
export interface DeviceProfile {
  /** Mobile-client password, encrypted by the device adapter; absent when an app token replaces it. */
  readonly encryptedPassword?: string;
  /** Revocable gateway app token that replaces the password. */
  readonly appToken?: string;
}

/** The seed's defaults: manual sync, both directions, both item types, private items not synchronized. */
export const DEFAULT_USER_EXIT_METHOD = 'crmCalendarUserExit';

export function defaultProfile(): Profile {
  return {
    version: PROFILE_VERSION,
    automatic: { onPaneOpen: false, everyMinutes: 0, onSaveOrSend: false, mobileSales: true, mobileService: false },
    general: { gatewayUrl: '', userId: '', activitiesCalendarId: '', tasksListId: '' },
    sync: { direction: 'both', itemTypes: 'both', daysBack: 30, daysAhead: 180, useForms: true },
    conflicts: {
      confirmNew: false,
      confirmModified: false,
      confirmDeleted: false,
      handling: 'mobile-wins',
      openConflictScreen: false,
    },
    misc: {
      errorLogRetentionDays: 30,
      sendUpdatesToAttendees: false,
      conflictColorOutlook: '#c50f1f',
      conflictColorMobile: '#0f6cbd',
      useUserExits: false,
      userExitMethod: DEFAULT_USER_EXIT_METHOD,
      includeExceptionList: false,
    },
    series: { infiniteSeriesYears: 2, syncPrivate: false },
    exceptionList: [],
  };
}
