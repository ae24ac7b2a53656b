import type { SqlDb } from '../db/sql-db';
import type { SettingsRow } from './rows';

export async function getSettings(db: SqlDb, accountId: string): Promise<SettingsRow | undefined> {
  return db.get<SettingsRow>('SELECT * FROM settings WHERE account_id = ?', [accountId]);
}

export type PutSettingsResult = { ok: true; row: SettingsRow } | { ok: false; current: SettingsRow };

/** Optimistic write: succeeds only if the stored version is still `expectedVersion` (null: any). */
export async function putSettings(
  db: SqlDb,
  accountId: string,
  expectedVersion: number | null,
  document: string,
  now: string,
): Promise<PutSettingsResult> {
  return db.tx(async (tx) => {
    const r =
      expectedVersion === null
        ? await tx.run('UPDATE settings SET version = version + 1, document = ?, updated_at = ? WHERE account_id = ?', [
            document,
            now,
            accountId,
          ])
        : await tx.run(
            'UPDATE settings SET version = version + 1, document = ?, updated_at = ? WHERE account_id = ? AND version = ?',
            [document, now, accountId, expectedVersion],
          );
    const row = (await getSettings(tx, accountId))!;
    return r.changes > 0 ? { ok: true, row } : { ok: false, current: row };
  });
}
