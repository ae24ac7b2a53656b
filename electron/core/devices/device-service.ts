import { fail, StationError, type ActivationResult, type AddedDevice, type Device, type DiscoveredDevice, type ErrorInfo } from '../../contract';
import type { Handlers } from '../rpc';
import { activate, factoryNew, type ActivationRequest } from './device-activation';
import { changePassword, configure, deviceTime, type ConfigContext, type ConfigureRequest } from './device-config';
import { DeviceDiscovery } from './device-discovery';
import { DeviceMonitor } from './device-monitor';
import type { DeviceServiceOptions } from './device-options';
import { deviceRow, onvifUrl, secretKey, storedCredentials, type DeviceRow } from './device-table';
import { ipv4Interfaces } from './discovery/scanner';
import { DahuaDriver, type DahuaAudio } from './drivers/dahua';
import { OnvifDriver } from './drivers/onvif';
import { OnvifPtz } from './drivers/onvif-ptz';
import { DeviceAuthError, type Credentials } from '../net/http-auth';
import { deviceRefusal } from '../net/soap';
import { decryptDeviceFile, encryptDeviceFile, type DeviceFileEntry } from './device-file';
import { LoginThrottle } from './login-throttle';
import { CoverStore } from './cover-store';
import { probeStream } from './stream-probe';
import { finishReset, resetSupport, startReset, type ResetSupport } from './password-reset';

export type { DeviceServiceOptions };

/** How a device channel's card is played (`playbackOf`). */
export interface DevicePlayback {
  /** ONVIF Profile G: the channel's recording's replay URI (without credentials). */
  replayUri?: string;
  /** The device's local clock ahead of UTC, ms (0 when it does not say). */
  localOffsetMs: number;
}

/** How a device channel's speaker is reached (`talkOf`). */
export interface TalkRoute {
  rtspUrl: string;
  speakers(): Promise<number>;
  upload?(): Promise<DahuaAudio>;
}

/** A device channel's name: the device's own for a single camera, with CH<n> after it for each channel of several. */
const channelName = (device: string, channel: number, count: number) => (count > 1 ? `${device} CH${channel}` : device);

/**
 * Discovery, activation, the managed device list and its heartbeat. Scanning lives in device-discovery.ts,
 * activation in device-activation.ts, heartbeat and event watchers in device-monitor.ts, password/IP/name/time in device-config.ts.
 */
export class DeviceService {
  private readonly throttle: LoginThrottle;
  private readonly discovery: DeviceDiscovery;
  private readonly monitor: DeviceMonitor;
  private readonly config: ConfigContext;
  private readonly covers: CoverStore | undefined;
  private stopChannelWatch: (() => void) | undefined;
  /** Whether each device offers a password reset by its reserved e-mail, once it was asked (password-reset.ts). */
  private readonly resetSupport = new Map<number, ResetSupport>();
  private resetProbe: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly o: DeviceServiceOptions) {
    this.throttle = new LoginThrottle(o.clock);
    this.covers = o.coversDir ? new CoverStore(o.coversDir) : undefined;
    this.discovery = new DeviceDiscovery(o);
    this.monitor = new DeviceMonitor({ ...o, throttle: this.throttle, list: () => this.list() });
    this.config = { ...o, throttle: this.throttle, discovery: this.discovery, monitor: this.monitor, changed: () => this.changed() };
  }

  async start(): Promise<void> {
    this.monitor.start();
    // A channel removed anywhere (Live page, a device deleted) takes its cover image with it.
    this.stopChannelWatch = this.o.signals.subscribe((name, payload) => {
      if (name !== 'channels.changed' || !this.covers) return;
      const ids = new Set((payload as { id: number }[]).map((c) => c.id));
      for (const id of this.covers.ids()) if (!ids.has(id)) this.covers.remove(id);
    });
    await this.discovery.listen();
    // Asked once per device, without a login; a device not reachable yet is asked again a minute later.
    void this.probeResets().catch(() => undefined);
    this.resetProbe = setInterval(() => void this.probeResets().catch(() => undefined), 60_000);
    this.resetProbe.unref();
  }

  /** Asks the devices not asked yet whether they offer the e-mail reset, a few at a time; tells clients what changed. */
  private async probeResets(only?: number): Promise<void> {
    if (this.disposed) return;
    const rows = (this.o.db.prepare('SELECT * FROM device ORDER BY id').all() as DeviceRow[])
      .filter((r) => (only === undefined ? !this.resetSupport.has(r.id) : r.id === only));
    let learned = false;
    for (let i = 0; i < rows.length; i += 8) {
      await Promise.all(rows.slice(i, i + 8).map(async (r) => {
        const s = await resetSupport(r, (await storedCredentials(this.o.secrets, r.id))?.username ?? 'admin');
        if (s && !this.disposed && this.resetSupport.get(r.id) !== s && this.o.db.prepare('SELECT 1 FROM device WHERE id = ?').get(r.id)) {
          this.resetSupport.set(r.id, s);
          learned = true;
        }
      }));
    }
    if (learned && !this.disposed) this.o.signals.emit('devices.changed', this.list());
  }

  scan(input: { interfaces?: string[]; durationMs?: number; range?: { from: string; to: string } }): Promise<DiscoveredDevice[]> {
    return this.discovery.scan(input);
  }

  results(): DiscoveredDevice[] {
    return this.discovery.results();
  }

  activate(input: ActivationRequest): Promise<ActivationResult[]> {
    return activate(this.discovery, this.o, input);
  }

  beat(): Promise<void> {
    return this.monitor.beat();
  }

  // ---- device list ----

  private toDevice(r: DeviceRow): Device {
    return {
      id: r.id, name: r.name, driver: r.driver, kind: r.kind, vendor: r.vendor, model: r.model, serial: r.serial, mac: r.mac,
      firmware: r.firmware, address: r.address, httpPort: r.http_port, rtspPort: r.rtsp_port, status: r.status,
      lockedUntil: this.throttle.lockedUntil(`${r.address}:${r.http_port}`) ?? null, lastSeenAt: r.last_seen_at, createdAt: r.created_at,
      channels: this.o.registry.idsOfDevice(r.id).map((c) => ({ channelId: c.id, deviceChannel: c.device_channel, name: c.name, hasSub: c.sub_url !== null, hasCover: this.covers?.has(c.id) ?? false })),
      ...(this.resetSupport.has(r.id) ? { passwordReset: this.resetSupport.get(r.id) } : {}),
    };
  }

  list(): Device[] {
    return (this.o.db.prepare('SELECT * FROM device ORDER BY id').all() as DeviceRow[]).map((r) => this.toDevice(r));
  }

  private async changed(): Promise<void> {
    this.o.signals.emit('devices.changed', this.list());
    this.o.signals.emit('channels.changed', await this.o.registry.listAll());
  }

  async add(input: { address: string; httpPort: number; username: string; password: string; name?: string; driver?: 'onvif' | 'dahua' }): Promise<AddedDevice> {
    const target = `${input.address}:${input.httpPort}`;
    if (this.o.db.prepare('SELECT 1 FROM device WHERE address = ? AND http_port = ?').get(input.address, input.httpPort)) {
      throw fail('device.duplicate', { field: 'address', address: input.address, port: input.httpPort });
    }
    const scanned = this.discovery.get(input.address);
    const url = scanned?.xaddr && scanned.httpPort === input.httpPort ? scanned.xaddr : `http://${target}/onvif/device_service`;
    const creds: Credentials = { username: input.username, password: input.password };
    // The driver is chosen by probing: ONVIF first; a device that answers no SOAP (or is asked for by name) goes through Dahua's CGI.
    let driverKind: 'onvif' | 'dahua' = input.driver ?? 'onvif';
    const viaOnvif = async () => {
      const driver = new OnvifDriver(url, creds);
      await driver.syncClock();
      return { info: await driver.deviceInformation(), channels: await driver.channels(), ownName: await driver.deviceName().catch(() => '') };
    };
    const viaDahua = async () => {
      const driver = new DahuaDriver(`http://${target}`, creds);
      return { info: await driver.deviceInformation(), channels: await driver.channels(scanned?.channels ?? 1), ownName: await driver.machineName().catch(() => '') };
    };
    const login = async () => {
      if (driverKind === 'dahua') return viaDahua();
      try {
        return await viaOnvif();
      } catch (err) {
        if (err instanceof DeviceAuthError || input.driver === 'onvif') throw err;
        driverKind = 'dahua';
        try {
          return await viaDahua();
        } catch (dahuaErr) {
          // A device that spoke SOAP but garbled it is told as that, not as the Dahua API it does not have.
          if (!(dahuaErr instanceof DeviceAuthError) && err instanceof StationError && err.info.reason === 'device.badReply') throw err;
          throw dahuaErr;
        }
      }
    };
    const { info, channels, ownName } = await this.throttle.attempt(target, async () => {
      try {
        return await login();
      } catch (err) {
        // No password can work on a device without an administrator: say so, and put it in the scan results to activate.
        if (!(err instanceof DeviceAuthError && err.kind === 'unauthorized')) throw err;
        const fresh = scanned?.status === 'uninitialised' ? scanned : await factoryNew({ address: input.address, httpPort: input.httpPort, deviceUrl: url }, this.o.clock);
        if (!fresh) throw err;
        this.discovery.upsert({ ...fresh, lastSeenAt: this.o.clock() });
        throw fail('device.factoryNew', { address: input.address, port: input.httpPort });
      }
    });
    const rtspPort = Number(channels[0] ? new URL(channels[0].main).port || 554 : 554);
    const kind = scanned?.kind === 'nvr' || channels.length > 1 && /NVR/i.test(info.model) ? 'nvr' : (scanned?.kind ?? 'camera');
    const devName = this.uniqueName((input.name ?? '') || ownName || scanned?.name || `${info.model || 'Device'} ${input.address}`, input.address, channels);
    // Streams already on the list by RTSP URL: the device's channels list them a second time, which the caller is told.
    const duplicates = new Map<number, { channelId: number; name: string; deviceChannel: number }>();
    for (const c of channels) {
      for (const u of [c.main, c.sub]) {
        for (const d of u ? this.o.registry.withStream(u) : []) if (d.deviceId === null) duplicates.set(d.id, { channelId: d.id, name: d.name, deviceChannel: c.channel });
      }
    }
    const id = Number(this.o.db.prepare(
      `INSERT INTO device (name, driver, kind, vendor, model, serial, mac, firmware, address, http_port, rtsp_port, service_url, status, channel_count, last_seen_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'online', ?, ?, ?)`,
    ).run(
      devName, driverKind, kind, info.manufacturer, info.model, info.serial,
      scanned?.mac ?? '', info.firmware, input.address, input.httpPort, rtspPort, driverKind === 'onvif' ? url : null, channels.length, this.o.clock(), this.o.clock(),
    ).lastInsertRowid);
    await this.o.secrets.set(secretKey(id), JSON.stringify(creds));
    for (const c of channels) {
      await this.o.registry.addForDevice({
        deviceId: id, deviceChannel: c.channel, name: channelName(devName, c.channel, channels.length),
        mainUrl: c.main, subUrl: c.sub, credentials: creds,
      });
    }
    if (scanned) this.discovery.upsert({ ...scanned, status: 'added' });
    this.monitor.watch(deviceRow(this.o.db, id));
    this.o.logger.info({ device: id, address: input.address, channels: channels.length, duplicates: duplicates.size }, 'device added');
    if (duplicates.size) this.o.logger.warn({ device: id, channels: [...duplicates.keys()] }, 'device streams already on the list by RTSP URL');
    await this.changed();
    void this.probeResets(id).catch(() => undefined);
    return { ...this.toDevice(deviceRow(this.o.db, id)), duplicates: [...duplicates.values()] };
  }

  /** The device's name, or with its address after it when another device or a channel already goes by it. */
  private uniqueName(name: string, address: string, channels: { channel: number }[]): string {
    const deviceNames = new Set((this.o.db.prepare('SELECT name FROM device').all() as { name: string }[]).map((r) => r.name.trim().toLowerCase()));
    const clash = (n: string) => deviceNames.has(n.trim().toLowerCase()) || channels.some((c) => this.o.registry.nameTaken(channelName(n, c.channel, channels.length)) !== undefined);
    return clash(name) && !name.includes(address) ? `${name} ${address}` : name;
  }

  /** Deletes the device and its channels' entries; its credentials are erased. Its recordings stay (the archive keeps them by channel id) unless asked to go. */
  async remove(id: number, recordings: 'keep' | 'delete' = 'keep'): Promise<{ removed: boolean; deletedSegments: number; keptLocked: number }> {
    const r = deviceRow(this.o.db, id);
    await this.monitor.unwatch(id);
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
    const scanned = this.discovery.get(r.address);
    if (scanned?.status === 'added') this.discovery.upsert({ ...scanned, status: 'initialised' });
    this.monitor.forget(id);
    this.resetSupport.delete(id);
    this.o.logger.info({ device: id, recordings, deletedSegments, keptLocked }, 'device removed');
    await this.changed();
    return { removed, deletedSegments, keptLocked };
  }

  /** For PTZ (live/ptz-service.ts): an ONVIF device's PTZ driver and its login throttle; null for other drivers or without credentials. */
  async ptzOf(id: number): Promise<{ ptz: OnvifPtz; attempt<T>(fn: () => Promise<T>): Promise<T> } | null> {
    const r = deviceRow(this.o.db, id);
    const credentials = r.driver === 'onvif' ? await storedCredentials(this.o.secrets, r.id) : undefined;
    if (!credentials) return null;
    const target = `${r.address}:${r.http_port}`;
    return { ptz: new OnvifPtz(onvifUrl(r), credentials), attempt: (fn) => this.throttle.attempt(target, fn) };
  }

  /**
   * For talk (live/talk-service.ts): how a device channel's speaker is reached. `speakers()` asks the device how many audio
   * outputs it has (ONVIF GetAudioOutputs, Dahua getCollect); `rtspUrl` (with credentials) is tried for the ONVIF back
   * channel first; a Dahua device also takes `upload` (audio.cgi). Null for a channel added by RTSP URL or without credentials.
   */
  async talkOf(channelId: number): Promise<TalkRoute | null> {
    const of = this.o.registry.deviceOf(channelId);
    if (!of) return null;
    const r = deviceRow(this.o.db, of.deviceId);
    const credentials = await storedCredentials(this.o.secrets, r.id);
    if (!credentials || (r.driver !== 'onvif' && r.driver !== 'dahua')) return null;
    const attempt = <T>(fn: () => Promise<T>) => this.throttle.attempt(`${r.address}:${r.http_port}`, fn);
    const rtspUrl = await this.o.registry.streamUrl(channelId, 'main');
    if (r.driver === 'onvif') {
      const driver = new OnvifDriver(onvifUrl(r), credentials);
      return { rtspUrl, speakers: () => attempt(async () => { await driver.syncClock().catch(() => {}); return driver.audioOutputs(); }) };
    }
    const dahua = new DahuaDriver(`http://${r.address}:${r.http_port}`, credentials);
    return { rtspUrl, speakers: () => attempt(() => dahua.audioOutputs()), upload: () => attempt(() => dahua.openAudio(of.deviceChannel)) };
  }

  /** Edge backfill's answers per channel and stream, asked again after 10 minutes (a device's time or recordings change rarely). */
  private readonly playback = new Map<string, { at: number; value: Promise<DevicePlayback | undefined> }>();

  /**
   * For edge backfill (recording/backfill.ts): how a device channel's card is played. An ONVIF device with Profile G gives
   * the replay URI of the channel's recording; every device its local clock's offset from UTC (Dahua's playback URL
   * names local times). Undefined for a channel added by RTSP URL, or a device without credentials.
   */
  async playbackOf(channelId: number, stream: 'main' | 'sub'): Promise<DevicePlayback | undefined> {
    const key = `${channelId}/${stream}`;
    const cached = this.playback.get(key);
    if (cached && this.o.clock() - cached.at < 600_000) return cached.value;
    const value = this.askPlayback(channelId, stream);
    this.playback.set(key, { at: this.o.clock(), value });
    value.catch(() => this.playback.delete(key));
    return value;
  }

  private async askPlayback(channelId: number, stream: 'main' | 'sub'): Promise<DevicePlayback | undefined> {
    const of = this.o.registry.deviceOf(channelId);
    if (!of) return undefined;
    const r = deviceRow(this.o.db, of.deviceId);
    const credentials = await storedCredentials(this.o.secrets, r.id);
    if (!credentials || r.driver === 'rtsp') return undefined;
    return this.throttle.attempt(`${r.address}:${r.http_port}`, async () => {
      if (r.driver === 'dahua') {
        const offset = await new DahuaDriver(`http://${r.address}:${r.http_port}`, credentials).localOffset().catch(() => null);
        return { localOffsetMs: offset ?? 0 };
      }
      const driver = new OnvifDriver(onvifUrl(r), credentials);
      await driver.syncClock().catch(() => {});
      const offset = await driver.localOffset().catch(() => null);
      const replayUri = await driver.replayUri(of.deviceChannel, stream).catch((err: Error) => {
        this.o.logger.info({ err, device: r.id }, 'no ONVIF replay for edge backfill');
        return undefined;
      });
      return { localOffsetMs: offset ?? 0, ...(replayUri ? { replayUri } : {}) };
    });
  }

  // ---- editing ----

  changePassword(id: number, password: string): Promise<{ changed: boolean }> {
    return changePassword(this.config, id, password);
  }

  /** A forgotten password, step 1: the device mails its security code (password-reset.ts). */
  async resetStart(id: number): Promise<{ maskedEmail: string; validForS: number | null }> {
    const learn = (support: ResetSupport) => {
      if (this.resetSupport.get(id) !== support) { this.resetSupport.set(id, support); this.o.signals.emit('devices.changed', this.list()); }
    };
    try {
      const { support, ...sent } = await startReset(this.config, id);
      learn(support);
      return sent;
    } catch (err) {
      // What the device said of its reset is kept, so the list offers (or explains) the action as it is now.
      if (err instanceof StationError && err.info.reason === 'deviceReset.noEmail') learn('noEmail');
      if (err instanceof StationError && err.info.reason === 'deviceReset.unsupported') learn('unsupported');
      throw err;
    }
  }

  /** Step 2: the code and the new password; the station keeps the password once the device took it. */
  resetFinish(id: number, securityCode: string, password: string): Promise<{ reset: boolean }> {
    return finishReset(this.config, id, securityCode, password);
  }

  time(id: number): Promise<{ tz: string; dst: boolean; mode: 'ntp' | 'manual' }> {
    return deviceTime(this.config, id);
  }

  configure(input: ConfigureRequest): Promise<{ id: number; ok: boolean; reason?: string; error?: ErrorInfo }[]> {
    return configure(this.config, input);
  }

  private coverStore(): CoverStore {
    if (!this.covers) throw fail('cover.unsupported');
    return this.covers;
  }

  async setCover(input: { channelId: number; from: 'snapshot' } | { channelId: number; imageBase64: string }): Promise<{ channelId: number; type: string; bytes: number }> {
    const store = this.coverStore();
    await this.o.registry.get(input.channelId);
    let image: Buffer;
    if ('from' in input) {
      if (!this.o.snapshot) throw fail('snapshot.unsupported');
      image = await this.o.snapshot(input.channelId);
    } else {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.imageBase64)) throw fail('field.notBase64', { field: 'imageBase64' });
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

  // ---- export / import ----

  async exportList(passphrase: string): Promise<{ file: string; count: number }> {
    const rows = this.o.db.prepare('SELECT * FROM device ORDER BY id').all() as DeviceRow[];
    const entries: DeviceFileEntry[] = [];
    for (const r of rows) {
      const c = await storedCredentials(this.o.secrets, r.id);
      if (!c) continue;
      const channels = this.o.db.prepare('SELECT id, device_channel FROM channel WHERE device_id = ? ORDER BY device_channel').all(r.id) as { id: number; device_channel: number }[];
      const masks = this.o.masks ? channels.map((ch) => ({ deviceChannel: ch.device_channel, masks: this.o.masks!.of(ch.id) })).filter((m) => m.masks.length) : [];
      entries.push({ name: r.name, address: r.address, httpPort: r.http_port, username: c.username, password: c.password, ...(masks.length ? { masks } : {}) });
    }
    return { file: encryptDeviceFile(entries, passphrase), count: entries.length };
  }

  async importList(file: string, passphrase: string): Promise<{ address: string; ok: boolean; reason?: string; error?: ErrorInfo }[]> {
    const out: { address: string; ok: boolean; reason?: string; error?: ErrorInfo }[] = [];
    for (const e of decryptDeviceFile(file, passphrase).slice(0, 256)) {
      try {
        const added = await this.add({ address: e.address, httpPort: e.httpPort, username: e.username, password: e.password, name: e.name });
        for (const m of e.masks ?? []) {
          const ch = added.channels.find((c) => c.deviceChannel === m.deviceChannel);
          if (ch) this.o.masks?.set(ch.channelId, m.masks);
        }
        out.push({ address: e.address, ok: true });
      } catch (err) {
        out.push({ address: e.address, ok: false, ...deviceRefusal(err) });
      }
    }
    return out;
  }

  readonly handlers = {
    'devices.list': () => this.list(),
    'devices.interfaces': () => ipv4Interfaces(),
    'devices.scan': (i) => this.scan(i),
    'devices.scanResults': () => this.results(),
    'devices.add': (i) => this.add(i),
    'devices.probeStream': ({ url }) => probeStream(url, { ffprobePath: this.o.ffprobePath }),
    'devices.remove': ({ id, recordings }) => this.remove(id, recordings),
    'devices.changePassword': ({ id, password }) => this.changePassword(id, password),
    'devices.resetStart': ({ id }) => this.resetStart(id),
    'devices.resetFinish': ({ id, securityCode, password }) => this.resetFinish(id, securityCode, password),
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
    this.stopChannelWatch?.();
    this.disposed = true;
    clearInterval(this.resetProbe);
    await this.monitor.dispose();
    await this.discovery.dispose();
  }
}

export { DeviceAuthError };
