import net from 'node:net';
import { StationError, type ActivationResult, type Device, type DeviceStatus, type DiscoveredDevice } from '../../contract';
import type { SignalBus } from '../signal-bus';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import type { ChannelRegistry } from './channel-registry';
import { ipv4Interfaces, listenAnnouncements, scan, type ScanHit, type UnicastTarget } from './discovery/scanner';
import { readScopes } from './discovery/ws-discovery';
import { DahuaDriver, dahuaDevInit } from './drivers/dahua';
import { OnvifDriver } from './drivers/onvif';
import { DeviceAuthError, type Credentials } from '../net/http-auth';
import { SoapFault } from '../net/soap';
import { decryptDeviceFile, encryptDeviceFile, type DeviceFileEntry } from './device-file';
import { LoginThrottle } from './login-throttle';
import { CoverStore } from './cover-store';
import { passwordProblems } from '../../contract';

export interface DeviceServiceOptions {
  db: Db;
  secrets: SecretStore;
  registry: ChannelRegistry;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  /** Probe these addresses by unicast instead of multicasting (tests: camsim on loopback). */
  unicast?: () => UnicastTarget[];
  /** Hear Hello/Bye on this loopback port (tests: camsim's announceTo) instead of the multicast group. */
  announcePort?: number;
  /** Join the WS-Discovery group for Hello/Bye (off unless asked: it binds 3702). */
  listenMulticast?: boolean;
  heartbeatMs?: number;
  graceMs?: number;
  scanMs?: number;
  /** Called when a device's channels go away, so live view can close them. */
  forgetChannel?: (id: number) => void;
  /** The events area: watches a device's own events (returns a disposer) and hears that a device stayed offline past the grace period. */
  deviceEvents?: {
    watch(cfg: { driver: 'onvif' | 'dahua'; url: string; username: string; password: string; channelMap: Record<string, number> }): () => Promise<void>;
    offline(e: { deviceId: number; channelIds: number[]; name: string; address: string; since: number; at: number }): void;
  };
  /** Channel cover images live here (one file per channel). */
  coversDir?: string;
  /** A JPEG snapshot of a channel (live view's), for a cover taken from the channel. */
  snapshot?: (channelId: number) => Promise<Buffer>;
  /** Deletes a channel's recordings (a device deleted with "delete its recordings"). */
  deleteRecordings?: (channelId: number) => Promise<{ deleted: number; keptLocked: number }>;
  /** The recording index: a device's offline period as a gap on its channels' timeline (returns the id to extend next time). */
  offlineGap?: (channelId: number, start: number, end: number, extendId?: number) => number;
}

interface Row {
  id: number; name: string; driver: 'onvif' | 'dahua' | 'rtsp'; kind: 'camera' | 'nvr'; vendor: string; model: string; serial: string;
  mac: string; firmware: string; address: string; http_port: number; rtsp_port: number; service_url: string | null;
  status: DeviceStatus; channel_count: number; last_seen_at: number | null; created_at: number;
}

const secretKey = (id: number) => `device:${id}`;

/** Discovery, activation, the managed device list and its heartbeat. */
export class DeviceService {
  private readonly found = new Map<string, DiscoveredDevice>();
  private readonly throttle: LoginThrottle;
  private readonly offlineSince = new Map<number, number>();
  private readonly announced = new Set<number>();
  /** Per offline device: the open gap of each of its channels. */
  private readonly gaps = new Map<number, Map<number, number>>();
  /** Event watchers per device: the disposer, or the start in progress. */
  private readonly watchers = new Map<number, Promise<(() => Promise<void>) | undefined>>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopAnnouncements: (() => Promise<void>) | undefined;
  private scanning: Promise<DiscoveredDevice[]> | undefined;
  private disposed = false;

  private readonly covers: CoverStore | undefined;
  private stopChannelWatch: (() => void) | undefined;

  constructor(private readonly o: DeviceServiceOptions) {
    this.throttle = new LoginThrottle(o.clock);
    this.covers = o.coversDir ? new CoverStore(o.coversDir) : undefined;
  }

  async start(): Promise<void> {
    for (const r of this.o.db.prepare('SELECT * FROM device').all() as Row[]) this.watch(r);
    // A channel removed anywhere (Live page, a device deleted) takes its cover image with it.
    this.stopChannelWatch = this.o.signals.subscribe((name, payload) => {
      if (name !== 'channels.changed' || !this.covers) return;
      const ids = new Set((payload as { id: number }[]).map((c) => c.id));
      for (const id of this.covers.ids()) if (!ids.has(id)) this.covers.remove(id);
    });
    const t = setInterval(() => void this.beat(), this.o.heartbeatMs ?? 5000);
    t.unref();
    this.heartbeat = t;
    const onAnnounce = (m: { kind: 'Hello'; from: string; endpoint: import('./discovery/ws-discovery').WsdEndpoint } | { kind: 'Bye'; from: string; endpoint: string }) => {
      if (m.kind === 'Hello') this.hit({ source: 'onvif', from: m.from, endpoint: m.endpoint });
      // A Bye counts only from the address the device was heard at, so a stranger cannot mark it gone.
      else for (const d of this.found.values()) if (d.endpoint === m.endpoint && d.address === m.from) this.upsert({ ...d, status: 'offline' });
    };
    try {
      if (this.o.announcePort) this.stopAnnouncements = await listenAnnouncements({ port: this.o.announcePort, address: '127.0.0.1' }, onAnnounce);
      else if (this.o.listenMulticast) this.stopAnnouncements = await listenAnnouncements({ port: 3702, address: '0.0.0.0', group: true }, onAnnounce);
    } catch (err) {
      this.o.logger.warn({ err }, 'cannot listen for WS-Discovery Hello/Bye');
    }
  }

  // ---- discovery ----

  private upsert(d: DiscoveredDevice): void {
    this.found.set(d.key, d);
    this.o.signals.emit('devices.discovered', d);
  }

  private addedAddresses(): Set<string> {
    return new Set((this.o.db.prepare('SELECT address FROM device').all() as { address: string }[]).map((r) => r.address));
  }

  private hit(h: ScanHit): void {
    const key = h.from;
    const prev = this.found.get(key);
    const added = this.addedAddresses().has(h.from);
    const base: DiscoveredDevice = prev ?? {
      key, address: h.from, sources: [], status: 'initialised', kind: 'camera', vendor: '', model: '', name: '', mac: '', serial: '',
      firmware: '', httpPort: 80, rtspPort: null, channels: null, xaddr: null, endpoint: null, lastSeenAt: 0,
    };
    const d = { ...base, sources: [...base.sources], lastSeenAt: this.o.clock() };
    if (h.source === 'onvif') {
      const s = readScopes(h.endpoint.scopes);
      const x = h.endpoint.xaddrs[0]!;
      d.xaddr = x;
      d.endpoint = h.endpoint.endpoint;
      d.httpPort = Number(new URL(x).port || 80);
      d.model ||= s.hardware;
      d.name ||= s.name;
      if (s.nvr) d.kind = 'nvr';
      d.status = s.factoryDefault ? 'uninitialised' : 'initialised';
      if (!d.sources.includes('onvif')) d.sources.push('onvif');
    } else {
      const v = h.device;
      Object.assign(d, {
        mac: v.mac || d.mac, vendor: v.vendor || d.vendor, model: v.model || d.model, serial: v.serial || d.serial,
        firmware: v.firmware || d.firmware, name: d.name || v.name, channels: v.channels, kind: v.nvr ? 'nvr' : d.kind,
      });
      if (!d.xaddr) d.httpPort = v.httpPort;
      // ONVIF's Profile Q scope is authoritative when both answered; DHIP's Init bits otherwise.
      if (!d.sources.includes('onvif')) d.status = v.initialised ? 'initialised' : 'uninitialised';
      if (!d.sources.includes('dhip')) d.sources.push('dhip');
    }
    if (added) d.status = 'added';
    if (JSON.stringify({ ...prev, lastSeenAt: 0 }) !== JSON.stringify({ ...d, lastSeenAt: 0 })) this.upsert(d);
    else this.found.set(key, d);
  }

  async scan(input: { interfaces?: string[]; durationMs?: number }): Promise<DiscoveredDevice[]> {
    if (this.scanning) return this.scanning;
    const started = this.o.clock();
    const run = async () => {
      const all = ipv4Interfaces();
      const interfaces = input.interfaces?.length ? all.filter((i) => input.interfaces!.includes(i.name) || input.interfaces!.includes(i.address)).map((i) => i.address) : undefined;
      await scan({ unicast: this.o.unicast?.(), interfaces, durationMs: input.durationMs ?? this.o.scanMs ?? 3000, onHit: (h) => this.hit(h) });
      // Not heard in this scan: offline (kept in the table so the installer sees it went away).
      for (const d of this.found.values()) if (d.lastSeenAt < started && d.status !== 'offline') this.upsert({ ...d, status: 'offline' });
      return this.results();
    };
    this.scanning = run().finally(() => { this.scanning = undefined; });
    return this.scanning;
  }

  results(): DiscoveredDevice[] {
    return [...this.found.values()].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
  }

  // ---- activation ----

  async activate(input: { keys: string[]; username: string; password?: string; passwords?: Record<string, string>; email?: string }): Promise<ActivationResult[]> {
    const total = input.keys.length;
    let done = 0;
    const one = async (key: string): Promise<ActivationResult> => {
      const d = this.found.get(key);
      const password = input.passwords?.[key] ?? input.password ?? '';
      const fail = (reason: string) => ({ key, address: d?.address ?? key, ok: false, reason });
      if (!d) return fail('not in the scan results');
      const problems = passwordProblems(password, input.username);
      if (problems.length) return fail(`password: ${problems.join(', ')}`);
      if (d.status !== 'uninitialised') return fail('already initialised');
      // Dahua DevInit carries the reset e-mail; ONVIF's CreateUsers has no place for one, which the result says.
      const viaDahua = d.sources.includes('dhip') && (!d.xaddr || Boolean(input.email));
      try {
        if (viaDahua) await dahuaDevInit(`http://${d.address}:${d.httpPort}`, input.username, password, input.email);
        else await new OnvifDriver(d.xaddr!).createAdmin(input.username, password);
        this.upsert({ ...d, status: 'initialised' });
        this.o.logger.info({ address: d.address, via: viaDahua ? 'dahua' : 'onvif' }, 'device activated');
        return { key, address: d.address, ok: true, ...(input.email && !viaDahua ? { note: 'reset e-mail not set: ONVIF has no reset e-mail' } : {}) };
      } catch (err) {
        return fail(err instanceof SoapFault ? `${err.subcodes.at(-1) ?? 'fault'}: ${err.message}` : (err as Error).message);
      }
    };
    const results: ActivationResult[] = new Array(total);
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const r = await one(input.keys[i]!);
        results[i] = r;
        this.o.signals.emit('devices.activation', { done: ++done, total, result: r });
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, total) }, worker));
    return results;
  }

  // ---- device list ----

  private row(id: number): Row {
    const r = this.o.db.prepare('SELECT * FROM device WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new StationError('not_found', `no device with id ${id}`);
    return r;
  }

  private toDevice(r: Row): Device {
    return {
      id: r.id, name: r.name, driver: r.driver, kind: r.kind, vendor: r.vendor, model: r.model, serial: r.serial, mac: r.mac,
      firmware: r.firmware, address: r.address, httpPort: r.http_port, rtspPort: r.rtsp_port, status: r.status,
      lockedUntil: this.throttle.lockedUntil(`${r.address}:${r.http_port}`) ?? null, lastSeenAt: r.last_seen_at, createdAt: r.created_at,
      channels: this.o.registry.idsOfDevice(r.id).map((c) => ({ channelId: c.id, deviceChannel: c.device_channel, name: c.name, hasSub: c.sub_url !== null, hasCover: this.covers?.has(c.id) ?? false })),
    };
  }

  list(): Device[] {
    return (this.o.db.prepare('SELECT * FROM device ORDER BY id').all() as Row[]).map((r) => this.toDevice(r));
  }

  private async changed(): Promise<void> {
    this.o.signals.emit('devices.changed', this.list());
    this.o.signals.emit('channels.changed', await this.o.registry.list());
  }

  async add(input: { address: string; httpPort: number; username: string; password: string; name?: string; driver?: 'onvif' | 'dahua' }): Promise<Device> {
    const target = `${input.address}:${input.httpPort}`;
    if (this.o.db.prepare('SELECT 1 FROM device WHERE address = ? AND http_port = ?').get(input.address, input.httpPort)) {
      throw new StationError('conflict', `${target} is already in the device list`);
    }
    const scanned = this.found.get(input.address);
    const url = scanned?.xaddr && scanned.httpPort === input.httpPort ? scanned.xaddr : `http://${target}/onvif/device_service`;
    const creds: Credentials = { username: input.username, password: input.password };
    // The driver is chosen by probing: ONVIF first; a device that answers no SOAP (or is asked for by name) goes through Dahua's CGI.
    let driverKind: 'onvif' | 'dahua' = input.driver ?? 'onvif';
    const viaOnvif = async () => {
      const driver = new OnvifDriver(url, creds);
      await driver.syncClock();
      return { info: await driver.deviceInformation(), channels: await driver.channels() };
    };
    const viaDahua = async () => {
      const driver = new DahuaDriver(`http://${target}`, creds);
      return { info: await driver.deviceInformation(), channels: await driver.channels(scanned?.channels ?? 1) };
    };
    const { info, channels } = await this.throttle.attempt(target, async () => {
      if (driverKind === 'dahua') return viaDahua();
      try {
        return await viaOnvif();
      } catch (err) {
        if (err instanceof DeviceAuthError || input.driver === 'onvif') throw err;
        driverKind = 'dahua';
        return viaDahua();
      }
    });
    const rtspPort = Number(channels[0] ? new URL(channels[0].main).port || 554 : 554);
    const kind = scanned?.kind === 'nvr' || channels.length > 1 && /NVR/i.test(info.model) ? 'nvr' : (scanned?.kind ?? 'camera');
    const id = Number(this.o.db.prepare(
      `INSERT INTO device (name, driver, kind, vendor, model, serial, mac, firmware, address, http_port, rtsp_port, service_url, status, channel_count, last_seen_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'online', ?, ?, ?)`,
    ).run(
      (input.name ?? scanned?.name ?? '') || `${info.model || 'Device'} ${input.address}`, driverKind, kind, info.manufacturer, info.model, info.serial,
      scanned?.mac ?? '', info.firmware, input.address, input.httpPort, rtspPort, driverKind === 'onvif' ? url : null, channels.length, this.o.clock(), this.o.clock(),
    ).lastInsertRowid);
    await this.o.secrets.set(secretKey(id), JSON.stringify(creds));
    const devName = (input.name ?? scanned?.name ?? '') || info.model || input.address;
    for (const c of channels) {
      await this.o.registry.addForDevice({
        deviceId: id, deviceChannel: c.channel, name: channels.length > 1 ? `${devName} CH${c.channel}` : devName,
        mainUrl: c.main, subUrl: c.sub, credentials: creds,
      });
    }
    if (scanned) this.upsert({ ...scanned, status: 'added' });
    this.watch(this.row(id));
    this.o.logger.info({ device: id, address: input.address, channels: channels.length }, 'device added');
    await this.changed();
    return this.toDevice(this.row(id));
  }

  /** Deletes the device and its channels' entries; its credentials are erased. Its recordings stay (the archive keeps them by channel id) unless asked to go. */
  async remove(id: number, recordings: 'keep' | 'delete' = 'keep'): Promise<{ removed: boolean; deletedSegments: number; keptLocked: number }> {
    const r = this.row(id);
    await this.unwatch(id);
    let deletedSegments = 0;
    let keptLocked = 0;
    for (const c of this.o.registry.idsOfDevice(id)) {
      this.o.forgetChannel?.(c.id);
      await this.o.registry.remove(c.id);
      this.covers?.remove(c.id);
      if (recordings === 'delete' && this.o.deleteRecordings) {
        const d = await this.o.deleteRecordings(c.id);
        deletedSegments += d.deleted;
        keptLocked += d.keptLocked;
      }
    }
    const removed = this.o.db.prepare('DELETE FROM device WHERE id = ?').run(id).changes > 0;
    await this.o.secrets.delete(secretKey(id));
    const scanned = this.found.get(r.address);
    if (scanned?.status === 'added') this.upsert({ ...scanned, status: 'initialised' });
    this.offlineSince.delete(id);
    this.announced.delete(id);
    this.gaps.delete(id);
    this.o.logger.info({ device: id, recordings, deletedSegments, keptLocked }, 'device removed');
    await this.changed();
    return { removed, deletedSegments, keptLocked };
  }

  // ---- editing ----

  /** The new password goes to the device first; the station keeps it only once the device took it. */
  async changePassword(id: number, password: string): Promise<{ changed: boolean }> {
    const r = this.row(id);
    if (r.driver === 'rtsp') throw new StationError('bad_input', 'an RTSP-only device has no password the station can change');
    const stored = await this.o.secrets.get(secretKey(id));
    if (!stored) throw new StationError('conflict', `no credentials kept for device ${id}`);
    const creds = JSON.parse(stored) as Credentials;
    const problems = passwordProblems(password, creds.username);
    if (problems.length) throw new StationError('bad_input', `password: ${problems.join(', ')}`);
    await this.throttle.attempt(`${r.address}:${r.http_port}`, async () => {
      if (r.driver === 'dahua') await new DahuaDriver(`http://${r.address}:${r.http_port}`, creds).changePassword(creds.username, creds.password, password);
      else await (await this.driverFor(r)).setPassword(creds.username, password);
    });
    const next: Credentials = { username: creds.username, password };
    await this.o.secrets.set(secretKey(id), JSON.stringify(next));
    for (const c of this.o.registry.idsOfDevice(id)) await this.o.registry.setCredentials(c.id, next);
    await this.unwatch(id);
    this.watch(r);
    this.o.logger.info({ device: id }, 'device password changed');
    return { changed: true };
  }

  private coverStore(): CoverStore {
    if (!this.covers) throw new StationError('unavailable', 'this station keeps no cover images');
    return this.covers;
  }

  async setCover(input: { channelId: number; from: 'snapshot' } | { channelId: number; imageBase64: string }): Promise<{ channelId: number; type: string; bytes: number }> {
    const store = this.coverStore();
    await this.o.registry.get(input.channelId);
    let image: Buffer;
    if ('from' in input) {
      if (!this.o.snapshot) throw new StationError('unavailable', 'no snapshots on this station');
      image = await this.o.snapshot(input.channelId);
    } else {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.imageBase64)) throw new StationError('bad_input', 'the cover image is not base64');
      image = Buffer.from(input.imageBase64, 'base64');
    }
    const saved = store.set(input.channelId, image);
    await this.changed();
    return { channelId: input.channelId, ...saved };
  }

  cover(channelId: number): { imageBase64: string; type: string } | null {
    const c = this.coverStore().get(channelId);
    return c ? { imageBase64: c.image.toString('base64'), type: c.type } : null;
  }

  async removeCover(channelId: number): Promise<{ removed: boolean }> {
    const removed = this.coverStore().remove(channelId);
    await this.changed();
    return { removed };
  }

  // ---- configuration ----

  private async driverFor(r: Row): Promise<OnvifDriver> {
    const d = new OnvifDriver(r.service_url ?? `http://${r.address}:${r.http_port}/onvif/device_service`, await this.credentialsOf(r));
    await d.syncClock().catch(() => undefined);
    return d;
  }

  private async credentialsOf(r: Row): Promise<Credentials> {
    const stored = await this.o.secrets.get(secretKey(r.id));
    if (!stored) throw new StationError('conflict', `no credentials kept for device ${r.id}`);
    return JSON.parse(stored) as Credentials;
  }

  /** For PTZ (media/ptz-service.ts): an ONVIF device's service URL, credentials and login throttle; null for other drivers. */
  async onvifAccess(id: number): Promise<{ url: string; credentials: Credentials; attempt<T>(fn: () => Promise<T>): Promise<T> } | null> {
    const r = this.row(id);
    const stored = r.driver === 'onvif' ? await this.o.secrets.get(secretKey(r.id)) : undefined;
    if (!stored) return null;
    const target = `${r.address}:${r.http_port}`;
    return { url: r.service_url ?? `http://${target}/onvif/device_service`, credentials: JSON.parse(stored) as Credentials, attempt: (fn) => this.throttle.attempt(target, fn) };
  }

  /** The device's configuration driver: ONVIF, or Dahua CGI for devices added through it. */
  private async configDriver(r: Row): Promise<Pick<OnvifDriver, 'setIpv4' | 'setTime' | 'getTime'> & { setName?: (name: string) => Promise<void> }> {
    if (r.driver === 'dahua') return new DahuaDriver(`http://${r.address}:${r.http_port}`, await this.credentialsOf(r));
    return this.driverFor(r);
  }

  async time(id: number): Promise<{ tz: string; dst: boolean; mode: 'ntp' | 'manual' }> {
    const r = this.row(id);
    return this.throttle.attempt(`${r.address}:${r.http_port}`, async () => (await this.configDriver(r)).getTime());
  }

  /** Changes IP / name / time per device; an address already in use (scan or device list) is refused before anything is sent. */
  async configure(input: {
    changes: { id: number; ip?: string; prefixLength: number; name?: string }[];
    time?: { tz: string; dst: boolean; mode: 'ntp' | 'pc' };
  }): Promise<{ id: number; ok: boolean; reason?: string }[]> {
    const taken = new Set([...this.found.values()].filter((d) => d.status !== 'offline').map((d) => d.address));
    for (const a of this.addedAddresses()) taken.add(a);
    const wanted = new Map<string, number>();
    for (const c of input.changes) if (c.ip && c.ip !== 'dhcp') wanted.set(c.ip, (wanted.get(c.ip) ?? 0) + 1);
    const results = await Promise.all(input.changes.map(async (c) => {
      try {
        const r = this.row(c.id);
        if (c.ip && c.ip !== 'dhcp' && c.ip !== r.address && (taken.has(c.ip) || (wanted.get(c.ip) ?? 0) > 1)) {
          return { id: c.id, ok: false, reason: `${c.ip} is already in use on the network` };
        }
        const target = `${r.address}:${r.http_port}`;
        if (input.time) {
          const t = input.time;
          await this.throttle.attempt(target, async () => (await this.configDriver(r)).setTime(t.tz, t.dst, t.mode));
        }
        if (c.name) {
          const name = c.name;
          if (r.driver === 'dahua') await this.throttle.attempt(target, async () => (await this.configDriver(r)).setName?.(name));
          this.o.db.prepare('UPDATE device SET name = ? WHERE id = ?').run(name, c.id);
        }
        if (c.ip && c.ip !== r.address) {
          // DHCP: the new address is the server's choice, so the device is found again by who it is (Hello or a rescan).
          const identity = this.identityOf(r);
          await this.throttle.attempt(target, async () => (await this.configDriver(r)).setIpv4(c.ip!, c.prefixLength));
          await this.follow(r, c.ip === 'dhcp' ? await this.findMoved(r, identity) : c.ip);
        }
        return { id: c.id, ok: true };
      } catch (err) {
        const reason = err instanceof SoapFault ? `${err.subcodes.at(-1) ?? 'fault'}: ${err.message}` : (err as Error).message;
        return { id: c.id, ok: false, reason };
      }
    }));
    await this.changed();
    return results;
  }

  private identityOf(r: Row): { endpoint: string | null; mac: string; serial: string } {
    const scanned = this.found.get(r.address);
    return { endpoint: scanned?.endpoint ?? null, mac: (scanned?.mac || r.mac).toUpperCase(), serial: scanned?.serial || r.serial };
  }

  /** Where a device that left its address went: its Hello or a rescan shows it elsewhere with the same endpoint, MAC or serial. */
  private async findMoved(r: Row, id: { endpoint: string | null; mac: string; serial: string }): Promise<string> {
    const until = Date.now() + 20_000;
    let lastScan = Date.now();
    for (;;) {
      for (const d of this.found.values()) {
        if (d.address === r.address || d.status === 'offline') continue;
        if ((id.endpoint && d.endpoint === id.endpoint) || (id.mac && d.mac.toUpperCase() === id.mac) || (id.serial && d.serial === id.serial)) return d.address;
      }
      if (Date.now() > until) throw new StationError('unavailable', 'the device took DHCP but was not found again on the network; scan to find it');
      if (Date.now() - lastScan > 2000) { lastScan = Date.now(); await this.scan({ durationMs: 1000 }).catch(() => undefined); }
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /** After an IP change: the device list, its channels and the scan row follow the device to its new address once it answers there. */
  private async follow(r: Row, ip: string): Promise<void> {
    const until = Date.now() + 15_000;
    while (!(await this.reachable(ip, r.http_port))) {
      if (Date.now() > until) throw new StationError('unavailable', `the device accepted ${ip} but does not answer there`);
      await new Promise((res) => setTimeout(res, 200));
    }
    const url = r.service_url ? (() => { const u = new URL(r.service_url); u.hostname = ip; return u.toString(); })() : null;
    this.o.db.prepare('UPDATE device SET address = ?, service_url = ? WHERE id = ?').run(ip, url, r.id);
    this.o.registry.rehostDevice(r.id, ip);
    await this.unwatch(r.id);
    this.watch(this.row(r.id));
    const scanned = this.found.get(r.address);
    if (scanned) {
      // Nothing answers at the old address any more; the table shows that rather than silently dropping the row.
      this.upsert({ ...scanned, status: 'offline' });
      this.upsert({ ...scanned, key: ip, address: ip, xaddr: scanned.xaddr ? (() => { const u = new URL(scanned.xaddr); u.hostname = ip; return u.toString(); })() : null });
    }
  }

  // ---- export / import ----

  async exportList(passphrase: string): Promise<{ file: string; count: number }> {
    const rows = this.o.db.prepare('SELECT * FROM device ORDER BY id').all() as Row[];
    const entries: DeviceFileEntry[] = [];
    for (const r of rows) {
      const stored = await this.o.secrets.get(secretKey(r.id));
      if (!stored) continue;
      const c = JSON.parse(stored) as Credentials;
      entries.push({ name: r.name, address: r.address, httpPort: r.http_port, username: c.username, password: c.password });
    }
    return { file: encryptDeviceFile(entries, passphrase), count: entries.length };
  }

  async importList(file: string, passphrase: string): Promise<{ address: string; ok: boolean; reason?: string }[]> {
    const out: { address: string; ok: boolean; reason?: string }[] = [];
    for (const e of decryptDeviceFile(file, passphrase).slice(0, 256)) {
      try {
        await this.add({ address: e.address, httpPort: e.httpPort, username: e.username, password: e.password, name: e.name });
        out.push({ address: e.address, ok: true });
      } catch (err) {
        out.push({ address: e.address, ok: false, reason: (err as Error).message });
      }
    }
    return out;
  }

  // ---- device events ----

  /** Starts watching a device's own events (motion, alarms, sensors) once; a device that cannot be asked yet is tried again when the heartbeat finds it. */
  private watch(r: Row): void {
    const ev = this.o.deviceEvents;
    if (!ev || r.driver === 'rtsp' || this.watchers.has(r.id) || this.disposed) return;
    const driver = r.driver;
    let started!: Promise<(() => Promise<void>) | undefined>;
    started = (async () => {
      const stored = await this.o.secrets.get(secretKey(r.id));
      if (!stored) return undefined;
      const c = JSON.parse(stored) as Credentials;
      const channelMap = Object.fromEntries(this.o.registry.idsOfDevice(r.id).map((ch) => [String(ch.device_channel), ch.id]));
      const url = driver === 'dahua'
        ? `http://${r.address}:${r.http_port}`
        : await this.throttle.attempt(`${r.address}:${r.http_port}`, async () => {
          const d = new OnvifDriver(r.service_url ?? `http://${r.address}:${r.http_port}/onvif/device_service`, c);
          await d.syncClock().catch(() => undefined);
          return d.eventsUrl();
        });
      if (this.disposed || this.watchers.get(r.id) !== started) return undefined;
      return ev.watch({ driver, url, username: c.username, password: c.password, channelMap });
    })().catch((err: unknown) => {
      // A refused password is not retried by itself (that could lock the device out); anything else is, at the next beat that reaches it.
      if (!(err instanceof StationError && err.code === 'bad_input') && this.watchers.get(r.id) === started) this.watchers.delete(r.id);
      this.o.logger.warn({ device: r.id, err: (err as Error).message }, 'device events not watched');
      return undefined;
    });
    this.watchers.set(r.id, started);
  }

  private async unwatch(id: number): Promise<void> {
    const w = this.watchers.get(id);
    this.watchers.delete(id);
    await (await w)?.();
  }

  /** The open offline gaps of a device run to `at` (opened from `since` on first call). */
  private extendGaps(id: number, since: number, at: number): void {
    if (!this.o.offlineGap) return;
    const open = this.gaps.get(id) ?? new Map<number, number>();
    this.gaps.set(id, open);
    for (const ch of this.o.registry.idsOfDevice(id)) open.set(ch.id, this.o.offlineGap(ch.id, since, at, open.get(ch.id)));
  }

  // ---- heartbeat ----

  /** A TCP connect to the device's HTTP port: no login, so monitoring can never count against the lock-out. */
  private reachable(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect({ host: address, port, timeout: 2000 });
      const done = (ok: boolean) => { s.destroy(); resolve(ok); };
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
      s.once('timeout', () => done(false));
    });
  }

  async beat(): Promise<void> {
    if (this.disposed) return;
    const rows = this.o.db.prepare('SELECT * FROM device').all() as Row[];
    const grace = this.o.graceMs ?? 30_000;
    const alive = await Promise.all(rows.map((r) => this.reachable(r.address, r.http_port)));
    if (this.disposed) return;
    const now = this.o.clock();
    const notices: Parameters<SignalBus['emit']>[] = [];
    const offline: { r: Row; since: number }[] = [];
    let changed = false;
    const seen = this.o.db.prepare('UPDATE device SET last_seen_at = ?, status = ? WHERE id = ?');
    const down = this.o.db.prepare("UPDATE device SET status = 'offline' WHERE id = ?");
    // One transaction per beat: the database syncs once, not once per device.
    this.o.db.transaction(() => {
      rows.forEach((r, i) => {
        if (alive[i]) {
          const since = this.offlineSince.get(r.id) ?? null;
          this.offlineSince.delete(r.id);
          seen.run(now, 'online', r.id);
          if (r.status !== 'online') changed = true;
          if (this.announced.delete(r.id)) {
            notices.push(['devices.online', { id: r.id, name: r.name, online: true, at: now, since }]);
            if (since !== null) this.extendGaps(r.id, since, now);
            this.gaps.delete(r.id);
          }
          return;
        }
        const since = this.offlineSince.get(r.id) ?? now;
        this.offlineSince.set(r.id, since);
        if (this.announced.has(r.id)) this.extendGaps(r.id, since, now);
        else if (now - since >= grace) {
          this.announced.add(r.id);
          down.run(r.id);
          changed = true;
          this.o.logger.warn({ device: r.id, address: r.address }, 'device offline');
          notices.push(['devices.online', { id: r.id, name: r.name, online: false, at: now, since }]);
          this.extendGaps(r.id, since, now);
          offline.push({ r, since });
        }
      });
    })();
    for (const n of notices) this.o.signals.emit(...n);
    for (const { r, since } of offline) {
      this.o.deviceEvents?.offline({ deviceId: r.id, channelIds: this.o.registry.idsOfDevice(r.id).map((c) => c.id), name: r.name, address: r.address, since, at: now });
    }
    rows.forEach((r, i) => { if (alive[i]) this.watch(r); });
    if (changed) this.o.signals.emit('devices.changed', this.list());
  }

  readonly handlers = {
    'devices.list': () => this.list(),
    'devices.interfaces': () => ipv4Interfaces(),
    'devices.scan': (i) => this.scan(i),
    'devices.scanResults': () => this.results(),
    'devices.add': (i) => this.add(i),
    'devices.remove': ({ id, recordings }) => this.remove(id, recordings),
    'devices.changePassword': ({ id, password }) => this.changePassword(id, password),
    'devices.setCover': (i) => this.setCover(i),
    'devices.cover': ({ channelId }) => this.cover(channelId),
    'devices.removeCover': ({ channelId }) => this.removeCover(channelId),
    'devices.activate': (i) => this.activate(i),
    'devices.configure': (i) => this.configure(i),
    'devices.time': ({ id }) => this.time(id),
    'devices.export': ({ passphrase }) => this.exportList(passphrase),
    'devices.import': ({ file, passphrase }) => this.importList(file, passphrase),
  } satisfies Partial<Handlers>;

  async dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.heartbeat);
    this.stopChannelWatch?.();
    for (const [id, since] of this.offlineSince) if (this.announced.has(id)) this.extendGaps(id, since, this.o.clock());
    await Promise.all([...this.watchers.keys()].map((id) => this.unwatch(id)));
    await this.stopAnnouncements?.();
    await this.scanning?.catch(() => undefined);
  }
}

export { DeviceAuthError };
