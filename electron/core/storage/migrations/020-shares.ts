import type { Migration } from '../db';

/**
 * Hardware Share (sites/shares.ts): the shares this station gave. The credential is kept only as its SHA-256 (a random
 * 32-byte secret: no slow hash needed), cleared when the share is revoked or its window is over; the row stays as its
 * history (when it was last used, how often).
 */
export const m020Shares: Migration = {
  version: 20,
  name: 'shares',
  up(db) {
    db.exec(`
      CREATE TABLE station_share (
        id INTEGER PRIMARY KEY,
        cloud_id TEXT NOT NULL UNIQUE,
        recipient_email TEXT NOT NULL,
        channels TEXT NOT NULL CHECK (json_valid(channels)),
        rights TEXT NOT NULL CHECK (json_valid(rights)),
        valid_from INTEGER,
        valid_until INTEGER,
        history_s INTEGER,
        secret_hash TEXT,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER,
        uses INTEGER NOT NULL DEFAULT 0
      ) STRICT;
    `);
  },
};
