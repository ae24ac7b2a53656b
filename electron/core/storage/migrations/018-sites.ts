import type { Migration } from '../db';

/**
 * Many stations, one desk (sites/): the remote stations this desk knows, each with the certificate fingerprint the user
 * compared and pinned, the account it signs in with (its password is in the secret store) and the channels it had at the
 * last connection (so layouts keep their tiles while it is offline); and this station's own serving of desks.
 */
export const m018Sites: Migration = {
  version: 18,
  name: 'sites',
  up(db) {
    db.exec(`
      CREATE TABLE site (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        username TEXT NOT NULL,
        fingerprint TEXT,
        channels TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(channels)),
        created_at INTEGER NOT NULL,
        UNIQUE (host, port)
      ) STRICT;
      CREATE TABLE site_serving (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        host TEXT NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535)
      ) STRICT;
      INSERT INTO site_serving (id, enabled, host, port) VALUES (1, 0, '0.0.0.0', 7447);
    `);
  },
};
