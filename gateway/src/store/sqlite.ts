/**
 * SQLite storage (better-sqlite3 12) in WAL mode with synchronous=FULL: a write that was answered is
 * on disk, also when the process is killed the next instant. One process owns the file.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
  type StoredItem,
  itemValues,
  preconditionFails,
} from './types.js';

interface ItemRow {
  href: string;
  etag: string;
  body?: string;
  uid: string;
  start_ms: number | null;
  end_ms: number | null;
  recurring: number;
  modified_ms: number | null;
}

const meta = (r: ItemRow): ItemMeta => ({
  href: r.href,
  etag: r.etag,
  index: { uid: r.uid, start: r.start_ms, end: r.end_ms, recurring: r.recurring === 1 },
  ...(r.modified_ms !== null && { modifiedAt: r.modified_ms }),
});

export class SqliteStore implements GatewayStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  /** Prepared once, run many times: compiling the SQL was a large share of a small request's time. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Reads of a large database (10 users × 5,000 items is ~100 MB) stay in memory: a page cache of
    // 64 MiB instead of SQLite's 2 MiB, and the file mapped (up to 1 GiB) instead of read page by page
    // with a system call each (https://sqlite.org/pragma.html#pragma_cache_size, https://sqlite.org/mmap.html).
    this.db.pragma('cache_size = -65536');
    this.db.pragma('mmap_size = 1073741824');
  }

  /** better-sqlite3 is synchronous: each of these runs in one transaction that no other request enters. */
  readonly state: StateSql = {
    read: async (statements) =>
      this.db.transaction(() => statements.map((s) => this.sql(s.sql).all(...s.params) as Record<string, unknown>[]))(),
    guarded: async (guard, then) =>
      this.db
        .transaction(() => {
          if (this.sql(guard.sql).run(...guard.params).changes === 0) return false;
          for (const s of then) this.sql(s.sql).run(...s.params);
          return true;
        })
        .immediate(),
    run: async (s) => this.sql(s.sql).run(...s.params).changes,
  };

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  async migrate(): Promise<number> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    const current = Number(
      (this.sql(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined)?.value ??
        0,
    );
    const apply = this.db.transaction(() => {
      for (let v = current; v < MIGRATIONS.length; v++) for (const sql of MIGRATIONS[v]!) this.db.exec(sql);
      this.sql(
        `INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ).run(String(MIGRATIONS.length));
    });
    if (current < MIGRATIONS.length) apply.immediate();
    return MIGRATIONS.length;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async addUser(id: string, passwordHash: string): Promise<void> {
    this.db
      .transaction(() => {
        this.sql(`INSERT INTO users (id, password_hash, created_at) VALUES (?, ?, ?)`).run(
          id,
          passwordHash,
          Date.now(),
        );
        for (const name of Object.keys(COLLECTIONS))
          this.sql(`INSERT INTO collections (user_id, name) VALUES (?, ?)`).run(id, name);
      })
      .immediate();
  }

  async setPassword(id: string, passwordHash: string): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.sql(`UPDATE users SET password_hash = ? WHERE id = ?`).run(passwordHash, id).changes === 1;
      if (changed) this.sql(`DELETE FROM tokens WHERE user_id = ?`).run(id);
      return changed;
    })();
  }

  async passwordHash(id: string): Promise<string | undefined> {
    return (this.sql(`SELECT password_hash FROM users WHERE id = ?`).get(id) as { password_hash: string } | undefined)
      ?.password_hash;
  }

  async listUsers(): Promise<string[]> {
    return (this.sql(`SELECT id FROM users ORDER BY id`).all() as { id: string }[]).map((r) => r.id);
  }

  async addToken(t: AppToken, secretHash: string): Promise<void> {
    this.sql(`INSERT INTO tokens (id, user_id, label, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)`).run(
      t.id,
      t.user,
      t.label,
      secretHash,
      t.createdAt,
    );
  }

  async findToken(secretHash: string): Promise<AppToken | undefined> {
    const r = this.sql(`SELECT id, user_id, label, created_at FROM tokens WHERE secret_hash = ?`).get(secretHash) as
      { id: string; user_id: string; label: string; created_at: number } | undefined;
    return r && { id: r.id, user: r.user_id, label: r.label, createdAt: r.created_at };
  }

  async listTokens(user: string): Promise<AppToken[]> {
    return (
      this.sql(`SELECT id, label, created_at FROM tokens WHERE user_id = ? ORDER BY created_at`).all(user) as {
        id: string;
        label: string;
        created_at: number;
      }[]
    ).map((r) => ({ id: r.id, user, label: r.label, createdAt: r.created_at }));
  }

  async revokeToken(user: string, id: string): Promise<boolean> {
    return this.sql(`DELETE FROM tokens WHERE user_id = ? AND id = ?`).run(user, id).changes === 1;
  }

  async collection(user: string, name: CollectionName): Promise<Collection | undefined> {
    const r = this.sql(`SELECT rev FROM collections WHERE user_id = ? AND name = ?`).get(user, name) as
      { rev: number } | undefined;
    return r && { user, name, rev: r.rev };
  }

  async list(user: string, name: CollectionName): Promise<ItemMeta[]> {
    return (
      this.sql(
        `SELECT href, etag, uid, start_ms, end_ms, recurring, modified_ms FROM items WHERE user_id = ? AND collection = ? ORDER BY href`,
      ).all(user, name) as ItemRow[]
    ).map(meta);
  }

  async get(user: string, name: CollectionName, hrefs: readonly string[]): Promise<StoredItem[]> {
    const stmt = this.sql(
      `SELECT href, etag, body, uid, start_ms, end_ms, recurring, modified_ms FROM items WHERE user_id = ? AND collection = ? AND href = ?`,
    );
    const out: StoredItem[] = [];
    for (const href of hrefs) {
      const r = stmt.get(user, name, href) as ItemRow | undefined;
      if (r) out.push({ ...meta(r), body: r.body! });
    }
    return out;
  }

  async put(user: string, name: CollectionName, item: StoredItem, cond: Conditions): Promise<PutResult> {
    const run = this.db.transaction((): PutResult => {
      const existing = this.sql(`SELECT etag FROM items WHERE user_id = ? AND collection = ? AND href = ?`).get(
        user,
        name,
        item.href,
      ) as { etag: string } | undefined;
      if (preconditionFails(cond, existing?.etag)) return { kind: 'precondition-failed' };
      const clash = this.sql(
        `SELECT href FROM items WHERE user_id = ? AND collection = ? AND uid = ? AND href <> ?`,
      ).get(user, name, item.index.uid, item.href) as { href: string } | undefined;
      if (clash) return { kind: 'uid-conflict', href: clash.href };
      const { rev } = this.sql(`UPDATE collections SET rev = rev + 1 WHERE user_id = ? AND name = ? RETURNING rev`).get(
        user,
        name,
      ) as { rev: number };
      this.sql(
        `INSERT INTO items (user_id, collection, href, uid, etag, body, start_ms, end_ms, recurring, rev, modified_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (user_id, collection, href) DO UPDATE SET uid = excluded.uid, etag = excluded.etag,
             body = excluded.body, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
             recurring = excluded.recurring, rev = excluded.rev, modified_ms = excluded.modified_ms`,
      ).run(...itemValues(user, name, item, rev));
      this.sql(`DELETE FROM tombstones WHERE user_id = ? AND collection = ? AND href = ?`).run(user, name, item.href);
      return { kind: existing ? 'updated' : 'created', etag: item.etag };
    });
    return run.immediate();
  }

  async delete(user: string, name: CollectionName, href: string, cond: Conditions): Promise<DeleteResult> {
    const run = this.db.transaction((): DeleteResult => {
      const existing = this.sql(`SELECT etag FROM items WHERE user_id = ? AND collection = ? AND href = ?`).get(
        user,
        name,
        href,
      ) as { etag: string } | undefined;
      if (!existing) return 'not-found';
      if (preconditionFails(cond, existing.etag)) return 'precondition-failed';
      const { rev } = this.sql(`UPDATE collections SET rev = rev + 1 WHERE user_id = ? AND name = ? RETURNING rev`).get(
        user,
        name,
      ) as { rev: number };
      this.sql(`DELETE FROM items WHERE user_id = ? AND collection = ? AND href = ?`).run(user, name, href);
      this.sql(
        `INSERT INTO tombstones (user_id, collection, href, rev) VALUES (?, ?, ?, ?)
           ON CONFLICT (user_id, collection, href) DO UPDATE SET rev = excluded.rev`,
      ).run(user, name, href, rev);
      return 'deleted';
    });
    return run.immediate();
  }

  async changesSince(user: string, name: CollectionName, since: number): Promise<ChangeList | undefined> {
    const read = this.db.transaction((): ChangeList | undefined => {
      const c = this.sql(`SELECT rev FROM collections WHERE user_id = ? AND name = ?`).get(user, name) as
        { rev: number } | undefined;
      if (!c || since < 0 || since > c.rev) return undefined;
      const changed = (
        this.sql(
          `SELECT href, etag, uid, start_ms, end_ms, recurring, modified_ms FROM items WHERE user_id = ? AND collection = ? AND rev > ? ORDER BY rev`,
        ).all(user, name, since) as ItemRow[]
      ).map(meta);
      const removed = (
        this.sql(`SELECT href FROM tombstones WHERE user_id = ? AND collection = ? AND rev > ? ORDER BY rev`).all(
          user,
          name,
          since,
        ) as { href: string }[]
      ).map((r) => r.href);
      return { rev: c.rev, changed, removed };
    });
    return read.deferred();
  }
}
