import Database from 'better-sqlite3';
import type { SqlDb, SqlValue } from './sql-db';

export function openSqliteDb(path: string): SqlDb {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = FULL');
  // Erased personal data must not linger in free pages of the file.
  raw.pragma('secure_delete = ON');
  raw.pragma('busy_timeout = 5000');

  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (!st) {
      st = raw.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  // One connection: transactions are serialised, and their bodies await only this db, so no other request runs inside one.
  let txChain: Promise<unknown> = Promise.resolve();
  let inTx = false;

  const db: SqlDb = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).all(...params) as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).get(...params) as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return { changes: prepare(sql).run(...params).changes };
    },
    async exec(sql: string) {
      raw.exec(sql);
    },
    tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
      if (inTx) return fn(db);
      const run = async (): Promise<T> => {
        raw.exec('BEGIN IMMEDIATE');
        inTx = true;
        try {
          const out = await fn(db);
          raw.exec('COMMIT');
          return out;
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        } finally {
          inTx = false;
        }
      };
      const result = txChain.then(run, run);
      txChain = result.catch(() => undefined);
      return result;
    },
    async purgeDeleted() {
      raw.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close() {
      await txChain;
      if (!raw.open) return;
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
    },
  };
  return db;
}
