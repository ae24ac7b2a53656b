// DHIP framing as Dahua's ConfigTool and devices use it on UDP 37810. Sources: the public captures in
// rroller/dahua (custom_components/dahua/discovery.py and its tests: "20 00 00 00" + "DHIP", body length
// little-endian at offsets 16 and 24, JSON body after a 32-byte header) and mcw0's Dahua-JSON-Debug-Console
// (DHIP header: session id at 8, request id at 12).

// The framing is the same both ways: camsim answers with the station's own encoder.
export { encodeDhip } from '../../../electron/core/devices/discovery/dhip';

export const DHIP_MAGIC = Buffer.from('DHIP', 'ascii');
export const DHIP_HEADER_BYTES = 32;

export interface DhipPacket {
  sessionId: number;
  requestId: number;
  body: unknown;
}

/** undefined for anything that is not a well-formed DHIP packet with a JSON object body. */
export function decodeDhip(buf: Buffer): DhipPacket | undefined {
  if (buf.length < DHIP_HEADER_BYTES || !buf.subarray(4, 8).equals(DHIP_MAGIC)) return undefined;
  const headerLen = buf.readUInt32LE(0);
  if (headerLen !== DHIP_HEADER_BYTES) return undefined;
  const len = buf.readUInt32LE(16);
  if (len > 64 * 1024 || DHIP_HEADER_BYTES + len > buf.length) return undefined;
  try {
    const body: unknown = JSON.parse(buf.subarray(DHIP_HEADER_BYTES, DHIP_HEADER_BYTES + len).toString('utf8'));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    return { sessionId: buf.readUInt32LE(8), requestId: buf.readUInt32LE(12), body };
  } catch {
    return undefined;
  }
}
