// The month overview's summary (rec_density, migration 13) on a real recorder, real files and SQLite: it stays equal to a
// sum computed afresh from the segments and events through recording across an hour, events, retention, a deleted
// device, reconciliation and the migration's backfill; archive.overview reads it into buckets.
import { copyFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { bucketFor, overview, OVERVIEW_SQL } from '../../electron/core/recording/archive-density';
import { reconcileAll } from '../../electron/core/recording/reconcile';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { deleteChannelSegments, sweepRetention } from '../../electron/core/recording/retention';
import { addEvent, type SegmentRow } from '../../electron/core/recording/segment-index';
import { migrate, openDatabase, type Db } from '../../electron/core/storage/db';
import { migrations } from '../../electron/core/storage/migrations';
import { FakeClock, feed, loadClip } from '../helpers/archive-media';

const H = 3_600_000;
const logger = pino({ level: 'silent' });
const clip = loadClip();
const T0 = Date.UTC(2025, 2, 3, 10, 59, 30); // recording crosses 11:00 UTC after 30 s
const TEN = Date.UTC(2025, 2, 3, 10);
const ELEVEN = TEN + H;
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wp-density-'));
  dirs.push(dir);
  return dir;
}

/** Channels 1 and 2 record 90 s from T0 in 20 s segments (index flushed every second of media, as the archive does). */
async function recorded() {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'station.db'));
  dbs.push(db);
  writeArchiveConfig(db, { segmentMs: 20_000, quotaBytes: null, freeFloorBytes: 0 });
  const clock = new FakeClock(T0);
  const root = join(dir, 'rec');
  const archive = new Archive({ db, root, logger, clock: clock.now, freeBytes: () => 1e12 });
  const recs = [1, 2].map((ch) => {
    const rec = new ChannelRecorder(ch, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive);
    archive.add(rec);
    rec.init(clip.init, clip.track);
    return rec;
  });
  for (let n = 0; n < 25 * 90; n += 25) {
    for (const r of recs) feed(r, clip, clock, T0, n, n + 25);
    archive.flush();
  }
  for (const r of recs) await r.stop();
  archive.flush();
  return { db, root, clock };
}

/** Recorded ms and events per "channel:hour", summed afresh from rec_segment and rec_event (zero entries left out). */
function fromScratch(db: Db): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  const at = (k: string) => (out[k] ??= [0, 0]);
  for (const s of db.prepare('SELECT channel_id, start_ms, end_ms FROM rec_segment').all() as SegmentRow[]) {
    for (let h = Math.floor(s.start_ms / H) * H; h < s.end_ms; h += H) {
      const ms = Math.min(s.end_ms, h + H) - Math.max(s.start_ms, h);
      if (ms > 0) at(`${s.channel_id}:${h}`)[0] += ms;
    }
  }
  for (const e of db.prepare('SELECT channel_id, at_ms FROM rec_event').all() as { channel_id: number; at_ms: number }[]) at(`${e.channel_id}:${Math.floor(e.at_ms / H) * H}`)[1]++;
  return out;
}

/** What rec_density holds, in the same form. */
function stored(db: Db): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const row of db.prepare('SELECT * FROM rec_density').all() as Record<string, number>[]) {
    for (let i = 0; i < 24; i++) {
      if (row[`r${i}`] || row[`e${i}`]) out[`${row.channel_id}:${row.day_ms! + i * H}`] = [row[`r${i}`]!, row[`e${i}`]!];
    }
  }
  return out;
}

const segments = (db: Db) => db.prepare('SELECT * FROM rec_segment ORDER BY start_ms, channel_id').all() as SegmentRow[];

describe('archive density summary', () => {
  it('follows the recorder across an hour, its events, a retention sweep and a deleted device', async () => {
    const { db, root, clock } = await recorded();
    addEvent(db, 1, T0 + 10_000, 'motion');
    addEvent(db, 1, T0 + 40_000, 'door');
    addEvent(db, 2, T0 + 50_000, 'motion');
    const now = stored(db);
    expect(now).toEqual(fromScratch(db));
    // 30 s before 11:00 and up to 60 s after it, on each channel (the last segment may end a frame short).
    expect(now[`1:${TEN}`]).toEqual([30_000, 1]);
    expect(now[`1:${ELEVEN}`]![0]).toBeGreaterThan(59_000);
    expect(now[`1:${ELEVEN}`]![1]).toBe(1);

    // Retention under a quota of half the archive: the oldest segments go, and with them their time.
    const total = segments(db).reduce((n, s) => n + s.bytes, 0);
    writeArchiveConfig(db, { segmentMs: 20_000, quotaBytes: Math.floor(total / 2), freeFloorBytes: 0 });
    const report = sweepRetention({ db, root, now: clock.t, channelDays: new Map(), freeBytes: () => 1e12 });
    expect(report.deleted).toBeGreaterThan(0);
    expect(stored(db)).toEqual(fromScratch(db));
    expect(stored(db)[`1:${TEN}`]).toEqual([0, 1]);

    // Device 2 deleted with its recordings: its time and its marks go; channel 1 is untouched.
    deleteChannelSegments(db, root, 2, clock.t);
    expect(Object.keys(stored(db)).filter((k) => k.startsWith('2:'))).toEqual([]);
    expect(stored(db)).toEqual(fromScratch(db));
    // Emptied days leave no rows behind.
    expect((db.prepare('SELECT count(*) AS n FROM rec_density WHERE channel_id = 2').get() as { n: number }).n).toBe(0);
  }, 60_000);

  it('follows reconciliation: a file gone loses its time, a file found adds it', async () => {
    const { db, root } = await recorded();
    const segs = segments(db).filter((s) => s.channel_id === 1);
    unlinkSync(join(root, segs[1]!.path));
    const stray = segs[0]!.path.replace('c1-main-20250303T105930000Z', 'c1-main-20250303T095800000Z');
    copyFileSync(join(root, segs[0]!.path), join(root, stray));
    const r = await reconcileAll(db, root);
    expect(r).toMatchObject({ indexed: 1, removedRows: 1 });
    expect(stored(db)).toEqual(fromScratch(db));
    // The found file's 20 s sit in the 09:00 hour.
    expect(stored(db)[`1:${Date.UTC(2025, 2, 3, 9)}`]).toEqual([20_000, 0]);
  }, 60_000);

  it('is backfilled by its migration from the segments and events already there', async () => {
    const { db } = await recorded();
    addEvent(db, 2, T0 + 5_000, 'tamper');
    // The same archive in a database at version 12: copied rows, then migrated.
    const old = openDatabase(join(tempDir(), 'old.db'), migrations.slice(0, 12));
    dbs.push(old);
    const cols = 'id, channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes';
    const ins = old.prepare(`INSERT INTO rec_segment (${cols}) VALUES (${cols.split(', ').map((c) => `@${c}`).join(', ')})`);
    for (const s of segments(db)) ins.run(s);
    for (const e of db.prepare('SELECT channel_id, at_ms, kind FROM rec_event').all() as { channel_id: number; at_ms: number; kind: string }[]) addEvent(old, e.channel_id, e.at_ms, e.kind);
    migrate(old, migrations.slice(0, 13));
    expect(stored(old)).toEqual(fromScratch(db));
  }, 60_000);

  it('answers the overview in buckets of whole hours or days, at most maxPoints of them', async () => {
    const { db } = await recorded();
    addEvent(db, 1, T0 + 40_000, 'door');
    expect(bucketFor(0, 31 * 24 * H, 1000)).toBe(H);
    expect(bucketFor(0, 93 * 24 * H, 1200)).toBe(2 * H);
    expect(bucketFor(0, 31 * 24 * H, 20)).toBe(48 * H);
    const hourly = overview(db, [1, 2], T0 - 2 * H, T0 + 2 * H, 1000);
    expect(hourly.bucketMs).toBe(H);
    expect(hourly.from).toBe(Date.UTC(2025, 2, 3, 8));
    const [c1, c2] = hourly.channels;
    expect(c1!.recorded.length).toBe(5);
    expect(c1!.recorded[2]).toBe(0.009);
    expect(c1!.recorded[3]).toBeGreaterThan(0.016);
    expect(c1!.recorded.filter((r, i) => i !== 2 && i !== 3)).toEqual([0, 0, 0]);
    expect(c1!.events).toEqual([0, 0, 0, 1, 0]);
    expect(c2!.events).toEqual([0, 0, 0, 0, 0]);
    // A moment of recording still shows in an hour's bucket.
    db.prepare(`INSERT INTO rec_segment (channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes)
      VALUES (3, 'sub', ?, ?, 10, 'x.mp4', 'avc1', 320, 180, 90000, 0, 10, 1, x'')`).run(TEN + 1000, TEN + 1400);
    expect(overview(db, [3], TEN, TEN + H, 1000).channels[0]!.recorded).toEqual([0.001]);
    expect(overview(db, [3], TEN, TEN + H, 1000).channels[0]!.recorded[0]).toBeGreaterThan(0);
    // A month at 20 points: two-day buckets, the 90 s in one of them.
    const month = overview(db, [1], T0 - 15 * 24 * H, T0 + 15 * 24 * H, 20);
    expect(month.bucketMs).toBe(48 * H);
    expect(month.channels[0]!.events.reduce((a, b) => a + b)).toBe(1);
    expect(month.channels[0]!.recorded.filter((r) => r > 0)).toHaveLength(1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${OVERVIEW_SQL}`).all('[1]', 0, 1) as { detail: string }[]).map((p) => p.detail).join(' ');
    expect(plan).toMatch(/SEARCH rec_density USING PRIMARY KEY \(channel_id=\? AND day_ms>\? AND day_ms<\?\)/);
  }, 60_000);
});
