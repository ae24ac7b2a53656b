import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { calls } from '../../electron/contract';
import { GRID_BYTES, MotionDetector } from '../../electron/core/events/motion-detector';
import { locateTool } from '../../electron/core/media/ffmpeg';
import { motionFileRel, motionFiles } from '../../electron/core/recording/motion-files';
import { loadMotionFiles, MOTION_STEP_MS, motionIndexBytes, MotionIndexWriter, searchMotion } from '../../electron/core/recording/motion-index';
import { sweepRetention } from '../../electron/core/recording/retention';
import { openDatabase, type Db } from '../../electron/core/storage/db';

const T0 = Date.UTC(2026, 0, 5, 10);
/** A region of cells (x0..x1, y0..y1 inclusive) as the contract's 576 characters. */
const region = (x0: number, y0: number, x1: number, y1: number) =>
  Array.from({ length: 576 }, (_, c) => (c % 32 >= x0 && c % 32 <= x1 && Math.floor(c / 32) >= y0 && Math.floor(c / 32) <= y1 ? '1' : '0')).join('');
/** A grid with the given cells moving. */
function grid(...cells: [number, number][]): Uint8Array {
  const g = new Uint8Array(GRID_BYTES);
  for (const [x, y] of cells) g[(y * 32 + x) >> 3]! |= 1 << ((y * 32 + x) & 7);
  return g;
}
const query = (r: string, over: Partial<Parameters<typeof searchMotion>[1]> = {}) =>
  ({ channelIds: [1], from: T0, to: T0 + 600_000, region: r, sensitivity: 100, minDurationMs: 0, mergeGapMs: 1000, ...over });

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-motion-index-'));
  db = openDatabase(join(dir, 'station.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Feeds channel 1 a 500 ms grid for ten minutes: cell (3,3) moves in [60 s, 70 s) and [71 s, 72 s); cell (30,17) in [200 s, 230 s). */
function feed(w: MotionIndexWriter, channelId = 1): void {
  for (let t = 0; t < 600_000; t += MOTION_STEP_MS) {
    const a = (t >= 60_000 && t < 70_000) || (t >= 71_000 && t < 72_000);
    const b = t >= 200_000 && t < 230_000;
    w.add(channelId, T0 + t, a ? grid([3, 3]) : b ? grid([30, 17]) : grid());
  }
  w.flush();
}

describe('motion index', () => {
  it('stores only samples that moved, and the whole time as covered', () => {
    const w = new MotionIndexWriter(db);
    feed(w);
    w.dispose();
    expect((db.prepare('SELECT sum(length(samples)) / 73 AS n FROM mo_minute').get() as { n: number }).n).toBe(20 + 2 + 60);
    // A row a minute: 60-72 s is one minute, 200-230 s another.
    expect((db.prepare('SELECT count(*) AS n FROM mo_minute').get() as { n: number }).n).toBe(2);
    expect(motionIndexBytes(db, 1)).toBe(82 * 73 + 2 * 16);
    expect(motionIndexBytes(db, 2)).toBe(0);
    expect(db.prepare('SELECT channel_id, start_ms, end_ms FROM mo_cover').all()).toEqual([{ channel_id: 1, start_ms: T0, end_ms: T0 + 600_000 }]);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT minute_ms, samples FROM mo_minute WHERE channel_id = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms').all(1, 0, 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH mo_minute USING INDEX sqlite_autoindex_mo_minute_1/);
  });

  it('finds when the region moved, merges small gaps, and nothing where the region was still', () => {
    const w = new MotionIndexWriter(db);
    feed(w);
    const topLeft = region(0, 0, 7, 7);
    expect(searchMotion(db, query(topLeft))).toEqual({ hits: [{ channelId: 1, start: T0 + 60_000, end: T0 + 72_000, peakCells: 1 }], coveredMs: { 1: 600_000 } });
    // A gap of a second is two hits when the merge gap is shorter.
    expect(searchMotion(db, query(topLeft, { mergeGapMs: 500 })).hits.map((h) => [h.start - T0, h.end - T0])).toEqual([[60_000, 70_000], [71_000, 72_000]]);
    // Minimum duration drops the short one.
    expect(searchMotion(db, query(topLeft, { mergeGapMs: 500, minDurationMs: 5000 })).hits.map((h) => h.start - T0)).toEqual([60_000]);
    expect(searchMotion(db, query(region(28, 14, 31, 17))).hits.map((h) => [h.start - T0, h.end - T0])).toEqual([[200_000, 230_000]]);
    // Still region: covered, no hits.
    expect(searchMotion(db, query(region(10, 5, 20, 12)))).toEqual({ hits: [], coveredMs: { 1: 600_000 } });
    // Lower sensitivity needs a larger share of the region: one cell of 64 is not enough at 50.
    expect(searchMotion(db, query(topLeft, { sensitivity: 50 })).hits).toEqual([]);
    // A range cut through a hit clips it; no data for another channel reads as zero covered.
    expect(searchMotion(db, query(topLeft, { from: T0 + 65_000, to: T0 + 66_000, channelIds: [1, 2] }))).toEqual({
      hits: [{ channelId: 1, start: T0 + 65_000, end: T0 + 66_000, peakCells: 1 }], coveredMs: { 1: 1000, 2: 0 },
    });
    w.dispose();
  });

  it('searches 24 h of a busy channel quickly', () => {
    const w = new MotionIndexWriter(db);
    for (let t = 0; t < 86_400_000; t += MOTION_STEP_MS) w.add(1, T0 + t, grid([(t / 500) % 32, 5]));
    w.dispose();
    const started = performance.now();
    const r = searchMotion(db, query(region(0, 0, 31, 17), { to: T0 + 86_400_000 }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.hits).toHaveLength(1);
  }, 30_000);

  it('is deleted by retention with its segments', () => {
    const w = new MotionIndexWriter(db);
    feed(w);
    feed(w, 2);
    w.dispose();
    const seg = db.prepare(`INSERT INTO rec_segment (channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes)
      VALUES (?, 'main', ?, ?, 1000, ?, 'avc1', 640, 360, 90000, 0, 100, 1, x'')`);
    seg.run(1, T0, T0 + 100_000, '1/a.mp4');
    seg.run(1, T0 + 100_000, T0 + 600_000, '1/b.mp4');
    seg.run(2, T0, T0 + 100_000, '2/a.mp4');
    // Channel 1 keeps one day; the clock is a day after its first segment ended.
    const report = sweepRetention({ db, root: dir, now: T0 + 100_000 + 86_400_000 + 1, channelDays: new Map([[1, 1], [2, null]]), freeBytes: () => 1e12 });
    expect(report.deleted).toBe(1);
    expect(searchMotion(db, query(region(0, 0, 7, 7))).hits).toEqual([]);
    expect(searchMotion(db, query(region(0, 0, 31, 17))).coveredMs).toEqual({ 1: 500_000 });
    expect(searchMotion(db, query(region(28, 14, 31, 17))).hits).toHaveLength(1);
    expect(searchMotion(db, query(region(0, 0, 7, 7), { channelIds: [2] })).hits).toHaveLength(1);
  });

  it('stores nothing for a channel whose grid is switched off, also samples that came just before the switch', () => {
    const w = new MotionIndexWriter(db, 1e9);
    w.add(1, T0, grid([3, 3]));
    w.off.add(1);
    w.add(1, T0 + 500, grid([3, 3]));
    w.add(2, T0, grid([3, 3]));
    w.flush();
    expect(motionIndexBytes(db, 1)).toBe(0);
    expect(db.prepare('SELECT channel_id FROM mo_cover').all()).toEqual([{ channel_id: 2 }]);
    w.off.delete(1);
    w.add(1, T0 + 1000, grid([3, 3]));
    w.dispose();
    expect(searchMotion(db, query(region(0, 0, 7, 7))).hits.map((h) => h.start)).toEqual([T0 + 1000]);
  });

  it('travels with the recordings folder: written beside the hour’s segments while recording, read into another index', () => {
    const root = join(dir, 'rec');
    // Channel 1 records (its folder is given); channel 2 does not.
    const w = new MotionIndexWriter(db, 1e9, { folderOf: (ch) => (ch === 1 ? root : undefined) });
    feed(w);
    feed(w, 2);
    w.dispose();
    expect(motionFiles(root).map((f) => [f.channelId, f.path])).toEqual([[1, join(root, motionFileRel(1, T0))]]);
    expect(motionFileRel(1, T0)).toBe(join('1', '2026-01-05', '10', 'c1-motion.bin'));
    // A crash cut the last append: the whole records before it still count.
    appendFileSync(join(root, motionFileRel(1, T0)), Buffer.from([0x4d, 1, 2]));

    const other = openDatabase(join(dir, 'other.db'));
    try {
      expect(loadMotionFiles(other, root)).toBe(82);
      for (const r of [region(0, 0, 7, 7), region(28, 14, 31, 17), region(10, 5, 20, 12)]) {
        expect(searchMotion(other, query(r))).toEqual({ ...searchMotion(db, query(r)), coveredMs: { 1: 600_000 } });
      }
      expect(searchMotion(other, query(region(0, 0, 7, 7), { channelIds: [2] })).coveredMs).toEqual({ 2: 0 });
      // Opened again: the same, not twice.
      loadMotionFiles(other, root);
      expect(motionIndexBytes(other, 1)).toBe(motionIndexBytes(db, 1));
    } finally {
      other.close();
    }
  });

  it('leaves the folder with the hour’s last segment under retention', () => {
    const root = join(dir, 'rec');
    const w = new MotionIndexWriter(db, 1e9, { folderOf: () => root });
    feed(w);
    w.dispose();
    const hour = join(root, '1', '2026-01-05', '10');
    const seg = db.prepare(`INSERT INTO rec_segment (channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes)
      VALUES (1, 'main', ?, ?, 1000, ?, 'avc1', 640, 360, 90000, 0, 100, 1, x'')`);
    for (const [i, start] of [T0, T0 + 300_000].entries()) {
      const rel = join('1', '2026-01-05', '10', `c1-main-${i}.mp4`);
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), Buffer.alloc(1000));
      seg.run(start, start + 300_000, rel);
    }
    const motion = join(hour, 'c1-motion.bin');
    sweepRetention({ db, root, now: T0 + 300_000 + 86_400_000 + 1, channelDays: new Map([[1, 1]]), freeBytes: () => 1e12 });
    expect(existsSync(motion)).toBe(true);
    sweepRetention({ db, root, now: T0 + 600_000 + 86_400_000 + 1, channelDays: new Map([[1, 1]]), freeBytes: () => 1e12 });
    expect(existsSync(motion)).toBe(false);
  });

  it('refuses a search range of zero length and an empty region over the contract', () => {
    const input = calls['archive.motionSearch'].input;
    const ok = { channelIds: [1], from: T0, to: T0 + 1000, region: region(0, 0, 1, 1) };
    expect(input.safeParse(ok).success).toBe(true);
    const zero = input.safeParse({ ...ok, to: T0 });
    expect(zero.success).toBe(false);
    expect(zero.error!.issues[0]!.message).toBe('input.endBeforeStart');
    const empty = input.safeParse({ ...ok, region: '0'.repeat(576) });
    expect(empty.error!.issues[0]).toMatchObject({ path: ['region'], message: 'field.required' });
    expect(input.safeParse({ ...ok, region: '01' }).error!.issues[0]).toMatchObject({ path: ['region'], message: 'field.invalidFormat' });
  });
});

describe('motion grid from the detector', () => {
  let ffmpeg: string;
  let clip: Buffer;
  beforeAll(() => {
    ffmpeg = locateTool('ffmpeg', null, process.env).path;
    // Grey picture; a white box moves along y 60-90 of 180 (grid rows 6-9) over x 10-160 of 320 (grid columns 1-19).
    const out = join(tmpdir(), `wp-motion-grid-${process.pid}.mp4`);
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x404040:s=320x180:r=10', '-f', 'lavfi', '-i', 'color=c=white:s=30x30:r=10', '-t', '4',
      '-filter_complex', "[0][1]overlay=x='10+mod(t*90\\,120)':y=60:shortest=1", '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p',
      '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', out]);
    clip = readFileSync(out);
    rmSync(out);
  });

  it('hands 500 ms grids whose moving cells are where the box moves, into a searchable index', async () => {
    const moov = clip.indexOf('moov') - 4;
    const initEnd = moov + clip.readUInt32BE(moov);
    const w = new MotionIndexWriter(db);
    let t = T0;
    const d = new MotionDetector({
      hub: { attach(c) { c.init(clip.subarray(0, initEnd), {} as never); c.fragment(clip.subarray(initEnd), {} as never); return () => {}; } },
      ffmpegPath: ffmpeg, sensitivity: 60, mask: '0'.repeat(144), onMotion: () => {}, fps: 10,
      clock: () => (t += 100), onGrid: (at, g) => w.add(1, at, g),
    });
    const stop = d.start();
    await expect.poll(() => d.frames, { timeout: 10_000 }).toBeGreaterThanOrEqual(30);
    await stop();
    w.dispose();
    const all = { to: T0 + 10_000 };
    expect(searchMotion(db, query(region(0, 5, 20, 10), all)).hits).toHaveLength(1);
    expect(searchMotion(db, query(region(0, 5, 20, 10), all)).hits[0]!.end - T0).toBeGreaterThan(3000);
    expect(searchMotion(db, query(region(24, 0, 31, 17), all)).hits).toEqual([]);
    expect(searchMotion(db, query(region(0, 12, 31, 17), all)).hits).toEqual([]);
    expect(searchMotion(db, query(region(0, 0, 31, 17), all)).coveredMs[1]).toBeGreaterThan(3000);
  }, 20_000);
});
