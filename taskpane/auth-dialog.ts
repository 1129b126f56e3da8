// Entry of taskpane/auth-dialog.html: the Microsoft sign-in page of the Office-dialog fallback.
// MSAL is loaded here on purpose: this page exists only to sign in.
import {
  createStandardPublicClientApplication,
  InteractionRequiredAuthError,
  type AccountInfo,
} from '@azure/msal-browser';
import { runSignInDialog } from '../src/adapters/graph/sign-in-dialog.js';
import { ENTRA } from '../src/app/build-constants.js';

const status = document.getElementById('status')!;

async function main(): Promise<void> {
  await Office.onReady();
  const pca = await createStandardPublicClientApplication({
    auth: {
      clientId: ENTRA.clientId,
      authority: ENTRA.authority,
      // Entra sends the user back to this page (registered as an SPA redirect URI).
      redirectUri: `${location.origin}${location.pathname}`,
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  const outcome = await runSignInDialog<AccountInfo>(
    pca,
    (text) => Office.context.ui.messageParent(text),
    (e) => e instanceof InteractionRequiredAuthError,
  );
  status.textContent = outcome === 'sent' ? 'Done. This window closes.' : 'Opening the Microsoft sign-in…';
}

main().catch((error: unknown) => {
  status.textContent = `Sign-in cannot start: ${error instanceof Error ? error.message : String(error)}`;
});
