// A sync set-up on memory stores: both sides, both kinds, the state ports, a settable clock.
import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { MemoryHistory, MemoryLog, MemoryStatusStore } from '../../../src/adapters/memory/memory-state.js';
import type { Profile } from '../../../src/core/profile/profile.js';
import { runSync, type RunOptions, type SyncDeps } from '../../../src/core/sync/engine.js';
import type { ItemKind, Side } from '../../../src/core/sync/types.js';
import { NOW } from './plan-fixtures.js';

/**
 * The process dies at the first status commit that records a write (after the write itself), and
 * nothing is committed from then on — until `beforeCommit` is cleared (a restart).
 */
export function dieAtCommit(state: MemoryStatusStore): void {
  let dead = false;
  state.beforeCommit = (c) => {
    if (dead || c.upsert?.length) {
      dead = true;
      throw new Error('process killed');
    }
  };
}

export class Harness {
  now = NOW;
  readonly clock = () => this.now;
  readonly stores: Record<Side, Record<ItemKind, MemoryStore>> = {
    outlook: {
      activity: new MemoryStore('outlook', 'activity', this.clock),
      task: new MemoryStore('outlook', 'task', this.clock),
    },
    crm: {
      activity: new MemoryStore('crm', 'activity', this.clock),
      task: new MemoryStore('crm', 'task', this.clock),
    },
  };
  // (Not readonly: the model-based test's second device brings its own.)
  state = new MemoryStatusStore();
  log = new MemoryLog();
  history = new MemoryHistory();
  userExit?: SyncDeps['userExit'];
  /** Stores of other folders of a side (`side:kind:folder`), for a move of the synchronized items. */
  readonly folders = new Map<string, MemoryStore>();
  readonly phases: string[] = [];

  deps(): SyncDeps {
    return {
      stores: this.stores,
      state: this.state,
      log: this.log,
      history: this.history,
      clock: this.clock,
      ...(this.userExit && { userExit: this.userExit }),
      onProgress: (p) => this.phases.push(p.phase),
      storeIn: (side, kind, folder) => {
        // (Any folder of the mailbox: also the one the profile names now.)
        const current = this.stores[side][kind];
        const store = current.folder === folder ? current : this.folders.get(`${side}:${kind}:${folder}`);
        if (!store) throw new Error(`no ${side} folder ${folder} for ${kind === 'activity' ? 'activities' : 'tasks'}`);
        return store;
      },
    };
  }

  sync(profile: Profile, options?: RunOptions) {
    return runSync(this.deps(), profile, options);
  }
}
