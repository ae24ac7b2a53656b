// Moving the recordings of an earlier folder into the one in use, a file at a time, the index following each file.
// A rename where both are on one volume; otherwise a copy made durable before the old file goes.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Db } from '../storage/db';
import { moveMotionWithSegments } from './motion-files';

export interface MoveProgress { doneFiles: number; totalFiles: number; doneBytes: number; totalBytes: number }

export interface MoveOptions {
  db: Db;
  /** The earlier folder: its segments are indexed by absolute paths under it. */
  from: string;
  /** The folder in use: moved segments are indexed relative to it. */
  to: string;
  signal?: AbortSignal;
  onProgress?: (p: MoveProgress) => void;
  /** How long to wait for segments still being written in the old folder (closed at their next keyframe). */
  openWaitMs?: number;
}

interface Row { id: number; path: string; bytes: number; closed: number }

const ignoreMissing = (err: unknown) => { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; };

function durableCopyDone(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Moves every indexed segment under `from` to `to`; returns what it moved. Files it cannot move stay where they are. */
export async function moveRecordings(o: MoveOptions): Promise<MoveProgress & { skipped: number }> {
  const prefix = `${o.from}/`;
  const rowsLeft = () => o.db.prepare('SELECT id, path, bytes, closed FROM rec_segment WHERE substr(path, 1, ?) = ? ORDER BY start_ms').all(prefix.length, prefix) as Row[];
  const first = rowsLeft();
  const p: MoveProgress = { doneFiles: 0, totalFiles: first.length, doneBytes: 0, totalBytes: first.reduce((n, r) => n + r.bytes, 0) };
  const dirs = new Set<string>();
  const failed = new Set<number>();
  let lastReport = 0;
  const report = (force = false) => {
    if (!force && Date.now() - lastReport < 200) return;
    lastReport = Date.now();
    o.onProgress?.({ ...p });
  };
  report(true);
  const waitUntil = Date.now() + (o.openWaitMs ?? 30_000);
  for (;;) {
    const rows = rowsLeft().filter((r) => !failed.has(r.id));
    const closed = rows.filter((r) => r.closed === 1);
    if (closed.length === 0) {
      if (rows.length === 0 || Date.now() > waitUntil) break;
      // Still being written: its recorder closes it at the next keyframe.
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    for (const r of closed) {
      if (o.signal?.aborted) throw new Error('the move was stopped');
      const rel = relative(o.from, r.path);
      const dst = join(o.to, rel);
      try {
        mkdirSync(dirname(dst), { recursive: true });
        try {
          // Synchronous rename and index update: retention (synchronous too) never sees one without the other.
          renameSync(r.path, dst);
          o.db.prepare('UPDATE rec_segment SET path = ? WHERE id = ?').run(rel, r.id);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
          await copyFile(r.path, dst);
          durableCopyDone(dst);
          // Retention may have deleted the segment meanwhile: then the copy goes too.
          const moved = o.db.prepare('UPDATE rec_segment SET path = ? WHERE id = ? AND path = ?').run(rel, r.id, r.path).changes > 0;
          if (!moved) try { unlinkSync(dst); } catch (e) { ignoreMissing(e); }
          try { unlinkSync(r.path); } catch (e) { ignoreMissing(e); }
        }
        dirs.add(dirname(r.path));
      } catch (err) {
        // Gone from the disk (retention, or by hand): nothing to move. Anything else leaves the file where it is.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failed.add(r.id);
        else if (o.db.prepare('SELECT 1 FROM rec_segment WHERE id = ? AND path = ?').get(r.id, r.path)) failed.add(r.id);
      }
      p.doneFiles++;
      p.doneBytes += r.bytes;
      p.totalFiles = Math.max(p.totalFiles, p.doneFiles);
      p.totalBytes = Math.max(p.totalBytes, p.doneBytes);
      report();
    }
  }
  // Hour folders left without segments hand their motion files on.
  for (const d of dirs) {
    try { moveMotionWithSegments(d, join(o.to, relative(o.from, d))); } catch { /* they stay in the old folder, searchable there */ }
  }
  // The old folder's emptied day and hour folders go (never the folder itself, nor any that still holds a file).
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    for (let x = d; x.startsWith(prefix); x = dirname(x)) {
      try { rmdirSync(x); } catch { break; }
    }
  }
  report(true);
  return { ...p, skipped: failed.size };
}
