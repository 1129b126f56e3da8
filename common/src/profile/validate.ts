/**
 * Validation of a profile against its schema (schema.ts), one finding per field. Findings carry a
 * code and parameters, not text, so that the UI shows them in the user's language (the catalogs map
 * `profile.<code>` to a message).
 */
import * as v from 'valibot';
import {
  LIMITS,
  PROFILE_VERSION,
  ProfileSchema,
  settingFields,
  type Profile,
  type ProfileFindingCode,
} from './schema.js';

export { LIMITS, type ProfileFindingCode } from './schema.js';

export interface ProfileFinding {
  /** Dotted path of the field, e.g. `sync.daysBack`. */
  readonly field: string;
  readonly code: ProfileFindingCode;
  readonly params?: Readonly<Record<string, string | number>>;
}

const specs = new Map(settingFields.map((f) => [f.path, f]));

/** The bounds a `range` finding names: the limits of a number that may also be 0 (off), else the field's. */
function rangeOf(field: string): { min: number; max: number } | undefined {
  const limits = (LIMITS as Record<string, { min: number; max: number }>)[field.split('.').pop()!];
  const spec = specs.get(field);
  return limits ?? (spec?.min !== undefined && spec.max !== undefined ? { min: spec.min, max: spec.max } : undefined);
}

/** Every problem of the profile; an empty list means it can be saved. */
export function validateProfile(p: Profile): ProfileFinding[] {
  const result = v.safeParse(ProfileSchema, p);
  if (result.success) return [];
  const findings = new Map<string, ProfileFinding>();
  for (const issue of result.issues) {
    const field = v.getDotPath(issue) ?? '';
    if (findings.has(field)) continue; // the first problem of a field is the one to fix
    const code = issue.message as ProfileFindingCode;
    const range = code === 'range' ? rangeOf(field) : undefined;
    findings.set(field, { field, code, ...(range && { params: range }) });
  }
  return [...findings.values()];
}

/**
 * A profile another part sends (the add-in mirrors it to the gateway, issue 15): the same validation
 * as the add-in's, and what is kept holds the schema's fields only (anything else — a password a
 * caller put in by mistake — is dropped). A profile of another version is refused as a whole.
 */
export function checkProfile(raw: unknown): { profile: Profile } | { findings: ProfileFinding[] } {
  const version = raw && typeof raw === 'object' ? (raw as { version?: unknown }).version : undefined;
  if (version !== PROFILE_VERSION)
    return { findings: [{ field: 'version', code: 'choice', params: { supported: PROFILE_VERSION } }] };
  const result = v.safeParse(ProfileSchema, raw);
  return result.success
    ? { profile: result.output as unknown as Profile }
    : { findings: validateProfile(raw as Profile) };
}
