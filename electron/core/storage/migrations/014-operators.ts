import type { Migration } from '../db';

/**
 * Operators (issue 13): accounts, custom roles (the built-in ones live in the contract), auth settings, and the operation
 * log: append-only (triggers refuse an update, and a delete past the retention anchor), each row carrying the hash of the
 * one before it (auth/operation-log.ts).
 */
export const m014Operators: Migration = {
  version: 14,
  name: 'operators',
  up(db) {
    db.exec(`
      CREATE TABLE op_role (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, rights TEXT NOT NULL);
      CREATE TABLE op_user (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role_id TEXT NOT NULL,
        channels TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        must_change INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        last_sign_in_ms INTEGER
      );
      CREATE TABLE op_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE oplog (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        user_id INTEGER,
        user_name TEXT,
        kind TEXT NOT NULL,
        channel_id INTEGER,
        device_id INTEGER,
        transport TEXT NOT NULL,
        address TEXT NOT NULL,
        result TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX oplog_user_at ON oplog (user_name, at_ms);
      CREATE INDEX oplog_at ON oplog (at_ms);
      CREATE TABLE oplog_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), first_id INTEGER NOT NULL, prev_hash TEXT NOT NULL);
      INSERT INTO oplog_anchor (id, first_id, prev_hash) VALUES (1, 1, '${'0'.repeat(64)}');
      CREATE TRIGGER oplog_no_update BEFORE UPDATE ON oplog BEGIN SELECT RAISE(ABORT, 'the operation log is append-only'); END;
      CREATE TRIGGER oplog_no_delete BEFORE DELETE ON oplog WHEN OLD.id >= (SELECT first_id FROM oplog_anchor WHERE id = 1)
        BEGIN SELECT RAISE(ABORT, 'the operation log is append-only; retention moves its anchor first'); END;
    `);
  },
};
