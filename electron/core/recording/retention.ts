// Retention: per-channel age, a global size quota and a free-space floor; oldest first; locked (evidence)
// ranges are never deleted, and every sweep that deletes or keeps evidence is audited.
import { unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { relaxedCommit, type Db } from '../storage/db';
import { readArchiveConfig } from './archive';
import { dropMotionWithLastSegment } from './motion-files';
import { deleteMotion } from './motion-index';
import { segmentFile } from './segment-file';
import { archiveBytes, audit, isLocked, rebuildSpans, type SegmentRow } from './segment-index';

export interface RetentionInput {
  db: Db;
  root: string;
  now: number;
  /** Days kept per channel (null or missing: no age limit). */
  channelDays: ReadonlyMap<number, number | null>;
  freeBytes: () => number;
  /**
   * At most this many segments deleted in one pass (default: no limit); `more` then says the limits are not met yet.
   * Each delete unlinks a file and rebuilds spans on the event loop: the station sweeps in slices with the loop free
   * between them, rather than hold it for a whole backlog of deletes (64 channels ageing out together).
   */
  maxDeletes?: number;
  /**
   * Leave the files to the caller (`report.files`, for `unlinkSegments`): only the index rows go in the pass. Unlinking a
   * large file frees its blocks inside the call (100–165 ms measured for 5 MB segments on ext4 under load), so the station
   * unlinks off the event loop (libuv's thread pool) and runs the next slice when they are gone. A crash in between leaves
   * files without rows, which the start's reconcile indexes again and retention deletes again.
   */
  deferUnlink?: boolean;
}

export interface RetentionReport {
  deleted: number;
  deletedBytes: number;
  keptLocked: number;
  byReason: Record<'age' | 'quota' | 'free_space', number>;
  /** Set when the limits cannot be met because what is left is locked or still being written. */
  unmet?: 'quota' | 'free_space';
  /** The pass stopped at `maxDeletes` with more to delete: run another. */
  more?: boolean;
  /** With `deferUnlink`: the files of the deleted rows, still on disk. */
  files?: string[];
}

type Row = Pick<SegmentRow, 'id' | 'channel_id' | 'start_ms' | 'end_ms' | 'bytes' | 'path'>;

/** Removes the row; the file too unless `later` takes it. */
function remove(db: Db, root: string, r: Row, later?: string[]): void {
  const file = segmentFile(root, r.path);
  if (later) later.push(file);
  else {
    try { unlinkSync(file); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
    dropMotionWithLastSegment(file);
  }
  db.prepare('DELETE FROM rec_segment WHERE id = ?').run(r.id);
  deleteMotion(db, r.channel_id, r.start_ms, r.end_ms);
}

/** The files a `deferUnlink` pass left, unlinked in the thread pool; then each folder's motion files if no segment is left. */
export async function unlinkSegments(files: readonly string[]): Promise<void> {
  await Promise.all(files.map((f) => unlink(f).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; })));
  const dirs = new Map<string, string>();
  for (const f of files) dirs.set(dirname(f), f);
  for (const f of dirs.values()) dropMotionWithLastSegment(f);
}

/** A deleted device's channel: its segments go, except those under an evidence lock (then its gaps, marks and settings stay too). */
export function deleteChannelSegments(db: Db, root: string, channelId: number, now: number): { deleted: number; keptLocked: number } {
  const rows = db.prepare('SELECT id, channel_id, start_ms, end_ms, bytes, path FROM rec_segment WHERE channel_id = ?').all(channelId) as Row[];
  let deleted = 0;
  let keptLocked = 0;
  for (const r of rows) {
    if (isLocked(db, channelId, r.start_ms, r.end_ms)) { keptLocked++; continue; }
    remove(db, root, r);
    deleted++;
  }
  db.transaction(() => {
    if (rows.length) rebuildSpans(db, channelId, rows.reduce((m, r) => Math.min(m, r.start_ms), Infinity), rows.reduce((m, r) => Math.max(m, r.end_ms), -Infinity));
    if (keptLocked === 0) for (const t of ['rec_gap', 'rec_event', 'rec_channel_config']) db.prepare(`DELETE FROM ${t} WHERE channel_id = ?`).run(channelId);
    audit(db, now, 'recordings.deleted_with_device', { channelId, deleted, keptLocked });
  })();
  return { deleted, keptLocked };
}

/** One pass; deletes oldest first until every limit holds or only locked/open segments are left. */
export function sweepRetention(input: RetentionInput): RetentionReport {
  const { db, root, now } = input;
  const cfg = readArchiveConfig(db);
  const report: RetentionReport = { deleted: 0, deletedBytes: 0, keptLocked: 0, byReason: { age: 0, quota: 0, free_space: 0 }, ...(input.deferUnlink ? { files: [] } : {}) };
  // A slice's commits do not wait for the disk (the archive's flush makes them durable; a row whose file is gone is
  // dropped at start): see relaxedCommit.
  const commit = (fn: () => void) => relaxedCommit(db, () => db.transaction(fn)());
  const touched = new Map<number, { from: number; to: number }>();
  const lockedSeen = new Set<number>();
  const del = (r: Row, reason: keyof RetentionReport['byReason']) => {
    remove(db, root, r, report.files);
    report.deleted++;
    report.deletedBytes += r.bytes;
    report.byReason[reason]++;
    const t = touched.get(r.channel_id);
    touched.set(r.channel_id, { from: Math.min(t?.from ?? r.start_ms, r.start_ms), to: Math.max(t?.to ?? r.end_ms, r.end_ms) });
  };
  const max = input.maxDeletes ?? Infinity;
  const full = () => report.deleted >= max;
  const locked = (r: Row) => {
    if (!isLocked(db, r.channel_id, r.start_ms, r.end_ms)) return false;
    lockedSeen.add(r.id);
    return true;
  };

  commit(() => {
    // Age, per channel.
    for (const [channelId, days] of input.channelDays) {
      if (!days) continue;
      const rows = db.prepare('SELECT id, channel_id, start_ms, end_ms, bytes, path FROM rec_segment WHERE channel_id = ? AND start_ms < ? AND end_ms < ? AND closed = 1 ORDER BY start_ms')
        .all(channelId, now - days * 86_400_000, now - days * 86_400_000) as Row[];
      for (const r of rows) {
        if (full()) { report.more = true; return; }
        if (!locked(r)) del(r, 'age');
      }
    }
  });

  // Quota and free space: oldest first across all channels, in batches.
  let total = archiveBytes(db);
  let free = input.freeBytes();
  const over = () => (cfg.quotaBytes !== null && total > cfg.quotaBytes ? 'quota' : free < cfg.freeFloorBytes ? 'free_space' : undefined);
  let after = -Infinity;
  let afterId = 0;
  while (!report.more && over()) {
    if (full()) { report.more = true; break; }
    const batch = db.prepare('SELECT id, channel_id, start_ms, end_ms, bytes, path FROM rec_segment WHERE closed = 1 AND (start_ms > ? OR (start_ms = ? AND id > ?)) ORDER BY start_ms, id LIMIT 200')
      .all(after, after, afterId) as Row[];
    if (batch.length === 0) { report.unmet = over(); break; }
    commit(() => {
      for (const r of batch) {
        after = r.start_ms;
        afterId = r.id;
        const reason = over();
        if (!reason) break;
        if (full()) { report.more = true; break; }
        if (locked(r)) continue;
        del(r, reason);
        total -= r.bytes;
        free += r.bytes;
      }
    });
  }
  report.keptLocked = lockedSeen.size;
  commit(() => {
    for (const [channelId, t] of touched) rebuildSpans(db, channelId, t.from, t.to);
    if (report.deleted) audit(db, now, 'retention.deleted', { count: report.deleted, bytes: report.deletedBytes, byReason: report.byReason, channels: [...touched.keys()] });
    if (report.keptLocked) audit(db, now, 'retention.kept_locked', { segments: report.keptLocked, unmet: report.unmet ?? null });
  });
  return report;
}

export interface Forecast {
  archiveBytes: number;
  freeBytes: number;
  bytesPerDay: number;
  /** Bytes the archive may grow to under the quota and the free-space floor. */
  capacityBytes: number;
  days: number | null;
  limitedBy: 'quota' | 'free_space' | 'retention_days' | 'unknown';
}

/** How many days of recording the current settings hold, from the last day's write rate. */
export function forecast(db: Db, now: number, freeBytes: number, channelDays: ReadonlyMap<number, number | null>): Forecast {
  const cfg = readArchiveConfig(db);
  const total = archiveBytes(db);
  const day = db.prepare('SELECT coalesce(sum(bytes), 0) AS b, min(start_ms) AS s FROM rec_segment WHERE start_ms >= ?').get(now - 86_400_000) as { b: number; s: number | null };
  const spanMs = day.s === null ? 0 : Math.max(60_000, now - day.s);
  const bytesPerDay = spanMs ? (day.b * 86_400_000) / spanMs : 0;
  const byDisk = total + Math.max(0, freeBytes - cfg.freeFloorBytes);
  const byQuota = cfg.quotaBytes ?? Infinity;
  const capacityBytes = Math.min(byDisk, byQuota);
  let days = bytesPerDay > 0 ? capacityBytes / bytesPerDay : null;
  let limitedBy: Forecast['limitedBy'] = bytesPerDay > 0 ? (byQuota <= byDisk ? 'quota' : 'free_space') : 'unknown';
  const caps = [...channelDays.values()].filter((d): d is number => !!d);
  if (caps.length === channelDays.size && caps.length > 0) {
    const maxDays = Math.max(...caps);
    if (days === null || maxDays < days) { days = maxDays; limitedBy = 'retention_days'; }
  }
  return { archiveBytes: total, freeBytes, bytesPerDay: Math.round(bytesPerDay), capacityBytes: Number.isFinite(capacityBytes) ? capacityBytes : total + freeBytes, days: days === null ? null : Math.round(days * 10) / 10, limitedBy };
}
