// The data export: the contract's export document, its published JSON Schema, and the builder of one account's.
import { listMailOf } from './repo/mail';
import { z } from 'zod';
import { EXPORT_SCHEMA_PATH, ExportDocument } from '../electron/contract/cloud';
import type { SqlDb } from './db/sql-db';
import { EXPORT_FORMAT_VERSION, REGIONS, isoAt, type Region } from './domain';
import { findStoredObject, listHostedDevices, listPushNotices, listStoredObjects } from './repo/account-services';
import { accountLogOut, listAccountLog } from './repo/account-log';
import { findAccountById } from './repo/accounts';
import { listConsents } from './repo/consents';
import { listSessions } from './repo/sessions';
import { getSettings } from './repo/settings';
import { listSharesGiven, listSharesReceived } from './repo/shares';
import { telemetryCounters, telemetryEvents } from './repo/telemetry';
import { recentFailures } from './repo/throttle';
import { feedbackWithData } from './repo/feedback';
import { listRegionMoves, regionMoveOut } from './repo/transfer';
import { consentOut, hostedOut, noticeOut, objectOut, shareOut, usageOut } from './replies';

export const exportJsonSchema: Record<string, unknown> = {
  ...z.toJSONSchema(ExportDocument, { io: 'output' }),
  $id: `watchpost-cloud:export:v${EXPORT_FORMAT_VERSION}`,
  title: 'Watchpost cloud data export',
};

async function storedWithData(db: SqlDb, accountId: string) {
  const out = [];
  for (const m of await listStoredObjects(db, accountId)) {
    const o = (await findStoredObject(db, accountId, m.id, true))!;
    out.push({ ...objectOut(o), base64: o.data.toString('base64') });
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
  return {
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
        { field: 'mail text and codes', reason: 'a mail waiting for the relay carries a one-time code, a credential; codes are held only as keyed hashes' },
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
        emailVerifiedAt: account.email_verified_at,
        transferNoticeAt: account.transfer_notice_at ?? null,
        suspension: account.suspended_at
          ? { reason: account.suspension_reason ?? '', since: account.suspended_at, eraseAfter: account.erase_after ?? '', receiptId: account.erase_receipt_id ?? '' }
          : null,
        createdAt: account.created_at,
        updatedAt: account.updated_at,
      },
      rights: { restricted: account.restricted === 1, objected: account.objected === 1 },
      settings: settings
        ? { version: settings.version, updatedAt: settings.updated_at, document: JSON.parse(settings.document) as Record<string, unknown> }
        : null,
      consents: (await listConsents(db, a.accountId)).map((c) => {
        const { id, ...record } = consentOut(c);
        return { id, subject: c.subject, ...record };
      }),
      sessions: (await listSessions(db, a.accountId)).map((s) => ({
        id: s.id,
        client: s.client,
        createdAt: s.created_at,
        expiresAt: isoAt(s.expires_at_ms),
        lastUsedAt: s.last_used_at,
        revokedAt: s.revoked_at,
      })),
      accountLog: (await listAccountLog(db, a.accountId)).map(accountLogOut),
      pushNotices: (await listPushNotices(db, a.accountId, Number.MAX_SAFE_INTEGER)).map((n) => ({
        ...noticeOut(n),
        snapshotJpegBase64: n.snapshot ? n.snapshot.toString('base64') : null,
      })),
      cloudStorage: await storedWithData(db, a.accountId),
      feedback: await feedbackWithData(db, a.accountId),
      hostedDevices: (await listHostedDevices(db, a.accountId)).map(hostedOut),
      sharesGiven: (await listSharesGiven(db, a.accountId)).map((s) => ({ ...shareOut(s), recipientAccountId: s.recipient_id })),
      sharesReceived: (await listSharesReceived(db, a.accountId, { includeRevoked: true })).map((s) => ({
        ...shareOut(s),
        ownerAccountId: s.owner_id,
        ownerNickname: s.owner_nickname,
      })),
      telemetry: {
        counters: (await telemetryCounters(db, a.accountId)).map((c) => ({ purpose: c.purpose, ...usageOut(c) })),
        events: (await telemetryEvents(db, a.accountId)).map((e) => ({
          id: e.id,
          purpose: e.purpose,
          receivedAt: e.received_at,
          bytes: e.bytes,
          payload: JSON.parse(e.payload) as unknown,
        })),
      },
      mail: (await listMailOf(db, a.accountId)).map((m) => ({
        id: Number(m.id), kind: m.kind, recipient: m.recipient, subject: m.subject, createdAt: m.created_at,
        attempts: Number(m.attempts), lastError: m.last_error, sentAt: m.sent_at,
      })),
      regionMoves: (await listRegionMoves(db, a.accountId)).map(regionMoveOut),
      loginFailures: {
        recentCount: (await recentFailures(db, a.emailThrottleKey, a.nowMs - a.throttleWindowMs)).count,
      },
    },
  };
}
