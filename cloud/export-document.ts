// The data-export format: a zod schema that both builds the JSON Schema we publish and checks our own output.
import { z } from 'zod';
import { EXPORT_FORMAT_VERSION, PURPOSES, REGION_IDS, isoAt } from './domain';
import type { SqlDb } from './db/sql-db';
import { findAccountById } from './repo/accounts';
import { listConsents } from './repo/consents';
import { listSessions } from './repo/sessions';
import { getSettings } from './repo/settings';
import { listSharesGiven, listSharesReceived } from './repo/shares';
import { telemetryCounters, telemetryEvents } from './repo/telemetry';
import { recentFailures } from './repo/throttle';
import { findStoredObject, listHostedDevices, listPushNotices, listStoredObjects } from './repo/account-services';
import { REGIONS, type Region } from './domain';

const iso = z.string().describe('ISO 8601 UTC date-time');
const share = z.strictObject({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  channels: z.array(z.number()).nullable().describe('null: every channel'),
  validFrom: iso.nullable(),
  validUntil: iso.nullable(),
  createdAt: iso,
  revokedAt: iso.nullable(),
});

export const exportDocumentSchema = z.strictObject({
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
      createdAt: iso,
      updatedAt: iso,
    }),
    rights: z.strictObject({ restricted: z.boolean(), objected: z.boolean() }),
    settings: z.strictObject({ version: z.number(), updatedAt: iso, document: z.record(z.string(), z.unknown()) }).nullable(),
    consents: z.array(
      z.strictObject({
        id: z.number(),
        subject: z.string().describe('keyed hash kept as proof after erasure'),
        purpose: z.enum(PURPOSES),
        action: z.enum(['grant', 'withdraw']),
        policyVersion: z.string(),
        policyTextHash: z.string(),
        appVersion: z.string(),
        locale: z.string(),
        recordedAt: iso,
      }),
    ),
    sessions: z.array(
      z.strictObject({ id: z.string(), client: z.string().describe('the app and device that signed in'), createdAt: iso, expiresAt: iso, lastUsedAt: iso, revokedAt: iso.nullable() }),
    ),
    pushNotices: z.array(
      z.strictObject({
        id: z.number(), stationId: z.string(), type: z.string(), channelName: z.string(), occurredAt: iso, receivedAt: iso,
        snapshotJpegBase64: z.string().nullable(),
      }),
    ),
    cloudStorage: z.array(
      z.strictObject({
        id: z.string(), name: z.string(), kind: z.enum(['snapshot', 'clip']), contentType: z.string(), bytes: z.number(),
        sha256: z.string(), createdAt: iso, base64: z.string(),
      }),
    ),
    hostedDevices: z.array(
      z.strictObject({ stationId: z.string(), stationName: z.string(), devices: z.array(z.unknown()), updatedAt: iso }),
    ),
    sharesGiven: z.array(share.extend({ recipientAccountId: z.string() })),
    sharesReceived: z.array(share.extend({ ownerAccountId: z.string(), ownerNickname: z.string() })),
    telemetry: z.strictObject({
      counters: z.array(
        z.strictObject({
          purpose: z.string(),
          receivedBytes: z.number(),
          acceptedBytes: z.number(),
          acceptedBatches: z.number(),
          refusedBatches: z.number(),
        }),
      ),
      events: z.array(
        z.strictObject({ id: z.number(), purpose: z.string(), receivedAt: iso, bytes: z.number(), payload: z.unknown() }),
      ),
    }),
    loginFailures: z.strictObject({ recentCount: z.number().describe('failed logins for this email still held for throttling') }),
  }),
});
export type ExportDocument = z.infer<typeof exportDocumentSchema>;

export const EXPORT_SCHEMA_PATH = '/v1/export/schema';
export const exportJsonSchema: Record<string, unknown> = {
  ...z.toJSONSchema(exportDocumentSchema, { io: 'output' }),
  $id: `watchpost-cloud:export:v${EXPORT_FORMAT_VERSION}`,
  title: 'Watchpost cloud data export',
};

export function shareOut(s: {
  id: string;
  device_id: string;
  device_name: string;
  channels: string | null;
  valid_from: string | null;
  valid_until: string | null;
  created_at: string;
  revoked_at: string | null;
}) {
  return {
    id: s.id,
    deviceId: s.device_id,
    deviceName: s.device_name,
    channels: s.channels ? (JSON.parse(s.channels) as number[]) : null,
    validFrom: s.valid_from,
    validUntil: s.valid_until,
    createdAt: s.created_at,
    revokedAt: s.revoked_at,
  };
}

async function storedWithData(db: SqlDb, accountId: string) {
  const out = [];
  for (const m of await listStoredObjects(db, accountId)) {
    const o = (await findStoredObject(db, accountId, m.id, true))!;
    out.push({
      id: o.id, name: o.name, kind: o.kind, contentType: o.content_type, bytes: Number(o.bytes), sha256: o.sha256, createdAt: o.created_at,
      base64: o.data.toString('base64'),
    });
  }
  return out;
}

/** Everything the service holds about one account. */
export async function buildExport(
  db: SqlDb,
  a: { accountId: string; region: Region; nowMs: number; emailThrottleKey: string; throttleWindowMs: number },
): Promise<ExportDocument> {
  const account = (await findAccountById(db, a.accountId))!;
  const settings = await getSettings(db, a.accountId);
  const doc: ExportDocument = {
    metadata: {
      formatVersion: EXPORT_FORMAT_VERSION,
      generatedAt: isoAt(a.nowMs),
      service: 'watchpost-cloud',
      region: a.region,
      regionName: REGIONS[a.region],
      schema: EXPORT_SCHEMA_PATH,
      withheld: [
        { field: 'password', reason: 'held only as a salted scrypt hash, which is not disclosed so it cannot be attacked offline' },
        { field: 'session tokens', reason: 'held only as SHA-256 hashes; sessions are listed without them' },
      ],
    },
    schema: exportJsonSchema,
    data: {
      account: {
        id: account.id,
        email: account.email,
        region: account.region,
        country: account.country,
        nickname: account.nickname,
        dateOfBirth: account.date_of_birth,
        photo: account.photo ? { contentType: account.photo_type ?? 'application/octet-stream', base64: account.photo.toString('base64') } : null,
        createdAt: account.created_at,
        updatedAt: account.updated_at,
      },
      rights: { restricted: account.restricted === 1, objected: account.objected === 1 },
      settings: settings
        ? { version: settings.version, updatedAt: settings.updated_at, document: JSON.parse(settings.document) as Record<string, unknown> }
        : null,
      consents: (await listConsents(db, a.accountId)).map((c) => ({
        id: c.id,
        subject: c.subject,
        purpose: c.purpose,
        action: c.action,
        policyVersion: c.policy_version,
        policyTextHash: c.policy_text_hash,
        appVersion: c.app_version,
        locale: c.locale,
        recordedAt: c.recorded_at,
      })),
      sessions: (await listSessions(db, a.accountId)).map((s) => ({
        id: s.id,
        client: s.client,
        createdAt: s.created_at,
        expiresAt: isoAt(s.expires_at_ms),
        lastUsedAt: s.last_used_at,
        revokedAt: s.revoked_at,
      })),
      pushNotices: (await listPushNotices(db, a.accountId, Number.MAX_SAFE_INTEGER)).map((n) => ({
        id: n.id,
        stationId: n.station_id,
        type: n.type,
        channelName: n.channel_name,
        occurredAt: n.occurred_at,
        receivedAt: n.received_at,
        snapshotJpegBase64: n.snapshot ? n.snapshot.toString('base64') : null,
      })),
      cloudStorage: await storedWithData(db, a.accountId),
      hostedDevices: (await listHostedDevices(db, a.accountId)).map((h) => ({
        stationId: h.station_id,
        stationName: h.station_name,
        devices: JSON.parse(h.devices) as unknown[],
        updatedAt: h.updated_at,
      })),
      sharesGiven: (await listSharesGiven(db, a.accountId)).map((s) => ({ ...shareOut(s), recipientAccountId: s.recipient_id })),
      sharesReceived: (await listSharesReceived(db, a.accountId, { includeRevoked: true })).map((s) => ({
        ...shareOut(s),
        ownerAccountId: s.owner_id,
        ownerNickname: s.owner_nickname,
      })),
      telemetry: {
        counters: (await telemetryCounters(db, a.accountId)).map((c) => ({
          purpose: c.purpose,
          receivedBytes: c.received_bytes,
          acceptedBytes: c.accepted_bytes,
          acceptedBatches: c.accepted_batches,
          refusedBatches: c.refused_batches,
        })),
        events: (await telemetryEvents(db, a.accountId)).map((e) => ({
          id: e.id,
          purpose: e.purpose,
          receivedAt: e.received_at,
          bytes: e.bytes,
          payload: JSON.parse(e.payload) as unknown,
        })),
      },
      loginFailures: {
        recentCount: (await recentFailures(db, a.emailThrottleKey, a.nowMs - a.throttleWindowMs)).count,
      },
    },
  };
  return doc;
}
