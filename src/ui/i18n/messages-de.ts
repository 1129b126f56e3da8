import type { Catalog } from './messages-en.js';
import { paneDe } from './pane-de.js';

/** German message catalog. */
export const de: Catalog = {
  ...paneDe,
  'app.title': 'CRM-Kalendersynchronisation',
  'app.subtitle': 'Outlook ⇄ SAP-CRM-Mobile-Client',
  'app.outsideOffice':
    'Außerhalb von Outlook: Demomodus. Die Einstellungen werden nur in diesem Browser gespeichert, nicht in Ihrem Outlook-Profil.',
  'app.stateOnDevice':
    'Dieser CalDAV-Server speichert keinen Synchronisationsstand: Er liegt nur in diesem Browser. Ein weiteres Outlook von Ihnen beginnt mit einer ersten Synchronisation – Elemente werden zugeordnet, nicht doppelt kopiert; wo Kopien sich unterscheiden, entscheidet die Konflikteinstellung.',
  'app.stateOffline':
    'Das CRM-Gateway ist nicht erreichbar. Die Listen zeigen Ihren Synchronisationsstand, wie dieses Gerät ihn zuletzt gelesen hat ({at}); die Synchronisation wartet, bis das Gateway antwortet.',
  'app.stateOfflineNever':
    'Das CRM-Gateway ist nicht erreichbar, und dieses Gerät hat Ihren Synchronisationsstand noch nicht gelesen: Die Listen bleiben leer, bis das Gateway antwortet.',
  'app.officeMissing':
    'Office.js konnte nicht geladen werden. Prüfen Sie die Netzwerkverbindung und laden Sie den Bereich neu.',
  'tabs.label': 'Synchronisationseinstellungen',
  'tab.calendar': 'SAP-CRM-Kalendereigenschaften',
  'tab.general': 'Allgemein',
  'tab.sync': 'Synchronisationseigenschaften',
  'tab.conflicts': 'Konfliktlösung',
  'tab.misc': 'Verschiedenes',
  'tab.series': 'Serien / Privat',
  'tabShort.calendar': 'Kalender',
  'tabShort.general': 'Allgemein',
  'tabShort.sync': 'Abgleich',
  'tabShort.conflicts': 'Konflikte',
  'tabShort.misc': 'Weiteres',
  'tabShort.series': 'Serien',
  'crmPane.title': 'SAP CRM',
  'crmPane.businessPartner': 'Geschäftspartner',
  'crmPane.contactPerson': 'Ansprechpartner',
  'crmPane.opportunity': 'Opportunity',
  'crmPane.application': 'Anwendung',
  'crmPane.activityId': 'CRM-Aktivität',
  'crmPane.none': 'Dieser Termin hat keine CRM-Daten. Er erhält sie, wenn er mit Mobile Sales synchronisiert wird.',
  'crmPane.outsideOffice': 'Öffnen Sie diesen Bereich in einem Outlook-Termin, um seine CRM-Daten zu sehen.',
  'crmPane.unreadable': 'Die CRM-Daten dieses Termins konnten nicht gelesen werden: {detail}',
  'crmPane.loading': 'CRM-Daten werden gelesen…',
  'dialog.title': 'SAP-CRM-Kalenderkonflikt',
  'dialog.intro':
    'Diese Elemente wurden seit der letzten Synchronisation in Outlook und im CRM geändert. Wählen Sie, welche Fassung bleibt.',
  'dialog.openFromPane':
    'Öffnen Sie diesen Bildschirm aus dem CRM-Sync-Bereich in Outlook. Außerhalb von Outlook entscheiden Sie unter „Ausstehend“ im Bereich.',
  'dialog.sent': 'Der CRM-Sync-Bereich führt Ihre Entscheidung jetzt aus.',
  'insight.crmData': 'Dieser Termin ist mit SAP CRM verknüpft.',
  'insight.open': 'CRM-Daten anzeigen',
  'command.syncing': 'CRM-Sync: Synchronisation läuft…',
  'command.phase': 'CRM-Sync: {phase}',
  'command.done':
    'CRM-Sync: fertig. Outlook {outlook}, CRM {crm} Änderungen; warten auf Sie {pending}; Fehler {errors}; noch offen {waiting}{retry}.',
  'command.retry': ' (nächster Versuch {time})',
  'command.partial':
    'CRM-Sync: vor dem Zeitlimit angehalten. Outlook {outlook}, CRM {crm} Änderungen; {left} folgen im nächsten Lauf.',
  'command.folderChanged':
    'CRM-Sync wartet: Kalender oder To-Do-Liste wurden geändert. Öffnen Sie CRM Sync, um zu verschieben oder neu zu beginnen.',
  'command.failed': 'CRM-Sync angehalten: {detail}',
};
