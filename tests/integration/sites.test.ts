// Many stations, one desk: a station serving desks over TLS (127.0.0.2), a desk (another station) that adds it by
// address, compares and pins its certificate, signs in with that station's account, and relays its channel's live
// stream (GStreamer's RTSP server behind it) and its events; a changed certificate and wrong credentials are refused.
// Talk on a remote channel goes through the desk to that station and its camera (camsim, which reports what it heard).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteChannelId } from '../../electron/contract';
import { Fmp4Reader } from '../../electron/core/media/fmp4';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet } from '../../scripts/camsim/fleet';
import { freeTcpPort, mediaClient, serveStation, servedStationDir, type MediaClient, type ServedStation } from '../helpers/in-process-station';

const CAM_PASSWORD = 'Kx9!pr0ofSecret';
const scope = fileScope();
let cam: GstCamera, remote: ServedStation, desk: ServedStation, r: MediaClient, d: MediaClient;
let remoteDir: string, port: number, channelId: number;

/** 0.5 s of a 440 Hz tone at `level` of 32768, as talk.audio takes it (8 kHz 16-bit little-endian PCM, base64). */
const halfSecond = (level: number) => {
  const b = Buffer.alloc(8000);
  for (let i = 0; i < 4000; i++) b.writeInt16LE(Math.round(level * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return b.toString('base64');
};

const ok = (res: any) => {
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
};

beforeAll(async () => {
  cam = scope.add(await startGstCamera('admin', CAM_PASSWORD));
  remoteDir = servedStationDir(scope, 'wp-site-remote-');
  remote = scope.add(await serveStation(remoteDir, { media: { graceMs: 500, stallMs: 1500 }, heartbeatMs: 60_000 }));
  desk = scope.add(await serveStation(servedStationDir(scope, 'wp-site-desk-'), { media: { graceMs: 500, stallMs: 3000 }, heartbeatMs: 60_000 }));
  r = await mediaClient(scope, remote.server);
  d = await mediaClient(scope, desk.server);
  channelId = ok(await r.call('channels.addRtsp', { name: 'Gate', mainUrl: cam.url(`admin:${encodeURIComponent(CAM_PASSWORD)}`), subUrl: null })).id;
  port = await freeTcpPort();
});

describe('remote stations', () => {
  let siteId: number, fingerprint: string;

  it('serves desks over TLS on the address chosen, showing the certificate fingerprint; off by default', async () => {
    const before = ok(await r.call('sites.serving', {}));
    expect(before).toMatchObject({ enabled: false, listening: false, fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    const on = ok(await r.call('sites.setServing', { enabled: true, host: '127.0.0.2', port }));
    expect(on).toMatchObject({ enabled: true, listening: true, host: '127.0.0.2', port, fingerprint: before.fingerprint });
    fingerprint = on.fingerprint;
    // The private key is a secret, never a plain file in the data folder.
    const files = readdirSync(join(remoteDir, 'data', 'remote'));
    expect(files).toEqual(['station-cert.pem']);
    expect(readFileSync(join(remoteDir, 'data', 'remote', 'station-cert.pem'), 'utf8')).not.toMatch(/PRIVATE KEY/);
  });

  it('a desk adds it by address: nothing is sent until the user trusts the certificate it compared', async () => {
    const added = ok(await d.call('sites.add', { name: 'North yard', host: '127.0.0.2', port, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
    siteId = added.id;
    expect(added).toMatchObject({ state: 'untrusted', fingerprint: null, seenFingerprint: fingerprint });
    const wrong = await d.call('sites.trust', { id: siteId, fingerprint: fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00') });
    expect(wrong.error).toMatchObject({ reason: 'site.otherCertificate', params: { field: 'fingerprint' } });
    ok(await d.call('sites.trust', { id: siteId, fingerprint }));
    await expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('online');
    const site = ok(await d.call('sites.list', {}))[0];
    expect(site).toMatchObject({ name: 'North yard', version: expect.any(String), channels: 1 });
    expect(Math.abs(site.clockOffsetMs)).toBeLessThan(1000);
    // The Health page's cards: this station, then the remote one with its own figures.
    const cards = ok(await d.call('health.stations', {}));
    expect(cards[1]).toMatchObject({ id: `site-${siteId}`, name: 'North yard', state: 'online', health: { version: site.version, channels: [expect.objectContaining({ name: 'Gate' })] } });
  });

  it('a desk reconnecting resumes its sign-in there (no password check), and signs in anew once that station ended it', async () => {
    const remoteSignIns = async () => ok(await r.call('auth.sessions', {})).filter((s: any) => s.transport === 'remote');
    const online = () => expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('online');
    const [first] = await remoteSignIns();
    expect(first).toBeDefined();
    ok(await d.call('sites.retry', { id: siteId }));
    await online();
    expect(await remoteSignIns()).toEqual([expect.objectContaining({ id: first.id })]);
    // Ended there (revoked, a restart, the idle time): the desk's saved one is refused, and the password signs in again.
    ok(await r.call('auth.revokeSession', { id: first.id }));
    ok(await d.call('sites.retry', { id: siteId }));
    await online();
    const now = await remoteSignIns();
    expect(now).toHaveLength(1);
    expect(now[0].id).not.toBe(first.id);
  });

  it('the desk lists the remote channel under a namespaced id with its station, and plays it through one upstream', async () => {
    const list = ok(await d.call('channels.list', {}));
    const remoteChannel = list.find((c: any) => c.site);
    expect(remoteChannel).toMatchObject({ id: siteChannelId(siteId, channelId), name: 'Gate', site: { id: siteId, name: 'North yard' }, mainUrl: `watchpost://127.0.0.2:${port}/${channelId}/main`, hasCredentials: false });
    const v1 = await mediaClient(scope, desk.server);
    const v2 = await mediaClient(scope, desk.server);
    for (const v of [v1, v2]) ok(await v.call('live.open', { streamId: `${remoteChannel.id}/main` }));
    for (const v of [v1, v2]) await expect.poll(() => v.frames.filter((f) => f.kind === 'fragment').length, { timeout: 15_000 }).toBeGreaterThan(20);
    const init = v1.frames.find((f) => f.kind === 'init')!;
    expect(init.meta).toMatchObject({ codec: expect.stringMatching(/^avc1\./), width: 640, height: 360 });
    // Whole fMP4 fragments, decodable as the station's own.
    const parts = new Fmp4Reader().push(Buffer.concat(v1.frames.map((f) => Buffer.from(f.payload))));
    expect(parts.filter((p) => p.kind === 'fragment').length).toBeGreaterThan(20);
    // The remote station served the desk one stream: its hub has a single consumer (the desk's relay).
    const streams = ok(await r.call('streams.status', {}));
    expect(streams).toEqual([expect.objectContaining({ streamId: `${channelId}/main`, state: 'live' })]);
    for (const v of [v1, v2]) v.ws.close();
    // PTZ of a remote camera is asked of its station: this one has none, and says so.
    const ptz = await d.call('live.ptz.presets', { channelId: remoteChannel.id });
    expect(ptz.error).toMatchObject({ reason: 'ptz.unsupported', params: { name: 'Gate' } });
  });

  it('relays the remote station events into the desk events, with the station named', async () => {
    ok(await d.call('alarms.saveRule', { name: 'Any lost stream', enabled: true, types: ['stream_lost'], channelIds: null, schedule: '1'.repeat(336), actions: ['notify'] }));
    const v = await mediaClient(scope, desk.server);
    ok(await v.call('live.open', { streamId: `${siteChannelId(siteId, channelId)}/main` }));
    await expect.poll(() => v.frames.length, { timeout: 15_000 }).toBeGreaterThan(5);
    await cam.close();
    await expect.poll(() => d.events.find((e) => e.name === 'alarm.raised' && e.payload.event.detail.startsWith('North yard:')), { timeout: 15_000 }).toBeTruthy();
    const alarm = d.events.find((e) => e.name === 'alarm.raised' && e.payload.event.detail.startsWith('North yard:'))!;
    expect(alarm.payload.event).toMatchObject({ channelId: siteChannelId(siteId, channelId), type: 'stream_lost' });
    const listed = ok(await d.call('events.list', { limit: 50 }));
    expect(listed.events ?? listed).toEqual(expect.arrayContaining([expect.objectContaining({ detail: expect.stringMatching(/^North yard: /) })]));
    v.ws.close();
  });

  it('wrong credentials stop the link without retrying; the password is kept only as a secret', async () => {
    ok(await d.call('sites.setCredentials', { id: siteId, username: TEST_ADMIN.name, password: 'not-the-password-1' }));
    await expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('auth_failed');
    const dataDir = join(desk.station.logDir, '..');
    for (const f of ['station.db', 'station.db-wal', 'logs/station.log']) {
      let text = '';
      try { text = readFileSync(join(dataDir, f)).toString('latin1'); } catch { continue; }
      expect(text).not.toContain('not-the-password-1');
      expect(text).not.toContain(TEST_ADMIN.password);
    }
    ok(await d.call('sites.setCredentials', { id: siteId, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
    await expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('online');
  });

  it('refuses a station that presents a changed certificate until the user compares and trusts the new one', async () => {
    // The remote station's identity is remade (a reinstall, or someone else at its address).
    ok(await r.call('sites.setServing', { enabled: false, host: '127.0.0.2', port }));
    rmSync(join(remoteDir, 'data', 'remote'), { recursive: true });
    await expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('offline');
    // A station that was up and went away is a station alarm on the desk.
    await expect.poll(async () => ok(await d.call('events.list', { types: ['station_offline'] })).filter((e: any) => e.end === null).length, { timeout: 10_000 }).toBe(1);
    const again = ok(await r.call('sites.setServing', { enabled: true, host: '127.0.0.2', port }));
    expect(again.fingerprint).not.toBe(fingerprint);
    ok(await d.call('sites.retry', { id: siteId }));
    await expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('certificate_changed');
    const site = ok(await d.call('sites.list', {}))[0];
    expect(site).toMatchObject({ fingerprint, seenFingerprint: again.fingerprint });
    ok(await d.call('sites.trust', { id: siteId, fingerprint: again.fingerprint }));
    await expect.poll(async () => ok(await d.call('sites.list', {}))[0]?.state, { timeout: 10_000 }).toBe('online');
  });
});

describe('the site tree: stations, devices, channels', () => {
  it('a remote channel carries the device it came from, for the desk to group its channels by', async () => {
    const fleet = scope.add(await startFleet({ devices: 1, channels: 2, subnet: 'random', media: placeholderMedia }));
    const cam = fleet.device(0);
    const dev = ok(await r.call('devices.add', { address: cam.ip, httpPort: fleet.manifest.devices[0]!.ports.http, name: 'Mast 3', username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD }));
    const [first, second] = dev.channels.map((c: any) => c.channelId);
    const onDesk = async () => ok(await d.call('channels.list', {})).filter((c: any) => c.device);
    await expect.poll(async () => (await onDesk()).length, { timeout: 10_000 }).toBe(2);
    expect(await onDesk()).toEqual([first, second].map((id) => expect.objectContaining({
      id: siteChannelId(1, id), device: { id: dev.id, name: 'Mast 3' }, site: { id: 1, name: 'North yard' },
    })));
    // The channel added by RTSP URL has none.
    expect(ok(await d.call('channels.list', {})).find((c: any) => c.id === siteChannelId(1, channelId)).device).toBeUndefined();
  });
});

describe('talk from the desk', () => {
  it('talk on a remote channel is relayed to its station, and the camera behind it hears the desk\'s audio whole', { timeout: 30_000 }, async () => {
    const fleet = scope.add(await startFleet({ devices: 1, channels: 1, subnet: 'random', media: placeholderMedia }));
    const m = fleet.manifest.devices[0]!;
    const dev = ok(await r.call('devices.add', { address: m.ip, httpPort: m.ports.http, name: 'Porch', username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, driver: 'dahua' }));
    const id = siteChannelId(1, dev.channels[0].channelId);
    // The remote station asks the camera about its speaker; the desk's list shows it (its tile has Talk).
    await expect.poll(async () => ok(await d.call('channels.list', {})).find((c: any) => c.id === id)?.speaker, { timeout: 10_000 }).toBe(true);
    expect(ok(await d.call('talk.start', { channelId: id }))).toEqual({ via: 'dahua' });
    for (let i = 0; i < 3; i++) ok(await d.call('talk.audio', { channelId: id, pcm: halfSecond(i % 2 ? 4000 : 8000) }));
    expect(ok(await d.call('talk.stop', { channelId: id }))).toMatchObject({ via: 'dahua' });
    const heard = () => fleet.device(0).channels[0]!.talks.at(-1);
    await expect.poll(() => heard()?.endedAt, { timeout: 5000 }).toBeGreaterThan(0);
    // 1.5 s: two half seconds at 8000 of full scale (RMS 0.173) around one at 4000 (0.086): 0.150 over all.
    expect(heard()).toMatchObject({ via: 'dahua', codec: 'PCMA', durationMs: 1500 });
    expect(heard()!.rms).toBeCloseTo(0.150, 2);
    expect(heard()!.peak).toBeCloseTo(8000 / 32768, 1);
    ok(await r.call('devices.remove', { id: dev.id, recordings: 'keep' }));
  });
});

describe('a remote station of another version', () => {
  it('speaking another major of the contract, it is shown as incompatible with both versions, without a hang or its channels', async () => {
    const newer = scope.add(await serveStation(servedStationDir(scope, 'wp-site-newer-'), { heartbeatMs: 60_000, poseAs: { version: '2.0.0', contract: '2.0' } }));
    const n = await mediaClient(scope, newer.server);
    const on = ok(await n.call('sites.setServing', { enabled: true, host: '127.0.0.3', port: await freeTcpPort() }));
    const added = ok(await d.call('sites.add', { name: 'East gate', host: '127.0.0.3', port: on.port, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
    ok(await d.call('sites.trust', { id: added.id, fingerprint: on.fingerprint }));
    const site = async () => ok(await d.call('sites.list', {})).find((s: any) => s.id === added.id);
    await expect.poll(async () => (await site()).state, { timeout: 10_000 }).toBe('incompatible');
    const ours = ok(await d.call('station.status', {}));
    expect(ours.contract).toMatch(/^1\.\d+$/);
    expect(await site()).toMatchObject({ version: '2.0.0', channels: 0, reason: `runs Watchpost 2.0.0 (contract 2.0), this desk ${ours.version} (contract ${ours.contract})` });
    // Not retried on its own: it stays so until the user retries after updating one of them.
    await new Promise((r) => setTimeout(r, 1200));
    expect((await site()).state).toBe('incompatible');
    // The Health page still answers at once, the station listed as not online.
    const cards = ok(await d.call('health.stations', {}));
    expect(cards.find((c: any) => c.id === `site-${added.id}`)).toMatchObject({ state: 'offline', error: expect.stringContaining('2.0.0') });
    ok(await d.call('sites.remove', { id: added.id }));
  });

  it('a call the remote station does not know is refused in words naming both versions', async () => {
    const { SiteLink } = await import('../../electron/core/sites/site-link');
    const { default: pino } = await import('pino');
    const { fingerprint } = ok(await r.call('sites.serving', {}));
    const link = new SiteLink({
      name: 'North yard', self: { version: '1.9.0', contract: '1.9' }, host: '127.0.0.2', port, fingerprint, username: TEST_ADMIN.name,
      password: async () => TEST_ADMIN.password, logger: pino({ level: 'silent' }), clock: Date.now, onState: () => {}, onChannels: () => {}, onSignal: () => {},
    });
    scope.defer(() => link.stop());
    link.start();
    await expect.poll(() => link.state.state, { timeout: 10_000 }).toBe('online');
    const err = await link.call('sites.fromTheFuture' as any, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'site.unknownCall', params: { name: 'North yard', call: 'sites.fromTheFuture', theirs: link.state.version, ours: '1.9.0' } });
    expect((err as Error).message).toBe(`Station “North yard” (Watchpost ${link.state.version}) does not know sites.fromTheFuture; this desk runs 1.9.0: update one of them.`);
  });
});
