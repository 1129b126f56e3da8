/**
 * What the gateway keeps: accounts, app tokens, two collections per user (activities, tasks), items
 * stored byte for byte as received next to the fields that are indexed, and a change log per
 * collection that numbers every write (the sync token, RFC 6578). SQLite and PostgreSQL implement it.
 */

export type CollectionName = 'activities' | 'tasks';
export const COLLECTIONS: Record<CollectionName, { component: 'VEVENT' | 'VTODO'; displayName: string }> = {
  activities: { component: 'VEVENT', displayName: 'CRM activities' },
  tasks: { component: 'VTODO', displayName: 'CRM tasks' },
};

export interface ItemIndex {
  readonly uid: string;
  /** First instant the item covers (UTC ms), or null when it has no date. */
  readonly start: number | null;
  /** Last instant it covers, or null when unbounded (an infinite series) or without a date. */
  readonly end: number | null;
  readonly recurring: boolean;
}

export interface StoredItem extends ItemMeta {
  readonly body: string;
}

export interface ItemMeta {
  readonly href: string;
  readonly etag: string;
  readonly index: ItemIndex;
  /** When the gateway stored this version (UTC ms; a put without it: the store's clock). Unknown for objects stored before schema 4. */
  readonly modifiedAt?: number;
}

export interface Collection {
  readonly user: string;
  readonly name: CollectionName;
  /** Number of the last change: the ctag and the sync token. */
  readonly rev: number;
}

export type PutResult =
  | { readonly kind: 'created' | 'updated'; readonly etag: string }
  | { readonly kind: 'precondition-failed' }
  | { readonly kind: 'uid-conflict'; readonly href: string };

export type DeleteResult = 'deleted' | 'not-found' | 'precondition-failed';

export interface Conditions {
  /** `If-Match`: `*` (the item must exist) or one or more strong ETags, comma-separated. */
  readonly ifMatch?: string;
  /** `If-None-Match: *`: the item must not exist. */
  readonly ifNoneMatch?: boolean;
}

/** The values of an items row, in the order of both stores' INSERT (the store's clock when `modifiedAt` is not given). */
export function itemValues(user: string, name: CollectionName, item: StoredItem, rev: number) {
  const i = item.index;
  return [
    user,
    name,
    item.href,
    i.uid,
    item.etag,
    item.body,
    i.start,
    i.end,
    i.recurring ? 1 : 0,
    rev,
    item.modifiedAt ?? Date.now(),
  ];
}

/** Whether `cond` fails against the item's current ETag (undefined: no such item); RFC 9110 §13.1. */
export function preconditionFails(cond: Conditions, current: string | undefined): boolean {
  if (cond.ifNoneMatch && current !== undefined) return true;
  if (cond.ifMatch === undefined) return false;
  if (current === undefined) return true;
  if (cond.ifMatch.trim() === '*') return false;
  return !(cond.ifMatch.match(/"[^"]*"/g) ?? ([] as string[])).includes(current);
}

export interface ChangeList {
  readonly rev: number;
  readonly changed: readonly ItemMeta[];
  readonly removed: readonly string[];
}

export interface AppToken {
  readonly id: string;
  readonly user: string;
  readonly label: string;
  readonly createdAt: number;
}

/** One SQL statement with `?` placeholders (the PostgreSQL store numbers them). */
export interface Statement {
  readonly sql: string;
  readonly params: readonly (string | number | null)[];
}

/**
 * SQL for the sync state (state/accounts.ts), the same statements on both databases: the state's
 * logic is written once over these three ways to run them.
 */
export interface StateSql {
  /** SELECTs in one snapshot; their rows (BIGINT columns may come back as strings: use Number). */
  read(statements: readonly Statement[]): Promise<Record<string, unknown>[][]>;
  /** Runs `guard` (an UPDATE); when it changed a row, `then` in the same transaction. Whether it did. */
  guarded(guard: Statement, then: readonly Statement[]): Promise<boolean>;
  /** One write; the number of rows it changed. */
  run(statement: Statement): Promise<number>;
}

export interface GatewayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The sync state's SQL (issue 15). */
  readonly state: StateSql;
  /** Applies pending schema migrations; returns the schema version. */
  migrate(): Promise<number>;
  close(): Promise<void>;

  addUser(id: string, passwordHash: string): Promise<void>;
  /** A new password; the user's app tokens are revoked with it (one transaction). False: no such user. */
  setPassword(id: string, passwordHash: string): Promise<boolean>;
  passwordHash(id: string): Promise<string | undefined>;
  listUsers(): Promise<string[]>;

  addToken(token: AppToken, secretHash: string): Promise<void>;
  findToken(secretHash: string): Promise<AppToken | undefined>;
  listTokens(user: string): Promise<AppToken[]>;
  revokeToken(user: string, id: string): Promise<boolean>;

  collection(user: string, name: CollectionName): Promise<Collection | undefined>;
  list(user: string, name: CollectionName): Promise<ItemMeta[]>;
  get(user: string, name: CollectionName, hrefs: readonly string[]): Promise<StoredItem[]>;
  put(user: string, name: CollectionName, item: StoredItem, cond: Conditions): Promise<PutResult>;
  delete(user: string, name: CollectionName, href: string, cond: Conditions): Promise<DeleteResult>;
  /** Changes after `rev`; undefined when `rev` is not a token this collection handed out. */
  changesSince(user: string, name: CollectionName, rev: number): Promise<ChangeList | undefined>;
}
