// The recorder on real files and a real SQLite index: segments rolled at keyframes, index and spans (one across rolls,
// a hole of 700 ms kept), gaps with reasons, event pre-buffer, slow disk, reconciliation after a crash, retention with locks.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { reconcileAll, reconcileOpen } from '../../electron/core/recording/reconcile';
import { ALWAYS, ChannelRecorder, scheduleActive, type RecorderConfig } from '../../electron/core/recording/recorder';
import { forecast, sweepRetention, unlinkSegments } from '../../electron/core/recording/retention';
import { parseSegmentName } from '../../electron/core/recording/segment-file';
import { addLock, auditLog, timeline, unpackKeyframes, type SegmentRow } from '../../electron/core/recording/segment-index';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { decodeCodes, FakeClock, feed, loadClip, loopCode, loopFragment, probeFrames } from '../helpers/archive-media';

const logger = pino({ level: 'silent' });
const clip = loadClip();
const T0 = Date.UTC(2025, 2, 3, 10, 59, 30); // crosses an hour boundary in UTC after 30 s
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(opts: { segmentMs?: number; free?: () => number; writeBudgetBytes?: number; beforeWrite?: (n: number) => Promise<void> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-rec-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'station.db'));
  dbs.push(db);
  writeArchiveConfig(db, { segmentMs: opts.segmentMs ?? 20_000, quotaBytes: null, freeFloorBytes: 0 });
  const clock = new FakeClock(T0);
  const root = join(dir, 'rec');
  const archive = new Archive({ db, root, logger, clock: clock.now, freeBytes: opts.free ?? (() => 1e12), writeBudgetBytes: opts.writeBudgetBytes, beforeWrite: opts.beforeWrite });
  return { dir, db, clock, root, archive };
}

const continuous: RecorderConfig = { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 };

/** A recorder for `channel` in the archive, its track set from the clip's init. */
function recorder(archive: Archive, channel: number, config = continuous): ChannelRecorder {
  const rec = new ChannelRecorder(channel, config, archive);
  archive.add(rec);
  rec.init(clip.init, clip.track);
  return rec;
}
const segments = (db: Db) => db.prepare('SELECT * FROM rec_segment ORDER BY start_ms').all() as SegmentRow[];
const FRAME_MS = 40;

/** Feeds frames [from, to) with an index flush every second of media. */
function run(rec: ChannelRecorder, archive: Archive, clock: FakeClock, from: number, to: number, startWall = T0) {
  for (let n = from; n < to; n += 25) {
    feed(rec, clip, clock, startWall, n, Math.min(to, n + 25));
    archive.flush();
  }
}

describe('recorder', () => {
  it('writes segments rolled at keyframes under <channel>/<day>/<hour> in UTC, indexed with keyframes and one merged span', async () => {
    const { db, clock, root, archive } = setup();
    const rec = recorder(archive, 7);
    run(rec, archive, clock, 0, 25 * 50); // 50 s
    await rec.stop();
    const segs = segments(db);
    expect(segs.map((s) => s.end_ms - s.start_ms)).toEqual([20_000, 20_000, 10_000]);
    expect(segs.every((s) => s.closed === 1)).toBe(true);
    expect(segs.map((s) => s.path)).toEqual([
      '7/2025-03-03/10/c7-main-20250303T105930000Z.mp4',
      '7/2025-03-03/10/c7-main-20250303T105950000Z.mp4',
      '7/2025-03-03/11/c7-main-20250303T110010000Z.mp4',
    ]);
    for (const s of segs) {
      const file = join(root, s.path);
      expect(statSync(file).size).toBe(s.bytes);
      expect(parseSegmentName(s.path.split('/').at(-1)!)).toEqual({ channelId: 7, stream: 'main', startMs: s.start_ms });
      expect(probeFrames(file)).toBe(((s.end_ms - s.start_ms) / FRAME_MS));
      const kf = unpackKeyframes(s.keyframes);
      expect(kf.map((k) => k.offsetMs)).toEqual(Array.from({ length: (s.end_ms - s.start_ms) / 2000 }, (_, i) => i * 2000));
      expect(kf[0]!.byte).toBe(s.init_bytes);
      // Every keyframe offset points at a moof.
      const buf = readFileSync(file);
      for (const k of kf) expect(buf.toString('latin1', k.byte + 4, k.byte + 8)).toBe('moof');
    }
    // The first frame of the second segment is the frame of its start instant.
    expect(decodeCodes(join(root, segs[1]!.path))[0]).toBe(loopCode(clip, 500));
    const [tl] = timeline(db, [7], T0 - 60_000, T0 + 120_000);
    expect(tl!.spans).toEqual([{ start: T0, end: T0 + 50_000 }]);
  });

  it('records gaps with reasons: camera offline, then back; recording off', async () => {
    const { db, clock, archive } = setup();
    const rec = recorder(archive, 1);
    run(rec, archive, clock, 0, 250); // 10 s
    for (let i = 0; i < 8; i++) { clock.t += 1000; archive.flush(); } // 8 s with no frames
    expect(rec.status()).toMatchObject({ state: 'gap', gapReason: 'camera_offline' });
    rec.init(clip.init, clip.track); // the hub reconnects; timestamps restart
    const back = clock.t;
    run(rec, archive, clock, 0, 250, back);
    rec.setConfig({ ...continuous, mode: 'off' });
    archive.flush();
    await rec.stop();
    const [tl] = timeline(db, [1], T0, clock.t + 1000);
    expect(tl!.spans).toEqual([{ start: T0, end: T0 + 10_000 }, { start: back, end: back + 10_000 }]);
    expect(tl!.gaps.map((g) => [g.reason, g.start, g.end])).toEqual([
      ['camera_offline', T0 + 10_000, back],
      ['recording_off', back + 10_000, back + 10_000],
    ]);
  });

  it('a stream back after 700 ms (sooner than a stall is noticed) leaves its hole on the timeline, as the camera\'s', async () => {
    const { db, clock, archive } = setup();
    const rec = recorder(archive, 3);
    run(rec, archive, clock, 0, 250); // 10 s
    clock.t = T0 + 10_700;
    archive.flush();
    expect(rec.status().state).toBe('recording');
    rec.init(clip.init, clip.track); // the hub reconnects; timestamps restart
    run(rec, archive, clock, 0, 250, T0 + 10_700);
    await rec.stop();
    const [tl] = timeline(db, [3], T0, clock.t + 1000);
    expect(tl!.spans).toEqual([{ start: T0, end: T0 + 10_000 }, { start: T0 + 10_700, end: T0 + 20_700 }]);
    expect(tl!.gaps.filter((g) => g.reason === 'camera_offline').map((g) => [g.start, g.end])).toEqual([[T0 + 10_000, T0 + 10_700]]);
  });

  it('event mode: nothing until a trigger, then the pre-event buffer from a keyframe, until the post-event time', async () => {
    const { db, clock, archive, root } = setup();
    const rec = recorder(archive, 2, { ...continuous, mode: 'event', preMs: 5000, postMs: 3000 });
    run(rec, archive, clock, 0, 500); // 20 s, no trigger
    expect(segments(db)).toEqual([]);
    rec.trigger('motion');
    run(rec, archive, clock, 500, 750);
    await rec.stop();
    const segs = segments(db);
    expect(segs).toHaveLength(1);
    // Pre-event: from the keyframe at or before 20 s - 5 s = 14 s; post-event: to the first frame after 23 s.
    expect(segs[0]!.start_ms).toBe(T0 + 14_000);
    expect(segs[0]!.end_ms - (T0 + 23_000)).toBeLessThanOrEqual(FRAME_MS * 2);
    expect(decodeCodes(join(root, segs[0]!.path))[0]).toBe(14_000);
    const [tl] = timeline(db, [2], T0, clock.t);
    expect(tl!.events).toEqual([{ at: T0 + 20_000 - FRAME_MS, kind: 'motion' }]);
    expect(tl!.gaps.map((g) => g.reason)).toEqual(['recording_off', 'recording_off']);
  });

  it('schedule mode follows the weekly half-hour grid in local time', () => {
    const monday = new Date(2025, 2, 3, 0, 15).getTime();
    const sched = '0'.repeat(336).split('');
    sched[1] = '1'; // Monday 00:30-01:00
    const s = sched.join('');
    expect(scheduleActive(s, monday)).toBe(false);
    expect(scheduleActive(s, monday + 20 * 60_000)).toBe(true);
    expect(scheduleActive(s, monday + 50 * 60_000)).toBe(false);
  });

  it('a disk slower than the camera: bounded queue, backlog reported, fragments never block, the gap recorded as disk', async () => {
    let slow = true;
    const { db, clock, archive } = setup({ writeBudgetBytes: 256 * 1024, beforeWrite: () => new Promise((r) => setTimeout(r, slow ? 30 : 0)) });
    const rec = recorder(archive, 3);
    let maxBacklog = 0;
    for (let n = 0; n < 250; n++) {
      feed(rec, clip, clock, T0, n, n + 1);
      maxBacklog = Math.max(maxBacklog, rec.status().backlogBytes);
    }
    // All 250 fragments were taken while the disk was still behind: feeding never waited for a write.
    expect(rec.status().backlogBytes).toBeGreaterThan(0);
    expect(maxBacklog).toBeGreaterThan(100 * 1024);
    expect(maxBacklog).toBeLessThanOrEqual(256 * 1024);
    expect(rec.status().droppedFragments).toBeGreaterThan(50);
    slow = false;
    await expect.poll(() => rec.status().backlogBytes, { timeout: 10_000 }).toBe(0);
    run(rec, archive, clock, 250, 500);
    await rec.stop();
    const [tl] = timeline(db, [3], T0, clock.t);
    expect(tl!.gaps.some((g) => g.reason === 'disk')).toBe(true);
    const segs = segments(db);
    expect(segs.length).toBeGreaterThanOrEqual(2);
    for (const s of segs) expect(s.bytes).toBe(statSync(join(archive.root, s.path)).size);
  });

  it('several channels on a slow disk share one write budget: the channel furthest behind gives way, the others record on', async () => {
    // A disk of 2 MB/s for each write; one channel sends 40 kB fragments (ten times the others'), so it falls behind.
    let slow = true;
    const BUDGET = 2 * 1024 * 1024;
    const { db, clock, archive } = setup({ writeBudgetBytes: BUDGET, beforeWrite: (n) => new Promise((r) => setTimeout(r, slow ? n / 2000 : 0)) });
    const heavy = recorder(archive, 1);
    const light = [2, 3, 4].map((ch) => recorder(archive, ch));
    const all = [heavy, ...light];
    const padded = (data: Buffer) => {
      const free = Buffer.alloc(40_000 - data.length);
      free.writeUInt32BE(free.length, 0);
      free.write('free', 4);
      return Buffer.concat([data, free]);
    };
    let maxUsed = 0;
    const round = async (from: number) => {
      for (let n = from; n < from + 25; n++) {
        const f = loopFragment(clip, n);
        clock.t = T0 + n * FRAME_MS;
        heavy.fragment(padded(f.data), f.info);
        for (const r of light) r.fragment(f.data, f.info);
        maxUsed = Math.max(maxUsed, archive.budget.usedBytes);
        // Every queued byte is in the budget, and the budget is every recorder's backlog.
        expect(archive.budget.usedBytes).toBe(all.reduce((sum, r) => sum + r.status().backlogBytes, 0));
      }
      archive.flush();
      await new Promise((r) => setTimeout(r, 150));
    };
    for (let n = 0; n < 250; n += 25) await round(n);
    // One bound for all four (the init segments may pass it by their few hundred bytes).
    expect(maxUsed).toBeGreaterThan(BUDGET * 0.75);
    expect(maxUsed).toBeLessThanOrEqual(BUDGET + 4096);
    expect(heavy.droppedFragments).toBeGreaterThan(25);
    for (const r of light) expect(r.droppedFragments).toBe(0);
    slow = false;
    await expect.poll(() => archive.budget.usedBytes, { timeout: 10_000 }).toBe(0);
    // The disk caught up: the heavy channel records again from a keyframe.
    for (let n = 250; n < 350; n += 25) await round(n);
    expect(heavy.status().state).toBe('recording');
    await Promise.all(all.map((r) => r.stop()));
    const tls = timeline(db, [1, 2, 3, 4], T0, clock.t);
    const holes = tls[0]!.gaps.filter((g) => g.reason === 'disk');
    expect(holes.length).toBeGreaterThan(0);
    expect(holes.every((g) => g.end > g.start)).toBe(true);
    for (const tl of tls.slice(1)) {
      expect(tl.gaps.filter((g) => g.reason === 'disk')).toEqual([]);
      expect(tl.spans).toEqual([{ start: T0, end: T0 + 350 * FRAME_MS }]);
    }
    for (const s of segments(db)) expect(s.bytes).toBe(statSync(join(archive.root, s.path)).size);
    expect(archive.budget.state().usedBytes).toBe(0);
  });

  it('stops writing at the free-space floor instead of filling the disk, and says why', async () => {
    let base = 1e12;
    const { db, clock, archive } = setup({ free: () => base - archive.written });
    writeArchiveConfig(db, { segmentMs: 20_000, quotaBytes: null, freeFloorBytes: 200 * 1024 * 1024 });
    archive.reloadConfig();
    const rec = recorder(archive, 4);
    run(rec, archive, clock, 0, 250);
    await expect.poll(() => rec.status().backlogBytes, { timeout: 10_000 }).toBe(0);
    base = 100 * 1024 * 1024 + 50_000 + archive.written; // just above the hard floor (half the floor)
    archive.refreshFree();
    run(rec, archive, clock, 250, 500);
    await rec.stop();
    const [tl] = timeline(db, [4], T0, clock.t);
    expect(tl!.gaps[0]).toMatchObject({ reason: 'disk' });
    expect(archive.freeBytes).toBeGreaterThan(archive.hardFloorBytes);
  });
});

describe('reconciliation', () => {
  it('trims a crash-cut tail to the last whole fragment, indexes unknown files, drops rows of missing files', async () => {
    const { db, clock, root, archive } = setup();
    const rec = recorder(archive, 5);
    run(rec, archive, clock, 0, 25 * 50);
    // A crash: the open segment stays open in the index, its file cut mid-fragment. (Rolled segments are marked closed once
    // their files are synced: wait until only the current one is open.)
    await expect.poll(() => rec.status().backlogBytes, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => segments(db).filter((s) => s.closed === 0).length, { timeout: 10_000 }).toBe(1);
    const open = segments(db).find((s) => s.closed === 0)!;
    const file = join(root, open.path);
    const size = statSync(file).size;
    truncateSync(file, size - 1000);
    const r1 = reconcileOpen(db, root);
    expect(r1).toMatchObject({ checkedOpen: 1, trimmed: 1 });
    const fixed = segments(db).find((s) => s.id === open.id)!;
    expect(fixed.closed).toBe(1);
    expect(statSync(file).size).toBe(fixed.bytes);
    expect(probeFrames(file)).toBe(Math.round((fixed.end_ms - fixed.start_ms) / FRAME_MS));
    expect(fixed.end_ms).toBe(T0 + 50_000 - FRAME_MS); // exactly one fragment lost

    // A file the index does not know, and an indexed file that is gone.
    const segs = segments(db);
    const stray = segs[0]!.path.replace('c5-main-20250303T105930000Z', 'c5-main-20250303T105800000Z');
    copyFileSync(join(root, segs[0]!.path), join(root, stray));
    unlinkSync(join(root, segs[1]!.path));
    const r2 = await reconcileAll(db, root);
    expect(r2).toMatchObject({ indexed: 1, removedRows: 1 });
    const [tl] = timeline(db, [5], T0 - 600_000, T0 + 600_000);
    expect(tl!.spans).toEqual([
      { start: T0 - 90_000, end: T0 - 70_000 },
      { start: T0, end: T0 + 20_000 },
      { start: T0 + 40_000, end: fixed.end_ms },
    ]);
  });
});

describe('retention', () => {
  it('under a small quota deletes oldest first, never a locked range, and audits both', async () => {
    const { db, clock, root, archive } = setup({ segmentMs: 10_000 });
    const recs = [1, 2].map((ch) => recorder(archive, ch));
    for (let n = 0; n < 25 * 60; n += 25) { // 60 s on both channels
      for (const r of recs) feed(r, clip, clock, T0, n, n + 25);
      archive.flush();
    }
    for (const r of recs) await r.stop();
    const before = segments(db);
    expect(before).toHaveLength(12);
    const total = before.reduce((n, s) => n + s.bytes, 0);
    // Lock channel 1's 10-20 s: its second-oldest segment.
    addLock(db, { channelId: 1, start: T0 + 12_000, end: T0 + 15_000, reason: 'incident 42', createdAt: clock.t });
    writeArchiveConfig(db, { segmentMs: 10_000, quotaBytes: Math.floor(total / 2), freeFloorBytes: 0 });
    const report = sweepRetention({ db, root, now: clock.t, channelDays: new Map(), freeBytes: () => 1e12 });
    const after = segments(db);
    expect(report.deleted).toBeGreaterThan(0);
    expect(after.reduce((n, s) => n + s.bytes, 0)).toBeLessThanOrEqual(total / 2);
    const deleted = before.filter((b) => !after.some((a) => a.id === b.id));
    const locked = before.find((s) => s.channel_id === 1 && s.start_ms === T0 + 10_000)!;
    expect(after.some((s) => s.id === locked.id)).toBe(true);
    // Oldest first: every deleted segment is older than every kept unlocked one.
    const keptUnlocked = after.filter((s) => s.id !== locked.id);
    expect(Math.max(...deleted.map((d) => d.start_ms))).toBeLessThanOrEqual(Math.min(...keptUnlocked.map((k) => k.start_ms)));
    for (const d of deleted) expect(existsSync(join(root, d.path))).toBe(false);
    expect(auditLog(db).map((a) => a.action)).toEqual(['retention.kept_locked', 'retention.deleted', 'lock.created']);
    const [tl] = timeline(db, [1], T0, clock.t);
    expect(tl!.spans[0]).toEqual({ start: T0 + 10_000, end: T0 + 20_000 });
    expect(tl!.locks).toHaveLength(1);
    // Age retention: 1 day on channel 2 deletes everything older, still never the lock on channel 1. As the station runs it:
    // the rows go in the pass, the files are left to unlinkSegments (off the event loop).
    const rows = segments(db);
    const r2 = sweepRetention({ db, root, now: clock.t + 2 * 86_400_000, channelDays: new Map([[1, 1], [2, 1]]), freeBytes: () => 1e12, deferUnlink: true });
    expect(r2.keptLocked).toBe(1);
    expect(segments(db).map((s) => s.id)).toEqual([locked.id]);
    const gone = rows.filter((s) => s.id !== locked.id).map((s) => join(root, s.path));
    expect(r2.files?.slice().sort()).toEqual(gone.slice().sort());
    expect(gone.every((p) => existsSync(p))).toBe(true);
    await unlinkSegments(r2.files!);
    expect(gone.some((p) => existsSync(p))).toBe(false);
    expect(existsSync(join(root, locked.path))).toBe(true);
    const f = forecast(db, clock.t, 1e9, new Map([[1, null]]));
    expect(f.limitedBy).toBe('quota');
    expect(readdirSync(root)).toContain('1');
  });
});
