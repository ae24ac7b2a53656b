import type { Migration } from '../db';

/** The motion grid for archive search: samples that moved, and the time the grid covered (so still time differs from no data). */
export const m010MotionIndex: Migration = {
  version: 10,
  name: 'motion-index',
  up(db) {
    db.exec(`
      -- One sample: the 32x18 cells (bit per cell, row by row) that moved from at_ms for the index's step (500 ms).
      -- Only samples where something moved are kept.
      CREATE TABLE mo_sample (
        channel_id INTEGER NOT NULL,
        at_ms      INTEGER NOT NULL,
        cells      BLOB NOT NULL CHECK (length(cells) = 72),
        PRIMARY KEY (channel_id, at_ms)
      ) STRICT, WITHOUT ROWID;

      -- Time the grid was computed for a channel (moving or not).
      CREATE TABLE mo_cover (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL CHECK (end_ms >= start_ms)
      ) STRICT;
      CREATE INDEX mo_cover_channel_start ON mo_cover (channel_id, start_ms);
    `);
  },
};
