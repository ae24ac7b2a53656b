// fMP4 with an audio track, as ffmpeg writes it: init with both tracks, moofs with two trafs, audio-only fragments,
// re-stamping each traf in its own timescale, and taking the audio out again for a player that is not to get it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { boxes, child, Fmp4Reader, fragmentWithoutAudio, initWithoutAudio, readInit, readMoof, repairFragment, type FragmentInfo, type TrackInfo } from '../../electron/core/media/fmp4';
import { retimeFragment } from '../../electron/core/recording/fragment-time';

/** 2 s of 25 fps H.264 (GOP 25) with a 440 Hz tone as AAC at `rate` Hz. */
function encode(movflags: string, rate = 16_000): Buffer {
  return execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}`,
    '-t', '2', '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-f', 'mp4', '-movflags', movflags, 'pipe:1',
  ], { maxBuffer: 64 * 1024 * 1024 });
}

function parts(bytes: Buffer): { init: Buffer; info: TrackInfo; frags: { data: Buffer; info: FragmentInfo }[] } {
  const all = new Fmp4Reader().push(bytes);
  const first = all[0]!;
  if (first.kind !== 'init') throw new Error('no init');
  return { init: first.data, info: first.info, frags: all.flatMap((p) => (p.kind === 'fragment' ? [{ data: p.data, info: p.info }] : [])) };
}

/** Per stream: codec type and packets (pts in seconds, flags) as ffprobe (software nobody here wrote) reads them. */
function probe(bytes: Buffer): { streams: string[]; packets: { stream: number; pts: number; key: boolean }[] } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:packet=stream_index,pts_time,flags', '-of', 'json', 'pipe:0'], { input: bytes }).toString()) as {
    streams: { codec_name: string }[]; packets: { stream_index: number; pts_time: string; flags: string }[];
  };
  return { streams: out.streams.map((s) => s.codec_name), packets: out.packets.map((p) => ({ stream: p.stream_index, pts: Number(p.pts_time), key: p.flags.includes('K') })) };
}

describe('fMP4 with audio', () => {
  const perFrame = encode('frag_keyframe+empty_moov+default_base_moof+frag_every_frame');
  const perGop = encode('frag_keyframe+empty_moov+default_base_moof');

  it('reads both tracks from the init segment', () => {
    const info = readInit(parts(perFrame).init);
    expect(info).toMatchObject({ kind: 'h264', width: 320, height: 180, trackId: 1 });
    expect(info.codec).toMatch(/^avc1\.64/);
    expect(info.audio).toEqual({ trackId: 2, codec: 'mp4a.40.2', timescale: 16_000, sampleRate: 16_000, channels: 1 });
    expect(parts(encode('frag_keyframe+empty_moov+default_base_moof', 8000)).info.audio).toMatchObject({ codec: 'mp4a.40.2', sampleRate: 8000, timescale: 8000 });
  });

  it('takes keyframes and timing from the video traf; audio-only fragments are neither keyframes nor video', () => {
    const { info, frags } = parts(perFrame);
    const video = frags.filter((f) => f.info.video);
    const audioOnly = frags.filter((f) => !f.info.video);
    expect(video).toHaveLength(50);
    // 2 s of 16 kHz AAC in 1024-sample frames: about 31 frames, each fragment its own with frag_every_frame.
    expect(audioOnly.length).toBeGreaterThan(25);
    expect(audioOnly.every((f) => !f.info.keyframe && f.info.audio?.samples === 1)).toBe(true);
    // (ffmpeg leaves the durations of the last few open at the end of a file; a live stream has no end.)
    expect(audioOnly.filter((f) => f.info.audio!.duration === 1024).length).toBeGreaterThan(20);
    expect(video.flatMap((f, i) => (f.info.keyframe ? [i] : []))).toEqual([0, 25]);
    // The first fragment ffmpeg writes is audio; a reader that took it as video would call it a keyframe at 0.
    expect(frags[0]!.info.video).toBe(false);
    // (ffmpeg makes the first frame of a file with audio a little longer.)
    const total = video.reduce((n, f) => n + f.info.duration, 0) / info.timescale;
    expect(total).toBeGreaterThan(1.95);
    expect(total).toBeLessThan(2.1);
    const keys = probe(perFrame).packets.filter((p) => p.stream === 0).flatMap((p, i) => (p.key ? [i] : []));
    expect(keys).toEqual([0, 25]);
  });

  it('reads moofs holding two trafs (one fragment per GOP)', () => {
    const { info, frags } = parts(perGop);
    expect(frags).toHaveLength(2);
    for (const f of frags) {
      expect(f.info).toMatchObject({ video: true, keyframe: true, samples: 25 });
      expect(f.info.audio!.samples).toBeGreaterThan(10);
    }
    expect(frags[1]!.info.baseDecodeTime).toBe(frags[0]!.info.baseDecodeTime + frags[0]!.info.duration);
    expect(frags[1]!.info.duration / info.timescale).toBeCloseTo(1, 3);
    // Without the init's track IDs the first traf is taken as the video one (the old single-track reading).
    const moof = [...boxes(frags[1]!.data)][0]!;
    expect(readMoof(frags[1]!.data, moof).samples).toBe(25);
  });

  it('re-stamps both trafs, each in its own timescale, keeping their offset', () => {
    const { init, info, frags } = parts(perGop);
    const shifted = frags.map((f, i) => retimeFragment(f.data, (100 + i) * info.timescale, 1, info));
    const out = probe(Buffer.concat([init, ...shifted]));
    const v = out.packets.filter((p) => p.stream === 0);
    const a = out.packets.filter((p) => p.stream === 1);
    const before = probe(perGop).packets;
    const a0 = before.filter((p) => p.stream === 1)[0]!.pts - before.filter((p) => p.stream === 0)[0]!.pts;
    expect(v[0]!.pts).toBeCloseTo(100, 2);
    expect(a[0]!.pts - v[0]!.pts).toBeCloseTo(a0, 2);
    // The second GOP moved to 101 s, its audio with it (in 16 kHz units, not 12800 Hz video units).
    expect(v[25]!.pts).toBeCloseTo(101, 2);
    const b2 = before.filter((p) => p.stream === 1).find((p) => p.pts >= before.filter((q) => q.stream === 0)[25]!.pts)!;
    const a2 = a.find((p) => p.pts >= 101)!;
    expect(a2.pts - 101).toBeCloseTo(b2.pts - before.filter((q) => q.stream === 0)[25]!.pts, 2);
    // Slow motion (×2): durations double in both tracks.
    const slow = probe(Buffer.concat([init, retimeFragment(frags[0]!.data, 0, 2, info)])).packets;
    const bv = before.filter((p) => p.stream === 0);
    expect(slow.filter((p) => p.stream === 0)[2]!.pts - slow.filter((p) => p.stream === 0)[1]!.pts).toBeCloseTo(2 * (bv[2]!.pts - bv[1]!.pts), 3);
    const sa = slow.filter((p) => p.stream === 1);
    expect(sa[2]!.pts - sa[1]!.pts).toBeCloseTo((2 * 1024) / 16_000, 3);
  });

  it("puts back a sample ffmpeg flushed before its track's next packet (duration 0, stamped at the next one's time)", () => {
    const { info, frags } = parts(perFrame);
    const audio = frags.filter((f) => !f.info.video && f.info.audio!.duration === 1024);
    const [a, b] = [audio[3]!, audio[4]!];
    // What ffmpeg 5.1 writes from an RTSP camera with audio: b's sample, stamped at b + 1024, lasting 0.
    const broken = Buffer.from(b.data);
    const traf = child(broken, [...boxes(broken)][0]!, 'traf')!;
    const tfdt = child(broken, traf, 'tfdt')!;
    const ts = (buf: Buffer) => readMoof(buf, [...boxes(buf)][0]!, info).audio!;
    const v1 = broken[tfdt.start + 8] === 1;
    if (v1) broken.writeBigUInt64BE(BigInt(b.info.audio!.baseDecodeTime + 1024), tfdt.start + 12);
    else broken.writeUInt32BE(b.info.audio!.baseDecodeTime + 1024, tfdt.start + 12);
    const tfhd = child(broken, traf, 'tfhd')!;
    const trun = child(broken, traf, 'trun')!;
    const tf = broken.readUInt32BE(tfhd.start + 8) & 0xffffff;
    const tr = broken.readUInt32BE(trun.start + 8) & 0xffffff;
    if (tr & 0x100) broken.writeUInt32BE(0, trun.start + 16 + (tr & 0x01 ? 4 : 0) + (tr & 0x04 ? 4 : 0));
    else broken.writeUInt32BE(0, tfhd.start + 16 + (tf & 0x01 ? 8 : 0) + (tf & 0x02 ? 4 : 0));
    expect(ts(broken)).toMatchObject({ baseDecodeTime: b.info.audio!.baseDecodeTime + 1024, duration: 0 });
    const next = new Map<number, number>();
    expect(repairFragment(Buffer.from(a.data), [...boxes(a.data)][0]!, next)).toBe(false);
    expect(repairFragment(broken, [...boxes(broken)][0]!, next)).toBe(true);
    expect(broken.equals(b.data)).toBe(true);
    expect(ts(broken)).toEqual(b.info.audio);
    // A sample already in its place is left alone.
    expect(repairFragment(Buffer.from(b.data), [...boxes(b.data)][0]!, new Map([[info.audio!.trackId, b.info.audio!.baseDecodeTime]]))).toBe(false);
  });

  it('takes the audio out of an init and of fragments for a player that is not to get it', () => {
    for (const bytes of [perFrame, perGop]) {
      const { init, info, frags } = parts(bytes);
      const vInit = initWithoutAudio(init, info);
      expect(readInit(vInit).audio).toBeUndefined();
      const kept = frags.flatMap((f) => fragmentWithoutAudio(f.data, f.info, info) ?? []);
      expect(kept).toHaveLength(frags.filter((f) => f.info.video).length);
      const out = probe(Buffer.concat([vInit, ...kept]));
      expect(out.streams).toEqual(['h264']);
      expect(out.packets).toHaveLength(50);
      // The video samples still decode: every frame comes out.
      const frames = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', 'pipe:0'], { input: Buffer.concat([vInit, ...kept]) }).toString().trim();
      const original = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', 'pipe:0'], { input: bytes }).toString().trim();
      expect(Number(frames)).toBeGreaterThanOrEqual(49);
      expect(frames).toBe(original);
    }
    const { init, info } = parts(encode('frag_keyframe+empty_moov+default_base_moof+frag_every_frame'));
    expect(probe(Buffer.concat([init])).streams).toEqual(['h264', 'aac']);
    expect(initWithoutAudio(init, { ...info, audio: undefined })).toBe(init);
  });
});
