// Playback from a camera's card over RTSP, as devices serve it: Dahua's `/cam/playback?channel=1&starttime=…&endtime=…`
// and ONVIF Profile G replay (PLAY with `Range: clock=…`, `Require: onvif-replay`; `Rate-Control: no` sends as fast as
// the client reads). The card's frames go out with their own RTP times, so a hole in the card is a jump in time; at the
// end of the range an RTCP BYE, then the connection is closed.
import { randomBytes, randomInt } from 'node:crypto';
import type net from 'node:net';
import type { MediaUnit, SimStream } from '../types';
import { onChannel, RtpPacketizer } from './rtp-packetizer';

/** `20261202T101500Z`, `20261202T101500.250Z` or `2026-12-02T10:15:00Z` → ms. */
function clockTime(s: string): number | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.(\d{1,3}))?Z$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac] = m;
  return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +sec!, frac ? Number(frac.padEnd(3, '0')) : 0);
}

/** RFC 2326 §3.7 absolute time range: `clock=20261202T101500Z-20261202T101600Z` (the end may be left open). */
export function parseClockRange(header: string | undefined): { start: number; end?: number } | undefined {
  const m = /^\s*clock\s*=\s*([^-\s]+(?:-\d{2}-\d{2}T[^-\s]+)?)\s*-\s*(\S*)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const start = clockTime(m[1]!);
  const end = m[2] ? clockTime(m[2]) : undefined;
  if (start === undefined || (m[2] && end === undefined)) return undefined;
  return end === undefined ? { start } : { start, end };
}

/** The clock form of a time: `20261202T101500.250Z`. */
export function clockString(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

const HIGH_WATER = 1024 * 1024;

export class ReplaySession {
  readonly id = String(randomInt(10_000_000, 99_999_999));
  playing = false;
  private stopped = false;
  private readonly packetizer: RtpPacketizer;

  constructor(
    readonly socket: net.Socket,
    readonly stream: SimStream,
    readonly channel: number,
    readonly trackUrl: string,
    /** The range the URL names (Dahua); a PLAY's Range header takes its place. */
    private readonly urlRange: { start: number; end: number } | undefined,
    private readonly counters: { bytesSent: number; framesSent: number },
    /** An ONVIF replay URI: played only for a client that requires `onvif-replay` (ONVIF Streaming §6.2). */
    private readonly onvif = false,
  ) {
    this.packetizer = new RtpPacketizer(stream.spec.codec, randomBytes(4).readUInt32BE(0), randomInt(0, 0xffff));
  }

  /** PLAY: the headers of the answer, or the refusal's status; the frames follow once `start` is called. */
  play(headers: Map<string, string>): { status: number; headers?: Record<string, string>; start?: () => void } {
    const card = this.stream.card;
    if (!card) return { status: 404 };
    // A client that does not say it speaks ONVIF replay gets no replay (camsim is strict here, so tests see the header).
    if (this.onvif && !/\bonvif-replay\b/i.test(headers.get('require') ?? '')) return { status: 551, headers: { Unsupported: 'onvif-replay' } };
    const asked = parseClockRange(headers.get('range')) ?? this.urlRange;
    if (!asked) return { status: this.urlRange ? 457 : 400 };
    const held = card.window();
    const end = Math.min(asked.end ?? held.end, held.end);
    const frames = card.frames(asked.start, end)[Symbol.iterator]();
    const first = frames.next();
    if (first.done) return { status: 404 };
    const fast = /^\s*no\s*$/i.test(headers.get('rate-control') ?? '');
    const rtp = this.packetizer.frame(first.value);
    this.playing = true;
    return {
      status: 200,
      headers: {
        Range: `clock=${clockString(first.value.wallMs)}-${clockString(end)}`,
        'RTP-Info': `url=${this.trackUrl};seq=${rtp.firstSeq};rtptime=${rtp.rtpTime}`,
        ...(headers.has('rate-control') ? { 'Rate-Control': fast ? 'no' : 'yes' } : {}),
      },
      start: () => void this.pump(rtp, first.value.wallMs, frames, fast),
    };
  }

  stop(): void {
    this.stopped = true;
    this.playing = false;
  }

  private async pump(firstRtp: ReturnType<RtpPacketizer['frame']>, firstWall: number, rest: Iterator<MediaUnit>, fast: boolean): Promise<void> {
    const t0 = Date.now();
    this.write(onChannel(firstRtp, this.channel));
    for (let next = rest.next(); !next.done; next = rest.next()) {
      if (this.stopped || this.socket.destroyed) return;
      if (fast) {
        // As fast as the client reads: TCP's flow control is the pace.
        if (this.socket.writableLength > HIGH_WATER) await new Promise((r) => this.socket.once('drain', r));
      } else {
        const due = t0 + (next.value.wallMs - firstWall) - Date.now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
      }
      if (this.stopped || this.socket.destroyed) return;
      this.write(onChannel(this.packetizer.frame(next.value), this.channel));
      this.counters.framesSent++;
    }
    if (this.stopped || this.socket.destroyed) return;
    // End of the range: RTCP BYE (RFC 3550 §6.6) on the control channel, then the connection ends.
    const bye = Buffer.alloc(12);
    bye.writeUInt8(0x24, 0); bye.writeUInt8(this.channel + 1, 1); bye.writeUInt16BE(8, 2);
    bye.writeUInt8(0x81, 4); bye.writeUInt8(203, 5); bye.writeUInt16BE(1, 6); bye.writeUInt32BE(this.packetizer.ssrc, 8);
    this.write(bye);
    this.playing = false;
    this.socket.end();
  }

  private write(buf: Buffer): void {
    this.counters.bytesSent += buf.length;
    this.socket.write(buf);
  }
}
