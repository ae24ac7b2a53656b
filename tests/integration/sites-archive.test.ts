// Many stations, one desk, one clock: two stations serving desks over TLS on 127.0.0.2 (one with its clock 37 s ahead)
// and a desk with a channel of its own, each archive holding the same 40 s of a clip whose frames carry a timestamp code,
// recorded at the same real instant. The desk's timeline of a remote channel is that station's own moved by the
// measured offset; one playback session plays all three channels in step (decoded frames read back); an export of a
// remote channel is a playable file; an offline station's timeline says why at once; refusals of that station's
// rights come back as such; removing a station removes the desk's copy of its archive.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteChannelId, type MediaFrame } from '../../electron/contract';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { START_S } from '../../electron/core/recording/playback';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { openDatabase } from '../../electron/core/storage/db';
import { decodeCodes, FakeClock, feed, fragmentsOf, loadClip, probeFrames } from '../helpers/archive-media';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort, mediaClient, serveStation, servedStationDir, type MediaClient, type ServedStation } from '../helpers/in-process-station';

const scope = fileScope();
const clip = loadClip();
const SKEW = 37_000;
/** The recordings' real start: a few minutes ago, on whole seconds. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 180_000;
let desk: ServedStation, d: MediaClient, rB: MediaClient;
let siteA: number, siteB: number, chA: number, chB: number, offsetB: number;

const ok = (res: any) => {
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
};

/** 40 s of the clip on channel 1, recorded in 10 s segments from `start` (the station's own clock), before the station starts. */
async function seed(dataDir: string, start: number): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'station.db'));
  writeArchiveConfig(db, { segmentMs: 10_000, quotaBytes: null, freeFloorBytes: 0 });
  const clock = new FakeClock(start);
  const archive = new Archive({ db, root: join(dataDir, 'recordings'), logger: pino({ level: 'silent' }), clock: clock.now, freeBytes: () => 1e12 });
  const rec = new ChannelRecorder(1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive);
  archive.add(rec);
  rec.init(clip.init, clip.track);
  for (let n = 0; n < 1000; n += 25) { feed(rec, clip, clock, start, n, n + 25); archive.flush(); }
  await rec.stop();
  archive.flush();
  db.close();
}

async function station(prefix: string, skew: number): Promise<{ s: ServedStation; c: MediaClient; dir: string }> {
  const dir = servedStationDir(scope, prefix);
  await seed(join(dir, 'data'), T0 + skew);
  const s = scope.add(await serveStation(dir, { heartbeatMs: 60_000, ...(skew ? { clock: () => Date.now() + skew } : {}) }));
  const c = await mediaClient(scope, s.server);
  ok(await c.call('channels.addRtsp', { name: `Gate ${prefix}`, mainUrl: 'rtsp://127.0.0.1:9/none', subUrl: null }));
  return { s, c, dir };
}

async function addSite(name: string, c: MediaClient): Promise<number> {
  const port = await freeTcpPort();
  const { fingerprint } = ok(await c.call('sites.setServing', { enabled: true, host: '127.0.0.2', port }));
  const { id } = ok(await d.call('sites.add', { name, host: '127.0.0.2', port, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
  ok(await d.call('sites.trust', { id, fingerprint }));
  // (expect.poll is for tests, not beforeAll.)
  for (const until = Date.now() + 10_000; ok(await d.call('sites.list', {})).find((x: any) => x.id === id)?.state !== 'online';) {
    if (Date.now() > until) throw new Error(`station ${name} did not come online`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return id;
}

beforeAll(async () => {
  const a = await station('wp-sa-a-', 0);
  const b = await station('wp-sa-b-', SKEW);
  rB = b.c;
  const deskDir = servedStationDir(scope, 'wp-sa-desk-');
  await seed(join(deskDir, 'data'), T0);
  desk = scope.add(await serveStation(deskDir, { heartbeatMs: 60_000, remoteArchive: { maxBytes: 64 * 1024 ** 2 } }));
  d = await mediaClient(scope, desk.server);
  ok(await d.call('channels.addRtsp', { name: 'Desk gate', mainUrl: 'rtsp://127.0.0.1:9/desk', subUrl: null }));
  siteA = await addSite('A', a.c);
  siteB = await addSite('B', b.c);
  chA = siteChannelId(siteA, 1);
  chB = siteChannelId(siteB, 1);
  offsetB = ok(await d.call('sites.list', {})).find((x: any) => x.id === siteB).clockOffsetMs;
}, 60_000);

/** The codes of the frames presented at each of `seconds` on a media channel (the fragment starting at or before it), decoded once. */
function codesAt(frames: MediaFrame[], media: number, seconds: number[]): (number | null | undefined)[] {
  const mine = frames.filter((f) => f.channel === media && f.kind !== 'end');
  const pts = fragmentsOf(mine).map((info) => info.baseDecodeTime / clip.track.timescale);
  const codes = decodeCodes(Buffer.concat(mine.map((f) => Buffer.from(f.payload))));
  return seconds.map((s) => codes[pts.findLastIndex((p) => p <= s + 1e-6)]);
}

describe('other stations\' archives on the desk, on one clock', () => {
  it('a remote channel\'s timeline is its station\'s own moved by the measured clock offset, lined up with the others', async () => {
    expect(Math.abs(offsetB - SKEW)).toBeLessThan(200);
    const own = ok(await rB.call('archive.timeline', { channelIds: [1], from: T0 + SKEW - 60_000, to: T0 + SKEW + 60_000 }))[0];
    const [local, a, b] = ok(await d.call('archive.timeline', { channelIds: [1, chA, chB], from: T0 - 60_000, to: T0 + 60_000 }));
    expect(own.spans).toHaveLength(1);
    expect(b).toMatchObject({ channelId: chB, spans: own.spans.map((s: any) => ({ start: s.start - offsetB, end: s.end - offsetB })) });
    expect(b.unavailable).toBeUndefined();
    // The three recordings of the same instant line up on the desk (within the offset's measurement).
    for (const t of [local, a, b]) expect(Math.abs(t.spans[0].start - T0)).toBeLessThan(200);
    const days = ok(await d.call('archive.days', { channelIds: [chB], from: T0 - 86_400_000, to: T0 + 86_400_000, utcOffsetMinutes: 0 }));
    expect(days).toContain(new Date(T0).toISOString().slice(0, 10));
    // Motion search asks the remote channel's station (none of these recordings has a motion grid: nothing covered).
    const motion = ok(await d.call('archive.motionSearch', { channelIds: [1, chB], from: T0, to: T0 + 60_000, region: '1'.repeat(576) }));
    expect(motion).toMatchObject({ hits: [], coveredMs: { 1: 0, [chB]: 0 }, truncated: false });
    const thumb = ok(await d.call('archive.thumbnail', { channelId: chB, at: T0 + 5_000 }));
    expect(Math.abs(thumb.at - (T0 + 4_000))).toBeLessThan(200);
  });

  it('plays a local channel and two stations\' channels in one session, in step, copying ahead while it plays', async () => {
    const at = T0 + 8_460;
    const opened = ok(await d.call('playback.open', { channelIds: [1, chA, chB], at, paused: false }));
    const media = opened.channels.map((c: any) => c.channel);
    // Past the first 10 s segment: the next one was copied from the stations while playing.
    await expect.poll(() => media.every((m: number) => fragmentsOf(d.frames.filter((f) => f.channel === m)).some((f) => f.baseDecodeTime / clip.track.timescale > START_S + 3)), { timeout: 15_000 }).toBe(true);
    ok(await d.call('playback.close', { sessionId: opened.state.sessionId }));
    const seconds = [START_S, START_S + 2.5];
    const codes = media.map((m: number) => codesAt(d.frames, m, seconds));
    seconds.forEach((s, i) => {
      const want = at - T0 + (s - START_S) * 1000;
      // The same instant on every channel: within a frame (40 ms) of the instant asked for.
      for (const c of codes) expect(Math.abs(c[i]! - want), `${codes.map((x: any) => x[i])} at ${s}`).toBeLessThanOrEqual(40);
    });
  });

  it('exports a remote channel: copied from its station, then a playable file from the desk\'s copy', async () => {
    const from = T0 + 21_000, to = T0 + 26_000;
    const { exportId, folder } = ok(await d.call('export.start', { channelIds: [chB], from, to }));
    await expect.poll(() => d.events.find((e) => e.name === 'export.progress' && e.payload.exportId === exportId && e.payload.state !== 'running')?.payload.state, { timeout: 20_000 }).toBe('done');
    const files = readdirSync(folder).filter((f) => f.endsWith('.mp4'));
    expect(files).toHaveLength(1);
    const frames = probeFrames(join(folder, files[0]!));
    expect(frames).toBeGreaterThanOrEqual(125);
    // Its first frame is the keyframe at or before `from` in the desk's clock (GOP 2 s; the clip's code starts again every 20 s).
    const first = decodeCodes(join(folder, files[0]!))[0]!;
    expect(first).toBeGreaterThan(((from - T0) % 20_000) - 2_100);
    expect(first).toBeLessThanOrEqual(((from - T0) % 20_000) + 40);
    expect(ok(await d.call('export.verify', { folder }))).toMatchObject({ ok: true });
  });

  it('that station\'s rights apply: an account there without playback is refused, and the desk says so', async () => {
    ok(await rB.call('users.create', { name: 'desk-viewer', password: 'Viewer-pass-42', roleId: 'viewer', channels: null, mustChangePassword: false }));
    ok(await d.call('sites.setCredentials', { id: siteB, username: 'desk-viewer', password: 'Viewer-pass-42' }));
    await expect.poll(async () => ok(await d.call('sites.list', {})).find((x: any) => x.id === siteB)?.state, { timeout: 10_000 }).toBe('online');
    const [b] = ok(await d.call('archive.timeline', { channelIds: [chB], from: T0, to: T0 + 60_000 }));
    expect(b).toMatchObject({ spans: [], unavailable: { code: 'forbidden' } });
    const play = await d.call('playback.open', { channelIds: [chB], at: T0 + 30_000, paused: true });
    expect(play.error).toMatchObject({ code: 'forbidden' });
    ok(await d.call('sites.setCredentials', { id: siteB, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
  });

  it('an offline station\'s channels: an empty timeline with the reason, at once; removing it removes the desk\'s copy', async () => {
    const cache = join(desk.station.logDir, '..', 'site-archives', String(siteA));
    expect(existsSync(cache)).toBe(true);
    ok(await d.call('sites.setCredentials', { id: siteA, username: TEST_ADMIN.name, password: 'not-the-password-1' }));
    await expect.poll(async () => ok(await d.call('sites.list', {})).find((x: any) => x.id === siteA)?.state, { timeout: 10_000 }).toBe('auth_failed');
    const t0 = Date.now();
    const [local, a] = ok(await d.call('archive.timeline', { channelIds: [1, chA], from: T0, to: T0 + 60_000 }));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(local.spans).toHaveLength(1);
    expect(a).toMatchObject({ spans: [], unavailable: { reason: 'site.notConnected', params: { name: 'A' } } });
    ok(await d.call('sites.remove', { id: siteA }));
    expect(existsSync(cache)).toBe(false);
  });
});
