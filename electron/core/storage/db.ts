import Database from 'better-sqlite3';
import { migrations as stationMigrations } from './migrations';

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[]>;
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

/** Electron passes the better-sqlite3 binary built for its own ABI; plain Node uses the default one. */
let nativeBinding: string | undefined;
export function useSqliteBinding(path: string): void {
  nativeBinding = path;
}

/** Opens (creating if needed) a SQLite file in WAL with foreign keys and brings it to the latest schema. */
export function openDatabase(path: string, migrations: readonly Migration[] = stationMigrations): Db {
  const db = new Database(path, nativeBinding ? { nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Runs `fn` (a transaction) with its commit not waiting for the disk (synchronous = NORMAL: in WAL the commit is in the
 * OS's hands at once, safe from a killed process; only a power cut may lose it, and the next full commit — the
 * archive's once-a-second index flush — makes it durable with everything before it). For the many small commits the
 * recorders make (a segment opened, closed; a retention slice), each of which under FULL waited for an fsync on the
 * event loop: 64 channels rolling segments together held it for a second or more (issue 17). What such a commit says
 * the station makes true again from the disk at start (reconcile.ts). Inside a transaction it just runs (the outer
 * commit decides).
 */
export function relaxedCommit<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn();
  const level = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma(`synchronous = ${level}`);
  }
}

/** The schema version openDatabase brings the station's database to. */
export const LATEST_SCHEMA_VERSION = stationMigrations.length;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies each pending migration in its own transaction; a failure leaves the previous version intact. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbering: expected ${i + 1}, found ${m.version} (${m.name})`);
  });
  const current = schemaVersion(db);
  const latest = sorted.length;
  if (current > latest) {
    throw new Error(`database schema ${current} is newer than this Watchpost knows (${latest}); refusing to open it`);
  }
  for (const m of sorted.slice(current)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}
