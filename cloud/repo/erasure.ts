import type { SqlDb } from '../db/sql-db';
import { deleteFeedbackOf } from './feedback';
import type { ErasureReceiptRow } from './rows';

export interface ErasureCounts {
  account: number;
  profilePhoto: number;
  sessions: number;
  settings: number;
  telemetryEvents: number;
  telemetryCounters: number;
  sharesGiven: number;
  sharesReceived: number;
  loginFailures: number;
  pushNotices: number;
  cloudStorageObjects: number;
  hostedDeviceLists: number;
  feedback: number;
  accountLog: number;
  consentRecordsAnonymised: number;
}

/**
 * Deletes the account and all its personal data in one transaction, keeping the consent ledger
 * rows with only the keyed subject hash, and stores a receipt holding no personal details.
 */
export async function eraseAccount(
  db: SqlDb,
  e: { accountId: string; emailThrottleKey: string; receiptId: string; subject: string; region: string; now: string },
): Promise<{ receipt: ErasureReceiptRow; deleted: ErasureCounts }> {
  return db.tx(async (tx) => {
    const id = e.accountId;
    const photo = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM accounts WHERE id = ? AND photo IS NOT NULL', [id]);
    // Another account's mail still waiting for the relay that tells of a share this account gave names its address; the
    // share goes below, so the mail about it goes too (sent mail keeps no body). Its own mail goes with it by cascade.
    const email = (await tx.get<{ email: string }>('SELECT email FROM accounts WHERE id = ?', [id]))?.email;
    if (email) {
      await tx.run("DELETE FROM mail_outbox WHERE sent_at IS NULL AND kind = 'share_received' AND body LIKE ? ESCAPE '\\'",
        [`%${email.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
    }
    const deleted: ErasureCounts = {
      consentRecordsAnonymised: (await tx.run('UPDATE consents SET account_id = NULL WHERE account_id = ?', [id])).changes,
      sessions: (await tx.run('DELETE FROM sessions WHERE account_id = ?', [id])).changes,
      settings: (await tx.run('DELETE FROM settings WHERE account_id = ?', [id])).changes,
      telemetryEvents: (await tx.run('DELETE FROM telemetry_events WHERE account_id = ?', [id])).changes,
      telemetryCounters: (await tx.run('DELETE FROM telemetry_counters WHERE account_id = ?', [id])).changes,
      sharesGiven: (await tx.run('DELETE FROM shares WHERE owner_id = ?', [id])).changes,
      sharesReceived: (await tx.run('DELETE FROM shares WHERE recipient_id = ?', [id])).changes,
      loginFailures: (await tx.run('DELETE FROM login_failures WHERE key = ?', [e.emailThrottleKey])).changes,
      pushNotices: (await tx.run('DELETE FROM push_notices WHERE account_id = ?', [id])).changes,
      cloudStorageObjects: (await tx.run('DELETE FROM stored_objects WHERE account_id = ?', [id])).changes,
      hostedDeviceLists: (await tx.run('DELETE FROM hosted_devices WHERE account_id = ?', [id])).changes,
      feedback: await deleteFeedbackOf(tx, id),
      accountLog: (await tx.run('DELETE FROM account_log WHERE account_id = ?', [id])).changes,
      profilePhoto: Number(photo?.n ?? 0),
      account: (await tx.run('DELETE FROM accounts WHERE id = ?', [id])).changes,
    };
    const receipt: ErasureReceiptRow = {
      id: e.receiptId,
      erased_at: e.now,
      subject: e.subject,
      region: e.region,
      deleted: JSON.stringify(deleted),
    };
    await tx.run('INSERT INTO erasure_receipts (id, erased_at, subject, region, deleted) VALUES (?, ?, ?, ?, ?)', [
      receipt.id,
      receipt.erased_at,
      receipt.subject,
      receipt.region,
      receipt.deleted,
    ]);
    return { receipt, deleted };
  });
}
