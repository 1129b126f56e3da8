/**
 * Requests to Microsoft Graph for one mailbox, with the discipline Graph asks of clients
 * (https://learn.microsoft.com/graph/throttling, https://learn.microsoft.com/graph/json-batching):
 * - at most 4 requests in flight (Outlook's per-mailbox concurrency limit);
 * - 429, 503 and 504 are retried after Retry-After (or exponential backoff with jitter when the answer
 *   has none), also for the requests inside a $batch; after `maxAttempts` a ThrottledError goes to the
 *   engine, which defers the pair to the next run;
 * - 401 asks the token source for a fresh token once, then becomes an AuthenticationError;
 * - requests and bytes are counted for the sync report.
 * The token goes in the Authorization header only, never in a URL or a message.
 */
import { AuthenticationError, SyncError, ThrottledError, UnreachableError } from '../../core/errors.js';
import type { ItemKind } from '../../core/sync/types.js';
import { retryAfter } from '../http/retry-after.js';

export type TokenSource = (options?: { forceRefresh?: boolean }) => Promise<string>;

export interface GraphHttpOptions {
  /** `https://graph.microsoft.com/v1.0`, or the emulator's `/v1.0`. */
  readonly baseUrl: string;
  readonly token: TokenSource;
  readonly fetch?: typeof fetch;
  readonly maxInFlight?: number;
  /** Tries per request before a ThrottledError (default 6). */
  readonly maxAttempts?: number;
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * A Graph answer that is not a success, with Graph's error code (`ErrorItemNotFound`, …): the
 * catalogue's `graph-refused`. Every failing status a caller did not say it handles becomes one.
 */
export class GraphRequestError extends SyncError<'graph-refused'> {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    detail: string,
  ) {
    super('graph-refused', { status, code: graphCode, detail });
    this.name = 'GraphRequestError';
  }
}

export interface GraphResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface BatchRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version root: `/me/events/{id}`. */
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface BatchResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

const RETRY = new Set([429, 503, 504]);
const BATCH_MAX = 20;

/** The error of a failed answer (also a $batch sub-response), from Graph's error body. */
export function errorOf(status: number, body: unknown): GraphRequestError {
  const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new GraphRequestError(status, e?.code ?? 'unknown', e?.message ?? 'no error message');
}

export class GraphHttp {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private requests = 0;
  private bytes = 0;
  private readonly base: typeof fetch;
  private readonly queue: {
    request: BatchRequest;
    resolve: (r: BatchResponse) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private queueTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: GraphHttpOptions) {
    this.base = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  stats(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }

  private sleep(ms: number): Promise<void> {
    return this.options.sleep ? this.options.sleep(ms) : new Promise((r) => setTimeout(r, ms));
  }

  /** Exponential backoff with full jitter for a retry without Retry-After. */
  private backoff(attempt: number): number {
    const cap = Math.min(60_000, 1000 * 2 ** attempt);
    return Math.round(cap / 2 + ((this.options.random ?? Math.random)() * cap) / 2);
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    const max = this.options.maxInFlight ?? 4;
    while (this.inFlight >= max) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.options.baseUrl}${path}`;
  }

  /** One HTTP exchange (no retry). */
  private async once(method: string, path: string, body: unknown, headers: Record<string, string>, fresh: boolean) {
    const token = await this.options.token({ forceRefresh: fresh });
    const text = body === undefined ? undefined : JSON.stringify(body);
    this.requests++;
    this.bytes += text ? new TextEncoder().encode(text).length : 0;
    const timeout = this.options.timeoutMs ?? 60_000;
    let response: Response;
    try {
      response = await this.base(this.url(path), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(text !== undefined && { 'Content-Type': 'application/json' }),
          ...headers,
        },
        ...(text !== undefined && { body: text }),
        signal: AbortSignal.timeout(timeout),
        credentials: 'omit',
      });
    } catch (error) {
      const origin = new URL(this.url(path)).origin;
      throw new UnreachableError(
        'outlook',
        origin,
        error instanceof DOMException && error.name === 'TimeoutError'
          ? { timeoutMs: timeout }
          : { detail: error instanceof Error ? error.message : String(error) },
        { cause: error },
      );
    }
    const raw = await response.text();
    this.bytes += new TextEncoder().encode(raw).length;
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = { error: { code: 'notJson', message: raw.slice(0, 200) } };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /**
   * A request with retries. Resolves with a status below 400, or one of `handled` (the statuses the
   * caller gives a meaning: 404 for "already gone", 412 for a changed version, 410 for an expired delta);
   * any other failure throws an error of the catalogue (GraphRequestError, AuthenticationError,
   * ThrottledError, UnreachableError).
   */
  async request<T = unknown>(
    method: BatchRequest['method'],
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    handled: readonly number[] = [],
  ): Promise<GraphResponse<T>> {
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      const r = await this.slot(() => this.once(method, path, body, headers, fresh));
      if (r.status === 401 && !fresh) {
        fresh = true;
        continue;
      }
      if (r.status === 401 || r.status === 403) throw new AuthenticationError('outlook', '', r.status);
      if (RETRY.has(r.status)) {
        const wait = retryAfter(r.headers.get('Retry-After'), Date.now()) ?? this.backoff(attempt);
        if (attempt + 1 >= (this.options.maxAttempts ?? 6)) throw new ThrottledError('outlook', wait);
        await this.sleep(wait);
        continue;
      }
      if (r.status >= 400 && !handled.includes(r.status)) throw errorOf(r.status, r.body);
      return r as GraphResponse<T>;
    }
  }

  /** GET that must succeed. */
  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    return (await this.request<T>('GET', path, undefined, headers)).body;
  }

  /**
   * Every item of a list answer: its own and those of the pages its `@odata.nextLink` leads to
   * (https://learn.microsoft.com/graph/paging: "continue to call Microsoft Graph with the
   * @odata.nextLink property … until there are no more pages"; Outlook lists answer 10 a page).
   */
  async allPages<T>(
    first: { value?: T[]; '@odata.nextLink'?: string },
    headers: Record<string, string> = {},
  ): Promise<T[]> {
    const out = [...(first.value ?? [])];
    for (let next = first['@odata.nextLink']; next;) {
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.get(next, headers);
      out.push(...(page.value ?? []));
      next = page['@odata.nextLink'];
    }
    return out;
  }

  /**
   * Runs requests through $batch, 20 at a time, and answers in the same order. Sub-requests answered
   * 429/503/504 are sent again (in a new batch) after the longest Retry-After among them.
   */
  async batch(requests: readonly BatchRequest[]): Promise<BatchResponse[]> {
    const out: BatchResponse[] = new Array<BatchResponse>(requests.length);
    let pending = requests.map((_, i) => i);
    for (let attempt = 0; pending.length; attempt++) {
      const retry: number[] = [];
      let wait = 0;
      const chunks: number[][] = [];
      for (let i = 0; i < pending.length; i += BATCH_MAX) chunks.push(pending.slice(i, i + BATCH_MAX));
      await Promise.all(
        chunks.map(async (chunk) => {
          const r = await this.request<{
            responses: { id: string; status: number; body?: unknown; headers?: Record<string, string> }[];
          }>('POST', '/$batch', {
            requests: chunk.map((i) => ({
              id: String(i),
              method: requests[i]!.method,
              url: requests[i]!.url,
              ...(requests[i]!.body !== undefined && {
                body: requests[i]!.body,
                headers: { 'Content-Type': 'application/json', ...requests[i]!.headers },
              }),
              ...(requests[i]!.body === undefined && requests[i]!.headers && { headers: requests[i]!.headers }),
            })),
          });
          for (const sub of r.body.responses) {
            const i = Number(sub.id);
            const headers = Object.fromEntries(
              Object.entries(sub.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
            );
            if (RETRY.has(sub.status)) {
              retry.push(i);
              wait = Math.max(wait, retryAfter(headers['retry-after'], Date.now()) ?? this.backoff(attempt));
            } else out[i] = { status: sub.status, body: sub.body, headers };
          }
        }),
      );
      if (retry.length && attempt + 1 >= (this.options.maxAttempts ?? 6)) throw new ThrottledError('outlook', wait);
      if (retry.length) await this.sleep(wait);
      pending = retry.sort((a, b) => a - b);
    }
    return out;
  }

  /**
   * One request sent in a $batch with the others asked for in the same turn of the event loop (up to
   * 20 a batch): the engine writes a chunk of items at once, and each creation's POST, each read of a
   * series and each occurrence write joins the others' (issue 17: requests per item made a first sync
   * of 10,000 items tens of thousands of requests). Answers like `request`: a status below 400 or one of
   * `handled`, else the error of the catalogue.
   */
  async queued<T = unknown>(request: BatchRequest, handled: readonly number[] = []): Promise<GraphResponse<T>> {
    const r = await this.enqueue(request);
    if (r.status === 401 || r.status === 403) throw new AuthenticationError('outlook', '', r.status);
    if (r.status >= 400 && !handled.includes(r.status)) throw errorOf(r.status, r.body);
    return { status: r.status, body: r.body as T, headers: new Headers(r.headers) };
  }

  /** `batch` whose requests join the queue of `queued`: the answers as they are, in the same order. */
  batchQueued(requests: readonly BatchRequest[]): Promise<BatchResponse[]> {
    return Promise.all(requests.map((r) => this.enqueue(r)));
  }

  private enqueue(request: BatchRequest): Promise<BatchResponse> {
    return new Promise<BatchResponse>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.queue.length >= BATCH_MAX) this.sendQueue();
      else this.queueTimer ??= setTimeout(() => this.sendQueue(), 0);
    });
  }

  private sendQueue(): void {
    clearTimeout(this.queueTimer);
    this.queueTimer = undefined;
    const taken = this.queue.splice(0);
    this.batch(taken.map((t) => t.request)).then(
      (answers) => answers.forEach((a, i) => taken[i]!.resolve(a)),
      (error: unknown) => taken.forEach((t) => t.reject(error)),
    );
  }

  /**
   * One delta round (https://learn.microsoft.com/graph/delta-query-overview): follows nextLink to the
   * deltaLink, handing every entry to `each`. `gone` when the state expired (410): the caller starts
   * over with a full read.
   */
  async readDelta<T>(url: string, prefer: string, kind: ItemKind, each: (entry: T) => void): Promise<string | 'gone'> {
    for (let next = url; ;) {
      const r = await this.request<{ value?: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }>(
        'GET',
        next,
        undefined,
        { Prefer: prefer },
        [410],
      );
      if (r.status === 410) return 'gone';
      for (const entry of r.body.value ?? []) each(entry);
      if (r.body['@odata.nextLink']) next = r.body['@odata.nextLink'];
      else if (r.body['@odata.deltaLink']) return r.body['@odata.deltaLink'];
      else throw new SyncError('delta-incomplete', { kind });
    }
  }
}
