import { paneEn } from './pane-en.js';

/** English message catalog: every text the user reads. Keys are stable; the German catalog must match. */
export const en = {
  ...paneEn,
  'app.title': 'CRM Calendar Sync',
  'app.subtitle': 'Outlook ⇄ SAP CRM mobile client',
  'app.outsideOffice':
    'Running outside Outlook: demo mode. Settings are kept in this browser only, not in your Outlook profile.',
  'app.stateOnDevice':
    'This CalDAV server keeps no synchronization state: it is kept in this browser only. Another Outlook of yours starts with a first synchronization — items are matched, not copied twice, but where copies differ the conflict setting decides.',
  'app.stateOffline':
    'The CRM gateway cannot be reached. The lists show your synchronization state as this device last read it ({at}); synchronizing waits until the gateway answers.',
  'app.stateOfflineNever':
    'The CRM gateway cannot be reached, and this device has not read your synchronization state yet: the lists stay empty until the gateway answers.',
  'app.officeMissing': 'Office.js could not be loaded. Check the network connection and reload the pane.',
  'tabs.label': 'Synchronization settings',
  'tab.calendar': 'SAP CRM Calendar Properties',
  'tab.general': 'General',
  'tab.sync': 'Sync Properties',
  'tab.conflicts': 'Conflict Resolution',
  'tab.misc': 'Miscellaneous',
  'tab.series': 'Series / Private',
  'tabShort.calendar': 'Calendar',
  'tabShort.general': 'General',
  'tabShort.sync': 'Sync',
  'tabShort.conflicts': 'Conflicts',
  'tabShort.misc': 'Other',
  'tabShort.series': 'Series',
  'crmPane.title': 'SAP CRM',
  'crmPane.businessPartner': 'Business Partner',
  'crmPane.contactPerson': 'Contact Person',
  'crmPane.opportunity': 'Opportunity',
  'crmPane.application': 'Application',
  'crmPane.activityId': 'CRM activity',
  'crmPane.none': 'This appointment has no CRM data. It gets some when it is synchronized with Mobile Sales.',
  'crmPane.outsideOffice': 'Open this pane from an appointment in Outlook to see its CRM data.',
  'crmPane.unreadable': 'The CRM data stored on this appointment could not be read: {detail}',
  'crmPane.loading': 'Reading CRM data…',
  'dialog.title': 'SAP CRM Calendar Conflict',
  'dialog.intro':
    'These items were changed in Outlook and in the CRM since the last synchronization. Choose which version to keep.',
  'dialog.openFromPane':
    'Open this screen from the CRM Sync pane in Outlook. Outside Outlook, decide under "Pending" in the pane.',
  'dialog.sent': 'Your decision is carried out by the CRM Sync pane now.',
  'insight.crmData': 'This appointment is linked to SAP CRM.',
  'insight.open': 'Show CRM data',
  'command.syncing': 'CRM Sync: synchronizing…',
  'command.phase': 'CRM Sync: {phase}',
  'command.done':
    'CRM Sync: done. Outlook {outlook}, CRM {crm} changes; waiting for you {pending}; errors {errors}; not done yet {waiting}{retry}.',
  'command.retry': ' (next try at {time})',
  'command.partial':
    'CRM Sync: stopped before the time limit. Outlook {outlook}, CRM {crm} changes; {left} follow with the next run.',
  'command.folderChanged':
    'CRM Sync waits: the calendar or To Do list changed. Open CRM Sync to move the synchronized items or start anew.',
  'command.failed': 'CRM Sync stopped: {detail}',
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
