// Dahua DHIP discovery on UDP 37810: a header ("20 00 00 00" "DHIP": its own size, 32 in public captures, session at 8,
// request at 12, body length little-endian at 16 and 24), JSON body; DHDiscover.search answered by client.notifyDevInfo.

export const DHIP_PORT = 37810;
export const DHIP_MULTICAST = '239.255.255.251';
const MAGIC = Buffer.from('DHIP', 'ascii');
const HEADER = 32;
export const MAX_DHIP_BODY = 16 * 1024;

export function encodeDhip(body: unknown, sessionId = 0, requestId = 0): Buffer {
  const json = Buffer.from(JSON.stringify(body) + '\n', 'utf8');
  const h = Buffer.alloc(HEADER);
  h.writeUInt32LE(HEADER, 0);
  MAGIC.copy(h, 4);
  h.writeUInt32LE(sessionId >>> 0, 8);
  h.writeUInt32LE(requestId >>> 0, 12);
  h.writeUInt32LE(json.length, 16);
  h.writeUInt32LE(json.length, 24);
  return Buffer.concat([h, json]);
}

export function searchPacket(requestId: number): Buffer {
  return encodeDhip({ method: 'DHDiscover.search', params: { mac: '', uni: 1 } }, 0, requestId);
}

/** Header sizes a reply may claim in its first field (public captures report 32; firmware varies). */
export const DHIP_HEADER_RANGE = { min: 32, max: 64 } as const;
/** Deepest JSON nesting a discovery reply may have (a real one is 3 deep). */
export const MAX_DHIP_DEPTH = 16;

/** Whether JSON text nests deeper than `max` (counted outside strings, before parsing). */
function nestsDeeper(json: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') { if (++depth > max) return true; }
    else if (c === '}' || c === ']') depth--;
  }
  return false;
}

/**
 * A JSON object body, or undefined for anything short, foreign, oversized, too deep or not an object. Lenient where
 * shipping firmware differs: the header size is read from the first field (32-64); when the two length fields are 0,
 * disagree or run past the datagram, the JSON is read from the header to the datagram's end; trailing NULs and
 * whitespace are ignored.
 */
export function decodeDhip(buf: Buffer): { requestId: number; body: Record<string, unknown> } | undefined {
  if (buf.length < DHIP_HEADER_RANGE.min || buf.length > DHIP_HEADER_RANGE.max + MAX_DHIP_BODY || !buf.subarray(4, 8).equals(MAGIC)) return undefined;
  const header = buf.readUInt32LE(0);
  if (header < DHIP_HEADER_RANGE.min || header > DHIP_HEADER_RANGE.max || header > buf.length) return undefined;
  const len = buf.readUInt32LE(16);
  const trusted = len > 0 && len === buf.readUInt32LE(24) && header + len <= buf.length;
  let end = trusted ? header + len : buf.length;
  while (end > header && (buf[end - 1] === 0 || buf[end - 1] === 0x20 || buf[end - 1] === 0x0a || buf[end - 1] === 0x0d || buf[end - 1] === 0x09)) end--;
  if (end - header > MAX_DHIP_BODY || end === header) return undefined;
  const json = buf.subarray(header, end).toString('utf8');
  if (nestsDeeper(json, MAX_DHIP_DEPTH)) return undefined;
  try {
    const body: unknown = JSON.parse(json);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    return { requestId: buf.readUInt32LE(12), body: body as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** Whether a reply answers our search: its request id echoes ours, or is 0 (as every public client sends it, and devices answer). */
export function answersSearch(replyId: number, ourId: number): boolean {
  return replyId === ourId || replyId === 0;
}

export interface DhipDevice {
  mac: string;
  address: string;
  httpPort: number;
  model: string;
  vendor: string;
  serial: string;
  firmware: string;
  name: string;
  nvr: boolean;
  channels: number;
  initialised: boolean;
}

/** What Dahua's general (unbranded) firmware puts where an OEM puts its name: no vendor at all. */
const GENERIC_VENDORS = new Set(['private', 'general', 'oem', 'none']);
const str = (v: unknown, max = 128) => (typeof v === 'string' ? v.slice(0, max) : '');
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1 << 20 ? v : 0);

/** Reads a client.notifyDevInfo reply; Init bits 0-1: 1 not initialised, 2 initialised (NetSDK byInitStatus). */
export function readNotifyDevInfo(body: Record<string, unknown>): DhipDevice | undefined {
  if (body.method !== 'client.notifyDevInfo') return undefined;
  const info = (body.params as { deviceInfo?: unknown } | undefined)?.deviceInfo as Record<string, unknown> | undefined;
  if (!info || typeof info !== 'object') return undefined;
  const ip = (info.IPv4Address as { IPAddress?: unknown } | undefined)?.IPAddress;
  const address = str(ip, 15);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return undefined;
  const mac = str(body.mac, 17) || str(info.Mac, 17);
  const cls = str(info.DeviceClass);
  const init = int(info.Init) & 3;
  const remote = int(info.RemoteVideoInputChannels);
  return {
    mac: mac.toUpperCase(),
    address,
    httpPort: int(info.HttpPort) || 80,
    model: str(info.DeviceType),
    vendor: [info.Vendor, info.Manufacturer].map((v) => str(v)).find((v) => v && !GENERIC_VENDORS.has(v.toLowerCase())) ?? '',
    serial: str(info.SerialNo),
    firmware: str(info.Version),
    name: str(info.MachineName),
    nvr: /NVR|DVR|XVR/i.test(cls),
    channels: remote || int(info.VideoInputChannels),
    initialised: init !== 1,
  };
}
