/**
 * The add-in's sync state, kept per CRM user and Outlook mailbox (an "account") so that every Outlook
 * the user runs continues from the same state (issue 15). The gateway does not interpret the state:
 * it stores the add-in's status rows, read tokens, journal, failures and pending list by their keys,
 * and the error log, history and run reports in time order.
 *
 * - **Version (compare-and-swap).** Every commit names the version it was made on; it applies only
 *   if that is still the account's version, and moves it on by one.
 * - **Lease.** One run at a time per account: a run takes the lease (an id, a holder, an expiry),
 *   renews it while it writes, and gives it back; a lease nobody renews expires on its own (a closed
 *   laptop, a killed tab). A commit applies only while its lease is the account's and unexpired, so a
 *   run that lost its lease can no longer write (the lease id is the fencing token).
 * Both checks and the writes are one transaction on SQLite and on PostgreSQL (store/*.ts: StateSql).
 */
import { randomUUID } from 'node:crypto';
import type { Statement, StateSql } from '../store/types.js';

type Json = Record<string, unknown>;

export interface LeaseInfo {
  readonly holder: string;
  readonly expiresAt: number;
  /** What the holder last said about its run ("writing 40 of 120"). */
  readonly progress: string;
}

export interface AccountState {
  readonly version: number;
  readonly rows: readonly Json[];
  readonly tokens: Readonly<Record<string, string>>;
  readonly journal: readonly Json[];
  readonly failures: readonly Json[];
  readonly pending: readonly Json[];
  /** The lease, while one is held and unexpired. */
  readonly lease?: LeaseInfo;
}

/** One atomic change (the add-in's StateChange). */
export interface StateChange {
  readonly upsert?: readonly Json[];
  readonly remove?: readonly string[];
  readonly tokens?: Readonly<Record<string, string | null>>;
  readonly journalAdd?: readonly Json[];
  readonly journalDone?: readonly string[];
  readonly failures?: readonly Json[];
  readonly failuresClear?: readonly string[];
  readonly pending?: readonly Json[];
}

export type RecordPart = 'log' | 'history' | 'runs';

export interface RecordQuery {
  readonly levels?: readonly string[];
  readonly search?: string;
  readonly limit?: number;
  /** Records to skip (the next page). */
  readonly offset?: number;
}

/**
 * What a record's search finds: a log line by its words; a history record by its kind — `run:<start>;`
 * for a run's write (undoing the run lists them), `version;` for a version kept — and its subject.
 */
function searchText(part: RecordPart, value: Json): string | null {
  const words = (...xs: unknown[]) =>
    xs
      .filter((x) => typeof x === 'string')
      .join('\n')
      .toLowerCase();
  if (part === 'log') return words(value.message, value.subject, value.cause);
  if (part !== 'history') return null;
  const item = value.item as Json | undefined;
  return typeof value.write === 'string'
    ? `run:${String(value.run)};\n${words(value.subject)}`
    : `version;\n${words(item?.subject)}`;
}

/** The longest lease a run may ask for: a run renews it; one that stops is waited for at most this. */
export const MAX_LEASE_MS = 10 * 60_000;

const st = (sql: string, ...params: (string | number | null)[]): Statement => ({ sql, params });
const n = (v: unknown) => Number(v ?? 0);

/** Where each keyed entry of the state lives (`part`), and the field its key is in. */
const PART = { rows: 'row', tokens: 'token', journal: 'journal', failures: 'failure', meta: 'meta' } as const;

let sequence = 0;
/** Record ids that sort in the order they were made (within a process; across processes by time). */
const recordId = (now: number) =>
  `${String(now).padStart(15, '0')}-${String(++sequence % 1e9).padStart(9, '0')}-${randomUUID().slice(0, 8)}`;

export class SyncAccounts {
  constructor(private readonly sql: StateSql) {}

  /** Makes the account row (on first use): every entry refers to it. */
  private ensure(user: string, mailbox: string): Promise<number> {
    return this.sql.run(
      st(
        `INSERT INTO sync_accounts (user_id, mailbox) VALUES (?, ?) ON CONFLICT (user_id, mailbox) DO NOTHING`,
        user,
        mailbox,
      ),
    );
  }

  async load(user: string, mailbox: string, now: number): Promise<AccountState> {
    await this.ensure(user, mailbox);
    const [accountRows, entries] = await this.sql.read([
      st(
        `SELECT version, lease_id, lease_holder, lease_expires, lease_progress FROM sync_accounts WHERE user_id = ? AND mailbox = ?`,
        user,
        mailbox,
      ),
      st(
        `SELECT part, key, value FROM sync_entries WHERE user_id = ? AND mailbox = ? ORDER BY part, key`,
        user,
        mailbox,
      ),
    ]);
    const account = accountRows?.[0];
    const state = {
      rows: [] as Json[],
      tokens: {} as Record<string, string>,
      journal: [] as Json[],
      failures: [] as Json[],
      pending: [] as Json[],
    };
    for (const e of entries ?? []) {
      const value = String(e.value);
      if (e.part === PART.tokens) state.tokens[String(e.key)] = value;
      else if (e.part === PART.rows) state.rows.push(JSON.parse(value) as Json);
      else if (e.part === PART.journal) state.journal.push(JSON.parse(value) as Json);
      else if (e.part === PART.failures) state.failures.push(JSON.parse(value) as Json);
      else if (e.part === PART.meta && e.key === 'pending') state.pending.push(...(JSON.parse(value) as Json[]));
    }
    const expires = n(account?.lease_expires);
    return {
      version: n(account?.version),
      ...state,
      ...(account?.lease_id && expires > now
        ? {
            lease: {
              holder: String(account.lease_holder),
              expiresAt: expires,
              progress: String(account.lease_progress),
            },
          }
        : {}),
    };
  }

  /**
   * Takes the lease for `holder` when nobody holds it, it expired, or `holder` holds it already (a
   * second start on the same device: the earlier lease id stops working). Otherwise who holds it.
   */
  async acquire(
    user: string,
    mailbox: string,
    holder: string,
    ttlMs: number,
    now: number,
  ): Promise<{ ok: true; lease: string; expiresAt: number; version: number } | { ok: false; lease: LeaseInfo }> {
    await this.ensure(user, mailbox);
    const lease = randomUUID();
    const expiresAt = now + Math.min(ttlMs, MAX_LEASE_MS);
    await this.sql.run(
      st(
        `UPDATE sync_accounts SET lease_id = ?, lease_holder = ?, lease_expires = ?, lease_progress = ''
         WHERE user_id = ? AND mailbox = ? AND (lease_id IS NULL OR lease_expires <= ? OR lease_holder = ?)`,
        lease,
        holder,
        expiresAt,
        user,
        mailbox,
        now,
        holder,
      ),
    );
    const [rows] = await this.sql.read([
      st(
        `SELECT version, lease_id, lease_holder, lease_expires, lease_progress FROM sync_accounts WHERE user_id = ? AND mailbox = ?`,
        user,
        mailbox,
      ),
    ]);
    const row = rows?.[0];
    if (row?.lease_id === lease) return { ok: true, lease, expiresAt, version: n(row.version) };
    return {
      ok: false,
      lease: {
        holder: String(row?.lease_holder),
        expiresAt: n(row?.lease_expires),
        progress: String(row?.lease_progress),
      },
    };
  }

  /** Moves the lease's expiry on (and records the run's progress); false when it is not this lease any more. */
  async renew(user: string, mailbox: string, lease: string, ttlMs: number, progress: string, now: number) {
    const expiresAt = now + Math.min(ttlMs, MAX_LEASE_MS);
    const changed = await this.sql.run(
      st(
        `UPDATE sync_accounts SET lease_expires = ?, lease_progress = ? WHERE user_id = ? AND mailbox = ? AND lease_id = ?`,
        expiresAt,
        progress.slice(0, 200),
        user,
        mailbox,
        lease,
      ),
    );
    return changed === 1 ? { expiresAt } : undefined;
  }

  async release(user: string, mailbox: string, lease: string): Promise<boolean> {
    const changed = await this.sql.run(
      st(
        `UPDATE sync_accounts SET lease_id = NULL, lease_holder = NULL, lease_expires = 0, lease_progress = ''
         WHERE user_id = ? AND mailbox = ? AND lease_id = ?`,
        user,
        mailbox,
        lease,
      ),
    );
    return changed === 1;
  }

  /**
   * Applies `change` if the account is at `version` and `lease` is its unexpired lease: all of it or
   * nothing. The new version, or why not (the current version, or the lease lost).
   */
  async commit(
    user: string,
    mailbox: string,
    lease: string,
    version: number,
    change: StateChange,
    now: number,
  ): Promise<{ ok: true; version: number } | { ok: false; why: 'version' | 'lease'; version: number }> {
    const key = (part: string, k: string, value: string) =>
      st(
        `INSERT INTO sync_entries (user_id, mailbox, part, key, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, mailbox, part, key) DO UPDATE SET value = excluded.value`,
        user,
        mailbox,
        part,
        k,
        value,
      );
    const drop = (part: string, k: string) =>
      st(`DELETE FROM sync_entries WHERE user_id = ? AND mailbox = ? AND part = ? AND key = ?`, user, mailbox, part, k);
    const writes: Statement[] = [
      ...(change.remove ?? []).map((k) => drop(PART.rows, k)),
      ...(change.upsert ?? []).map((r) => key(PART.rows, String(r.key), JSON.stringify(r))),
      ...Object.entries(change.tokens ?? {}).map(([k, v]) =>
        v === null ? drop(PART.tokens, k) : key(PART.tokens, k, v),
      ),
      ...(change.journalAdd ?? []).map((j) => key(PART.journal, String(j.id), JSON.stringify(j))),
      ...(change.journalDone ?? []).map((id) => drop(PART.journal, id)),
      ...(change.failuresClear ?? []).map((k) => drop(PART.failures, k)),
      ...(change.failures ?? []).map((f) => key(PART.failures, String(f.pairKey), JSON.stringify(f))),
      ...(change.pending ? [key(PART.meta, 'pending', JSON.stringify(change.pending))] : []),
    ];
    const applied = await this.sql.guarded(
      st(
        `UPDATE sync_accounts SET version = version + 1, updated_at = ?
         WHERE user_id = ? AND mailbox = ? AND version = ? AND lease_id = ? AND lease_expires > ?`,
        now,
        user,
        mailbox,
        version,
        lease,
        now,
      ),
      writes,
    );
    if (applied) return { ok: true, version: version + 1 };
    const [found] = await this.sql.read([
      st(`SELECT version, lease_id, lease_expires FROM sync_accounts WHERE user_id = ? AND mailbox = ?`, user, mailbox),
    ]);
    const row = found?.[0];
    const leaseHeld = row?.lease_id === lease && n(row?.lease_expires) > now;
    return { ok: false, why: leaseHeld ? 'version' : 'lease', version: n(row?.version) };
  }

  /**
   * The user's profile as the add-in last mirrored it (checked by the caller: route.ts), for the work
   * the gateway does for the account. Not part of the state's version: saving settings needs no lease.
   */
  async saveProfile(user: string, mailbox: string, profile: Json, now: number): Promise<void> {
    await this.ensure(user, mailbox);
    await this.sql.run(
      st(
        `INSERT INTO sync_entries (user_id, mailbox, part, key, value) VALUES (?, ?, ?, 'profile', ?)
         ON CONFLICT (user_id, mailbox, part, key) DO UPDATE SET value = excluded.value`,
        user,
        mailbox,
        PART.meta,
        JSON.stringify({ profile, savedAt: now }),
      ),
    );
  }

  /** The mirrored profile and when it was saved; undefined before the first. */
  async profile(user: string, mailbox: string): Promise<{ profile: Json; savedAt: number } | undefined> {
    const [rows] = await this.sql.read([
      st(
        `SELECT value FROM sync_entries WHERE user_id = ? AND mailbox = ? AND part = ? AND key = 'profile'`,
        user,
        mailbox,
        PART.meta,
      ),
    ]);
    const value = rows?.[0]?.value;
    return value === undefined ? undefined : (JSON.parse(String(value)) as { profile: Json; savedAt: number });
  }

  /** Every account with a mirrored profile, and the profile (issue 19: the sync worker keeps those that ask for it). */
  async profiles(): Promise<{ user: string; mailbox: string; profile: Json }[]> {
    const [rows] = await this.sql.read([
      st(`SELECT user_id, mailbox, value FROM sync_entries WHERE part = ? AND key = 'profile'`, PART.meta),
    ]);
    return (rows ?? []).map((r) => ({
      user: String(r.user_id),
      mailbox: String(r.mailbox),
      profile: (JSON.parse(String(r.value)) as { profile: Json }).profile,
    }));
  }

  /** Appends a record (a log line, a history entry, a run report); runs keep only the last `keepRuns`. */
  async append(user: string, mailbox: string, part: RecordPart, value: Json, now: number, keepRuns = 50) {
    await this.ensure(user, mailbox);
    const at = typeof value.at === 'number' && Number.isSafeInteger(value.at) ? value.at : now;
    const search = searchText(part, value);
    await this.sql.run(
      st(
        `INSERT INTO sync_records (id, user_id, mailbox, part, at, level, search, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        recordId(now),
        user,
        mailbox,
        part,
        at,
        part === 'log' && typeof value.level === 'string' ? value.level : null,
        search,
        JSON.stringify(value),
      ),
    );
    if (part === 'runs')
      await this.sql.run(
        st(
          `DELETE FROM sync_records WHERE user_id = ? AND mailbox = ? AND part = 'runs' AND id NOT IN
           (SELECT id FROM sync_records WHERE user_id = ? AND mailbox = ? AND part = 'runs' ORDER BY id DESC LIMIT ?)`,
          user,
          mailbox,
          user,
          mailbox,
          keepRuns,
        ),
      );
  }

  /** Records of `part`, newest first (runs: oldest first, as the chart reads them). */
  async list(user: string, mailbox: string, part: RecordPart, query: RecordQuery = {}): Promise<Json[]> {
    const where = [`user_id = ?`, `mailbox = ?`, `part = ?`];
    const params: (string | number)[] = [user, mailbox, part];
    if (query.levels?.length) {
      where.push(`level IN (${query.levels.map(() => '?').join(', ')})`);
      params.push(...query.levels);
    }
    if (query.search) {
      where.push(`search LIKE ? ESCAPE '\\'`);
      params.push(`%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const limit = Math.max(1, Math.min(query.limit ?? 200, 1000));
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const [rows] = await this.sql.read([
      st(
        `SELECT value FROM sync_records WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ? OFFSET ?`,
        ...params,
        limit,
        offset,
      ),
    ]);
    const out = rows!.map((r) => JSON.parse(String(r.value)) as Json);
    return part === 'runs' ? out.reverse() : out;
  }

  /** Removes records of `part` older than `before`; how many. */
  prune(user: string, mailbox: string, part: RecordPart, before: number): Promise<number> {
    return this.sql.run(
      st(
        `DELETE FROM sync_records WHERE user_id = ? AND mailbox = ? AND part = ? AND at < ?`,
        user,
        mailbox,
        part,
        before,
      ),
    );
  }
}
