/**
 * Loading and saving the synchronization profile (DESIGN.md §1, §4):
 * - the roaming part in Office roaming settings (one JSON value, ≤ 32 KB, `saveAsync`), reloaded
 *   whenever the pane opens; outside Office in the browser's local storage, and the pane says so;
 * - the password only on the device, sealed (secret-box.ts), never in roaming settings;
 * - administrator defaults and locks from `admin-defaults.json` deployed with the add-in
 *   (`{"defaults": {…part of a profile…}, "locked": ["sync.direction", …]}`).
 */
import { SyncError } from '../core/errors.js';
import { getPath, setPath } from './profile-path.js';
import { openSecret, sealSecret } from '../adapters/idb/secret-box.js';
import type { IdbMeta } from '../adapters/idb/idb-state.js';
import type { DeviceProfile, Profile } from '../core/profile/profile.js';
import { settingFields } from '@crm-sync/common/profile-schema';
import { currentPath, parseProfile, renameMobileSettings, serializeRoamingProfile } from '../core/profile/serialize.js';
import { validateProfile, type ProfileFinding } from '@crm-sync/common/profile-validate';

/** Where the roaming part lives. */
export interface RoamingPort {
  /** `office`: roams with the mailbox; `browser`: this browser only (outside Outlook). */
  readonly kind: 'office' | 'browser';
  read(): unknown;
  write(json: string): Promise<void>;
}

const KEY = 'crmSyncProfile';

/** Office roaming settings (https://learn.microsoft.com/javascript/api/outlook/office.roamingsettings). */
export function officeRoaming(settings: Office.RoamingSettings): RoamingPort {
  return {
    kind: 'office',
    read() {
      const text: unknown = settings.get(KEY);
      if (typeof text !== 'string') return undefined;
      try {
        return JSON.parse(text);
      } catch {
        return undefined; // damaged: the defaults apply, and the next save repairs it
      }
    },
    write(json) {
      settings.set(KEY, json);
      return new Promise((resolve, reject) =>
        settings.saveAsync((r) =>
          String(r.status) === 'succeeded'
            ? resolve()
            : reject(new SyncError('settings-not-saved', { detail: r.error?.message ?? 'unknown error' })),
        ),
      );
    },
  };
}

/** Outside Office: the browser's local storage (labelled as such in the pane). */
export function browserRoaming(storage: Storage): RoamingPort {
  return {
    kind: 'browser',
    read() {
      const text = storage.getItem(KEY);
      try {
        return text ? JSON.parse(text) : undefined;
      } catch {
        return undefined;
      }
    },
    async write(json) {
      storage.setItem(KEY, json);
    },
  };
}

const SETTING_PATHS = new Set(settingFields.map((f) => f.path));

export interface AdminPolicy {
  readonly defaults: Record<string, unknown>;
  /** Dotted paths (`sync.direction`) the user cannot change. */
  readonly locked: readonly string[];
}

/** Reads `admin-defaults.json` next to the add-in; none deployed → undefined; a broken file → error. */
export async function loadAdminPolicy(fetchFn: typeof fetch, url: string): Promise<AdminPolicy | undefined> {
  const r = await fetchFn(url, { cache: 'no-store', credentials: 'same-origin' });
  if (r.status === 404) return undefined;
  if (!r.ok) throw new SyncError('admin-defaults-http', { url, status: r.status });
  let raw: unknown;
  try {
    raw = await r.json();
  } catch {
    throw new SyncError('admin-defaults-json', { url });
  }
  const o = (raw ?? {}) as { defaults?: unknown; locked?: unknown };
  // A file written for version 0.2 names the CRM side "mobile": read under the current names.
  const defaults = renameMobileSettings(
    o.defaults && typeof o.defaults === 'object' ? (o.defaults as Record<string, unknown>) : {},
  );
  const locked = Array.isArray(o.locked)
    ? o.locked.filter((x): x is string => typeof x === 'string').map(currentPath)
    : [];
  // Only the profile's settings can be locked (the schema names them): a misspelt path would lock
  // nothing while the administrator believes it does.
  const unknown = locked.filter((path) => !SETTING_PATHS.has(path));
  if (unknown.length) throw new SyncError('admin-defaults-locks', { url, paths: unknown.join(', ') });
  return { defaults, locked };
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!over || typeof over !== 'object' || Array.isArray(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...((base && typeof base === 'object' ? base : {}) as object) };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

export interface LoadedProfile {
  readonly profile: Profile;
  readonly locked: readonly string[];
  /** Stored fields that were unreadable and hold their default now. */
  readonly replaced: readonly string[];
  readonly hasPassword: boolean;
  readonly storage: RoamingPort['kind'];
}

export class ProfileService {
  constructor(
    private readonly roaming: RoamingPort,
    private readonly meta: IdbMeta,
    private readonly policy?: AdminPolicy,
  ) {}

  /** The administrator's value wins for a locked field, whatever is stored. */
  private applyLocks(p: Profile): Profile {
    let out = p;
    for (const path of this.policy?.locked ?? []) {
      const value = getPath(this.policy!.defaults, path);
      if (value !== undefined) out = setPath(out, path, value);
    }
    return out;
  }

  async load(): Promise<LoadedProfile> {
    const stored = this.roaming.read();
    const { profile, replaced } = parseProfile(deepMerge(this.policy?.defaults ?? {}, stored ?? {}));
    const device = await this.meta.get<DeviceProfile>('device');
    return {
      profile: parseProfile(this.applyLocks(profile)).profile,
      locked: this.policy?.locked ?? [],
      replaced,
      hasPassword: !!device?.encryptedPassword,
      storage: this.roaming.kind,
    };
  }

  /**
   * Validates and saves. Findings → nothing saved. `password`: a new one (sealed on the device),
   * `null` forgets it, undefined keeps it.
   */
  async save(profile: Profile, password?: string | null): Promise<ProfileFinding[]> {
    const locked = this.applyLocks(profile);
    const findings = validateProfile(locked);
    if (findings.length) return findings;
    const json = serializeRoamingProfile(locked);
    await this.roaming.write(json);
    if (password === null) await this.meta.set('device', {});
    else if (password !== undefined) await this.meta.set('device', { encryptedPassword: await sealSecret(password) });
    return [];
  }

  /** The mobile-client password, opened on this device; undefined when none is stored. */
  async password(): Promise<string | undefined> {
    const device = await this.meta.get<DeviceProfile>('device');
    return device?.encryptedPassword ? openSecret(device.encryptedPassword) : undefined;
  }
}
