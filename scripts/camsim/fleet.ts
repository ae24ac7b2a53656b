import { randomInt } from 'node:crypto';
import net from 'node:net';
import { createDiscoveryHub, type DiscoveryHub } from './discovery/hub';
import { SimDevice } from './device';
import { deviceFaces } from './device-faces';
import type { DeviceKind, PortMode } from './device-types';
import { startRtspServer } from './rtsp/rtsp-server';
import { faceScene, facePhotoPackage } from './video/face-scene';
import { createSimStream, type SimStreamOptions } from './video/sim-stream';
import { flavourIdentity, type Flavour } from './flavours';
import type { Codec, MediaBackend, Profile, RtspDialectName, RtspServer, RtspServerOptions, SimStream, StreamSpec } from './types';

export interface FleetOptions {
  /** Cameras (default 1). */
  devices?: number;
  /** Channels per camera (default 1). */
  channels?: number;
  /** How many of the cameras start in the factory-default state (the last ones). */
  uninitialized?: number;
  /** Add one NVR with this many channels (1..64). */
  nvr?: number;
  codec?: Codec;
  /** Live-encode with the timestamp code instead of replaying cached loops. */
  live?: boolean;
  gopSeconds?: number;
  /** First three octets of the devices' loopback addresses (default 127.0.1); 'random' picks an unused-looking one. */
  subnet?: string;
  /** standard: 80/554/3702/37810 where bindable, else offset ports, else ephemeral. */
  ports?: PortMode;
  /** Offset ports are portBase + deviceIndex*10 + {0 http, 1 rtsp, 2 ws-discovery, 3 dhip}. */
  portBase?: number;
  username?: string;
  password?: string;
  /** Lock a client IP out for this long after 5 failed logins (default 30 s). */
  lockMs?: number;
  /** How long a reboot keeps a device off the network (default 3 s). */
  rebootMs?: number;
  /** Multicast discovery on lo: only inside a private network namespace (refused otherwise). */
  multicast?: boolean;
  /** Loopback listeners that get every Hello/Bye unicast. */
  announceTo?: { host: string; port: number }[];
  /** Answer in a vendor's shapes (identity, scopes, DHIP framing, event topics, digest): flavours.ts. */
  flavour?: Flavour;
  /** RTSP as this server speaks it (rtsp/dialect.ts), when not the flavour's own: `live555` (Reolink, Uniview). */
  rtspDialect?: RtspDialectName;
  /** Streams + RTSP server: the media half by default; `placeholderMedia` for tests that need no video. */
  media?: MediaBackend;
  /** How many minutes each replayed stream's card keeps (default 30). */
  cardMinutes?: number;
  /** Cameras (1-based positions) with a fisheye lens: their pictures are 180° circles. */
  fisheye?: number[];
  /**
   * Cameras (1-based positions) with people on camera: real photographs with faces (@vladmandic/face-api's demo photographs)
   * pasted onto every channel's picture, another photograph, place and size every second; the manifest gives the ground truth.
   */
  faces?: number[];
  /** The SMTP relay on loopback that devices mail their password-reset security codes through (Dahua's PasswdFind). */
  smtp?: { host: string; port: number };
}

export interface StreamManifest {
  rtsp: string;
  codec: Codec;
  width: number;
  height: number;
  fps: number;
  gopSeconds: number;
}

export interface ChannelManifest {
  channel: number;
  name: string;
  main: StreamManifest;
  sub: StreamManifest;
  snapshot: string;
  onvifProfiles: Record<Profile, string>;
  /** Set on a fisheye camera's channels: where its circle lies, in the station's lens terms (channels.setLens). */
  lens?: { cx: number; cy: number; radius: number; mount: 'ceiling' };
  /** Set on a camera with people (`faces`): which photograph is where, when in the loop (video/face-scene.ts). */
  faces?: ChannelFaces;
  /** A speaker: clients may talk to the channel (ONVIF audio back channel, Dahua audio upload; talk.ts). */
  speaker: boolean;
}

/**
 * The faces on a channel's picture: the photographs' package, the loop (each frame's timestamp code says where in it the frame
 * lies: the time within the loop, or a live stream's capture time modulo the loop) and every placement, normalized to the
 * picture at the main stream's size (to a pixel at the sub's; `faceScene(width, height, gopSeconds)` is exact at any size).
 */
export interface ChannelFaces {
  package: string;
  loopSeconds: number;
  slotSeconds: number;
  placements: { from: number; to: number; photo: string; x: number; y: number; w: number; h: number; faces: Array<[number, number]> }[];
}

export interface DeviceManifest {
  id: string;
  index: number;
  kind: DeviceKind;
  ip: string;
  ports: { http: number; rtsp: number; wsDiscovery: number; dhip: number };
  /** Set when DevInit carried a reset e-mail. */
  resetEmail?: string;
  manufacturer: string;
  model: string;
  serial: string;
  mac: string;
  firmware: string;
  initialized: boolean;
  onvif: { deviceService: string; endpointReference: string };
  dahua: { http: string; dhipPort: number };
  channels: ChannelManifest[];
  credentials?: { username: string; password: string };
}

export interface FleetManifest {
  camsim: 1;
  subnet: string;
  devices: DeviceManifest[];
  control?: string;
}

export interface Fleet {
  /** Recomputed on each read: addresses and ports move with faults and SetNetworkInterfaces. */
  readonly manifest: FleetManifest;
  readonly devices: readonly SimDevice[];
  /** By position (0-based) or id ("cam-01", "nvr-01"). */
  device(which: number | string): SimDevice;
  close(): Promise<void>;
}

export const DEFAULT_USERNAME = 'admin';
export const DEFAULT_PASSWORD = 'Camsim-2024';

/** A manifest URL (rtsp://…) with credentials in it: the device's own, or the fleet's default admin. */
export function withCredentials(url: string, c: { username: string; password: string } = { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD }): string {
  const u = new URL(url);
  u.username = c.username;
  u.password = c.password;
  return u.toString();
}

// ---- placeholder media, used until the media half's streams and RTSP server are wired in ----------

/** A 64x36 grey JPEG so snapshot endpoints serve a real image without the media half. */
const STUB_JPEG = Buffer.from('/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xABKAAEAAAAAAAAAAAAAAAAAAAAAAQEAAAAAAAAAAAAAAAAAAAAAEAEAAAAAAAAAAAAAAAAAAAAAEQEAAAAAAAAAAAAAAAAAAAAA/8AAEQgAJABAAwEiAAIRAAMRAP/aAAwDAQACEQMRAD8AAAAAAAAAAAAAAAAAAAAAAAAA/9k=', 'base64');

function placeholderStream(spec: StreamSpec): SimStream {
  const stream = {
    spec,
    snapshotJpeg: async () => STUB_JPEG,
    setPan: () => undefined,
    setResolution: () => undefined,
    setScene: () => undefined,
    close: async () => undefined,
    parameterSets: () => Promise.reject(new Error('placeholder stream has no video')),
    subscribe: () => () => undefined,
  };
  return stream;
}

/** Holds the RTSP port and answers 503, so addresses, faults and lockouts behave before real video exists. */
function placeholderRtsp(options: RtspServerOptions): Promise<RtspServer> {
  const sockets = new Set<net.Socket>();
  let stalled = false;
  let delay = 0;
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      if (stalled) return;
      const cseq = /CSeq:\s*(\d+)/i.exec(d.toString('latin1'))?.[1] ?? '0';
      setTimeout(() => sock.write(`RTSP/1.0 503 Service Unavailable\r\nCSeq: ${cseq}\r\n\r\n`), delay);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : options.port,
        dropAll: () => sockets.forEach((s) => s.destroy()),
        setStalled: (on) => {
          stalled = on;
        },
        corruptNext: () => undefined,
        setReplyDelay: (ms) => {
          delay = ms;
        },
        close: () =>
          new Promise<void>((r) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => r());
          }),
      });
    });
  });
}

export const placeholderMedia: MediaBackend = { createStream: placeholderStream, startRtspServer: placeholderRtsp };

/** The media half: cached-loop or live-encoded SimStreams and camsim's Node RTSP server. */
export const simMedia: MediaBackend = simMediaWith({});

export function simMediaWith(streams: SimStreamOptions): MediaBackend {
  return { createStream: (spec) => createSimStream(spec, streams), startRtspServer: (options) => startRtspServer(options) };
}

// ---- the fleet --------------------------------------------------------------------------------

function pickSubnet(subnet: string | undefined): string {
  if (subnet === undefined) return '127.0.1';
  if (subnet === 'random') return `127.${randomInt(2, 255)}.${randomInt(0, 256)}`;
  if (!/^127\.\d{1,3}\.\d{1,3}$/.test(subnet) || subnet.split('.').some((o) => Number(o) > 255)) {
    throw new Error(`subnet must be 127.x.y (loopback), not ${subnet}`);
  }
  return subnet;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

function streamManifest(device: SimDevice, ch: number, profile: Profile): StreamManifest {
  const spec = device.channel(ch)?.specs[profile];
  if (!spec) throw new Error('no such channel');
  return { rtsp: device.rtspUrl(ch, profile), codec: spec.codec, width: spec.width, height: spec.height, fps: spec.fps, gopSeconds: spec.gopSeconds };
}

function channelFaces(spec: StreamSpec): ChannelFaces {
  const scene = faceScene(spec.width, spec.height, spec.gopSeconds);
  const n = (v: number, of: number) => Number((v / of).toFixed(4));
  return {
    package: facePhotoPackage(), loopSeconds: scene.loopSeconds, slotSeconds: scene.slotSeconds,
    placements: scene.placements.map((p) => ({
      from: p.from, to: p.to, photo: p.photo, x: n(p.x, spec.width), y: n(p.y, spec.height), w: n(p.w, spec.width), h: n(p.h, spec.height),
      faces: p.faces.map(([x, y]) => [Number(x.toFixed(4)), Number(y.toFixed(4))] as [number, number]),
    })),
  };
}

export function deviceManifest(device: SimDevice): DeviceManifest {
  const admin = [...device.users.values()].find((u) => u.level === 'Administrator');
  return {
    id: device.id,
    index: device.index,
    kind: device.kind,
    ip: device.ip,
    ports: { ...device.ports },
    manufacturer: device.identity.manufacturer,
    model: device.identity.model,
    serial: device.identity.serial,
    mac: device.identity.mac,
    firmware: device.identity.firmware,
    initialized: device.initialized,
    onvif: { deviceService: device.deviceServiceUrl, endpointReference: `urn:uuid:${device.endpointUuid}` },
    dahua: { http: device.baseUrl, dhipPort: device.ports.dhip },
    channels: device.channels.map((c) => ({
      channel: c.channel,
      name: c.name,
      main: streamManifest(device, c.channel, 'main'),
      sub: streamManifest(device, c.channel, 'sub'),
      snapshot: device.snapshotUrl(c.channel, 'main'),
      onvifProfiles: { main: `ch${c.channel}_main`, sub: `ch${c.channel}_sub` },
      // The circle is as tall as the picture and centred (render-args.ts).
      ...(c.specs.main.fisheye ? { lens: { cx: 0.5, cy: 0.5, radius: 0.5, mount: 'ceiling' as const } } : {}),
      ...(c.specs.main.facePhotos ? { faces: channelFaces(c.specs.main) } : {}),
      speaker: c.speaker,
    })),
    ...(admin ? { credentials: { username: admin.username, password: admin.password } } : {}),
    ...(device.resetEmail ? { resetEmail: device.resetEmail } : {}),
  };
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const cameras = options.devices ?? 1;
  const channels = options.channels ?? 1;
  const uninit = options.uninitialized ?? 0;
  const nvrChannels = options.nvr ?? 0;
  if (!Number.isInteger(cameras) || cameras < 0) throw new Error('devices must be a non-negative integer');
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new Error('channels must be 1..64');
  if (!Number.isInteger(uninit) || uninit < 0 || uninit > cameras) throw new Error('uninitialized must be 0..devices');
  if (!Number.isInteger(nvrChannels) || nvrChannels < 0 || nvrChannels > 64) throw new Error('nvr must be 0..64 channels');
  const total = cameras + (nvrChannels > 0 ? 1 : 0);
  if (total > 254) throw new Error('at most 254 devices per subnet');
  const subnet = pickSubnet(options.subnet);
  const hub: DiscoveryHub = createDiscoveryHub({
    ...(options.multicast !== undefined ? { multicast: options.multicast } : {}),
    ...(options.announceTo ? { announceTo: options.announceTo } : {}),
  });
  const username = options.username ?? DEFAULT_USERNAME;
  const password = options.password ?? DEFAULT_PASSWORD;
  const fleetTag = randomInt(0, 0xffff);
  const devices: SimDevice[] = [];
  for (let i = 0; i < total; i++) {
    const isNvr = i === cameras;
    const kind: DeviceKind = isNvr ? 'nvr' : 'camera';
    const n = isNvr ? 1 : i + 1;
    const id = `${isNvr ? 'nvr' : 'cam'}-${String(n).padStart(2, '0')}`;
    const initialized = isNvr || i < cameras - uninit;
    devices.push(
      new SimDevice({
        id,
        index: i + 1,
        kind,
        flavour: options.flavour ?? 'generic',
        rtspDialect: options.rtspDialect ?? options.flavour ?? 'generic',
        ...(options.smtp ? { smtp: options.smtp } : {}),
        identity: flavourIdentity(options.flavour ?? 'generic', kind, {
          manufacturer: 'Camsim',
          model: isNvr ? `CS-NVR${nvrChannels}` : 'CS-IPC4M-Z',
          firmware: '2.800.0000000.1.R',
          serial: `CS${hex2(fleetTag >> 8)}${hex2(fleetTag & 0xff)}${String(i + 1).padStart(6, '0')}`,
          hardwareId: isNvr ? 'CS-NVR-HW1' : 'CS-IPC-HW1',
          // Locally administered unicast MACs (02:...), never a real vendor's.
          mac: `02:43:53:${hex2(fleetTag >> 8)}:${hex2(fleetTag & 0xff)}:${hex2(i + 1)}`,
        }),
        channels: isNvr ? nvrChannels : channels,
        codec: options.codec ?? 'h264',
        live: options.live ?? false,
        gopSeconds: options.gopSeconds ?? 2,
        ip: `${subnet}.${i + 1}`,
        portMode: options.ports ?? 'standard',
        portBase: options.portBase ?? 20000,
        ...(initialized ? { admin: { username, password } } : {}),
        media: options.media ?? (options.cardMinutes ? simMediaWith({ cardMs: options.cardMinutes * 60_000 }) : simMedia),
        faces: deviceFaces,
        hub,
        ...(options.fisheye?.includes(i + 1) ? { fisheye: true } : {}),
        ...(options.faces?.includes(i + 1) ? { facePhotos: true } : {}),
        lockMs: options.lockMs ?? 30_000,
        rebootMs: options.rebootMs ?? 3000,
      }),
    );
  }

  const close = async () => {
    await Promise.allSettled(devices.map((d) => d.close()));
    await hub.close();
  };
  try {
    await hub.start(() => devices);
    for (const d of devices) await d.start();
  } catch (err) {
    await close();
    throw err;
  }

  return {
    get manifest(): FleetManifest {
      return { camsim: 1, subnet, devices: devices.map(deviceManifest) };
    },
    devices,
    device(which) {
      const d = typeof which === 'number' ? devices[which] : devices.find((x) => x.id === which);
      if (!d) throw new Error(`no device ${String(which)}`);
      return d;
    },
    close,
  };
}
