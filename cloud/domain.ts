// Domain constants shared by the service, its repository and its tests.

export const REGIONS = {
  us: 'United States',
  de: 'Germany',
  sg: 'Singapore',
  my: 'Malaysia',
} as const;
export type Region = keyof typeof REGIONS;
export const REGION_IDS = Object.keys(REGIONS) as Region[];

// The purposes are one fact shared with the station: the contract (zod only, isomorphic) is their single source.
export {
  PRIVACY_PURPOSES as PURPOSES, TELEMETRY_PURPOSES,
  type PrivacyPurpose as Purpose, type TelemetryPurpose,
} from '../electron/contract/privacy';

export type ConsentAction = 'grant' | 'withdraw';

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

export const MINIMUM_AGE = 16;
export const PHOTO_MAX_BYTES = 256 * 1024;
export const SETTINGS_MAX_BYTES = 64 * 1024;
export const BODY_MAX_BYTES = 1024 * 1024;
export const PUSH_SNAPSHOT_MAX_BYTES = 256 * 1024;
/** One object in cloud storage (a snapshot or a short exported clip), and all of an account's. */
export const STORED_OBJECT_MAX_BYTES = 8 * 1024 * 1024;
export const STORAGE_QUOTA_BYTES = 256 * 1024 * 1024;
/** The storage upload route reads this much: base64 of the largest object plus the JSON around it. */
export const STORAGE_BODY_MAX_BYTES = Math.ceil((STORED_OBJECT_MAX_BYTES * 4) / 3) + 64 * 1024;
export const EXPORT_FORMAT_VERSION = 1;

export interface ThrottlePolicy {
  /** Failed logins for one account within the window before further attempts are refused. */
  accountFailures: number;
  /** Failed logins from one client address within the window before it is refused. */
  clientFailures: number;
  /** Sign-up attempts from one client address within the window before further ones are refused. */
  signupsPerClient: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { accountFailures: 5, clientFailures: 20, signupsPerClient: 5, windowMs: 15 * 60_000 };
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
