// Token acquisition for Graph with fakes of MSAL and Office: silent first, interactive only when Entra
// asks for interaction, the dialog fallback where nested app authentication is missing.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import {
  devTokenSource,
  graphTokenSource,
  type AccountLike,
  type MsalLike,
  type OfficeLike,
  type PublicClientLike,
} from '../../src/adapters/graph/auth.js';
import {
  runSignInDialog,
  type StandardClientLike,
  type TokenResultLike,
} from '../../src/adapters/graph/sign-in-dialog.js';
import { connectOutlook } from '../../src/adapters/graph/connect.js';
import { AuthenticationError } from '../../src/core/errors.js';

class InteractionRequired extends Error {}

function fakeMsal(silent: 'ok' | 'interaction' | 'broken') {
  const calls: string[] = [];
  let active: AccountLike | null = null;
  const pca: PublicClientLike = {
    getActiveAccount: () => active,
    getAllAccounts: () => [],
    setActiveAccount: (a) => void (active = a),
    acquireTokenSilent: async (r) => {
      calls.push(`silent${r.forceRefresh ? ' (refresh)' : ''}`);
      if (silent === 'interaction') throw new InteractionRequired('interaction_required');
      if (silent === 'broken') throw new Error('network down');
      return { accessToken: 'silent-token', account: { homeAccountId: 'u1' } };
    },
    acquireTokenPopup: async () => {
      calls.push('popup');
      return { accessToken: 'popup-token', account: { homeAccountId: 'u1' } };
    },
  };
  const msal: MsalLike = {
    createNestablePublicClientApplication: async (config) => {
      calls.push(`create ${config.auth.clientId}`);
      return pca;
    },
    InteractionRequiredAuthError: InteractionRequired,
  };
  return { msal, calls };
}

function fakeOffice(naa: boolean, answer?: string) {
  const opened: string[] = [];
  const office: OfficeLike = {
    context: {
      requirements: { isSetSupported: (name, version) => naa && name === 'NestedAppAuth' && version === '1.1' },
      ui: {
        displayDialogAsync: (url, _options, callback) => {
          opened.push(url);
          const handlers = new Map<string, (arg: { message?: string; error?: number }) => void>();
          callback({
            status: 'succeeded',
            value: { addEventHandler: (e, h) => void handlers.set(e, h), close: () => undefined },
          });
          if (answer === undefined) handlers.get('dialogEventReceived')?.({ error: 12006 });
          else handlers.get('dialogMessageReceived')?.({ message: answer });
        },
      },
    },
  };
  return { office, opened };
}

const config = {
  clientId: '11111111-2222-3333-4444-555555555555',
  dialogUrl: 'https://localhost:3000/auth-dialog.html',
};

describe('Graph tokens', () => {
  it('nested app authentication: silent, and a popup only when Entra asks for interaction', async () => {
    const ok = fakeMsal('ok');
    const token = await graphTokenSource(config, fakeOffice(true).office, async () => ok.msal);
    expect(await token()).to.equal('silent-token');
    expect(await token({ forceRefresh: true })).to.equal('silent-token');
    expect(ok.calls).to.deep.equal([`create ${config.clientId}`, 'silent', 'silent (refresh)']);

    const interactive = fakeMsal('interaction');
    const t2 = await graphTokenSource(config, fakeOffice(true).office, async () => interactive.msal);
    expect(await t2()).to.equal('popup-token');
    expect(interactive.calls.slice(1)).to.deep.equal(['silent', 'popup']);
  });

  it('any other sign-in failure is an authentication error, without a popup', async () => {
    const broken = fakeMsal('broken');
    const token = await graphTokenSource(config, fakeOffice(true).office, async () => broken.msal);
    let error: unknown;
    await token().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(broken.calls).not.to.include('popup');
  });

  it('without NestedAppAuth 1.1 the dialog signs in, and its token is reused until it expires', async () => {
    const { office, opened } = fakeOffice(
      false,
      JSON.stringify({ accessToken: 'dialog-token', expiresOn: Date.now() + 3600_000 }),
    );
    let loaded = false;
    const token = await graphTokenSource(config, office, async () => {
      loaded = true;
      return fakeMsal('ok').msal;
    });
    expect(await token()).to.equal('dialog-token');
    expect(await token()).to.equal('dialog-token');
    expect(opened).to.deep.equal([config.dialogUrl]);
    expect(loaded, 'MSAL is not loaded for the dialog path').to.equal(false);
  });

  it('a closed sign-in dialog is an authentication error', async () => {
    const token = await graphTokenSource(config, fakeOffice(false).office, async () => fakeMsal('ok').msal);
    let error: unknown;
    await token().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(String(error)).to.include('closed');
  });

  it('the emulator takes the development token of a mailbox', async () => {
    expect(await devTokenSource('demo')()).to.equal('dev:demo');
  });
});

describe('the sign-in page of the dialog fallback', () => {
  const token = (t: string): TokenResultLike => ({
    accessToken: t,
    expiresOn: new Date(Date.UTC(2026, 10, 27, 12)),
    account: { homeAccountId: 'anna' },
  });
  function fakeStandard(options: { back?: string; account?: boolean; silent?: 'ok' | 'interaction' | 'broken' }) {
    const calls: string[] = [];
    const pca: StandardClientLike = {
      handleRedirectPromise: async () => (options.back ? token(options.back) : null),
      getAllAccounts: () => (options.account ? [{ homeAccountId: 'anna' }] : []),
      acquireTokenSilent: async () => {
        calls.push('silent');
        if (options.silent === 'interaction') throw new InteractionRequired('consent needed');
        if (options.silent === 'broken') throw new Error('network down');
        return token('silent-token');
      },
      acquireTokenRedirect: async () => void calls.push('redirect'),
    };
    return { pca, calls };
  }
  const run = async (f: ReturnType<typeof fakeStandard>) => {
    const sent: unknown[] = [];
    const outcome = await runSignInDialog(
      f.pca,
      (text) => sent.push(JSON.parse(text)),
      (e) => e instanceof InteractionRequired,
    );
    return { outcome, sent };
  };

  it('back from Entra: the token goes to the task pane with its expiry', async () => {
    const f = fakeStandard({ back: 'from-redirect' });
    expect(await run(f)).to.deep.equal({
      outcome: 'sent',
      sent: [{ accessToken: 'from-redirect', expiresOn: Date.UTC(2026, 10, 27, 12) }],
    });
    expect(f.calls).to.deep.equal([]);
  });

  it('signed in already: silent, no trip to Entra', async () => {
    const f = fakeStandard({ account: true, silent: 'ok' });
    const r = await run(f);
    expect(r.sent).to.deep.equal([{ accessToken: 'silent-token', expiresOn: Date.UTC(2026, 10, 27, 12) }]);
    expect(f.calls).to.deep.equal(['silent']);
  });

  it('no account, or Entra asks for interaction: the page goes to Entra; other failures are reported', async () => {
    const none = fakeStandard({});
    expect((await run(none)).outcome).to.equal('redirecting');
    expect(none.calls).to.deep.equal(['redirect']);
    const consent = fakeStandard({ account: true, silent: 'interaction' });
    expect(await run(consent)).to.deep.equal({ outcome: 'redirecting', sent: [] });
    expect(consent.calls).to.deep.equal(['silent', 'redirect']);
    const broken = fakeStandard({ account: true, silent: 'broken' });
    expect((await run(broken)).sent).to.deep.equal([{ error: 'Microsoft sign-in failed: network down' }]);
    expect(broken.calls).to.deep.equal(['silent']);
  });
});

describe('opening the Graph connection', () => {
  const noMsal = () => Promise.reject(new Error('MSAL must not load'));
  it('the demo uses the development token on the emulator, and never on Microsoft Graph', async () => {
    const seen: string[] = [];
    const http = await connectOutlook(
      {
        graphUrl: 'http://127.0.0.1:4100/v1.0/',
        devMailbox: 'demo',
        auth: { clientId: 'x' },
        http: {
          fetch: async (url, init) => {
            seen.push(`${String(url)} ${new Headers(init?.headers).get('Authorization')}`);
            return new Response('{"value":[]}', { status: 200 });
          },
        },
      },
      undefined,
      noMsal,
    );
    await http.get('/me/calendars');
    expect(seen).to.deep.equal(['http://127.0.0.1:4100/v1.0/me/calendars Bearer dev:demo']);
    let refused: unknown;
    await connectOutlook({ devMailbox: 'demo', auth: { clientId: 'x' } }, undefined, noMsal).catch(
      (e) => (refused = e),
    );
    expect(String(refused)).to.match(/emulator only/);
  });

  it('Microsoft Graph needs Outlook to sign in', async () => {
    let refused: unknown;
    await connectOutlook({ auth: { clientId: 'x' } }, undefined, noMsal).catch((e) => (refused = e));
    expect(String(refused)).to.match(/needs Outlook/);
  });
});
