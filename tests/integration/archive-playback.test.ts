// Playback from an arbitrary instant shows the frame of that instant: recordings of a clip whose frames carry
// camsim's timestamp code are played back through a PlaybackSession; what it sends is decoded by ffmpeg and
// the code of the frame at startSeconds is read back. Two channels on one clock, slow motion, trick play.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMediaFrame, type MediaFrame } from '../../electron/contract';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { frameTimesAround, type ArchiveSource } from '../../electron/core/recording/archive-reader';
import { addBookmark } from '../../electron/core/recording/bookmarks';
import { exportRange, MANIFEST, stationSigningKey, verifyExport } from '../../electron/core/recording/export';
import { PlaybackSession, START_S, type PlaybackState } from '../../electron/core/recording/playback';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { decodeCodes, FakeClock, feed, fragmentsOf, loadClip, loopCode, probeFrames } from '../helpers/archive-media';

const clip = loadClip();
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const OFFSET = 100; // channel 2 shows the clip 100 frames (4 s) ahead
let dir: string;
let db: Db;
let source: ArchiveSource;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-play-'));
  db = openDatabase(join(dir, 'station.db'));
  writeArchiveConfig(db, { segmentMs: 10_000, quotaBytes: null, freeFloorBytes: 0 });
  const root = join(dir, 'rec');
  const clock = new FakeClock(T0);
  const archive = new Archive({ db, root, logger: pino({ level: 'silent' }), clock: clock.now, freeBytes: () => 1e12 });
  const recs = [1, 2].map((ch) => new ChannelRecorder(ch, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive));
  for (const r of recs) { archive.add(r); r.init(clip.init, clip.track); }
  // 40 s on both channels, then a 10 s gap, then 20 s more on channel 1.
  for (let n = 0; n < 1000; n += 25) {
    feed(recs[0]!, clip, clock, T0, n, n + 25);
    feed(recs[1]!, clip, clock, T0 - OFFSET * 40, n + OFFSET, n + OFFSET + 25);
    archive.flush();
  }
  await recs[1]!.stop();
  recs[0]!.init(clip.init, clip.track);
  for (let n = 0; n < 500; n += 25) { feed(recs[0]!, clip, clock, T0 + 50_000, n, n + 25); archive.flush(); }
  await recs[0]!.stop();
  source = { id: 'local', db, root, label: 'test' };
});
afterAll(() => { db?.close(); rmSync(dir, { recursive: true, force: true }); });

function collect(channels: number[], at: number, opts: { speed?: number; paused?: boolean; leadMs?: number } = {}) {
  const frames: MediaFrame[] = [];
  const states: PlaybackState[] = [];
  const session = new PlaybackSession({
    id: 1, source, channels: channels.map((channelId, i) => ({ channelId, media: 100 + i })),
    port: { send: (f) => frames.push(decodeMediaFrame(f)), backlog: () => 0 },
    onState: (s) => states.push(s), leadMs: opts.leadMs,
  });
  const state = session.seek(at, opts);
  return { frames, states, session, state };
}

/** The code of the frame presented at `seconds` on a media channel, and each sent fragment's presentation time. */
function codeAt(frames: MediaFrame[], media: number, seconds: number) {
  const mine = frames.filter((f) => f.channel === media && f.kind !== 'end');
  const pts = fragmentsOf(mine).map((info) => ({ start: info.baseDecodeTime / clip.track.timescale, dur: info.duration / clip.track.timescale, keyframe: info.keyframe }));
  const codes = decodeCodes(Buffer.concat(mine.map((f) => Buffer.from(f.payload))));
  const i = pts.findLastIndex((p) => p.start <= seconds + 1e-6);
  return { code: codes[i], codes, pts };
}

describe('playback', () => {
  it('from an arbitrary instant: the frame at startSeconds is the frame of that instant, on both channels of one clock', async () => {
    for (const offsetMs of [23_456, 4_020, 39_990]) {
      const at = T0 + offsetMs;
      const { frames, session, state } = collect([1, 2], at, { paused: true });
      session.close();
      expect(state.startSeconds).toBe(START_S);
      const k = Math.floor(offsetMs / 40);
      const ch1 = codeAt(frames, 100, START_S);
      const ch2 = codeAt(frames, 101, START_S);
      expect(ch1.code).toBe(loopCode(clip, k));
      expect(ch2.code).toBe(loopCode(clip, k + OFFSET));
      // Nearest keyframe before, then every frame: the first fragment is a keyframe no more than a GOP earlier.
      expect(ch1.pts[0]!.keyframe).toBe(true);
      expect(frames.filter((f) => f.channel === 101 && f.kind === 'end').length).toBe(offsetMs > 39_000 ? 1 : 0);
      expect(START_S - ch1.pts[0]!.start).toBeLessThanOrEqual(2);
    }
  });

  it('an instant in a gap starts at the next recording', () => {
    const { frames, session, state } = collect([1], T0 + 45_000, { leadMs: 6000 });
    session.close();
    const r = codeAt(frames, 100, START_S + 5);
    expect(state.t0).toBe(T0 + 45_000);
    expect(r.pts[0]!.start).toBeCloseTo(START_S + 5, 3);
    expect(r.codes[0]).toBe(0);
  });

  it('1/8 speed stretches every frame eight times; 32x sends keyframes only; rewind runs backwards', () => {
    const slow = collect([1], T0 + 10_000, { speed: 0.125 });
    slow.session.close();
    const s = codeAt(slow.frames, 100, START_S);
    expect(s.pts[1]!.start - s.pts[0]!.start).toBeCloseTo(0.32, 3);
    expect(s.pts[0]!.dur).toBeCloseTo(0.32, 3);

    const ff = collect([1], T0 + 10_000, { speed: 32 });
    ff.session.close();
    const f = codeAt(ff.frames, 100, START_S);
    expect(f.pts.every((p) => p.keyframe)).toBe(true);
    expect(f.codes.slice(0, 4)).toEqual([10_000, 12_000, 14_000, 16_000]);
    expect(f.pts[1]!.start - f.pts[0]!.start).toBeCloseTo(2 / 32, 3);

    const rw = collect([1], T0 + 30_000, { speed: -32 });
    rw.session.close();
    const r = codeAt(rw.frames, 100, START_S);
    expect(r.codes.slice(0, 4)).toEqual([750, 700, 650, 600].map((n) => loopCode(clip, n)));
  });

  it('frame step: the frame times around an instant are one frame apart across the keyframe', () => {
    const times = frameTimesAround(source, 1, T0 + 20_000);
    const i = times.indexOf(T0 + 20_000);
    expect(i).toBeGreaterThan(0);
    expect(times[i - 1]).toBe(T0 + 20_000 - 40);
    expect(times[i + 1]).toBe(T0 + 20_000 + 40);
  });

  it('export: a cancelled export leaves nothing; a range across a gap is one MP4 per channel starting at the keyframe before it', async () => {
    const secrets = nodeSecretStore(join(dir, 'keys'));
    const key = await stationSigningKey(secrets);
    expect((await stationSigningKey(secrets)).publicKeyDer).toBe(key.publicKeyDer);
    const folder = join(dir, 'export-cancelled');
    mkdirSync(folder);
    const ac = new AbortController();
    ac.abort();
    await expect(exportRange({ source, channels: [{ channelId: 1, camera: 'A' }], from: T0, to: T0 + 60_000, folder, key, signal: ac.signal })).rejects.toThrow(/cancelled/);
    expect(readdirSync(folder)).toEqual([]);

    const out = join(dir, 'export');
    const progress: number[] = [];
    // Bookmarks overlapping the range on an exported channel go into the signed manifest; others do not.
    const by = { user: 'test', client: 'station' as const };
    addBookmark(db, { channelIds: [1, 3], start: T0 + 40_000, end: T0 + 41_000, name: 'Van', note: 'white', tags: ['vehicle'], lockIds: [], at: T0, by });
    addBookmark(db, { channelIds: [1], start: T0 + 5_000, end: T0 + 5_000, name: 'Earlier', note: '', tags: [], lockIds: [], at: T0, by });
    addBookmark(db, { channelIds: [3], start: T0 + 40_000, end: T0 + 40_000, name: 'Other camera', note: '', tags: [], lockIds: [], at: T0, by });
    const r = await exportRange({
      source, channels: [{ channelId: 1, camera: 'A' }, { channelId: 2, camera: 'B' }], from: T0 + 35_000, to: T0 + 55_000, folder: out, key,
      onProgress: (p) => progress.push(p.doneBytes / p.totalBytes),
    });
    expect(progress.at(-1)).toBe(1);
    expect(r.manifest.files.map((f) => [f.channelId, f.startUtc, f.endUtc])).toEqual([
      [1, new Date(T0 + 34_000).toISOString(), new Date(T0 + 55_000).toISOString()],
      [2, new Date(T0 + 34_000).toISOString(), new Date(T0 + 40_000).toISOString()],
    ]);
    const codes = decodeCodes(join(out, r.manifest.files[0]!.name));
    expect(codes[0]).toBe(loopCode(clip, 850));
    expect(probeFrames(join(out, r.manifest.files[0]!.name))).toBe((6_000 + 5_000) / 40);
    expect(verifyExport(out, key.publicKeyDer)).toMatchObject({ ok: true, findings: [] });
    expect(r.manifest.bookmarks).toEqual([{
      name: 'Van', note: 'white', tags: ['vehicle'], channelIds: [1],
      startUtc: new Date(T0 + 40_000).toISOString(), endUtc: new Date(T0 + 41_000).toISOString(), startLocal: expect.any(String), endLocal: expect.any(String),
    }]);
    // The bookmarks are signed: a name changed afterwards fails verification.
    const mpath = join(out, MANIFEST);
    const signed = readFileSync(mpath, 'utf8');
    writeFileSync(mpath, signed.replace('"Van"', '"Truck"'));
    expect(verifyExport(out, key.publicKeyDer).ok).toBe(false);
    writeFileSync(mpath, signed);
  });
});
