// The store contract on the memory store, the reference the property suites run on.
import { MemoryStore } from '../../src/adapters/memory/memory-store.js';
import { storeContract } from './store-contract.js';

storeContract('memory', { fresh: async (kind) => new MemoryStore('crm', kind) });
