// Moving recordings to another folder, on real files and a real index: a rename on one volume, a durable copy to
// another (/dev/shm is tmpfs), the index following each file, a missing file or one still being written left alone.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveRecordings, type MoveProgress } from '../../electron/core/recording/folder-move';
import { segmentRelPath } from '../../electron/core/recording/segment-file';
import { insertSegment } from '../../electron/core/recording/segment-index';
import { openDatabase, type Db } from '../../electron/core/storage/db';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = (base: string) => { const d = mkdtempSync(join(base, 'wp-move-')); dirs.push(d); return d; };

/** An index with `n` segments of channel 3 in `from`, indexed by absolute paths (the folder was changed); their rows. */
function setup(n: number, opts: { open?: number[]; missing?: number[] } = {}) {
  const dir = temp(tmpdir());
  const db = openDatabase(join(dir, 'station.db'));
  dbs.push(db);
  const from = join(dir, 'old');
  const t0 = Date.UTC(2026, 0, 5, 10);
  const rels: string[] = [];
  for (let i = 0; i < n; i++) {
    const rel = segmentRelPath(3, 'sub', t0 + i * 60_000);
    rels.push(rel);
    if (!opts.missing?.includes(i)) {
      mkdirSync(dirname(join(from, rel)), { recursive: true });
      writeFileSync(join(from, rel), Buffer.alloc(1000 + i, i));
    }
    insertSegment(db, {
      channel_id: 3, stream: 'sub', start_ms: t0 + i * 60_000, end_ms: t0 + (i + 1) * 60_000, bytes: 1000 + i, path: join(from, rel), codec: 'avc1', width: 320,
      height: 180, timescale: 90000, base_dts: 0, init_bytes: 0, closed: opts.open?.includes(i) ? 0 : 1, keyframes: [],
    });
  }
  const paths = () => (db.prepare('SELECT path FROM rec_segment ORDER BY id').all() as { path: string }[]).map((r) => r.path);
  return { db, from, rels, paths };
}

describe('moving recordings', () => {
  it('renames on one volume: the index becomes relative to the new folder, the old day and hour folders go', async () => {
    const { db, from, rels, paths } = setup(3);
    const to = join(dirname(from), 'new');
    mkdirSync(to);
    // The hour's motion file goes with its segments, after what the recorder already wrote in the new folder.
    const motion = join(dirname(rels[0]!), 'c3-motion.bin');
    writeFileSync(join(from, motion), 'old');
    mkdirSync(dirname(join(to, motion)), { recursive: true });
    writeFileSync(join(to, motion), 'new');
    const seen: MoveProgress[] = [];
    const r = await moveRecordings({ db, from, to, onProgress: (p) => seen.push(p) });
    expect(r).toEqual({ doneFiles: 3, totalFiles: 3, doneBytes: 3003, totalBytes: 3003, skipped: 0 });
    expect(paths()).toEqual(rels);
    expect(rels.every((rel) => existsSync(join(to, rel)) && !existsSync(join(from, rel)))).toBe(true);
    expect(existsSync(join(from, '3'))).toBe(false);
    expect(existsSync(from)).toBe(true);
    expect(readFileSync(join(to, motion), 'utf8')).toBe('newold');
    expect(seen[0]).toMatchObject({ doneFiles: 0, totalFiles: 3 });
    expect(seen.at(-1)).toMatchObject({ doneFiles: 3, doneBytes: 3003 });
  });

  it('copies to another volume and makes the copy durable before the old file goes', async () => {
    const { db, from, rels, paths } = setup(2);
    const to = temp('/dev/shm');
    const before = readFileSync(join(from, rels[1]!));
    const r = await moveRecordings({ db, from, to });
    expect(r.skipped).toBe(0);
    expect(paths()).toEqual(rels);
    expect(readFileSync(join(to, rels[1]!))).toEqual(before);
    expect(existsSync(join(from, rels[1]!))).toBe(false);
  });

  it('leaves a segment still being written (after waiting for it) and one whose file is gone, still indexed where they were', async () => {
    const { db, from, rels, paths } = setup(3, { open: [2], missing: [1] });
    const to = join(dirname(from), 'new');
    mkdirSync(to);
    const r = await moveRecordings({ db, from, to, openWaitMs: 300 });
    expect(r.skipped).toBe(1);
    expect(paths()).toEqual([rels[0], join(from, rels[1]!), join(from, rels[2]!)]);
    expect(existsSync(join(from, rels[2]!))).toBe(true);
  });

  it('stops when told (the station stopping), the index still agreeing with the disk', async () => {
    const { db, from, rels, paths } = setup(3);
    const to = join(dirname(from), 'new');
    mkdirSync(to);
    const stop = new AbortController();
    // Told at the first report, before any file.
    await expect(moveRecordings({ db, from, to, signal: stop.signal, onProgress: () => stop.abort() })).rejects.toThrow(/stopped/);
    expect(paths()).toEqual(rels.map((rel) => join(from, rel)));
    expect(rels.every((rel) => existsSync(join(from, rel)))).toBe(true);
  });
});
