import { randomUUID } from 'node:crypto';
import type { SqlDb } from '../db/sql-db';
import type { ShareRow } from './rows';

export interface NewShare {
  ownerId: string;
  recipientId: string;
  deviceId: string;
  deviceName: string;
  channels: number[] | null;
  validFrom: string | null;
  validUntil: string | null;
  rights?: string[];
  historySeconds?: number | null;
  station?: { host: string; port: number; fingerprint: string } | null;
  credential?: string | null;
  now: string;
}

export async function createShare(db: SqlDb, s: NewShare): Promise<ShareRow> {
  const id = randomUUID();
  await db.run(
    `INSERT INTO shares (id, owner_id, recipient_id, device_id, device_name, channels, valid_from, valid_until, created_at, revoked_at,
       rights, history_s, station_host, station_port, station_fingerprint, credential)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
    [id, s.ownerId, s.recipientId, s.deviceId, s.deviceName, s.channels ? JSON.stringify(s.channels) : null, s.validFrom,
      s.validUntil, s.now, JSON.stringify(s.rights ?? ['live']), s.historySeconds ?? null, s.station?.host ?? null, s.station?.port ?? null,
      s.station?.fingerprint ?? null, s.credential ?? null],
  );
  return (await db.get<ShareRow>('SELECT * FROM shares WHERE id = ?', [id]))!;
}

/** The shares an account gave, each with its revoke time only: what a sharing station watches. */
export async function shareStatesGiven(db: SqlDb, ownerId: string): Promise<{ id: string; revoked_at: string | null }[]> {
  return db.all('SELECT id, revoked_at FROM shares WHERE owner_id = ? ORDER BY id', [ownerId]);
}

export async function listSharesGiven(db: SqlDb, ownerId: string): Promise<ShareRow[]> {
  return db.all<ShareRow>('SELECT * FROM shares WHERE owner_id = ? ORDER BY created_at, id', [ownerId]);
}

/** Shares an account received; revoked ones only when asked (the export and the recipient's station list them all). */
export async function listSharesReceived(
  db: SqlDb,
  recipientId: string,
  opts: { includeRevoked?: boolean } = {},
): Promise<(ShareRow & { owner_nickname: string })[]> {
  return db.all(
    `SELECT s.*, a.nickname AS owner_nickname FROM shares s JOIN accounts a ON a.id = s.owner_id
     WHERE s.recipient_id = ? ${opts.includeRevoked ? '' : 'AND s.revoked_at IS NULL'} ORDER BY s.created_at, s.id`,
    [recipientId],
  );
}

/** Only the owner revokes; scoped by owner so no other account can. */
export async function revokeShare(db: SqlDb, ownerId: string, shareId: string, now: string): Promise<ShareRow | undefined> {
  return db.tx(async (tx) => {
    // The credential goes with it: a revoked share delivers nothing more.
    const r = await tx.run('UPDATE shares SET revoked_at = ?, credential = NULL WHERE id = ? AND owner_id = ? AND revoked_at IS NULL', [
      now,
      shareId,
      ownerId,
    ]);
    if (r.changes === 0) return undefined;
    return tx.get<ShareRow>('SELECT * FROM shares WHERE id = ?', [shareId]);
  });
}

/**
 * The recipient's station has the credential now: the cloud keeps no copy it could use. Scoped by recipient; false when
 * the share is not one this account received.
 */
export async function pickUpShare(db: SqlDb, recipientId: string, shareId: string): Promise<boolean> {
  return (await db.run('UPDATE shares SET credential = NULL WHERE id = ? AND recipient_id = ?', [shareId, recipientId])).changes > 0;
}
