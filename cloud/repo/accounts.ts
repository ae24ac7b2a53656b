import { randomUUID } from 'node:crypto';
import type { SqlDb } from '../db/sql-db';
import type { Region } from '../domain';
import { newKey } from '../secrets';
import type { AccountRow } from './rows';

export interface NewAccount {
  email: string;
  region: Region;
  country: string;
  nickname: string;
  dateOfBirth: string;
  passwordHash: string;
  photo: { data: Buffer; type: string } | null;
  now: string;
  /** When the notice on international transfers was acknowledged (null: not needed). */
  transferNoticeAt?: string | null;
  /** Kept from the old region when an account moves here; else a new one. */
  id?: string;
  createdAt?: string;
}

export class EmailTakenError extends Error {
  constructor() {
    super('an account with this email already exists');
  }
}

/** A racing writer can pass the lookup and still hit the unique index; both mean the same. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

async function mapUnique<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw isUniqueViolation(err) ? new EmailTakenError() : err;
  }
}

/** The service's key for keyed hashes, created once per database. */
export async function serviceKey(db: SqlDb, name = 'subject_key'): Promise<string> {
  return db.tx(async (tx) => {
    const row = await tx.get<{ value: string }>('SELECT value FROM service_meta WHERE key = ?', [name]);
    if (row) return row.value;
    const value = newKey();
    await tx.run('INSERT INTO service_meta (key, value) VALUES (?, ?)', [name, value]);
    return value;
  });
}

/** Creates the account with its empty settings document; throws EmailTakenError on a duplicate. */
export async function insertAccount(db: SqlDb, a: NewAccount): Promise<AccountRow> {
  const id = a.id ?? randomUUID();
  return mapUnique(db.tx(async (tx) => {
    if (await findAccountByEmail(tx, a.email)) throw new EmailTakenError();
    await tx.run(
      `INSERT INTO accounts (id, email, region, country, nickname, date_of_birth, password_hash, photo, photo_type,
         restricted, objected, transfer_notice_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
      [id, a.email, a.region, a.country, a.nickname, a.dateOfBirth, a.passwordHash, a.photo?.data ?? null,
        a.photo?.type ?? null, a.transferNoticeAt ?? null, a.createdAt ?? a.now, a.now],
    );
    await tx.run('INSERT INTO settings (account_id, version, document, updated_at) VALUES (?, 1, ?, ?)', [id, '{}', a.now]);
    return (await findAccountById(tx, id))!;
  }));
}

export async function findAccountById(db: SqlDb, id: string): Promise<AccountRow | undefined> {
  return db.get<AccountRow>('SELECT * FROM accounts WHERE id = ?', [id]);
}

export async function findAccountByEmail(db: SqlDb, email: string): Promise<AccountRow | undefined> {
  return db.get<AccountRow>('SELECT * FROM accounts WHERE email = ?', [email]);
}

export interface ProfilePatch {
  email?: string;
  country?: string;
  nickname?: string;
  dateOfBirth?: string;
  photo?: { data: Buffer; type: string } | null;
}

export async function updateProfile(db: SqlDb, id: string, patch: ProfilePatch, now: string): Promise<AccountRow> {
  return mapUnique(db.tx(async (tx) => {
    if (patch.email !== undefined) {
      const other = await findAccountByEmail(tx, patch.email);
      if (other && other.id !== id) throw new EmailTakenError();
    }
    const sets: string[] = [];
    const params: (string | Buffer | null)[] = [];
    const set = (col: string, v: string | Buffer | null) => {
      sets.push(`${col} = ?`);
      params.push(v);
    };
    if (patch.email !== undefined) set('email', patch.email);
    if (patch.country !== undefined) set('country', patch.country);
    if (patch.nickname !== undefined) set('nickname', patch.nickname);
    if (patch.dateOfBirth !== undefined) set('date_of_birth', patch.dateOfBirth);
    if (patch.photo !== undefined) {
      set('photo', patch.photo?.data ?? null);
      set('photo_type', patch.photo?.type ?? null);
    }
    set('updated_at', now);
    await tx.run(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    return (await findAccountById(tx, id))!;
  }));
}

export async function setPasswordHash(db: SqlDb, id: string, passwordHash: string, now: string): Promise<void> {
  await db.run('UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?', [passwordHash, now, id]);
}

export async function setRightsFlags(
  db: SqlDb,
  id: string,
  flags: { restricted?: boolean; objected?: boolean },
  now: string,
): Promise<AccountRow> {
  return db.tx(async (tx) => {
    if (flags.restricted !== undefined)
      await tx.run('UPDATE accounts SET restricted = ?, updated_at = ? WHERE id = ?', [flags.restricted ? 1 : 0, now, id]);
    if (flags.objected !== undefined)
      await tx.run('UPDATE accounts SET objected = ?, updated_at = ? WHERE id = ?', [flags.objected ? 1 : 0, now, id]);
    return (await findAccountById(tx, id))!;
  });
}
