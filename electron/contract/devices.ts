// Devices: LAN discovery, activation, the managed device list and its channels.
import { z } from 'zod';
import { call, NoInput, needs } from './common';
import { Refusal } from './errors';
import { RtspUrl } from './live';

export const DEVICE_DRIVERS = ['onvif', 'dahua', 'rtsp'] as const;
export const DeviceDriver = z.enum(DEVICE_DRIVERS);
export const ScanStatus = z.enum(['uninitialised', 'initialised', 'added', 'offline']);
export type ScanStatus = z.infer<typeof ScanStatus>;

/** Cover images: at most 512 KiB (as base64 it stays inside one WebSocket frame). */
export const COVER_MAX_BYTES = 512 * 1024;
export const COVER_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** An IPv4 address: four numbers from 0 to 255 separated by dots. */
export const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const address = z.string().regex(IPV4, 'field.notIpv4');
const port = z.number().int().min(1).max(65535);

/** One device heard on the LAN (ONVIF and DHIP replies of the same address merged). */
export const DiscoveredDevice = z.object({
  key: z.string(),
  address: z.string(),
  sources: z.array(z.enum(['onvif', 'dhip'])),
  status: ScanStatus,
  kind: z.enum(['camera', 'nvr']),
  vendor: z.string(),
  model: z.string(),
  name: z.string(),
  mac: z.string(),
  serial: z.string(),
  firmware: z.string(),
  httpPort: z.number().int(),
  rtspPort: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  xaddr: z.string().nullable(),
  endpoint: z.string().nullable(),
  lastSeenAt: z.number(),
});
export type DiscoveredDevice = z.infer<typeof DiscoveredDevice>;

export const DeviceStatus = z.enum(['online', 'offline', 'locked', 'unknown']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const DeviceChannel = z.object({
  channelId: z.number().int().positive(),
  deviceChannel: z.number().int(),
  name: z.string(),
  hasSub: z.boolean(),
  /** A cover image is kept for the channel (fetched with devices.cover). */
  hasCover: z.boolean(),
});

/** A managed device as the renderer sees it: never its credentials. */
export const Device = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  driver: DeviceDriver,
  kind: z.enum(['camera', 'nvr']),
  vendor: z.string(),
  model: z.string(),
  serial: z.string(),
  mac: z.string(),
  firmware: z.string(),
  address: z.string(),
  httpPort: z.number().int(),
  rtspPort: z.number().int(),
  status: DeviceStatus,
  lockedUntil: z.number().nullable(),
  lastSeenAt: z.number().nullable(),
  channels: z.array(DeviceChannel),
  createdAt: z.number(),
  /**
   * Password reset by the reserved e-mail (Dahua's PasswdFind): `email` offered, `noEmail` offered but no address was set at
   * activation, `unsupported` not offered; absent while not known yet (the device not asked, or not reachable).
   */
  passwordReset: z.enum(['email', 'noEmail', 'unsupported']).optional(),
});
export type Device = z.infer<typeof Device>;

/** Station-side password rule (8–32 chars, two of letters/digits/symbols, not the username); the renderer shows it as the user types. */
export function passwordProblems(password: string, username: string): string[] {
  const p: string[] = [];
  if (password.length < 8 || password.length > 32) p.push('8 to 32 characters');
  const kinds = [/[A-Za-z]/, /\d/, /[^A-Za-z\d]/].filter((r) => r.test(password)).length;
  if (kinds < 2) p.push('at least two of letters, digits, symbols');
  if (username && password.toLowerCase() === username.toLowerCase()) p.push('not the username');
  if (/['";:&\s]/.test(password)) p.push("none of ' \" ; : & or spaces");
  return p;
}

const Credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(64) });

export const ActivationResult = z.object({
  key: z.string(),
  address: z.string(),
  ok: z.boolean(),
  /** Why not, in English; `error` says it in any language. */
  reason: z.string().optional(),
  error: Refusal.optional(),
  /** Said of a success, e.g. that the device's protocol had no place for the reset e-mail. */
  note: z.string().optional(),
});
export type ActivationResult = z.infer<typeof ActivationResult>;

/**
 * Whether two stream URLs name the same camera stream: the same scheme, host, port (554 by default) and path, and no query
 * parameter that both carry differs (an ONVIF stream URI adds parameters of its own to the camera's plain path); credentials are ignored.
 */
export function sameStream(a: string, b: string): boolean {
  const parse = (s: string) => { try { return new URL(s); } catch { return undefined; } };
  const x = parse(a), y = parse(b);
  if (!x || !y) return false;
  const port = (u: URL) => u.port || (u.protocol === 'rtsps:' ? '322' : '554');
  const path = (u: URL) => u.pathname.replace(/\/+$/, '');
  if (x.protocol !== y.protocol || x.hostname.toLowerCase() !== y.hostname.toLowerCase() || port(x) !== port(y) || path(x) !== path(y)) return false;
  for (const [k, v] of x.searchParams) if (y.searchParams.has(k) && y.searchParams.get(k) !== v) return false;
  return true;
}

/** What trying a stream found: its video codec and picture size, or why it could not be opened (a sentence naming host and port). */
export const StreamProbe = z.object({
  ok: z.boolean(),
  /** 'H.264', 'H.265', or the name the camera gives another codec. */
  codec: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  /** The stream carries audio too (its codec). */
  audio: z.string().optional(),
  reason: z.string().optional(),
  error: Refusal.optional(),
});
export type StreamProbe = z.infer<typeof StreamProbe>;

/** A device just added, and the channels already on the list by RTSP URL that carry one of its streams (now listed twice). */
export const AddedDevice = Device.extend({
  duplicates: z.array(z.object({ channelId: z.number().int(), name: z.string(), deviceChannel: z.number().int() })),
});
export type AddedDevice = z.infer<typeof AddedDevice>;

export const NetInterface = z.object({ name: z.string(), address: z.string(), netmask: z.string() });

export const deviceCalls = {
  'devices.list': call(needs.station('devices'), NoInput, z.array(Device)),
  'devices.interfaces': call(needs.station('devices'), NoInput, z.array(NetInterface)),
  'devices.scan': call(needs.station('devices'), 
    z.object({
      interfaces: z.array(z.string().max(64)).max(32).optional(),
      durationMs: z.number().int().min(200).max(30_000).optional(),
      /** A sweep, for a LAN that drops multicast: each address from `from` to `to` (at most 1024) asked by unicast on the standard discovery ports. */
      range: z.object({ from: address, to: address }).strict().optional(),
    }).strict(),
    z.array(DiscoveredDevice),
  ),
  'devices.scanResults': call(needs.station('devices'), NoInput, z.array(DiscoveredDevice)),
  'devices.add': call(needs.station('devices'), 
    z.object({ address, httpPort: port.default(80), name: z.string().min(1).max(100).optional(), driver: z.enum(['onvif', 'dahua']).optional() }).merge(Credentials).strict(),
    AddedDevice,
  ),
  /** Opens a stream as live view would, until its first picture's codec and size are known (at most a few seconds), then closes it. */
  'devices.probeStream': call(needs.station('devices'), z.object({ url: RtspUrl }).strict(), StreamProbe),
  /** Deletes a device; its credentials are erased either way, its channels' recordings stay or go as asked (evidence locks always stay). */
  'devices.remove': call(needs.station('devices'), 
    z.object({ id: z.number().int().positive(), recordings: z.enum(['keep', 'delete']).default('keep') }).strict(),
    z.object({ removed: z.boolean(), deletedSegments: z.number().int(), keptLocked: z.number().int() }),
  ),
  /** Changes the password on the device through its driver; the station keeps the new one only once the device accepted it. */
  'devices.changePassword': call(needs.station('devices'), 
    z.object({ id: z.number().int().positive(), password: z.string().min(1).max(64) }).strict(),
    z.object({ changed: z.boolean() }),
  ),
  /**
   * Forgotten device password, step 1: the device mails a security code to its reserved e-mail. Answers where it went (masked,
   * "a***@example.com") and how long the code lives (seconds; null when the device does not say).
   */
  'devices.resetStart': call(needs.station('devices'),
    z.object({ id: z.number().int().positive() }).strict(),
    z.object({ maskedEmail: z.string(), validForS: z.number().int().nullable() }),
  ),
  /**
   * Step 2: the code from the mail and the new password; the device checks the code (wrong, stale, too many tries: refused,
   * nothing changed) and sets the password, which the station then keeps for the device and its channels.
   */
  'devices.resetFinish': call(needs.station('devices'),
    z.object({
      id: z.number().int().positive(),
      securityCode: z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9]+$/, 'field.invalidFormat'),
      password: z.string().min(1).max(64),
    }).strict(),
    z.object({ reset: z.boolean() }),
  ),
  /** A channel's cover image: a snapshot of the channel, or an image file (JPEG, PNG or WebP, at most COVER_MAX_BYTES). */
  'devices.setCover': call(needs.station('devices'), 
    z.union([
      z.object({ channelId: z.number().int().positive(), from: z.literal('snapshot') }).strict(),
      z.object({ channelId: z.number().int().positive(), imageBase64: z.string().min(1).max(1_000_000) }).strict(),
    ]),
    z.object({ channelId: z.number().int(), type: z.string(), bytes: z.number().int() }),
  ),
  'devices.cover': call(needs.channel('live', 'channelId'), 
    z.object({ channelId: z.number().int().positive() }).strict(),
    z.object({ imageBase64: z.string(), type: z.string() }).nullable(),
  ),
  'devices.removeCover': call(needs.station('devices'), z.object({ channelId: z.number().int().positive() }).strict(), z.object({ removed: z.boolean() })),
  'devices.activate': call(needs.station('devices'), 
    z.object({
      keys: z.array(z.string().max(200)).min(1).max(256),
      username: z.string().min(1).max(64).default('admin'),
      password: z.string().max(64).optional(),
      /** One password per device (key -> password); overrides `password`. */
      passwords: z.record(z.string(), z.string().max(64)).optional(),
      /** Password-reset e-mail, where the protocol carries one (Dahua DevInit); ONVIF has none and says so per device. */
      email: z.string().trim().max(128).regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'field.notEmail').optional(),
    }).strict(),
    z.array(ActivationResult),
  ),
  /** Batch configuration: each change reports per device. */
  'devices.configure': call(needs.station('devices'), 
    z.object({
      changes: z.array(z.object({
        id: z.number().int().positive(),
        ip: z.union([address, z.literal('dhcp')]).optional(),
        prefixLength: z.number().int().min(1).max(32).default(24),
        name: z.string().min(1).max(100).optional(),
        /** The name and address the caller read: a device changed by someone else since is not changed (refused for it alone). */
        seen: z.object({ name: z.string().max(100), address: z.string().max(64) }).strict().optional(),
      }).strict()).min(1).max(256),
      time: z.object({
        tz: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'field.notTimeZone'),
        dst: z.boolean(),
        mode: z.enum(['ntp', 'pc']),
      }).strict().optional(),
    }).strict(),
    z.array(z.object({ id: z.number().int(), ok: z.boolean(), reason: z.string().optional(), error: Refusal.optional() })),
  ),
  'devices.time': call(needs.station('devices'), z.object({ id: z.number().int().positive() }).strict(), z.object({ tz: z.string(), dst: z.boolean(), mode: z.enum(['ntp', 'manual']) })),
  /** The device list with its credentials, encrypted with a passphrase (the file text is safe to hand to the renderer). */
  'devices.export': call(needs.station('devices'), z.object({ passphrase: z.string().min(8).max(256) }).strict(), z.object({ file: z.string(), count: z.number().int() })),
  'devices.import': call(needs.station('devices'), 
    z.object({ file: z.string().max(4 * 1024 * 1024), passphrase: z.string().min(1).max(256) }).strict(),
    z.array(z.object({ address: z.string(), ok: z.boolean(), reason: z.string().optional(), error: Refusal.optional() })),
  ),
} as const;

export const deviceSignals = {
  /** A scan heard a device or learned more about it. */
  'devices.discovered': DiscoveredDevice,
  'devices.changed': z.array(Device),
  'devices.activation': z.object({ done: z.number().int(), total: z.number().int(), result: ActivationResult }),
  /** A device stayed unreachable longer than the grace period, or came back (the events issue listens). */
  'devices.online': z.object({ id: z.number().int(), name: z.string(), online: z.boolean(), at: z.number(), since: z.number().nullable() }),
} as const;
