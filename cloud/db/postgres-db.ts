import pg from 'pg';
import type { SqlDb, SqlValue } from './sql-db';

// BIGINT counters come back as numbers: our totals stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Every table that can hold a row of an account's personal data; erasure rewrites them. */
const PERSONAL_TABLES = [
  'accounts', 'sessions', 'settings', 'consents', 'telemetry_events', 'telemetry_counters', 'shares', 'login_failures',
  'push_notices', 'stored_objects', 'hosted_devices', 'feedback', 'feedback_attachments', 'account_log',
  // A sent mail's row is updated (recipient and body cleared), which leaves the old version holding the address.
  'mail_outbox', 'mail_codes', 'region_moves',
];

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
      // A deleted row's bytes stay in its page after a plain VACUUM (space is only marked free), and an UPDATE leaves the
      // old version behind, so the tables that held personal data are rewritten: VACUUM FULL writes new files holding
      // live rows only and the old files are truncated at commit. It cannot run inside a transaction.
      // What this cannot reach: WAL segments (pg_wal) still hold the inserted and deleted rows until PostgreSQL recycles
      // and overwrites them after later checkpoints (bounded by max_wal_size), and WAL archives or base backups keep
      // them for their own retention — those copies are for crash recovery and restore, and must be retired by the
      // operator's backup retention, which the privacy notice states. Planner statistics never sample the personal
      // columns (migration 003), and the server log holds no values unless statement logging is turned on.
      if (!inTx) await pool.query(`VACUUM (FULL, ANALYZE) ${PERSONAL_TABLES.join(', ')}`);
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
