// The consent-gated services of an account: alarm push inbox, cloud storage, hosted device lists.
import { randomUUID } from 'node:crypto';
import type { SqlDb } from '../db/sql-db';
import type { HostedDevicesRow, PushNoticeRow, StoredObjectRow } from './rows';

export async function insertPushNotice(
  db: SqlDb,
  n: { accountId: string; stationId: string; type: string; channelName: string; occurredAt: string; snapshot: Buffer | null; receivedAt: string },
): Promise<PushNoticeRow> {
  return db.tx(async (tx) => {
    await tx.run(
      'INSERT INTO push_notices (account_id, station_id, type, channel_name, occurred_at, snapshot, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [n.accountId, n.stationId, n.type, n.channelName, n.occurredAt, n.snapshot, n.receivedAt],
    );
    return (await tx.get<PushNoticeRow>('SELECT * FROM push_notices WHERE account_id = ? ORDER BY id DESC LIMIT 1', [n.accountId]))!;
  });
}

/** Newest first. */
export async function listPushNotices(db: SqlDb, accountId: string, limit = 1000): Promise<PushNoticeRow[]> {
  return db.all<PushNoticeRow>('SELECT * FROM push_notices WHERE account_id = ? ORDER BY id DESC LIMIT ?', [accountId, limit]);
}

export async function insertStoredObject(
  db: SqlDb,
  o: { accountId: string; name: string; kind: 'snapshot' | 'clip'; contentType: string; data: Buffer; sha256: string; createdAt: string },
): Promise<Omit<StoredObjectRow, 'data'>> {
  const id = randomUUID();
  await db.run(
    'INSERT INTO stored_objects (id, account_id, name, kind, content_type, bytes, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [id, o.accountId, o.name, o.kind, o.contentType, o.data.length, o.sha256, o.data, o.createdAt],
  );
  return (await findStoredObject(db, o.accountId, id, false))!;
}

const META = 'id, account_id, name, kind, content_type, bytes, sha256, created_at';

export async function listStoredObjects(db: SqlDb, accountId: string): Promise<Omit<StoredObjectRow, 'data'>[]> {
  return db.all(`SELECT ${META} FROM stored_objects WHERE account_id = ? ORDER BY created_at, id`, [accountId]);
}

/** Scoped by account: another account's object id answers nothing. */
export async function findStoredObject(db: SqlDb, accountId: string, id: string, withData: true): Promise<StoredObjectRow | undefined>;
export async function findStoredObject(db: SqlDb, accountId: string, id: string, withData: false): Promise<Omit<StoredObjectRow, 'data'> | undefined>;
export async function findStoredObject(db: SqlDb, accountId: string, id: string, withData: boolean) {
  return db.get(`SELECT ${withData ? '*' : META} FROM stored_objects WHERE id = ? AND account_id = ?`, [id, accountId]);
}

export async function deleteStoredObject(db: SqlDb, accountId: string, id: string): Promise<boolean> {
  return (await db.run('DELETE FROM stored_objects WHERE id = ? AND account_id = ?', [id, accountId])).changes > 0;
}

export async function storedBytes(db: SqlDb, accountId: string): Promise<number> {
  const r = await db.get<{ n: number | null }>('SELECT SUM(bytes) AS n FROM stored_objects WHERE account_id = ?', [accountId]);
  return Number(r?.n ?? 0);
}

export async function putHostedDevices(
  db: SqlDb,
  h: { accountId: string; stationId: string; stationName: string; devices: string; updatedAt: string },
): Promise<void> {
  await db.run(
    `INSERT INTO hosted_devices (account_id, station_id, station_name, devices, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account_id, station_id) DO UPDATE SET station_name = excluded.station_name, devices = excluded.devices, updated_at = excluded.updated_at`,
    [h.accountId, h.stationId, h.stationName, h.devices, h.updatedAt],
  );
}

export async function listHostedDevices(db: SqlDb, accountId: string): Promise<HostedDevicesRow[]> {
  return db.all<HostedDevicesRow>('SELECT * FROM hosted_devices WHERE account_id = ? ORDER BY station_name, station_id', [accountId]);
}

/** One station's list, or (no station id) every list of the account: withdrawing hosting takes them all down. */
export async function deleteHostedDevices(db: SqlDb, accountId: string, stationId?: string): Promise<number> {
  const r = stationId === undefined
    ? await db.run('DELETE FROM hosted_devices WHERE account_id = ?', [accountId])
    : await db.run('DELETE FROM hosted_devices WHERE account_id = ? AND station_id = ?', [accountId, stationId]);
  return r.changes;
}
