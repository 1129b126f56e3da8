/**
 * The sync state API beside CalDAV (issue 15), for the logged-on user only — the user comes from the
 * logon, never from the path, so one user can never read or write another's state:
 *
 *   GET    /state/<mailbox>                the state; ETag: its version
 *   POST   /state/<mailbox>/lease          {holder, ttlMs} → {lease, expiresAt, version} | 409 who holds it
 *   PUT    /state/<mailbox>/lease          Sync-Lease: <id>; {ttlMs, progress} → {expiresAt} | 409
 *   DELETE /state/<mailbox>/lease          Sync-Lease: <id> → 204 | 409
 *   POST   /state/<mailbox>/commit         Sync-Lease, If-Match: "<version>"; a state change → {version}
 *                                          | 412 {version} another commit came first | 409 lease lost
 *   POST   /state/<mailbox>/<log|history|runs>   one record → 204
 *   GET    /state/<mailbox>/<log|history|runs>?levels=error,warning&search=…&limit=200&offset=0
 *                                          (history: search=run:<start>; a run's writes, version; the
 *                                          versions kept)
 *   DELETE /state/<mailbox>/<log|history>?before=<ms> → {removed}
 *   PUT    /state/<mailbox>/profile         the profile (the add-in's validation) → 204 | 422 {findings}
 *   GET    /state/<mailbox>/profile         → {profile, savedAt} | 404 none mirrored yet
 *
 * Bodies are JSON; a malformed one is a 400 naming what is wrong.
 */
import type http from 'node:http';
import { checkProfile } from '@crm-sync/common/profile-validate';
import { HttpError, type BodyReader } from '../dav/http.js';
import { MAX_LEASE_MS, type RecordPart, type StateChange, type SyncAccounts } from './accounts.js';

type Send = (status: number, body?: string, extra?: Record<string, string>) => void;

/** A state change can carry a whole folder's rows (a move, a new pairing). */
export const STATE_BODY_LIMIT = 16 * 1024 * 1024;
const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };
const PARTS = new Set<RecordPart>(['log', 'history', 'runs']);
/** Records one POST may carry. */
const MAX_RECORDS = 500;

const bad = (why: string) => new HttpError(400, why);

function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw bad('the body is not JSON');
  }
  // (PostgreSQL cannot store NUL in text; no state the add-in writes holds one.)
  if (JSON.stringify(value).includes('\\u0000')) throw bad('the body holds a NUL character (\\u0000)');
  return value;
}

/** A time or version in the query or a header: a whole number the databases' BIGINT holds. */
function wholeNumber(text: string | null | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isSafeInteger(n)) throw bad(`${what} must be a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isKey = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 2048;

function objects(v: unknown, field: string, keyField?: string): Record<string, unknown>[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(isObject)) throw bad(`${field} must be a list of objects`);
  if (keyField && !v.every((o) => isKey(o[keyField])))
    throw bad(`every entry of ${field} needs a "${keyField}" of 1 to 2048 characters`);
  return v;
}

function keys(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(isKey)) throw bad(`${field} must be a list of keys (1 to 2048 characters)`);
  return v;
}

/** A state change as the add-in sends it, checked field by field. */
export function parseChange(body: unknown): StateChange {
  if (!isObject(body)) throw bad('a state change is a JSON object');
  const known = new Set([
    'upsert',
    'remove',
    'tokens',
    'journalAdd',
    'journalDone',
    'failures',
    'failuresClear',
    'pending',
  ]);
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length) throw bad(`unknown fields in the state change: ${unknown.join(', ')}`);
  const tokens = body.tokens;
  if (
    tokens !== undefined &&
    (!isObject(tokens) ||
      !Object.entries(tokens).every(
        ([k, t]) => isKey(k) && (t === null || (typeof t === 'string' && t.length < 65536)),
      ))
  )
    throw bad('tokens must map keys to strings or null');
  const upsert = objects(body.upsert, 'upsert', 'key');
  const remove = keys(body.remove, 'remove');
  const journalAdd = objects(body.journalAdd, 'journalAdd', 'id');
  const journalDone = keys(body.journalDone, 'journalDone');
  const failures = objects(body.failures, 'failures', 'pairKey');
  const failuresClear = keys(body.failuresClear, 'failuresClear');
  const pending = objects(body.pending, 'pending');
  return {
    ...(upsert && { upsert }),
    ...(remove && { remove }),
    ...(tokens !== undefined && { tokens: tokens as Record<string, string | null> }),
    ...(journalAdd && { journalAdd }),
    ...(journalDone && { journalDone }),
    ...(failures && { failures }),
    ...(failuresClear && { failuresClear }),
    ...(pending && { pending }),
  };
}

/** The mailbox a path names: an address, compared without case. */
function mailboxOf(segment: string): string {
  let mailbox: string;
  try {
    mailbox = decodeURIComponent(segment).trim().toLowerCase();
  } catch {
    throw bad('malformed URL encoding');
  }
  if (!mailbox || mailbox.length > 320 || mailbox.includes('/') || [...mailbox].some((c) => c < ' '))
    throw bad('not a mailbox name');
  return mailbox;
}

const ttlOf = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 1000 ? Math.min(v, MAX_LEASE_MS) : 120_000;

export async function stateRoute(
  accounts: SyncAccounts,
  req: http.IncomingMessage,
  readBody: BodyReader,
  method: string,
  url: URL,
  user: string,
  now: number,
  send: Send,
  /** Told after a profile was saved (issue 19: the sync worker watches the folders it names). */
  onProfileSaved?: (user: string, mailbox: string) => void,
): Promise<void> {
  const [, , segment, part, ...rest] = url.pathname.split('/');
  if (!segment || rest.length) throw new HttpError(404, 'not found');
  const mailbox = mailboxOf(segment);
  const text = await readBody(req, STATE_BODY_LIMIT);
  const lease = req.headers['sync-lease'];
  const json = (status: number, value: unknown, extra: Record<string, string> = {}) =>
    send(status, JSON.stringify(value), { ...JSON_TYPE, ...extra });

  if (part === undefined || part === '') {
    if (method !== 'GET') throw new HttpError(405, `${method} is not supported here`);
    const state = await accounts.load(user, mailbox, now);
    return json(200, state, { ETag: `"${state.version}"`, 'Cache-Control': 'no-store' });
  }

  if (part === 'lease') {
    const body = text.trim() ? parseJson(text) : {};
    if (!isObject(body)) throw bad('expected a JSON object');
    if (method === 'POST') {
      if (!isKey(body.holder) || body.holder.length > 200) throw bad('"holder" names the device (1 to 200 characters)');
      const r = await accounts.acquire(user, mailbox, body.holder, ttlOf(body.ttlMs), now);
      if (r.ok) return json(200, { lease: r.lease, expiresAt: r.expiresAt, version: r.version });
      return json(
        409,
        { error: 'leased', ...r.lease },
        {
          'Retry-After': String(Math.max(1, Math.ceil((r.lease.expiresAt - now) / 1000))),
        },
      );
    }
    if (typeof lease !== 'string') throw new HttpError(428, 'the Sync-Lease header names the lease');
    if (method === 'PUT') {
      const progress = typeof body.progress === 'string' ? body.progress : '';
      const r = await accounts.renew(user, mailbox, lease, ttlOf(body.ttlMs), progress, now);
      return r ? json(200, r) : json(409, { error: 'lease-lost' });
    }
    if (method === 'DELETE')
      return (await accounts.release(user, mailbox, lease)) ? send(204) : json(409, { error: 'lease-lost' });
    throw new HttpError(405, `${method} is not supported here`);
  }

  if (part === 'commit') {
    if (method !== 'POST') throw new HttpError(405, `${method} is not supported here`);
    if (typeof lease !== 'string') throw new HttpError(428, 'the Sync-Lease header names the lease');
    const version = /^"(\d+)"$/.exec(req.headers['if-match']?.trim() ?? '')?.[1];
    if (version === undefined) throw new HttpError(428, 'If-Match names the version the change was made on');
    const change = parseChange(parseJson(text));
    const r = await accounts.commit(user, mailbox, lease, wholeNumber(version, 'the If-Match version'), change, now);
    if (r.ok) return json(200, { version: r.version }, { ETag: `"${r.version}"` });
    return r.why === 'lease'
      ? json(409, { error: 'lease-lost', version: r.version })
      : json(412, { error: 'version', version: r.version }, { ETag: `"${r.version}"` });
  }

  if (part === 'profile') {
    if (method === 'PUT') {
      const checked = checkProfile(parseJson(text));
      if ('findings' in checked) return json(422, { error: 'profile', findings: checked.findings });
      await accounts.saveProfile(user, mailbox, checked.profile as unknown as Record<string, unknown>, now);
      onProfileSaved?.(user, mailbox);
      return send(204);
    }
    if (method === 'GET') {
      const saved = await accounts.profile(user, mailbox);
      if (!saved) throw new HttpError(404, 'no profile mirrored for this mailbox yet');
      return json(200, saved, { 'Cache-Control': 'no-store' });
    }
    throw new HttpError(405, `${method} is not supported here`);
  }

  if (PARTS.has(part as RecordPart)) {
    const records = part as RecordPart;
    if (method === 'POST') {
      // One record, or several in order (an array: the add-in sends a chunk's log lines in one request).
      const body = parseJson(text);
      const all = Array.isArray(body) ? (body as unknown[]) : [body];
      if (!all.length || all.length > MAX_RECORDS || !all.every(isObject))
        throw bad(`a record is a JSON object; several go in an array of 1 to ${MAX_RECORDS}`);
      for (const record of all) await accounts.append(user, mailbox, records, record, now);
      return send(204);
    }
    if (method === 'GET') {
      const levels = url.searchParams.get('levels')?.split(',').filter(Boolean);
      const search = url.searchParams.get('search') ?? undefined;
      if (search?.includes('\u0000')) throw bad('the search holds a NUL character');
      const limit = Number(url.searchParams.get('limit') ?? 200);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      return json(
        200,
        await accounts.list(user, mailbox, records, {
          ...(levels && { levels }),
          ...(search && { search }),
          ...(Number.isFinite(limit) && { limit }),
          ...(Number.isFinite(offset) && { offset }),
        }),
        { 'Cache-Control': 'no-store' },
      );
    }
    if (method === 'DELETE') {
      const before = wholeNumber(url.searchParams.get('before'), '?before=<UTC ms>');
      return json(200, { removed: await accounts.prune(user, mailbox, records, before) });
    }
    throw new HttpError(405, `${method} is not supported here`);
  }
  throw new HttpError(404, 'not found');
}
