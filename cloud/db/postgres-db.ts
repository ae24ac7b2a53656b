import pg from 'pg';
import type { SqlDb, SqlValue } from './sql-db';

// BIGINT counters come back as numbers: our totals stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Rewrites `?` placeholders as `$1..$n`; our SQL never has `?` inside literals. */
function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

function wrap(q: Queryable, pool: pg.Pool, inTx: boolean): SqlDb {
  const db: SqlDb = {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await q.query(toPg(sql), [...params])).rows as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await q.query(toPg(sql), [...params])).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return { changes: (await q.query(toPg(sql), [...params])).rowCount ?? 0 };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
    async tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
      if (inTx) return fn(db);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client, pool, true));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async purgeDeleted() {
      // Dead tuples are reclaimed by VACUUM; it cannot run inside a transaction.
      if (!inTx) await pool.query('VACUUM');
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}

export function openPostgresDb(connectionString: string): SqlDb {
  const pool = new pg.Pool({ connectionString, max: 8 });
  // An idle client losing its server must not crash the process.
  pool.on('error', () => undefined);
  return wrap(pool, pool, false);
}
