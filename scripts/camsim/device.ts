import { randomUUID } from 'node:crypto';
import type dgram from 'node:dgram';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { ChannelState, DeviceEvent, DeviceIdentity, DeviceKind, DevicePorts, DeviceUser, PortMode, TimeSettings } from './device-types';
import { VALUE_EVENT_KINDS } from './device-types';
import { bindFirst, bindUdp, isLoopback, listen, type PortPlan } from './device-network';
import { DigestAuth } from './digest-auth';
import { digestAlgorithms, flavourName, type Flavour } from './flavours';
import { createLoginGuard, type ConfigurableLoginGuard } from './login-guard';
import { rtpPayload, TalkSink } from './talk';
import type { BackchannelSink, Codec, MediaBackend, Profile, RtspDialectName, RtspServer, SceneSpec, SimStream, StreamSpec } from './types';
import { deviceLocalTime } from './device-clock';

/** The protocols a device answers on its listeners; device-faces.ts has the real ones. */
export interface DeviceFaces {
  http(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  wsDiscovery(device: SimDevice, msg: Buffer, rinfo: dgram.RemoteInfo, sock: dgram.Socket): void;
  dhip(device: SimDevice, msg: Buffer, rinfo: dgram.RemoteInfo, sock: dgram.Socket): void;
}

/** What a device needs of the fleet's discovery plumbing (discovery/hub.ts): Hello/Bye and multicast on its sockets. */
export interface DeviceAnnouncer {
  hello(device: SimDevice): void;
  bye(device: SimDevice): void;
  multicastAllowed(address: string): boolean;
  /** Applied to each device's UDP sockets. */
  prepareSocket(sock: dgram.Socket): void;
}

export interface DeviceOptions {
  id: string;
  index: number;
  kind: DeviceKind;
  identity: DeviceIdentity;
  channels: number;
  codec: Codec;
  live: boolean;
  gopSeconds: number;
  ip: string;
  portMode: PortMode;
  portBase: number;
  /** Admin credentials; absent for a factory-default (uninitialised) device. */
  admin?: { username: string; password: string };
  media: MediaBackend;
  faces: DeviceFaces;
  hub: DeviceAnnouncer;
  lockMs: number;
  rebootMs: number;
  /** Whose shapes it answers in (flavours.ts); generic when absent. */
  flavour?: Flavour;
  /** RTSP as a vendor's server speaks it (rtsp/dialect.ts); the flavour's when absent. */
  rtspDialect?: RtspDialectName;
  /** A fisheye camera: every channel's picture is a 180° circle. */
  fisheye?: boolean;
  /** People on camera: every channel's picture has real photographs with faces pasted on it (video/face-scene.ts). */
  facePhotos?: boolean;
  /** The SMTP relay (loopback) a Dahua-style password reset mails its security code through, standing in for Dahua's service. */
  smtp?: { host: string; port: number };
}

/** One simulated camera or NVR: its HTTP (ONVIF + Dahua CGI), RTSP and UDP discovery faces. */
/** Dahua's playback times: `2026_12_02_10_15_00` (the device's local clock, read here as if UTC: the caller shifts it) or ISO `2026-12-02T10:15:00Z`. */
export function parseDahuaTime(s: string | null): number | undefined {
  const m = /^(\d{4})_(\d{1,2})_(\d{1,2})_(\d{1,2})_(\d{1,2})_(\d{1,2})$/.exec(s ?? '');
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s ?? '') ? Date.parse(s!) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export class SimDevice {
  readonly id: string;
  readonly index: number;
  readonly kind: DeviceKind;
  readonly identity: DeviceIdentity;
  readonly endpointUuid = randomUUID();
  readonly users = new Map<string, DeviceUser>();
  readonly guard: ConfigurableLoginGuard;
  readonly digest: DigestAuth;
  readonly realm: string;
  readonly flavour: Flavour;
  readonly channels: ChannelState[] = [];
  readonly time: TimeSettings = { type: 'Manual', daylightSavings: false, tz: 'UTC0', offsetMs: 0, ntpServer: '' };
  hostname: string;
  machineName: string;
  /** The password-reset e-mail given at DevInit (Dahua's mail field), if any. */
  resetEmail: string | undefined = undefined;
  /** IPv4 by DHCP (camsim's "DHCP server" leases <subnet>.<200 + index>); false: the manual address. */
  dhcp = false;
  /** Offers Security.getEncryptInfo and takes the encrypted DevInit envelope (false: older firmware, plain form only). */
  devInitEncryption = true;
  /** How the last accepted-for-checking DevInit.account came: plain {name, pwd} or the encrypted envelope. */
  lastDevInitForm: 'plain' | 'encrypted' | undefined = undefined;
  ip: string;
  ports: DevicePorts = { http: 0, rtsp: 0, wsDiscovery: 0, dhip: 0 };
  /** Bumped whenever what Hello/ProbeMatch advertise changes (WS-Discovery §4.1 MetadataVersion). */
  metadataVersion = 1;
  /** Answers the ONVIF audio back channel on RTSP (a fault turns it off: the camera then takes talk only by Dahua's upload). */
  backchannel = true;
  /** Fault: extra delay before every HTTP reply. */
  replyDelayMs = 0;
  online = false;
  bootedAt = Date.now();
  readonly options: DeviceOptions;

  private readonly streams = new Map<string, SimStream>();
  private readonly listeners = new Set<(e: DeviceEvent) => void>();
  private readonly lastEvents = new Map<string, DeviceEvent>();
  private readonly httpSockets = new Set<Socket>();
  private httpServer: http.Server | undefined;
  private rtsp: RtspServer | undefined;
  private wsdSocket: dgram.Socket | undefined;
  private dhipSocket: dgram.Socket | undefined;
  private offlineTimer: NodeJS.Timeout | undefined;
  private ptzTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private transition: Promise<void> = Promise.resolve();
  private readonly disposers = new Set<() => void>();
  private readonly portPlan: PortPlan;

  constructor(options: DeviceOptions) {
    this.options = options;
    this.portPlan = { mode: options.portMode, base: options.portBase, index: options.index };
    this.id = options.id;
    this.index = options.index;
    this.kind = options.kind;
    this.identity = options.identity;
    this.ip = options.ip;
    this.hostname = `camsim-${options.id}`;
    this.machineName = options.identity.serial;
    // Dahua's realm names the serial; reused for ONVIF digest and RTSP so one password works everywhere.
    this.realm = `Login to ${options.identity.serial}`;
    // HTTP offers qop=auth and keeps a nonce 5 minutes (RFC 7616 form); the RTSP server has its own, Dahua-style.
    this.flavour = options.flavour ?? 'generic';
    this.digest = new DigestAuth(this.realm, { offerQop: true, nonceTtlMs: 5 * 60_000, algorithms: digestAlgorithms(this.flavour) });
    this.guard = createLoginGuard({ lockMs: options.lockMs });
    if (options.admin) {
      this.users.set(options.admin.username, { ...options.admin, level: 'Administrator' });
    }
    for (let ch = 1; ch <= options.channels; ch++) {
      const name = options.kind === 'nvr' ? `${options.id} CH${ch}` : `${options.id}${options.channels > 1 ? ` CH${ch}` : ''}`;
      const spec = (profile: Profile): StreamSpec => ({
        channel: ch,
        channelName: name,
        profile,
        codec: options.codec,
        width: profile === 'main' ? 1920 : 640,
        height: profile === 'main' ? 1080 : 360,
        fps: 25,
        gopSeconds: options.gopSeconds,
        live: options.live,
        ...(options.fisheye ? { fisheye: true as const } : {}),
        ...(options.facePhotos ? { facePhotos: true as const } : {}),
      });
      this.channels.push({
        channel: ch,
        name,
        specs: { main: spec('main'), sub: spec('sub') },
        pan: { x: 0, y: 0 },
        velocity: { x: 0, y: 0 },
        moveUntil: 0,
        presets: new Map(),
        scene: { still: false, motion: null },
        speaker: options.kind === 'camera',
        talks: [],
      });
    }
  }

  /** Factory default until an administrator exists (ONVIF Profile Q "Factory Default State"). */
  get initialized(): boolean {
    for (const u of this.users.values()) if (u.level === 'Administrator') return true;
    return false;
  }

  passwordOf = (username: string): string | undefined => this.users.get(username)?.password;

  now(): number {
    return Date.now() + this.time.offsetMs;
  }

  hostPort(port: number, standard: number): string {
    return port === standard ? this.ip : `${this.ip}:${port}`;
  }

  get baseUrl(): string {
    return `http://${this.hostPort(this.ports.http, 80)}`;
  }

  get deviceServiceUrl(): string {
    return `${this.baseUrl}/onvif/device_service`;
  }

  rtspUrl(channel: number, profile: Profile, onvif = false): string {
    const subtype = profile === 'main' ? 0 : 1;
    const base = `rtsp://${this.hostPort(this.ports.rtsp, 554)}`;
    // Each vendor's path, as its GetStreamUri gives it: Hikvision's /Streaming/Channels/<ch><01|02>, Axis's
    // /onvif-media/media.amp?profile=…; Dahua's realmonitor (Dahua HTTP API §4.1.1) for Dahua and camsim's own.
    if (this.flavour === 'hikvision') return `${base}/Streaming/Channels/${channel * 100 + subtype + 1}${onvif ? `?transportmode=unicast&profile=Profile_${channel * 100 + subtype + 1}` : ''}`;
    if (this.flavour === 'axis') return `${base}/onvif-media/media.amp?profile=ch${channel}_${profile}&sessiontimeout=60&streamtype=unicast`;
    return `${base}/cam/realmonitor?channel=${channel}&subtype=${subtype}${onvif ? '&unicast=true&proto=Onvif' : ''}`;
  }

  snapshotUrl(channel: number, profile: Profile): string {
    return `${this.baseUrl}/onvif/snapshot?channel=${channel}&subtype=${profile === 'main' ? 0 : 1}`;
  }

  channel(ch: number): ChannelState | undefined {
    return this.channels[ch - 1];
  }

  /** A stream already made (undefined when nobody has used it yet). */
  madeStream(ch: number, profile: Profile): SimStream | undefined {
    return this.streams.get(`${ch}/${profile}`);
  }

  /** Streams are created on first use, so a 64-channel NVR costs nothing until someone watches. */
  stream(ch: number, profile: Profile): SimStream | undefined {
    const state = this.channel(ch);
    if (!state) return undefined;
    const key = `${ch}/${profile}`;
    let s = this.streams.get(key);
    if (!s) {
      s = this.options.media.createStream(state.specs[profile]);
      this.streams.set(key, s);
      s.setPan(state.pan.x, state.pan.y);
      if (state.scene.still || state.scene.motion) s.setScene(state.scene);
    }
    return s;
  }

  /** Maps an RTSP request path to a stream: `/cam/realmonitor?channel=1&subtype=0` (+ ONVIF flags), whatever the flavour;
   *  `/Streaming/Channels/101` (Hikvision) and `/onvif-media/media.amp?profile=ch1_main` (Axis) on those flavours. */
  resolveRtsp = (pathAndQuery: string): SimStream | undefined => {
    const url = new URL(pathAndQuery, 'rtsp://camsim');
    const path = url.pathname.replace(/\/+$/, '');
    const hik = /^\/Streaming\/Channels\/(\d+)0([12])$/i.exec(path);
    if (hik && this.flavour === 'hikvision') return this.stream(Number(hik[1]), hik[2] === '1' ? 'main' : 'sub');
    const axis = /^ch(\d+)_(main|sub)$/.exec(url.searchParams.get('profile') ?? '');
    if (path === '/onvif-media/media.amp' && axis && this.flavour === 'axis') return this.stream(Number(axis[1]), axis[2] as Profile);
    if (path !== '/cam/realmonitor') return undefined;
    const ch = Number(url.searchParams.get('channel') ?? '1');
    const subtype = url.searchParams.get('subtype') ?? '0';
    if (!Number.isInteger(ch) || (subtype !== '0' && subtype !== '1')) return undefined;
    return this.stream(ch, subtype === '0' ? 'main' : 'sub');
  };

  /** The ONVIF back channel of the channel an RTSP path names: its speaker, G.711 µ-law in RTP (payload type 0). */
  speakerOf = (pathAndQuery: string): { open(): BackchannelSink } | undefined => {
    const ch = this.resolveRtsp(pathAndQuery)?.spec.channel;
    const state = ch === undefined ? undefined : this.channel(ch);
    if (!state?.speaker || !this.backchannel) return undefined;
    return {
      open: () => {
        const sink = new TalkSink(state.talks, 'onvif', 'mu');
        return { rtp: (packet) => { const p = rtpPayload(packet); if (p?.payloadType === 0) sink.write(p.payload); }, end: () => sink.end() };
      },
    };
  };

  /** Maps a playback path to a stream's card: Dahua's `/cam/playback?channel=1&subtype=0&starttime=…&endtime=…` (the range
   *  in the URL) and the ONVIF replay URI `/onvif/replay/rec_ch1_main` (GetReplayUri; the range comes in PLAY's Range header). */
  resolvePlayback = (pathAndQuery: string): { stream: SimStream; range?: { start: number; end: number }; onvif?: boolean } | undefined => {
    const url = new URL(pathAndQuery, 'rtsp://camsim');
    const path = url.pathname.replace(/\/+$/, '');
    const onvif = /^\/onvif\/replay\/rec_ch(\d+)_(main|sub)$/.exec(path);
    if (onvif) {
      const stream = this.stream(Number(onvif[1]), onvif[2] as Profile);
      return stream ? { stream, onvif: true } : undefined;
    }
    if (path !== '/cam/playback') return undefined;
    const ch = Number(url.searchParams.get('channel') ?? '1');
    const subtype = url.searchParams.get('subtype') ?? '0';
    const stream = Number.isInteger(ch) && (subtype === '0' || subtype === '1') ? this.stream(ch, subtype === '0' ? 'main' : 'sub') : undefined;
    if (!stream) return undefined;
    // Dahua's underscore times are the device's local clock (its zone, DST and any skew of its clock): back to UTC.
    const local = (s: string | null) => {
      const t = parseDahuaTime(s);
      return t === undefined || !/_/.test(s ?? '') ? t : t - (deviceLocalTime(this.time, this.now()).local.getTime() - Date.now());
    };
    const start = local(url.searchParams.get('starttime'));
    const end = local(url.searchParams.get('endtime'));
    return start !== undefined && end !== undefined && end > start ? { stream, range: { start, end } } : { stream };
  };

  scopes(): { item: string; fixed: boolean }[] {
    const type = this.kind === 'nvr' ? 'NVR' : 'Network_Video_Transmitter';
    return [
      { item: 'onvif://www.onvif.org/Profile/Streaming', fixed: true },
      { item: 'onvif://www.onvif.org/Profile/S', fixed: true },
      { item: `onvif://www.onvif.org/type/${type}`, fixed: true },
      { item: 'onvif://www.onvif.org/type/video_encoder', fixed: true },
      { item: 'onvif://www.onvif.org/type/ptz', fixed: true },
      { item: `onvif://www.onvif.org/hardware/${encodeURIComponent(this.identity.model)}`, fixed: true },
      { item: `onvif://www.onvif.org/name/${encodeURIComponent(flavourName(this.flavour, this.identity, this.hostname))}`, fixed: false },
      { item: 'onvif://www.onvif.org/location/country/camsim', fixed: false },
      // ONVIF Profile Q §7.3: exactly one of these tells a client whether the device still needs its first admin.
      {
        item: this.initialized ? 'onvif://www.onvif.org/Profile/Q/Operational' : 'onvif://www.onvif.org/Profile/Q/FactoryDefault',
        fixed: true,
      },
    ];
  }

  /** What discovery advertises changed (first admin created, name changed): bump and announce (WS-Discovery §4.1). */
  announceChange(): void {
    this.metadataVersion++;
    if (this.online) this.options.hub.hello(this);
  }

  // ---- events -------------------------------------------------------------------------------

  onEvent(listener: (e: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest event per kind and channel, for ONVIF "Initialized" property messages. */
  currentStates(): DeviceEvent[] {
    return [...this.lastEvents.values()];
  }

  raiseEvent(e: Omit<DeviceEvent, 'utcMs'> & { utcMs?: number }): DeviceEvent {
    if (!this.channel(e.channel)) throw new Error(`no channel ${e.channel} on ${this.id}`);
    const ev: DeviceEvent = { ...e, utcMs: e.utcMs ?? this.now() };
    if (VALUE_EVENT_KINDS.has(ev.kind)) {
      if (typeof ev.value !== 'number' || !Number.isFinite(ev.value)) throw new Error(`${ev.kind} needs a numeric value`);
      delete ev.state;
    } else {
      ev.state = ev.state ?? true;
      delete ev.value;
    }
    this.lastEvents.set(`${ev.kind}/${ev.channel}`, ev);
    for (const l of [...this.listeners]) l(ev);
    return ev;
  }

  // ---- PTZ ----------------------------------------------------------------------------------

  ptzMove(ch: number, vx: number, vy: number, timeoutMs: number): void {
    const st = this.channel(ch);
    if (!st) return;
    st.velocity = { x: clamp(vx, -1, 1), y: clamp(vy, -1, 1) };
    st.moveUntil = Date.now() + timeoutMs;
    this.ensurePtzTimer();
  }

  ptzStop(ch: number): void {
    const st = this.channel(ch);
    if (!st) return;
    st.velocity = { x: 0, y: 0 };
    st.moveUntil = 0;
  }

  ptzSetPosition(ch: number, x: number, y: number): void {
    const st = this.channel(ch);
    if (!st) return;
    st.pan = { x: clamp(x, -1, 1), y: clamp(y, -1, 1) };
    for (const p of ['main', 'sub'] as const) this.streams.get(`${ch}/${p}`)?.setPan(st.pan.x, st.pan.y);
  }

  isMoving(ch: number): boolean {
    const st = this.channel(ch);
    return !!st && st.moveUntil > Date.now() && (st.velocity.x !== 0 || st.velocity.y !== 0);
  }

  private ensurePtzTimer(): void {
    if (this.ptzTimer) return;
    const tickMs = 100;
    // Full speed crosses the whole range (-1..1) in 4 s, slow enough to watch the picture pan.
    const perTick = (2 / 4000) * tickMs;
    this.ptzTimer = setInterval(() => {
      let any = false;
      for (const st of this.channels) {
        if (st.moveUntil <= Date.now()) continue;
        if (st.velocity.x === 0 && st.velocity.y === 0) continue;
        any = true;
        this.ptzSetPosition(st.channel, st.pan.x + st.velocity.x * perTick, st.pan.y + st.velocity.y * perTick);
      }
      if (!any && this.ptzTimer) {
        clearInterval(this.ptzTimer);
        this.ptzTimer = undefined;
      }
    }, tickMs);
    this.ptzTimer.unref();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.serialize(() => this.bringUp());
    this.options.hub.hello(this);
  }

  /** Runs lifecycle changes one at a time (a reboot during an address change must not interleave). */
  private serialize(fn: () => Promise<void>): Promise<void> {
    const next = this.transition.then(fn, fn);
    this.transition = next.catch(() => undefined);
    return next;
  }

  private async bringUp(): Promise<void> {
    if (this.closed) return;
    const prev = this.ports;
    const server = http.createServer((req, res) => void this.onHttp(req, res));
    server.keepAliveTimeout = 5000;
    server.on('connection', (s) => {
      this.httpSockets.add(s);
      s.on('close', () => this.httpSockets.delete(s));
    });
    const httpPort = await bindFirst(this.portPlan, 'http', prev.http, (port) => listen(server, this.ip, port));
    this.httpServer = server;

    const rtsp = await bindFirst(this.portPlan, 'rtsp', prev.rtsp, (port) =>
      this.options.media.startRtspServer({
        host: this.ip,
        port,
        realm: this.realm,
        passwordOf: this.passwordOf,
        resolve: this.resolveRtsp,
        resolvePlayback: this.resolvePlayback,
        backchannel: this.speakerOf,
        lockout: this.guard,
        dialect: { name: this.options.rtspDialect ?? this.flavour, serial: this.identity.serial, mac: this.identity.mac },
      }),
    );
    this.rtsp = rtsp;
    rtsp.setReplyDelay(this.replyDelayMs);

    const wsd = await bindFirst(this.portPlan, 'wsDiscovery', prev.wsDiscovery, (port) =>
      bindUdp(this.ip, port, this.options.hub.prepareSocket, (msg, rinfo, sock) => this.options.faces.wsDiscovery(this, msg, rinfo, sock)),
    );
    this.wsdSocket = wsd.socket;
    const dhip = await bindFirst(this.portPlan, 'dhip', prev.dhip, (port) =>
      bindUdp(this.ip, port, this.options.hub.prepareSocket, (msg, rinfo, sock) => this.options.faces.dhip(this, msg, rinfo, sock)),
    );
    this.dhipSocket = dhip.socket;
    this.ports = { http: httpPort, rtsp: rtsp.port, wsDiscovery: wsd.port, dhip: dhip.port };
    this.online = true;
    this.bootedAt = Date.now();
  }

  private async bringDown(): Promise<void> {
    this.online = false;
    const server = this.httpServer;
    this.httpServer = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of this.httpSockets) s.destroy();
      this.httpSockets.clear();
      await closed;
    }
    for (const d of [...this.disposers]) d();
    this.disposers.clear();
    const rtsp = this.rtsp;
    this.rtsp = undefined;
    if (rtsp) await rtsp.close();
    for (const sock of [this.wsdSocket, this.dhipSocket]) {
      if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
    }
    this.wsdSocket = undefined;
    this.dhipSocket = undefined;
  }

  /** Something long-lived tied to the current boot (event streams, long polls); ended on reboot/offline. */
  holdUntilDown(dispose: () => void): () => void {
    this.disposers.add(dispose);
    return () => this.disposers.delete(dispose);
  }

  /** The device really moves: every listener is rebound on the new loopback address, then Hello. */
  async setAddress(ip: string): Promise<void> {
    if (!isLoopback(ip)) throw new Error(`camsim devices only take loopback addresses, not ${ip}`);
    if (ip === this.ip) return;
    await this.serialize(async () => {
      this.options.hub.bye(this);
      await this.bringDown();
      this.ip = ip;
      this.metadataVersion++;
      await this.bringUp();
    });
    this.options.hub.hello(this);
  }

  /** Switches to DHCP: the device moves to its lease address (announced with Bye and Hello like any move). */
  async useDhcp(): Promise<string> {
    this.dhcp = true;
    const lease = `${this.ip.split('.').slice(0, 3).join('.')}.${200 + this.index}`;
    await this.setAddress(lease);
    return lease;
  }

  /** Fault: gone from the network (connections refused, no discovery replies) for ms, then back with Hello. */
  goOffline(ms: number): Promise<void> {
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
    const down = this.serialize(() => this.bringDown());
    this.offlineTimer = setTimeout(() => {
      this.offlineTimer = undefined;
      void this.serialize(() => this.bringUp()).then(
        () => {
          if (this.online) this.options.hub.hello(this);
        },
        () => undefined,
      );
    }, ms);
    this.offlineTimer.unref();
    return down;
  }

  reboot(ms = this.options.rebootMs): Promise<void> {
    for (const st of this.channels) this.ptzStop(st.channel);
    return this.goOffline(ms);
  }

  /** Resolves once the device is reachable again (after offline/reboot/address change). */
  async whenOnline(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.online || this.offlineTimer) {
      if (Date.now() > until) throw new Error(`${this.id} still offline`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.transition;
  }

  get rtspServer(): RtspServer | undefined {
    return this.rtsp;
  }

  setReplyDelay(ms: number): void {
    this.replyDelayMs = Math.max(0, ms);
    this.rtsp?.setReplyDelay(this.replyDelayMs);
  }

  setResolution(ch: number, profile: Profile, width: number, height: number): void {
    const st = this.channel(ch);
    if (!st) throw new Error(`no channel ${ch} on ${this.id}`);
    st.specs[profile] = { ...st.specs[profile], width, height };
    this.stream(ch, profile)?.setResolution(width, height);
  }

  /** Control: hold the pattern still and/or draw a moving box in a region of the channel's picture (main and sub). */
  setScene(ch: number, scene: SceneSpec): void {
    const st = this.channel(ch);
    if (!st) throw new Error(`no channel ${ch} on ${this.id}`);
    st.scene = { still: scene.still, motion: scene.motion ? { ...scene.motion } : null };
    for (const p of ['main', 'sub'] as const) this.streams.get(`${ch}/${p}`)?.setScene(st.scene);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.online) this.options.hub.bye(this);
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
    this.offlineTimer = undefined;
    if (this.ptzTimer) clearInterval(this.ptzTimer);
    this.ptzTimer = undefined;
    await this.serialize(() => this.bringDown());
    this.closed = true;
    this.listeners.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((s) => s.close()));
  }

  /** Sends a UDP datagram from this device's discovery socket, to loopback only. */
  sendUdp(kind: 'wsDiscovery' | 'dhip', msg: Buffer, port: number, address: string): void {
    const sock = kind === 'wsDiscovery' ? this.wsdSocket : this.dhipSocket;
    if (!sock || !this.online) return;
    if (!isLoopback(address) && !this.options.hub.multicastAllowed(address)) return;
    sock.send(msg, port, address, () => undefined);
  }

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.replyDelayMs > 0) await new Promise((r) => setTimeout(r, this.replyDelayMs));
    await this.options.faces.http(this, req, res);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
