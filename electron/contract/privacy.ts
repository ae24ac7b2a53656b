// Account, consents, rights, sync state, the transmission ledger, export and erasure.
import { z } from 'zod';
import { call, NoInput, needs } from './common';
import { REGION_IDS } from './cloud/common';
import { isCountryCode } from './countries';

export const PRIVACY_PURPOSES = [
  'user_experience_plan',
  'device_experience_program',
  'alarm_push',
  'cloud_storage',
  'device_hosting',
] as const;
export type PrivacyPurpose = (typeof PRIVACY_PURPOSES)[number];
export const TELEMETRY_PURPOSES = ['user_experience_plan', 'device_experience_program'] as const;
export type TelemetryPurpose = (typeof TELEMETRY_PURPOSES)[number];

/** The policy this build shows ("Last modified: May 2026"); the cloud may announce a newer one. */
export const BUILT_IN_POLICY_VERSION = '2026-05';

export interface PurposeText {
  title: string;
  /** What it is for, in plain words from the policy. */
  summary: string;
  /** The data the policy lets it use. */
  policyData: string;
  /** What this station actually sends for it. */
  stationSends: string;
}

/** Shown to the user beside each switch; its SHA-256 is recorded with each consent as the text shown. */
export const PURPOSE_TEXT: Record<PrivacyPurpose, PurposeText> = {
  user_experience_plan: {
    title: 'User Experience Plan',
    summary:
      'Statistics of how the core features are used and how well they perform, to find bottlenecks, diagnose faults and improve the quality of new versions.',
    policyData:
      'Browsing and clicking behaviour, your unique identifier, app version number, public IP address, performance logs, error codes, request response time and crash logs.',
    stationSends:
      'How often each station feature was used, how many calls failed and how long they took, with the app version and platform. No video, names, addresses or camera details.',
  },
  device_experience_program: {
    title: 'Device Experience Program',
    summary: 'Facts about your devices, to help improve products and services and to analyse how different features are used.',
    policyData: 'Device attributes: country or region, serial number, device model, firmware version and device name.',
    stationSends:
      'Station version, operating system, number of cameras and the codec and size of their streams. No serial numbers, names or addresses.',
  },
  alarm_push: {
    title: 'Alarm push notifications',
    summary: 'Sending alarm notifications from your devices to you.',
    policyData: 'Device serial number, push notice ID and the alarm snapshot.',
    stationSends:
      'When an alarm rule fires here: the event type, the channel name, the time and the alarm snapshot, into your account\'s push inbox that your phone reads. No serial numbers or addresses.',
  },
  cloud_storage: {
    title: 'Cloud storage',
    summary: 'Keeping messages and video records in the cloud.',
    policyData: 'Device serial number, messages and video records, and channel information.',
    stationSends:
      'Only what you upload: a snapshot or an exported clip you pick, kept in your account until you delete it or the account. Recordings otherwise stay on this computer.',
  },
  device_hosting: {
    title: 'Device hosting (trusteeship)',
    summary: 'Telling the administrator of a hosting service about a device and its user, so they can confirm where the device is.',
    policyData: 'Your email address and your precise geographical location.',
    stationSends:
      'This station\'s device list (name, kind, vendor model and number of channels of each device) so your other stations see it. Never passwords, addresses, serial numbers or your location.',
  },
};

/** What each outbound request to the cloud is for; the ledger names one of these on every row. */
export const TRANSMISSION_PURPOSES = [
  'service_info', 'account', 'settings_sync', 'consent_record', 'rights', 'data_export', 'erasure',
  'user_experience_plan', 'device_experience_program', 'alarm_push', 'cloud_storage', 'device_hosting', 'feedback',
] as const;
export type TransmissionPurpose = (typeof TRANSMISSION_PURPOSES)[number];

const email = z.string().trim().toLowerCase().pipe(z.email({ error: 'must be an email address' }).max(254));
const password = z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters');
const nickname = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');
const country = z.string().trim().toUpperCase().superRefine((c, ctx) => {
  if (!isCountryCode(c)) ctx.addIssue({ code: 'custom', message: 'field.notCountry', params: { value: c.slice(0, 12) } });
});
const dateOfBirth = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
/** The account's password typed again: checked by the cloud, never kept or logged here. */
const confirmPassword = z.string().min(1, 'is required').max(256);
/** A code the cloud mailed: eight digits (spaces and dashes typed with it are dropped). */
const mailedCode = z.string().max(20).transform((s) => s.replace(/[\s-]/g, '')).pipe(z.string().regex(/^\d{8}$/, 'field.notMailedCode'));
/** Whether a mail went to the relay at once or waits in the cloud's outbox (retried until it goes). */
export const MailDelivery = z.object({ delivery: z.enum(['sent', 'queued']) });
const locale = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'field.notLanguageTag').max(35);

export const PrivacyAccount = z.object({
  email: z.string(),
  /** The content type of the profile photo held in the cloud (null: none). */
  photoType: z.string().nullable(),
  nickname: z.string(),
  country: z.string(),
  region: z.string(),
  regionName: z.string(),
  dateOfBirth: z.string(),
  createdAt: z.string(),
  /** The address was confirmed with the code the cloud mailed (null: the cloud does not say). */
  emailVerified: z.boolean().nullable(),
  /**
   * The cloud suspended the account: its holder is under 16 (the birth date corrected below it, or reported); only reading,
   * exporting and erasing it are left, and its personal data is erased at `eraseAfter` under receipt `receiptId`.
   */
  suspension: z.object({ reason: z.enum(['under_age', 'reported_minor']), since: z.string(), eraseAfter: z.string(), receiptId: z.string() }).nullable(),
});
export type PrivacyAccount = z.infer<typeof PrivacyAccount>;

export const PurposeState = z.object({
  purpose: z.enum(PRIVACY_PURPOSES),
  granted: z.boolean(),
  /** The policy version the current choice was made under (null: never chosen). */
  policyVersion: z.string().nullable(),
  /** Granted under an older policy: nothing of it is sent until the user answers again. */
  needsReconsent: z.boolean(),
  /** The station may send data for this purpose right now. */
  active: z.boolean(),
  /** The choice is recorded here but not yet in the cloud. */
  pending: z.boolean(),
  changedAt: z.number().nullable(),
});
export type PurposeState = z.infer<typeof PurposeState>;

export const SYNC_STATES = ['signed_out', 'synced', 'pending', 'syncing', 'offline', 'restricted', 'session_ended', 'error'] as const;
export const SyncState = z.object({
  state: z.enum(SYNC_STATES),
  pending: z.number().int().nonnegative(),
  lastSyncedAt: z.number().nullable(),
  nextAttemptAt: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type SyncState = z.infer<typeof SyncState>;

export const PrivacyState = z.object({
  cloud: z.object({
    url: z.string().nullable(),
    reachable: z.boolean().nullable(),
    region: z.string().nullable(),
    regionName: z.string().nullable(),
    minimumAge: z.number().int(),
    checkedAt: z.number().nullable(),
    /** The deployment's controller, contact and supervisory authority, as the cloud states them. */
    controller: z.object({ name: z.string(), contact: z.string(), authority: z.string() }).nullable(),
    /** The station would not talk to it: plain HTTP to another computer, or a certificate it cannot verify. */
    refused: z.enum(['plain_http', 'certificate']).nullable(),
    /** The cloud sends mail (email verification, "forgot password"); null until it was asked. */
    mail: z.boolean().nullable(),
  }),
  policy: z.object({ version: z.string(), builtIn: z.string(), changed: z.boolean() }),
  account: PrivacyAccount.nullable(),
  /** Profile edits saved here and waiting for the cloud. */
  pendingProfile: z.object({ nickname: z.string().optional(), country: z.string().optional(), dateOfBirth: z.string().optional() }),
  purposes: z.array(PurposeState),
  rights: z.object({ restricted: z.boolean(), objected: z.boolean(), pending: z.boolean() }),
  sync: SyncState,
  telemetry: z.array(z.object({
    purpose: z.enum(TELEMETRY_PURPOSES),
    queuedEvents: z.number().int(),
    sentBytes: z.number().int(),
  })),
  exportsDir: z.string(),
});
export type PrivacyState = z.infer<typeof PrivacyState>;

export const ConsentRecord = z.object({
  id: z.number().int(),
  purpose: z.enum(PRIVACY_PURPOSES),
  action: z.enum(['grant', 'withdraw']),
  policyVersion: z.string(),
  policyTextHash: z.string(),
  appVersion: z.string(),
  locale: z.string(),
  createdAt: z.number(),
  /** When the cloud's ledger recorded it (UTC ISO); null while waiting. */
  cloudRecordedAt: z.string().nullable(),
  cloudId: z.number().int().nullable(),
  origin: z.enum(['station', 'cloud']),
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

export const Transmission = z.object({
  id: z.number().int(),
  at: z.number(),
  method: z.string(),
  endpoint: z.string(),
  purpose: z.enum(TRANSMISSION_PURPOSES),
  bytesOut: z.number().int(),
  bytesIn: z.number().int(),
  status: z.number().int().nullable(),
  outcome: z.string(),
  consent: z.string(),
});
export type Transmission = z.infer<typeof Transmission>;

export const ErasureReceipt = z.object({
  erasedAt: z.number(),
  cloud: z.record(z.string(), z.unknown()).nullable(),
  local: z.object({
    account: z.boolean(),
    settingsFields: z.number().int(),
    consentRecords: z.number().int(),
    outboxEntries: z.number().int(),
    telemetryEvents: z.number().int(),
    exportFiles: z.number().int(),
    recordings: z.enum(['kept', 'deleted']),
    recordingFiles: z.number().int(),
    token: z.boolean(),
  }),
  kept: z.string(),
});
export type ErasureReceipt = z.infer<typeof ErasureReceipt>;

export const SentFeedback = z.object({
  id: z.string(), text: z.string(), replyEmail: z.string().nullable(),
  attachments: z.array(z.object({ name: z.string(), contentType: z.string(), bytes: z.number().int() })),
  receivedAt: z.string(), deleteAfter: z.string(),
});
export type SentFeedback = z.infer<typeof SentFeedback>;

/** A profile photo: the cloud takes JPEG or PNG up to 256 KiB. */
export const PROFILE_PHOTO_TYPES = ['image/jpeg', 'image/png'] as const;
export const PROFILE_PHOTO_MAX_BYTES = 256 * 1024;
export const ProfilePhoto = z.object({
  contentType: z.enum(PROFILE_PHOTO_TYPES, { error: 'must be a JPEG or PNG image' }),
  dataBase64: z.base64({ error: 'must be base64' }).max(Math.ceil((PROFILE_PHOTO_MAX_BYTES * 4) / 3) + 4, `must be at most ${PROFILE_PHOTO_MAX_BYTES / 1024} KiB`),
}).strict();
export type ProfilePhoto = z.infer<typeof ProfilePhoto>;

export const CloudSession = z.object({
  id: z.string(),
  /** The app and device that signed in ("Watchpost station 0.1.0 (linux x64)"); empty when it did not say. */
  client: z.string(),
  current: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type CloudSession = z.infer<typeof CloudSession>;

/** What the cloud's account operation log records (its contract reads this list). */
export const ACCOUNT_LOG_KINDS = ['sign_up', 'sign_in', 'password_change', 'email_change', 'export', 'erasure_request', 'email_verified', 'password_reset', 'suspended'] as const;
/** One entry of the account operation log, newest first: when, what, from which address, with which app and device. */
export const AccountLogEntry = z.object({ id: z.number(), at: z.string(), kind: z.enum(ACCOUNT_LOG_KINDS), address: z.string(), client: z.string() });
export type AccountLogEntry = z.infer<typeof AccountLogEntry>;

export const StoredObject = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['snapshot', 'clip']),
  contentType: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});
export type StoredObject = z.infer<typeof StoredObject>;

/** One station's device list as hosted in the account (no credentials, addresses or serials). */
export const HostedStation = z.object({
  stationId: z.string(),
  stationName: z.string(),
  /** This station's own list. */
  own: z.boolean(),
  devices: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), model: z.string(), channels: z.number().int() })),
  updatedAt: z.string(),
});
export type HostedStation = z.infer<typeof HostedStation>;

/** A data region of the deployment (one cloud instance each, each with its own database). */
const dataRegion = z.enum(REGION_IDS, { error: `must be one of ${REGION_IDS.join(', ')}` });

/** One region the deployment's directory lists: its id, name, and its instance's base URL. */
export const DataRegion = z.object({ id: z.enum(REGION_IDS), name: z.string(), url: z.string(), current: z.boolean() });
export type DataRegion = z.infer<typeof DataRegion>;

/** The receipt of a move of the account to another region, kept on this station and shown on the Privacy page. */
export const RegionMove = z.object({
  /** Also the id of the old region's erasure receipt. */
  id: z.string(),
  accountId: z.string(),
  movedAt: z.string(),
  from: z.enum(REGION_IDS),
  to: z.enum(REGION_IDS),
  fromName: z.string(),
  toName: z.string(),
  carried: z.record(z.string(), z.number()),
  notCarried: z.record(z.string(), z.number()),
});
export type RegionMove = z.infer<typeof RegionMove>;

export const privacyCalls = {
  'privacy.state': call(needs.station('privacy'), NoInput, PrivacyState),
  /** Asks the cloud where data lives and which policy is in force (the user opened the Privacy page). */
  'privacy.checkCloud': call(needs.station('privacy'), NoInput, PrivacyState),
  'privacy.signUp': call(needs.station('privacy'), 
    z.object({
      email, password, nickname, country, dateOfBirth, photo: ProfilePhoto.optional(),
      /** Where the account is kept (default: the configured cloud's region); one the deployment's directory lists. */
      region: dataRegion.optional(),
      /** The notice on international transfers was shown and acknowledged (needed where the region is not the country's). */
      transferAcknowledged: z.boolean().optional(),
    }).strict(),
    PrivacyState,
  ),
  /** The regions the deployment serves, from the configured cloud's directory. */
  'privacy.regions': call(needs.station('privacy'), NoInput, z.array(DataRegion)),
  /** Moves the account to another region (created there with its data, then erased in the old one); the receipt. */
  'privacy.moveRegion': call(needs.station('privacy'),
    z.object({ region: dataRegion, password: z.string().min(1, 'is required').max(256), transferAcknowledged: z.boolean().optional() }).strict(),
    RegionMove,
  ),
  /** The receipts of this account's region moves made from this station, newest first. */
  'privacy.regionMoves': call(needs.station('privacy'), NoInput, z.array(RegionMove)),
  /** The profile photo held in the cloud, or null. */
  'privacy.photo': call(needs.station('privacy'), NoInput, ProfilePhoto.nullable()),
  'privacy.setPhoto': call(needs.station('privacy'), z.object({ photo: ProfilePhoto.nullable() }).strict(), PrivacyState),
  'privacy.changeEmail': call(needs.station('privacy'), z.object({ currentPassword: z.string().min(1, 'is required').max(256), newEmail: email }).strict(), PrivacyState),
  'privacy.changePassword': call(needs.station('privacy'), 
    z.object({ currentPassword: z.string().min(1, 'is required').max(256), newPassword: password }).strict(),
    z.object({ revokedSessions: z.number().int() }),
  ),
  'privacy.sessions': call(needs.station('privacy'), NoInput, z.array(CloudSession)),
  /** The cloud account's operation log: sign-ins, password and email changes, exports, erasure requests. */
  'privacy.accountLog': call(needs.station('privacy'), NoInput, z.array(AccountLogEntry)),
  'privacy.revokeSession': call(needs.station('privacy'), z.object({ id: z.string().min(1).max(100) }).strict(), z.array(CloudSession)),
  /** Sign out everywhere else: every session of the account but this station's. */
  'privacy.revokeOtherSessions': call(needs.station('privacy'), NoInput, z.object({ revoked: z.number().int(), sessions: z.array(CloudSession) })),
  /** The code the cloud mailed at sign-up (or to a new address) confirms the address. */
  'privacy.verifyEmail': call(needs.station('privacy'), z.object({ code: mailedCode }).strict(), PrivacyState),
  'privacy.resendVerification': call(needs.station('privacy'), NoInput, MailDelivery),
  /** "Forgot password": the cloud mails a reset code to the address if it has an account there (the answer is the same if not). */
  'privacy.forgotPassword': call(needs.station('privacy'), z.object({ email }).strict(), MailDelivery),
  /** The mailed code with a new password: every session of the account ends; log in with the new password. */
  'privacy.resetPassword': call(needs.station('privacy'), z.object({ email, code: mailedCode, newPassword: password }).strict(), z.object({ revokedSessions: z.number().int() })),
  'privacy.logIn': call(needs.station('privacy'), z.object({
    email, password: z.string().min(1, 'is required').max(256),
    /** An account kept in another of the deployment's regions than the configured cloud's. */
    region: dataRegion.optional(),
  }).strict(), PrivacyState),
  'privacy.logOut': call(needs.station('privacy'), NoInput, PrivacyState),
  'privacy.updateProfile': call(needs.station('privacy'), 
    // A birth date is corrected too; below 16 the cloud suspends the account (the page says so before it is sent).
    z.object({ nickname: nickname.optional(), country: country.optional(), dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'field.notDate').optional() }).strict()
      .refine((p) => p.nickname !== undefined || p.country !== undefined || p.dateOfBirth !== undefined, { message: 'input.nothingToChange' }),
    PrivacyState,
  ),
  /** A grant lets data leave: it needs the account's password typed again (`password`); a withdrawal needs none. */
  'privacy.setConsent': call(needs.station('privacy'), 
    z.object({ purpose: z.enum(PRIVACY_PURPOSES), granted: z.boolean(), locale: locale.default('en'), password: confirmPassword.optional() }).strict(),
    PrivacyState,
  ),
  'privacy.setRights': call(needs.station('privacy'), 
    z.object({ restricted: z.boolean().optional(), objected: z.boolean().optional() }).strict()
      .refine((r) => r.restricted !== undefined || r.objected !== undefined, { message: 'input.nothingToChange' }),
    PrivacyState,
  ),
  'privacy.consents': call(needs.station('privacy'), NoInput, z.array(ConsentRecord)),
  'privacy.ledger': call(needs.station('privacy'), 
    z.object({
      purpose: z.enum(TRANSMISSION_PURPOSES).optional(),
      text: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }).strict(),
    z.object({ rows: z.array(Transmission), total: z.number().int(), matching: z.number().int() }),
  ),
  'privacy.syncNow': call(needs.station('privacy'), NoInput, PrivacyState),
  /** Cloud storage (needs the cloud storage consent to upload; listing, download and delete are always yours). */
  'privacy.storage': call(needs.station('privacy'), NoInput, z.object({ objects: z.array(StoredObject), usedBytes: z.number().int(), quotaBytes: z.number().int() })),
  /** Snapshots (.jpg) and clips (.mp4) in this station's media folders that can be uploaded, newest first. */
  'privacy.storableFiles': call(needs.station('privacy'), NoInput, z.array(z.object({
    path: z.string(), name: z.string(), kind: z.enum(['snapshot', 'clip']), bytes: z.number().int(), modifiedAt: z.number(),
  }))),
  /** Uploads a snapshot (.jpg) or an exported clip (.mp4) from this station's media folders. */
  'privacy.storeFile': call(needs.station('privacy'), z.object({ path: z.string().min(1, 'is required').max(4096) }).strict(), StoredObject),
  'privacy.downloadStored': call(needs.station('privacy'), z.object({ id: z.string().min(1).max(100) }).strict(), z.object({ object: StoredObject, dataBase64: z.string() })),
  'privacy.deleteStored': call(needs.station('privacy'), z.object({ id: z.string().min(1).max(100) }).strict(), z.object({ deleted: z.boolean() })),
  /** Feedback to the service: sent only when the user presses send, exactly what the form showed; the ledger names every part. */
  'privacy.sendFeedback': call(needs.station('privacy'), z.object({
    text: z.string().trim().min(1, 'is required').max(5000),
    replyEmail: email.nullable(),
    screenshots: z.array(z.object({
      name: z.string().trim().min(1).max(200),
      contentType: z.enum(['image/png', 'image/jpeg']),
      dataBase64: z.base64({ error: 'must be base64' }).max(Math.ceil((5 * 1024 * 1024 * 4) / 3) + 4, 'must be at most 5 MiB'),
    }).strict()).max(3),
    /** Attach a diagnostics zip made now, as "Create diagnostics" shows it. */
    diagnostics: z.boolean(),
  }).strict(), SentFeedback),
  /** What this account sent as feedback, with when the service deletes it. */
  'privacy.feedback': call(needs.station('privacy'), NoInput, z.array(SentFeedback)),
  /** The device lists the account's stations host (device hosting). */
  'privacy.hostedStations': call(needs.station('privacy'), NoInput, z.array(HostedStation)),
  /** Signed in, the cloud part needs the account's password typed again. */
  'privacy.export': call(needs.station('privacy'), z.object({ password: confirmPassword.optional() }).strict(), z.object({ path: z.string(), fileName: z.string(), bytes: z.number().int(), json: z.string() })),
  'privacy.erase': call(needs.station('privacy'), 
    z.object({ password: z.string().max(256).default(''), recordings: z.enum(['keep', 'delete']) }).strict(),
    ErasureReceipt,
  ),
} as const;

export const privacySignals = {
  'privacy.changed': PrivacyState,
} as const;
