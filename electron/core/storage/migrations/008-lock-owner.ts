import type { Migration } from '../db';

/** Who locked a range of evidence: the station's user and the kind of client (locks made before this are left unknown). */
export const m008LockOwner: Migration = {
  version: 8,
  name: 'lock-owner',
  up(db) {
    db.exec(`
      ALTER TABLE rec_lock ADD COLUMN by_user TEXT CHECK (by_user IS NULL OR length(by_user) <= 200);
      ALTER TABLE rec_lock ADD COLUMN by_client TEXT CHECK (by_client IS NULL OR by_client IN ('desktop', 'browser', 'station'));
    `);
  },
};
