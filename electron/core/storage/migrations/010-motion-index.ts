import type { Migration } from '../db';

/** The motion grid for archive search: samples that moved, and the time the grid covered (so still time differs from no data). */
export const m010MotionIndex: Migration = {
  version: 10,
  name: 'motion-index',
  up(db) {
    db.exec(`
      -- A channel's minute of grid samples that moved: n records of 73 bytes, each the sample's 500 ms slot in the minute
      -- (0-119) and its 32x18 cells (a bit per cell, row by row). One row a minute keeps a day's search to 1440 rows a channel.
      CREATE TABLE mo_minute (
        channel_id INTEGER NOT NULL,
        minute_ms  INTEGER NOT NULL,
        samples    BLOB NOT NULL CHECK (length(samples) % 73 = 0),
        PRIMARY KEY (channel_id, minute_ms)
      ) STRICT;

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
