import type { Migration } from '../db';

/** When a timeline event ended (a door open for 40 s draws as a band); null while it lasts or for instant events. */
export const m011EventEnd: Migration = {
  version: 11,
  name: 'event-end',
  up(db) {
    db.exec('ALTER TABLE rec_event ADD COLUMN end_ms INTEGER CHECK (end_ms IS NULL OR end_ms >= at_ms)');
  },
};
