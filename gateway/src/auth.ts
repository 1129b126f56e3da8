/**
 * Accounts: scrypt password hashes, app tokens (only their SHA-256 is stored), throttling of failed
 * logons per user and per address. A successful check is remembered for a few minutes in memory so
 * that every request does not pay for scrypt.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
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

export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

export interface Throttle {
  /** Failures before a lock-out. */
  readonly maxFailures: number;
  /** First lock-out; doubles with each further failure, up to `maxLockMs`. */
  readonly lockMs: number;
  readonly maxLockMs: number;
}

export const DEFAULT_THROTTLE: Throttle = { maxFailures: 5, lockMs: 30_000, maxLockMs: 15 * 60_000 };

export type AuthResult =
  | { readonly ok: true; readonly user: string; readonly via: 'password' | 'token' }
  | { readonly ok: false; readonly status: 401 | 429; readonly retryAfterS?: number; readonly reason: string };

interface Failures {
  count: number;
  lockedUntil: number;
}

export class Authenticator {
  private readonly failures = new Map<string, Failures>();
  private readonly verified = new Map<string, number>();
  /** Checks in progress: parallel requests with the same credentials share one scrypt. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly store: GatewayStore,
    private readonly throttle: Throttle = DEFAULT_THROTTLE,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Checks an Authorization header (Basic user:password, or Bearer app token). */
  async check(header: string | undefined, address: string): Promise<AuthResult> {
    if (!header) return { ok: false, status: 401, reason: 'credentials required' };
    const [scheme, value = ''] = header.split(' ', 2);
    if (/^bearer$/i.test(scheme ?? '')) {
      const token = await this.store.findToken(sha256(value.trim()));
      return token ? { ok: true, user: token.user, via: 'token' } : this.fail([`addr:${address}`], 'unknown token');
    }
    if (!/^basic$/i.test(scheme ?? '')) return { ok: false, status: 401, reason: 'Basic or Bearer required' };
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? '' : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const keys = [`user:${user}`, `addr:${address}`];
    const locked = this.lockedFor(keys);
    if (locked > 0)
      return { ok: false, status: 429, retryAfterS: Math.ceil(locked / 1000), reason: 'too many failed logons' };
    const cacheKey = sha256(`${user}\u0000${password}`);
    if ((this.verified.get(cacheKey) ?? 0) > this.clock()) return { ok: true, user, via: 'password' };
    let verifying = this.pending.get(cacheKey);
    if (!verifying) {
      verifying = this.verify(user, password).finally(() => this.pending.delete(cacheKey));
      this.pending.set(cacheKey, verifying);
    }
    if (!(await verifying)) return this.fail(keys, 'wrong user or password');
    for (const k of keys) this.failures.delete(k);
    this.verified.set(cacheKey, this.clock() + 5 * 60_000);
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

  private lockedFor(keys: string[]): number {
    const now = this.clock();
    return Math.max(0, ...keys.map((k) => (this.failures.get(k)?.lockedUntil ?? 0) - now));
  }

  private fail(keys: string[], reason: string): AuthResult {
    const now = this.clock();
    let lock = 0;
    for (const k of keys) {
      const f = this.failures.get(k) ?? { count: 0, lockedUntil: 0 };
      f.count++;
      if (f.count >= this.throttle.maxFailures) {
        const ms = Math.min(this.throttle.maxLockMs, this.throttle.lockMs * 2 ** (f.count - this.throttle.maxFailures));
        f.lockedUntil = now + ms;
        lock = Math.max(lock, ms);
      }
      this.failures.set(k, f);
    }
    return lock > 0
      ? { ok: false, status: 429, retryAfterS: Math.ceil(lock / 1000), reason: 'too many failed logons' }
      : { ok: false, status: 401, reason };
  }

  async issueToken(user: string, label: string): Promise<{ token: AppToken; secret: string }> {
    const secret = randomBytes(32).toString('base64url');
    const token: AppToken = { id: randomBytes(9).toString('base64url'), user, label, createdAt: this.clock() };
    await this.store.addToken(token, sha256(secret));
    return { token, secret };
  }
}
