// The motion index: the detector's 32x18 grid per channel, stored beside the segment index (mo_minute, mo_cover), and
// the search that finds when a drawn region moved. Samples are 500 ms; only those with motion are stored, a row a minute.
import type { Db } from '../storage/db';
import { appendMotion, motionFiles, readMotionFile } from './motion-files';

export const MOTION_STEP_MS = 500;
export const GRID_CELLS = 32 * 18;
const GRID_BYTES = GRID_CELLS / 8;
const MINUTE_MS = 60_000;
/** A stored sample: its slot in the minute, then its cells. */
const RECORD = 1 + GRID_BYTES;
const minuteOf = (at: number) => at - (at % MINUTE_MS);
/** A pause in the grid longer than this starts a new covered range (a detector restart, a station stop). */
const COVER_GAP_MS = 5_000;

/** Appends moving samples to their minutes' rows (still ones are skipped). */
function storeMoved(db: Db, samples: readonly { channelId: number; at: number; grid: Uint8Array }[]): void {
  const read = db.prepare('SELECT samples FROM mo_minute WHERE channel_id = ? AND minute_ms = ?').pluck();
  const put = db.prepare('INSERT OR REPLACE INTO mo_minute (channel_id, minute_ms, samples) VALUES (?, ?, ?)');
  const minutes = new Map<string, { channelId: number; minute: number; records: Buffer[] }>();
  for (const s of samples) {
    if (!s.grid.some((b) => b !== 0)) continue;
    const minute = minuteOf(s.at);
    const key = `${s.channelId}:${minute}`;
    const m = minutes.get(key) ?? minutes.set(key, { channelId: s.channelId, minute, records: [] }).get(key)!;
    const rec = Buffer.alloc(RECORD);
    rec[0] = Math.floor((s.at - minute) / MOTION_STEP_MS);
    rec.set(s.grid, 1);
    m.records.push(rec);
  }
  for (const m of minutes.values()) {
    const had = read.get(m.channelId, m.minute) as Buffer | undefined;
    put.run(m.channelId, m.minute, Buffer.concat(had ? [had, ...m.records] : m.records));
  }
}

/** Runs of samples no further apart than COVER_GAP_MS, as covered ranges. */
function coveredRuns(ats: readonly number[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  for (const at of [...ats].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && at <= last.end + COVER_GAP_MS) last.end = Math.max(last.end, at + MOTION_STEP_MS);
    else runs.push({ start: at, end: at + MOTION_STEP_MS });
  }
  return runs;
}

export interface MotionIndexOptions {
  /** The recordings folder a channel's samples are also written to (motion-files.ts), while it records; none: not written. */
  folderOf?: (channelId: number) => string | undefined;
}

/** Buffers samples and writes them in one transaction every `flushMs`, so the index costs a write a few seconds, not one a frame. */
export class MotionIndexWriter {
  private pending: { channelId: number; at: number; grid: Uint8Array; root?: string }[] = [];
  private readonly covers = new Map<number, { id: number; end: number }>();
  private readonly timer: NodeJS.Timeout;
  /** Channels whose grid is not stored (the per-channel switch): their samples are dropped. */
  readonly off = new Set<number>();
  samples = 0;
  /** Motion files that could not be written (the folder gone or full); the index in SQLite has them still. */
  fileErrors = 0;

  constructor(private readonly db: Db, flushMs = 2_000, private readonly opts: MotionIndexOptions = {}) {
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  add(channelId: number, at: number, grid: Uint8Array): void {
    if (grid.length !== GRID_BYTES || this.off.has(channelId)) return;
    this.pending.push({ channelId, at, grid, root: this.opts.folderOf?.(channelId) });
  }

  flush(): void {
    // A channel switched off since its samples came drops them too.
    const batch = this.pending.filter((s) => !this.off.has(s.channelId));
    this.pending = [];
    if (batch.length === 0) return;
    const extend = this.db.prepare('UPDATE mo_cover SET end_ms = ? WHERE id = ?');
    const open = this.db.prepare('INSERT INTO mo_cover (channel_id, start_ms, end_ms) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      storeMoved(this.db, batch);
      for (const s of batch) {
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
    this.writeFiles(batch);
  }

  /** The samples of recording channels, also into their recordings folder. */
  private writeFiles(batch: readonly { channelId: number; at: number; grid: Uint8Array; root?: string }[]): void {
    const groups = new Map<string, { root: string; channelId: number; samples: { at: number; grid: Uint8Array }[] }>();
    for (const s of batch) {
      if (!s.root) continue;
      const key = `${s.channelId}|${s.root}`;
      (groups.get(key) ?? groups.set(key, { root: s.root, channelId: s.channelId, samples: [] }).get(key)!).samples.push(s);
    }
    for (const g of groups.values()) {
      try {
        appendMotion(g.root, g.channelId, { moved: g.samples.filter((s) => s.grid.some((b) => b !== 0)), covered: coveredRuns(g.samples.map((s) => s.at)) });
      } catch {
        this.fileErrors++;
      }
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/**
 * An opened folder's index takes the motion files the folder carries (its own grid, replacing what it had): the same
 * minutes and covered ranges the recording station stored. Returns the samples read.
 */
export function loadMotionFiles(db: Db, root: string): number {
  const moved: { channelId: number; at: number; grid: Uint8Array }[] = [];
  const runs = new Map<number, { start: number; end: number }[]>();
  for (const f of motionFiles(root)) {
    const b = readMotionFile(f.path);
    for (const m of b.moved) moved.push({ channelId: f.channelId, ...m });
    (runs.get(f.channelId) ?? runs.set(f.channelId, []).get(f.channelId)!).push(...b.covered);
  }
  const open = db.prepare('INSERT INTO mo_cover (channel_id, start_ms, end_ms) VALUES (?, ?, ?)');
  db.transaction(() => {
    db.exec('DELETE FROM mo_minute; DELETE FROM mo_cover;');
    storeMoved(db, moved.sort((a, b) => a.at - b.at));
    for (const [channelId, rs] of runs) {
      const merged: { start: number; end: number }[] = [];
      for (const r of rs.sort((a, b) => a.start - b.start)) {
        const last = merged.at(-1);
        if (last && r.start <= last.end + COVER_GAP_MS) last.end = Math.max(last.end, r.end);
        else merged.push({ ...r });
      }
      for (const r of merged) open.run(channelId, r.start, r.end);
    }
  })();
  return moved.length;
}

/** Motion data of a channel in [from, to) goes (retention, a deleted device); covered ranges are cut to match. */
export function deleteMotion(db: Db, channelId: number, from: number, to: number): void {
  const edges = db.prepare('SELECT minute_ms, samples FROM mo_minute WHERE channel_id = ? AND minute_ms IN (?, ?)').all(channelId, minuteOf(from), minuteOf(to - 1)) as { minute_ms: number; samples: Buffer }[];
  db.prepare('DELETE FROM mo_minute WHERE channel_id = ? AND minute_ms >= ? AND minute_ms < ?').run(channelId, minuteOf(from), to);
  // Minutes cut by the range keep their samples outside it.
  for (const e of edges) {
    const kept: Buffer[] = [];
    for (let o = 0; o < e.samples.length; o += RECORD) {
      const at = e.minute_ms + e.samples[o]! * MOTION_STEP_MS;
      if (at < from || at >= to) kept.push(e.samples.subarray(o, o + RECORD));
    }
    if (kept.length) db.prepare('INSERT OR REPLACE INTO mo_minute (channel_id, minute_ms, samples) VALUES (?, ?, ?)').run(channelId, e.minute_ms, Buffer.concat(kept));
  }
  const split = db.prepare('SELECT id, end_ms FROM mo_cover WHERE channel_id = ? AND start_ms < ? AND end_ms > ?').all(channelId, from, to) as { id: number; end_ms: number }[];
  for (const s of split) {
    db.prepare('UPDATE mo_cover SET end_ms = ? WHERE id = ?').run(from, s.id);
    db.prepare('INSERT INTO mo_cover (channel_id, start_ms, end_ms) VALUES (?, ?, ?)').run(channelId, to, s.end_ms);
  }
  db.prepare('DELETE FROM mo_cover WHERE channel_id = ? AND start_ms >= ? AND end_ms <= ?').run(channelId, from, to);
  db.prepare('UPDATE mo_cover SET start_ms = ? WHERE channel_id = ? AND start_ms >= ? AND start_ms < ?').run(to, channelId, from, to);
  db.prepare('UPDATE mo_cover SET end_ms = ? WHERE channel_id = ? AND end_ms > ? AND end_ms <= ?').run(from, channelId, from, to);
}

/** Bytes of motion grid a channel holds (stored samples and their minute keys). */
export function motionIndexBytes(db: Db, channelId: number): number {
  return (db.prepare('SELECT coalesce(sum(length(samples) + 16), 0) AS b FROM mo_minute WHERE channel_id = ?').get(channelId) as { b: number }).b;
}

/** motionIndexBytes of every channel that holds any, by channel id. */
export function motionIndexBytesByChannel(db: Db): Record<string, number> {
  const rows = db.prepare('SELECT channel_id AS c, sum(length(samples) + 16) AS b FROM mo_minute GROUP BY channel_id').all() as { c: number; b: number }[];
  return Object.fromEntries(rows.map((r) => [String(r.c), r.b]));
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
  const bytes = Int32Array.from([...mask.keys()].filter((i) => mask[i] !== 0));
  const regionCells = bytes.reduce((n, i) => n + POPCOUNT[mask[i]!]!, 0);
  const minCells = Math.max(1, Math.ceil(regionCells * ((100 - q.sensitivity) / 200)));
  const rows = db.prepare('SELECT minute_ms, samples FROM mo_minute WHERE channel_id = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms').raw();
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
    for (const [minute, samples] of rows.all(channelId, minuteOf(q.from), q.to) as [number, Buffer][]) for (let o = 0; o < samples.length; o += RECORD) {
      const at = minute + samples[o]! * MOTION_STEP_MS;
      if (at + MOTION_STEP_MS <= q.from || at >= q.to) continue;
      let n = 0;
      for (let k = 0; k < bytes.length; k++) n += POPCOUNT[samples[o + 1 + bytes[k]!]! & mask[bytes[k]!]!]!;
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

