import type { Migration } from '../db';

/** Bookmarks of the archive: a moment or range with a name, note and tags, on one or more channels, maybe holding a lock. */
export const m009Bookmarks: Migration = {
  version: 9,
  name: 'bookmarks',
  up(db) {
    db.exec(`
      CREATE TABLE rec_bookmark (
        id INTEGER PRIMARY KEY,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
        tags TEXT NOT NULL DEFAULT '[]',
        lock_ids TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        by_user TEXT,
        by_client TEXT CHECK (by_client IS NULL OR by_client IN ('desktop', 'browser', 'station'))
      );
      CREATE TABLE rec_bookmark_channel (
        bookmark_id INTEGER NOT NULL REFERENCES rec_bookmark (id) ON DELETE CASCADE,
        channel_id INTEGER NOT NULL,
        start_ms INTEGER NOT NULL,
        PRIMARY KEY (bookmark_id, channel_id)
      ) WITHOUT ROWID;
      CREATE INDEX rec_bookmark_start ON rec_bookmark (start_ms);
      CREATE INDEX rec_bookmark_channel_start ON rec_bookmark_channel (channel_id, start_ms);
      -- Name and note by trigrams, so a search for any part of a word uses an index (kept by triggers).
      CREATE VIRTUAL TABLE rec_bookmark_text USING fts5 (text, tokenize = 'trigram');
      CREATE TRIGGER rec_bookmark_text_ai AFTER INSERT ON rec_bookmark BEGIN
        INSERT INTO rec_bookmark_text (rowid, text) VALUES (new.id, new.name || char(10) || new.note);
      END;
      CREATE TRIGGER rec_bookmark_text_au AFTER UPDATE OF name, note ON rec_bookmark BEGIN
        UPDATE rec_bookmark_text SET text = new.name || char(10) || new.note WHERE rowid = new.id;
      END;
      CREATE TRIGGER rec_bookmark_text_ad AFTER DELETE ON rec_bookmark BEGIN
        DELETE FROM rec_bookmark_text WHERE rowid = old.id;
      END;
    `);
  },
};
