// Motion search figures (issue 12), called by search.ts and runnable on its own (`tsx scripts/bench/search-motion.ts`,
// one JSON line): a drawn region searched over 24 h x 16 channels of stored grids, the bytes a channel-day of grids
// takes (and its copy in the recordings folder's motion files), and the extra CPU of computing and storing the grid on top
// of motion detection (SQLite and the folder's file, as while recording).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { changedShare, GRID_BYTES, MOTION_H, MOTION_W, orGrid } from '../../electron/core/events/motion-detector';
import { motionFiles } from '../../electron/core/recording/motion-files';
import { MOTION_STEP_MS, MotionIndexWriter, searchMotion } from '../../electron/core/recording/motion-index';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { percentile } from './proc-cpu';

const DAY = 86_400_000;
const CHANNELS = 16;
const START = Date.UTC(2026, 10, 30);
const RUNS = 10;
/** Detector frames a second (its default) and grid samples a second. */
const FPS = 5;
const SAMPLES_PER_S = 1000 / MOTION_STEP_MS;

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

/** A day of 500 ms grids for a channel: `share` of the time something moves, in a box of cells wandering over the picture. */
function fillDay(db: Db, channelId: number, share: number, r: () => number, folder?: string): void {
  const w = new MotionIndexWriter(db, 1e9, { folderOf: () => folder });
  let x = 0;
  let y = 0;
  for (let t = 0; t < DAY; t += MOTION_STEP_MS) {
    const g = new Uint8Array(GRID_BYTES);
    if (r() < share) {
      x = Math.max(0, Math.min(28, x + Math.floor(r() * 3) - 1));
      y = Math.max(0, Math.min(14, y + Math.floor(r() * 3) - 1));
      for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) g[((y + dy) * 32 + x + dx) >> 3]! |= 1 << (((y + dy) * 32 + x + dx) & 7);
    }
    w.add(channelId, START + t, g);
    if (t % 600_000 === 0) w.flush();
  }
  w.dispose();
}

const region = Array.from({ length: 576 }, (_, c) => (c % 32 >= 8 && c % 32 < 20 && Math.floor(c / 32) >= 4 && Math.floor(c / 32) < 12 ? '1' : '0')).join('');

/** Wall-clock p50 and this process's CPU-time p50 (the machine may be shared), in ms. */
function searchP50(db: Db): [number, number] {
  const q = { channelIds: Array.from({ length: CHANNELS }, (_, i) => i + 1), from: START, to: START + DAY, region, sensitivity: 80, minDurationMs: 1000, mergeGapMs: 2000 };
  searchMotion(db, q);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    searchMotion(db, q);
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return [Math.round(percentile(times, 50)), Math.round(percentile(cpu, 50))];
}

/** Bytes one channel-day of grids adds to the database file, moving `share` of the time (and writes the recordings folder's copy to `folder`). */
function bytesPerDay(dir: string, share: number, folder?: string): number {
  const path = join(dir, `bytes-${share}${folder ? '-files' : ''}.db`);
  const db = openDatabase(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const empty = statSync(path).size;
  fillDay(db, 1, share, rng(7), folder);
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const size = statSync(path).size - empty;
  db.close();
  return size;
}

/** CPU the grid adds per stream: per-cell counting in the difference and the OR per frame, and storing each sample. */
function gridCpuPct(dir: string): number {
  const r = rng(5);
  const frames = Array.from({ length: 8 }, (_, k) => {
    const f = new Uint8Array(MOTION_W * MOTION_H);
    for (let i = 0; i < f.length; i++) f[i] = 60 + Math.floor(r() * 8);
    for (let y = 30; y < 50; y++) for (let x = 10 * k; x < 10 * k + 20; x++) f[y * MOTION_W + x] = 240;
    return f;
  });
  const N = 3000;
  const mask = '0'.repeat(144);
  const cells = new Uint8Array(576);
  const grid = new Uint8Array(GRID_BYTES);
  const time = (fn: (i: number) => void) => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < N; i++) fn(i);
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000 / N;
  };
  const plainMs = [0, 1, 2].map(() => time((i) => changedShare(frames[i % 8]!, frames[(i + 1) % 8]!, mask, 50))).sort()[1]!;
  const gridMs = [0, 1, 2].map(() => time((i) => { changedShare(frames[i % 8]!, frames[(i + 1) % 8]!, mask, 50, cells.fill(0)); orGrid(cells, grid); })).sort()[1]!;
  // Storing: a minute of samples of a moving channel through the writer, with its batched flushes, in SQLite and (the
  // channel recording) in the recordings folder.
  const db = openDatabase(join(dir, 'cpu.db'));
  const w = new MotionIndexWriter(db, 1e9, { folderOf: () => join(dir, 'cpu-rec') });
  const samples = 60 * SAMPLES_PER_S * 10;
  const t0 = process.cpuUsage();
  for (let i = 0; i < samples; i++) {
    w.add(1, START + i * MOTION_STEP_MS, grid.slice());
    if (i % (2 * SAMPLES_PER_S) === 0) w.flush();
  }
  w.dispose();
  const d = process.cpuUsage(t0);
  db.close();
  const storeMs = (d.user + d.system) / 1000 / samples;
  const perSecondMs = Math.max(0, gridMs - plainMs) * FPS + storeMs * SAMPLES_PER_S;
  return Math.round((perSecondMs / 1000) * 100 * 1000) / 1000;
}

/** Bytes the recordings folder's motion files take for a channel-day always moving (the copy that travels with it). */
function folderBytesPerDay(dir: string): number {
  const folder = join(dir, 'files-rec');
  bytesPerDay(dir, 1, folder);
  return motionFiles(folder).reduce((n, f) => n + statSync(f.path).size, 0);
}

export function benchMotionSearch(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-bench-motion-'));
  try {
    const db = openDatabase(join(dir, 'station.db'));
    const r = rng(3);
    // A quarter of the day moving on every channel: a busy street camera.
    for (let ch = 1; ch <= CHANNELS; ch++) fillDay(db, ch, 0.25, r);
    db.exec('ANALYZE');
    const search = searchP50(db);
    db.close();
    const busy = openDatabase(join(dir, 'busy.db'));
    for (let ch = 1; ch <= CHANNELS; ch++) fillDay(busy, ch, 1, r);
    const searchBusy = searchP50(busy);
    busy.close();
    return {
      motion_search_24h_16ch_ms_p50: search[0],
      motion_search_24h_16ch_cpu_ms_p50: search[1],
      motion_search_24h_16ch_always_moving_ms_p50: searchBusy[0],
      motion_index_cpu_pct_per_stream: gridCpuPct(dir),
      motion_index_bytes_per_channel_day: bytesPerDay(dir, 1),
      motion_index_bytes_per_channel_day_quarter_moving: bytesPerDay(dir, 0.25),
      motion_files_bytes_per_channel_day: folderBytesPerDay(dir),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(benchMotionSearch()));
