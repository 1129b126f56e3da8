/**
 * Time zone names between Graph (Windows names, https://learn.microsoft.com/graph/api/resources/datetimetimezone)
 * and the canonical model (IANA), through the one resolver of the common workspace.
 */
import { findWindows } from 'windows-iana';
import { ianaZone } from '@crm-sync/common/zone-names';

/** The IANA zone of a Graph time zone name; unknown and custom zones (tzone://Microsoft/Custom) → UTC. */
export const ianaOf = (zone: string | null | undefined): string => (zone && ianaZone(zone)) || 'UTC';

/** The Windows name Graph and every Outlook understand for an IANA zone (the IANA name when none). */
export function graphZoneOf(iana: string | null): string {
  if (iana === null || iana === 'UTC') return 'UTC';
  return findWindows(iana)?.[0] ?? iana;
}
