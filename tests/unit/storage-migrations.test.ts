import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, type Db, type Migration } from '../../electron/core/storage/db';
import { migrations } from '../../electron/core/storage/migrations';

const dirs: string[] = [];
function freshPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'wp-db-'));
  dirs.push(d);
  return join(d, 'station.db');
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** SQLite's plan for a query, its steps joined by ' | '. */
function queryPlan(db: Db, sql: string, args: unknown[]): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

describe('station database', () => {
  it('opens in WAL with foreign keys and full sync, at the latest schema', () => {
    const db = openDatabase(freshPath());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(schemaVersion(db)).toBe(migrations.length);
    db.close();
  });

  // Each migration on a fresh database, applied one version at a time.
  for (const m of migrations) {
    it(`migration ${m.version} (${m.name}) applies on a fresh database at version ${m.version - 1}`, () => {
      const db = openDatabase(freshPath(), migrations.slice(0, m.version - 1));
      expect(schemaVersion(db)).toBe(m.version - 1);
      migrate(db, migrations.slice(0, m.version));
      expect(schemaVersion(db)).toBe(m.version);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
    });
  }

  it('migration 1 stores settings as valid JSON only', () => {
    const db = openDatabase(freshPath());
    expect(() => db.prepare("INSERT INTO setting VALUES ('a', 'not json', 1)").run()).toThrow(/CHECK constraint/);
    db.close();
  });

  // The archive's hot queries bound start_ms from below, so each is a range search on its index, never a scan.
  it('migration 4 (archive): timeline, seek and retention queries use their indexes', async () => {
    const { TIMELINE_SQL } = await import('../../electron/core/recording/segment-index');
    const db = openDatabase(freshPath());
    const plan = (sql: string, ...args: unknown[]) => queryPlan(db, sql, args);
    expect(plan(TIMELINE_SQL.spans, 1, 0, 1, 0)).toMatch(/SEARCH rec_span USING INDEX rec_span_channel_start \(channel_id=\? AND start_ms>\? AND start_ms<\?\)/);
    expect(plan(TIMELINE_SQL.gaps, 1, 0, 1, 0)).toMatch(/SEARCH rec_gap USING INDEX rec_gap_channel_start \(channel_id=\? AND start_ms>\? AND start_ms<\?\)/);
    expect(plan(TIMELINE_SQL.events, 1, 0, 1)).toMatch(/SEARCH rec_event USING INDEX rec_event_channel_at/);
    expect(plan('SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms DESC LIMIT 1', 1, 0, 1, 0))
      .toMatch(/SEARCH rec_segment USING INDEX rec_segment_channel_start \(channel_id=\? AND start_ms>\? AND start_ms<\?\)/);
    expect(plan('SELECT id FROM rec_segment WHERE closed = 1 AND (start_ms > ? OR (start_ms = ? AND id > ?)) ORDER BY start_ms, id LIMIT 200', 0, 0, 0))
      .toMatch(/rec_segment_start/);
    expect(plan('SELECT * FROM rec_segment WHERE closed = 0')).toMatch(/rec_segment_open/);
    // Locks are a handful of rows (evidence ranges), so only they may be scanned.
    for (const sql of [TIMELINE_SQL.spans, TIMELINE_SQL.gaps, TIMELINE_SQL.events]) expect(plan(sql, ...[1, 0, 1, 0].slice(0, sql.split('?').length - 1))).not.toMatch(/\bSCAN\b/);
    db.close();
  });

  it('migration 7 (event retention): pruning by age searches its indexes, never scans', async () => {
    const { PRUNE_SQL } = await import('../../electron/core/events/event-store');
    const db = openDatabase(freshPath());
    const plan = (sql: string, ...args: unknown[]) => queryPlan(db, sql, args);
    expect(plan(PRUNE_SQL.oldEvents, 0, 10)).toMatch(/SEARCH ev_event USING INDEX ev_event_start \(start_ms<\?\)/);
    expect(plan(PRUNE_SQL.snapshotInUse, '/x.jpg')).toMatch(/SEARCH ev_event USING (COVERING )?INDEX ev_event_snapshot/);
    expect(plan(PRUNE_SQL.deleteOldReadings, 0, 10)).toMatch(/SEARCH ev_reading USING (COVERING )?INDEX ev_reading_at \(at_ms<\?\)/);
    for (const sql of [PRUNE_SQL.oldEvents, PRUNE_SQL.snapshotInUse, PRUNE_SQL.deleteOldReadings]) expect(plan(sql, ...[0, 10].slice(0, sql.split('?').length - 1))).not.toMatch(/\bSCAN\b/);
    db.close();
  });

  it('rolls a failing migration back whole and keeps the previous version', () => {
    const path = freshPath();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabase(path, [...migrations, broken])).toThrow('boom');
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database from a newer Watchpost instead of damaging it', () => {
    const path = freshPath();
    const db = openDatabase(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(path)).toThrow(/schema 99 is newer than this Watchpost knows/);
  });

  it('refuses gaps in the numbering', () => {
    const db = openDatabase(freshPath(), []);
    expect(() => migrate(db, [{ version: 2, name: 'x', up() {} }])).toThrow(/expected 1, found 2/);
    db.close();
  });
});
