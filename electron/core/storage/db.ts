import Database from 'better-sqlite3';
import { migrations as stationMigrations } from './migrations';

export type Db = Database.Database;
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
