import type { Migration } from '../db';

/** The Live page's saved views (in tour order), custom layouts and tour time: the station's, so they follow the user to another desk. */
export const m012LiveDesk: Migration = {
  version: 12,
  name: 'live-desk',
  up(db) {
    db.exec(`
      CREATE TABLE live_view (
        name TEXT PRIMARY KEY,
        layout_id TEXT NOT NULL,
        tiles TEXT NOT NULL CHECK (json_valid(tiles)),
        position INTEGER NOT NULL
      );
      CREATE TABLE live_layout (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        grid INTEGER NOT NULL CHECK (grid BETWEEN 1 AND 8),
        cells TEXT NOT NULL CHECK (json_valid(cells))
      );
      CREATE TABLE live_tour (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seconds INTEGER NOT NULL
      );
    `);
  },
};
