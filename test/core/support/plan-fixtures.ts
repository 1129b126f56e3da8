import { contentHash } from '../../../src/core/model/content-hash.js';
import type { Item } from '../../../src/core/model/item.js';
import { itemRange } from '../../../src/core/model/time.js';
import { defaultProfile, type Profile } from '../../../src/core/profile/profile.js';
import type { SideEntry, SideSnapshot } from '../../../src/core/sync/actions.js';
import type { PairStatus } from '../../../src/core/sync/status.js';

/** 26 November 2026, noon UTC: the fixtures' activities lie in the following weeks. */
export const NOW = Date.UTC(2026, 10, 26, 12);

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends readonly unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

export function profile(patch: DeepPartial<Profile> = {}): Profile {
  const base = defaultProfile();
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = (base as unknown as Record<string, unknown>)[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? { ...(b as object), ...v } : v;
  }
  return out as unknown as Profile;
}

export const entry = (id: string, item: Item, version = 'v1', modifiedAt?: number): SideEntry => ({
  id,
  version,
  hash: contentHash(item),
  item,
  ...(modifiedAt !== undefined && { modifiedAt }),
});

export const snap = (entries: SideEntry[] = [], deleted: string[] = [], complete = false): SideSnapshot => ({
  entries: new Map(entries.map((e) => [e.id, e])),
  deleted: new Set(deleted),
  complete,
});

/** A status row for a pair synchronized at versions `o` and `m`. */
export function pairOf(key: string, item: Item, o?: SideEntry, m?: SideEntry): PairStatus {
  return {
    key,
    kind: item.kind,
    subject: item.subject,
    range: itemRange(item),
    ...(o && { outlook: { id: o.id, version: o.version, hash: o.hash } }),
    ...(m && { crm: { id: m.id, version: m.version, hash: m.hash } }),
  };
}
