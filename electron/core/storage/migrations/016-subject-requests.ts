import type { Migration } from '../db';

/**
 * The subject access request register (privacy/subject-requests.ts). The person's name, contact and notes are one
 * AES-256-GCM ciphertext (key in the secret store); a closed request is erased `retention_days` after closing.
 */
export const m016SubjectRequests: Migration = {
  version: 16,
  name: 'subject-requests',
  up(db) {
    db.exec(`
      CREATE TABLE subject_request (
        id INTEGER PRIMARY KEY,
        person_sealed BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        channels TEXT NOT NULL CHECK (json_valid(channels)),
        windows TEXT NOT NULL CHECK (json_valid(windows)),
        state TEXT NOT NULL CHECK (state IN ('received', 'searching', 'prepared', 'disclosed', 'refused')),
        export_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(export_ids)),
        lock_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lock_ids)),
        refused_reason TEXT,
        disclosed_at INTEGER,
        disclosure_method TEXT,
        closed_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX subject_request_closed ON subject_request (closed_at) WHERE closed_at IS NOT NULL;
      CREATE TABLE subject_request_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        due_days INTEGER NOT NULL,
        retention_days INTEGER NOT NULL
      );
    `);
  },
};
