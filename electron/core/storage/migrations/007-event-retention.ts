import type { Migration } from '../db';

/** Indexes for pruning by age: sensor readings by time, and "does a kept event still use this snapshot file". */
export const m007EventRetention: Migration = {
  version: 7,
  name: 'event-retention',
  up(db) {
    db.exec(`
      CREATE INDEX ev_reading_at ON ev_reading (at_ms);
      CREATE INDEX ev_event_snapshot ON ev_event (snapshot_path) WHERE snapshot_path IS NOT NULL;
    `);
  },
};
