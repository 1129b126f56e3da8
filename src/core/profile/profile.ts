/**
 * The synchronization profile (declared in schema.ts) and its device-only part. The roaming part
 * travels with the user's mailbox (Office roaming settings, ≤ 32 KB); secrets never do — they live
 * in the device part only.
 */
export {
  DEFAULT_USER_EXIT_METHOD,
  defaultProfile,
  PROFILE_VERSION,
  type ConflictHandling,
  type Direction,
  type ItemTypes,
  type Profile,
} from '@crm-sync/common/profile-schema';

/** Device-only state of the profile: never roams, never logged. */
export interface DeviceProfile {
  /** Mobile-client password, encrypted by the device adapter. */
  readonly encryptedPassword?: string;
}
