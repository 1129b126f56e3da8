/** Opens the store a `--db` value names: a `postgres://` URL, or a SQLite file path. */
import type { GatewayStore } from './types.js';

export const DEFAULT_DB = '.data/gateway.sqlite';

export async function openStore(db: string = DEFAULT_DB): Promise<GatewayStore> {
  const store: GatewayStore = /^postgres(ql)?:\/\//.test(db)
    ? new (await import('./postgres.js')).PostgresStore(db)
    : new (await import('./sqlite.js')).SqliteStore(db);
  await store.migrate();
  return store;
}
