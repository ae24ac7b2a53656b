// Devices wired to events and the timeline: a device added (or known at start) has its own events watched; offline past the
// grace period raises device_offline and shows as an offline gap on its channels' timeline. Real station, camsim on loopback.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CallName, type Device } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { openStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('devices-events-test');
const GRACE_MS = 800;
const scope = fileScope();
let fleet: Fleet, st: Station, dataDir: string;

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);

const open = () => openStation(dataDir, {
  heartbeatMs: 60_000,
  // The event sources' own offline timer is kept long, so device_offline here comes from the devices' heartbeat.
  eventsOptions: { sourceRetryMs: 200, offlineGraceMs: 600_000 },
  devices: { heartbeatMs: 200, graceMs: GRACE_MS },
});

const eventsOf = async (type: string, channelId: number) => (await call('events.list', { types: [type] })).filter((e) => e.channelId === channelId);

/** Raises the event on the camera until the station has it (a fresh subscription may not be up yet). */
async function raiseUntilSeen(device: string, channel: number, channelId: number): Promise<void> {
  await expect.poll(async () => {
    fleet.device(device).raiseEvent({ kind: 'temperature', channel, value: 20 + channel });
    return (await eventsOf('temperature', channelId)).length;
  }, { timeout: 15_000, interval: 500 }).toBeGreaterThan(0);
}

beforeAll(async () => {
  fleet = scope.add(await startFleet({ devices: 2, channels: 1, nvr: 2, subnet: 'random', media: placeholderMedia }));
  dataDir = scope.tempDir('wp-devev-');
  // The station open at the end is disposed: a test reopens it.
  scope.defer(() => st?.dispose());
  st = await open();
}, 60_000);

describe('devices and events', () => {
  let onvifNvr: Device;
  let dahuaCam: Device;

  it('an added device has its events watched: ONVIF (NVR channel 2) and Dahua attach, mapped to the station channels', async () => {
    const nvr = fleet.manifest.devices.find((d) => d.kind === 'nvr')!;
    const cam = fleet.manifest.devices.find((d) => d.id === 'cam-02')!;
    onvifNvr = await call('devices.add', { address: nvr.ip, httpPort: nvr.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    dahuaCam = await call('devices.add', { address: cam.ip, httpPort: cam.ports.http, username: 'admin', password: DEFAULT_PASSWORD, driver: 'dahua' });
    const ch2 = onvifNvr.channels.find((c) => c.deviceChannel === 2)!.channelId;
    await raiseUntilSeen(nvr.id, 2, ch2);
    expect((await eventsOf('temperature', ch2))[0]).toMatchObject({ source: 'onvif', value: 22 });
    // Channel 1's events land on channel 1, not on channel 2.
    expect(await eventsOf('temperature', onvifNvr.channels.find((c) => c.deviceChannel === 1)!.channelId)).toHaveLength(0);
    await raiseUntilSeen(cam.id, 1, dahuaCam.channels[0]!.channelId);
    expect((await eventsOf('temperature', dahuaCam.channels[0]!.channelId))[0]).toMatchObject({ source: 'dahua' });
  }, 40_000);

  it('offline past the grace period: one device_offline event, and an offline gap on every channel of the device until it is back', async () => {
    const nvr = fleet.manifest.devices.find((d) => d.kind === 'nvr')!;
    const first = onvifNvr.channels[0]!.channelId;
    const t0 = Date.now();
    const offlineMs = GRACE_MS + 2500;
    await fleet.device(nvr.id).goOffline(offlineMs);
    await expect.poll(() => eventsOf('device_offline', first), { timeout: 10_000 }).toHaveLength(1);
    const ev = (await eventsOf('device_offline', first))[0]!;
    expect(ev.start - t0).toBeGreaterThanOrEqual(GRACE_MS);
    expect(ev.detail).toContain(nvr.ip);
    await fleet.device(nvr.id).whenOnline();
    await expect.poll(async () => (await call('devices.list')).find((d) => d.id === onvifNvr.id)?.status, { timeout: 10_000 }).toBe('online');
    const tl = await call('archive.timeline', { source: 'local', channelIds: onvifNvr.channels.map((c) => c.channelId), from: t0 - 1000, to: Date.now() + 1000 });
    expect(tl).toHaveLength(2);
    for (const c of tl) {
      const gaps = c.gaps.filter((g) => g.reason === 'camera_offline');
      expect(gaps.length, `channel ${c.channelId}`).toBeGreaterThan(0);
      const start = Math.min(...gaps.map((g) => g.start));
      const end = Math.max(...gaps.map((g) => g.end));
      // The gap starts when the device stopped answering and runs until it answered again.
      expect(start).toBeGreaterThanOrEqual(t0 - 300);
      expect(start).toBeLessThan(t0 + 1000);
      expect(end - start).toBeGreaterThanOrEqual(offlineMs - 1000);
    }
    // The other device's channel has no gap.
    const other = await call('archive.timeline', { source: 'local', channelIds: [dahuaCam.channels[0]!.channelId], from: t0 - 1000, to: Date.now() + 1000 });
    expect(other[0]!.gaps).toHaveLength(0);
    // Back online: no second offline event.
    expect(await eventsOf('device_offline', first)).toHaveLength(1);
  }, 40_000);

  it('on a station restart every known device is watched again', async () => {
    await st.dispose();
    st = await open();
    const ch1 = onvifNvr.channels.find((c) => c.deviceChannel === 1)!.channelId;
    await raiseUntilSeen(fleet.manifest.devices.find((d) => d.kind === 'nvr')!.id, 1, ch1);
  }, 40_000);

  it('a deleted device is no longer watched', async () => {
    const camIndex = 'cam-02';
    const removedCh = dahuaCam.channels[0]!.channelId;
    await call('devices.remove', { id: dahuaCam.id });
    const before = (await eventsOf('motion', removedCh)).length;
    fleet.device(camIndex).raiseEvent({ kind: 'motion', channel: 1, state: true });
    // An event raised after it on a device still watched arrives; the deleted device's never does.
    const nvrCh = onvifNvr.channels.find((c) => c.deviceChannel === 2)!.channelId;
    await expect.poll(async () => {
      fleet.device(fleet.manifest.devices.find((d) => d.kind === 'nvr')!.id).raiseEvent({ kind: 'motion', channel: 2, state: true });
      return (await eventsOf('motion', nvrCh)).length;
    }, { timeout: 15_000, interval: 500 }).toBeGreaterThan(0);
    expect((await eventsOf('motion', removedCh)).length).toBe(before);
  }, 40_000);
});
