// The device service inside a real station against camsim on loopback (unicast probes: nothing leaves lo).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CallName, type DiscoveredDevice } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { freeUdpPort, openStation, startStationIn, unicastTargets } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('devices-test');
const NEW_PASSWORD = 'Kx9!fresh-Pass';
const scope = fileScope();
let fleet: Fleet, st: Station, dataDir: string;
const seen: string[] = [];

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);

beforeAll(async () => {
  // A free loopback UDP port for camsim's Hello/Bye (announceTo) that the station listens on.
  const announcePort = await freeUdpPort();
  fleet = scope.add(await startFleet({ devices: 3, channels: 1, uninitialized: 1, nvr: 4, subnet: 'random', media: placeholderMedia, announceTo: [{ host: '127.0.0.1', port: announcePort }] }));
  ({ st, dataDir } = await startStationIn(scope, scope.tempDir('wp-dev-'), {
    heartbeatMs: 60_000,
    devices: { unicast: () => unicastTargets(fleet), scanMs: 1500, heartbeatMs: 200, graceMs: 600, announcePort },
  }));
  // Every renderer-bound message: events and call results go through here.
  st.signals.subscribe((name, payload) => seen.push(JSON.stringify({ name, payload })));
}, 60_000);

describe('devices in the station', () => {
  let found: DiscoveredDevice[] = [];

  it('one scan finds every camsim device with the right fields, ONVIF and DHIP merged', async () => {
    found = await call('devices.scan', {});
    seen.push(JSON.stringify(found));
    expect(found).toHaveLength(fleet.manifest.devices.length);
    for (const m of fleet.manifest.devices) {
      const d = found.find((f) => f.address === m.ip)!;
      expect(d, m.id).toBeDefined();
      expect(d.sources.sort()).toEqual(['dhip', 'onvif']);
      expect(d).toMatchObject({ model: m.model, vendor: m.manufacturer, serial: m.serial, mac: m.mac.toUpperCase(), firmware: m.firmware, httpPort: m.ports.http, kind: m.kind, channels: m.channels.length });
      expect(d.status).toBe(m.initialized ? 'initialised' : 'uninitialised');
      expect(d.endpoint).toBe(m.onvif.endpointReference);
    }
  }, 20_000);

  it('activates the uninitialised ones in a batch with a per-device result; a weak password is refused before sending', async () => {
    const uninit = found.filter((d) => d.status === 'uninitialised').map((d) => d.key);
    expect(uninit).toHaveLength(1);
    expect((await call('devices.activate', { keys: uninit, password: 'weak' }))[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/8 to 32/) });
    const r = await call('devices.activate', { keys: uninit, password: NEW_PASSWORD });
    expect(r).toEqual([{ key: uninit[0], address: uninit[0], ok: true }]);
    const again = await call('devices.scan', {});
    expect(again.find((d) => d.key === uninit[0])?.status).toBe('initialised');
    // It now takes the new password.
    const dev = await call('devices.add', { address: uninit[0], httpPort: found.find((d) => d.key === uninit[0])!.httpPort, username: 'admin', password: NEW_PASSWORD });
    expect(dev.channels).toHaveLength(1);
  }, 20_000);

  it('adds an NVR: its channels become a tree of main+sub channels in the registry', async () => {
    const nvr = fleet.manifest.devices.find((d) => d.kind === 'nvr')!;
    const dev = await call('devices.add', { address: nvr.ip, httpPort: nvr.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    expect(dev).toMatchObject({ kind: 'nvr', model: nvr.model, serial: nvr.serial, status: 'online' });
    expect(dev.channels.map((c) => c.deviceChannel)).toEqual([1, 2, 3, 4]);
    expect(dev.channels.every((c) => c.hasSub)).toBe(true);
    const channels = await call('channels.list');
    const mine = channels.filter((c) => dev.channels.some((x) => x.channelId === c.id));
    expect(mine[0]?.mainUrl).toBe(nvr.channels[0]!.main.rtsp + '&unicast=true&proto=Onvif');
    expect(mine.every((c) => c.hasCredentials && !c.mainUrl.includes('@'))).toBe(true);
    expect((await call('devices.scanResults')).find((d) => d.address === nvr.ip)?.status).toBe('added');
  }, 20_000);

  it('adds a camera through the Dahua CGI driver: identity from magicBox, streams from the realmonitor paths', async () => {
    const cam = fleet.manifest.devices.find((d) => d.id === 'cam-02')!;
    const dev = await call('devices.add', { address: cam.ip, httpPort: cam.ports.http, username: 'admin', password: DEFAULT_PASSWORD, driver: 'dahua' });
    expect(dev).toMatchObject({ driver: 'dahua', model: cam.model, serial: cam.serial, firmware: cam.firmware, vendor: cam.manufacturer });
    const ch = (await call('channels.list')).find((c) => c.id === dev.channels[0]!.channelId)!;
    expect(ch.mainUrl).toBe(cam.channels[0]!.main.rtsp);
    expect(ch.subUrl).toBe(cam.channels[0]!.sub.rtsp);
  }, 20_000);

  it('changes a device IP (conflicts refused first) and follows it there; sets a time zone with DST and reads it back', async () => {
    const dev = (await call('devices.list')).find((d) => d.kind === 'camera')!;
    const other = fleet.manifest.devices.find((d) => d.ip !== dev.address)!;
    expect(await call('devices.configure', { changes: [{ id: dev.id, ip: other.ip }] })).toMatchObject([{
      id: dev.id, ok: false, reason: `${other.ip} is already in use on the network.`, error: { reason: 'device.addressInUse', params: { field: 'ip', address: other.ip } },
    }]);
    const parts = dev.address.split('.');
    const fresh = `${parts[0]}.${parts[1]}.${parts[2]}.${Number(parts[3]) + 100}`;
    expect(await call('devices.configure', { changes: [{ id: dev.id, ip: fresh, prefixLength: 8, name: 'Gate' }] })).toEqual([{ id: dev.id, ok: true }]);
    const moved = (await call('devices.list')).find((d) => d.id === dev.id)!;
    expect(moved).toMatchObject({ address: fresh, name: 'Gate' });
    // Another user who read the device before that change: refused for it, nothing sent; read again, it goes through.
    const stale = await call('devices.configure', { changes: [{ id: dev.id, name: 'Yard', seen: { name: dev.name, address: dev.address } }] });
    expect(stale).toMatchObject([{ id: dev.id, ok: false, reason: expect.stringMatching(/changed by someone else/), error: { reason: 'settings.changedMeanwhile', params: { field: 'seen' } } }]);
    expect((await call('devices.list')).find((d) => d.id === dev.id)!.name).toBe('Gate');
    expect(await call('devices.configure', { changes: [{ id: dev.id, name: 'Gate 2', seen: { name: moved.name, address: moved.address } }] })).toEqual([{ id: dev.id, ok: true }]);
    expect(await call('devices.configure', { changes: [{ id: dev.id, name: 'Gate', seen: { name: 'Gate 2', address: moved.address } }] })).toEqual([{ id: dev.id, ok: true }]);
    const ch = (await call('channels.list')).find((c) => c.id === moved.channels[0]!.channelId)!;
    expect(new URL(ch.mainUrl).hostname).toBe(fresh);
    const tz = 'CET-1CEST,M3.5.0,M10.5.0/3';
    expect(await call('devices.configure', { changes: [{ id: dev.id }], time: { tz, dst: true, mode: 'pc' } })).toEqual([{ id: dev.id, ok: true }]);
    expect(await call('devices.time', { id: dev.id })).toEqual({ tz, dst: true, mode: 'manual' });
    const bad = await call('devices.configure', { changes: [{ id: dev.id }], time: { tz: 'Nowhere', dst: true, mode: 'ntp' } });
    expect(bad[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/InvalidTimeZone/) });
  }, 30_000);

  it('hears Bye and Hello: a device moved by someone else shows at its new address without a rescan', async () => {
    const cam = fleet.manifest.devices.find((d) => d.kind === 'camera' && d.initialized && !d.ip.endsWith('.1'))!;
    const parts = cam.ip.split('.');
    const to = `${parts[0]}.${parts[1]}.${parts[2]}.${Number(parts[3]) + 150}`;
    await fleet.device(cam.id).setAddress(to);
    await expect.poll(async () => (await call('devices.scanResults')).find((d) => d.address === cam.ip)?.status, { timeout: 5000 }).toBe('offline');
    await expect.poll(async () => (await call('devices.scanResults')).find((d) => d.address === to)?.model, { timeout: 5000 }).toBe(cam.model);
    await fleet.device(cam.id).setAddress(cam.ip);
  }, 20_000);

  it('a wrong password is throttled before the device would lock the station out', async () => {
    const cam = fleet.manifest.devices.find((d) => d.kind === 'camera' && d.initialized)!;
    const errors: string[] = [];
    for (let i = 0; i < 6; i++) {
      try { await call('devices.add', { address: cam.ip, httpPort: cam.ports.http, username: 'admin', password: 'Wrong-pass-1' }); }
      catch (e) { errors.push((e as Error).message); }
    }
    expect(errors.filter((e) => /refused the username or password/.test(e)).length).toBeLessThanOrEqual(3);
    expect(errors.at(-1)).toMatch(/next try in \d+ s/);
    // camsim locks after 5 failures in a row; the station stopped at 3.
    expect(fleet.device(cam.id).guard.isLocked('127.0.0.1').locked).toBe(false);
  }, 30_000);

  it('a device that locked the station out is shown as locked with the time left, and is not tried again meanwhile', async () => {
    const dev = (await call('devices.list')).find((d) => d.kind === 'nvr')!;
    const sim = fleet.manifest.devices.find((d) => d.ip === dev.address)!;
    // The station's source address on lo is the device's own 127.x address or 127.0.0.1, depending on the route.
    for (const ip of ['127.0.0.1', dev.address]) fleet.device(sim.id).guard.lock(ip, 20_000);
    try {
      // Reading the time is pre-auth in ONVIF; setting it needs a login, which the device refuses while locked.
      const time = { tz: 'UTC0', dst: false, mode: 'ntp' } as const;
      expect((await call('devices.configure', { changes: [{ id: dev.id }], time }))[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/locked this station out; \d+ s left/) });
      const listed = (await call('devices.list')).find((d) => d.id === dev.id)!;
      expect(listed.lockedUntil).toBeGreaterThan(Date.now() + 10_000);
      fleet.device(sim.id).guard.reset();
      // Not tried again while the lock-out lasts, so it cannot be extended.
      expect((await call('devices.configure', { changes: [{ id: dev.id }], time }))[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/locked this station out/) });
    } finally {
      fleet.device(sim.id).guard.reset();
    }
  }, 20_000);

  it('a device going offline past the grace period raises devices.online', async () => {
    const nvr = fleet.manifest.devices.find((d) => d.kind === 'nvr')!;
    const got = new Promise<unknown>((resolve) => {
      const off = st.signals.subscribe((name, p) => { if (name === 'devices.online' && !(p as { online: boolean }).online) { off(); resolve(p); } });
    });
    await fleet.device(nvr.id).goOffline(3000);
    expect(await got).toMatchObject({ online: false, name: expect.any(String) });
    expect((await call('devices.list')).find((d) => d.address === nvr.ip)?.status).toBe('offline');
  }, 20_000);

  it('exports the device list encrypted with a passphrase and imports it into another station', async () => {
    // The NVR of the previous test comes back first, so every device can be imported.
    await expect.poll(async () => (await call('devices.list')).every((d) => d.status === 'online'), { timeout: 10_000 }).toBe(true);
    // A channel's privacy masks travel with its device.
    const masked = (await call('devices.list')).find((d) => d.channels.length > 1)!;
    const maskedCh = masked.channels[1]!;
    const mask = { name: 'Neighbour window', kind: 'permanent' as const, points: [{ x: 0.1, y: 0.1 }, { x: 0.4, y: 0.1 }, { x: 0.4, y: 0.5 }] };
    await call('masks.save', { channelId: maskedCh.channelId, masks: [mask] });
    const { file, count } = await call('devices.export', { passphrase: 'long enough passphrase' });
    seen.push(JSON.stringify(file));
    expect(count).toBe((await call('devices.list')).length);
    expect(file).not.toContain(DEFAULT_PASSWORD);
    const dir2 = mkdtempSync(join(tmpdir(), 'wp-dev2-'));
    const st2 = await openStation(dir2, { heartbeatMs: 60_000, devices: { heartbeatMs: 60_000 } });
    try {
      const r1 = await st2.dispatch('devices.import', { file, passphrase: 'wrong passphrase' }, session);
      expect(r1).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringMatching(/Wrong passphrase/) } });
      const r2 = await st2.dispatch('devices.import', { file, passphrase: 'long enough passphrase' }, session);
      const online = (await call('devices.list')).map((d) => d.address);
      expect(r2.ok && (r2.value as { address: string; ok: boolean }[]).filter((x) => x.ok).map((x) => x.address).sort()).toEqual(online.sort());
      const listed2 = await st2.dispatch('devices.list', {}, session);
      const ch2 = (listed2.ok ? (listed2.value as { address: string; channels: { channelId: number; deviceChannel: number }[] }[]) : [])
        .find((d) => d.address === masked.address)!.channels.find((c) => c.deviceChannel === maskedCh.deviceChannel)!;
      const masks2 = await st2.dispatch('masks.list', {}, session);
      expect(masks2.ok && masks2.value).toEqual([expect.objectContaining({ channelId: ch2.channelId, ...mask })]);
    } finally {
      await st2.dispose();
      rmSync(dir2, { recursive: true, force: true });
    }
  }, 30_000);

  it('delete erases credentials and channels; the known password appears in no DB, log or renderer-bound message', async () => {
    const list = await call('devices.list');
    seen.push(JSON.stringify(list));
    const first = list[0]!;
    expect(await call('devices.remove', { id: first.id })).toMatchObject({ removed: true });
    expect((await call('channels.list')).some((c) => first.channels.some((x) => x.channelId === c.id))).toBe(false);
    st.logger.flush();
    const files = [join(dataDir, 'station.db'), join(dataDir, 'station.db-wal'), ...readdirSync(join(dataDir, 'logs')).map((f) => join(dataDir, 'logs', f))];
    for (const f of files) {
      let buf: Buffer;
      try { buf = readFileSync(f); } catch { continue; }
      for (const pw of [NEW_PASSWORD, DEFAULT_PASSWORD]) expect(buf.includes(pw), `${pw} in ${f}`).toBe(false);
    }
    for (const m of seen) for (const pw of [NEW_PASSWORD, DEFAULT_PASSWORD]) expect(m.includes(pw)).toBe(false);
  });
});
