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
