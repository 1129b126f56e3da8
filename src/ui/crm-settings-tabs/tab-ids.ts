/** The six tab pages of the seed's "SAP CRM Calendar Synchronization Settings" dialog, in its order. */
export const SETTINGS_TABS = ['calendar', 'general', 'sync', 'conflicts', 'misc', 'series'] as const;
export type SettingsTabId = (typeof SETTINGS_TABS)[number];
