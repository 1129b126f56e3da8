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
  // 3: the add-in's sync state per CRM user and Outlook mailbox (issue 15): the account row with its
  // version (compare-and-swap) and its lease; keyed entries (status rows, read tokens, journal,
  // failures, the pending list); records in time order (error log, history, runs).
  [
    `CREATE TABLE sync_accounts (
       user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
       mailbox TEXT NOT NULL,
       version BIGINT NOT NULL DEFAULT 0,
       lease_id TEXT,
       lease_holder TEXT,
       lease_expires BIGINT NOT NULL DEFAULT 0,
       lease_progress TEXT NOT NULL DEFAULT '',
       updated_at BIGINT NOT NULL DEFAULT 0,
       PRIMARY KEY (user_id, mailbox))`,
    `CREATE TABLE sync_entries (
       user_id TEXT NOT NULL,
       mailbox TEXT NOT NULL,
       part TEXT NOT NULL,
       key TEXT NOT NULL,
       value TEXT NOT NULL,
       PRIMARY KEY (user_id, mailbox, part, key),
       FOREIGN KEY (user_id, mailbox) REFERENCES sync_accounts(user_id, mailbox) ON DELETE CASCADE)`,
    `CREATE TABLE sync_records (
       id TEXT PRIMARY KEY,
       user_id TEXT NOT NULL,
       mailbox TEXT NOT NULL,
       part TEXT NOT NULL,
       at BIGINT NOT NULL,
       level TEXT,
       search TEXT,
       value TEXT NOT NULL,
       FOREIGN KEY (user_id, mailbox) REFERENCES sync_accounts(user_id, mailbox) ON DELETE CASCADE)`,
    `CREATE INDEX sync_records_at ON sync_records (user_id, mailbox, part, at)`,
  ],
  // 4: when the gateway stored each object (issue 16: DAV:getlastmodified); unknown for older ones.
  [`ALTER TABLE items ADD COLUMN modified_ms BIGINT`],
];

export const SCHEMA_VERSION = MIGRATIONS.length;
