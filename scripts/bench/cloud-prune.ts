// prune_rows_per_s for `npm run bench:cloud`: rows past their retention deleted per second by the cloud's retention pass.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openDb } from '../../cloud/db/open-db';
import type { DbConfig } from '../../cloud/db/sql-db';
import { insertAccount } from '../../cloud/repo/accounts';
import { pruneExpired } from '../../cloud/repo/retention';
import { CLOUD_RETENTION_DAYS, DAY_MS } from '../../electron/contract/retention';
import { postgresUnavailable, startPostgres } from '../../tests/integration/cloud-postgres-server';

/** Each of telemetry events and push notices gets this many rows past their time, and a tenth as many inside it. */
const EXPIRED_PER_KIND = 50_000;

async function measure(config: DbConfig): Promise<{ rowsPerS: number; rows: number }> {
  const db = await openDb(config);
  try {
    const now = Date.now();
    const at = (days: number) => new Date(now - days * DAY_MS).toISOString();
    const a = await insertAccount(db, {
      email: `${randomUUID()}@bench.test`, region: 'de', country: 'DE', nickname: 'Bench', dateOfBirth: '1980-01-01',
      passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', photo: null, now: at(0),
    });
    const series = (n: number) => db.dialect === 'postgres'
      ? `generate_series(1, ${n}) AS s(i)`
      : `(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ${n}) SELECT i FROM r) AS s`;
    const fill = async (n: number, telemetryAt: string, pushAt: string) => {
      await db.run(`INSERT INTO telemetry_events (account_id, purpose, received_at, bytes, payload)
        SELECT ?, 'user_experience_plan', ?, 40, '[{"call":"live.open","n":' || i || '}]' FROM ${series(n)}`, [a.id, telemetryAt]);
      await db.run(`INSERT INTO push_notices (account_id, station_id, type, channel_name, occurred_at, snapshot, received_at)
        SELECT ?, 'station', 'motion', 'Door ' || i, ?, NULL, ? FROM ${series(n)}`, [a.id, pushAt, pushAt]);
    };
    await fill(EXPIRED_PER_KIND, at(CLOUD_RETENTION_DAYS.telemetryEvents + 1), at(CLOUD_RETENTION_DAYS.pushNotices + 1));
    await fill(EXPIRED_PER_KIND / 10, at(1), at(1));
    const t0 = performance.now();
    const counts = await pruneExpired(db, now, 15 * 60_000);
    const s = (performance.now() - t0) / 1000;
    const rows = counts.telemetryEvents + counts.pushNotices;
    if (rows !== 2 * EXPIRED_PER_KIND) throw new Error(`the retention pass deleted ${rows} rows, not ${2 * EXPIRED_PER_KIND}`);
    const left = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM telemetry_events WHERE account_id = ?', [a.id]);
    if (Number(left?.n) !== EXPIRED_PER_KIND / 10) throw new Error('the retention pass deleted rows inside their time');
    return { rowsPerS: Math.round(rows / s), rows };
  } finally {
    await db.close();
  }
}

/** On PostgreSQL when its server binaries are here (the target's database), and on SQLite. */
export async function benchPrune(dir: string): Promise<Record<string, number | string>> {
  const sqlite = await measure({ kind: 'sqlite', path: join(dir, 'prune.db') });
  const out: Record<string, number | string> = { prune_rows_per_s_sqlite: sqlite.rowsPerS, prune_rows: sqlite.rows };
  const why = postgresUnavailable();
  if (why) return { ...out, prune_rows_per_s: sqlite.rowsPerS, prune_db: 'sqlite', prune_postgres_skipped: why };
  const pg = await startPostgres();
  try {
    return { ...out, prune_rows_per_s: (await measure({ kind: 'postgres', connectionString: pg.connectionString })).rowsPerS, prune_db: 'postgres' };
  } finally {
    await pg.close();
  }
}
