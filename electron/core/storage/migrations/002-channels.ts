import type { Migration } from '../db';

/** Camera channels the station watches and records. URLs are stored without credentials (those live in the SecretStore). */
export const m002Channels: Migration = {
  version: 2,
  name: 'channels',
  up(db) {
    db.exec(`
      CREATE TABLE channel (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        main_url   TEXT NOT NULL CHECK (main_url NOT GLOB '*://*:*@*'),
        sub_url    TEXT CHECK (sub_url IS NULL OR sub_url NOT GLOB '*://*:*@*'),
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
