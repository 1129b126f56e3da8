/**
 * Reading and writing the profile. The roaming part goes to Office roaming settings (≤ 32 KB per
 * add-in, https://learn.microsoft.com/office/dev/add-ins/outlook/metadata-for-an-outlook-add-in);
 * secrets live only in the device part. Reading is forgiving: a field of the wrong type falls back to
 * its default and is reported, unknown fields are dropped, older versions are migrated.
 */
import { SyncError } from '../errors.js';
import { defaultProfile, PROFILE_VERSION, type Profile } from './profile.js';

export const ROAMING_LIMIT_BYTES = 32 * 1024;

/** A profile from a newer add-in version than this one. */
export class ProfileVersionError extends SyncError<'profile-version'> {
  constructor(readonly found: number) {
    super('profile-version', { found, supported: PROFILE_VERSION });
    this.name = 'ProfileVersionError';
  }
}

/** The serialised roaming part is over the roaming settings limit. */
export class ProfileTooLargeError extends SyncError<'profile-too-large'> {
  constructor(readonly bytes: number) {
    super('profile-too-large', { bytes, limit: ROAMING_LIMIT_BYTES });
    this.name = 'ProfileTooLargeError';
  }
}

export interface ParsedProfile {
  readonly profile: Profile;
  /** Fields that were missing or of the wrong type and now hold their default. */
  readonly replaced: readonly string[];
}

/** Keys that must never reach roaming settings, whatever a caller puts in the object. */
const SECRET_KEYS = /^(password|encryptedPassword|appToken|token|secret)$/i;

/**
 * Version 1 called the CRM side "mobile" (issue 14, point 5, renamed it "crm"): the values and the
 * one field name that said so, for stored profiles and for administrator defaults written then.
 */
const V1_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'sync.direction': { 'outlook-to-mobile': 'outlook-to-crm', 'mobile-to-outlook': 'crm-to-outlook' },
  'conflicts.handling': { 'mobile-wins': 'crm-wins' },
};
const V1_PATHS: Readonly<Record<string, string>> = { 'misc.conflictColorMobile': 'misc.conflictColorCrm' };

/** A dotted setting path of version 1 under its current name (an administrator's `locked` list). */
export const currentPath = (path: string): string => V1_PATHS[path] ?? path;

/** Raw settings (a stored profile, administrator defaults) with version 1's "mobile" names renamed. */
export function renameMobileSettings(raw: Record<string, unknown>): Record<string, unknown> {
  const section = (o: unknown) =>
    o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  let out = raw;
  const set = (group: string, key: string, value: unknown, drop?: string) => {
    const { [drop ?? '']: _dropped, ...rest } = section(out[group]) ?? {};
    out = { ...out, [group]: { ...rest, [key]: value } };
  };
  for (const [path, values] of Object.entries(V1_VALUES)) {
    const [group, key] = path.split('.') as [string, string];
    const value = section(out[group])?.[key];
    if (typeof value === 'string' && values[value]) set(group, key, values[value]);
  }
  for (const [from, to] of Object.entries(V1_PATHS)) {
    const [group, key] = from.split('.') as [string, string];
    const old = section(out[group]);
    if (old && key in old) set(group, to.split('.')[1]!, old[key], key);
  }
  return out;
}

/** Migrations from version n to n + 1, applied in order to raw JSON. */
const MIGRATIONS: Record<number, (raw: Record<string, unknown>) => Record<string, unknown>> = {
  // Version 0 was the unversioned draft: it kept the period as `period: { back, ahead }`.
  0: (raw) => {
    const period = raw.period as { back?: unknown; ahead?: unknown } | undefined;
    const sync = { ...(raw.sync as object | undefined), daysBack: period?.back, daysAhead: period?.ahead };
    const { period: _period, ...rest } = raw;
    return { ...rest, sync, version: 1 };
  },
  1: (raw) => ({ ...renameMobileSettings(raw), version: 2 }),
};

function merge(defaults: unknown, raw: unknown, path: string, replaced: string[]): unknown {
  if (Array.isArray(defaults)) {
    if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) {
      if (raw !== undefined) replaced.push(path);
      return defaults;
    }
    return [...raw];
  }
  if (defaults !== null && typeof defaults === 'object') {
    const source =
      raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    if (source !== raw && raw !== undefined) replaced.push(path);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(defaults)) {
      out[key] = merge(value, source[key], path ? `${path}.${key}` : key, replaced);
    }
    return out;
  }
  if (typeof raw === typeof defaults && !(typeof raw === 'number' && !Number.isFinite(raw))) return raw;
  if (raw !== undefined) replaced.push(path);
  return defaults;
}

/** Reads a stored roaming profile (parsed JSON or undefined when none was saved yet). */
export function parseProfile(stored: unknown): ParsedProfile {
  if (stored === undefined || stored === null) return { profile: defaultProfile(), replaced: [] };
  let raw = typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  let version = typeof raw.version === 'number' ? raw.version : 0;
  if (version > PROFILE_VERSION) throw new ProfileVersionError(version);
  while (version < PROFILE_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate) throw new ProfileVersionError(version);
    raw = migrate(raw);
    version++;
  }
  const replaced: string[] = [];
  const profile = merge(defaultProfile(), raw, '', replaced) as Profile;
  const labels = labelsOf(raw.exceptionLabels);
  return {
    profile: { ...profile, version: PROFILE_VERSION, ...(labels && { exceptionLabels: labels }) },
    replaced: replaced.filter((f) => f !== 'version'),
  };
}

/**
 * The exception list's labels (pair key → subject and time): not settings, so not in the defaults the
 * merge walks; entries of another shape are left out (the list then shows that entry's key).
 */
function labelsOf(raw: unknown): Profile['exceptionLabels'] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, { subject: string; when?: string }> = {};
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const { subject, when } = (v ?? {}) as { subject?: unknown; when?: unknown };
    if (typeof subject === 'string')
      out[key] = { subject: subject.slice(0, 120), ...(typeof when === 'string' && { when }) };
  }
  return out;
}

/** UTF-8 size of a string (TextEncoder is a DOM/Node global, not part of the pure core). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The roaming part as JSON text; throws ProfileTooLargeError over the roaming limit. */
export function serializeRoamingProfile(profile: Profile): string {
  const text = JSON.stringify(profile, (key, value: unknown) => (SECRET_KEYS.test(key) ? undefined : value));
  const bytes = utf8Length(text);
  if (bytes > ROAMING_LIMIT_BYTES) throw new ProfileTooLargeError(bytes);
  return text;
}
