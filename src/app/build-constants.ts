// Values the build writes into the bundles (webpack DefinePlugin, from scripts/build-config.js). Under
// karma they are not defined: the typeof guards give empty values there.
declare const __ENTRA_CLIENT_ID__: string;
declare const __ENTRA_AUTHORITY__: string;
declare const __ADDIN_ID__: string;

/** The add-in's manifest <Id>: the SAP CRM pane reads the custom properties named after it. */
export const ADDIN_ID = typeof __ADDIN_ID__ === 'string' ? __ADDIN_ID__ : '';

/** The Entra app registration the add-in signs in with (not secret: it is also in manifest.xml). */
export const ENTRA = {
  clientId: typeof __ENTRA_CLIENT_ID__ === 'string' ? __ENTRA_CLIENT_ID__ : '',
  authority: typeof __ENTRA_AUTHORITY__ === 'string' ? __ENTRA_AUTHORITY__ : 'https://login.microsoftonline.com/common',
} as const;
