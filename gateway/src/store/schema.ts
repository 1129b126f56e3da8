/**
 * The schema, as numbered migrations shared by SQLite and PostgreSQL (the statements are the subset
 * of SQL both accept; `BIGINT` holds milliseconds). The version lives in `meta`.
 */
export const MIGRATIONS: readonly (readonly string[])[] = [
  // 1: accounts, collections, items with their indexed fields, tombstones for sync-collection.
  [
    `CREATE TABLE users (id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at BIGINT NOT NULL)`,
    `CREATE TABLE collections (
       user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       name TEXT NOT NULL,
       rev BIGINT NOT NULL DEFAULT 0,
       PRIMARY KEY (user_id, name))`,
    `CREATE TABLE items (
       user_id TEXT NOT NULL,
       collection TEXT NOT NULL,
       href TEXT NOT NULL,
       uid TEXT NOT NULL,
       etag TEXT NOT NULL,
       body TEXT NOT NULL,
       start_ms BIGINT,
       end_ms BIGINT,
       recurring INTEGER NOT NULL,
       rev BIGINT NOT NULL,
       PRIMARY KEY (user_id, collection, href),
       UNIQUE (user_id, collection, uid),
       FOREIGN KEY (user_id, collection) REFERENCES collections(user_id, name) ON DELETE CASCADE)`,
    `CREATE INDEX items_rev ON items (user_id, collection, rev)`,
    `CREATE TABLE tombstones (
       user_id TEXT NOT NULL,
       collection TEXT NOT NULL,
       href TEXT NOT NULL,
       rev BIGINT NOT NULL,
       PRIMARY KEY (user_id, collection, href))`,
    `CREATE INDEX tombstones_rev ON tombstones (user_id, collection, rev)`,
  ],
  // 2: revocable app tokens (only a hash of the secret is kept).
  [
    `CREATE TABLE tokens (
       id TEXT PRIMARY KEY,
       user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       label TEXT NOT NULL,
       secret_hash TEXT NOT NULL UNIQUE,
       created_at BIGINT NOT NULL)`,
  ],
];

export const SCHEMA_VERSION = MIGRATIONS.length;
