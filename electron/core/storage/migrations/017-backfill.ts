import type { Migration } from '../db';

/**
 * Edge backfill: segments fetched from a camera's card after its connection came back are marked `from_camera`; a gap
 * may now say `not_on_card` (the camera's card lacked that part too), and counts the backfill's tries; each channel has
 * its switch (on by default: a camera without a card or replay just answers no).
 */
export const m017Backfill: Migration = {
  version: 17,
  name: 'backfill',
  up(db) {
    db.exec(`
      ALTER TABLE rec_segment ADD COLUMN from_camera INTEGER NOT NULL DEFAULT 0 CHECK (from_camera IN (0, 1));
      ALTER TABLE rec_channel_config ADD COLUMN backfill INTEGER NOT NULL DEFAULT 1 CHECK (backfill IN (0, 1));

      CREATE TABLE rec_gap_new (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL CHECK (end_ms >= start_ms),
        reason     TEXT NOT NULL CHECK (reason IN ('camera_offline', 'recording_off', 'disk', 'station_stopped', 'not_on_card')),
        -- How often the backfill tried this gap's range (it stops after a few refusals).
        backfill_tries INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      INSERT INTO rec_gap_new (id, channel_id, start_ms, end_ms, reason) SELECT id, channel_id, start_ms, end_ms, reason FROM rec_gap;
      DROP TABLE rec_gap;
      ALTER TABLE rec_gap_new RENAME TO rec_gap;
      CREATE INDEX rec_gap_channel_start ON rec_gap (channel_id, start_ms);
      -- What the backfill still has to look at.
      CREATE INDEX rec_gap_untried ON rec_gap (end_ms) WHERE reason = 'camera_offline' AND backfill_tries = 0;
    `);
  },
};
