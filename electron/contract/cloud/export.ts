// The data export: everything the cloud holds about an account, and the JSON Schema it is published with.
import { z } from 'zod';
import { CloudStoredObject, HostedDeviceList, PushNotice } from './account-services';
import { AccountLogEntry, Session } from './accounts';
import { EXPORT_FORMAT_VERSION, NoBody, REGION_IDS, iso, publicRoute, route } from './common';
import { CloudFeedback } from './feedback';
import { CloudConsentRecord, Rights } from './settings';
import { Share } from './shares';
import { PurposeUsage } from './telemetry';

export const EXPORT_SCHEMA_PATH = '/v1/export/schema';

export const ExportDocument = z.strictObject({
  metadata: z.strictObject({
    formatVersion: z.literal(EXPORT_FORMAT_VERSION),
    generatedAt: iso,
    service: z.literal('watchpost-cloud'),
    region: z.enum(REGION_IDS),
    regionName: z.string(),
    schema: z.string().describe('where the JSON Schema of this document is served'),
    withheld: z
      .array(z.strictObject({ field: z.string(), reason: z.string() }))
      .describe('data held but not exported, and why'),
  }),
  schema: z.record(z.string(), z.unknown()).describe('the JSON Schema of this document'),
  data: z.strictObject({
    account: z.strictObject({
      id: z.string(),
      email: z.string(),
      region: z.enum(REGION_IDS),
      country: z.string(),
      nickname: z.string(),
      dateOfBirth: z.string(),
      photo: z.strictObject({ contentType: z.string(), base64: z.string() }).nullable(),
      emailVerifiedAt: iso.nullable().describe('when the address was confirmed with a mailed code'),
      transferNoticeAt: iso.nullable(),
      suspension: z.strictObject({ reason: z.string(), since: iso, eraseAfter: iso, receiptId: z.string() }).nullable()
        .describe('suspended because its holder is under 16: when, why, and when and under which receipt it is erased'),
      createdAt: iso,
      updatedAt: iso,
    }),
    rights: Rights,
    settings: z.strictObject({ version: z.number(), updatedAt: iso, document: z.record(z.string(), z.unknown()) }).nullable(),
    // The subject right after the id, as the published schema has always listed it.
    consents: z.array(z.strictObject({
      id: z.number(), subject: z.string().describe('keyed hash kept as proof after erasure'), ...CloudConsentRecord.omit({ id: true }).shape,
    })),
    sessions: z.array(Session.omit({ current: true })),
    accountLog: z.array(AccountLogEntry),
    pushNotices: z.array(PushNotice.omit({ hasSnapshot: true }).extend({ snapshotJpegBase64: z.string().nullable() })),
    cloudStorage: z.array(CloudStoredObject.extend({ base64: z.string() })),
    hostedDevices: z.array(HostedDeviceList.extend({ devices: z.array(z.unknown()) })),
    sharesGiven: z.array(Share.extend({ recipientAccountId: z.string() })),
    sharesReceived: z.array(Share.extend({ ownerAccountId: z.string(), ownerNickname: z.string() })),
    telemetry: z.strictObject({
      counters: z.array(z.strictObject({ purpose: z.string(), ...PurposeUsage.shape })),
      events: z.array(
        z.strictObject({ id: z.number(), purpose: z.string(), receivedAt: iso, bytes: z.number(), payload: z.unknown() }),
      ),
    }),
    feedback: z.array(CloudFeedback.extend({ attachments: z.array(CloudFeedback.shape.attachments.element.extend({ base64: z.string() })) })),
    mail: z.array(z.strictObject({
      id: z.number(), kind: z.string(), recipient: z.string().describe('empty once sent'), subject: z.string(), createdAt: iso,
      attempts: z.number(), lastError: z.string().nullable(), sentAt: iso.nullable(),
    })).describe('mail sent to the account; its text (which carries a code) is withheld and dropped once sent'),
    /** Moves of the account between regions that brought it here, with what each carried. */
    regionMoves: z.array(z.strictObject({ id: z.string(), movedAt: iso, from: z.enum(REGION_IDS), to: z.enum(REGION_IDS), carried: z.record(z.string(), z.number()) })),
    loginFailures: z.strictObject({ recentCount: z.number().describe('failed logins for this email still held for throttling') }),
  }),
});
export type ExportDocument = z.infer<typeof ExportDocument>;

export const exportRoutes = {
  /** The JSON Schema (draft 2020-12) of the export document. */
  'GET /v1/export/schema': publicRoute(200, NoBody, z.record(z.string(), z.unknown())),
  'GET /v1/export': route(200, NoBody, ExportDocument),
} as const;
