/**
 * Tokens for Microsoft Graph (DESIGN.md §3).
 * - Nested app authentication when the host supports it (`NestedAppAuth` 1.1): MSAL's nestable public
 *   client, silent first, a popup only when Entra asks for interaction
 *   (https://learn.microsoft.com/office/dev/add-ins/develop/enable-nested-app-authentication-in-your-add-in).
 * - Otherwise an Office dialog that runs a standard MSAL sign-in on the add-in's own origin and hands
 *   the token back with `messageParent`
 *   (https://learn.microsoft.com/office/dev/add-ins/develop/auth-with-office-dialog-api).
 * - Against the Graph emulator: the development token `dev:<mailbox>`, through the same TokenSource.
 * Tokens are kept in memory only (MSAL's own cache aside) and never logged.
 */
import { AuthenticationError } from '../../core/errors.js';
import type { TokenSource } from './graph-http.js';

export const GRAPH_SCOPES = ['Calendars.ReadWrite', 'Tasks.ReadWrite'] as const;

export interface GraphAuthConfig {
  /** The Entra application (client) id. */
  readonly clientId: string;
  /** Default `https://login.microsoftonline.com/common`; a tenant's authority for single-tenant apps. */
  readonly authority?: string;
  /** The page the dialog fallback opens (same origin as the add-in). */
  readonly dialogUrl?: string;
}

/** What this module needs of MSAL (injected, so that it is loaded only when Graph is used). */
export interface MsalLike {
  createNestablePublicClientApplication(config: {
    auth: { clientId: string; authority: string };
  }): Promise<PublicClientLike>;
  InteractionRequiredAuthError: abstract new (...args: never[]) => Error;
}
export interface AccountLike {
  readonly homeAccountId: string;
}
export interface PublicClientLike {
  getActiveAccount(): AccountLike | null;
  getAllAccounts(): AccountLike[];
  setActiveAccount(account: AccountLike | null): void;
  acquireTokenSilent(request: {
    scopes: string[];
    account?: AccountLike;
    forceRefresh?: boolean;
  }): Promise<{ accessToken: string; account: AccountLike | null }>;
  acquireTokenPopup(request: { scopes: string[] }): Promise<{ accessToken: string; account: AccountLike | null }>;
}

/** What this module needs of Office.js. */
export interface OfficeLike {
  context: {
    requirements: { isSetSupported(name: string, version?: string): boolean };
    ui: {
      displayDialogAsync(
        url: string,
        options: { height: number; width: number; promptBeforeOpen?: boolean },
        callback: (result: {
          status: string;
          error?: { message: string };
          value: {
            addEventHandler(event: string, handler: (arg: { message?: string; error?: number }) => void): void;
            close(): void;
          };
        }) => void,
      ): void;
    };
  };
}

/** The emulator's development token for `mailbox`. */
export const devTokenSource =
  (mailbox: string): TokenSource =>
  async () =>
    `dev:${mailbox}`;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A TokenSource over MSAL's nestable client: silent, then interactive on interaction_required. */
export async function nestedAppTokenSource(config: GraphAuthConfig, msal: MsalLike): Promise<TokenSource> {
  const pca = await msal.createNestablePublicClientApplication({
    auth: { clientId: config.clientId, authority: config.authority ?? 'https://login.microsoftonline.com/common' },
  });
  const scopes = [...GRAPH_SCOPES];
  return async ({ forceRefresh } = {}) => {
    const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
    try {
      const r = await pca.acquireTokenSilent({ scopes, ...(account && { account }), forceRefresh: !!forceRefresh });
      if (r.account) pca.setActiveAccount(r.account);
      return r.accessToken;
    } catch (error) {
      if (!(error instanceof msal.InteractionRequiredAuthError))
        throw new AuthenticationError('outlook', `Microsoft sign-in failed: ${message(error)}`);
    }
    try {
      const r = await pca.acquireTokenPopup({ scopes });
      if (r.account) pca.setActiveAccount(r.account);
      return r.accessToken;
    } catch (error) {
      throw new AuthenticationError('outlook', `Microsoft sign-in was not completed: ${message(error)}`);
    }
  };
}

/**
 * A TokenSource that opens the sign-in dialog when it has no valid token. The dialog page sends
 * `{"accessToken": "...", "expiresOn": <ms>}` or `{"error": "..."}` with messageParent.
 */
export function dialogTokenSource(config: GraphAuthConfig, office: OfficeLike, clock = Date.now): TokenSource {
  let cached: { token: string; expiresOn: number } | undefined;
  const url = config.dialogUrl;
  return async ({ forceRefresh } = {}) => {
    if (cached && !forceRefresh && cached.expiresOn - 5 * 60_000 > clock()) return cached.token;
    if (!url) throw new AuthenticationError('outlook', 'no sign-in page is configured for this host');
    const answer = await new Promise<{ accessToken?: string; expiresOn?: number; error?: string }>(
      (resolve, reject) => {
        office.context.ui.displayDialogAsync(url, { height: 60, width: 30 }, (result) => {
          if (result.status !== 'succeeded') {
            reject(
              new AuthenticationError('outlook', `the sign-in window did not open: ${result.error?.message ?? ''}`),
            );
            return;
          }
          const dialog = result.value;
          dialog.addEventHandler('dialogMessageReceived', (arg) => {
            dialog.close();
            try {
              resolve(JSON.parse(arg.message ?? '{}') as { accessToken?: string; expiresOn?: number; error?: string });
            } catch {
              reject(new AuthenticationError('outlook', 'the sign-in window sent an unreadable answer'));
            }
          });
          dialog.addEventHandler('dialogEventReceived', (arg) =>
            // 12006: the user closed the dialog (https://learn.microsoft.com/office/dev/add-ins/develop/dialog-handle-errors-events).
            reject(
              new AuthenticationError(
                'outlook',
                arg.error === 12006 ? 'the sign-in window was closed' : `the sign-in window failed (${arg.error})`,
              ),
            ),
          );
        });
      },
    );
    if (!answer.accessToken)
      throw new AuthenticationError('outlook', answer.error ?? 'no token came back from sign-in');
    cached = { token: answer.accessToken, expiresOn: answer.expiresOn ?? clock() + 30 * 60_000 };
    return cached.token;
  };
}

/** Nested app authentication where the host supports it, else the dialog. */
export async function graphTokenSource(
  config: GraphAuthConfig,
  office: OfficeLike,
  loadMsal: () => Promise<MsalLike>,
): Promise<TokenSource> {
  if (office.context.requirements.isSetSupported('NestedAppAuth', '1.1'))
    return nestedAppTokenSource(config, await loadMsal());
  return dialogTokenSource(config, office);
}
