import { randomUUID } from 'node:crypto';
import type { SqlDb } from '../db/sql-db';
import { isoAt } from '../domain';
import type { SessionRow } from './rows';

export async function createSession(
  db: SqlDb,
  s: { accountId: string; tokenHash: string; nowMs: number; ttlMs: number; client?: string },
): Promise<SessionRow> {
  const id = randomUUID();
  const now = isoAt(s.nowMs);
  await db.run(
    'INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at_ms, last_used_at, revoked_at, client) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)',
    [id, s.tokenHash, s.accountId, now, s.nowMs + s.ttlMs, now, s.client ?? ''],
  );
  return (await db.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]))!;
}

/** The unrevoked, unexpired session a token hash belongs to. */
export async function findLiveSession(db: SqlDb, tokenHash: string, nowMs: number): Promise<SessionRow | undefined> {
  return db.get<SessionRow>(
    'SELECT * FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at_ms > ?',
    [tokenHash, nowMs],
  );
}

export async function touchSession(db: SqlDb, sessionId: string, now: string): Promise<void> {
  await db.run('UPDATE sessions SET last_used_at = ? WHERE id = ?', [now, sessionId]);
}

export async function listSessions(db: SqlDb, accountId: string): Promise<SessionRow[]> {
  return db.all<SessionRow>('SELECT * FROM sessions WHERE account_id = ? ORDER BY created_at, id', [accountId]);
}

/** Scoped by account so one account can never revoke another's session. */
export async function revokeSession(db: SqlDb, accountId: string, sessionId: string, now: string): Promise<boolean> {
  const r = await db.run(
    'UPDATE sessions SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL',
    [now, sessionId, accountId],
  );
  return r.changes > 0;
}

export async function revokeOtherSessions(db: SqlDb, accountId: string, keepSessionId: string, now: string): Promise<number> {
  const r = await db.run(
    'UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND id <> ? AND revoked_at IS NULL',
    [now, accountId, keepSessionId],
  );
  return r.changes;
}

/** Retention: sessions expired or revoked before the cutoff are no longer kept. */
export async function pruneSessions(db: SqlDb, beforeMs: number): Promise<number> {
  const r = await db.run('DELETE FROM sessions WHERE expires_at_ms < ? OR (revoked_at IS NOT NULL AND revoked_at < ?)', [
    beforeMs,
    isoAt(beforeMs),
  ]);
  return r.changes;
}

/** A password reset: every session of the account ends. */
export async function revokeAllSessions(db: SqlDb, accountId: string, now: string): Promise<number> {
  return (await db.run('UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL', [now, accountId])).changes;
}
