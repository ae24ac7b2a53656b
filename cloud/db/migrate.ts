import type { SqlDb } from './sql-db';
import { migration001 } from './migrations/001-initial';
import { migration002 } from './migrations/002-account-services';
import { migration003 } from './migrations/003-no-statistics-of-personal-fields';
import { migration004 } from './migrations/004-feedback';
import { migration005 } from './migrations/005-retention';
import { migration006 } from './migrations/006-account-log';
import { migration007 } from './migrations/007-share-access';
import { migration008 } from './migrations/008-mail';
import { migration009 } from './migrations/009-regions';
import { migration010 } from './migrations/010-minors';

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010];

/** Applies pending migrations in order, each in its own transaction; returns the versions applied. */
export async function migrate(db: SqlDb, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.tx(async (tx) => {
      // Two instances starting on one PostgreSQL database must not both migrate.
      if (tx.dialect === 'postgres') await tx.exec('SELECT pg_advisory_xact_lock(7007)');
      const row = await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (row) return false;
      await tx.exec(tx.dialect === 'sqlite' ? m.sqlite : m.postgres);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

export async function schemaVersion(db: SqlDb): Promise<number> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return row?.v ?? 0;
}
