/**
 * The HTTP layer under tsdav: one `fetch` that adds the logon, enforces a timeout, counts requests and
 * bytes for the sync report, and turns the answers every request can get into the core's errors —
 * 401 → AuthenticationError, 429/503 → ThrottledError honouring Retry-After (RFC 9110 §10.2.3), a
 * network failure or timeout → UnreachableError naming the server. Credentials go in the Authorization
 * header only, never in a URL or a message.
 */
import { AuthenticationError, ThrottledError, UnreachableError } from '../../core/errors.js';
import type { Side } from '../../core/sync/types.js';
import { retryAfter } from '../http/retry-after.js';

export type DavCredentials =
  | { readonly username: string; readonly password: string }
  /** A revocable gateway app token (POST /auth/token), so that the add-in need not keep the password. */
  | { readonly token: string };

export interface DavHttpOptions {
  readonly credentials: DavCredentials;
  /** Per request; default 30 s. */
  readonly timeoutMs?: number;
  /** Defaults to the global fetch (browser or Node). */
  readonly fetch?: typeof fetch;
  /** Used when a 429/503 carries no Retry-After; default 30 s. */
  readonly defaultRetryAfterMs?: number;
  /** The side the server is on, for the errors (default the CRM; a CalDAV server on both sides: bench:sync). */
  readonly side?: Side;
  /**
   * Requests in flight at once (default 4: the reference gateway serves 4 of a user's requests at once;
   * more only queue there, and Radicale, which writes one at a time, lost time to 20 waiting writes).
   */
  readonly maxInFlight?: number;
}

function basic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`; else `fallback`. */
export function retryAfterMs(value: string | null, now: number, fallback: number): number {
  return retryAfter(value, now) ?? fallback;
}

export class DavHttp {
  private requests = 0;
  private bytes = 0;
  private readonly authorization: string;
  private readonly base: typeof fetch;
  private readonly side: Side;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: DavHttpOptions) {
    this.side = options.side ?? 'crm';
    const c = options.credentials;
    this.authorization = 'token' in c ? `Bearer ${c.token}` : basic(c.username, c.password);
    this.base = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The fetch handed to tsdav and used for plain requests (at most `maxInFlight` at once). */
  readonly fetch: typeof fetch = async (input, init = {}) => {
    const max = this.options.maxInFlight ?? 4;
    while (this.inFlight >= max) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      return await this.send(input, init);
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  };

  private readonly send: typeof fetch = async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init.headers);
    headers.set('Authorization', this.authorization);
    const timeout = this.options.timeoutMs ?? 30_000;
    const body = typeof init.body === 'string' ? init.body : '';
    this.requests++;
    this.bytes += new TextEncoder().encode(body).length;
    let response: Response;
    try {
      response = await this.base(url, {
        ...init,
        headers,
        signal: AbortSignal.timeout(timeout),
        // Cookies would let one user's session leak into another's requests.
        credentials: 'omit',
      });
    } catch (error) {
      const origin = new URL(url).origin;
      if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))
        throw new UnreachableError(this.side, origin, { timeoutMs: timeout }, { cause: error });
      throw new UnreachableError(
        this.side,
        origin,
        { detail: error instanceof Error ? error.message : String(error) },
        { cause: error },
      );
    }
    const length = Number(response.headers.get('Content-Length') ?? NaN);
    if (!Number.isNaN(length)) this.bytes += length;
    if (response.status === 401) throw new AuthenticationError(this.side, '', 401);
    if (response.status === 429 || response.status === 503)
      throw new ThrottledError(
        this.side,
        retryAfterMs(response.headers.get('Retry-After'), Date.now(), this.options.defaultRetryAfterMs ?? 30_000),
        response.status,
      );
    return response;
  };

  stats(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }
}
