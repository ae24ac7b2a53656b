// How long each kind of personal data is kept, in the cloud and on the station: the pruning passes enforce these
// numbers (cloud/repo/retention.ts, electron/core/privacy/privacy-store.ts) and the Privacy page shows them.
// Plain constants, no imports: the renderer, the station and the cloud all read this one list.

export const DAY_MS = 86_400_000;

/** Days after which the cloud deletes a row of each kind (counted from the moment named in the comment). */
export const CLOUD_RETENTION_DAYS = {
  /** Usage statistics and device facts: after they arrived. */
  telemetryEvents: 180,
  /** Alarm notices with their snapshot, the push inbox: after they arrived. */
  pushNotices: 90,
  /** Sessions: after they ended (signed out, revoked or expired). */
  endedSessions: 30,
  /** The account operation log (sign-ins, password and email changes, exports, erasure requests): after the entry. */
  accountLog: 365,
  /** Feedback, with its screenshots and any diagnostics zip sent with it: after it arrived. */
  feedback: 365,
  /** Mail the cloud sent (verification, password reset), without its text or recipient once sent: after sending. */
  sentMail: 30,
  /** Mail the relay never took (its codes expired long before): after it was queued. */
  unsentMail: 7,
  /**
   * Consent records of an erased account, anonymised (only a keyed hash of the account id remains): after the erasure.
   * The controller must be able to show that consent was given (GDPR Art. 7(1)) for as long as a claim about the
   * processing it allowed can still be brought: the regular limitation period of three years (e.g. § 195 BGB).
   */
  erasedConsentRecords: 3 * 365,
} as const;

/** Failed sign-ins and sign-up attempts are kept only while the throttle needs them (minutes). */
export const LOGIN_FAILURE_RETENTION_MINUTES = 15;

/** Days after which the station deletes its own personal records. */
export const STATION_RETENTION_DAYS = {
  /** The transmission ledger: every request this station made to the cloud. */
  transmissionLedger: 365,
  /** Usage statistics and device facts collected here but never sent (the cloud unreachable, or the account gone). */
  unsentTelemetry: 30,
} as const;

/**
 * What the Privacy page lists: each kind of personal data, where it is kept, and for how long (`days`, or null when it
 * is kept until the user deletes it or a setting says; the page words each case).
 */
export const RETENTION_TABLE = [
  { kind: 'account', where: 'cloud', days: null },
  { kind: 'consentRecords', where: 'cloud', days: CLOUD_RETENTION_DAYS.erasedConsentRecords },
  { kind: 'endedSessions', where: 'cloud', days: CLOUD_RETENTION_DAYS.endedSessions },
  { kind: 'loginFailures', where: 'cloud', days: null },
  { kind: 'accountLog', where: 'cloud', days: CLOUD_RETENTION_DAYS.accountLog },
  { kind: 'telemetryEvents', where: 'cloud', days: CLOUD_RETENTION_DAYS.telemetryEvents },
  { kind: 'pushNotices', where: 'cloud', days: CLOUD_RETENTION_DAYS.pushNotices },
  { kind: 'cloudStorage', where: 'cloud', days: null },
  { kind: 'hostedDevices', where: 'cloud', days: null },
  { kind: 'feedback', where: 'cloud', days: CLOUD_RETENTION_DAYS.feedback },
  { kind: 'mail', where: 'cloud', days: CLOUD_RETENTION_DAYS.sentMail },
  { kind: 'transmissionLedger', where: 'station', days: STATION_RETENTION_DAYS.transmissionLedger },
  { kind: 'unsentTelemetry', where: 'station', days: STATION_RETENTION_DAYS.unsentTelemetry },
  { kind: 'stationAccount', where: 'station', days: null },
  { kind: 'recordings', where: 'station', days: null },
  { kind: 'operationLog', where: 'station', days: null },
] as const satisfies readonly { kind: string; where: 'cloud' | 'station'; days: number | null }[];
export type RetentionKind = (typeof RETENTION_TABLE)[number]['kind'];
