// The error envelope every refused request gets: `{ error: { code, message, field?, issues?, ... } }`.
import { z } from 'zod';
import { PRIVACY_PURPOSES } from '../privacy';
import { REGION_IDS } from './common';
import { SettingsDocument } from './settings';

export const CLOUD_ERROR_CODES = [
  'invalid_input', 'invalid_json', 'unsupported_media_type', 'body_too_large', 'unauthenticated', 'invalid_token', 'not_found',
  'method_not_allowed', 'email_taken', 'wrong_region', 'age_gate', 'invalid_credentials', 'wrong_password', 'login_throttled',
  'signup_throttled', 'precondition_required', 'precondition_failed', 'consent_required', 'objected', 'consent_outdated',
  'processing_restricted', 'recipient_not_found', 'storage_quota', 'region_unavailable', 'move_unfinished', 'forbidden', 'internal',
  'mail_unavailable', 'code_wrong', 'code_used', 'code_expired', 'confirmation_required', 'already_verified', 'account_suspended',
] as const;
export type CloudErrorCode = (typeof CLOUD_ERROR_CODES)[number];

export const CloudErrorBody = z.strictObject({
  code: z.enum(CLOUD_ERROR_CODES),
  /** "field: what is wrong" */
  message: z.string(),
  /** The request field at fault, a dotted path ("photo.data", "channels.0"). */
  field: z.string().optional(),
  issues: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  /** invalid_credentials, wrong_password */
  attemptsLeft: z.number().optional(),
  /** login_throttled, signup_throttled (also in `Retry-After`) */
  retryAfterSeconds: z.number().optional(),
  /** wrong_region: where this instance keeps data */
  serviceRegion: z.enum(REGION_IDS).optional(),
  /** precondition_failed: the stored document, to merge with and retry */
  currentVersion: z.number().optional(),
  current: SettingsDocument.optional(),
  /** consent_required, consent_outdated (with the policy version in force) */
  purpose: z.enum(PRIVACY_PURPOSES).optional(),
  policyVersion: z.string().optional(),
  /** storage_quota */
  usedBytes: z.number().optional(),
  quotaBytes: z.number().optional(),
});
export type CloudErrorBody = z.infer<typeof CloudErrorBody>;

export const CloudError = z.strictObject({ error: CloudErrorBody });
