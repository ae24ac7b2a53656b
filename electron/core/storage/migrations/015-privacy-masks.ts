import type { Migration } from '../db';

/**
 * Privacy for the people on camera (issue 15): each channel's privacy masks (polygons in normalized picture coordinates,
 * in drawing order), and the redacted exports made for disclosure with the evidence lock that keeps their original range.
 */
export const m015PrivacyMasks: Migration = {
  version: 15,
  name: 'privacy-masks',
  up(db) {
    db.exec(`
      CREATE TABLE privacy_mask (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('permanent', 'liftable')),
        points TEXT NOT NULL CHECK (json_valid(points)),
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX privacy_mask_channel ON privacy_mask (channel_id, position);
      CREATE TABLE redaction_export (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled')),
        folder TEXT NOT NULL,
        lock_id INTEGER,
        error TEXT
      ) STRICT;
    `);
  },
};
