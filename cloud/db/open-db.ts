import type { DbConfig, SqlDb } from './sql-db';
import { openSqliteDb } from './sqlite-db';
import { openPostgresDb } from './postgres-db';
import { migrate } from './migrate';

/** Opens the configured database and brings its schema up to date. */
export async function openDb(config: DbConfig): Promise<SqlDb> {
  const db = config.kind === 'sqlite' ? openSqliteDb(config.path) : openPostgresDb(config.connectionString);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
