// The motion index: the detector's 32x18 grid per channel, stored beside the segment index (mo_sample, mo_cover), and
// the search that finds when a drawn region moved. Samples are 500 ms; only those with motion are stored.
import type { Db } from '../storage/db';

export const MOTION_STEP_MS = 500;
export const GRID_CELLS = 32 * 18;
const GRID_BYTES = GRID_CELLS / 8;
/** A pause in the grid longer than this starts a new covered range (a detector restart, a station stop). */
const COVER_GAP_MS = 5_000;

/** Buffers samples and writes them in one transaction every `flushMs`, so the index costs a write a few seconds, not one a frame. */
export class MotionIndexWriter {
  private pending: { channelId: number; at: number; grid: Uint8Array }[] = [];
  private readonly covers = new Map<number, { id: number; end: number }>();
  private readonly timer: NodeJS.Timeout;
  samples = 0;

  constructor(private readonly db: Db, flushMs = 2_000) {
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  add(channelId: number, at: number, grid: Uint8Array): void {
    if (grid.length !== GRID_BYTES) return;
    this.pending.push({ channelId, at, grid });
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const put = this.db.prepare('INSERT OR REPLACE INTO mo_sample (channel_id, at_ms, cells) VALUES (?, ?, ?)');
    const extend = this.db.prepare('UPDATE mo_cover SET end_ms = ? WHERE id = ?');
    const open = this.db.prepare('INSERT INTO mo_cover (channel_id, start_ms, end_ms) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const s of batch) {
        if (s.grid.some((b) => b !== 0)) put.run(s.channelId, s.at, Buffer.from(s.grid));
        const end = s.at + MOTION_STEP_MS;
        const c = this.covers.get(s.channelId);
        if (c && s.at <= c.end + COVER_GAP_MS && s.at >= c.end - MOTION_STEP_MS) {
          c.end = Math.max(c.end, end);
          extend.run(c.end, c.id);
        } else {
          this.covers.set(s.channelId, { id: Number(open.run(s.channelId, s.at, end).lastInsertRowid), end });
        }
      }
    })();
    this.samples += batch.length;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** Motion data of a channel in [from, to) goes (retention, a deleted device); covered ranges are cut to match. */
export function deleteMotion(db: Db, channelId: number, from: number, to: number): void {
  db.prepare('DELETE FROM mo_sample WHERE channel_id = ? AND at_ms >= ? AND at_ms < ?').run(channelId, from, to);
  const split = db.prepare('SELECT id, end_ms FROM mo_cover WHERE channel_id = ? AND start_ms < ? AND end_ms > ?').all(channelId, from, to) as { id: number; end_ms: number }[];
  for (const s of split) {
    db.prepare('UPDATE mo_cover SET end_ms = ? WHERE id = ?').run(from, s.id);
    db.prepare('INSERT INTO mo_cover (channel_id, start_ms, end_ms) VALUES (?, ?, ?)').run(channelId, to, s.end_ms);
  }
  db.prepare('DELETE FROM mo_cover WHERE channel_id = ? AND start_ms >= ? AND end_ms <= ?').run(channelId, from, to);
  db.prepare('UPDATE mo_cover SET start_ms = ? WHERE channel_id = ? AND start_ms >= ? AND start_ms < ?').run(to, channelId, from, to);
  db.prepare('UPDATE mo_cover SET end_ms = ? WHERE channel_id = ? AND end_ms > ? AND end_ms <= ?').run(from, channelId, from, to);
}

/** A region as 576 '0'/'1' characters (row by row) to the 72-byte mask the samples use. */
export function regionMask(region: string): Uint8Array {
  const m = new Uint8Array(GRID_BYTES);
  for (let c = 0; c < GRID_CELLS; c++) if (region.charCodeAt(c) === 49) m[c >> 3]! |= 1 << (c & 7);
  return m;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => { let n = 0; for (let x = b; x; x >>= 1) n += x & 1; return n; });

export interface MotionQuery {
  channelIds: number[];
  from: number;
  to: number;
  region: string;
  /** 1..100: at 100 one moving cell of the region is a hit; lower asks for a larger share of the region to move. */
  sensitivity: number;
  minDurationMs: number;
  /** Hits closer than this are one. */
  mergeGapMs: number;
}

export interface MotionHit { channelId: number; start: number; end: number; peakCells: number }

/** One indexed range query per channel; a hit is a run of samples where enough of the region moved, merged over small gaps. */
export function searchMotion(db: Db, q: MotionQuery): { hits: MotionHit[]; coveredMs: Record<number, number> } {
  const mask = regionMask(q.region);
  const bytes = [...mask.keys()].filter((i) => mask[i] !== 0);
  const regionCells = bytes.reduce((n, i) => n + POPCOUNT[mask[i]!]!, 0);
  const minCells = Math.max(1, Math.ceil(regionCells * ((100 - q.sensitivity) / 200)));
  const rows = db.prepare('SELECT at_ms, cells FROM mo_sample WHERE channel_id = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms').raw();
  const cover = db.prepare('SELECT coalesce(sum(min(end_ms, ?) - max(start_ms, ?)), 0) AS ms FROM mo_cover WHERE channel_id = ? AND start_ms < ? AND end_ms > ?');
  const hits: MotionHit[] = [];
  const coveredMs: Record<number, number> = {};
  for (const channelId of q.channelIds) {
    coveredMs[channelId] = (cover.get(q.to, q.from, channelId, q.to, q.from) as { ms: number }).ms;
    let run: MotionHit | undefined;
    const close = () => {
      if (run && run.end - run.start >= q.minDurationMs) hits.push(run);
      run = undefined;
    };
    for (const [at, cells] of rows.iterate(channelId, q.from - MOTION_STEP_MS + 1, q.to) as IterableIterator<[number, Buffer]>) {
      let n = 0;
      for (const i of bytes) n += POPCOUNT[cells[i]! & mask[i]!]!;
      if (n < minCells) continue;
      const start = Math.max(at, q.from);
      const end = Math.min(at + MOTION_STEP_MS, q.to);
      if (run && start - run.end <= q.mergeGapMs) {
        run.end = end;
        run.peakCells = Math.max(run.peakCells, n);
      } else {
        close();
        run = { channelId, start, end, peakCells: n };
      }
    }
    close();
  }
  return { hits, coveredMs };
}

/** Bytes the index holds for a channel (samples and covered ranges), for the cost shown beside the search. */
export function motionIndexBytes(db: Db, channelId: number): number {
  const r = db.prepare('SELECT count(*) AS n FROM mo_sample WHERE channel_id = ?').get(channelId) as { n: number };
  // A WITHOUT ROWID row: the 72-byte blob plus its key and record header, about 90 bytes in the b-tree.
  return r.n * 90;
}
