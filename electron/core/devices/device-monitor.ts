import net from 'node:net';
import { StationError, type Device } from '../../contract';
import type { SignalBus } from '../signal-bus';
import type { DeviceServiceOptions } from './device-options';
import { onvifUrl, storedCredentials, type DeviceRow } from './device-table';
import { OnvifDriver } from './drivers/onvif';
import type { LoginThrottle } from './login-throttle';

type MonitorOptions = Pick<DeviceServiceOptions, 'db' | 'secrets' | 'registry' | 'signals' | 'logger' | 'clock' | 'heartbeatMs' | 'graceMs' | 'deviceEvents' | 'offlineGap'>
  & { throttle: LoginThrottle; list: () => Device[] };

/** A TCP connect to the device's HTTP port: no login, so monitoring can never count against the lock-out. */
export function reachable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 2000 });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.once('timeout', () => done(false));
  });
}

/** The device list's heartbeat (online/offline, offline gaps on the timeline) and each device's event watcher. */
export class DeviceMonitor {
  private readonly offlineSince = new Map<number, number>();
  private readonly announced = new Set<number>();
  /** Per offline device: the open gap of each of its channels. */
  private readonly gaps = new Map<number, Map<number, number>>();
  /** Event watchers per device: the disposer, or the start in progress. */
  private readonly watchers = new Map<number, Promise<(() => Promise<void>) | undefined>>();
  private heartbeat: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly o: MonitorOptions) {}

  /** Watches every listed device's events and starts the heartbeat. */
  start(): void {
    for (const r of this.o.db.prepare('SELECT * FROM device').all() as DeviceRow[]) this.watch(r);
    const t = setInterval(() => void this.beat(), this.o.heartbeatMs ?? 5000);
    t.unref();
    this.heartbeat = t;
  }

  /** Starts watching a device's own events (motion, alarms, sensors) once; a device that cannot be asked yet is tried again when the heartbeat finds it. */
  watch(r: DeviceRow): void {
    const ev = this.o.deviceEvents;
    if (!ev || r.driver === 'rtsp' || this.watchers.has(r.id) || this.disposed) return;
    const driver = r.driver;
    let started!: Promise<(() => Promise<void>) | undefined>;
    started = (async () => {
      const c = await storedCredentials(this.o.secrets, r.id);
      if (!c) return undefined;
      const channelMap = Object.fromEntries(this.o.registry.idsOfDevice(r.id).map((ch) => [String(ch.device_channel), ch.id]));
      const url = driver === 'dahua'
        ? `http://${r.address}:${r.http_port}`
        : await this.o.throttle.attempt(`${r.address}:${r.http_port}`, async () => {
          const d = new OnvifDriver(onvifUrl(r), c);
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

  async unwatch(id: number): Promise<void> {
    const w = this.watchers.get(id);
    this.watchers.delete(id);
    await (await w)?.();
  }

  /** A removed device: its offline state goes with it. */
  forget(id: number): void {
    this.offlineSince.delete(id);
    this.announced.delete(id);
    this.gaps.delete(id);
  }

  /** The open offline gaps of a device run to `at` (opened from `since` on first call). */
  private extendGaps(id: number, since: number, at: number): void {
    if (!this.o.offlineGap) return;
    const open = this.gaps.get(id) ?? new Map<number, number>();
    this.gaps.set(id, open);
    for (const ch of this.o.registry.idsOfDevice(id)) open.set(ch.id, this.o.offlineGap(ch.id, since, at, open.get(ch.id)));
  }

  async beat(): Promise<void> {
    if (this.disposed) return;
    const rows = this.o.db.prepare('SELECT * FROM device').all() as DeviceRow[];
    const grace = this.o.graceMs ?? 30_000;
    const alive = await Promise.all(rows.map((r) => reachable(r.address, r.http_port)));
    if (this.disposed) return;
    const now = this.o.clock();
    const notices: Parameters<SignalBus['emit']>[] = [];
    const offline: { r: DeviceRow; since: number }[] = [];
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
    if (changed) this.o.signals.emit('devices.changed', this.o.list());
  }

  /** Stops the heartbeat, closes the open offline gaps at now and every event watcher. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.heartbeat);
    for (const [id, since] of this.offlineSince) if (this.announced.has(id)) this.extendGaps(id, since, this.o.clock());
    await Promise.all([...this.watchers.keys()].map((id) => this.unwatch(id)));
  }
}
