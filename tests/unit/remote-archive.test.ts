// The desk's copy of another station's archive (sites/remote-archive.ts) against a link that answers from a real
// archive: segments copied and indexed in the desk's clock (offset applied), read back by an ArchiveCursor; the bound
// evicts the least recently asked for; a station that cannot answer gives an empty timeline with its reason; a removed
// site's copy goes.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, siteChannelId, type CallInput } from '../../electron/contract';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { ArchiveCursor, isInit } from '../../electron/core/recording/archive-reader';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { segmentFile } from '../../electron/core/recording/segment-file';
import { deleteSegment, segmentById, segmentsIn, timeline, toArchiveSegment } from '../../electron/core/recording/segment-index';
import { RemoteArchive, type ArchiveLink } from '../../electron/core/sites/remote-archive';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { FakeClock, feed, loadClip } from '../helpers/archive-media';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const clip = loadClip();
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
/** Their clock minus ours. */
const OFF = 5_000;
const DESK_CH = siteChannelId(3, 1);
let db: Db, root: string, deskDir: string;
let online = true;

/** The station's side of the two calls (as recording-service answers them), and its timeline. */
const link: ArchiveLink['link'] = {
  call: (async (name: string, input: any) => {
    if (!online) throw fail('site.notConnected', { name: 'North yard', state: 'offline' });
    if (name === 'archive.segments') return segmentsIn(db, input.channelId, input.from, input.to).map(toArchiveSegment);
    if (name === 'archive.segmentRead') {
      const row = segmentById(db, (input as CallInput<'archive.segmentRead'>).segmentId)!;
      const bytes = readFileSync(segmentFile(root, row.path)).subarray(input.offset, Math.min(row.bytes, input.offset + input.length));
      return { dataBase64: bytes.toString('base64'), size: row.bytes, closed: true };
    }
    if (name === 'archive.timeline') return timeline(db, input.channelIds, input.from, input.to);
    throw new Error(`unexpected ${name}`);
  }) as ArchiveLink['link']['call'],
};

beforeAll(async () => {
  const dir = scope.tempDir('wp-remote-archive-');
  db = openDatabase(join(dir, 'station.db'));
  scope.defer(() => db.close());
  writeArchiveConfig(db, { segmentMs: 10_000, quotaBytes: null, freeFloorBytes: 0 });
  root = join(dir, 'rec');
  const clock = new FakeClock(T0 + OFF);
  const archive = new Archive({ db, root, logger: pino({ level: 'silent' }), clock: clock.now, freeBytes: () => 1e12 });
  const rec = new ChannelRecorder(1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive);
  archive.add(rec);
  rec.init(clip.init, clip.track);
  // 40 s in 10 s segments, recorded at T0 in the desk's clock (T0 + OFF in the station's).
  for (let n = 0; n < 1000; n += 25) { feed(rec, clip, clock, T0 + OFF, n, n + 25); archive.flush(); }
  await rec.stop();
  archive.flush();
  deskDir = join(dir, 'desk');
  mkdirSync(deskDir);
});

describe('remote archive', () => {
  let ra: RemoteArchive;
  afterAll(() => ra?.dispose());

  it('copies a range in the desk\'s clock, readable by a cursor; the bound keeps the most recently asked for', async () => {
    const segs = segmentsIn(db, 1, 0, T0 + 1e6);
    expect(segs.length).toBe(4);
    const two = segs[2]!.bytes + segs[3]!.bytes;
    ra = new RemoteArchive({ dataDir: deskDir, logger: pino({ level: 'silent' }), site: () => ({ link, offsetMs: OFF }), maxBytes: two + 1000, keepMs: 0 });
    await ra.fetch(DESK_CH, T0, T0 + 40_000);
    const src = ra.sourceOf(DESK_CH);
    const kept = segmentsIn(src.db, DESK_CH, 0, T0 + 1e6);
    // The two newest stay (the older ones went to keep the bound), each moved by the offset.
    expect(kept.map((s) => s.start_ms)).toEqual([segs[2]!.start_ms - OFF, segs[3]!.start_ms - OFF]);
    expect(existsSync(segmentFile(src.root, `${DESK_CH}/${segs[0]!.id}.mp4`))).toBe(false);
    const c = new ArchiveCursor(src, DESK_CH);
    expect(c.seek(T0 + 25_000)).toBe(T0 + 24_000);
    const walls: number[] = [];
    for (let x = c.next(); x; x = c.next()) if (!isInit(x)) walls.push(Math.round(x.wall));
    c.close();
    // Every frame from the keyframe at 24 s to the end, across the two copied segments, on the desk's clock.
    expect(walls.length).toBe(16 * 25);
    expect(walls[0]).toBe(T0 + 24_000);
    expect(walls.at(-1)).toBe(T0 + 39_960);
    // Nothing more is known to be coming after the last copied instant.
    expect(ra.more(DESK_CH, T0 + 39_960)).toBe(false);
    // Asked again (a seek back), an evicted segment is copied again.
    await ra.prepare(DESK_CH, T0 + 3_000, 1);
    expect(segmentsIn(src.db, DESK_CH, T0, T0 + 5_000).map((s) => s.start_ms)).toEqual([segs[0]!.start_ms - OFF]);
  });

  it('a station that cannot answer: its channels\' timeline is empty with the reason', async () => {
    const [t] = await ra.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(t!.spans).toEqual([{ start: T0, end: expect.closeTo(T0 + 40_000, -2) }]);
    online = false;
    const [off] = await ra.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(off).toMatchObject({ channelId: DESK_CH, spans: [], unavailable: { reason: 'site.notConnected', params: { name: 'North yard' } } });
    online = true;
  });

  it('a removed site takes its copy with it', () => {
    ra.forget(3);
    expect(existsSync(join(deskDir, 'site-archives', '3'))).toBe(false);
  });
});

describe('remote archive: a standby\'s recordings (failover)', () => {
  const FP = Array.from({ length: 32 }, () => 'AB').join(':');
  let ra: RemoteArchive;
  let yardBack = false;
  const asked: string[] = [];
  afterAll(() => ra?.dispose());
  /** Station 4, the standby: it recorded channel 1 of station 3 as its channel 1 from 20 s to 40 s (in the real archive above). */
  const standby: ArchiveLink['link'] = {
    call: (async (name: string, input: any) => {
      asked.push(name);
      if (name === 'failover.coverage') {
        expect(input.fingerprint).toBe(FP);
        return input.channelIds.map((channelId: number) => ({ channelId, standbyChannelId: 1, spans: channelId === 1 ? [{ start: T0 + OFF + 20_000, end: T0 + OFF + 40_000 }] : [] }));
      }
      return (link.call as (n: string, i: unknown) => Promise<unknown>)(name, input);
    }) as ArchiveLink['link']['call'],
  };
  /** Station 5, an older one: it does not know the call (no coverage, no error). */
  const older: ArchiveLink['link'] = { call: (async () => { throw fail('site.unknownCall', { name: 'Old yard', call: 'failover.coverage', theirs: '0.9.0', ours: '1.0.0' }); }) as ArchiveLink['link']['call'] };

  it('while the station is away: its channel\'s timeline keeps the reason and draws the standby\'s spans, asked once a while', async () => {
    ra = new RemoteArchive({
      dataDir: deskDir, logger: pino({ level: 'silent' }), coverageMs: 60_000,
      site: (id) => {
        if (id === 4 || (id === 3 && yardBack)) return { link: id === 4 ? standby : link, offsetMs: OFF };
        throw fail('site.notConnected', { name: 'Yard', state: 'offline' });
      },
      standbys: (id) => (id === 3 ? { fingerprint: FP, others: [{ siteId: 4, link: standby, offsetMs: OFF }, { siteId: 5, link: older, offsetMs: 0 }] } : undefined),
    });
    const [t] = await ra.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(t).toMatchObject({ unavailable: { reason: 'site.notConnected' }, spans: [{ start: T0 + 20_000, end: T0 + 40_000, standby: true }] });
    // A scrub inside the range asked (padded) uses the answer again; a wider range asks again, and covers the calendar's.
    await ra.timeline([DESK_CH], T0 - 30_000, T0 + 30_000);
    expect(asked.filter((n) => n === 'failover.coverage')).toHaveLength(1);
    const over = await ra.overview([DESK_CH], T0 - 3_600_000 * 12, T0 + 3_600_000 * 12, 24);
    const days = await ra.days([DESK_CH], T0 - 86_400_000, T0 + 86_400_000, 0);
    expect(asked.filter((n) => n === 'failover.coverage')).toHaveLength(2);
    expect(over.get(DESK_CH)!.recorded.filter((r) => r > 0)).toEqual([0.006]);
    expect(days).toEqual(['2026-01-05']);
  });

  it('playback and export copy the standby\'s segments into the station\'s copy, under its channel, in the desk\'s clock', async () => {
    await ra.fetch(DESK_CH, T0 + 21_000, T0 + 39_000);
    const src = ra.sourceOf(DESK_CH);
    const rows = segmentsIn(src.db, DESK_CH, T0 + 21_000, T0 + 39_000);
    expect(rows.map((r) => r.start_ms)).toEqual([T0 + 20_000, T0 + 30_000]);
    expect(rows.every((r) => r.path.startsWith(`${DESK_CH}/s4-`))).toBe(true);
    const c = new ArchiveCursor(src, DESK_CH);
    expect(c.seek(T0 + 25_000)).toBe(T0 + 24_000);
    c.close();
    // Copied from the standby, though the station itself is offline: nothing more to wait for.
    expect(ra.more(DESK_CH, T0 + 39_960)).toBe(false);
  });

  it('a standby slow to answer is not waited for: its answer serves the next timeline', async () => {
    let release = () => {};
    const slow: ArchiveLink['link'] = {
      call: (async (name: string, input: any) => {
        await new Promise<void>((res) => { release = res; });
        return standby.call(name as 'failover.coverage', input);
      }) as ArchiveLink['link']['call'],
    };
    const r = new RemoteArchive({
      dataDir: deskDir, logger: pino({ level: 'silent' }), coverageWaitMs: 50,
      site: () => { throw fail('site.notConnected', { name: 'Yard', state: 'offline' }); },
      standbys: () => ({ fingerprint: FP, others: [{ siteId: 6, link: slow, offsetMs: OFF }] }),
    });
    const t0 = Date.now();
    const [first] = await r.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(first!.spans).toEqual([]);
    release();
    const [next] = await r.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(next!.spans).toEqual([{ start: T0 + 20_000, end: T0 + 40_000, standby: true }]);
    r.dispose();
  });

  it('where the station has the same time itself, its own recording is copied, not the standby\'s', async () => {
    yardBack = true;
    await ra.fetch(DESK_CH, T0 + 1_000, T0 + 39_000);
    const rows = segmentsIn(ra.sourceOf(DESK_CH).db, DESK_CH, T0, T0 + 40_000);
    // The station's own four, and the standby's two copied while it was away (the same time: not copied again now).
    expect(rows.filter((r) => !r.path.includes('/s4-')).map((r) => r.start_ms)).toEqual([T0, T0 + 10_000, T0 + 20_000, T0 + 30_000]);
    expect(rows.filter((r) => r.path.includes('/s4-'))).toHaveLength(2);
    const [t] = await ra.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(t!.unavailable).toBeUndefined();
    expect(t!.spans.map((x) => !!x.standby)).toEqual([false, true]);
  });
});

describe('remote archive: a standby\'s long last segment overlapping the station\'s first (the hand-back)', () => {
  const FP = Array.from({ length: 32 }, () => 'CD').join(':');
  let sdb: Db, sroot: string, ra: RemoteArchive;
  afterAll(() => ra?.dispose());

  beforeAll(async () => {
    const dir = scope.tempDir('wp-remote-overlap-');
    sdb = openDatabase(join(dir, 'standby.db'));
    scope.defer(() => sdb.close());
    // The standby recorded channel 1 of station 3 in one segment from 15 s before the station's first to 25 s after.
    writeArchiveConfig(sdb, { segmentMs: 60_000, quotaBytes: null, freeFloorBytes: 0 });
    sroot = join(dir, 'rec');
    const clock = new FakeClock(T0 + OFF - 15_000);
    const archive = new Archive({ db: sdb, root: sroot, logger: pino({ level: 'silent' }), clock: clock.now, freeBytes: () => 1e12 });
    const rec = new ChannelRecorder(1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive);
    archive.add(rec);
    rec.init(clip.init, clip.track);
    for (let n = 0; n < 1000; n += 25) { feed(rec, clip, clock, T0 + OFF - 15_000, n, n + 25); archive.flush(); }
    await rec.stop();
    archive.flush();
    expect(segmentsIn(sdb, 1, 0, T0 + 1e6)).toHaveLength(1);
    const standby: ArchiveLink['link'] = {
      call: (async (name: string, input: any) => {
        if (name === 'failover.coverage') return [{ channelId: 1, standbyChannelId: 1, spans: [{ start: T0 + OFF - 15_000, end: T0 + OFF + 25_000 }] }];
        if (name === 'archive.segments') return segmentsIn(sdb, input.channelId, input.from, input.to).map(toArchiveSegment);
        if (name === 'archive.segmentRead') {
          const row = segmentById(sdb, input.segmentId)!;
          const bytes = readFileSync(segmentFile(sroot, row.path)).subarray(input.offset, Math.min(row.bytes, input.offset + input.length));
          return { dataBase64: bytes.toString('base64'), size: row.bytes, closed: true };
        }
        throw new Error(`unexpected ${name}`);
      }) as ArchiveLink['link']['call'],
    };
    ra = new RemoteArchive({
      dataDir: join(dir, 'desk'), logger: pino({ level: 'silent' }),
      site: (id) => ({ link: id === 4 ? standby : link, offsetMs: OFF }),
      standbys: () => ({ fingerprint: FP, others: [{ siteId: 4, link: standby, offsetMs: OFF }] }),
    });
    await ra.fetch(DESK_CH, T0 - 15_000, T0 + 40_000);
  });

  /** Every item a cursor hands out from `start` on (`step`: keyframes only, that way), as wall time and where from. */
  const read = (start: number, step?: 1 | -1) => {
    const c = new ArchiveCursor(ra.sourceOf(DESK_CH), DESK_CH);
    const out: { wall: number; standby: boolean }[] = [];
    if ((step === -1 ? c.seekBack(start) : c.seek(start)) === undefined) return out;
    for (let x = step ? c.nextKeyframe(step) : c.next(); x; x = step ? c.nextKeyframe(step) : c.next()) {
      if (!isInit(x)) out.push({ wall: Math.round(x.wall), standby: x.segment.path.includes('/s4-') });
    }
    c.close();
    return out;
  };
  const steps = (walls: number[]) => walls.slice(1).map((w, i) => w - walls[i]!);

  it('both are in the station\'s copy, overlapping by 25 s', () => {
    const rows = segmentsIn(ra.sourceOf(DESK_CH).db, DESK_CH, T0 - 20_000, T0 + 40_000);
    expect(rows.map((r) => [r.start_ms, r.path.includes('/s4-')])).toEqual([[T0 - 15_000, true], [T0, false], [T0 + 10_000, false], [T0 + 20_000, false], [T0 + 30_000, false]]);
  });

  it('playback goes on in time across the overlap: the standby\'s up to the station\'s first segment, then the station\'s', () => {
    const got = read(T0 - 15_000);
    // Frame after frame, 40 ms apart: never back (the standby's last 25 s are not played over the station's), no hole.
    expect(new Set(steps(got.map((x) => x.wall)))).toEqual(new Set([40]));
    expect(got[0]).toEqual({ wall: T0 - 15_000, standby: true });
    expect(got.at(-1)).toEqual({ wall: T0 + 39_960, standby: false });
    expect(got.filter((x) => x.standby).at(-1)!.wall).toBe(T0 - 40);
    expect(got.find((x) => !x.standby)!.wall).toBe(T0);
    // Seeking into the overlap plays the station's own.
    expect(read(T0 + 3_000)[0]).toEqual({ wall: T0 + 2_000, standby: false });
  });

  it('fast forward and rewind (keyframes only) keep their direction across it', () => {
    const fwd = read(T0 - 15_000, 1).map((x) => x.wall);
    expect(steps(fwd).every((d) => d > 0)).toBe(true);
    expect([fwd[0], fwd.at(-1)]).toEqual([T0 - 15_000, T0 + 38_000]);
    const back = read(T0 + 39_000, -1).map((x) => x.wall);
    expect(steps(back).every((d) => d < 0)).toBe(true);
    expect([back[0], back.at(-1)]).toEqual([T0 + 38_000, T0 - 15_000]);
  });

  it('where the station\'s recording stops inside the standby\'s, the standby\'s goes on from its next keyframe', () => {
    const src = ra.sourceOf(DESK_CH);
    for (const r of segmentsIn(src.db, DESK_CH, T0 + 10_000, T0 + 40_000)) if (r.start_ms >= T0 + 10_000) deleteSegment(src.db, r.id);
    const got = read(T0 - 15_000);
    expect(steps(got.map((x) => x.wall)).every((d) => d > 0)).toBe(true);
    // The standby's keyframes fall every 2 s from its start: 11 s after the station's first segment began.
    expect(got.filter((x) => !x.standby).map((x) => x.wall).at(-1)).toBe(T0 + 9_960);
    expect(got.find((x) => x.standby && x.wall > T0)!.wall).toBe(T0 + 11_000);
    expect(got.at(-1)).toEqual({ wall: T0 + 24_960, standby: true });
  });
});
