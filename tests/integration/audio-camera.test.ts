// A camera with audio (GStreamer's RTSP server sending G.711 A-law, the common case) through the whole station:
// the hub codes it to AAC beside the copied video, without holding video back; live viewers get audio only when they
// ask; the recorder keeps it in its segments with the same keyframe index; playback sends it at 1× only; export keeps it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MediaFrame } from '../../electron/contract';
import { boxes, Fmp4Reader, readInit, readMoof, type TrackInfo } from '../../electron/core/media/fmp4';
import { TRANSCODE_ARGS } from '../../electron/core/live/live-service';
import { StreamHub } from '../../electron/core/media/stream-hub';
import { scanSegment } from '../../electron/core/recording/segment-file';
import { unpackKeyframes } from '../../electron/core/recording/segment-index';
import type { LoopbackServer } from '../../electron/core/server/loopback-server';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { fragmentsOf } from '../helpers/archive-media';
import { mediaClient, serveStation, servedStationDir, type MediaClient as Client } from '../helpers/in-process-station';
import { ROOT } from '../helpers/station-process';

const scope = fileScope();
let dir: string, cam: GstCamera, server: LoopbackServer;

beforeAll(async () => {
  dir = servedStationDir(scope, 'wp-audio-');
  cam = scope.add(await startGstCamera(undefined, undefined, 0, { audio: true }));
});

/** Streams (codec, type) and packets as ffprobe (software nobody here wrote) reads a file or bytes. */
function probe(input: string | Buffer): { streams: { codec_name: string; codec_type: string; sample_rate?: string }[]; packets: { stream_index: number; pts_time: string; flags: string }[] } {
  const args = ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type,sample_rate:packet=stream_index,pts_time,flags', '-of', 'json'];
  return JSON.parse(typeof input === 'string' ? execFileSync('ffprobe', [...args, input]).toString() : execFileSync('ffprobe', [...args, 'pipe:0'], { input, maxBuffer: 256 << 20 }).toString());
}

describe('the stream hub on a camera with G.711 audio', () => {
  it('delivers an init with both tracks (AAC 48 kHz) and adds no video latency against the same camera without audio', async () => {
    const log = pino({ level: 'silent' });
    const runs = ['audio', 'none'].map((name) => {
      const hub = new StreamHub({ id: name, url: cam.url(), ffmpegPath: 'ffmpeg', logger: log, ...(name === 'none' && { audioArgs: ['-an'] }) });
      const run = { hub, init: undefined as TrackInfo | undefined, arrivals: new Map<string, number>(), audioOnly: 0, keyframes: 0, firstAt: 0, jumps: [] as string[], zero: 0 };
      const next: Record<string, number> = {};
      hub.attach({
        init: (_d, info) => (run.init = info),
        fragment: (data, info) => {
          // Each track's fragments follow on without a hole or an overlap (ffmpeg's misplaced samples put back).
          const [k, t] = info.video ? ['v', info] : ['a', info.audio!];
          if (t.duration === 0) run.zero++;
          // (RTCP clock sync nudges a camera's timestamps by a few ticks now and then: 5 ms is a hole a player would see.)
          const ts = info.video ? run.init!.timescale : run.init!.audio!.timescale;
          if (next[k] !== undefined && Math.abs(t.baseDecodeTime - next[k]) > ts / 200) run.jumps.push(`${k} ${next[k]} -> ${t.baseDecodeTime}`);
          next[k] = t.baseDecodeTime + t.duration;
          if (!info.video) return void run.audioOnly++;
          if (info.keyframe) run.keyframes++;
          run.firstAt ||= performance.now();
          // The same camera frame is byte-identical in both (-c:v copy): its arrival times compare directly.
          const mdat = [...boxes(data)].find((b) => b.type === 'mdat')!;
          run.arrivals.set(createHash('sha1').update(data.subarray(mdat.start + 8, mdat.start + mdat.size)).digest('hex'), performance.now());
        },
      });
      return run;
    });
    const t0 = performance.now();
    const [withAudio, without] = runs as [typeof runs[0], typeof runs[0]];
    await expect.poll(() => Math.min(withAudio.arrivals.size, without.arrivals.size), { timeout: 30_000, interval: 250 }).toBeGreaterThan(300);
    for (const r of runs) r.hub.close();
    expect(withAudio.init).toMatchObject({ kind: 'h264', width: 640, height: 360, audio: { codec: 'mp4a.40.2', sampleRate: 48_000, channels: 1, timescale: 48_000 } });
    expect(without.init!.audio).toBeUndefined();
    // 48 kHz AAC frames are 1024 samples (21.3 ms): ~47 audio-only fragments a second beside 25 video ones.
    expect(withAudio.audioOnly / withAudio.arrivals.size).toBeGreaterThan(1.5);
    expect(withAudio.keyframes).toBeGreaterThan(4);
    expect(withAudio.zero).toBe(0);
    // (The first video sample of a connection may be stamped a little short of the second.)
    expect(withAudio.jumps.length, withAudio.jumps.join(", ")).toBeLessThanOrEqual(1);
    // Steady state (the last 200 frames both saw): how much later each video frame arrives with audio coded beside it.
    const delays: number[] = [];
    for (const [h, t] of withAudio.arrivals) { const b = without.arrivals.get(h); if (b !== undefined) delays.push(t - b); }
    const last = delays.slice(-200).sort((a, b) => a - b);
    const mean = last.reduce((s, d) => s + d, 0) / last.length;
    console.log(`audio: video fragments later by mean ${mean.toFixed(1)} ms, p50 ${last[100]!.toFixed(1)} ms, p95 ${last[190]!.toFixed(1)} ms over ${last.length} frames; first video fragment after ${Math.round(withAudio.firstAt - t0)} ms (without audio ${Math.round(without.firstAt - t0)} ms)`);
    expect(last.length).toBe(200);
    expect(mean).toBeLessThan(30);
    expect(last[190]!).toBeLessThan(60);
  }, 60_000);
});

describe('the H.265 transcoding fallback with audio', () => {
  it('keeps the audio (copied AAC) beside the H.264 it codes', async () => {
    // An H.265 camera with G.711 audio, played from a file in real time.
    const src = join(dir, 'h265-alaw.mkv');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000',
      '-t', '8', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=25', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_alaw', src]);
    const log = pino({ level: 'silent' });
    const source = new StreamHub({ id: 'h265', url: src, ffmpegPath: 'ffmpeg', logger: log });
    const transcoder = new StreamHub({
      id: 'h265~h264', url: 'pipe:0', ffmpegPath: 'ffmpeg', logger: log, videoArgs: TRANSCODE_ARGS, audioArgs: ['-c:a', 'copy'],
      feed: (stdin) => source.attach({ init: (d) => void stdin.write(d), fragment: (d) => void stdin.write(d), backlog: () => stdin.writableLength }),
    });
    const got = { source: undefined as TrackInfo | undefined, out: undefined as TrackInfo | undefined, video: 0, keyframes: 0, audio: 0 };
    const detach = transcoder.attach({
      init: (_d, info) => (got.out = info),
      fragment: (_d, info) => { if (info.video) { got.video++; if (info.keyframe) got.keyframes++; } else if (info.audio) got.audio++; },
    });
    const offSource = source.attach({ init: (_d, info) => (got.source = info), fragment: () => {} });
    await expect.poll(() => got.video, { timeout: 30_000, interval: 250 }).toBeGreaterThan(60);
    detach();
    offSource();
    source.close();
    transcoder.close();
    expect(got.source).toMatchObject({ kind: 'h265', audio: { codec: 'mp4a.40.2', sampleRate: 48_000 } });
    expect(got.out).toMatchObject({ kind: 'h264', width: 320, height: 180, audio: { codec: 'mp4a.40.2', sampleRate: 48_000 } });
    expect(got.keyframes).toBeGreaterThan(0);
    expect(got.audio).toBeGreaterThan(got.video);
  }, 60_000);
});

const client = () => mediaClient(scope, server);
const ok = (r: any) => { if (!r.ok) throw new Error(JSON.stringify(r.error)); return r.value; };
const onChannel = (c: Client, ch: number) => c.frames.filter((f) => f.channel === ch);
const bytesOf = (frames: MediaFrame[]) => Buffer.concat(frames.filter((f) => f.kind !== 'end').map((f) => Buffer.from(f.payload)));

describe('a camera with audio through the station', () => {
  let c: Client;
  let channelId: number;
  let span: { start: number; end: number };
  const closedAudioHoles: number[][] = [];

  it('sends live audio only to a viewer that asks, and reports the stream has audio', async () => {
    ({ server } = scope.add(await serveStation(dir, { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 500 } })));
    c = await client();
    channelId = ok(await c.call('channels.addRtsp', { name: 'Gate', mainUrl: cam.url(), subUrl: null })).id;
    const streamId = `${channelId}/main`;
    const muted = ok(await c.call('live.open', { streamId })).channel;
    const heard = ok(await c.call('live.open', { streamId, audio: true })).channel;
    await expect.poll(() => Math.min(onChannel(c, muted).length, onChannel(c, heard).length), { timeout: 20_000 }).toBeGreaterThan(60);
    const status = ok(await c.call('streams.status', {})).find((s: { streamId: string }) => s.streamId === streamId);
    expect(status).toMatchObject({ state: 'live', audio: 'mp4a.40.2' });
    ok(await c.call('live.close', { channel: muted }));
    ok(await c.call('live.close', { channel: heard }));
    const [mInit] = onChannel(c, muted);
    const [hInit] = onChannel(c, heard);
    expect(mInit!.meta!.audio).toBeUndefined();
    expect(hInit!.meta).toMatchObject({ codec: expect.stringMatching(/^avc1\./), audio: 'mp4a.40.2' });
    expect(readInit(Buffer.from(mInit!.payload)).audio).toBeUndefined();
    expect(probe(bytesOf(onChannel(c, muted))).streams.map((s) => s.codec_name)).toEqual(['h264']);
    const heardProbe = probe(bytesOf(onChannel(c, heard)));
    expect(heardProbe.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(heardProbe.packets.filter((p) => p.stream_index === 1).length).toBeGreaterThan(20);
  }, 40_000);

  it('records the audio in the segments, with a keyframe index of the video alone', async () => {
    ok(await c.call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 }));
    ok(await c.call('recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: 30 }));
    await expect.poll(() => c.events.filter((e) => e.name === 'recording.status').at(-1)?.payload.channels[0]?.state, { timeout: 15_000 }).toBe('recording');
    const root = join(dir, 'data', 'recordings', String(channelId));
    const closed = () => readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.mp4')).sort().slice(0, -1);
    await expect.poll(() => closed().length, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(2);
    const db = new Database(join(dir, 'data', 'station.db'), { readonly: true });
    for (const f of closed().slice(0, 2)) {
      const path = join(root, f);
      const p = probe(path);
      expect(p.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['video', 'h264'], ['audio', 'aac']]);
      // The index's keyframes are exactly the video keyframes ffprobe sees (GOP 2 s), none of them audio.
      const videoKeys = p.packets.filter((k) => k.stream_index === 0 && k.flags.includes('K')).map((k) => Number(k.pts_time));
      const scan = scanSegment(path)!;
      expect(scan.track.audio?.codec).toBe('mp4a.40.2');
      expect(scan.keyframes).toHaveLength(videoKeys.length);
      const row = db.prepare('SELECT keyframes, base_dts, timescale FROM rec_segment WHERE path LIKE ?').get(`%${f.split('/').at(-1)}`) as { keyframes: Buffer; base_dts: number; timescale: number } | undefined;
      expect(row).toBeDefined();
      if (row) {
        const indexed = unpackKeyframes(row.keyframes);
        expect(indexed.map((k) => k.byte)).toEqual(scan.keyframes.map((k) => k.byte));
        // Within a millisecond: the index keeps exact timescale ticks, ffprobe prints pts_time rounded to microseconds.
        const want = videoKeys.map((t) => (t - videoKeys[0]!) * 1000);
        expect(indexed).toHaveLength(want.length);
        for (const [i, k] of indexed.entries()) expect(Math.abs(k.offsetMs - want[i]!)).toBeLessThanOrEqual(1);
      }
      const at = p.packets.filter((k) => k.stream_index === 1).map((k) => Number(k.pts_time));
      closedAudioHoles.push(at.slice(1).map((t, i) => t - at[i]!).filter((d) => d > 0.1));
      // Every keyframe byte is a moof of a video fragment.
      for (const k of scan.keyframes) expect(readMoofAt(path, k.byte, scan.track)).toMatchObject({ video: true, keyframe: true });
    }
    db.close();
    // The longest span: on a loaded machine the recording's first fraction of a second can stand apart (a stream restarted).
    const spanNow = async () => ok(await c.call('archive.timeline', { channelIds: [channelId], from: Date.now() - 120_000, to: Date.now() }))[0].spans
      .reduce((a: { start: number; end: number } | undefined, b: { start: number; end: number }) => (a && a.end - a.start >= b.end - b.start ? a : b), undefined);
    await expect.poll(async () => { const sp = await spanNow(); return sp ? sp.end - sp.start : 0; }, { timeout: 20_000, interval: 500 }).toBeGreaterThan(8_000);
    span = await spanNow();
  }, 60_000);

  it('plays the recording with audio at 1× and without it at 4×', async () => {
    const at = span.start + 3000;
    // Not asked for (sound off, the default): no audio track at all.
    const quiet = ok(await c.call('playback.open', { channelIds: [channelId], at }));
    const qm = quiet.channels[0].channel;
    await expect.poll(() => fragmentsOf(onChannel(c, qm)).length, { timeout: 10_000 }).toBeGreaterThan(20);
    expect(onChannel(c, qm)[0]!.meta!.audio).toBeUndefined();
    expect(probe(bytesOf(onChannel(c, qm))).streams.map((s) => s.codec_name)).toEqual(['h264']);
    // Sound turned on: the channels start again where they are, with audio.
    const on = ok(await c.call('playback.audio', { sessionId: quiet.state.sessionId, audio: true }));
    expect(on.epoch).toBeGreaterThan(quiet.state.epoch);
    await expect.poll(() => onChannel(c, qm).some((f) => f.kind === 'init' && f.meta?.audio === 'mp4a.40.2'), { timeout: 10_000 }).toBe(true);
    ok(await c.call('playback.close', { sessionId: quiet.state.sessionId }));

    const one = ok(await c.call('playback.open', { channelIds: [channelId], at, audio: true }));
    const media = one.channels[0].channel;
    await expect.poll(() => fragmentsOf(onChannel(c, media)).length, { timeout: 10_000 }).toBeGreaterThan(60);
    const played = onChannel(c, media);
    expect(played[0]!.meta).toMatchObject({ audio: 'mp4a.40.2' });
    const p1 = probe(bytesOf(played));
    expect(p1.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    // Both tracks re-stamped onto the same timeline: audio lies where its video does.
    const v1 = p1.packets.filter((p) => p.stream_index === 0).map((p) => Number(p.pts_time));
    const a1 = p1.packets.filter((p) => p.stream_index === 1).map((p) => Number(p.pts_time));
    expect(a1.length).toBeGreaterThan(40);
    // Without holes: MSE plays only as far as both tracks reach.
    const holes = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]!).filter((d) => d > 0.1);
    console.log('recorded audio holes', JSON.stringify(closedAudioHoles), 'played holes', JSON.stringify(holes(a1)), 'video holes', JSON.stringify(holes(v1)));
    expect(holes(a1)).toEqual([]);
    // Nor two samples at one instant (MSE would drop video to the next keyframe).
    const doubled = (ts: number[]) => ts.slice(1).filter((t, i) => t <= ts[i]!).length;
    expect([doubled(v1), doubled(a1)]).toEqual([0, 0]);
    expect(Math.abs(a1[0]! - v1[0]!)).toBeLessThan(0.5);
    expect(Math.abs(a1.at(-1)! - v1.at(-1)!)).toBeLessThan(0.5);
    c.frames.length = 0;
    ok(await c.call('playback.speed', { sessionId: one.state.sessionId, speed: 4 }));
    // (Fragments of 1× already on their way come first: 4× starts at its init.)
    const fastFrames = () => onChannel(c, media).slice(Math.max(0, onChannel(c, media).findLastIndex((f) => f.kind === 'init')));
    await expect.poll(() => fragmentsOf(fastFrames()).length, { timeout: 10_000 }).toBeGreaterThan(25);
    const fast = fastFrames();
    expect(fast[0]!.kind).toBe('init');
    expect(fast[0]!.meta!.audio).toBeUndefined();
    const p4 = probe(bytesOf(fast));
    expect(p4.streams.map((s) => s.codec_name)).toEqual(['h264']);
    ok(await c.call('playback.close', { sessionId: one.state.sessionId }));
  }, 40_000);

  it('exports MP4 that keeps the aac audio, and the export verifies', async () => {
    const from = span.start + 500;
    const to = span.start + 5500;
    const started = ok(await c.call('export.start', { channelIds: [channelId], from, to }));
    await expect.poll(() => c.events.find((e) => e.name === 'export.progress' && e.payload.exportId === started.exportId && e.payload.state !== 'running')?.payload.state, { timeout: 15_000 }).toBe('done');
    const file = readdirSync(started.folder).find((f) => f.endsWith('.mp4'))!;
    const p = probe(join(started.folder, file));
    expect(p.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['video', 'h264'], ['audio', 'aac']]);
    const v = p.packets.filter((k) => k.stream_index === 0).map((k) => Number(k.pts_time));
    const a = p.packets.filter((k) => k.stream_index === 1).map((k) => Number(k.pts_time));
    expect(v.length).toBeGreaterThan(100);
    // About as much audio as video, on one timeline from 0.
    expect(a.at(-1)! - a[0]!).toBeGreaterThan((v.at(-1)! - v[0]!) - 0.5);
    expect(Math.abs(a[0]! - v[0]!)).toBeLessThan(0.3);
    expect(ok(await c.call('export.verify', { folder: started.folder }))).toMatchObject({ ok: true, findings: [] });
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/verify-export.ts'), started.folder], { cwd: ROOT, encoding: 'utf8' });
    expect(out).not.toContain('NOT VERIFIED');
  }, 40_000);
});

function readMoofAt(path: string, at: number, track: TrackInfo) {
  const buf = execFileSync('tail', ['-c', `+${at + 1}`, path], { maxBuffer: 64 << 20 });
  return readMoof(buf, { type: 'moof', start: 0, size: buf.readUInt32BE(0), headerSize: 8 }, track);
}
