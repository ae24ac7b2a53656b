// Evidence and its trail: locks with who made them, unlocking with a reason, the bytes locks hold, the audit list filtered.
import { userInfo } from 'node:os';
import type { Actor, ArchiveLock, AuditEntry, AUDIT_KINDS } from '../../contract';
import type { Db } from '../storage/db';
import { audit, MAX_SEGMENT_MS } from './segment-index';

type AuditKind = (typeof AUDIT_KINDS)[number];

/** The audit actions of each kind the list filters by. */
const ACTIONS: Record<AuditKind, string[]> = {
  retention: ['retention.deleted', 'retention.kept_locked'],
  lock: ['lock.created'],
  unlock: ['lock.removed'],
  device_delete: ['recordings.deleted_with_device'],
  folder: ['folder.changed', 'folder.moved'],
  settings: ['archive.settings'],
};
const KIND_OF = new Map(Object.entries(ACTIONS).flatMap(([k, actions]) => actions.map((a) => [a, k as AuditKind])));

let osUser: string | undefined;
/** Who asks, from the client session's id (`wc-…` an Electron window, `ws-…` a browser); the user is the station's. */
export function actorOf(sessionId: string): Actor {
  if (osUser === undefined) { try { osUser = userInfo().username; } catch { osUser = ''; } }
  return { user: osUser, client: sessionId.startsWith('wc-') ? 'desktop' : sessionId.startsWith('ws-') ? 'browser' : 'station' };
}

interface LockRow { id: number; channel_id: number | null; start_ms: number; end_ms: number; reason: string; created_at: number; by_user: string | null; by_client: Actor['client'] | null }

const toLock = (r: LockRow): ArchiveLock => ({
  id: r.id, channelId: r.channel_id, start: r.start_ms, end: r.end_ms, reason: r.reason, createdAt: r.created_at,
  createdBy: r.by_client ? { user: r.by_user ?? '', client: r.by_client } : null,
});

export function createLock(db: Db, l: { channelId: number | null; start: number; end: number; reason: string; at: number; by: Actor }): ArchiveLock {
  return db.transaction(() => {
    const id = Number(db.prepare('INSERT INTO rec_lock (channel_id, start_ms, end_ms, reason, created_at, by_user, by_client) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(l.channelId, l.start, l.end, l.reason, l.at, l.by.user, l.by.client).lastInsertRowid);
    audit(db, l.at, 'lock.created', { id, channelId: l.channelId, start: l.start, end: l.end, reason: l.reason, by: l.by });
    return toLock(db.prepare('SELECT * FROM rec_lock WHERE id = ?').get(id) as LockRow);
  })();
}

export function locksWithOwner(db: Db): ArchiveLock[] {
  return (db.prepare('SELECT * FROM rec_lock ORDER BY start_ms, id').all() as LockRow[]).map(toLock);
}

/** Removes a lock; the trail keeps the lock as it was, why it was removed, and by whom. */
export function unlock(db: Db, id: number, reason: string, at: number, by: Actor): boolean {
  return db.transaction(() => {
    const r = db.prepare('SELECT * FROM rec_lock WHERE id = ?').get(id) as LockRow | undefined;
    if (!r) return false;
    db.prepare('DELETE FROM rec_lock WHERE id = ?').run(id);
    const l = toLock(r);
    audit(db, at, 'lock.removed', { id, channelId: l.channelId, start: l.start, end: l.end, reason: l.reason, lockedBy: l.createdBy, unlockReason: reason, by });
    return true;
  })();
}

/** Bytes of recordings that some lock keeps (each segment counted once). Locks are few; each is a range search. */
export function lockedBytes(db: Db): number {
  const seen = new Map<number, number>();
  const locks = db.prepare('SELECT channel_id, start_ms, end_ms FROM rec_lock').all() as { channel_id: number | null; start_ms: number; end_ms: number }[];
  const all = db.prepare('SELECT id, bytes FROM rec_segment WHERE start_ms BETWEEN ? AND ? AND end_ms >= ?');
  const one = db.prepare('SELECT id, bytes FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ?');
  for (const l of locks) {
    const rows = (l.channel_id === null ? all.all(l.start_ms - MAX_SEGMENT_MS, l.end_ms, l.start_ms) : one.all(l.channel_id, l.start_ms - MAX_SEGMENT_MS, l.end_ms, l.start_ms)) as { id: number; bytes: number }[];
    for (const r of rows) seen.set(r.id, r.bytes);
  }
  let n = 0;
  for (const b of seen.values()) n += b;
  return n;
}

export interface AuditFilter { kinds?: AuditKind[]; channelId?: number; from?: number; to?: number; limit: number }

/** The channels an entry concerns, whichever shape its detail has (older lock removals kept the raw row). */
function channelsOf(detail: Record<string, unknown>): number[] {
  const one = detail.channelId ?? detail.channel_id;
  if (typeof one === 'number') return [one];
  return Array.isArray(detail.channels) ? detail.channels.filter((c): c is number => typeof c === 'number') : [];
}

/** The archive's trail, newest first, filtered by kind, channel (a lock on every channel concerns each) and time. */
export function auditEntries(db: Db, f: AuditFilter): AuditEntry[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.kinds?.length) {
    const actions = f.kinds.flatMap((k) => ACTIONS[k]);
    where.push(`action IN (${actions.map(() => '?').join(', ')})`);
    args.push(...actions);
  }
  if (f.from !== undefined) { where.push('at >= ?'); args.push(f.from); }
  if (f.to !== undefined) { where.push('at <= ?'); args.push(f.to); }
  if (f.channelId !== undefined) {
    where.push(`(coalesce(json_extract(detail, '$.channelId'), json_extract(detail, '$.channel_id')) = ?
      OR (action IN ('lock.created', 'lock.removed') AND coalesce(json_extract(detail, '$.channelId'), json_extract(detail, '$.channel_id')) IS NULL)
      OR EXISTS (SELECT 1 FROM json_each(detail, '$.channels') WHERE value = ?))`);
    args.push(f.channelId, f.channelId);
  }
  const sql = `SELECT id, at, action, detail FROM rec_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return (db.prepare(sql).all(...args, f.limit) as { id: number; at: number; action: string; detail: string }[]).map((r) => {
    const detail = JSON.parse(r.detail) as Record<string, unknown>;
    const by = detail.by as Actor | undefined;
    return { id: r.id, at: r.at, action: r.action, kind: KIND_OF.get(r.action) ?? 'other', channelIds: channelsOf(detail), by: by?.client ? by : null, detail };
  });
}
