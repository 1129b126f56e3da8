/**
 * The sign-in page of the Office-dialog fallback (taskpane/auth-dialog.html), for hosts without nested
 * app authentication (https://learn.microsoft.com/office/dev/add-ins/develop/auth-with-office-dialog-api).
 * The dialog opens this page on the add-in's origin; it runs MSAL's standard redirect flow (to Entra
 * and back to this same page), then hands the token to the task pane with `messageParent` as
 * `{"accessToken": "...", "expiresOn": <ms>}`, or `{"error": "..."}`. Silent first: a user already
 * signed in in this browser session gets a token without seeing Entra. The token is never logged.
 */
import { GRAPH_SCOPES, type AccountLike } from './auth.js';

export interface TokenResultLike<A extends AccountLike = AccountLike> {
  readonly accessToken: string;
  readonly expiresOn: Date | null;
  readonly account: A | null;
}

/** What the page needs of MSAL's standard public client (`createStandardPublicClientApplication`). */
export interface StandardClientLike<A extends AccountLike = AccountLike> {
  handleRedirectPromise(): Promise<TokenResultLike<A> | null>;
  getAllAccounts(): A[];
  acquireTokenSilent(request: { scopes: string[]; account: A }): Promise<TokenResultLike<A>>;
  acquireTokenRedirect(request: { scopes: string[]; account?: A }): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs once per page load. 'sent' when the answer went to the task pane, 'redirecting' when the page
 * is on its way to Entra (it comes back here, and this runs again).
 */
export async function runSignInDialog<A extends AccountLike>(
  pca: StandardClientLike<A>,
  send: (text: string) => void,
  isInteractionRequired: (e: unknown) => boolean,
): Promise<'sent' | 'redirecting'> {
  const scopes = [...GRAPH_SCOPES];
  const answer = (r: TokenResultLike<A>) =>
    send(JSON.stringify({ accessToken: r.accessToken, expiresOn: r.expiresOn?.getTime() ?? Date.now() + 30 * 60_000 }));
  try {
    const back = await pca.handleRedirectPromise();
    if (back) {
      answer(back);
      return 'sent';
    }
    const account = pca.getAllAccounts()[0];
    if (account) {
      try {
        answer(await pca.acquireTokenSilent({ scopes, account }));
        return 'sent';
      } catch (error) {
        if (!isInteractionRequired(error)) throw error;
      }
    }
    await pca.acquireTokenRedirect({ scopes, ...(account && { account }) });
    return 'redirecting';
  } catch (error) {
    send(JSON.stringify({ error: `Microsoft sign-in failed: ${message(error)}` }));
    return 'sent';
  }
}
