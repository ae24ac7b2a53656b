import { fail, passwordProblems, type ErrorInfo } from '../../contract';
import type { Credentials } from '../net/http-auth';
import { deviceRefusal } from '../net/soap';
import type { DeviceDiscovery } from './device-discovery';
import { reachable, type DeviceMonitor } from './device-monitor';
import type { DeviceServiceOptions } from './device-options';
import { addedAddresses, credentialsOf, deviceRow, onvifUrl, secretKey, type DeviceRow } from './device-table';
import { DahuaDriver } from './drivers/dahua';
import { OnvifDriver } from './drivers/onvif';
import type { LoginThrottle } from './login-throttle';

// Changing what is set on a device in the list: its password, IP address, name and time.

/** What configuring needs of the device service. */
export interface ConfigContext extends Pick<DeviceServiceOptions, 'db' | 'secrets' | 'registry' | 'logger'> {
  throttle: LoginThrottle;
  discovery: DeviceDiscovery;
  monitor: DeviceMonitor;
  /** Tells clients the device list and channels changed. */
  changed(): Promise<void>;
}

export interface ConfigureRequest {
  changes: { id: number; ip?: string; prefixLength: number; name?: string; seen?: { name: string; address: string } }[];
  time?: { tz: string; dst: boolean; mode: 'ntp' | 'pc' };
}

async function driverFor(c: ConfigContext, r: DeviceRow): Promise<OnvifDriver> {
  const d = new OnvifDriver(onvifUrl(r), await credentialsOf(c.secrets, r.id));
  await d.syncClock().catch(() => undefined);
  return d;
}

/** The device's configuration driver: ONVIF, or Dahua CGI for devices added through it. */
async function configDriver(c: ConfigContext, r: DeviceRow): Promise<Pick<OnvifDriver, 'setIpv4' | 'setTime' | 'getTime'> & { setName?: (name: string) => Promise<void> }> {
  if (r.driver === 'dahua') return new DahuaDriver(`http://${r.address}:${r.http_port}`, await credentialsOf(c.secrets, r.id));
  return driverFor(c, r);
}

/** The new password goes to the device first; the station keeps it only once the device took it. */
export async function changePassword(c: ConfigContext, id: number, password: string): Promise<{ changed: boolean }> {
  const r = deviceRow(c.db, id);
  if (r.driver === 'rtsp') throw fail('device.rtspNoPassword');
  const creds = await credentialsOf(c.secrets, id);
  const problems = passwordProblems(password, creds.username);
  if (problems.length) throw fail('device.weakPassword', { field: 'newDevicePassword' }, problems.join(', '));
  await c.throttle.attempt(`${r.address}:${r.http_port}`, async () => {
    if (r.driver === 'dahua') await new DahuaDriver(`http://${r.address}:${r.http_port}`, creds).changePassword(creds.username, creds.password, password);
    else await (await driverFor(c, r)).setPassword(creds.username, password);
  });
  const next: Credentials = { username: creds.username, password };
  await c.secrets.set(secretKey(id), JSON.stringify(next));
  for (const ch of c.registry.idsOfDevice(id)) await c.registry.setCredentials(ch.id, next);
  await c.monitor.unwatch(id);
  c.monitor.watch(r);
  c.logger.info({ device: id }, 'device password changed');
  return { changed: true };
}

export async function deviceTime(c: ConfigContext, id: number): Promise<{ tz: string; dst: boolean; mode: 'ntp' | 'manual' }> {
  const r = deviceRow(c.db, id);
  return c.throttle.attempt(`${r.address}:${r.http_port}`, async () => (await configDriver(c, r)).getTime());
}

/** Changes IP / name / time per device; an address already in use (scan or device list) is refused before anything is sent. */
export async function configure(c: ConfigContext, input: ConfigureRequest): Promise<{ id: number; ok: boolean; reason?: string; error?: ErrorInfo }[]> {
  const taken = new Set([...c.discovery.all()].filter((d) => d.status !== 'offline').map((d) => d.address));
  for (const a of addedAddresses(c.db)) taken.add(a);
  const wanted = new Map<string, number>();
  for (const ch of input.changes) if (ch.ip && ch.ip !== 'dhcp') wanted.set(ch.ip, (wanted.get(ch.ip) ?? 0) + 1);
  const results = await Promise.all(input.changes.map(async (ch) => {
    try {
      const r = deviceRow(c.db, ch.id);
      // Someone else renamed or moved it since the caller read it: nothing is sent, the caller reads it again.
      if (ch.seen && (ch.seen.name !== r.name || ch.seen.address !== r.address)) {
        return { id: ch.id, ok: false, ...deviceRefusal(fail('settings.changedMeanwhile', { field: 'seen' })) };
      }
      if (ch.ip && ch.ip !== 'dhcp' && ch.ip !== r.address && (taken.has(ch.ip) || (wanted.get(ch.ip) ?? 0) > 1)) {
        return { id: ch.id, ok: false, ...deviceRefusal(fail('device.addressInUse', { field: 'ip', address: ch.ip })) };
      }
      const target = `${r.address}:${r.http_port}`;
      if (input.time) {
        const t = input.time;
        await c.throttle.attempt(target, async () => (await configDriver(c, r)).setTime(t.tz, t.dst, t.mode));
      }
      if (ch.name) {
        const name = ch.name;
        if (r.driver === 'dahua') await c.throttle.attempt(target, async () => (await configDriver(c, r)).setName?.(name));
        c.db.prepare('UPDATE device SET name = ? WHERE id = ?').run(name, ch.id);
      }
      if (ch.ip && ch.ip !== r.address) {
        // DHCP: the new address is the server's choice, so the device is found again by who it is (Hello or a rescan).
        const identity = identityOf(c, r);
        await c.throttle.attempt(target, async () => (await configDriver(c, r)).setIpv4(ch.ip!, ch.prefixLength));
        await follow(c, r, ch.ip === 'dhcp' ? await findMoved(c, r, identity) : ch.ip);
      }
      return { id: ch.id, ok: true };
    } catch (err) {
      return { id: ch.id, ok: false, ...deviceRefusal(err) };
    }
  }));
  await c.changed();
  return results;
}

function identityOf(c: ConfigContext, r: DeviceRow): { endpoint: string | null; mac: string; serial: string } {
  const scanned = c.discovery.get(r.address);
  return { endpoint: scanned?.endpoint ?? null, mac: (scanned?.mac || r.mac).toUpperCase(), serial: scanned?.serial || r.serial };
}

/** Where a device that left its address went: its Hello or a rescan shows it elsewhere with the same endpoint, MAC or serial. */
async function findMoved(c: ConfigContext, r: DeviceRow, id: { endpoint: string | null; mac: string; serial: string }): Promise<string> {
  const until = Date.now() + 20_000;
  let lastScan = Date.now();
  for (;;) {
    for (const d of c.discovery.all()) {
      if (d.address === r.address || d.status === 'offline') continue;
      if ((id.endpoint && d.endpoint === id.endpoint) || (id.mac && d.mac.toUpperCase() === id.mac) || (id.serial && d.serial === id.serial)) return d.address;
    }
    if (Date.now() > until) throw fail('device.lostAfterDhcp');
    if (Date.now() - lastScan > 2000) { lastScan = Date.now(); await c.discovery.scan({ durationMs: 1000 }).catch(() => undefined); }
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** After an IP change: the device list, its channels and the scan row follow the device to its new address once it answers there. */
async function follow(c: ConfigContext, r: DeviceRow, ip: string): Promise<void> {
  const until = Date.now() + 15_000;
  while (!(await reachable(ip, r.http_port))) {
    if (Date.now() > until) throw fail('device.silentAtNewAddress', { address: ip });
    await new Promise((res) => setTimeout(res, 200));
  }
  const url = r.service_url ? (() => { const u = new URL(r.service_url); u.hostname = ip; return u.toString(); })() : null;
  c.db.prepare('UPDATE device SET address = ?, service_url = ? WHERE id = ?').run(ip, url, r.id);
  c.registry.rehostDevice(r.id, ip);
  await c.monitor.unwatch(r.id);
  c.monitor.watch(deviceRow(c.db, r.id));
  const scanned = c.discovery.get(r.address);
  if (scanned) {
    // Nothing answers at the old address any more; the table shows that rather than silently dropping the row.
    c.discovery.upsert({ ...scanned, status: 'offline' });
    c.discovery.upsert({ ...scanned, key: ip, address: ip, xaddr: scanned.xaddr ? (() => { const u = new URL(scanned.xaddr); u.hostname = ip; return u.toString(); })() : null });
  }
}
