import { Channel, fail, sameStream, type FisheyeLens, type StreamProfile } from '../../contract';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';

interface Row { id: number; name: string; main_url: string; sub_url: string | null; created_at: number; device_id: number | null; device_name: string | null; lens: string | null }
/** A channel with the name of the device it came from (the site tree's middle level). */
const SELECT = 'SELECT channel.*, device.name AS device_name FROM channel LEFT JOIN device ON device.id = channel.device_id';
interface Credentials { username: string; password: string }

/** Splits user:pass out of a URL: the URL goes to SQLite, the credentials to the SecretStore. */
export function splitCredentials(url: string): { url: string; credentials?: Credentials } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url };
  const credentials = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  u.username = '';
  u.password = '';
  return { url: u.toString(), credentials };
}

function withCredentials(url: string, c: Credentials | undefined): string {
  if (!c) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(c.username);
  u.password = encodeURIComponent(c.password);
  return u.toString();
}

const secretKey = (id: number) => `channel:${id}`;

/** The camera channels the station knows; until device management lands they are added by RTSP URL. */
export class ChannelRegistry {
  /** Which channels have PTZ, as probed by media/ptz-service.ts (not stored: asked of the device again after a restart). */
  private readonly ptz = new Map<number, boolean>();
  /** Which channels have a speaker, as probed by live/talk-service.ts (not stored either). */
  private readonly speaker = new Map<number, boolean>();
  /** Remote stations' channels (sites/), under their desk ids: listed and found, never stored here. */
  private remote?: { channels(): Channel[]; channel(id: number): Channel | undefined };
  constructor(private readonly db: Db, private readonly secrets: SecretStore, private readonly clock: () => number) {}

  private async toChannel(r: Row): Promise<Channel> {
    return Channel.parse({
      id: r.id, name: r.name, mainUrl: r.main_url, subUrl: r.sub_url, createdAt: r.created_at,
      hasCredentials: (await this.secrets.get(secretKey(r.id))) !== undefined, ptz: this.ptz.get(r.id) ?? false, speaker: this.speaker.get(r.id) ?? false,
      ...(r.device_id !== null && r.device_name !== null ? { device: { id: r.device_id, name: r.device_name } } : {}),
      ...(r.lens ? { lens: JSON.parse(r.lens) } : {}),
    });
  }

  private row(id: number): Row {
    const r = this.db.prepare(`${SELECT} WHERE channel.id = ?`).get(id) as Row | undefined;
    if (!r) throw fail('channel.notFound', { id });
    return r;
  }

  async list(): Promise<Channel[]> {
    const rows = this.db.prepare(`${SELECT} ORDER BY channel.id`).all() as Row[];
    return Promise.all(rows.map((r) => this.toChannel(r)));
  }

  async get(id: number): Promise<Channel> {
    return this.remote?.channel(id) ?? this.toChannel(this.row(id));
  }

  setRemote(remote: { channels(): Channel[]; channel(id: number): Channel | undefined }): void {
    this.remote = remote;
  }

  /** The station's own channels and, after them, those of the remote stations it relays: what the pages list. */
  async listAll(): Promise<Channel[]> {
    return [...(await this.list()), ...(this.remote?.channels() ?? [])];
  }

  /** The channel already called `name` (case and surrounding spaces ignored), if any besides `except`. */
  nameTaken(name: string, except?: number): string | undefined {
    const want = name.trim().toLowerCase();
    const rows = this.db.prepare('SELECT id, name FROM channel').all() as { id: number; name: string }[];
    return rows.find((r) => r.id !== except && r.name.trim().toLowerCase() === want)?.name;
  }

  /** The channels that already carry the stream at `url` (main or sub), in id order. */
  withStream(url: string): { id: number; name: string; profile: StreamProfile; deviceId: number | null }[] {
    const rows = this.db.prepare('SELECT id, name, main_url, sub_url, device_id FROM channel ORDER BY id').all() as (Row & { device_id: number | null })[];
    return rows.flatMap((r) => (['main', 'sub'] as const)
      .filter((p) => { const u = p === 'main' ? r.main_url : r.sub_url; return u !== null && sameStream(u, url); })
      .map((profile) => ({ id: r.id, name: r.name, profile, deviceId: r.device_id })));
  }

  /** Refuses a name another channel has, and (unless confirmed) a stream another channel already carries; nothing is stored then. */
  private checkNew(input: { name: string; mainUrl: string; subUrl: string | null; allowSameUrl?: boolean }): void {
    const taken = this.nameTaken(input.name);
    if (taken !== undefined) throw fail('channel.nameTaken', { field: 'channelName', name: taken });
    if (input.allowSameUrl) return;
    for (const [field, url] of [['mainUrl', input.mainUrl], ['subUrl', input.subUrl]] as const) {
      const other = url ? this.withStream(url)[0] : undefined;
      if (other) throw fail(other.profile === 'main' ? 'channel.sameMainStream' : 'channel.sameSubStream', { field, name: other.name });
    }
  }

  async addRtsp(input: { name: string; mainUrl: string; subUrl: string | null; allowSameUrl?: boolean }): Promise<Channel> {
    this.checkNew(input);
    const main = splitCredentials(input.mainUrl);
    const sub = input.subUrl ? splitCredentials(input.subUrl) : undefined;
    const credentials = main.credentials ?? sub?.credentials;
    const id = Number(
      this.db.prepare('INSERT INTO channel (name, main_url, sub_url, created_at) VALUES (?, ?, ?, ?)')
        .run(input.name, main.url, sub?.url ?? null, this.clock()).lastInsertRowid,
    );
    if (credentials) await this.secrets.set(secretKey(id), JSON.stringify(credentials));
    return this.get(id);
  }

  /** Registers a device's channel (URLs without credentials; the device's credentials go to the SecretStore under the channel too, for ffmpeg). */
  async addForDevice(input: { deviceId: number; deviceChannel: number; name: string; mainUrl: string; subUrl: string | null; credentials?: Credentials }): Promise<Channel> {
    const main = splitCredentials(input.mainUrl);
    const sub = input.subUrl ? splitCredentials(input.subUrl) : undefined;
    const id = Number(
      this.db.prepare('INSERT INTO channel (name, main_url, sub_url, created_at, device_id, device_channel) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.name, main.url, sub?.url ?? null, this.clock(), input.deviceId, input.deviceChannel).lastInsertRowid,
    );
    const credentials = input.credentials ?? main.credentials ?? sub?.credentials;
    if (credentials) await this.secrets.set(secretKey(id), JSON.stringify(credentials));
    return this.get(id);
  }

  /** A device's password changed: its channels open their streams with the new one. */
  async setCredentials(id: number, credentials: Credentials): Promise<void> {
    await this.secrets.set(secretKey(id), JSON.stringify(credentials));
  }

  /** A device moved: its channels' URLs follow it to the new host. */
  rehostDevice(deviceId: number, host: string): void {
    const rows = this.db.prepare('SELECT id, main_url, sub_url FROM channel WHERE device_id = ?').all(deviceId) as { id: number; main_url: string; sub_url: string | null }[];
    const move = (url: string) => { const u = new URL(url); u.hostname = host; return u.toString(); };
    const upd = this.db.prepare('UPDATE channel SET main_url = ?, sub_url = ? WHERE id = ?');
    for (const r of rows) upd.run(move(r.main_url), r.sub_url ? move(r.sub_url) : null, r.id);
  }

  /** Channel ids of a device, in its channel order. */
  idsOfDevice(deviceId: number): { id: number; name: string; device_channel: number; sub_url: string | null }[] {
    return this.db.prepare('SELECT id, name, device_channel, sub_url FROM channel WHERE device_id = ? ORDER BY device_channel, id').all(deviceId) as { id: number; name: string; device_channel: number; sub_url: string | null }[];
  }

  /** The device and its channel number a channel came from; null for a channel added by RTSP URL. */
  deviceOf(id: number): { deviceId: number; deviceChannel: number } | null {
    const r = this.db.prepare('SELECT device_id, device_channel FROM channel WHERE id = ?').get(id) as { device_id: number | null; device_channel: number | null } | undefined;
    if (!r) throw fail('channel.notFound', { id });
    return r.device_id !== null && r.device_channel !== null ? { deviceId: r.device_id, deviceChannel: r.device_channel } : null;
  }

  /** Records whether a channel has PTZ; true when that changed what list() reports. */
  setPtz(id: number, has: boolean): boolean {
    const changed = (this.ptz.get(id) ?? false) !== has;
    this.ptz.set(id, has);
    return changed;
  }

  ptzKnown(id: number): boolean {
    return this.ptz.has(id);
  }

  /** Records whether a channel has a speaker; true when that changed what list() reports. */
  setSpeaker(id: number, has: boolean): boolean {
    const changed = (this.speaker.get(id) ?? false) !== has;
    this.speaker.set(id, has);
    return changed;
  }

  speakerKnown(id: number): boolean {
    return this.speaker.has(id);
  }

  async rename(id: number, name: string): Promise<Channel> {
    this.row(id);
    const taken = this.nameTaken(name, id);
    if (taken !== undefined) throw fail('channel.nameTaken', { field: 'channelName', name: taken });
    this.db.prepare('UPDATE channel SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  async setLens(id: number, lens: FisheyeLens | null): Promise<Channel> {
    this.row(id);
    this.db.prepare('UPDATE channel SET lens = ? WHERE id = ?').run(lens ? JSON.stringify(lens) : null, id);
    return this.get(id);
  }

  /** Removes the channel and erases its credentials. */
  async remove(id: number): Promise<boolean> {
    const removed = this.db.prepare('DELETE FROM channel WHERE id = ?').run(id).changes > 0;
    await this.secrets.delete(secretKey(id));
    return removed;
  }

  /** The URL to open, with credentials: for the core's own ffmpeg only, never for the renderer or a log. */
  async streamUrl(id: number, profile: StreamProfile): Promise<string> {
    const r = this.row(id);
    const url = profile === 'sub' && r.sub_url ? r.sub_url : r.main_url;
    const stored = await this.secrets.get(secretKey(id));
    return withCredentials(url, stored ? (JSON.parse(stored) as Credentials) : undefined);
  }
}
