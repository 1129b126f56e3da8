/**
 * Validation of a profile, one finding per field. Findings carry a code and parameters, not text, so
 * that the UI shows them in the user's language (the catalogs map `profile.<code>` to a message).
 */
import type { Profile } from './profile.js';

export type ProfileFindingCode =
  'required' | 'url' | 'range' | 'choice' | 'color' | 'identifier' | 'noItemTypesForApplication';

export interface ProfileFinding {
  /** Dotted path of the field, e.g. `sync.daysBack`. */
  readonly field: string;
  readonly code: ProfileFindingCode;
  readonly params?: Readonly<Record<string, string | number>>;
}

export const LIMITS = {
  daysBack: { min: 0, max: 3650 },
  daysAhead: { min: 1, max: 3650 },
  everyMinutes: { min: 5, max: 1440 },
  errorLogRetentionDays: { min: 1, max: 365 },
  infiniteSeriesYears: { min: 1, max: 10 },
} as const;

const COLOR = /^#[0-9a-f]{6}$/i;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

function isHttpUrl(value: string): boolean {
  // Plain parsing rather than URL(): the core has no DOM or Node globals to lean on.
  return /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(value);
}

/** Every problem of the profile; an empty list means it can be saved. */
export function validateProfile(p: Profile): ProfileFinding[] {
  const findings: ProfileFinding[] = [];
  const range = (field: string, value: number, limits: { min: number; max: number }) => {
    if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
      findings.push({ field, code: 'range', params: { min: limits.min, max: limits.max } });
    }
  };
  // "every N minutes" is off at 0, else bounded (a shorter interval costs performance, seed note).
  if (p.automatic.everyMinutes !== 0) range('automatic.everyMinutes', p.automatic.everyMinutes, LIMITS.everyMinutes);
  if (!p.general.gatewayUrl) findings.push({ field: 'general.gatewayUrl', code: 'required' });
  else if (!isHttpUrl(p.general.gatewayUrl)) findings.push({ field: 'general.gatewayUrl', code: 'url' });
  if (!p.general.userId.trim()) findings.push({ field: 'general.userId', code: 'required' });
  if (!['both', 'outlook-to-mobile', 'mobile-to-outlook'].includes(p.sync.direction)) {
    findings.push({ field: 'sync.direction', code: 'choice' });
  }
  if (!['activities', 'tasks', 'both'].includes(p.sync.itemTypes))
    findings.push({ field: 'sync.itemTypes', code: 'choice' });
  range('sync.daysBack', p.sync.daysBack, LIMITS.daysBack);
  range('sync.daysAhead', p.sync.daysAhead, LIMITS.daysAhead);
  if (!['mobile-wins', 'outlook-wins', 'most-recent'].includes(p.conflicts.handling)) {
    findings.push({ field: 'conflicts.handling', code: 'choice' });
  }
  range('misc.errorLogRetentionDays', p.misc.errorLogRetentionDays, LIMITS.errorLogRetentionDays);
  if (!COLOR.test(p.misc.conflictColorOutlook)) findings.push({ field: 'misc.conflictColorOutlook', code: 'color' });
  if (!COLOR.test(p.misc.conflictColorMobile)) findings.push({ field: 'misc.conflictColorMobile', code: 'color' });
  if (p.misc.useUserExits && !IDENTIFIER.test(p.misc.userExitMethod)) {
    findings.push({ field: 'misc.userExitMethod', code: 'identifier' });
  }
  range('series.infiniteSeriesYears', p.series.infiniteSeriesYears, LIMITS.infiniteSeriesYears);
  if (
    (p.automatic.onPaneOpen || p.automatic.everyMinutes > 0 || p.automatic.onSaveOrSend) &&
    !p.automatic.mobileSales &&
    !p.automatic.mobileService
  ) {
    findings.push({ field: 'automatic.mobileSales', code: 'noItemTypesForApplication' });
  }
  return findings;
}
