/**
 * The sync state kept by the reference gateway for the CRM user and the Outlook mailbox (issue 15):
 * the engine's StatusStore, ErrorLog and History over the gateway's state API, so that every Outlook the
 * user runs continues from one state. One run at a time: `StateLease` takes the account's lease before
 * a run, renews it while the run writes, and gives it back; each commit names the version it was made
 * on and the lease, and the gateway refuses it when either moved (nothing of it lands).
 *
 * JSON has no Infinity (an infinite series' range end): numbers that are not finite travel as
 * `{"$num": "Infinity"}` and come back as numbers.
 */
import { SyncError } from '../../core/errors.js';
import { isRunWrite } from '../../core/ports/state.js';
import type {
  ErrorLog,
  History,
  HistoryEntry,
  HistoryReader,
  HistoryRecord,
  RunWrite,
  LogEntry,
  StateChange,
  StatusStore,
  SyncState,
} from '../../core/ports/state.js';
import type { Profile } from '../../core/profile/profile.js';
import type { DavHttp } from '../caldav/dav-http.js';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** JSON text of `value` with non-finite numbers kept (`{"$num": "Infinity"}`). */
export const encodeState = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v));

/** `encodeState`'s inverse. */
export const decodeState = <T>(text: string): T =>
  JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$num' in v
      ? Number((v as { $num: string }).$num)
      : v,
  ) as T;

export interface LeaseHolder {
  readonly holder: string;
  readonly expiresAt: number;
  readonly progress: string;
}

/** The account's state API at the gateway: `<origin>/state/<mailbox>`. */
export class StateApi {
  readonly base: string;

  constructor(
    gatewayUrl: string,
    mailbox: string,
    readonly http: DavHttp,
  ) {
    this.base = `${new URL(gatewayUrl).origin}/state/${encodeURIComponent(mailbox.toLowerCase())}`;
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await this.http.fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body !== undefined && JSON_HEADERS), ...headers },
      ...(body !== undefined && { body: encodeState(body) }),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  /** Whether the gateway keeps sync state (the reference gateway does; other CalDAV servers do not). */
  async available(): Promise<boolean> {
    const r = await this.request('GET', '');
    return r.status === 200 && /^\s*\{/.test(r.text);
  }

  /**
   * Mirrors the profile for the work the gateway does for the account: the gateway checks it with the
   * add-in's own validation (@crm-sync/common/profile-validate) and keeps only the schema's fields.
   */
  async mirrorProfile(profile: Profile): Promise<void> {
    const r = await this.request('PUT', '/profile', profile);
    if (r.status === 204) return;
    if (r.status === 422) {
      const { findings } = JSON.parse(r.text) as { findings: { field: string }[] };
      throw new SyncError('profile-refused', { fields: findings.map((f) => f.field).join(', ') });
    }
    throw this.refused('PUT /state/profile', r);
  }

  /** An answer the gateway should not give: an error of the catalogue with its status and text. */
  refused(request: string, r: { status: number; text: string }): SyncError {
    return new SyncError('gateway-refused', { request, status: r.status, detail: r.text.slice(0, 200) });
  }
}

/** The account's status table, journal, tokens, failures and pending list (the engine's StatusStore). */
export class GatewayStatusStore implements StatusStore {
  private version = 0;

  constructor(
    private readonly api: StateApi,
    /** The lease of the run that writes (a store only for reading has none). */
    private readonly lease?: () => string,
  ) {}

  async load(): Promise<SyncState> {
    const r = await this.api.request('GET', '');
    if (r.status !== 200) throw this.api.refused('GET /state', r);
    const state = decodeState<SyncState & { version: number }>(r.text);
    this.version = state.version;
    return {
      rows: state.rows,
      tokens: state.tokens,
      journal: [...state.journal].sort((a, b) => a.startedAt - b.startedAt),
      failures: state.failures,
      pending: state.pending,
    };
  }

  async commit(change: StateChange): Promise<void> {
    const lease = this.lease?.();
    if (!lease) throw new SyncError('internal', { detail: 'a commit outside a run (no lease)' });
    const r = await this.api.request('POST', '/commit', change, {
      'Sync-Lease': lease,
      'If-Match': `"${this.version}"`,
    });
    if (r.status === 200) {
      this.version = (JSON.parse(r.text) as { version: number }).version;
      return;
    }
    if (r.status === 409) throw new SyncError('lease-lost', {});
    if (r.status === 412) throw new SyncError('state-moved', {});
    throw this.api.refused('POST /state/commit', r);
  }
}

export interface RecordQuery {
  readonly levels?: readonly string[];
  readonly search?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** The error log, the history and the run reports of the account. */
export class GatewayRecords<T> {
  constructor(
    private readonly api: StateApi,
    private readonly part: 'log' | 'history' | 'runs',
  ) {}

  async add(value: T | readonly T[]): Promise<void> {
    const r = await this.api.request('POST', `/${this.part}`, value);
    if (r.status !== 204) throw this.api.refused(`POST /state/${this.part}`, r);
  }

  async list(query: RecordQuery = {}): Promise<T[]> {
    const q = new URLSearchParams();
    if (query.levels) q.set('levels', query.levels.join(','));
    if (query.search?.trim()) q.set('search', query.search.trim());
    if (query.limit) q.set('limit', String(query.limit));
    if (query.offset) q.set('offset', String(query.offset));
    const r = await this.api.request('GET', `/${this.part}${q.size ? `?${q}` : ''}`);
    if (r.status !== 200) throw this.api.refused(`GET /state/${this.part}`, r);
    return decodeState<T[]>(r.text);
  }

  async prune(before: number): Promise<number> {
    const r = await this.api.request('DELETE', `/${this.part}?before=${before}`);
    if (r.status !== 200) throw this.api.refused(`DELETE /state/${this.part}`, r);
    return (JSON.parse(r.text) as { removed: number }).removed;
  }
}

export class GatewayLog extends GatewayRecords<LogEntry> implements ErrorLog {
  constructor(api: StateApi) {
    super(api, 'log');
  }
  append(entry: LogEntry): Promise<void> {
    return this.add(entry);
  }
  /** One request for a chunk's lines (the gateway takes an array). */
  appendAll(entries: readonly LogEntry[]): Promise<void> {
    return this.add(entries);
  }
}

/** The gateway's page of records (its largest). */
const PAGE = 1000;
/** Records one POST carries (the gateway takes up to 500). */
const POST_RECORDS = 500;

export class GatewayHistory extends GatewayRecords<HistoryRecord> implements History, HistoryReader {
  constructor(api: StateApi) {
    super(api, 'history');
  }
  put(entry: HistoryEntry): Promise<void> {
    return this.add(entry);
  }
  async putWrites(writes: readonly RunWrite[]): Promise<void> {
    for (let i = 0; i < writes.length; i += POST_RECORDS) await this.add(writes.slice(i, i + POST_RECORDS));
  }
  async versions(limit = 200): Promise<HistoryEntry[]> {
    const found = await this.list({ search: 'version;', limit });
    return found.filter((r): r is HistoryEntry => !isRunWrite(r));
  }
  async writesOf(run: number): Promise<RunWrite[]> {
    const out: RunWrite[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.list({ search: `run:${run};`, limit: PAGE, offset });
      out.push(...page.filter((r): r is RunWrite => isRunWrite(r) && r.run === run));
      if (page.length < PAGE) return out.reverse(); // (the gateway lists newest first)
    }
  }
}

/**
 * The account's lease for one run: taken at the start (or a SyncError 'sync-elsewhere' naming who
 * runs), renewed every third of its time with the run's progress, given back at the end. A renewal the
 * gateway refuses means another device took over: the run's next commit is refused too.
 */
export class StateLease {
  private id?: string;
  private timer?: ReturnType<typeof setInterval>;
  private renewing?: Promise<unknown>;

  constructor(
    private readonly api: StateApi,
    private readonly holder: string,
    private readonly ttlMs = 120_000,
  ) {}

  /** The lease id while the run holds it. */
  readonly current = (): string | undefined => this.id;

  async take(progress: () => string): Promise<void> {
    const r = await this.api.request('POST', '/lease', { holder: this.holder, ttlMs: this.ttlMs });
    if (r.status === 409) {
      const held = JSON.parse(r.text) as LeaseHolder;
      throw new SyncError('sync-elsewhere', { holder: held.holder, untilAt: held.expiresAt, progress: held.progress });
    }
    if (r.status !== 200) throw this.api.refused('POST /state/lease', r);
    this.id = (JSON.parse(r.text) as { lease: string }).lease;
    this.timer = setInterval(() => {
      this.renewing = this.api
        .request('PUT', '/lease', { ttlMs: this.ttlMs, progress: progress() }, { 'Sync-Lease': this.id! })
        .catch(() => undefined); // a missed renewal: the next one, or the commit, tells
    }, this.ttlMs / 3);
  }

  async give(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (!this.id) return;
    const id = this.id;
    this.id = undefined;
    // A lease that cannot be given back expires on its own.
    await this.api.request('DELETE', '/lease', undefined, { 'Sync-Lease': id }).catch(() => undefined);
  }
}
