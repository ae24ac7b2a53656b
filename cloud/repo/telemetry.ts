import type { SqlDb } from '../db/sql-db';
import type { Purpose, TelemetryPurpose } from '../domain';
import type { TelemetryCounterRow, TelemetryEventRow } from './rows';

/** Counts every body that reached an ingestion endpoint of a purpose (telemetry, push, storage, hosting), stored or refused. */
export async function countTelemetry(
  db: SqlDb,
  accountId: string,
  purpose: Purpose,
  bytes: number,
  accepted: boolean,
): Promise<void> {
  await db.run(
    `INSERT INTO telemetry_counters (account_id, purpose, received_bytes, accepted_bytes, accepted_batches, refused_batches)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, purpose) DO UPDATE SET
       received_bytes = telemetry_counters.received_bytes + excluded.received_bytes,
       accepted_bytes = telemetry_counters.accepted_bytes + excluded.accepted_bytes,
       accepted_batches = telemetry_counters.accepted_batches + excluded.accepted_batches,
       refused_batches = telemetry_counters.refused_batches + excluded.refused_batches`,
    [accountId, purpose, bytes, accepted ? bytes : 0, accepted ? 1 : 0, accepted ? 0 : 1],
  );
}

export async function insertTelemetry(
  db: SqlDb,
  e: { accountId: string; purpose: TelemetryPurpose; receivedAt: string; bytes: number; payload: string },
): Promise<void> {
  await db.tx(async (tx) => {
    await tx.run('INSERT INTO telemetry_events (account_id, purpose, received_at, bytes, payload) VALUES (?, ?, ?, ?, ?)', [
      e.accountId,
      e.purpose,
      e.receivedAt,
      e.bytes,
      e.payload,
    ]);
    await countTelemetry(tx, e.accountId, e.purpose, e.bytes, true);
  });
}

export async function telemetryCounters(db: SqlDb, accountId: string): Promise<TelemetryCounterRow[]> {
  return db.all<TelemetryCounterRow>('SELECT * FROM telemetry_counters WHERE account_id = ? ORDER BY purpose', [accountId]);
}

export async function telemetryEvents(db: SqlDb, accountId: string): Promise<TelemetryEventRow[]> {
  return db.all<TelemetryEventRow>('SELECT * FROM telemetry_events WHERE account_id = ? ORDER BY id', [accountId]);
}

/** Totals per purpose over all accounts: what the whole instance has received. */
export async function telemetryTotals(db: SqlDb): Promise<{ purpose: string; received_bytes: number; accepted_bytes: number }[]> {
  return db.all(
    'SELECT purpose, SUM(received_bytes) AS received_bytes, SUM(accepted_bytes) AS accepted_bytes FROM telemetry_counters GROUP BY purpose ORDER BY purpose',
  );
}
