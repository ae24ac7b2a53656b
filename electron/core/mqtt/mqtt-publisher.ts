// MQTT publishing (README "MQTT"): the station's availability, each channel's online state, events, alarms and health
// to a broker the user names, and snapshots on request. Off by default. The broker's password lives in the SecretStore;
// pages see only `hasPassword`. The mqtt client reconnects by itself; every (re)connection publishes the retained state
// again, since a broker restarted without persistence has forgotten it.
import { readSetting, writeSetting } from '../settings';
import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  fail, MQTT_DEFAULT_PREFIX, MqttSettings, StationError,
  type AlarmNotice, type CallName, type Channel, type Device, type DeviceStatus, type ErrorInfo, type MqttConfig, type MqttStatus,
  type StationEvent, type StreamStatus,
} from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { cameraLevels, channelOnline, eventMessage } from './topics';

export type MqttHandlers = Pick<Handlers, Extract<CallName, `mqtt.${string}`>>;

export interface MqttPublisherOptions {
  db: Db;
  secrets: SecretStore;
  signals: SignalBus;
  logger: Logger;
  clock?: () => number;
  channels(): Promise<Channel[]>;
  /** The live streams' states now (later ones come as `stream.status` signals). */
  streams(): StreamStatus[];
  /** The device list now (later ones come as `devices.changed`). */
  devices(): Device[];
  /** A JPEG of the channel now, privacy masks burnt in. */
  snapshot(channelId: number): Promise<Buffer>;
  /** What `<prefix>/stats` says. */
  health(): Promise<object>;
  /** Tests shorten these: the wait between reconnections, the stats period, how long a connection may take. */
  reconnectMs?: number;
  statsEveryMs?: number;
  connectTimeoutMs?: number;
}

const SETTINGS_KEY = 'mqtt';
const SECRET_KEY = 'mqtt.password';
const DEFAULTS: MqttSettings = { enabled: false, brokerUrl: 'mqtt://127.0.0.1:1883', username: '', topicPrefix: MQTT_DEFAULT_PREFIX };
/** CONNACK codes of a refused login: 3.1.1's bad user name or password and not authorized, and MQTT 5's. */
const WRONG_CREDENTIALS = new Set([4, 5, 134, 135]);
const KNOWN_EVENTS = 5000;
const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH)/;

/** host:port of a broker URL, its port filled in. */
function addressOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'mqtts:' ? 8883 : 1883)}`;
}

const sameHost = (a: string, b: string) => new URL(a).hostname.toLowerCase() === new URL(b).hostname.toLowerCase();

/** What a failed connection means to the user: the broker's refusal, or why it could not be reached. */
export function refusalOf(err: Error & { code?: string | number }, brokerUrl: string, timeoutMs: number): ErrorInfo {
  const url = new URL(brokerUrl);
  const address = addressOf(url);
  const code = err.code;
  if (typeof code === 'number') return (WRONG_CREDENTIALS.has(code) ? fail('mqtt.wrongCredentials') : fail('mqtt.refused', { code })).info;
  if (code === 'ECONNREFUSED') return fail('mqtt.connectionRefused', { address }).info;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail('mqtt.hostNotFound', { host: url.hostname }).info;
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'timeout') return fail('mqtt.timeout', { address, seconds: Math.round(timeoutMs / 1000) }).info;
  if (typeof code === 'string' && TLS_CODE.test(code)) return fail('mqtt.tls', { address, error: code }).info;
  // No code: the bytes that came back did not parse as MQTT (an HTTP server, an SSH daemon, …), or the far end hung up.
  if (code === undefined || code === 'closed') return fail('mqtt.notBroker', { address }).info;
  return fail('mqtt.failed', { error: String(code) }).info;
}

export class MqttPublisher {
  private readonly clock: () => number;
  private settings: MqttSettings;
  private hasPassword = false;
  private client: MqttClient | undefined;
  private status: MqttStatus = { state: 'off', lastMessageAt: null, messagesSent: 0 };
  private readonly clientId = `watchpost-${randomBytes(4).toString('hex')}`;
  private readonly disposers: (() => void)[] = [];
  private statsTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  // What the station knows, kept whether publishing is on or off, so turning it on publishes the state at once.
  private channels = new Map<number, { name: string; level: string }>();
  private readonly streams = new Map<string, StreamStatus>();
  private deviceOf = new Map<number, DeviceStatus>();
  private readonly online = new Map<number, boolean>();
  /** `<channel id>/<kind>` -> ON or OFF, the retained state of each event kind seen on a channel. */
  private readonly kinds = new Map<string, 'ON' | 'OFF'>();
  /** The newest events seen, so a new event, its end and other updates (acknowledged, snapshot) are told apart. */
  private readonly known = new Map<number, { ended: boolean; acknowledged: boolean }>();
  private readonly snapshotting = new Set<number>();
  private changing: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: MqttPublisherOptions) {
    this.clock = o.clock ?? Date.now;
    this.settings = this.load();
  }

  async start(): Promise<void> {
    this.hasPassword = !!(await this.o.secrets.get(SECRET_KEY));
    for (const s of this.o.streams()) this.streams.set(s.streamId, s);
    this.devicesChanged(this.o.devices());
    this.channelsChanged(await this.o.channels());
    this.disposers.push(this.o.signals.subscribe((name, payload) => {
      if (name === 'channels.changed') this.channelsChanged(payload as Channel[]);
      else if (name === 'stream.status') this.streamChanged(payload as StreamStatus);
      else if (name === 'devices.changed') this.devicesChanged(payload as Device[]);
      else if (name === 'event.changed') this.eventChanged(payload as StationEvent);
      else if (name === 'alarm.raised') this.alarmRaised(payload as AlarmNotice);
    }));
    await this.connect();
  }

  get handlers(): MqttHandlers {
    return {
      'mqtt.get': () => this.state(),
      // One change at a time: the old client says offline and goes before the next one starts.
      'mqtt.set': (input) => {
        const run = this.changing.catch(() => {}).then(() => this.apply(input));
        this.changing = run;
        return run;
      },
      'mqtt.test': async ({ password, brokerUrl, username }) =>
        this.test(brokerUrl, username, password ?? (sameHost(brokerUrl, this.settings.brokerUrl) ? await this.o.secrets.get(SECRET_KEY) : undefined) ?? ''),
    };
  }

  private async apply({ password, ...next }: MqttSettings & { password?: string }): Promise<{ settings: MqttConfig; status: MqttStatus }> {
    await this.disconnect();
    // The kept password goes only to the host it was given for: another host would learn it by being named here.
    if (password === undefined && this.hasPassword && !sameHost(next.brokerUrl, this.settings.brokerUrl)) password = '';
    if (password !== undefined) {
      if (password) await this.o.secrets.set(SECRET_KEY, password);
      else await this.o.secrets.delete(SECRET_KEY);
      this.hasPassword = !!password;
    }
    this.settings = next;
    writeSetting(this.o.db, SETTINGS_KEY, next, this.clock());
    this.o.logger.info({ enabled: next.enabled, broker: next.brokerUrl, prefix: next.topicPrefix }, 'mqtt settings changed');
    await this.connect();
    return this.state();
  }

  async dispose(): Promise<void> {
    for (const d of this.disposers.splice(0)) d();
    await this.changing.catch(() => {});
    await this.disconnect();
  }

  // ---- settings and status ----

  private load(): MqttSettings {
    return readSetting(this.o.db, SETTINGS_KEY, MqttSettings, () => this.o.logger.warn('stored mqtt settings are invalid; publishing stays off')) ?? DEFAULTS;
  }

  private state(): { settings: MqttConfig; status: MqttStatus } {
    return { settings: { ...this.settings, hasPassword: this.hasPassword }, status: { ...this.status } };
  }

  private setStatus(state: MqttStatus['state'], error?: ErrorInfo): void {
    const same = this.status.state === state && this.status.error?.reason === error?.reason;
    this.status = { state, ...(error ? { error } : {}), lastMessageAt: this.status.lastMessageAt, messagesSent: this.status.messagesSent };
    if (same) return;
    if (state === 'error') this.o.logger.warn({ broker: this.settings.brokerUrl, reason: error?.message }, 'mqtt connection failed; retrying');
    else this.o.logger.info({ broker: this.settings.brokerUrl }, `mqtt ${state}`);
    this.o.signals.emit('mqtt.status', this.status);
  }

  // ---- the connection ----

  private options(username: string, password: string): IClientOptions {
    return {
      clientId: this.clientId, protocolVersion: 4, clean: true, keepalive: 30,
      username: username || undefined, password: password || undefined,
      connectTimeout: this.o.connectTimeoutMs ?? 10_000,
      // QoS 0 messages made while the broker is away are dropped: the retained state is sent again on reconnection.
      queueQoSZero: false,
    };
  }

  private async connect(): Promise<void> {
    if (!this.settings.enabled) return this.setStatus('off');
    const p = this.settings.topicPrefix;
    const password = (await this.o.secrets.get(SECRET_KEY)) ?? '';
    const client = connect(this.settings.brokerUrl, {
      ...this.options(this.settings.username, password),
      reconnectPeriod: this.o.reconnectMs ?? 5000,
      will: { topic: `${p}/available`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    this.setStatus('connecting');
    this.armConnectTimer();
    client.on('connect', () => {
      clearTimeout(this.connectTimer);
      this.setStatus('connected');
      client.subscribe(`${p}/+/snapshot/get`, { qos: 0 });
      this.publishState();
    });
    client.on('reconnect', () => {
      if (this.status.state === 'connected') this.setStatus('connecting');
      this.armConnectTimer();
    });
    client.on('close', () => { if (this.status.state === 'connected') this.setStatus('connecting'); });
    client.on('error', (err) => this.setStatus('error', refusalOf(err, this.settings.brokerUrl, this.o.connectTimeoutMs ?? 10_000)));
    client.on('message', (topic, payload, packet) => void this.onMessage(topic, packet.retain));
    const every = this.o.statsEveryMs ?? 60_000;
    this.statsTimer = setInterval(() => void this.publishStats(), every);
    this.statsTimer.unref();
  }

  /** A broker that takes the TCP connection but never answers CONNECT shows as timed out, while the client goes on trying. */
  private armConnectTimer(): void {
    clearTimeout(this.connectTimer);
    const ms = this.o.connectTimeoutMs ?? 10_000;
    this.connectTimer = setTimeout(() => {
      if (this.status.state !== 'connected') this.setStatus('error', refusalOf(Object.assign(new Error('timeout'), { code: 'timeout' }), this.settings.brokerUrl, ms));
    }, ms);
    this.connectTimer.unref();
  }

  private async disconnect(): Promise<void> {
    clearInterval(this.statsTimer);
    clearTimeout(this.connectTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => {});
    // Said before a clean disconnect, since the broker sends the last will only when the connection is lost. A broker that
    // stopped answering is not waited for long.
    const briefly = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref())]);
    const said = client.connected
      && await briefly(new Promise<void>((r) => client.publish(`${this.settings.topicPrefix}/available`, 'offline', { qos: 1, retain: true }, () => r())))
      && await briefly(client.endAsync());
    if (!said) await client.endAsync(true);
  }

  /** Connects once, no retries: ok, or the broker's refusal in the user's words. */
  private async test(brokerUrl: string, username: string, password: string): Promise<{ ok: boolean; error?: ErrorInfo }> {
    const timeoutMs = this.o.connectTimeoutMs ?? 10_000;
    // The client's own connection timeout comes after ours, so a silent server is told from one that hangs up.
    const client = connect(brokerUrl, { ...this.options(username, password), clientId: `${this.clientId}-test`, reconnectPeriod: 0, connectTimeout: timeoutMs + 2000 });
    let timer: NodeJS.Timeout | undefined;
    const result = await new Promise<{ ok: boolean; error?: ErrorInfo }>((resolve) => {
      const refuse = (err: Error & { code?: string | number }) => resolve({ ok: false, error: refusalOf(err, brokerUrl, timeoutMs) });
      timer = setTimeout(() => refuse(Object.assign(new Error('timeout'), { code: 'timeout' })), timeoutMs);
      client.once('connect', () => resolve({ ok: true }));
      client.once('error', refuse);
      // Closed with no CONNACK and no error (given a moment to arrive first): the far end hung up on an MQTT CONNECT.
      client.once('close', () => setTimeout(() => refuse(Object.assign(new Error('closed'), { code: 'closed' })), 50));
    });
    clearTimeout(timer);
    client.removeAllListeners();
    client.on('error', () => {});
    await client.endAsync(true);
    this.o.logger.info({ broker: brokerUrl, ok: result.ok, reason: result.error?.reason }, 'mqtt connection tested');
    return result;
  }

  // ---- publishing ----

  private publish(topic: string, payload: string | Buffer, retain: boolean): void {
    const client = this.client;
    if (!client?.connected) return;
    client.publish(`${this.settings.topicPrefix}/${topic}`, payload, { qos: 0, retain }, (err) => {
      if (err) return;
      this.status.messagesSent++;
      this.status.lastMessageAt = this.clock();
    });
  }

  /** Everything retained, again: after every (re)connection. */
  private publishState(): void {
    this.publish('available', 'online', true);
    for (const [id, on] of this.online) {
      const level = this.channels.get(id)?.level;
      if (level) this.publish(`${level}/status`, on ? 'online' : 'offline', true);
    }
    for (const [key, value] of this.kinds) {
      const [id, kind] = key.split('/') as [string, string];
      const level = this.channels.get(Number(id))?.level;
      if (level) this.publish(`${level}/${kind}`, value, true);
    }
    void this.publishStats();
  }

  private async publishStats(): Promise<void> {
    if (!this.client?.connected) return;
    try {
      this.publish('stats', JSON.stringify(await this.o.health()), false);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'mqtt stats failed');
    }
  }

  private async onMessage(topic: string, retained: boolean): Promise<void> {
    const p = this.settings.topicPrefix;
    // A retained request left on the broker would take a snapshot at every reconnection: only live requests count.
    if (retained || !topic.startsWith(`${p}/`) || !topic.endsWith('/snapshot/get')) return;
    const level = topic.slice(p.length + 1, -'/snapshot/get'.length);
    const id = [...this.channels].find(([, c]) => c.level === level)?.[0];
    if (id === undefined || this.snapshotting.has(id)) return;
    this.snapshotting.add(id);
    try {
      this.publish(`${level}/snapshot`, await this.o.snapshot(id), false);
    } catch (err) {
      this.o.logger.warn({ channel: id, err: err instanceof StationError ? err.message : (err as Error).message }, 'mqtt snapshot failed');
    } finally {
      this.snapshotting.delete(id);
    }
  }

  // ---- what the station says ----

  private channelsChanged(list: Channel[]): void {
    const levels = cameraLevels(list);
    const before = this.channels;
    this.channels = new Map(list.map((c) => [c.id, { name: c.name, level: levels.get(c.id)! }]));
    for (const [id, old] of before) {
      const now = this.channels.get(id);
      if (now?.level === old.level) continue;
      // A renamed or removed camera's retained topics are cleared (an empty retained message deletes one).
      this.publish(`${old.level}/status`, '', true);
      for (const key of this.kinds.keys()) if (key.startsWith(`${id}/`)) this.publish(`${old.level}/${key.slice(key.indexOf('/') + 1)}`, '', true);
      if (!now) {
        this.online.delete(id);
        for (const key of [...this.kinds.keys()]) if (key.startsWith(`${id}/`)) this.kinds.delete(key);
      }
    }
    for (const id of this.channels.keys()) this.recompute(id, before.get(id)?.level !== this.channels.get(id)?.level);
  }

  private streamChanged(s: StreamStatus): void {
    this.streams.set(s.streamId, s);
    this.recompute(Number(s.streamId.split('/')[0]));
  }

  private devicesChanged(list: Device[]): void {
    this.deviceOf = new Map(list.flatMap((d) => d.channels.map((c) => [c.channelId, d.status] as const)));
    for (const id of this.channels.keys()) this.recompute(id);
  }

  /** Publishes a channel's online state when it changed (or its topic did). */
  private recompute(id: number, force = false): void {
    const channel = this.channels.get(id);
    if (!channel) return;
    const streams = ['main', 'sub'].flatMap((p) => this.streams.get(`${id}/${p}`) ?? []);
    const on = channelOnline(streams, this.deviceOf.get(id));
    if (on === undefined || (on === this.online.get(id) && !force)) return;
    this.online.set(id, on);
    this.publish(`${channel.level}/status`, on ? 'online' : 'offline', true);
  }

  private eventChanged(e: StationEvent): void {
    const channel = e.channelId === null ? undefined : this.channels.get(e.channelId);
    const before = this.known.get(e.id);
    // Unknown to this process yet: new, unless it is plainly an older event (acknowledged, or ended after it began).
    const type = before ? (!before.ended && e.end !== null ? 'end' : 'update') : e.acknowledged || (e.end !== null && e.end !== e.start) ? 'update' : 'new';
    this.known.delete(e.id);
    this.known.set(e.id, { ended: e.end !== null, acknowledged: e.acknowledged });
    if (this.known.size > KNOWN_EVENTS) this.known.delete(this.known.keys().next().value!);
    this.publish('events', JSON.stringify(eventMessage(e, type, channel)), false);
    // The kind's ON/OFF state: a momentary event (ended as it began) is ON then OFF at once.
    if (type !== 'update' && channel) {
      if (type === 'new') this.publish(`${channel.level}/${e.type}`, 'ON', true);
      if (e.end !== null) this.publish(`${channel.level}/${e.type}`, 'OFF', true);
      this.kinds.set(`${e.channelId}/${e.type}`, e.end === null ? 'ON' : 'OFF');
    }
    // Alarms: raised comes from alarm.raised (after the rule's actions); an alarm that ends is cleared.
    if (e.ruleId !== null && type === 'end') this.alarm('cleared', e, channel);
    if (e.ruleId !== null && e.acknowledged && !before?.acknowledged) this.alarm('acknowledged', e, channel);
  }

  private alarmRaised(n: AlarmNotice): void {
    const e = n.event;
    this.alarm('raised', e, e.channelId === null ? undefined : this.channels.get(e.channelId), n.ruleName);
  }

  private alarm(state: 'raised' | 'acknowledged' | 'cleared', e: StationEvent, channel: { name: string; level: string } | undefined, rule?: string): void {
    this.publish('alarms', JSON.stringify({
      state, eventId: e.id, kind: e.type, channelId: e.channelId, channel: channel?.name ?? null, camera: channel?.level ?? null,
      ...(rule ? { rule } : {}), start: e.start, end: e.end, acknowledged: e.acknowledged, at: this.clock(),
    }), false);
  }
}
