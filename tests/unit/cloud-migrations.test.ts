// Each migration on a fresh database, and the queries that run per request use their index.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../cloud/db/migrate';
import { openSqliteDb } from '../../cloud/db/sqlite-db';

const dirs: string[] = [];
function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cloud-mig-'));
  dirs.push(dir);
  return join(dir, 'fresh.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('cloud migrations (SQLite)', () => {
  it('numbers migrations from 1 without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
  });

  it('001 creates the tables, indexes and append-only triggers on a fresh database', async () => {
    const path = freshPath();
    const db = openSqliteDb(path);
    expect(await migrate(db, MIGRATIONS.slice(0, 1))).toEqual([1]);
    expect(await schemaVersion(db)).toBe(1);
    await db.close();
    const raw = new Database(path, { readonly: true });
    try {
      const names = (type: string) =>
        (raw.prepare('SELECT name FROM sqlite_master WHERE type = ? ORDER BY name').all(type) as { name: string }[]).map((r) => r.name);
      expect(names('table')).toEqual(
        expect.arrayContaining(['accounts', 'sessions', 'settings', 'consents', 'telemetry_events', 'telemetry_counters', 'shares', 'login_failures', 'erasure_receipts']),
      );
      expect(names('trigger')).toEqual(['consents_append_only_delete', 'consents_append_only_update']);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const plan = (sql: string) => (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', 'y') as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan('SELECT * FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at_ms > ?')).toMatch(/USING INDEX sqlite_autoindex_sessions/);
      expect(plan("SELECT * FROM consents WHERE account_id = ? AND purpose = ? ORDER BY id DESC LIMIT 1")).toMatch(/USING INDEX consents_account_purpose/);
      expect(plan('SELECT COUNT(*) FROM login_failures WHERE key = ? AND at_ms > ?')).toMatch(/USING COVERING INDEX login_failures_key/);
    } finally {
      raw.close();
    }
  });

  it('002 labels sessions and adds the push inbox, cloud storage and hosted device lists, keeping 001 data', async () => {
    const path = freshPath();
    const db = openSqliteDb(path);
    try {
      await migrate(db, MIGRATIONS.slice(0, 1));
      await db.run("INSERT INTO accounts (id, email, region, country, nickname, date_of_birth, password_hash, created_at, updated_at) VALUES ('a', 'e@x.test', 'de', 'DE', 'n', '1990-01-01', 'h', 't', 't')");
      await db.run("INSERT INTO sessions (id, token_hash, account_id, created_at, expires_at_ms, last_used_at) VALUES ('s', 'th', 'a', 't', 1, 't')");
      expect(await migrate(db, MIGRATIONS.slice(0, 2))).toEqual([2]);
      expect(await db.get('SELECT client FROM sessions WHERE id = ?', ['s'])).toEqual({ client: '' });
      for (const t of ['push_notices', 'stored_objects', 'hosted_devices']) expect(await db.all(`SELECT * FROM ${t}`)).toEqual([]);
      await db.run("INSERT INTO stored_objects (id, account_id, name, kind, content_type, bytes, sha256, data, created_at) VALUES ('o', 'a', 'n', 'snapshot', 'image/jpeg', 1, 'h', x'ff', 't')");
      await expect(db.run("INSERT INTO stored_objects (id, account_id, name, kind, content_type, bytes, sha256, data, created_at) VALUES ('p', 'a', 'n', 'movie', 'x', 1, 'h', x'ff', 't')")).rejects.toThrow(/CHECK/);
      // Deleting the account takes its services' rows with it.
      await db.run('DELETE FROM sessions');
      await db.run('DELETE FROM settings');
      await db.run("DELETE FROM accounts WHERE id = 'a'");
      expect(await db.all('SELECT * FROM stored_objects')).toEqual([]);
      const plan = (await db.all<{ detail: string }>('EXPLAIN QUERY PLAN SELECT * FROM push_notices WHERE account_id = ? ORDER BY id DESC LIMIT 5', ['a'])).map((r) => r.detail).join(' | ');
      expect(plan).toMatch(/USING (COVERING )?INDEX push_notices_account/);
    } finally {
      await db.close();
    }
  });

  it('rolls a failing migration back whole', async () => {
    const db = openSqliteDb(freshPath());
    try {
      await migrate(db);
      const broken = { version: MIGRATIONS.length + 1, name: 'broken', sqlite: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;', postgres: '' };
      await expect(migrate(db, [...MIGRATIONS, broken])).rejects.toThrow(/no_such_table/);
      expect(await schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(await db.get("SELECT name FROM sqlite_master WHERE name = 'half'")).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
