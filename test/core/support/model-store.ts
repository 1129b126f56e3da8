// What the model-based test needs of a store: the store port the engine syncs through, what a user
// does directly in it (create, edit, delete, move), a synchronous view of what it holds for the checks,
// and fault hooks. The memory store is one (test/core); the real adapters on the gateway and the
// Graph emulator are the other (test/node/support/model-adapters.ts).
import type { Item } from '../../../src/core/model/item.js';
import type { StorePort } from '../../../src/core/ports/store.js';
import type { WriteOp } from '../../../src/adapters/memory/memory-store.js';

/** Fault hooks: throw from them to make a call fail before (or after) it took effect. */
export interface ModelFaults {
  /** May return the promise of a user's write made in between (a precondition that will fail). */
  beforeWrite?(op: WriteOp, id: string | undefined): void | Promise<void>;
  afterWrite?(op: WriteOp, id: string): void;
  beforeRead?(): void;
}

export interface ModelStore extends StorePort {
  faults: ModelFaults;
  /** What the store holds now (for the adapters: as last read, which every write keeps current). */
  all(): readonly { readonly id: string; readonly version: string; readonly item: Item }[];
  get(id: string): Item | undefined;
  /** Adds an item as the user would; returns its id. */
  insert(item: Item): string | Promise<string>;
  /** Overwrites an item as the user would (no precondition). */
  write(id: string, item: Item): void | Promise<void>;
  /** Deletes an item as the user would. */
  remove(id: string): void | Promise<void>;
  /** Gives an item a new id, as a move between folders does (rule 10). */
  renumber(id: string): string | undefined | Promise<string | undefined>;
}
