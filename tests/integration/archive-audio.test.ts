// The recorder with an audio track (the hub's fMP4: per-packet fragments, audio-only ones between video frames) on real
// files and a real SQLite index: segments rolled at video keyframes carry their audio without holes across the rolls,
// the index holds video keyframes only, event mode's pre-event buffer keeps the audio, and reconciling a file reads it alike.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Fmp4Reader, type FragmentInfo, type TrackInfo } from '../../electron/core/media/fmp4';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { ALWAYS, ChannelRecorder, type RecorderConfig } from '../../electron/core/recording/recorder';
import { scanSegment, segmentFile } from '../../electron/core/recording/segment-file';
import { unpackKeyframes, type SegmentRow } from '../../electron/core/recording/segment-index';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { FakeClock } from '../helpers/archive-media';

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** 20 s of 25 fps H.264 (GOP 2 s) with a 440 Hz tone as AAC 48 kHz, cut like the hub cuts: a fragment per packet. */
function clip(): { init: Buffer; track: TrackInfo; frags: { data: Buffer; info: FragmentInfo }[] } {
  const bytes = execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000',
    '-t', '20', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-bf', '0', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-ar', '48000', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof+frag_every_frame', 'pipe:1',
  ], { maxBuffer: 256 << 20 });
  const parts = new Fmp4Reader().push(bytes);
  const init = parts[0]!;
  if (init.kind !== 'init') throw new Error('no init');
  return { init: init.data, track: init.info, frags: parts.flatMap((p) => (p.kind === 'fragment' ? [{ data: p.data, info: p.info }] : [])) };
}
const media = clip();

function setup(segmentMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-rec-audio-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'station.db'));
  dbs.push(db);
  writeArchiveConfig(db, { segmentMs, quotaBytes: null, freeFloorBytes: 0 });
  const clock = new FakeClock(T0);
  const root = join(dir, 'rec');
  const archive = new Archive({ db, root, logger, clock: clock.now, freeBytes: () => 1e12 });
  return { db, clock, root, archive };
}

/** Feeds the clip in stream order, the clock at each fragment's media time; `at` runs before the fragment at that second. */
function play(rec: ChannelRecorder, archive: Archive, clock: FakeClock, at: Record<number, () => void> = {}) {
  const { track } = media;
  let second = -1;
  for (const f of media.frags) {
    const t = f.info.video ? f.info.baseDecodeTime / track.timescale : f.info.audio!.baseDecodeTime / track.audio!.timescale;
    clock.t = T0 + Math.round(t * 1000);
    if (Math.floor(t) > second) { second = Math.floor(t); archive.flush(); at[second]?.(); }
    rec.fragment(f.data, f.info);
  }
  archive.flush();
}

function probe(path: string) {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:packet=stream_index,pts_time,duration_time,flags', '-of', 'json', path]).toString()) as {
    streams: { codec_name: string }[]; packets: { stream_index: number; pts_time: string; duration_time: string; flags: string }[];
  };
  const of = (i: number) => out.packets.filter((p) => p.stream_index === i);
  return { codecs: out.streams.map((s) => s.codec_name), video: of(0), audio: of(1) };
}

const segments = (db: Db) => db.prepare('SELECT * FROM rec_segment ORDER BY start_ms').all() as SegmentRow[];
const continuous: RecorderConfig = { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 };

describe('recorder with audio', () => {
  it('rolls at video keyframes; every segment has its audio, without holes across the rolls; the index holds the video keyframes', async () => {
    const { db, clock, root, archive } = setup(4000);
    const rec = new ChannelRecorder(3, continuous, archive);
    archive.add(rec);
    rec.init(media.init, media.track);
    play(rec, archive, clock);
    await rec.stop();
    const segs = segments(db);
    expect(segs.length).toBeGreaterThanOrEqual(4);
    // Segment lengths follow the video (GOP 2 s, 4 s segments), as without audio (ffmpeg stretches a file's first frame by an audio frame).
    for (const sg of segs.slice(0, -1)) expect(Math.abs(sg.end_ms - sg.start_ms - 4000)).toBeLessThanOrEqual(25);
    let audioEnd: number | undefined;
    for (const s of segs) {
      const path = segmentFile(root, s.path);
      const p = probe(path);
      expect(p.codecs).toEqual(['h264', 'aac']);
      expect(p.video[0]!.flags).toContain('K');
      const keys = p.video.filter((k) => k.flags.includes('K')).map((k) => Number(k.pts_time));
      const indexed = unpackKeyframes(s.keyframes);
      expect(indexed.map((k) => Math.round(k.offsetMs))).toEqual(keys.map((k) => Math.round((k - keys[0]!) * 1000)));
      // Reconciling the file (index rebuilt from it) reads the same keyframes.
      expect(scanSegment(path)!.keyframes.map((k) => k.byte)).toEqual(indexed.map((k) => k.byte));
      // Audio continues from the previous segment's end: the audio coded around a roll is in one of the two files.
      const a = p.audio.map((k) => Number(k.pts_time));
      if (audioEnd !== undefined) expect(Math.abs(a[0]! - audioEnd)).toBeLessThan(0.001);
      expect(a.slice(1).every((t, i) => t - a[i]! < 0.03)).toBe(true);
      audioEnd = a.at(-1)! + Number(p.audio.at(-1)!.duration_time);
    }
  });

  it('event mode: the pre-event buffer keeps its audio from the keyframe on', async () => {
    const { db, clock, root, archive } = setup(60_000);
    const rec = new ChannelRecorder(4, { ...continuous, mode: 'event', preMs: 5000, postMs: 3000 }, archive);
    archive.add(rec);
    rec.init(media.init, media.track);
    play(rec, archive, clock, { 12: () => rec.trigger('motion') });
    await rec.stop();
    const segs = segments(db);
    expect(segs).toHaveLength(1);
    // Pre-event: from the keyframe at or before 12 s - 5 s; post-event: to 15 s.
    expect(Math.abs(segs[0]!.start_ms - T0 - 6000)).toBeLessThanOrEqual(25);
    const p = probe(segmentFile(root, segs[0]!.path));
    expect(p.codecs).toEqual(['h264', 'aac']);
    const v = p.video.map((k) => Number(k.pts_time));
    const a = p.audio.map((k) => Number(k.pts_time));
    expect(Math.abs(a[0]! - v[0]!)).toBeLessThan(0.05);
    expect(a.at(-1)! - a[0]!).toBeGreaterThan(v.at(-1)! - v[0]! - 0.1);
    expect(a.slice(1).every((t, i) => t - a[i]! < 0.03)).toBe(true);
  });
});
