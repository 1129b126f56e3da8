/**
 * A device that kept its own state (version 0.2, IndexedDB) hands it over to the account's state
 * (issue 15) on its first run with the gateway's state: what the device knows and the account does not
 * is added, and nothing the account knows is replaced — the account's state is what the other devices
 * continue from. The rules, each for a reason:
 *
 * - **The first device** (the account has no pairs yet) gives everything, read tokens included: its
 *   next run continues exactly where it was and plans nothing that did not change.
 * - **A later device** adds the pairs the account does not have — by key, and only when none of
 *   their copies (an Outlook id, a CRM id) is in a pair of the account already (two pairs must never
 *   share a copy) and they were made in the Outlook folder the account's pairs are in. The read tokens
 *   of the kinds it added pairs to are dropped: the next run reads those in full and finds the added
 *   pairs unchanged, rather than trusting a token that was never read against them.
 * - Journal entries (writes this device began and did not finish), failures and pending items the
 *   account does not have are added: recovery, retries and the user's decisions go on from them.
 */
import type { StateChange, SyncState } from '../ports/state.js';
import { folderToken } from './folders.js';
import { tokenKey } from './read.js';
import type { PairStatus } from './status.js';
import type { ItemKind } from './types.js';

const copies = (r: PairStatus) => [r.outlook && `outlook:${r.outlook.id}`, r.crm && `crm:${r.crm.id}`];

/** What `device` adds to `account`; undefined when it adds nothing. */
export function handover(account: SyncState, device: SyncState): StateChange | undefined {
  const first = account.rows.length === 0;
  const keys = new Set(account.rows.map((r) => r.key));
  const claimed = new Set(account.rows.flatMap(copies).filter(Boolean));
  const sameFolder = (kind: ItemKind) =>
    first ||
    device.tokens[folderToken(kind)] === undefined ||
    device.tokens[folderToken(kind)] === account.tokens[folderToken(kind)];
  const upsert: PairStatus[] = [];
  for (const r of device.rows) {
    if (keys.has(r.key) || !sameFolder(r.kind) || copies(r).some((c) => c && claimed.has(c))) continue;
    upsert.push(r);
    keys.add(r.key);
    for (const c of copies(r)) if (c) claimed.add(c);
  }
  const journalIds = new Set(account.journal.map((j) => j.id));
  const journalAdd = device.journal.filter((j) => !journalIds.has(j.id));
  const failureKeys = new Set(account.failures.map((f) => f.pairKey));
  const failures = device.failures.filter((f) => !failureKeys.has(f.pairKey));
  const pendingIds = new Set(account.pending.map((p) => p.id));
  const morePending = device.pending.filter((p) => !pendingIds.has(p.id));

  let tokens: Record<string, string | null> | undefined;
  if (first && upsert.length) tokens = { ...device.tokens };
  else if (upsert.length) {
    tokens = {};
    for (const kind of new Set(upsert.map((r) => r.kind)))
      for (const side of ['outlook', 'crm'] as const) tokens[tokenKey(side, kind)] = null;
  }
  const change: StateChange = {
    ...(upsert.length && { upsert }),
    ...(tokens && { tokens }),
    ...(journalAdd.length && { journalAdd }),
    ...(failures.length && { failures }),
    ...(morePending.length && { pending: [...account.pending, ...morePending] }),
  };
  return Object.keys(change).length ? change : undefined;
}

/** Whether a device state holds anything to hand over. */
export const holdsState = (s: SyncState): boolean =>
  s.rows.length > 0 || s.journal.length > 0 || s.failures.length > 0 || s.pending.length > 0;
