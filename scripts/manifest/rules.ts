// What the manifest schemas require of the parts of manifest.xml we use, written down for the offline
// check (the online validator is not reachable everywhere). Sources: the XSDs for mail add-ins
// (OfficeAppManifestV1_1, MailAppVersionOverridesV1_0/V1_1) and the element reference at
// https://learn.microsoft.com/javascript/api/manifest and
// https://learn.microsoft.com/office/dev/add-ins/develop/manifest-element-ordering.

/** [element name, minOccurs, maxOccurs] in schema order; `Infinity` for unbounded. */
export type Sequence = readonly (readonly [string, number, number])[];

const one = (name: string) => [name, 1, 1] as const;
const opt = (name: string) => [name, 0, 1] as const;
const many = (name: string, min = 1) => [name, min, Infinity] as const;

export const OFFICE_APP_MAIL: Sequence = [
  one('Id'),
  opt('AlternateId'),
  one('Version'),
  one('ProviderName'),
  one('DefaultLocale'),
  one('DisplayName'),
  one('Description'),
  opt('IconUrl'),
  opt('HighResolutionIconUrl'),
  opt('SupportUrl'),
  opt('AppDomains'),
  opt('Hosts'),
  one('Requirements'),
  one('FormSettings'),
  one('Permissions'),
  one('Rule'),
  opt('DisableEntityHighlighting'),
  opt('VersionOverrides'),
];

export const VERSION_OVERRIDES_1_0: Sequence = [
  opt('Description'),
  opt('Requirements'),
  one('Hosts'),
  opt('Resources'),
  opt('VersionOverrides'),
  opt('WebApplicationInfo'),
];
export const VERSION_OVERRIDES_1_1: Sequence = [
  opt('Description'),
  opt('Requirements'),
  one('Hosts'),
  opt('Resources'),
  opt('EquivalentAddins'),
  opt('WebApplicationInfo'),
];
export const MAIL_HOST_1_0: Sequence = [opt('DesktopFormFactor'), opt('MobileFormFactor')];
export const MAIL_HOST_1_1: Sequence = [opt('Runtimes'), opt('DesktopFormFactor'), opt('MobileFormFactor')];
export const FORM_FACTOR: Sequence = [opt('SupportsSharedFolders'), opt('FunctionFile'), many('ExtensionPoint')];
export const COMMAND_SURFACE: Sequence = [many('OfficeTab', 0), many('CustomTab', 0)];
export const TAB: Sequence = [many('Group')];
export const GROUP: Sequence = [one('Label'), many('Control')];
export const BUTTON: Sequence = [one('Label'), one('Supertip'), one('Icon'), one('Action')];
export const SUPERTIP: Sequence = [one('Title'), one('Description')];
export const SHOW_TASKPANE_1_0: Sequence = [opt('TaskpaneId'), one('SourceLocation')];
export const SHOW_TASKPANE_1_1: Sequence = [
  opt('TaskpaneId'),
  one('SourceLocation'),
  opt('Title'),
  opt('SupportsPinning'),
  opt('SupportsNoItemContext'),
  opt('SupportsMultiSelect'),
];
export const EXECUTE_FUNCTION: Sequence = [one('FunctionName')];
export const LAUNCH_EVENT_POINT: Sequence = [one('LaunchEvents'), one('SourceLocation')];
export const RESOURCES: Sequence = [opt('Images'), opt('Urls'), opt('ShortStrings'), opt('LongStrings')];
export const WEB_APPLICATION_INFO: Sequence = [one('Id'), one('Resource'), one('Scopes')];
export const FORM_ITEM_READ: Sequence = [opt('DesktopSettings'), opt('TabletSettings'), opt('PhoneSettings')];
export const DESKTOP_SETTINGS_READ: Sequence = [one('SourceLocation'), one('RequestedHeight')];
export const DESKTOP_SETTINGS_EDIT: Sequence = [one('SourceLocation')];

/** Sizes an add-in command icon may declare (bt:Image size). */
export const ICON_SIZES = new Set([16, 20, 24, 32, 40, 48, 64, 80]);
/** IconUrl and HighResolutionIconUrl sizes for Outlook. */
export const STORE_ICON_SIZES = { IconUrl: 64, HighResolutionIconUrl: 128 } as const;

/** Minimum Mailbox requirement set of each launch event (learn.microsoft.com/office/dev/add-ins/outlook/autolaunch). */
export const LAUNCH_EVENT_MIN_SET: Record<string, string> = {
  OnNewMessageCompose: '1.10',
  OnNewAppointmentOrganizer: '1.10',
  OnMessageAttachmentsChanged: '1.11',
  OnAppointmentAttachmentsChanged: '1.11',
  OnMessageRecipientsChanged: '1.11',
  OnAppointmentAttendeesChanged: '1.11',
  OnAppointmentTimeChanged: '1.11',
  OnAppointmentRecurrenceChanged: '1.11',
  OnInfoBarDismissClicked: '1.11',
  OnMessageSend: '1.12',
  OnAppointmentSend: '1.12',
  OnMessageCompose: '1.12',
  OnAppointmentOrganizer: '1.12',
  OnMessageFromChanged: '1.13',
  OnAppointmentFromChanged: '1.13',
  OnSensitivityLabelChanged: '1.13',
};
export const SEND_EVENTS = new Set(['OnMessageSend', 'OnAppointmentSend']);
export const SEND_MODES = new Set(['PromptUser', 'SoftBlock', 'Block']);

/** Resource limits (bt:ShortString 125, bt:LongString 250, resource id 32 characters). */
export const LIMITS = { shortString: 125, longString: 250, resid: 32 } as const;

export const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

export const compareVersions = (a: string, b: string): number => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
};
