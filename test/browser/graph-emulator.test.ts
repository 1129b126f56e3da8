// The Outlook adapter in the browser, cross-origin to the Graph emulator that `npm test` starts for
// karma: the same store contract as in Node (CORS, $batch, delta paging, extended properties).
import { before, describe, it } from 'node:test';
import { expect } from 'chai';
import { GraphEventStore } from '../../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../../src/adapters/graph/graph-http.js';
import { GraphTaskStore } from '../../src/adapters/graph/graph-task-store.js';
import { AuthenticationError } from '../../src/core/errors.js';
import { storeContract } from '../contract/store-contract.js';

// Set by scripts/test.ts (webpack DefinePlugin in karma.conf.cjs).
const GRAPH = process.env.CRM_TEST_GRAPH_URL ?? '';
let mailboxes = 0;

const http = (mailbox: string) => new GraphHttp({ baseUrl: `${GRAPH}/v1.0`, token: async () => `dev:${mailbox}` });

// (A precondition, not a behaviour: without the emulator every test here fails, none passes.)
before(() => {
  expect(GRAPH, 'run the browser tests through npm test, which starts the emulator').to.match(
    /^http:\/\/127\.0\.0\.1:\d+$/,
  );
  expect(new URL(GRAPH).origin, 'the emulator is on another origin').not.to.equal(location.origin);
});

describe('Graph adapter in the browser', () => {
  it('reports a refused token as an authentication error', async () => {
    const bad = new GraphHttp({ baseUrl: `${GRAPH}/v1.0`, token: async () => 'not-a-token' });
    let error: unknown;
    try {
      await bad.get('/me/calendars');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(AuthenticationError);
  });
});

storeContract('Graph adapter ↔ emulator, cross-origin from Chromium', {
  async fresh(kind) {
    const h = http(`browser-${Date.now()}-${++mailboxes}`);
    if (kind === 'activity') {
      const { value } = await h.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
      return new GraphEventStore(h, value.find((c) => c.isDefaultCalendar)!.id, { pageSize: 2 });
    }
    const { value } = await h.get<{ value: { id: string }[] }>('/me/todo/lists');
    return new GraphTaskStore(h, value[0]!.id, { pageSize: 2 });
  },
});
