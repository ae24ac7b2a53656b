import type { Migration } from '../db';

/**
 * Failover recording (sites/failover.ts): the sites this station is the standby of, with the wait before it takes over
 * and the primary's cameras from the last pairing (URLs without credentials: those are in the secret store); and the
 * spans during which it recorded a primary's camera, under the site channel id, which mark those recordings as its own
 * failover recordings on the timeline.
 */
export const m019Failover: Migration = {
  version: 19,
  name: 'failover',
  up(db) {
    db.exec(`
      CREATE TABLE failover_standby (
        site_id INTEGER PRIMARY KEY REFERENCES site(id) ON DELETE CASCADE,
        wait_s INTEGER NOT NULL CHECK (wait_s > 0),
        cameras TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cameras)),
        paired_at INTEGER,
        error TEXT
      ) STRICT;
      CREATE TABLE failover_span (
        id INTEGER PRIMARY KEY,
        site_id INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX failover_span_channel ON failover_span (channel_id, start_ms);
    `);
  },
};
