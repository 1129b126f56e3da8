// The CalDAV store in the browser, cross-origin to the reference gateway that `npm test` starts for
// karma (CORS preflights for PROPFIND, REPORT, PUT and DELETE; ETag read from an exposed header).
// The same store contract as in Node, plus discovery from the bare gateway URL.
import { before, describe, it } from 'node:test';
import { expect } from 'chai';
import { openCalDavStores } from '../../src/adapters/caldav/discover.js';
import { AuthenticationError } from '../../src/core/errors.js';
import { CONTRACT_NOW, storeContract } from '../contract/store-contract.js';

// Set by scripts/test.ts (webpack DefinePlugin in karma.conf.cjs); the users browser1…browser40 exist.
const GATEWAY = process.env.CRM_TEST_GATEWAY_URL ?? '';
let users = 0;

// (A precondition, not a behaviour: without the gateway every test here fails, none passes.)
before(() => {
  expect(GATEWAY, 'run the browser tests through npm test, which starts the gateway').to.match(
    /^http:\/\/127\.0\.0\.1:\d+$/,
  );
  expect(new URL(GATEWAY).origin, 'the gateway is on another origin').not.to.equal(location.origin);
});

describe('CalDAV store in the browser', () => {
  it('reports a wrong password as an authentication error, naming no password', async () => {
    let error: unknown;
    try {
      await openCalDavStores(GATEWAY, { credentials: { username: 'browser1', password: 'wrong-password' } });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(AuthenticationError);
    expect(String(error)).not.to.include('wrong-password');
  });
});

storeContract('CalDAV store ↔ reference gateway, cross-origin from Chromium', {
  async fresh(kind) {
    const user = `browser${++users}`;
    const stores = await openCalDavStores(
      GATEWAY,
      { credentials: { username: user, password: `${user}-pw` } },
      { clock: () => CONTRACT_NOW },
    );
    const store = stores[kind];
    if (!store) throw new Error(`discovery found no ${kind} collection for ${user}`);
    return store;
  },
});
