// Domain constants shared by the service, its repository and its tests.
import { STORED_OBJECT_MAX_BYTES } from '../electron/contract/cloud';
import { LOGIN_FAILURE_RETENTION_MINUTES } from '../electron/contract/retention';

// Regions, purposes and limits are facts shared with the station: the contract (zod only, isomorphic) is their single source.
export {
  PRIVACY_PURPOSES as PURPOSES, TELEMETRY_PURPOSES,
  type PrivacyPurpose as Purpose, type TelemetryPurpose,
} from '../electron/contract/privacy';
export {
  REGIONS, REGION_IDS, type Region, MINIMUM_AGE, PHOTO_MAX_BYTES, SETTINGS_MAX_BYTES, PUSH_SNAPSHOT_MAX_BYTES,
  STORED_OBJECT_MAX_BYTES, STORAGE_QUOTA_BYTES, EXPORT_FORMAT_VERSION,
} from '../electron/contract/cloud';

export type ConsentAction = 'grant' | 'withdraw';

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

export const BODY_MAX_BYTES = 1024 * 1024;
/** The storage upload route reads this much: base64 of the largest object plus the JSON around it. */
export const STORAGE_BODY_MAX_BYTES = Math.ceil((STORED_OBJECT_MAX_BYTES * 4) / 3) + 64 * 1024;

export interface ThrottlePolicy {
  /** Failed logins for one account within the window before further attempts are refused. */
  accountFailures: number;
  /** Failed logins from one client address within the window before it is refused. */
  clientFailures: number;
  /** Sign-up attempts from one client address within the window before further ones are refused. */
  signupsPerClient: number;
  windowMs: number;
}

// The window is also how long failed sign-ins are kept: the retention the Privacy page states.
export const DEFAULT_THROTTLE: ThrottlePolicy = { accountFailures: 5, clientFailures: 20, signupsPerClient: 5, windowMs: LOGIN_FAILURE_RETENTION_MINUTES * 60_000 };
export const DEFAULT_SESSION_TTL_MS = 30 * 24 * 3600_000;

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** Whole years between a YYYY-MM-DD birth date and the given instant (UTC). */
export function ageAt(dateOfBirth: string, nowMs: number): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const now = new Date(nowMs);
  let age = now.getUTCFullYear() - y;
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  if (beforeBirthday) age--;
  return age;
}
