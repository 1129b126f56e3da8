// The store contract on the Graph adapter against the Graph emulator (a fresh mailbox per test).
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import { GraphEventStore } from '../../src/adapters/graph/graph-event-store.js';
import { GraphHttp } from '../../src/adapters/graph/graph-http.js';
import { GraphTaskStore } from '../../src/adapters/graph/graph-task-store.js';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';
import { storeContract } from '../contract/store-contract.js';

let emulator: RunningGraphEmulator;
before(async () => {
  emulator = await startGraphEmulator({ defaultPageSize: 3 });
});
after(() => emulator.close());

storeContract('Graph (emulator)', {
  fresh: async (kind) => {
    const mailbox = `contract-${randomUUID().slice(0, 8)}`;
    const http = new GraphHttp({ baseUrl: `${emulator.url}/v1.0`, token: async () => `dev:${mailbox}` });
    if (kind === 'activity') {
      const { value } = await http.get<{ value: { id: string; isDefaultCalendar: boolean }[] }>('/me/calendars');
      return new GraphEventStore(http, value.find((c) => c.isDefaultCalendar)!.id, { pageSize: 2 });
    }
    const { value } = await http.get<{ value: { id: string }[] }>('/me/todo/lists');
    return new GraphTaskStore(http, value[0]!.id, { pageSize: 2 });
  },
});
