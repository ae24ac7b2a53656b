// A region move's two halves in the repository: the new region takes the account with its data in one transaction, and
// keeps the move's record (its receipt) with it.
import { createHash } from 'node:crypto';
import type { MoveCounts, TransferBody } from '../../electron/contract/cloud';
import type { SqlDb } from '../db/sql-db';
import type { Region } from '../domain';
import { EmailTakenError, findAccountByEmail, findAccountById, insertAccount } from './accounts';
import { createShare, revokeShare } from './shares';
import type { AccountRow } from './rows';

export interface RegionMoveRow { id: string; account_id: string; moved_at: string; from_region: Region; to_region: Region; carried: string }

/**
 * Creates the moved account here with everything the old region held: profile, rights, settings (with their version),
 * the consent ledger with its original times (under this database's subject hash), push notices, stored objects, hosted
 * device lists, feedback, the account operation log, telemetry, and the shares whose other party has an account here.
 * One transaction: a failure leaves nothing here (and the old region still holds the account).
 */
export async function importAccount(
  db: SqlDb,
  t: { body: TransferBody; region: Region; subject: string },
): Promise<{ account: AccountRow; carried: MoveCounts; notCarried: { sharesGiven: number; sharesReceived: number } }> {
  const { body, region } = t;
  const d = body.data;
  const a = d.account;
  return db.tx(async (tx) => {
    if (await findAccountByEmail(tx, a.email)) throw new EmailTakenError();
    await insertAccount(tx, {
      id: a.id, email: a.email, region, country: a.country, nickname: a.nickname, dateOfBirth: a.dateOfBirth,
      passwordHash: body.passwordHash, photo: a.photo ? { data: Buffer.from(a.photo.base64, 'base64'), type: a.photo.contentType } : null,
      transferNoticeAt: body.transferNoticeAt, createdAt: a.createdAt, now: body.movedAt,
    });
    // A confirmed address stays confirmed: the same address moved, no code to mail again.
    await tx.run('UPDATE accounts SET restricted = ?, objected = ?, email_verified_at = ? WHERE id = ?',
      [d.rights.restricted ? 1 : 0, d.rights.objected ? 1 : 0, a.emailVerifiedAt ?? null, a.id]);
    if (d.settings)
      await tx.run('UPDATE settings SET version = ?, document = ?, updated_at = ? WHERE account_id = ?',
        [d.settings.version, JSON.stringify(d.settings.document), d.settings.updatedAt, a.id]);
    // The ledger in its order, each record at the time it was first recorded.
    for (const c of d.consents)
      await tx.run(
        `INSERT INTO consents (account_id, subject, purpose, action, policy_version, policy_text_hash, app_version, locale, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [a.id, t.subject, c.purpose, c.action, c.policyVersion, c.policyTextHash, c.appVersion, c.locale, c.recordedAt],
      );
    // Oldest first, so the new ids keep the order (the export lists notices newest first).
    for (const n of [...d.pushNotices].reverse())
      await tx.run('INSERT INTO push_notices (account_id, station_id, type, channel_name, occurred_at, snapshot, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [a.id, n.stationId, n.type, n.channelName, n.occurredAt, n.snapshotJpegBase64 === null ? null : Buffer.from(n.snapshotJpegBase64, 'base64'), n.receivedAt]);
    for (const o of d.cloudStorage) {
      const data = Buffer.from(o.base64, 'base64');
      await tx.run('INSERT INTO stored_objects (id, account_id, name, kind, content_type, bytes, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [o.id, a.id, o.name, o.kind, o.contentType, data.length, createHash('sha256').update(data).digest('hex'), data, o.createdAt]);
    }
    for (const h of d.hostedDevices)
      await tx.run('INSERT INTO hosted_devices (account_id, station_id, station_name, devices, updated_at) VALUES (?, ?, ?, ?, ?)',
        [a.id, h.stationId, h.stationName, JSON.stringify(h.devices), h.updatedAt]);
    for (const f of d.feedback) {
      await tx.run('INSERT INTO feedback (id, account_id, text, reply_email, received_at, delete_after) VALUES (?, ?, ?, ?, ?, ?)',
        [f.id, a.id, f.text, f.replyEmail, f.receivedAt, f.deleteAfter]);
      for (const [i, x] of f.attachments.entries())
        await tx.run('INSERT INTO feedback_attachments (feedback_id, account_id, position, name, content_type, bytes, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [f.id, a.id, i, x.name, x.contentType, x.bytes, x.sha256, Buffer.from(x.base64, 'base64')]);
    }
    for (const e of [...d.accountLog].reverse())
      await tx.run('INSERT INTO account_log (account_id, at, kind, address, client) VALUES (?, ?, ?, ?, ?)', [a.id, e.at, e.kind, e.address, e.client]);
    for (const e of d.telemetry.events)
      await tx.run('INSERT INTO telemetry_events (account_id, purpose, received_at, bytes, payload) VALUES (?, ?, ?, ?, ?)',
        [a.id, e.purpose, e.receivedAt, e.bytes, JSON.stringify(e.payload)]);
    for (const c of d.telemetry.counters)
      await tx.run(`INSERT INTO telemetry_counters (account_id, purpose, received_bytes, accepted_bytes, accepted_batches, refused_batches)
        VALUES (?, ?, ?, ?, ?, ?)`, [a.id, c.purpose, c.receivedBytes, c.acceptedBytes, c.acceptedBatches, c.refusedBatches]);
    // Shares through the shares repository: only where the other party has an account in this region.
    let sharesGiven = 0;
    let sharesReceived = 0;
    for (const [list, given] of [[body.sharesGiven, true], [body.sharesReceived, false]] as const) {
      for (const s of list) {
        const other = await findAccountByEmail(tx, s.otherEmail);
        if (!other) continue;
        const owner = given ? a.id : other.id;
        const row = await createShare(tx, {
          ownerId: owner, recipientId: given ? other.id : a.id, deviceId: s.deviceId, deviceName: s.deviceName, channels: s.channels,
          validFrom: s.validFrom, validUntil: s.validUntil, now: s.createdAt,
        });
        if (s.revokedAt) await revokeShare(tx, owner, row.id, s.revokedAt);
        if (given) sharesGiven++;
        else sharesReceived++;
      }
    }
    const carried: MoveCounts = {
      consentRecords: d.consents.length, settings: d.settings ? 1 : 0, pushNotices: d.pushNotices.length, cloudStorageObjects: d.cloudStorage.length,
      hostedDeviceLists: d.hostedDevices.length, feedback: d.feedback.length, accountLog: d.accountLog.length, telemetryEvents: d.telemetry.events.length,
      sharesGiven, sharesReceived,
    };
    await tx.run('INSERT INTO region_moves (id, account_id, moved_at, from_region, to_region, carried) VALUES (?, ?, ?, ?, ?, ?)',
      [body.moveId, a.id, body.movedAt, body.from, region, JSON.stringify(carried)]);
    // Earlier moves of this account travel with it too.
    for (const m of d.regionMoves)
      await tx.run('INSERT INTO region_moves (id, account_id, moved_at, from_region, to_region, carried) VALUES (?, ?, ?, ?, ?, ?)',
        [m.id, a.id, m.movedAt, m.from, m.to, JSON.stringify(m.carried)]);
    return {
      account: (await findAccountById(tx, a.id))!,
      carried,
      notCarried: { sharesGiven: body.sharesGiven.length - sharesGiven, sharesReceived: body.sharesReceived.length - sharesReceived },
    };
  });
}

export async function listRegionMoves(db: SqlDb, accountId: string): Promise<RegionMoveRow[]> {
  return db.all<RegionMoveRow>('SELECT * FROM region_moves WHERE account_id = ? ORDER BY moved_at, id', [accountId]);
}

export const regionMoveOut = (m: RegionMoveRow) => ({
  id: m.id, movedAt: m.moved_at, from: m.from_region, to: m.to_region, carried: JSON.parse(m.carried) as Record<string, number>,
});
