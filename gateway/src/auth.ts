/**
 * Accounts: scrypt password hashes, app tokens (only their SHA-256 is stored), throttling of failed
 * logons (Authenticator, below). A successful check is remembered for a few minutes in memory so
 * that every request does not pay for scrypt.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import PQueue from 'p-queue';
import type { AppToken, GatewayStore } from './store/types.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

const slowDown = (ms: number): AuthResult => ({
  ok: false,
  status: 429,
  retryAfterS: Math.ceil(ms / 1000),
  reason: 'too many failed logons from this client: wait and try again',
});

export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

export interface Throttle {
  /** Consecutive failures of one user from one client before it must slow down. */
  readonly maxFailures: number;
  /** Failures from one address (many users behind one office NAT) before unknown clients there slow down. */
  readonly maxFailuresPerAddress: number;
  /** First wait; doubles with each further failure, up to `maxLockMs`. */
  readonly lockMs: number;
  readonly maxLockMs: number;
  /** How long an address where the user logged on stays a known client of that user. */
  readonly knownForMs: number;
  /** Password checks (scrypt) at once; each holds a libuv thread for about 50 ms. */
  readonly hashConcurrency: number;
  /** Checks waiting beyond those; more are answered 503 with Retry-After. */
  readonly hashQueue: number;
}

export const DEFAULT_THROTTLE: Throttle = {
  maxFailures: 5,
  maxFailuresPerAddress: 50,
  lockMs: 30_000,
  maxLockMs: 15 * 60_000,
  knownForMs: 30 * 86_400_000,
  hashConcurrency: 2,
  hashQueue: 64,
};

export type AuthResult =
  | { readonly ok: true; readonly user: string; readonly via: 'password' | 'token' }
  | { readonly ok: false; readonly status: 401 | 429 | 503; readonly retryAfterS?: number; readonly reason: string };

interface Failures {
  count: number;
  lockedUntil: number;
  lastAt: number;
}

/**
 * Logon checks, throttled as the OWASP authentication cheat sheet and NIST SP 800-63B §5.2.2 advise
 * (issue 16, points 3 and 4): failures slow down the client that makes them — per user and client
 * (address), per user from clients it has not logged on from, per address — with waits that double
 * (429 and Retry-After), never a lock-out of the user: the right password from an address where the
 * user logged on before always gets through. Bad app tokens slow down only further bad tokens from
 * their address (a token is 256 random bits: it is looked up, never guessed). Password checks (scrypt)
 * run a few at a time; clients known to the user go first, and a full queue answers 503.
 */
export class Authenticator {
  private readonly failures = new Map<string, Failures>();
  private readonly verified = new Map<string, number>();
  /** Per user: the addresses it logged on from, and until when they count as known. */
  private readonly known = new Map<string, Map<string, number>>();
  /** Checks in progress: parallel requests with the same credentials share one scrypt. */
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly hashing: PQueue;
  private readonly throttle: Throttle;

  constructor(
    private readonly store: GatewayStore,
    throttle: Partial<Throttle> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.throttle = { ...DEFAULT_THROTTLE, ...throttle };
    this.hashing = new PQueue({ concurrency: this.throttle.hashConcurrency });
  }

  /** Checks an Authorization header (Basic user:password, or Bearer app token). */
  async check(header: string | undefined, address: string): Promise<AuthResult> {
    if (!header) return { ok: false, status: 401, reason: 'credentials required' };
    const [scheme, value = ''] = header.split(' ', 2);
    if (/^bearer$/i.test(scheme ?? '')) {
      const token = await this.store.findToken(sha256(value.trim()));
      if (token) return { ok: true, user: token.user, via: 'token' };
      const wait = this.waitFor([`token:${address}`]);
      if (wait > 0) return slowDown(wait);
      return this.fail([[`token:${address}`, this.throttle.maxFailures]], 'unknown token');
    }
    if (!/^basic$/i.test(scheme ?? '')) return { ok: false, status: 401, reason: 'Basic or Bearer required' };
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? '' : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const now = this.clock();
    const knownClient = (this.known.get(user)?.get(address) ?? 0) > now;
    // This client's own failures always count; the user's and the address's only for clients the
    // user has not logged on from (so an attacker elsewhere cannot keep the user out).
    const pair = `pair:${user}|${address}`;
    const wait = this.waitFor(knownClient ? [pair] : [pair, `user:${user}`, `addr:${address}`]);
    if (wait > 0) return slowDown(wait);
    const cacheKey = sha256(`${user}\u0000${password}`);
    if ((this.verified.get(cacheKey) ?? 0) > now) return this.succeeded(user, address, pair);
    let verifying = this.pending.get(cacheKey);
    if (!verifying) {
      // (A full queue turns away clients the user has not logged on from; known ones go to its front.)
      if (!knownClient && this.hashing.size >= this.throttle.hashQueue)
        return { ok: false, status: 503, retryAfterS: 1, reason: 'too many logons at once: try again in a second' };
      verifying = this.hashing
        .add(() => this.verify(user, password), { priority: knownClient ? 1 : 0 })
        .then((ok) => ok === true)
        .finally(() => this.pending.delete(cacheKey));
      this.pending.set(cacheKey, verifying);
    }
    if (!(await verifying))
      return this.fail(
        [
          [pair, this.throttle.maxFailures],
          [`user:${user}`, this.throttle.maxFailures],
          [`addr:${address}`, this.throttle.maxFailuresPerAddress],
        ],
        'wrong user or password',
      );
    this.verified.set(cacheKey, this.clock() + 5 * 60_000);
    return this.succeeded(user, address, pair);
  }

  private succeeded(user: string, address: string, pair: string): AuthResult {
    // (The user's own failures are not forgiven: they were made elsewhere, maybe by an attacker whose
    // next tries they slow down; they lapse when none came for a while.)
    this.failures.delete(pair);
    const mine = this.known.get(user) ?? new Map<string, number>();
    mine.set(address, this.clock() + this.throttle.knownForMs);
    this.known.set(user, mine);
    return { ok: true, user, via: 'password' };
  }

  private async verify(user: string, password: string): Promise<boolean> {
    const stored = USER_ID.test(user) ? await this.store.passwordHash(user) : undefined;
    // Unknown users cost the same scrypt as known ones (no user enumeration by timing).
    return stored ? verifyPassword(password, stored) : (await hashPassword(password), false);
  }

  /** Forgets remembered logons (after a password change). */
  forget(): void {
    this.verified.clear();
    this.pending.clear();
  }

  /** How long the longest of these keys must still wait (ms; 0: none). */
  private waitFor(keys: readonly string[]): number {
    const now = this.clock();
    return Math.max(0, ...keys.map((k) => (this.failures.get(k)?.lockedUntil ?? 0) - now));
  }

  /** Counts a failure on each key (with the failures it may have before waits begin). */
  private fail(keys: readonly (readonly [string, number])[], reason: string): AuthResult {
    const now = this.clock();
    let wait = 0;
    for (const [k, allowed] of keys) {
      const last = this.failures.get(k);
      // Failures lapse when none came for twice the longest wait.
      const f =
        last && now - last.lastAt < 2 * this.throttle.maxLockMs ? last : { count: 0, lockedUntil: 0, lastAt: 0 };
      f.count++;
      f.lastAt = now;
      if (f.count >= allowed) {
        const ms = Math.min(this.throttle.maxLockMs, this.throttle.lockMs * 2 ** (f.count - allowed));
        f.lockedUntil = now + ms;
        wait = Math.max(wait, ms);
      }
      this.failures.set(k, f);
    }
    return wait > 0 ? slowDown(wait) : { ok: false, status: 401, reason };
  }

  async issueToken(user: string, label: string): Promise<{ token: AppToken; secret: string }> {
    const secret = randomBytes(32).toString('base64url');
    const token: AppToken = { id: randomBytes(9).toString('base64url'), user, label, createdAt: this.clock() };
    await this.store.addToken(token, sha256(secret));
    return { token, secret };
  }
}
