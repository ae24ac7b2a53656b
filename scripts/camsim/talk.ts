// A camera's speaker: what a client said to a channel, through the ONVIF audio back channel (RTSP, rtsp/rtsp-connection.ts)
// or Dahua's audio upload (dahua/cgi.ts `audio.cgi?action=postAudio`). camsim plays nothing; it decodes the G.711 it is
// sent and keeps, per talk, how much came, how long it lasts and how loud it was, for tests to read (control.ts `/talk`).
import { g711Decode, type G711Law } from '../../electron/core/media/g711';

export interface TalkRecord {
  via: 'onvif' | 'dahua';
  codec: 'PCMU' | 'PCMA';
  startedAt: number;
  /** When the client hung up (TEARDOWN, the connection or the upload's end); absent while it talks. */
  endedAt?: number;
  bytes: number;
  /** 8 kHz samples: durationMs is samples / 8. */
  samples: number;
  durationMs: number;
  /** Root mean square of the decoded samples as a fraction of full scale (0 silence, 0.707 a full-scale sine). */
  rms: number;
  /** The loudest sample, as a fraction of full scale. */
  peak: number;
}

/** At most this many talks are kept per channel, the oldest dropped. */
const KEEP = 20;

/** Where one talk's audio goes: G.711 bytes in, the record kept up to date. */
export class TalkSink {
  readonly record: TalkRecord;
  private sumSquares = 0;

  constructor(list: TalkRecord[], via: TalkRecord['via'], private readonly law: G711Law) {
    this.record = { via, codec: law === 'mu' ? 'PCMU' : 'PCMA', startedAt: Date.now(), bytes: 0, samples: 0, durationMs: 0, rms: 0, peak: 0 };
    list.push(this.record);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  }

  write(encoded: Uint8Array): void {
    if (this.record.endedAt !== undefined) return;
    const pcm = g711Decode(encoded, this.law);
    const r = this.record;
    for (const s of pcm) {
      this.sumSquares += s * s;
      r.peak = Math.max(r.peak, Math.abs(s) / 32768);
    }
    r.bytes += encoded.length;
    r.samples += pcm.length;
    r.durationMs = r.samples / 8;
    r.rms = r.samples ? Math.sqrt(this.sumSquares / r.samples) / 32768 : 0;
  }

  end(): void {
    this.record.endedAt ??= Date.now();
  }
}

/** The RTP payload of a packet (RFC 3550 §5.1: CSRCs, header extension and padding skipped); undefined when malformed. */
export function rtpPayload(packet: Buffer): { payloadType: number; payload: Buffer } | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  let at = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < at + 4) return undefined;
    at += 4 + packet.readUInt16BE(at + 2) * 4;
  }
  const pad = packet[0]! & 0x20 ? packet[packet.length - 1]! : 0;
  if (at + pad > packet.length) return undefined;
  return { payloadType: packet[1]! & 0x7f, payload: packet.subarray(at, packet.length - pad) };
}
