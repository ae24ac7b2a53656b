// Mail the cloud sends (email verification, forgotten passwords) and the password re-entry before sensitive steps.
import { z } from 'zod';
import { AccountReply } from './accounts';
import { NoBody, email, iso, publicRoute, region, requiredPassword, route } from './common';

/** The header a confirmed request carries: the token `POST /v1/auth/confirm` gave for the password typed again. */
export const CONFIRMATION_HEADER = 'x-watchpost-confirmation';
/** How long a confirmation token is good for. */
export const CONFIRMATION_TTL_MS = 5 * 60_000;
/** How long a mailed code is good for: a verification code, a password reset code. */
export const VERIFY_CODE_TTL_MS = 24 * 3600_000;
export const RESET_CODE_TTL_MS = 15 * 60_000;

/** A mailed code: eight digits (spaces and dashes the user types are dropped). */
const code = z.string().transform((s) => s.replace(/[\s-]/g, '')).pipe(z.string().regex(/^\d{8}$/, 'must be the 8-digit code from the mail'));
const newPassword = z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters');

/** Whether the mail went to the relay at once, or waits in the outbox for it (retried until it goes). */
export const MailQueued = z.strictObject({ delivery: z.enum(['sent', 'queued']) });
export type MailQueued = z.infer<typeof MailQueued>;

export const mailRoutes = {
  /** The code mailed at sign-up (or with a new email address) confirms the address. */
  'POST /v1/account/email/verify': route(200, z.strictObject({ code }), AccountReply),
  /** Mails a new verification code (the older ones stop working). */
  'POST /v1/account/email/resend': route(202, NoBody, MailQueued),
  /** Mails a reset code to the address when it has an account here; the same answer when it has none. */
  'POST /v1/auth/forgot': publicRoute(202, z.strictObject({ email, region: region.optional() }), MailQueued),
  /** The mailed code, once, with a new password: every session of the account ends. */
  'POST /v1/auth/reset': publicRoute(200, z.strictObject({ email, code, newPassword }), z.strictObject({ changed: z.literal(true), revokedSessions: z.number() })),
  /** The password typed again: a token for CONFIRMATION_HEADER, good for a few minutes, for an export or a consent that sends data. */
  'POST /v1/auth/confirm': route(200, z.strictObject({ password: requiredPassword }), z.strictObject({ confirmation: z.string(), expiresAt: iso })),
} as const;
