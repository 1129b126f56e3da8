/**
 * PostgreSQL storage: several gateway processes can share one database. Writes to a collection are
 * serialised by a row lock on the collection (its `rev` numbers the changes), so sync tokens stay
 * strictly ordered across processes; migrations run under an advisory lock.
 */
import pg from 'pg';
import { MIGRATIONS } from './schema.js';
import {
  COLLECTIONS,
  type AppToken,
  type ChangeList,
  type Collection,
  type CollectionName,
  type Conditions,
  type DeleteResult,
  type GatewayStore,
  type ItemMeta,
  type PutResult,
  type StateSql,
  type Statement,
  type StoredItem,
  itemValues,
  preconditionFails,
} from './types.js';

interface ItemRow {
  href: string;
  etag: string;
  body?: string;
  uid: string;
  start_ms: string | null;
  end_ms: string | null;
  recurring: number;
  modified_ms: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const meta = (r: ItemRow): ItemMeta => ({
  href: r.href,
  etag: r.etag,
  index: { uid: r.uid, start: num(r.start_ms), end: num(r.end_ms), recurring: r.recurring === 1 },
  ...(r.modified_ms !== null && { modifiedAt: Number(r.modified_ms) }),
});

const MIGRATION_LOCK = 4_711_000;

/** A statement with `?` placeholders in PostgreSQL's numbered form. */
const numbered = (s: Statement): [string, (string | number | null)[]] => {
  let n = 0;
  return [s.sql.replace(/\?/g, () => `$${++n}`), [...s.params]];
};

/** Thrown inside a transaction to undo it and answer `result` (a failed precondition, say). */
class Rollback {
  constructor(readonly result: unknown) {}
}

export class PostgresStore implements GatewayStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its connection must not take the process down.
    this.pool.on('error', () => undefined);
  }

  readonly state: StateSql = {
    read: (statements) =>
      this.tx(async (c) => {
        await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const out: Record<string, unknown>[][] = [];
        for (const s of statements) out.push((await c.query(...numbered(s))).rows as Record<string, unknown>[]);
        return out;
      }),
    guarded: (guard, then) =>
      this.tx(async (c) => {
        if (!(await c.query(...numbered(guard))).rowCount) throw new Rollback(false);
        for (const s of then) await c.query(...numbered(s));
        return true;
      }),
    run: async (s) => (await this.pool.query(...numbered(s))).rowCount ?? 0,
  };

  /** Runs `fn` in a transaction; `fn` may throw a Rollback to undo everything and answer its result. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (error instanceof Rollback) return error.result as T;
      throw error;
    } finally {
      c.release();
    }
  }

  async migrate(): Promise<number> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      const r = await c.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
      const current = Number(r.rows[0]?.value ?? 0);
      for (let v = current; v < MIGRATIONS.length; v++) for (const sql of MIGRATIONS[v]!) await c.query(sql);
      await c.query(
        `INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(MIGRATIONS.length)],
      );
    });
    return MIGRATIONS.length;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async addUser(id: string, passwordHash: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query(`INSERT INTO users (id, password_hash, created_at) VALUES ($1, $2, $3)`, [
        id,
        passwordHash,
        Date.now(),
      ]);
      for (const name of Object.keys(COLLECTIONS))
        await c.query(`INSERT INTO collections (user_id, name) VALUES ($1, $2)`, [id, name]);
    });
  }

  async setPassword(id: string, passwordHash: string): Promise<boolean> {
    // (One statement: the tokens go in the same transaction as the password changes.)
    const r = await this.pool.query(
      `WITH changed AS (UPDATE users SET password_hash = $1 WHERE id = $2 RETURNING id),
            revoked AS (DELETE FROM tokens WHERE user_id IN (SELECT id FROM changed))
       SELECT id FROM changed`,
      [passwordHash, id],
    );
    return r.rowCount === 1;
  }

  async passwordHash(id: string): Promise<string | undefined> {
    const r = await this.pool.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE id = $1`, [id]);
    return r.rows[0]?.password_hash;
  }

  async listUsers(): Promise<string[]> {
    return (await this.pool.query<{ id: string }>(`SELECT id FROM users ORDER BY id`)).rows.map((r) => r.id);
  }

  async addToken(t: AppToken, secretHash: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO tokens (id, user_id, label, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [t.id, t.user, t.label, secretHash, t.createdAt],
    );
  }

  async findToken(secretHash: string): Promise<AppToken | undefined> {
    const r = await this.pool.query<{ id: string; user_id: string; label: string; created_at: string }>(
      `SELECT id, user_id, label, created_at FROM tokens WHERE secret_hash = $1`,
      [secretHash],
    );
    const t = r.rows[0];
    return t && { id: t.id, user: t.user_id, label: t.label, createdAt: Number(t.created_at) };
  }

  async listTokens(user: string): Promise<AppToken[]> {
    const r = await this.pool.query<{ id: string; label: string; created_at: string }>(
      `SELECT id, label, created_at FROM tokens WHERE user_id = $1 ORDER BY created_at`,
      [user],
    );
    return r.rows.map((t) => ({ id: t.id, user, label: t.label, createdAt: Number(t.created_at) }));
  }

  async revokeToken(user: string, id: string): Promise<boolean> {
    return (await this.pool.query(`DELETE FROM tokens WHERE user_id = $1 AND id = $2`, [user, id])).rowCount === 1;
  }

  async collection(user: string, name: CollectionName): Promise<Collection | undefined> {
    const r = await this.pool.query<{ rev: string }>(`SELECT rev FROM collections WHERE user_id = $1 AND name = $2`, [
      user,
      name,
    ]);
    return r.rows[0] && { user, name, rev: Number(r.rows[0].rev) };
  }

  async list(user: string, name: CollectionName): Promise<ItemMeta[]> {
    const r = await this.pool.query<ItemRow>(
      `SELECT href, etag, uid, start_ms, end_ms, recurring, modified_ms FROM items WHERE user_id = $1 AND collection = $2 ORDER BY href`,
      [user, name],
    );
    return r.rows.map(meta);
  }

  async get(user: string, name: CollectionName, hrefs: readonly string[]): Promise<StoredItem[]> {
    if (hrefs.length === 0) return [];
    const r = await this.pool.query<ItemRow>(
      `SELECT href, etag, body, uid, start_ms, end_ms, recurring, modified_ms FROM items
       WHERE user_id = $1 AND collection = $2 AND href = ANY($3)`,
      [user, name, [...hrefs]],
    );
    const byHref = new Map(r.rows.map((row) => [row.href, row]));
    return hrefs.flatMap((h) => {
      const row = byHref.get(h);
      return row ? [{ ...meta(row), body: row.body! }] : [];
    });
  }

  /** Locks the collection row (serialising writers across processes) and returns the next rev. */
  private async nextRev(c: pg.PoolClient, user: string, name: CollectionName): Promise<number> {
    const r = await c.query<{ rev: string }>(
      `UPDATE collections SET rev = rev + 1 WHERE user_id = $1 AND name = $2 RETURNING rev`,
      [user, name],
    );
    return Number(r.rows[0]!.rev);
  }

  async put(user: string, name: CollectionName, item: StoredItem, cond: Conditions): Promise<PutResult> {
    return this.tx(async (c): Promise<PutResult> => {
      // Lock first: the checks below then see every write committed before ours.
      const rev = await this.nextRev(c, user, name);
      const existing = (
        await c.query<{ etag: string }>(`SELECT etag FROM items WHERE user_id = $1 AND collection = $2 AND href = $3`, [
          user,
          name,
          item.href,
        ])
      ).rows[0];
      const fail = (result: PutResult): never => {
        throw new Rollback(result);
      };
      if (preconditionFails(cond, existing?.etag)) return fail({ kind: 'precondition-failed' });
      const clash = (
        await c.query<{ href: string }>(
          `SELECT href FROM items WHERE user_id = $1 AND collection = $2 AND uid = $3 AND href <> $4`,
          [user, name, item.index.uid, item.href],
        )
      ).rows[0];
      if (clash) return fail({ kind: 'uid-conflict', href: clash.href });
      await c.query(
        `INSERT INTO items (user_id, collection, href, uid, etag, body, start_ms, end_ms, recurring, rev, modified_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (user_id, collection, href) DO UPDATE SET uid = excluded.uid, etag = excluded.etag,
           body = excluded.body, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
           recurring = excluded.recurring, rev = excluded.rev, modified_ms = excluded.modified_ms`,
        itemValues(user, name, item, rev),
      );
      await c.query(`DELETE FROM tombstones WHERE user_id = $1 AND collection = $2 AND href = $3`, [
        user,
        name,
        item.href,
      ]);
      return { kind: existing ? 'updated' : 'created', etag: item.etag };
    });
  }

  async delete(user: string, name: CollectionName, href: string, cond: Conditions): Promise<DeleteResult> {
    return this.tx(async (c): Promise<DeleteResult> => {
      const rev = await this.nextRev(c, user, name);
      const existing = (
        await c.query<{ etag: string }>(`SELECT etag FROM items WHERE user_id = $1 AND collection = $2 AND href = $3`, [
          user,
          name,
          href,
        ])
      ).rows[0];
      const outcome: DeleteResult = !existing
        ? 'not-found'
        : preconditionFails(cond, existing.etag)
          ? 'precondition-failed'
          : 'deleted';
      if (outcome !== 'deleted') throw new Rollback(outcome);
      await c.query(`DELETE FROM items WHERE user_id = $1 AND collection = $2 AND href = $3`, [user, name, href]);
      await c.query(
        `INSERT INTO tombstones (user_id, collection, href, rev) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, collection, href) DO UPDATE SET rev = excluded.rev`,
        [user, name, href, rev],
      );
      return 'deleted';
    });
  }

  async changesSince(user: string, name: CollectionName, since: number): Promise<ChangeList | undefined> {
    // One snapshot for the three reads: the token returned covers exactly the changes listed.
    return this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const col = (
        await c.query<{ rev: string }>(`SELECT rev FROM collections WHERE user_id = $1 AND name = $2`, [user, name])
      ).rows[0];
      if (!col || since < 0 || since > Number(col.rev)) return undefined;
      const changed = (
        await c.query<ItemRow>(
          `SELECT href, etag, uid, start_ms, end_ms, recurring, modified_ms FROM items
           WHERE user_id = $1 AND collection = $2 AND rev > $3 ORDER BY rev`,
          [user, name, since],
        )
      ).rows.map(meta);
      const removed = (
        await c.query<{ href: string }>(
          `SELECT href FROM tombstones WHERE user_id = $1 AND collection = $2 AND rev > $3 ORDER BY rev`,
          [user, name, since],
        )
      ).rows.map((r) => r.href);
      return { rev: Number(col.rev), changed, removed };
    });
  }
}
