// Recording through the station over the real transport: GStreamer's RTSP camera -> StreamHub -> recorder
// (a hub consumer beside live view) -> segment files + index; then timeline, playback over binary media
// frames, thumbnails, lock, export with signed manifest, verify (an altered byte is caught), foreign folder.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMoof } from '../../electron/core/media/fmp4';
import type { LoopbackServer } from '../../electron/core/server/loopback-server';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { fragmentsOf, probeFrames } from '../helpers/archive-media';
import { mediaClient, serveStation, servedStationDir, type MediaClient as Client } from '../helpers/in-process-station';
import { ROOT } from '../helpers/station-process';

const scope = fileScope();
let dir: string, server: LoopbackServer, cam: GstCamera;

beforeAll(async () => {
  dir = servedStationDir(scope, 'wp-arch-');
  cam = scope.add(await startGstCamera());
  ({ server } = scope.add(await serveStation(dir, { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 500 } })));
});

const client = () => mediaClient(scope, server);

const ok = (r: any) => { if (!r.ok) throw new Error(JSON.stringify(r.error)); return r.value; };

describe('recording and playback through the station', () => {
  let c: Client;
  let channelId: number;
  let spans: { start: number; end: number }[];

  it('records a camera continuously into keyframe-rolled segments while live view shares the one connection', async () => {
    c = await client();
    channelId = ok(await c.call('channels.addRtsp', { name: 'Yard', mainUrl: cam.url(), subUrl: null })).id;
    ok(await c.call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 }));
    const [cfg] = ok(await c.call('recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: 30 }));
    expect(cfg!.mode).toBe('continuous');
    const live = ok(await c.call('live.open', { streamId: `${channelId}/main` }));
    await expect.poll(() => c.events.filter((e) => e.name === 'recording.status').at(-1)?.payload.channels[0]?.state, { timeout: 15_000 }).toBe('recording');
    await new Promise((r) => setTimeout(r, 11_000));
    ok(await c.call('live.close', { channel: live.channel }));
    const now = Date.now();
    const [tl] = ok(await c.call('archive.timeline', { channelIds: [channelId], from: now - 60_000, to: now }));
    spans = tl.spans;
    expect(spans).toHaveLength(1);
    expect(spans[0]!.end - spans[0]!.start).toBeGreaterThan(8_000);
    const files = readdirSync(join(dir, 'data', 'recordings', String(channelId)), { recursive: true }).filter((f) => String(f).endsWith('.mp4'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    // Every closed segment plays from its first byte.
    const closed = files.map(String).sort().slice(0, -1);
    for (const f of closed) expect(probeFrames(join(dir, 'data', 'recordings', String(channelId), f))).toBeGreaterThan(75);
    const st = ok(await c.call('recording.status', {}));
    expect(st.channels[0]).toMatchObject({ channelId, mode: 'continuous', state: 'recording' });
    expect(st.forecast.bytesPerDay).toBeGreaterThan(0);
  }, 40_000);

  it('plays from an instant: init, then fragments from the keyframe before it, stamped so the instant is at startSeconds', async () => {
    const at = spans[0]!.start + 5_000;
    c.frames.length = 0;
    const opened = ok(await c.call('playback.open', { channelIds: [channelId], at }));
    const media = opened.channels[0].channel;
    expect(media).toBeGreaterThanOrEqual(1_000_000);
    await expect.poll(() => fragmentsOf(c.frames.filter((f) => f.channel === media)).length, { timeout: 5000 }).toBeGreaterThan(20);
    const [init, first] = c.frames.filter((f) => f.channel === media);
    expect(init!.kind).toBe('init');
    expect(init!.meta).toMatchObject({ codec: expect.stringMatching(/^avc1\./), width: 640, height: 360 });
    expect(first!.keyframe).toBe(true);
    const buf = Buffer.from(first!.payload);
    const info = readMoof(buf, { type: 'moof', start: 0, size: buf.readUInt32BE(0), headerSize: 8 });
    const timescale = 90_000;
    const firstPt = info.baseDecodeTime / timescale;
    // The keyframe at or before the instant (GOP 2 s), laid just before startSeconds.
    expect(opened.state.startSeconds - firstPt).toBeGreaterThanOrEqual(0);
    expect(opened.state.startSeconds - firstPt).toBeLessThanOrEqual(2.05);
    // What was sent decodes.
    const mp4 = Buffer.concat(c.frames.filter((f) => f.channel === media && f.kind !== 'end').map((f) => Buffer.from(f.payload)));
    writeFileSync(join(dir, 'played.mp4'), mp4);
    expect(probeFrames(join(dir, 'played.mp4'))).toBeGreaterThan(20);
    // Speeds and steps answer with the session clock.
    const fast = ok(await c.call('playback.speed', { sessionId: opened.state.sessionId, speed: 32 }));
    expect(fast.speed).toBe(32);
    const step = ok(await c.call('playback.step', { sessionId: opened.state.sessionId, frames: 1 }));
    expect(step.paused).toBe(true);
    const back = ok(await c.call('playback.step', { sessionId: opened.state.sessionId, frames: -1 }));
    expect(step.t0 - back.t0).toBeGreaterThanOrEqual(30);
    expect(step.t0 - back.t0).toBeLessThanOrEqual(50);
    const bad = await c.call('playback.speed', { sessionId: opened.state.sessionId, speed: 3 });
    expect(bad.error.code).toBe('bad_input');
    ok(await c.call('playback.close', { sessionId: opened.state.sessionId }));
    const thumb = ok(await c.call('archive.thumbnail', { channelId, at }));
    expect(Buffer.from(thumb.jpegBase64, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8');
    const days = ok(await c.call('archive.days', { channelIds: [channelId], from: at - 86_400_000 * 31, to: at + 86_400_000, utcOffsetMinutes: 0 }));
    expect(days).toEqual([new Date(at).toISOString().slice(0, 10)]);
  }, 30_000);

  it('exports a range to MP4 with a signed manifest; verify passes, and names the file and bytes of an altered byte', async () => {
    const from = spans[0]!.start + 1000;
    const to = spans[0]!.start + 7000;
    const lock = ok(await c.call('archive.lock', { channelId, from, to, reason: 'case 7' }));
    expect(ok(await c.call('archive.locks', {}))).toEqual([lock]);
    const started = ok(await c.call('export.start', { channelIds: [channelId], from, to }));
    await expect.poll(() => c.events.find((e) => e.name === 'export.progress' && e.payload.exportId === started.exportId && e.payload.state !== 'running')?.payload.state, { timeout: 15_000 }).toBe('done');
    const manifest = JSON.parse(readFileSync(join(started.folder, 'manifest.json'), 'utf8'));
    expect(manifest.files).toHaveLength(1);
    const file = manifest.files[0];
    expect(file).toMatchObject({ channelId, camera: 'Yard', codec: expect.stringMatching(/^avc1/), width: 640, height: 360 });
    expect(Date.parse(file.startUtc)).toBeLessThanOrEqual(from);
    expect(Date.parse(file.endUtc)).toBeGreaterThanOrEqual(to - 100);
    expect(file.startLocal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(manifest.signature.algorithm).toBe('Ed25519');
    const frames = probeFrames(join(started.folder, file.name));
    expect(frames).toBeGreaterThanOrEqual(150);
    const good = ok(await c.call('export.verify', { folder: started.folder }));
    expect(good).toMatchObject({ ok: true, signature: 'valid', trustedKey: true, findings: [] });
    // One byte changed deep in the video.
    const path = join(started.folder, file.name);
    const bytes = readFileSync(path);
    const at = bytes.lastIndexOf('mdat', bytes.length, 'latin1') + 200; // inside the last fragment's video
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(path, bytes);
    const bad = ok(await c.call('export.verify', { folder: started.folder }));
    expect(bad.ok).toBe(false);
    expect(bad.signature).toBe('valid');
    expect(bad.files[0]).toMatchObject({ name: file.name, status: 'altered' });
    const chunk = Math.floor(at / 65536) * 65536;
    expect(bad.findings[0]).toContain(`bytes ${chunk}–${Math.min(chunk + 65535, bytes.length - 1)}`);
    expect(bad.findings[0]).toMatch(/frames of \d{4}-\d\d-\d\dT/);
    // The command-line verifier says the same and fails.
    let out = '';
    try { execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/verify-export.ts'), started.folder], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }); } catch (e) { out = `${(e as { stdout: string }).stdout}${(e as { stderr: string }).stderr}`; }
    expect(out).toContain(`ALTERED  ${file.name}: content differs: bytes ${chunk}`);
    expect(out).toContain('NOT VERIFIED');
    // A manifest edit breaks the signature.
    const m2 = JSON.parse(readFileSync(join(started.folder, 'manifest.json'), 'utf8'));
    m2.files[0].camera = 'Someone else';
    writeFileSync(join(started.folder, 'manifest.json'), JSON.stringify(m2));
    const bad2 = ok(await c.call('export.verify', { folder: started.folder }));
    expect(bad2.signature).toBe('invalid');
  }, 40_000);

  it('opens a copied recordings folder as a foreign archive and browses it (index rebuilt from the files)', async () => {
    const copy = join(dir, 'foreign');
    cpSync(join(dir, 'data', 'recordings'), copy, { recursive: true });
    const opened = ok(await c.call('archive.openFolder', { path: copy }));
    expect(opened.channels).toEqual([channelId]);
    expect(opened.segments).toBeGreaterThanOrEqual(3);
    const [tl] = ok(await c.call('archive.timeline', { source: opened.source, channelIds: [channelId], from: spans[0]!.start - 1000, to: spans[0]!.end }));
    expect(tl.spans[0].start).toBe(spans[0]!.start);
    const chans = ok(await c.call('archive.channels', { source: opened.source }));
    expect(chans).toEqual([{ channelId, name: `Channel ${channelId}` }]);
  }, 30_000);
});
