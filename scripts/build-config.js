// Build-time configuration of the add-in: where it is served from, where office.js comes from and
// which Entra app it authenticates as. Shared by webpack.config.js, npm start and the tests.

/** Base URL every URL in manifest.xml is written with; the build rewrites it. */
export const DEV_BASE_URL = 'https://localhost:3000';
/** Placeholder Entra client id in manifest.xml; replaced by ENTRA_CLIENT_ID when set. */
export const DEV_CLIENT_ID = '7efbd623-57fa-4f96-aba6-6cba5cc2a7ee';
/** Microsoft's CDN copy of office.js, which add-ins in the Office Store must reference. */
export const OFFICE_JS_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @typedef {{ mode: 'development' | 'production', baseUrl: string, clientId: string,
 *   authority: string, officeJsLocal: boolean, officeJsUrl: string, gatewayOrigins: string[] }} BuildConfig
 */

/**
 * @param {'development' | 'production'} mode
 * @param {Record<string, string | undefined>} env
 * @returns {BuildConfig}
 */
export function resolveBuildConfig(mode, env) {
  const production = mode === 'production';
  const baseUrl = (env.ADDIN_BASE_URL ?? (production ? '' : DEV_BASE_URL)).replace(/\/+$/, '');
  if (!baseUrl) {
    throw new Error(
      'ADDIN_BASE_URL is not set: a production build needs the HTTPS address the add-in is served from, e.g. ADDIN_BASE_URL=https://crm-sync.example.com npm run build',
    );
  }
  if (!/^https:\/\/[^/?#]+(\/[^?#]*)?$/.test(baseUrl)) {
    throw new Error(`ADDIN_BASE_URL must be an https:// address without query or fragment, got "${baseUrl}"`);
  }
  const clientId = env.ENTRA_CLIENT_ID ?? DEV_CLIENT_ID;
  if (!GUID.test(clientId)) {
    throw new Error(`ENTRA_CLIENT_ID must be the GUID of the Entra app registration, got "${clientId}"`);
  }
  // Entra authority of the sign-in: `common` (any organisation) unless a tenant's is given.
  const authority = (env.ENTRA_AUTHORITY ?? 'https://login.microsoftonline.com/common').replace(/\/+$/, '');
  if (!/^https:\/\/[^/?#]+\/[^?#]+$/.test(authority)) {
    throw new Error(
      `ENTRA_AUTHORITY must be an https:// authority such as https://login.microsoftonline.com/<tenant id>, got "${authority}"`,
    );
  }
  // The CDN is used in production unless explicitly overridden (offline tests of the production build).
  const officeJsLocal = production ? env.OFFICE_JS_LOCAL === '1' : true;
  // The CRM gateways the pages may call (their Content-Security-Policy lists them).
  const gatewayOrigins = (env.GATEWAY_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of gatewayOrigins)
    if (!/^https:\/\/[^/?#]+$/.test(o))
      throw new Error(`GATEWAY_ORIGINS lists https:// origins (no path), comma-separated; got "${o}"`);
  return {
    mode,
    baseUrl,
    clientId,
    authority,
    officeJsLocal,
    officeJsUrl: officeJsLocal ? 'office-js/office.js' : OFFICE_JS_CDN,
    gatewayOrigins,
  };
}

/**
 * The Content-Security-Policy of the add-in's pages (issue 16, point 9): scripts only from the add-in
 * itself and office.js' origin (no inline script, no eval), connections only to the add-in, the CRM
 * gateways, Microsoft Graph and the Entra sign-in, frames only for the sign-in and office.js' own
 * telemetry frame. Styles may be inline: lit sets style attributes, and a style cannot run script.
 * @param {{ officeJsUrl: string, authority: string, connect: readonly string[] }} o
 *   `connect`: the gateways' and Graph's origins (the demo's, or https://graph.microsoft.com)
 * @returns {string}
 */
export function contentSecurityPolicy(o) {
  const officeJs = /^https:/.test(o.officeJsUrl) ? new URL(o.officeJsUrl).origin : '';
  const signIn = new URL(o.authority).origin;
  return [
    "default-src 'self'",
    `script-src 'self'${officeJs && ` ${officeJs}`}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${[...o.connect, signIn].join(' ')}`,
    `frame-src 'self' ${signIn} https://telemetryservice.firstpartyapps.oaspapps.com`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * Writes the configured base URL and client id into manifest.xml.
 * @param {string} xml
 * @param {BuildConfig} config
 */
export function rewriteManifest(xml, config) {
  const host = new URL(config.baseUrl).host;
  return xml
    .replaceAll(`api://localhost:3000/${DEV_CLIENT_ID}`, `api://${host}/${config.clientId}`)
    .replaceAll(DEV_BASE_URL, config.baseUrl)
    .replaceAll(DEV_CLIENT_ID, config.clientId);
}
