import type { SqlDb } from '../db/sql-db';

export async function recordLoginFailure(db: SqlDb, key: string, nowMs: number): Promise<void> {
  await db.run('INSERT INTO login_failures (key, at_ms) VALUES (?, ?)', [key, nowMs]);
}

export async function recentFailures(db: SqlDb, key: string, sinceMs: number): Promise<{ count: number; oldest: number | null }> {
  const row = await db.get<{ count: number; oldest: number | null }>(
    'SELECT COUNT(*) AS count, MIN(at_ms) AS oldest FROM login_failures WHERE key = ? AND at_ms > ?',
    [key, sinceMs],
  );
  return { count: Number(row?.count ?? 0), oldest: row?.oldest == null ? null : Number(row.oldest) };
}

export async function clearFailures(db: SqlDb, key: string): Promise<number> {
  return (await db.run('DELETE FROM login_failures WHERE key = ?', [key])).changes;
}

export async function pruneFailures(db: SqlDb, beforeMs: number): Promise<number> {
  return (await db.run('DELETE FROM login_failures WHERE at_ms <= ?', [beforeMs])).changes;
}
