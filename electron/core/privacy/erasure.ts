// Local half of "Delete my account": personal rows, export files, optionally recordings, then the database scrubbed.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../storage/db';
import { clearConsents, clearFields, clearOutbox, clearTelemetry, deleteAccount } from './privacy-store';

export interface LocalErasure {
  account: boolean;
  settingsFields: number;
  consentRecords: number;
  outboxEntries: number;
  telemetryEvents: number;
}

/** Settings fields, consents, outbox and telemetry: a new or different account starts with every purpose off and merges the cloud's in. */
export function clearAccountData(db: Db): Omit<LocalErasure, 'account'> {
  return {
    settingsFields: clearFields(db),
    consentRecords: clearConsents(db),
    outboxEntries: clearOutbox(db),
    telemetryEvents: clearTelemetry(db),
  };
}

export function eraseLocalRows(db: Db): LocalErasure {
  return db.transaction(() => ({ account: deleteAccount(db), ...clearAccountData(db) }))();
}

/** Removes what is inside a folder (not the folder itself); returns how many files went. */
export function emptyFolder(dir: string): number {
  if (!existsSync(dir)) return 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) continue;
    files += s.isDirectory() ? emptyFolder(p) : 1;
    rmSync(p, { recursive: true, force: true });
  }
  return files;
}

/** Deleted rows must not linger in the file bytes: secure_delete zeroes cells, the WAL is emptied, VACUUM rewrites the file. */
export function scrubDatabase(db: Db): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
