// The mail outbox and the codes it carries (migration 007): mail waits here until the relay takes it; a code is held only
// as a keyed hash, and a sent mail keeps neither its body nor its recipient.
import type { SqlDb } from '../db/sql-db';
import { isoAt } from '../domain';

export type MailKind = 'verify_email' | 'password_reset' | 'share_received';
export type CodePurpose = 'verify' | 'reset';

export interface MailRow {
  id: number; account_id: string; kind: MailKind; recipient: string; subject: string; body: string | null;
  created_at: string; attempts: number; next_attempt_ms: number; last_error: string | null; sent_at: string | null;
}
export interface CodeRow { id: number; account_id: string; purpose: CodePurpose; code_hash: string; created_at: string; expires_at_ms: number; used_at: string | null }

export async function queueMail(db: SqlDb, m: { accountId: string; kind: MailKind; recipient: string; subject: string; body: string; nowMs: number }): Promise<number> {
  const row = await db.get<{ id: number }>(
    'INSERT INTO mail_outbox (account_id, kind, recipient, subject, body, created_at, attempts, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, 0, ?) RETURNING id',
    [m.accountId, m.kind, m.recipient, m.subject, m.body, isoAt(m.nowMs), m.nowMs],
  );
  return Number(row!.id);
}

/** Mail due for a try now, oldest first. */
export async function dueMail(db: SqlDb, nowMs: number, limit = 20): Promise<MailRow[]> {
  return db.all<MailRow>('SELECT * FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_ms <= ? ORDER BY id LIMIT ?', [nowMs, limit]);
}

export async function findMail(db: SqlDb, id: number): Promise<MailRow | undefined> {
  return db.get<MailRow>('SELECT * FROM mail_outbox WHERE id = ?', [id]);
}

/** Sent: the body (which may carry a code) and the recipient go; the row stays as a record of the sending until its retention. */
export async function mailSent(db: SqlDb, id: number, nowMs: number): Promise<void> {
  await db.run("UPDATE mail_outbox SET sent_at = ?, body = NULL, recipient = '', attempts = attempts + 1, last_error = NULL WHERE id = ?", [isoAt(nowMs), id]);
}

export async function mailFailed(db: SqlDb, id: number, error: string, nextAttemptMs: number): Promise<void> {
  await db.run('UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ? WHERE id = ?', [error.slice(0, 200), nextAttemptMs, id]);
}

export async function listMailOf(db: SqlDb, accountId: string): Promise<MailRow[]> {
  return db.all<MailRow>('SELECT * FROM mail_outbox WHERE account_id = ? ORDER BY id', [accountId]);
}

/** A new code for the purpose; the account's older codes of that purpose stop working. */
export async function storeCode(db: SqlDb, c: { accountId: string; purpose: CodePurpose; codeHash: string; nowMs: number; ttlMs: number }): Promise<void> {
  await db.tx(async (tx) => {
    await tx.run('DELETE FROM mail_codes WHERE account_id = ? AND purpose = ? AND used_at IS NULL', [c.accountId, c.purpose]);
    await tx.run('INSERT INTO mail_codes (account_id, purpose, code_hash, created_at, expires_at_ms) VALUES (?, ?, ?, ?, ?)',
      [c.accountId, c.purpose, c.codeHash, isoAt(c.nowMs), c.nowMs + c.ttlMs]);
  });
}

/** The account's code of that purpose with this hash (used or not, expired or not: the caller says which it is). */
export async function findCode(db: SqlDb, accountId: string, purpose: CodePurpose, codeHash: string): Promise<CodeRow | undefined> {
  return db.get<CodeRow>('SELECT * FROM mail_codes WHERE account_id = ? AND purpose = ? AND code_hash = ? ORDER BY id DESC', [accountId, purpose, codeHash]);
}

/** Marks the code used; false when another request used it first. */
export async function useCode(db: SqlDb, id: number, nowMs: number): Promise<boolean> {
  return (await db.run('UPDATE mail_codes SET used_at = ? WHERE id = ? AND used_at IS NULL', [isoAt(nowMs), id])).changes > 0;
}

export async function setEmailVerified(db: SqlDb, accountId: string, at: string | null): Promise<void> {
  await db.run('UPDATE accounts SET email_verified_at = ? WHERE id = ?', [at, accountId]);
}

/** Retention: sent mail after `sentDays`, unsent after `unsentDays` (its codes expired long before), codes a day after they expired. */
export async function pruneMail(db: SqlDb, nowMs: number, days: { sent: number; unsent: number }): Promise<{ mail: number; codes: number }> {
  const day = 86_400_000;
  const mail = (await db.run('DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (sent_at IS NULL AND created_at < ?)',
    [isoAt(nowMs - days.sent * day), isoAt(nowMs - days.unsent * day)])).changes;
  const codes = (await db.run('DELETE FROM mail_codes WHERE expires_at_ms < ?', [nowMs - day])).changes;
  return { mail, codes };
}
