// Children (policy "Children": no accounts under 16). An account found to be of someone under 16 — its birth date corrected
// below 16, or on a report to the operator (`npm run cloud:operator -- report-minor`) — is suspended at once: it can still be
// read, exported and erased, nothing else. When the notice period ends, the retention pass erases it with the same receipt
// as an erasure the user asks for, under the id the account was told at suspension.
import { randomUUID } from 'node:crypto';
import type { SqlDb } from './db/sql-db';
import { isoAt } from './domain';
import { findAccountById } from './repo/accounts';
import { logAccountEvent } from './repo/account-log';
import { eraseAccount } from './repo/erasure';
import type { AccountRow } from './repo/rows';
import { subjectOf, type ServiceDeps } from './routes/route';
import { emailKey } from './routes/throttle';

export const MINOR_NOTICE_DAYS = 14;
const DAY_MS = 86_400_000;

/** The routes a suspended account may still use: read it, its log and export, confirm the password, erase it, sign out. */
export const OPEN_WHEN_SUSPENDED = new Set(['GET /v1/account', 'GET /v1/account/photo', 'GET /v1/account/log', 'GET /v1/export', 'POST /v1/auth/confirm', 'DELETE /v1/account', 'POST /v1/auth/logout']);

/** Suspends the account (once: a second finding keeps the first date); `address` names where the finding came from. */
export async function suspendAccount(db: SqlDb, accountId: string, reason: 'under_age' | 'reported_minor', nowMs: number, address: string): Promise<AccountRow | undefined> {
  const changed = await db.run(
    'UPDATE accounts SET suspended_at = ?, suspension_reason = ?, erase_after = ?, erase_receipt_id = ? WHERE id = ? AND suspended_at IS NULL',
    [isoAt(nowMs), reason, isoAt(nowMs + MINOR_NOTICE_DAYS * DAY_MS), randomUUID(), accountId],
  );
  if (changed.changes > 0) await logAccountEvent(db, { accountId, at: isoAt(nowMs), kind: 'suspended', address, client: reason });
  return findAccountById(db, accountId);
}

/** Erases every suspended account whose notice period is over; how many. */
export async function eraseDueSuspended(d: ServiceDeps): Promise<number> {
  const due = await d.db.all<{ id: string; email: string; erase_receipt_id: string }>(
    'SELECT id, email, erase_receipt_id FROM accounts WHERE erase_after IS NOT NULL AND erase_after <= ?', [isoAt(d.clock())]);
  for (const a of due) {
    await eraseAccount(d.db, {
      accountId: a.id, emailThrottleKey: emailKey(d, a.email), receiptId: a.erase_receipt_id, subject: subjectOf(d, a.id), region: d.region, now: isoAt(d.clock()),
    });
    d.log.info({ receipt: a.erase_receipt_id }, 'suspended account erased at the end of its notice period');
  }
  if (due.length) await d.db.purgeDeleted();
  return due.length;
}
