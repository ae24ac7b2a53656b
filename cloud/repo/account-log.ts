// The account operation log (migration 006): what was done with the account, when, from which address and app.
import type { AccountLogKind } from '../../electron/contract/cloud';
import type { SqlDb } from '../db/sql-db';

export interface AccountLogRow { id: number; account_id: string; at: string; kind: AccountLogKind; address: string; client: string }

export async function logAccountEvent(db: SqlDb, e: { accountId: string; at: string; kind: AccountLogKind; address: string; client: string }): Promise<void> {
  await db.run('INSERT INTO account_log (account_id, at, kind, address, client) VALUES (?, ?, ?, ?, ?)', [e.accountId, e.at, e.kind, e.address, e.client]);
}

/** Newest first. */
export async function listAccountLog(db: SqlDb, accountId: string): Promise<AccountLogRow[]> {
  return db.all<AccountLogRow>('SELECT * FROM account_log WHERE account_id = ? ORDER BY id DESC', [accountId]);
}

export const accountLogOut = (r: AccountLogRow) => ({ id: Number(r.id), at: r.at, kind: r.kind, address: r.address, client: r.client });
