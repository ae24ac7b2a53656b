// Live view through the real transport: channel added by RTSP URL, fMP4 over binary WebSocket frames,
// from GStreamer's RTSP server; credentials never leave the core.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fmp4Reader } from '../../electron/core/media/fmp4';
import type { LoopbackServer } from '../../electron/core/server/loopback-server';
import type { Station } from '../../electron/core/station';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { mediaClient, serveStation, servedStationDir } from '../helpers/in-process-station';

const PASSWORD = 'Kx9!pr0ofSecret';
const scope = fileScope();
let dir: string, station: Station, server: LoopbackServer, cam: GstCamera;
/** Every text message any client received. */
const textSeen: string[] = [];

beforeAll(async () => {
  dir = servedStationDir(scope, 'wp-live-');
  cam = scope.add(await startGstCamera('admin', PASSWORD));
  ({ station, server } = scope.add(await serveStation(dir, { media: { graceMs: 500, stallMs: 3000 } })));
});

const client = () => mediaClient(scope, server, textSeen);

describe('live view over the loopback transport', () => {
  let channelId: number;

  it('adds a camera by RTSP URL and keeps its password out of everything the renderer sees', async () => {
    const c = await client();
    const r = await c.call('channels.addRtsp', { name: 'Lobby', mainUrl: cam.url(`admin:${encodeURIComponent(PASSWORD)}`), subUrl: null });
    expect(r.ok).toBe(true);
    expect(r.value).toMatchObject({ name: 'Lobby', mainUrl: `rtsp://127.0.0.1:${cam.port}/test`, hasCredentials: true });
    channelId = r.value.id;
    const bad = await c.call('channels.addRtsp', { name: 'x', mainUrl: 'http://127.0.0.1/x', subUrl: null });
    expect(bad.error).toEqual({ code: 'bad_input', message: 'Main stream URL must be an rtsp:// or rtsps:// address.', reason: 'field.notRtspUrl', params: { field: 'mainUrl' } });
    c.ws.close();
  });

  it('streams init + fragments from the first keyframe, with the codec read from the stream', async () => {
    const c = await client();
    const opened = await c.call('live.open', { streamId: `${channelId}/main` });
    expect(opened.ok).toBe(true);
    await expect.poll(() => c.frames.filter((f) => f.kind === 'fragment').length, { timeout: 15_000 }).toBeGreaterThan(30);
    const init = c.frames[0]!;
    expect(init.kind).toBe('init');
    expect(init.channel).toBe(opened.value.channel);
    expect(init.meta).toMatchObject({ codec: expect.stringMatching(/^avc1\.42/), width: 640, height: 360, transcoded: false });
    expect(c.frames[1]!.keyframe).toBe(true);
    const parts = new Fmp4Reader().push(Buffer.concat(c.frames.map((f) => Buffer.from(f.payload))));
    expect(parts.length).toBe(c.frames.length);
    const states = c.events.filter((e) => e.name === 'stream.status').map((e) => e.payload.state);
    expect(states).toContain('live');

    // A second viewer is served from the same upstream, starting at once from the cached keyframe.
    const d = await client();
    const t0 = Date.now();
    await d.call('live.open', { streamId: `${channelId}/main` });
    await expect.poll(() => d.frames.length, { timeout: 2000 }).toBeGreaterThan(1);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(d.frames[1]!.keyframe).toBe(true);
    // Its init says where the cached GOP starts (the page lays that at time 0 and plays without a seek); the GOP comes as the
    // keyframe alone, then the rest in one frame.
    const [dInit, key] = d.frames;
    const [init2, keyPart, ...more] = new Fmp4Reader().push(Buffer.concat([dInit!, key!].map((f) => Buffer.from(f.payload))));
    expect(more).toEqual([]);
    if (init2?.kind !== 'init' || keyPart?.kind !== 'fragment') throw new Error('expected an init and one fragment');
    expect(keyPart.info.keyframe).toBe(true);
    expect(dInit!.meta!.start).toBeCloseTo(keyPart.info.baseDecodeTime / init2.info.timescale, 6);
    const status = await d.call('streams.status', {});
    expect(status.value).toEqual([expect.objectContaining({ streamId: `${channelId}/main`, state: 'live' })]);
    c.ws.close();
    d.ws.close();
  });

  it('takes a snapshot from the running stream', async () => {
    const c = await client();
    await c.call('live.open', { streamId: `${channelId}/main` });
    await expect.poll(() => c.frames.length, { timeout: 10_000 }).toBeGreaterThan(2);
    const snap = await c.call('live.snapshot', { channelId });
    expect(snap.ok).toBe(true);
    expect(snap.value).toMatchObject({ width: 640, height: 360 });
    const jpeg = readFileSync(snap.value.path);
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(Buffer.from(snap.value.jpegBase64, 'base64').equals(jpeg)).toBe(true);
    c.ws.close();
  });

  it('keyframes only: a viewer so opened gets keyframes alone (stamped), and every frame again from the next keyframe after live.rate', { timeout: 40_000 }, async () => {
    const c = await client();
    const opened = await c.call('live.open', { streamId: `${channelId}/main`, rate: 'keyframes' });
    expect(opened.ok).toBe(true);
    const fragments = () => c.frames.filter((f) => f.kind === 'fragment');
    await expect.poll(() => fragments().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    expect(fragments().every((f) => f.keyframe)).toBe(true);
    // Live ones carry the station's arrival time and their stream time, a GOP apart.
    const live = fragments().filter((f) => f.stamp);
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(live.at(-1)!.stamp!.arrivedAt - Date.now())).toBeLessThan(10_000);
    expect(live.at(-1)!.stamp!.time).toBeGreaterThan(live.at(-2)!.stamp!.time);
    const before = fragments().length;
    expect((await c.call('live.rate', { channel: opened.value.channel, rate: 'full' })).ok).toBe(true);
    await expect.poll(() => fragments().slice(before).filter((f) => !f.keyframe).length, { timeout: 15_000 }).toBeGreaterThan(10);
    expect(fragments()[before]!.keyframe).toBe(true);
    expect((await c.call('live.rate', { channel: opened.value.channel, rate: 'sometimes' })).error).toMatchObject({ code: 'bad_input', params: { field: 'mode' } });
    c.ws.close();
  });

  it('reports a wrong password as auth_failed and holds off retrying', async () => {
    const c = await client();
    const r = await c.call('channels.addRtsp', { name: 'Wrong', mainUrl: cam.url('admin:nope'), subUrl: null, allowSameUrl: true });
    await c.call('live.open', { streamId: `${r.value.id}/main` });
    await expect.poll(() => c.events.find((e) => e.name === 'stream.status' && e.payload.state === 'auth_failed'), { timeout: 10_000 }).toBeTruthy();
    const ev = c.events.find((e) => e.payload.state === 'auth_failed')!;
    expect(ev.payload.reason).toBe('the camera refused the credentials');
    expect(ev.payload.retryAt - Date.now()).toBeGreaterThan(50_000);
    c.ws.close();
  });

  it('never wrote the password to the database, the log or a renderer-bound message', async () => {
    station.logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const files = [join(dir, 'data', 'station.db'), join(dir, 'data', 'station.db-wal'), join(dir, 'data', 'logs', 'station.log'), join(dir, 'data', 'secrets.json')];
    for (const f of files) {
      let bytes: Buffer;
      try { bytes = readFileSync(f); } catch { continue; }
      expect(bytes.includes(PASSWORD), f).toBe(false);
      expect(bytes.includes(encodeURIComponent(PASSWORD)), f).toBe(false);
    }
    expect(textSeen.length).toBeGreaterThan(5);
    for (const t of textSeen) expect(t.includes(PASSWORD) || t.includes(encodeURIComponent(PASSWORD))).toBe(false);
    expect(readdirSync(join(dir, 'data'))).toContain('secrets.json');
  });
});
