// The retention pass: every kind of personal data past its stated time (electron/contract/retention.ts) is deleted.
import { CLOUD_RETENTION_DAYS, DAY_MS } from '../../electron/contract/retention';
import type { SqlDb } from '../db/sql-db';
import { isoAt } from '../domain';
import { pruneFeedback } from './feedback';
import { pruneMail } from './mail';
import { pruneSessions } from './sessions';
import { pruneFailures } from './throttle';

export interface PruneCounts {
  telemetryEvents: number;
  pushNotices: number;
  sessions: number;
  loginFailures: number;
  feedback: number;
  accountLog: number;
  mail: number;
  mailCodes: number;
  consentRecords: number;
  erasureReceipts: number;
}

const before = (nowMs: number, days: number) => isoAt(nowMs - days * DAY_MS);

/** Deletes what is past its time at `nowMs`; failed sign-ins go once the throttle window is over. How many rows of each kind went. */
export async function pruneExpired(db: SqlDb, nowMs: number, throttleWindowMs: number): Promise<PruneCounts> {
  const days = CLOUD_RETENTION_DAYS;
  const telemetryEvents = (await db.run('DELETE FROM telemetry_events WHERE received_at < ?', [before(nowMs, days.telemetryEvents)])).changes;
  const pushNotices = (await db.run('DELETE FROM push_notices WHERE received_at < ?', [before(nowMs, days.pushNotices)])).changes;
  const sessions = await pruneSessions(db, nowMs - days.endedSessions * DAY_MS);
  const loginFailures = await pruneFailures(db, nowMs - throttleWindowMs);
  const feedback = await pruneFeedback(db, isoAt(nowMs));
  const accountLog = (await db.run('DELETE FROM account_log WHERE at < ?', [before(nowMs, days.accountLog)])).changes;
  const { mail, codes: mailCodes } = await pruneMail(db, nowMs, { sent: days.sentMail, unsent: days.unsentMail });
  // Anonymised consent proof and the receipt of its erasure go together, once the limitation period is over.
  const { consentRecords, erasureReceipts } = await db.tx(async (tx) => {
    const cutoff = before(nowMs, days.erasedConsentRecords);
    const consentRecords = (await tx.run(
      'DELETE FROM consents WHERE account_id IS NULL AND subject IN (SELECT subject FROM erasure_receipts WHERE erased_at < ?)', [cutoff])).changes;
    return { consentRecords, erasureReceipts: (await tx.run('DELETE FROM erasure_receipts WHERE erased_at < ?', [cutoff])).changes };
  });
  return { telemetryEvents, pushNotices, sessions, loginFailures, feedback, accountLog, mail, mailCodes, consentRecords, erasureReceipts };
}
