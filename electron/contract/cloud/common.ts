// Building blocks of the cloud contract: regions, limits, shared fields, base64 checks and the route builders.
import { z } from 'zod';

export const REGIONS = {
  us: 'United States',
  de: 'Germany',
  sg: 'Singapore',
  my: 'Malaysia',
} as const;
export type Region = keyof typeof REGIONS;
export const REGION_IDS = Object.keys(REGIONS) as Region[];

export const MINIMUM_AGE = 16;
export const PHOTO_MAX_BYTES = 256 * 1024;
export const SETTINGS_MAX_BYTES = 64 * 1024;
export const PUSH_SNAPSHOT_MAX_BYTES = 256 * 1024;
/** One object in cloud storage (a snapshot or a short exported clip), and all of an account's. */
export const STORED_OBJECT_MAX_BYTES = 8 * 1024 * 1024;
export const STORAGE_QUOTA_BYTES = 256 * 1024 * 1024;
export const EXPORT_FORMAT_VERSION = 1;

export const iso = z.string().describe('ISO 8601 UTC date-time');
export const isoInput = z.iso.datetime({ error: 'must be an ISO 8601 UTC date-time' });
export const region = z.enum(REGION_IDS, { error: `must be one of ${REGION_IDS.join(', ')}` });
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'must be an email address' }).max(254));
export const requiredPassword = z.string().min(1, 'is required').max(256);

/** Base64 of at most `max` bytes, by its length (the exact size is checked once decoded). */
export const base64Of = (max: number) =>
  z.base64({ error: 'must be base64' }).max(Math.ceil((max * 4) / 3) + 4, `must decode to at most ${max} bytes`);

/** Bytes a padded base64 string decodes to (z.base64 has checked its form). */
export function base64Bytes(data: string): number {
  return (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}

/** The first `bytes` bytes a base64 string decodes to, as Latin-1 text: enough to check magic bytes without decoding it all. */
export function base64Head(data: string, bytes: number): string {
  return atob(data.slice(0, Math.ceil(bytes / 3) * 4)).slice(0, bytes);
}

export const JPEG_MAGIC = '\xff\xd8\xff';
export const PNG_MAGIC = '\x89PNG\r\n\x1a\n';

/** For checks across fields: they run only once every field is valid. */
export const onceValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** No request body, or no reply body (204). */
export const NoBody = z.undefined();

/** A route that needs `Authorization: Bearer <token>`: the status it succeeds with, its body and its reply. */
export function route<S extends number, B extends z.ZodType, R extends z.ZodType>(status: S, body: B, reply: R) {
  return { auth: true as const, status, body, reply };
}

/** A route open without a session. */
export function publicRoute<S extends number, B extends z.ZodType, R extends z.ZodType>(status: S, body: B, reply: R) {
  return { auth: false as const, status, body, reply };
}
