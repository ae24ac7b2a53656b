// The station reading RTSP itself (rtsp-source) inside the StreamHub, against camsim and GStreamer's RTSP server: which
// streams it takes, which it hands to ffmpeg, how it fails and recovers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FragmentInfo, TrackInfo } from '../../electron/core/media/fmp4';
import { StreamHub, type StreamStatus } from '../../electron/core/media/stream-hub';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, startFleet, withCredentials } from '../../scripts/camsim/fleet';
import { probeFrames } from '../helpers/archive-media';
import { startGstCamera } from '../helpers/gst-rtsp';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'wp-ingest-'));
const cleanup: (() => unknown)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const creds = (url: string, password = DEFAULT_PASSWORD) => withCredentials(url, { username: DEFAULT_USERNAME, password });

function watch(url: string) {
  const statuses: StreamStatus[] = [];
  const inits: TrackInfo[] = [];
  const frags: { data: Buffer; info: FragmentInfo }[] = [];
  let init: Buffer | undefined;
  const hub = new StreamHub({ id: 't', url, ffmpegPath: 'ffmpeg', logger: log, stallMs: 1500, onStatus: (s) => statuses.push(s) });
  const detach = hub.attach({
    init: (d, i) => { init ??= d; inits.push(i); },
    fragment: (d, info) => { if (inits.length === 1) frags.push({ data: d, info }); },
  });
  cleanup.push(() => { detach(); hub.close(); });
  const fileOf = () => {
    const f = join(dir, `${Math.random().toString(36).slice(2)}.mp4`);
    writeFileSync(f, Buffer.concat([init!, ...frags.map((x) => x.data)]));
    return f;
  };
  return { hub, statuses, inits, frags, fileOf, state: () => hub.status.state };
}

describe('camsim (digest auth)', () => {
  it('reads the stream itself, without ffmpeg, decodably, and comes back by itself after the camera drops it', async () => {
    const fleet = await startFleet({ devices: 1, channels: 1, subnet: 'random' });
    cleanup.push(() => fleet.close());
    const w = watch(creds(fleet.manifest.devices[0]!.channels[0]!.main.rtsp));
    await expect.poll(() => w.frags.length, { timeout: 10_000 }).toBeGreaterThan(50);
    expect(w.hub.stats.ffmpegStarts).toBe(0);
    expect(w.inits[0]).toMatchObject({ kind: 'h264', width: 1920, height: 1080, timescale: 90_000 });
    expect(w.frags[0]!.info.keyframe).toBe(true);
    // Decode times go up by the frame interval (25 fps), and every picture decodes.
    const dts = w.frags.map((f) => f.info.baseDecodeTime);
    expect(dts.slice(1).every((t, i) => t - dts[i]! === 3600)).toBe(true);
    expect(probeFrames(w.fileOf())).toBe(w.frags.length);

    fleet.devices[0]!.rtspServer!.dropAll();
    await expect.poll(() => w.hub.stats.upstreamStarts, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => w.state(), { timeout: 10_000 }).toBe('live');
    expect(w.hub.stats.ffmpegStarts).toBe(0);
  }, 30_000);

  it('starts anew with a new init segment when the camera changes resolution mid-stream', async () => {
    const fleet = await startFleet({ devices: 1, channels: 1, subnet: 'random' });
    cleanup.push(() => fleet.close());
    const w = watch(creds(fleet.manifest.devices[0]!.channels[0]!.sub.rtsp));
    await expect.poll(() => w.frags.length, { timeout: 10_000 }).toBeGreaterThan(10);
    const seen: { info: FragmentInfo }[] = [];
    const detach = w.hub.attach({ init: () => {}, fragment: (_, info) => seen.push({ info }) });
    cleanup.push(detach);
    fleet.devices[0]!.setResolution(1, 'sub', 320, 180);
    await expect.poll(() => w.inits.length, { timeout: 10_000 }).toBe(2);
    expect(w.inits.map((i) => `${i.width}x${i.height}`)).toEqual(['640x360', '320x180']);
    expect(w.hub.status).toMatchObject({ state: 'live', track: { width: 320, height: 180 } });
    expect(w.hub.stats.upstreamStarts).toBe(1);
    // The first fragment after it is a keyframe whose decode time starts over.
    await expect.poll(() => w.hub.cached().gop.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(w.hub.cached().gop[0]!.info).toMatchObject({ keyframe: true });
    expect(w.hub.cached().gop[0]!.info.baseDecodeTime).toBeLessThan(90_000);
  }, 30_000);

  it('names what went wrong: wrong password, no such stream, nothing listening', async () => {
    const fleet = await startFleet({ devices: 1, channels: 1, subnet: 'random' });
    cleanup.push(() => fleet.close());
    const main = fleet.manifest.devices[0]!.channels[0]!.main.rtsp;
    const bad = watch(creds(main, 'wrong-password'));
    await expect.poll(() => bad.state(), { timeout: 10_000 }).toBe('auth_failed');
    const missing = watch(creds(main.replace(/\/[^/]*$/, '/nope')));
    await expect.poll(() => missing.statuses.at(-1)?.reason, { timeout: 10_000 }).toBe('the camera has no such stream');
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as { port: number }).port;
    free.close();
    const nobody = watch(`rtsp://127.0.0.1:${port}/live`);
    await expect.poll(() => nobody.statuses.at(-1)?.reason, { timeout: 10_000 }).toBe('connection refused');
    for (const w of [bad, missing, nobody]) expect(w.hub.stats.ffmpegStarts).toBe(0);
  }, 30_000);

  it('reads H.265 itself too, decodably', async () => {
    const fleet = await startFleet({ devices: 1, channels: 1, subnet: 'random', codec: 'h265' });
    cleanup.push(() => fleet.close());
    const w = watch(creds(fleet.manifest.devices[0]!.channels[0]!.sub.rtsp));
    await expect.poll(() => w.frags.length, { timeout: 15_000 }).toBeGreaterThan(30);
    expect(w.inits[0]).toMatchObject({ kind: 'h265', width: 640, height: 360 });
    expect(w.inits[0]!.codec).toMatch(/^hev1\./);
    expect(w.hub.stats.ffmpegStarts).toBe(0);
    expect(probeFrames(w.fileOf())).toBe(w.frags.length);
  }, 30_000);
});

describe("GStreamer's RTSP server", () => {
  it('reads its H.264 itself (digest auth), decodably', async () => {
    const cam = await startGstCamera('admin', 'Gst-pass-2024');
    cleanup.push(() => cam.close());
    const w = watch(cam.url('admin:Gst-pass-2024'));
    await expect.poll(() => w.frags.length, { timeout: 10_000 }).toBeGreaterThan(40);
    expect(w.hub.stats.ffmpegStarts).toBe(0);
    expect(w.inits[0]).toMatchObject({ kind: 'h264', width: 640, height: 360 });
    expect(probeFrames(w.fileOf())).toBe(w.frags.length);
  }, 30_000);

  it('hands a camera with audio to ffmpeg, which codes the audio to AAC', async () => {
    const cam = await startGstCamera('admin', 'Gst-pass-2024', 0, { audio: true });
    cleanup.push(() => cam.close());
    const w = watch(cam.url('admin:Gst-pass-2024'));
    await expect.poll(() => w.frags.length, { timeout: 15_000 }).toBeGreaterThan(10);
    expect(w.hub.stats.ffmpegStarts).toBe(1);
    expect(w.inits[0]!.audio?.codec).toBe('mp4a.40.2');
  }, 30_000);
});
