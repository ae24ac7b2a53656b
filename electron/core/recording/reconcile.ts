// On start the index is made to agree with the disk: crash-cut tails trimmed to the last whole fragment,
// unindexed files indexed, rows of missing files removed, spans recomputed where anything changed.
import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Db } from '../storage/db';
import { parseSegmentName, scanSegment, segmentFile, trimSegment, type ScannedSegment } from './segment-file';
import { deleteSegment, insertSegment, rebuildSpans, updateSegment, type SegmentRow } from './segment-index';

export interface ReconcileReport {
  trimmed: number;
  trimmedBytes: number;
  indexed: number;
  removedRows: number;
  removedFiles: number;
  checkedOpen: number;
}

const emptyReport = (): ReconcileReport => ({ trimmed: 0, trimmedBytes: 0, indexed: 0, removedRows: 0, removedFiles: 0, checkedOpen: 0 });

function keyframesOf(scan: ScannedSegment) {
  return scan.keyframes.map((k) => ({ offsetMs: ((k.dts - scan.baseDts) * 1000) / scan.track.timescale, byte: k.byte }));
}

function endOf(startMs: number, scan: ScannedSegment): number {
  return Math.round(startMs + ((scan.endDts - scan.baseDts) * 1000) / scan.track.timescale);
}

/** Brings one indexed segment in line with its file; returns false if the row was removed. */
function fixRow(db: Db, root: string, row: SegmentRow, report: ReconcileReport, readOnly = false): boolean {
  const abs = segmentFile(root, row.path);
  const scan = existsSync(abs) ? scanSegment(abs) : undefined;
  if (!scan) {
    if (existsSync(abs) && !readOnly) { unlinkSync(abs); report.removedFiles++; }
    deleteSegment(db, row.id);
    report.removedRows++;
    rebuildSpans(db, row.channel_id, row.start_ms, row.end_ms);
    return false;
  }
  if (scan.validBytes < scan.fileBytes && !readOnly) {
    trimSegment(abs, scan.validBytes);
    report.trimmed++;
    report.trimmedBytes += scan.fileBytes - scan.validBytes;
  }
  const end = endOf(row.start_ms, scan);
  db.prepare('UPDATE rec_segment SET base_dts = ? WHERE id = ?').run(scan.baseDts, row.id);
  updateSegment(db, row.id, { end_ms: end, bytes: scan.validBytes, keyframes: keyframesOf(scan), closed: true });
  rebuildSpans(db, row.channel_id, row.start_ms, Math.max(end, row.end_ms));
  return true;
}

/** Indexes a segment file the index does not know (found on disk, or in a foreign folder). */
export function indexFile(db: Db, root: string, rel: string, report: ReconcileReport = emptyReport(), readOnly = false): boolean {
  const named = parseSegmentName(rel.split(sep).at(-1)!);
  if (!named) return false;
  const abs = join(root, rel);
  const scan = scanSegment(abs);
  if (!scan) return false;
  if (scan.validBytes < scan.fileBytes && !readOnly) {
    trimSegment(abs, scan.validBytes);
    report.trimmed++;
    report.trimmedBytes += scan.fileBytes - scan.validBytes;
  }
  const end = endOf(named.startMs, scan);
  insertSegment(db, {
    channel_id: named.channelId, stream: named.stream, start_ms: named.startMs, end_ms: end, bytes: scan.validBytes, path: rel,
    codec: scan.track.codec, width: scan.track.width, height: scan.track.height, timescale: scan.track.timescale,
    base_dts: scan.baseDts, init_bytes: scan.initBytes, closed: 1, keyframes: keyframesOf(scan),
  });
  rebuildSpans(db, named.channelId, named.startMs, end);
  report.indexed++;
  return true;
}

/** Quick pass, before recording starts: the segments left open by a crash. */
export function reconcileOpen(db: Db, root: string): ReconcileReport {
  const report = emptyReport();
  const rows = db.prepare('SELECT * FROM rec_segment WHERE closed = 0').all() as SegmentRow[];
  db.transaction(() => {
    for (const row of rows) {
      report.checkedOpen++;
      fixRow(db, root, row, report);
    }
  })();
  return report;
}

function listDir(dir: string): string[] {
  try { return readdirSync(dir).sort(); } catch { return []; }
}

/** Full pass: every channel folder against the index (a channel at a time, yielding between hours). */
export async function reconcileAll(db: Db, root: string, opts: { yieldEvery?: number; readOnly?: boolean; signal?: AbortSignal } = {}): Promise<ReconcileReport> {
  const report = opts.readOnly ? emptyReport() : reconcileOpen(db, root);
  const ro = opts.readOnly ?? false;
  const channelDirs = listDir(root).filter((n) => /^\d+$/.test(n));
  const indexedChannels = (db.prepare('SELECT DISTINCT channel_id FROM rec_segment').all() as { channel_id: number }[]).map((r) => String(r.channel_id));
  let n = 0;
  for (const ch of [...new Set([...channelDirs, ...indexedChannels])]) {
    const rows = db.prepare('SELECT * FROM rec_segment WHERE channel_id = ?').all(Number(ch)) as SegmentRow[];
    const byPath = new Map(rows.map((r) => [r.path, r]));
    for (const day of listDir(join(root, ch))) {
      for (const hour of listDir(join(root, ch, day))) {
        const dir = join(root, ch, day, hour);
        const tx = db.transaction(() => {
          for (const name of listDir(dir)) {
            if (!name.endsWith('.mp4')) continue;
            const rel = relative(root, join(dir, name));
            const row = byPath.get(rel);
            if (!row) { indexFile(db, root, rel, report, ro); continue; }
            byPath.delete(rel);
            if (statSync(join(dir, name)).size < row.bytes) fixRow(db, root, row, report, ro);
          }
        });
        if (opts.signal?.aborted) return report;
        tx();
        if (++n % (opts.yieldEvery ?? 24) === 0) await new Promise((r) => setImmediate(r));
      }
    }
    // What is left had no file.
    db.transaction(() => {
      for (const row of byPath.values()) {
        if (existsSync(segmentFile(root, row.path))) continue;
        deleteSegment(db, row.id);
        report.removedRows++;
        rebuildSpans(db, row.channel_id, row.start_ms, row.end_ms);
      }
    })();
  }
  return report;
}
