// RTP packetisation of H.264 (RFC 6184) and H.265 (RFC 7798) access units, framed for RTSP
// interleaved TCP (RFC 2326 §10.12: '$', channel, 16-bit length). Each access unit's packet layout
// is built once and cached by the identity of its NAL array, so a replayed loop is laid out once and
// each send only copies bytes and stamps sequence number, timestamp and SSRC.
import type { Codec, MediaUnit } from '../types';

/** Payload bytes per RTP packet: keeps packets under a 1500-byte Ethernet MTU with IP/TCP headers. */
export const MAX_RTP_PAYLOAD = 1400;
export const RTP_PAYLOAD_TYPE = 96;
const INTERLEAVED_HEADER = 4;
const RTP_HEADER = 12;

interface Template {
  buf: Buffer;
  /** Offset of each packet's '$' byte. */
  offsets: number[];
}

/** One access unit as interleaved RTP packets on channel 0, ready to write. */
export interface RtpFrame {
  readonly buf: Buffer;
  readonly offsets: readonly number[];
  readonly firstSeq: number;
  readonly rtpTime: number;
  readonly keyframe: boolean;
  readonly wallMs: number;
}

const templates = new WeakMap<readonly Buffer[], Template>();

function buildTemplate(codec: Codec, nals: readonly Buffer[]): Template {
  // Each packet: [prefix bytes (FU headers), slice of a NAL].
  const packets: { prefix: number[]; body: Buffer }[] = [];
  for (const nal of nals) {
    if (nal.length <= MAX_RTP_PAYLOAD) {
      // RFC 6184 §5.6 / RFC 7798 §4.4.1: single NAL unit packet, the NAL unit as is.
      packets.push({ prefix: [], body: nal });
    } else if (codec === 'h264') {
      // RFC 6184 §5.8: FU-A. FU indicator keeps F+NRI with type 28; FU header carries S/E and the type.
      const indicator = (nal[0]! & 0xe0) | 28;
      const type = nal[0]! & 0x1f;
      const body = nal.subarray(1);
      const chunk = MAX_RTP_PAYLOAD - 2;
      for (let off = 0; off < body.length; off += chunk) {
        const start = off === 0 ? 0x80 : 0;
        const end = off + chunk >= body.length ? 0x40 : 0;
        packets.push({ prefix: [indicator, start | end | type], body: body.subarray(off, off + chunk) });
      }
    } else {
      // RFC 7798 §4.4.3: FU. PayloadHdr is the NAL header with type 49; FU header carries S/E and FuType.
      const hdr0 = (nal[0]! & 0x81) | (49 << 1);
      const hdr1 = nal[1]!;
      const type = (nal[0]! >> 1) & 0x3f;
      const body = nal.subarray(2);
      const chunk = MAX_RTP_PAYLOAD - 3;
      for (let off = 0; off < body.length; off += chunk) {
        const start = off === 0 ? 0x80 : 0;
        const end = off + chunk >= body.length ? 0x40 : 0;
        packets.push({ prefix: [hdr0, hdr1, start | end | type], body: body.subarray(off, off + chunk) });
      }
    }
  }
  let total = 0;
  for (const p of packets) total += INTERLEAVED_HEADER + RTP_HEADER + p.prefix.length + p.body.length;
  const buf = Buffer.allocUnsafe(total);
  const offsets: number[] = [];
  let pos = 0;
  packets.forEach((p, i) => {
    const rtpLength = RTP_HEADER + p.prefix.length + p.body.length;
    offsets.push(pos);
    buf[pos] = 0x24;
    buf[pos + 1] = 0;
    buf.writeUInt16BE(rtpLength, pos + 2);
    pos += INTERLEAVED_HEADER;
    buf[pos] = 0x80; // RFC 3550 §5.1: V=2, no padding, no extension, no CSRC.
    // RFC 6184 §5.1 / RFC 7798 §4.1: the marker bit is set on the last packet of an access unit.
    buf[pos + 1] = (i === packets.length - 1 ? 0x80 : 0) | RTP_PAYLOAD_TYPE;
    buf.fill(0, pos + 2, pos + RTP_HEADER);
    pos += RTP_HEADER;
    for (const b of p.prefix) buf[pos++] = b;
    pos += p.body.copy(buf, pos);
  });
  return { buf, offsets };
}

/** Stamps the access units of one RTP stream (one SSRC, one sequence) into interleaved packets. */
export class RtpPacketizer {
  private seq: number;
  packets = 0;
  octets = 0;

  constructor(
    private readonly codec: Codec,
    readonly ssrc: number,
    initialSeq: number,
  ) {
    this.seq = initialSeq & 0xffff;
  }

  get nextSeq(): number {
    return this.seq;
  }

  frame(unit: MediaUnit): RtpFrame {
    let tpl = templates.get(unit.nals);
    if (!tpl) {
      tpl = buildTemplate(this.codec, unit.nals);
      templates.set(unit.nals, tpl);
    }
    const buf = Buffer.allocUnsafe(tpl.buf.length);
    tpl.buf.copy(buf);
    const firstSeq = this.seq;
    for (const off of tpl.offsets) {
      const h = off + INTERLEAVED_HEADER;
      buf.writeUInt16BE(this.seq, h + 2);
      buf.writeUInt32BE(unit.rtpTime >>> 0, h + 4);
      buf.writeUInt32BE(this.ssrc >>> 0, h + 8);
      this.seq = (this.seq + 1) & 0xffff;
    }
    this.packets += tpl.offsets.length;
    this.octets += buf.length - tpl.offsets.length * (INTERLEAVED_HEADER + RTP_HEADER);
    return { buf, offsets: tpl.offsets, firstSeq, rtpTime: unit.rtpTime >>> 0, keyframe: unit.keyframe, wallMs: unit.wallMs };
  }
}

/** The same frame on another interleaved channel (a client may ask for any channel pair). */
export function onChannel(frame: RtpFrame, channel: number): Buffer {
  if (channel === 0) return frame.buf;
  const copy = Buffer.from(frame.buf);
  for (const off of frame.offsets) copy[off + 1] = channel;
  return copy;
}

/**
 * Fault: a copy of the frame with the slice data of its largest packet scrambled. RTP, FU and NAL
 * headers stay intact so the damage reaches the decoder instead of being dropped by the depacketiser.
 */
export function corrupted(frame: RtpFrame, channel: number): Buffer {
  const copy = Buffer.from(onChannel(frame, channel));
  let target = frame.offsets[0] ?? 0;
  for (const off of frame.offsets) if (copy.readUInt16BE(off + 2) > copy.readUInt16BE(target + 2)) target = off;
  const length = copy.readUInt16BE(target + 2);
  const payload = target + INTERLEAVED_HEADER + RTP_HEADER;
  const end = target + INTERLEAVED_HEADER + length;
  for (let i = Math.min(end, payload + 6); i < end; i++) copy[i] = copy[i]! ^ 0x5a;
  return copy;
}

/** RFC 3550 §6.4.1 sender report, interleaved on `channel`, mapping an RTP time to wall clock. */
export function senderReport(channel: number, ssrc: number, wallMs: number, rtpTime: number, packets: number, octets: number): Buffer {
  const buf = Buffer.alloc(INTERLEAVED_HEADER + 28);
  buf[0] = 0x24;
  buf[1] = channel;
  buf.writeUInt16BE(28, 2);
  const p = INTERLEAVED_HEADER;
  buf[p] = 0x80;
  buf[p + 1] = 200;
  buf.writeUInt16BE(6, p + 2);
  buf.writeUInt32BE(ssrc >>> 0, p + 4);
  const ntpSeconds = Math.floor(wallMs / 1000) + 2_208_988_800;
  const fraction = Math.floor(((wallMs % 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE(ntpSeconds >>> 0, p + 8);
  buf.writeUInt32BE(fraction >>> 0, p + 12);
  buf.writeUInt32BE(rtpTime >>> 0, p + 16);
  buf.writeUInt32BE(packets >>> 0, p + 20);
  buf.writeUInt32BE(octets >>> 0, p + 24);
  return buf;
}
