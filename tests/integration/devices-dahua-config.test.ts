// Devices added through the Dahua CGI driver are configured like ONVIF ones (name, time zone with DST and NTP, static IP),
// and DHCP through both drivers: camsim takes its lease, reports the mode, and the station finds the device by its Hello.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CallName, type Device } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { digestFetch } from '../../electron/core/net/http-auth';
import { NS, soapCall } from '../../electron/core/net/soap';
import { at, text } from '../../electron/core/net/xml';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { freeUdpPort, startStationIn, unicastTargets } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('dahua-config-test');
const scope = fileScope();
let fleet: Fleet, st: Station;

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);

beforeAll(async () => {
  const announcePort = await freeUdpPort();
  fleet = scope.add(await startFleet({ devices: 3, channels: 1, subnet: 'random', media: placeholderMedia, announceTo: [{ host: '127.0.0.1', port: announcePort }] }));
  // Where the devices were at the start: the station must follow a device that moves by its Hello.
  const targets = unicastTargets(fleet);
  ({ st } = await startStationIn(scope, scope.tempDir('wp-dahuacfg-'), {
    heartbeatMs: 60_000,
    devices: { unicast: () => targets, scanMs: 1000, heartbeatMs: 60_000, announcePort },
  }));
}, 60_000);

describe('Dahua-driver devices configured like ONVIF ones', () => {
  let dahua: Device;
  let onvif: Device;

  it('sets the name on the device and a time zone with DST by NTP, and reads it back over CGI', async () => {
    await call('devices.scan', {});
    const [a, b] = fleet.manifest.devices;
    dahua = await call('devices.add', { address: a!.ip, httpPort: a!.ports.http, username: 'admin', password: DEFAULT_PASSWORD, driver: 'dahua' });
    onvif = await call('devices.add', { address: b!.ip, httpPort: b!.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    const tz = 'CET-1CEST,M3.5.0,M10.5.0/3';
    expect(await call('devices.configure', { changes: [{ id: dahua.id, name: 'Loading bay' }], time: { tz, dst: true, mode: 'ntp' } })).toEqual([{ id: dahua.id, ok: true }]);
    expect(fleet.device(a!.id).machineName).toBe('Loading bay');
    expect(fleet.device(a!.id).time).toMatchObject({ tz, daylightSavings: true, type: 'NTP' });
    expect(await call('devices.time', { id: dahua.id })).toEqual({ tz, dst: true, mode: 'ntp' });
    const bad = await call('devices.configure', { changes: [{ id: dahua.id }], time: { tz: 'Nowhere', dst: false, mode: 'ntp' } });
    expect(bad[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/“Nowhere” is not a POSIX time zone/) });
    expect(await call('devices.time', { id: dahua.id })).toEqual({ tz, dst: true, mode: 'ntp' });
    // The clock from this PC: global.cgi takes the device's local time, so the station converts UTC into the zone first.
    const ny = 'EST5EDT,M3.2.0,M11.1.0';
    expect(await call('devices.configure', { changes: [{ id: dahua.id }], time: { tz: ny, dst: true, mode: 'pc' } })).toEqual([{ id: dahua.id, ok: true }]);
    expect(await call('devices.time', { id: dahua.id })).toEqual({ tz: ny, dst: true, mode: 'manual' });
    expect(Math.abs(fleet.device(a!.id).now() - Date.now())).toBeLessThan(5_000);
  }, 30_000);

  it('moves a Dahua-driver device to a static address and follows it there', async () => {
    const parts = dahua.address.split('.');
    const to = `${parts[0]}.${parts[1]}.${parts[2]}.${Number(parts[3]) + 100}`;
    expect(await call('devices.configure', { changes: [{ id: dahua.id, ip: to, prefixLength: 24 }] })).toEqual([{ id: dahua.id, ok: true }]);
    const moved = (await call('devices.list')).find((d) => d.id === dahua.id)!;
    expect(moved.address).toBe(to);
    expect(new URL((await call('channels.list')).find((c) => c.id === moved.channels[0]!.channelId)!.mainUrl).hostname).toBe(to);
    dahua = moved;
  }, 30_000);

  it('DHCP through each driver: camsim takes its lease and reports DHCP; the station finds the device again and follows it', async () => {
    for (const dev of [dahua, onvif]) {
      const sim = fleet.manifest.devices.find((d) => d.serial === dev.serial)!;
      expect(fleet.device(sim.id).dhcp).toBe(false);
      expect(await call('devices.configure', { changes: [{ id: dev.id, ip: 'dhcp' }] })).toEqual([{ id: dev.id, ok: true }]);
      const simDev = fleet.device(sim.id);
      expect(simDev.dhcp).toBe(true);
      expect(simDev.ip).not.toBe(dev.address);
      const now = (await call('devices.list')).find((d) => d.id === dev.id)!;
      expect(now.address).toBe(simDev.ip);
      expect(new URL((await call('channels.list')).find((c) => c.id === now.channels[0]!.channelId)!.mainUrl).hostname).toBe(simDev.ip);
      // The device reports the mode over its own protocol too.
      const creds = { username: 'admin', password: DEFAULT_PASSWORD };
      const cgi = await (await digestFetch(`http://${simDev.ip}:${sim.ports.http}/cgi-bin/configManager.cgi?action=getConfig&name=Network`, creds)).text();
      expect(cgi).toContain('table.Network.eth0.DhcpEnable=true');
      const soap = await soapCall(`http://${simDev.ip}:${sim.ports.http}/onvif/device_service`, `<tds:GetNetworkInterfaces xmlns:tds="${NS.tds}"/>`, creds);
      expect(text(at(soap, 'NetworkInterfaces', 'IPv4', 'Config', 'DHCP'))).toBe('true');
      expect(text(at(soap, 'NetworkInterfaces', 'IPv4', 'Config', 'FromDHCP', 'Address'))).toBe(simDev.ip);
    }
  }, 60_000);
});
