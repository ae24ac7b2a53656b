// Accounts, sign-in and sessions, the profile, password and email, and erasure.
import { ACCOUNT_LOG_KINDS } from '../privacy';
import { z } from 'zod';
import { isCountryCode } from '../countries';
import {
  JPEG_MAGIC, NoBody, PHOTO_MAX_BYTES, PNG_MAGIC, REGION_IDS, base64Bytes, base64Head, base64Of, email, iso, onceValid, publicRoute,
  region, requiredPassword, route,
} from './common';

const country = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code');
const nickname = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');
const password = z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters');
const dateOfBirth = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/** A profile photo: base64 JPEG or PNG, checked by its magic bytes and capped in size. */
export const PhotoUpload = z
  .strictObject({
    contentType: z.enum(['image/jpeg', 'image/png'], { error: 'must be image/jpeg or image/png' }),
    data: base64Of(PHOTO_MAX_BYTES),
  })
  .superRefine((p, ctx) => {
    const magic = p.contentType === 'image/jpeg' ? JPEG_MAGIC : PNG_MAGIC;
    if (base64Bytes(p.data) > PHOTO_MAX_BYTES)
      ctx.addIssue({ code: 'custom', path: ['data'], message: `must decode to at most ${PHOTO_MAX_BYTES} bytes` });
    else if (base64Head(p.data, magic.length) !== magic)
      ctx.addIssue({ code: 'custom', path: ['data'], message: `is not a ${p.contentType} image` });
  }, onceValid);
export type PhotoUpload = z.infer<typeof PhotoUpload>;

/** What the signing-in app says it is ("Watchpost station 0.1.0 (linux x64)"), shown in the session list. */
const client = z.string().trim().max(100, 'must be at most 100 characters').regex(/^[^\u0000-\u001f\u007f]*$/, 'must be printable text');

export const SignUpBody = z.strictObject({
  email,
  region,
  country,
  nickname,
  password,
  dateOfBirth,
  photo: PhotoUpload.optional(),
  client: client.optional(),
  /** The person read and acknowledged the notice on international transfers (needed where `region` is not their country's). */
  transferNoticeAcknowledged: z.literal(true).optional(),
});

export const LoginBody = z.strictObject({
  email,
  password: requiredPassword,
  region: region.optional(),
  client: client.optional(),
});

export const EmailChangeBody = z.strictObject({
  currentPassword: requiredPassword,
  newEmail: email,
});

export const PasswordChangeBody = z.strictObject({
  currentPassword: requiredPassword,
  newPassword: password,
});

export const ProfilePatchBody = z
  .strictObject({
    country: country.optional(),
    nickname: nickname.optional(),
    dateOfBirth: dateOfBirth.optional(),
    photo: PhotoUpload.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'must change at least one field' });

export const EraseBody = z.strictObject({ password: requiredPassword });

export const Account = z.strictObject({
  id: z.string(),
  email: z.string(),
  region: z.enum(REGION_IDS),
  regionName: z.string(),
  country: z.string(),
  nickname: z.string(),
  dateOfBirth: z.string(),
  hasPhoto: z.boolean(),
  photoType: z.string().nullable(),
  restricted: z.boolean(),
  objected: z.boolean(),
  /** The address was confirmed with the code mailed to it; absent from older services. */
  emailVerified: z.boolean().optional(),
  /** When the notice on international transfers was acknowledged (an account kept outside its country's region); null: not needed. */
  transferNoticeAt: iso.nullable(),
  /**
   * The account of someone under 16 (its birth date corrected below it, or reported to the operator): everything but
   * reading, exporting and erasing it is refused, and its personal data is erased at `eraseAfter` under receipt `receiptId`.
   */
  suspension: z.strictObject({ reason: z.enum(['under_age', 'reported_minor']), since: iso, eraseAfter: iso, receiptId: z.string() }).nullable().optional(),
  createdAt: iso,
  updatedAt: iso,
});
export type Account = z.infer<typeof Account>;

export const AccountReply = z.strictObject({ account: Account });
export const SignedIn = z.strictObject({ account: Account, token: z.string(), sessionId: z.string(), expiresAt: iso });
export type SignedIn = z.infer<typeof SignedIn>;

export const Session = z.strictObject({
  id: z.string(),
  current: z.boolean(),
  client: z.string().describe('the app and device that signed in'),
  createdAt: iso,
  expiresAt: iso,
  lastUsedAt: iso,
  revokedAt: iso.nullable(),
});
export type Session = z.infer<typeof Session>;

/** What the account operation log records (the list lives in the station contract, which the renderer reads too). */
export type AccountLogKind = (typeof ACCOUNT_LOG_KINDS)[number];
/** One entry of the account operation log: when, what, from which address, with which app and device. */
export const AccountLogEntry = z.strictObject({ id: z.number(), at: iso, kind: z.enum(ACCOUNT_LOG_KINDS), address: z.string(), client: z.string() });
export type AccountLogEntry = z.infer<typeof AccountLogEntry>;

/** What erasure deleted, and the consent proof it kept (no personal details). */
export const CloudErasureReceipt = z.strictObject({
  id: z.string(),
  erasedAt: iso,
  region: z.string(),
  deleted: z.strictObject({
    consentRecordsAnonymised: z.number(),
    sessions: z.number(),
    settings: z.number(),
    telemetryEvents: z.number(),
    telemetryCounters: z.number(),
    sharesGiven: z.number(),
    sharesReceived: z.number(),
    loginFailures: z.number(),
    pushNotices: z.number(),
    cloudStorageObjects: z.number(),
    hostedDeviceLists: z.number(),
    feedback: z.number(),
    accountLog: z.number(),
    profilePhoto: z.number(),
    account: z.number(),
  }),
  kept: z.strictObject({ consentRecords: z.number(), consentSubject: z.string(), why: z.string() }),
});
export type CloudErasureReceipt = z.infer<typeof CloudErasureReceipt>;

export const accountRoutes = {
  'POST /v1/accounts': publicRoute(201, SignUpBody, SignedIn),
  'POST /v1/auth/login': publicRoute(200, LoginBody, SignedIn),
  'POST /v1/auth/logout': route(204, NoBody, NoBody),
  'GET /v1/sessions': route(200, NoBody, z.strictObject({ sessions: z.array(Session) })),
  /** The account operation log, newest first. */
  'GET /v1/account/log': route(200, NoBody, z.strictObject({ entries: z.array(AccountLogEntry) })),
  'DELETE /v1/sessions/:id': route(204, NoBody, NoBody),
  /** Sign out everywhere else. */
  'POST /v1/sessions/revoke-others': route(200, NoBody, z.strictObject({ revoked: z.number() })),
  'GET /v1/account': route(200, NoBody, AccountReply),
  /** Profile correction; the region never changes (it is the instance), the email only with the password. */
  'PATCH /v1/account': route(200, ProfilePatchBody, AccountReply),
  'GET /v1/account/photo': route(200, NoBody, z.strictObject({ contentType: z.string(), data: z.string() })),
  'POST /v1/account/email': route(200, EmailChangeBody, AccountReply),
  /** Every other session is revoked. */
  'POST /v1/account/password': route(200, PasswordChangeBody, z.strictObject({ changed: z.literal(true), revokedSessions: z.number() })),
  /** Erasure. */
  'DELETE /v1/account': route(200, EraseBody, z.strictObject({ receipt: CloudErasureReceipt })),
} as const;
