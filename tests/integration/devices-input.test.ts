// What a new user typed (issue 22 items 2, 3, 6, 11) against a real in-process station and camsim with video on loopback:
// cameras refused or questioned by name and stream, streams tried before saving, addresses and closed ports named, a
// factory-new device met by "Add by IP", devices named by their own name and their streams already on the list found.
import { beforeAll, describe, expect, it } from 'vitest';
import { StationError, type CallName } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, startFleet, withCredentials, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera } from '../helpers/gst-rtsp';
import { freeTcpPort, startStationIn, unicastTargets } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('devices-input');
const scope = fileScope();
let fleet: Fleet, st: Station, closedPort: number;

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);
/** The StationError a call ends in (the test fails when it succeeds). */
async function refusal(name: CallName, input: unknown): Promise<StationError> {
  const err = await call(name, input).then(() => undefined, (e: unknown) => e);
  expect(err, `${name} should have been refused`).toBeInstanceOf(StationError);
  return err as StationError;
}
beforeAll(async () => {
  // Two cameras with video and one factory-new camera.
  fleet = scope.add(await startFleet({ devices: 3, channels: 1, uninitialized: 1, subnet: 'random' }));
  ({ st } = await startStationIn(scope, scope.tempDir('wp-input-'), { heartbeatMs: 60_000, devices: { unicast: () => unicastTargets(fleet), scanMs: 1000, heartbeatMs: 60_000 } }));
  closedPort = await freeTcpPort();
}, 120_000);

describe('adding cameras by RTSP URL', () => {
  it('refuses a URL without a host, a name already used and a stream already on the list (unless confirmed); nothing is stored', async () => {
    const cam = fleet.manifest.devices[0]!;
    const url = withCredentials(cam.channels[0]!.main.rtsp);
    expect((await refusal('channels.addRtsp', { name: 'Nowhere', mainUrl: 'rtsp://' })).code).toBe('bad_input');
    const first = await call('channels.addRtsp', { name: 'Gate', mainUrl: url, subUrl: null });
    const taken = await refusal('channels.addRtsp', { name: ' gate ', mainUrl: 'rtsp://127.0.0.1:8554/other', subUrl: null });
    expect(taken.code).toBe('conflict');
    expect(taken.message).toMatch(/^Channel name: .*Gate.* already the name of another camera/);
    // The same stream with other credentials and the ONVIF flags is still the same stream.
    const same = await refusal('channels.addRtsp', { name: 'Gate 2', mainUrl: withCredentials(`${cam.channels[0]!.main.rtsp}&unicast=true&proto=Onvif`, { username: 'op', password: 'x' }), subUrl: null });
    expect(same.message).toMatch(/^Main stream URL: this stream is already on the list as the main stream of “Gate”/);
    expect((await call('channels.list')).map((c) => c.name)).toEqual(['Gate']);
    const twice = await call('channels.addRtsp', { name: 'Gate 2', mainUrl: url, subUrl: null, allowSameUrl: true });
    expect((await refusal('channels.rename', { id: twice.id, name: 'GATE' })).message).toMatch(/already the name of another camera/);
    await call('channels.remove', { id: twice.id });
    await call('channels.remove', { id: first.id });
  }, 20_000);

  it('tries a stream before it is saved: codec and size, or why not with host and port', async () => {
    const cam = fleet.manifest.devices[0]!;
    expect(await call('devices.probeStream', { url: withCredentials(cam.channels[0]!.main.rtsp) })).toEqual({ ok: true, codec: 'H.264', width: 1920, height: 1080 });
    expect(await call('devices.probeStream', { url: withCredentials(cam.channels[0]!.sub.rtsp) })).toMatchObject({ ok: true, width: 640, height: 360 });
    expect(await call('devices.probeStream', { url: `rtsp://127.0.0.1:${closedPort}/none` }))
      .toMatchObject({ ok: false, reason: `Nothing answers at 127.0.0.1:${closedPort}: the connection was refused.`, error: { reason: 'stream.connectionRefused' } });
    const host = new URL(cam.channels[0]!.main.rtsp).host;
    expect(await call('devices.probeStream', { url: withCredentials(cam.channels[0]!.main.rtsp, { username: 'admin', password: 'Wrong-pass-1' }) }))
      .toMatchObject({ ok: false, reason: `The camera at ${host.includes(':') ? host : `${host}:554`} refused the username or password in the URL.` });
  }, 30_000);
});

describe('a sweep of an address range (for a LAN that drops multicast)', () => {
  it('asks each address by unicast on the standard discovery ports and finds the cameras there; a range that is not one is refused', async () => {
    const subnet = fleet.manifest.subnet;
    const found = await call('devices.scan', { range: { from: `${subnet}.1`, to: `${subnet}.20` }, durationMs: 1500 });
    expect(found.map((d) => d.address).sort()).toEqual(fleet.manifest.devices.map((d) => d.ip).sort());
    expect(found.filter((d) => d.status === 'uninitialised').map((d) => d.address)).toEqual([fleet.manifest.devices.find((d) => !d.initialized)!.ip]);
    expect((await refusal('devices.scan', { range: { from: `${subnet}.9`, to: `${subnet}.1` } })).message)
      .toBe(`Last address: ${subnet}.1 comes before the first, ${subnet}.9; a sweep runs from the lower address to the higher.`);
    expect((await refusal('devices.scan', { range: { from: '10.0.0.0', to: '10.0.7.255' } })).message).toMatch(/holds 2048 addresses; a sweep asks at most 1024/);
  }, 20_000);
});

describe('trying a stream the station reads through ffmpeg', () => {
  it('a camera with audio is read by ffprobe: codec, size and its audio', async () => {
    const cam = scope.add(await startGstCamera(undefined, undefined, 0, { audio: true }));
    expect(await call('devices.probeStream', { url: cam.url() })).toEqual({ ok: true, codec: 'H.264', width: 640, height: 360, audio: 'G.711 A-law' });
  }, 30_000);
});

describe('adding devices by IP address', () => {
  it('refuses an address with an octet over 255 by the field, and names address and port of a closed port', async () => {
    const bad = await refusal('devices.add', { address: '999.1.1.1', httpPort: 80, username: 'admin', password: 'x' });
    expect(bad.code).toBe('bad_input');
    expect(bad.message).toMatch(/address/);
    const closed = await refusal('devices.add', { address: '127.0.0.1', httpPort: closedPort, username: 'admin', password: 'x' });
    expect(closed.message).toBe(`Nothing answers at 127.0.0.1:${closedPort}: the connection was refused. Check the IP address and the HTTP port.`);
    expect(await call('devices.list')).toEqual([]);
  }, 20_000);

  it('names a factory-new device as such, lists it to activate, and adds it once activated', async () => {
    const fresh = fleet.manifest.devices.find((d) => !d.initialized)!;
    const err = await refusal('devices.add', { address: fresh.ip, httpPort: fresh.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    expect(err.message).toMatch(new RegExp(`^The device at ${fresh.ip}:${fresh.ports.http} is factory-new: .* Activate it first`));
    const row = (await call('devices.scanResults')).find((d) => d.address === fresh.ip);
    expect(row).toMatchObject({ status: 'uninitialised', model: fresh.model, httpPort: fresh.ports.http });
    expect(await call('devices.activate', { keys: [row!.key], password: 'Fresh-Pass-2026' })).toMatchObject([{ ok: true }]);
    const dev = await call('devices.add', { address: fresh.ip, httpPort: fresh.ports.http, username: 'admin', password: 'Fresh-Pass-2026' });
    expect(dev.name).toBe(`camsim-${fresh.id}`);
  }, 30_000);

  it('names devices by their own name (ONVIF name scope, Dahua MachineName) and tells which streams were on the list already', async () => {
    const [a, b] = fleet.manifest.devices.filter((d) => d.initialized);
    const rtsp = await call('channels.addRtsp', { name: 'Yard', mainUrl: withCredentials(a!.channels[0]!.main.rtsp), subUrl: withCredentials(a!.channels[0]!.sub.rtsp) });
    const onvif = await call('devices.add', { address: a!.ip, httpPort: a!.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    expect(onvif.name).toBe(`camsim-${a!.id}`);
    expect(onvif.channels.map((c) => c.name)).toEqual([`camsim-${a!.id}`]);
    expect(onvif.duplicates).toEqual([{ channelId: rtsp.id, name: 'Yard', deviceChannel: 1 }]);
    const dahua = await call('devices.add', { address: b!.ip, httpPort: b!.ports.http, username: 'admin', password: DEFAULT_PASSWORD, driver: 'dahua' });
    expect(dahua.name).toBe(b!.serial);
    expect(dahua.duplicates).toEqual([]);
    expect((await refusal('devices.add', { address: b!.ip, httpPort: b!.ports.http, username: 'admin', password: DEFAULT_PASSWORD })).message)
      .toBe(`IP address: the device at ${b!.ip}:${b!.ports.http} is already in the device list.`);
  }, 30_000);
});
