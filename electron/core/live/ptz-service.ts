import { fail, type PtzPreset } from '../../contract';
import type { ClientSession } from '../client-session';
import type { ChannelRegistry } from '../devices/channel-registry';
import type { Logger } from '../log';

/** A continuous move stops by itself after this long if no stop arrives (a lost connection, a crashed renderer). */
export const PTZ_MOVE_TIMEOUT_S = 10;

/** Where one channel's PTZ commands go: the driver's own value, which this service only hands back to it. */
export type PtzTarget = object;

/** The PTZ calls this service makes of one device's driver (the devices area builds it). */
export interface PtzDriver {
  targets(): Promise<Map<number, PtzTarget | null>>;
  move(t: PtzTarget, v: { pan: number; tilt: number; zoom: number }, timeoutS: number): Promise<void>;
  stop(t: PtzTarget): Promise<void>;
  presets(t: PtzTarget): Promise<PtzPreset[]>;
  gotoPreset(t: PtzTarget, token: string): Promise<void>;
  setPreset(t: PtzTarget, name: string, token?: string): Promise<string>;
}

/** A device's PTZ driver and its login throttle (every call goes through attempt); null when the device has none. */
export type PtzOf = (deviceId: number) => Promise<{ ptz: PtzDriver; attempt<T>(fn: () => Promise<T>): Promise<T> } | null>;

interface Resolved { ptz: PtzDriver; attempt<T>(fn: () => Promise<T>): Promise<T>; target: PtzTarget }

/** PTZ of camera channels: which have it (probed from the device's media profiles), moves, stops and presets. */
export class PtzService {
  /** Per device: its PTZ driver and every channel's target, asked once (dropped when devices change or a call fails). */
  private readonly devices = new Map<number, Promise<{ ptz: PtzDriver; attempt<T>(fn: () => Promise<T>): Promise<T>; targets: Map<number, PtzTarget | null> } | null>>();
  /** Moving channels: the session's cleanup that stops them if the client goes away mid-move. */
  private readonly moving = new Map<number, { active: boolean; release: () => void }>();

  constructor(private readonly o: { registry: ChannelRegistry; ptzOf: PtzOf; logger: Logger; onChanged: () => void }) {}

  private device(deviceId: number) {
    let d = this.devices.get(deviceId);
    if (!d) {
      d = (async () => {
        const access = await this.o.ptzOf(deviceId);
        if (!access) return null;
        const targets = await access.attempt(() => access.ptz.targets());
        return { ...access, targets };
      })();
      this.devices.set(deviceId, d);
      d.catch(() => this.devices.delete(deviceId));
    }
    return d;
  }

  /** The channel's PTZ target; a clear error when it has none. */
  private async resolve(channelId: number): Promise<Resolved> {
    const name = (await this.o.registry.get(channelId)).name;
    const src = this.o.registry.deviceOf(channelId);
    const d = src ? await this.device(src.deviceId) : null;
    const target = d?.targets.get(src!.deviceChannel) ?? null;
    if (!d || !target) throw fail('ptz.unsupported', { name, id: channelId });
    return { ptz: d.ptz, attempt: d.attempt, target };
  }

  private closed = false;
  private probing: Promise<void> = Promise.resolve();

  /** Asks devices whether their channels have PTZ, in the background; one round at a time, none after dispose. */
  probe(): Promise<void> {
    this.probing = this.probing.then(() => this.probeRound()).catch((err: Error) => this.o.logger.warn({ err: err.message }, 'PTZ probe failed'));
    return this.probing;
  }

  /** Stops probing and waits for a round under way (it reads the database the station is about to close). */
  async dispose(): Promise<void> {
    this.closed = true;
    await this.probing;
  }

  /** Channels not asked yet; tells the renderer when that changed. */
  private async probeRound(): Promise<void> {
    let changed = false;
    for (const c of this.closed ? [] : await this.o.registry.list()) {
      if (this.closed) return;
      if (this.o.registry.ptzKnown(c.id)) continue;
      const src = this.o.registry.deviceOf(c.id);
      try {
        const d = src ? await this.device(src.deviceId) : null;
        if (this.closed) return;
        changed = this.o.registry.setPtz(c.id, !!d?.targets.get(src!.deviceChannel)) || changed;
      } catch (err) {
        this.o.logger.warn({ channel: c.id, err: (err as Error).message }, 'cannot ask the device about PTZ');
      }
    }
    if (changed) this.o.onChanged();
  }

  /** Devices changed (added, moved, removed): ask again. */
  devicesChanged(): void {
    this.devices.clear();
    void this.probe();
  }

  async move(session: ClientSession, channelId: number, v: { pan: number; tilt: number; zoom: number }): Promise<void> {
    const r = await this.resolve(channelId);
    await r.attempt(() => r.ptz.move(r.target, v, PTZ_MOVE_TIMEOUT_S));
    if (this.moving.has(channelId)) return;
    const entry = { active: true, release: () => {} };
    entry.release = session.own(() => {
      if (!entry.active) return;
      this.moving.delete(channelId);
      void this.stop(channelId).catch(() => undefined);
    });
    this.moving.set(channelId, entry);
  }

  async stop(channelId: number): Promise<void> {
    const r = await this.resolve(channelId);
    const entry = this.moving.get(channelId);
    this.moving.delete(channelId);
    if (entry) { entry.active = false; entry.release(); }
    await r.attempt(() => r.ptz.stop(r.target));
  }

  async presets(channelId: number): Promise<PtzPreset[]> {
    const r = await this.resolve(channelId);
    return r.attempt(() => r.ptz.presets(r.target));
  }

  async gotoPreset(channelId: number, token: string): Promise<void> {
    const r = await this.resolve(channelId);
    await r.attempt(() => r.ptz.gotoPreset(r.target, token));
  }

  async setPreset(channelId: number, name: string, token?: string): Promise<PtzPreset> {
    const r = await this.resolve(channelId);
    const t = await r.attempt(() => r.ptz.setPreset(r.target, name, token));
    return { token: t, name };
  }
}
