import type { SqlDb } from '../db/sql-db';
import type { ConsentAction, Purpose } from '../domain';
import type { ConsentRow } from './rows';

export interface NewConsent {
  accountId: string;
  subject: string;
  purpose: Purpose;
  action: ConsentAction;
  policyVersion: string;
  policyTextHash: string;
  appVersion: string;
  locale: string;
  recordedAt: string;
}

/** The ledger only grows: there is no update or delete here, and triggers refuse them in SQL. */
export async function appendConsent(db: SqlDb, c: NewConsent): Promise<ConsentRow> {
  return db.tx(async (tx) => {
    await tx.run(
      `INSERT INTO consents (account_id, subject, purpose, action, policy_version, policy_text_hash, app_version, locale, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [c.accountId, c.subject, c.purpose, c.action, c.policyVersion, c.policyTextHash, c.appVersion, c.locale, c.recordedAt],
    );
    return (await tx.get<ConsentRow>('SELECT * FROM consents WHERE account_id = ? ORDER BY id DESC LIMIT 1', [c.accountId]))!;
  });
}

export async function listConsents(db: SqlDb, accountId: string): Promise<ConsentRow[]> {
  return db.all<ConsentRow>('SELECT * FROM consents WHERE account_id = ? ORDER BY id', [accountId]);
}

export async function latestConsent(db: SqlDb, accountId: string, purpose: Purpose): Promise<ConsentRow | undefined> {
  return db.get<ConsentRow>('SELECT * FROM consents WHERE account_id = ? AND purpose = ? ORDER BY id DESC LIMIT 1', [
    accountId,
    purpose,
  ]);
}

/** Anonymised proof kept after erasure, found by the keyed subject hash on the receipt. */
export async function listConsentsBySubject(db: SqlDb, subject: string): Promise<ConsentRow[]> {
  return db.all<ConsentRow>('SELECT * FROM consents WHERE subject = ? ORDER BY id', [subject]);
}
