// The archive index in SQLite: repository functions, db first. Intervals (segments, spans, gaps) are
// capped in length so overlap queries bound start_ms from below and use the (channel_id, start_ms) index.
import type { ArchiveSegment } from '../../contract';
import type { Db, Statement } from '../storage/db';

/**
 * A statement prepared once per database and kept: preparing costs more than running, and the recorders run the same few
 * dozen times a second (the once-a-second flush of 64 channels spent most of its time preparing, issue 17). Not for
 * statements switched to `.raw()` (the mode stays with the statement).
 */
const statements = new WeakMap<Db, Map<string, Statement>>();
export function cached(db: Db, text: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(text);
  if (!st) m.set(text, (st = db.prepare<unknown[]>(text)));
  return st;
}

/** Spans and gaps are split at this length. */
export const MAX_INTERVAL_MS = 6 * 3600_000;
/** No segment is longer (segment length ≤ 1 h plus a GOP). */
export const MAX_SEGMENT_MS = 2 * 3600_000;
/**
 * Segments closer than this are one continuous span: the stamping's own slack (rounding, a last frame's duration taken
 * from the one before it, the camera's clock against the station's when a card's recording meets the live one; backfill.ts
 * takes the same as "the same instant"), not a hole. A hole longer than this shows on the timeline. A segment the recorder
 * rolled (the next frame of the same stream) continues its span whatever the stamping says (recorder.ts).
 */
export const SPAN_JOIN_MS = 300;

export type StreamKind = 'main' | 'sub';
export type GapReason = 'camera_offline' | 'recording_off' | 'disk' | 'station_stopped' | 'not_on_card';

export interface Keyframe { offsetMs: number; byte: number }

export interface SegmentRow {
  id: number;
  channel_id: number;
  stream: StreamKind;
  start_ms: number;
  end_ms: number;
  bytes: number;
  path: string;
  codec: string;
  width: number;
  height: number;
  timescale: number;
  base_dts: number;
  init_bytes: number;
  closed: number;
  keyframes: Buffer;
  /** 1: fetched from the camera's card after the connection came back (backfill.ts). */
  from_camera?: number;
}

export type NewSegment = Omit<SegmentRow, 'id' | 'keyframes' | 'from_camera'> & { keyframes: Keyframe[] };

export function packKeyframes(k: readonly Keyframe[]): Buffer {
  const b = Buffer.alloc(k.length * 8);
  k.forEach((x, i) => { b.writeUInt32LE(Math.max(0, Math.round(x.offsetMs)), i * 8); b.writeUInt32LE(x.byte, i * 8 + 4); });
  return b;
}

export function unpackKeyframes(b: Buffer): Keyframe[] {
  const out: Keyframe[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) out.push({ offsetMs: b.readUInt32LE(i), byte: b.readUInt32LE(i + 4) });
  return out;
}

export function insertSegment(db: Db, s: NewSegment): number {
  return Number(cached(db, `INSERT INTO rec_segment (channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes)
    VALUES (@channel_id, @stream, @start_ms, @end_ms, @bytes, @path, @codec, @width, @height, @timescale, @base_dts, @init_bytes, @closed, @keyframes)`)
    .run({ ...s, keyframes: packKeyframes(s.keyframes) }).lastInsertRowid);
}

export function updateSegment(db: Db, id: number, u: { end_ms: number; bytes: number; keyframes: readonly Keyframe[]; closed?: boolean }): void {
  cached(db, 'UPDATE rec_segment SET end_ms = max(start_ms, ?), bytes = ?, keyframes = ?, closed = coalesce(?, closed) WHERE id = ?')
    .run(u.end_ms, u.bytes, packKeyframes(u.keyframes), u.closed === undefined ? null : u.closed ? 1 : 0, id);
}

export function deleteSegment(db: Db, id: number): void {
  cached(db, 'DELETE FROM rec_segment WHERE id = ?').run(id);
}

export function segmentById(db: Db, id: number): SegmentRow | undefined {
  return cached(db, 'SELECT * FROM rec_segment WHERE id = ?').get(id) as SegmentRow | undefined;
}

/** Segments of a channel overlapping [from, to], oldest first. */
export function segmentsIn(db: Db, channelId: number, from: number, to: number): SegmentRow[] {
  return db.prepare('SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms')
    .all(channelId, from - MAX_SEGMENT_MS, to, from) as SegmentRow[];
}

/** A segment row as another station's desk copies it (`archive.segments`). */
export function toArchiveSegment(r: SegmentRow): ArchiveSegment {
  return {
    id: r.id, channelId: r.channel_id, stream: r.stream, start: r.start_ms, end: r.end_ms, bytes: r.bytes, codec: r.codec, width: r.width, height: r.height,
    timescale: r.timescale, baseDts: r.base_dts, initBytes: r.init_bytes, closed: r.closed === 1, fromCamera: r.from_camera === 1,
    keyframes: unpackKeyframes(r.keyframes).map((k): [number, number] => [k.offsetMs, k.byte]),
  };
}

/** The segment holding instant t, else the first one after it. */
export function segmentAtOrAfter(db: Db, channelId: number, t: number): SegmentRow | undefined {
  const at = db.prepare('SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms DESC LIMIT 1')
    .get(channelId, t - MAX_SEGMENT_MS, t, t) as SegmentRow | undefined;
  return at ?? nextSegment(db, channelId, t);
}

/** The segment holding instant t, else the last one before it. */
export function segmentAtOrBefore(db: Db, channelId: number, t: number): SegmentRow | undefined {
  return db.prepare('SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT 1').get(channelId, t) as SegmentRow | undefined;
}

export function nextSegment(db: Db, channelId: number, after: number): SegmentRow | undefined {
  return db.prepare('SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms > ? ORDER BY start_ms LIMIT 1').get(channelId, after) as SegmentRow | undefined;
}

/**
 * A segment other than `exceptId` that began at or before `from` and goes on past `past`: a recording overlapping the one
 * read (the latest-ending such).
 */
export function segmentGoingOn(db: Db, channelId: number, from: number, past: number, exceptId: number): SegmentRow | undefined {
  return cached(db, 'SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms > ? AND id != ? ORDER BY end_ms DESC LIMIT 1')
    .get(channelId, from - MAX_SEGMENT_MS, from, past, exceptId) as SegmentRow | undefined;
}

export function prevSegment(db: Db, channelId: number, before: number): SegmentRow | undefined {
  return db.prepare('SELECT * FROM rec_segment WHERE channel_id = ? AND start_ms < ? ORDER BY start_ms DESC LIMIT 1').get(channelId, before) as SegmentRow | undefined;
}

export function openSegments(db: Db): SegmentRow[] {
  return db.prepare('SELECT * FROM rec_segment WHERE closed = 0').all() as SegmentRow[];
}

/**
 * The recordings folder moved from `from` to `to`: rows relative to the old folder take its absolute path (they stay
 * playable there), rows already under the new folder become relative to it.
 */
export function rebaseSegmentPaths(db: Db, from: string, to: string): void {
  db.transaction(() => {
    db.prepare("UPDATE rec_segment SET path = ? || path WHERE substr(path, 1, 1) <> '/'").run(`${from}/`);
    db.prepare('UPDATE rec_segment SET path = substr(path, ?) WHERE substr(path, 1, ?) = ?').run(to.length + 2, to.length + 1, `${to}/`);
  })();
}

export function archiveBytes(db: Db): number {
  return (db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM rec_segment').get() as { n: number }).n;
}

// ---- spans and gaps: capped intervals ----

type IntervalTable = 'rec_span' | 'rec_gap';

/** Extends interval `id` to `end`; past the cap it is closed and a new one continues it. Returns the id to extend next time. */
export function extendInterval(db: Db, table: IntervalTable, id: number, end: number): number {
  const row = cached(db, `SELECT * FROM ${table} WHERE id = ?`).get(id) as { channel_id: number; start_ms: number; end_ms: number; reason?: string } | undefined;
  if (!row) return id;
  if (end - row.start_ms <= MAX_INTERVAL_MS) {
    cached(db, `UPDATE ${table} SET end_ms = max(end_ms, ?) WHERE id = ?`).run(end, id);
    return id;
  }
  let start = row.start_ms + MAX_INTERVAL_MS;
  cached(db, `UPDATE ${table} SET end_ms = ? WHERE id = ?`).run(start, id);
  let next = id;
  while (start < end) {
    const stop = Math.min(end, start + MAX_INTERVAL_MS);
    next = table === 'rec_gap' ? insertGap(db, row.channel_id, start, stop, row.reason as GapReason) : insertSpan(db, row.channel_id, start, stop);
    start = stop;
  }
  return next;
}

export function insertSpan(db: Db, channelId: number, start: number, end: number): number {
  return Number(cached(db, 'INSERT INTO rec_span (channel_id, start_ms, end_ms) VALUES (?, ?, ?)').run(channelId, start, end).lastInsertRowid);
}

/** Inserts a gap, split at the cap. Returns the id of the last piece. */
export function insertGap(db: Db, channelId: number, start: number, end: number, reason: GapReason): number {
  let id = 0;
  for (let s = start; s < end || id === 0; s += MAX_INTERVAL_MS) {
    id = Number(cached(db, 'INSERT INTO rec_gap (channel_id, start_ms, end_ms, reason) VALUES (?, ?, ?, ?)').run(channelId, s, Math.min(end, s + MAX_INTERVAL_MS), reason).lastInsertRowid);
    if (end <= s + MAX_INTERVAL_MS) break;
  }
  return id;
}

/** The span that a segment starting at `start` continues, if any. */
export function spanEndingNear(db: Db, channelId: number, start: number): { id: number; start_ms: number; end_ms: number } | undefined {
  return cached(db, 'SELECT id, start_ms, end_ms FROM rec_span WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY end_ms DESC LIMIT 1')
    .get(channelId, start - MAX_INTERVAL_MS, start, start - SPAN_JOIN_MS) as { id: number; start_ms: number; end_ms: number } | undefined;
}

/**
 * Recomputes the spans of a channel over [from, to] from its segments (after deletions, trims, imports). A recomputed
 * span keeps the row of an old one it overlaps, the latest first: the span a recorder is extending (retention ages out
 * the start of a channel's one continuous span on every full station) stays the row the recorder holds.
 */
export function rebuildSpans(db: Db, channelId: number, from: number, to: number): void {
  const lo = from - MAX_INTERVAL_MS;
  const old = db.prepare('SELECT id, start_ms, end_ms FROM rec_span WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY end_ms DESC').all(channelId, lo, to, from) as { id: number; start_ms: number; end_ms: number }[];
  const a = Math.min(from, ...old.map((o) => o.start_ms));
  const b = Math.max(to, ...old.map((o) => o.end_ms));
  const segs = db.prepare('SELECT start_ms, end_ms FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms')
    .all(channelId, a - MAX_SEGMENT_MS, b, a) as { start_ms: number; end_ms: number }[];
  const merged: { s: number; e: number }[] = [];
  for (const seg of segs) {
    const cur = merged.at(-1);
    if (cur && seg.start_ms <= cur.e + SPAN_JOIN_MS) cur.e = Math.max(cur.e, seg.end_ms);
    else merged.push({ s: seg.start_ms, e: seg.end_ms });
  }
  // Split at the cap.
  const pieces = merged.flatMap(({ s, e }) => {
    const out = [{ s, e: Math.min(e, s + MAX_INTERVAL_MS) }];
    while (out.at(-1)!.e < e) out.push({ s: out.at(-1)!.e, e: Math.min(e, out.at(-1)!.e + MAX_INTERVAL_MS) });
    return out;
  });
  const free = new Set(old.map((o) => o.id));
  for (const p of pieces.reverse()) {
    const kept = old.find((o) => free.has(o.id) && o.start_ms <= p.e && o.end_ms >= p.s);
    if (!kept) { insertSpan(db, channelId, p.s, p.e); continue; }
    free.delete(kept.id);
    cached(db, 'UPDATE rec_span SET start_ms = ?, end_ms = ? WHERE id = ?').run(p.s, p.e, kept.id);
  }
  for (const id of free) cached(db, 'DELETE FROM rec_span WHERE id = ?').run(id);
}

// ---- timeline ----

export interface Timeline {
  channelId: number;
  spans: { start: number; end: number }[];
  /** Time fetched from the camera's card (segments marked from_camera), adjacent pieces merged. */
  filled: { start: number; end: number }[];
  gaps: { start: number; end: number; reason: GapReason }[];
  events: { at: number; kind: string; end?: number }[];
  locks: { id: number; start: number; end: number; reason: string }[];
}

export const TIMELINE_SQL = {
  spans: 'SELECT start_ms, end_ms FROM rec_span WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms',
  filled: 'SELECT start_ms, end_ms FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? AND from_camera = 1 ORDER BY start_ms',
  gaps: 'SELECT start_ms, end_ms, reason FROM rec_gap WHERE channel_id = ? AND start_ms BETWEEN ? AND ? AND end_ms >= ? ORDER BY start_ms',
  events: 'SELECT at_ms, kind, end_ms FROM rec_event WHERE channel_id = ? AND at_ms BETWEEN ? AND ? ORDER BY at_ms LIMIT 2000',
  locks: 'SELECT id, start_ms, end_ms, reason FROM rec_lock WHERE (channel_id = ? OR channel_id IS NULL) AND start_ms <= ? AND end_ms >= ?',
} as const;

/** Recorded spans (adjacent ones merged), gaps, events and locks per channel over [from, to]. */
export function timeline(db: Db, channelIds: readonly number[], from: number, to: number): Timeline[] {
  const spans = db.prepare(TIMELINE_SQL.spans).raw();
  const filled = db.prepare(TIMELINE_SQL.filled).raw();
  const gaps = db.prepare(TIMELINE_SQL.gaps).raw();
  const events = db.prepare(TIMELINE_SQL.events).raw();
  // Locks are few: read once for every channel.
  const allLocks = db.prepare('SELECT id, channel_id, start_ms, end_ms, reason FROM rec_lock WHERE start_ms <= ? AND end_ms >= ?').raw().all(to, from) as [number, number | null, number, number, string][];
  const merge = (rows: [number, number][]) => {
    const merged: { start: number; end: number }[] = [];
    for (const [s, e] of rows) {
      const last = merged.at(-1);
      if (last && s <= last.end + SPAN_JOIN_MS) last.end = Math.max(last.end, e);
      else merged.push({ start: s, end: e });
    }
    return merged;
  };
  return channelIds.map((channelId) => {
    return {
      channelId,
      spans: merge(spans.all(channelId, from - MAX_INTERVAL_MS, to, from) as [number, number][]),
      filled: merge(filled.all(channelId, from - MAX_SEGMENT_MS, to, from) as [number, number][]),
      gaps: (gaps.all(channelId, from - MAX_INTERVAL_MS, to, from) as [number, number, GapReason][]).map(([start, end, reason]) => ({ start, end, reason })),
      events: (events.all(channelId, from, to) as [number, string, number | null][]).map(([at, kind, end]) => (end === null ? { at, kind } : { at, kind, end })),
      locks: allLocks.filter((l) => l[1] === null || l[1] === channelId).map(([id, , start, end, reason]) => ({ id, start, end, reason })),
    };
  });
}

/** Days (YYYY-MM-DD in the caller's UTC offset) that hold recordings of any of the channels in [from, to]. */
export function recordedDays(db: Db, channelIds: readonly number[], from: number, to: number, utcOffsetMin: number): string[] {
  const days = new Set<string>();
  const q = db.prepare(TIMELINE_SQL.spans).raw();
  const day = (t: number) => new Date(t + utcOffsetMin * 60_000).toISOString().slice(0, 10);
  for (const ch of channelIds) {
    for (const [s, e] of q.all(ch, from - MAX_INTERVAL_MS, to, from) as [number, number][]) {
      for (let t = Math.max(s, from); t <= Math.min(e, to); t += 86_400_000) days.add(day(t));
      days.add(day(Math.min(e, to)));
    }
  }
  return [...days].sort();
}

export function channelsWithRecordings(db: Db): number[] {
  return (db.prepare('SELECT DISTINCT channel_id FROM rec_span ORDER BY channel_id').all() as { channel_id: number }[]).map((r) => r.channel_id);
}

export function addEvent(db: Db, channelId: number, at: number, kind: string): void {
  cached(db, 'INSERT INTO rec_event (channel_id, at_ms, kind) VALUES (?, ?, ?)').run(channelId, at, kind);
}

// ---- locks and audit ----

export interface Lock { id: number; channelId: number | null; start: number; end: number; reason: string; createdAt: number }

export function audit(db: Db, at: number, action: string, detail: Record<string, unknown>): void {
  db.prepare('INSERT INTO rec_audit (at, action, detail) VALUES (?, ?, ?)').run(at, action, JSON.stringify(detail));
}

export function addLock(db: Db, l: Omit<Lock, 'id'>): Lock {
  const id = Number(db.prepare('INSERT INTO rec_lock (channel_id, start_ms, end_ms, reason, created_at) VALUES (?, ?, ?, ?, ?)').run(l.channelId, l.start, l.end, l.reason, l.createdAt).lastInsertRowid);
  audit(db, l.createdAt, 'lock.created', { id, channelId: l.channelId, start: l.start, end: l.end, reason: l.reason });
  return { id, ...l };
}

export function removeLock(db: Db, id: number, at: number): boolean {
  const l = db.prepare('SELECT * FROM rec_lock WHERE id = ?').get(id);
  if (!l) return false;
  db.prepare('DELETE FROM rec_lock WHERE id = ?').run(id);
  audit(db, at, 'lock.removed', l as Record<string, unknown>);
  return true;
}

export function listLocks(db: Db): Lock[] {
  return (db.prepare('SELECT * FROM rec_lock ORDER BY start_ms').all() as { id: number; channel_id: number | null; start_ms: number; end_ms: number; reason: string; created_at: number }[])
    .map((r) => ({ id: r.id, channelId: r.channel_id, start: r.start_ms, end: r.end_ms, reason: r.reason, createdAt: r.created_at }));
}

export function isLocked(db: Db, channelId: number, start: number, end: number): boolean {
  return cached(db, 'SELECT 1 FROM rec_lock WHERE (channel_id = ? OR channel_id IS NULL) AND start_ms <= ? AND end_ms >= ? LIMIT 1').get(channelId, end, start) !== undefined;
}

export function auditLog(db: Db, limit = 200): { at: number; action: string; detail: unknown }[] {
  return (db.prepare('SELECT at, action, detail FROM rec_audit ORDER BY id DESC LIMIT ?').all(limit) as { at: number; action: string; detail: string }[])
    .map((r) => ({ at: r.at, action: r.action, detail: JSON.parse(r.detail) as unknown }));
}
