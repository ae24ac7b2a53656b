// One stream as RTP for every session that plays it: packetised once with the current GOP kept, so a new session starts
// at a keyframe and a slow one drops to the next keyframe instead of holding the others up.
import { randomBytes, randomInt } from 'node:crypto';
import type net from 'node:net';
import type { MediaUnit, SimStream } from '../types';
import { corrupted, onChannel, RtpPacketizer, senderReport, type RtpFrame } from './rtp-packetizer';

const SR_INTERVAL_MS = 5000;

/** What tracks and sessions need of their server: its stall fault, its back-pressure tuning and its counters. */
export interface TrackHost {
  readonly stalled: boolean;
  readonly highWater: number;
  readonly lowWater: number;
  readonly maxBehindMs: number;
  readonly counters: { bytesSent: number; framesSent: number; framesDropped: number; framesOut: number; slowDisconnects: number };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One stream as RTP: subscribed while anyone plays it, packetised once, the current GOP kept. */
export class RtpTrack {
  readonly sessions = new Set<Session>();
  private readonly packetizer: RtpPacketizer;
  private unsubscribe: (() => void) | undefined;
  /** Frames since the last keyframe, so a new session starts decoding at once. */
  gop: RtpFrame[] = [];
  private keyWaiters: (() => void)[] = [];
  private lastSr = 0;

  constructor(
    readonly stream: SimStream,
    private readonly server: TrackHost,
  ) {
    this.packetizer = new RtpPacketizer(stream.spec.codec, randomBytes(4).readUInt32BE(0), randomInt(0, 0xffff));
  }

  get ssrc(): number {
    return this.packetizer.ssrc;
  }

  /** Subscribes if needed and resolves once a keyframe is cached. */
  async ready(waitMs: number): Promise<void> {
    if (!this.unsubscribe) this.unsubscribe = this.stream.subscribe((u) => this.onUnit(u));
    if (this.gop.length > 0) return;
    await withTimeout(new Promise<void>((resolve) => this.keyWaiters.push(resolve)), waitMs, 'waiting for a keyframe');
  }

  attach(session: Session): void {
    this.sessions.add(session);
  }

  detach(session: Session): void {
    this.sessions.delete(session);
    if (this.sessions.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
      this.gop = [];
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.sessions.clear();
    this.gop = [];
  }

  sr(channel: number): Buffer {
    const last = this.gop[this.gop.length - 1];
    return senderReport(channel, this.ssrc, last?.wallMs ?? Date.now(), last?.rtpTime ?? 0, this.packetizer.packets, this.packetizer.octets);
  }

  private onUnit(unit: MediaUnit): void {
    if (!unit.keyframe && this.gop.length === 0) return;
    const frame = this.packetizer.frame(unit);
    if (frame.keyframe) this.gop = [frame];
    else this.gop.push(frame);
    for (const s of this.sessions) s.deliver(frame);
    const now = Date.now();
    if (now - this.lastSr >= SR_INTERVAL_MS) {
      this.lastSr = now;
      for (const s of this.sessions) s.sendRaw(this.sr(s.channel + 1));
    }
    if (this.keyWaiters.length) {
      const waiters = this.keyWaiters;
      this.keyWaiters = [];
      for (const w of waiters) w();
    }
    this.server.counters.framesOut++;
  }
}

export class Session {
  playing = false;
  private waitingForKey = false;
  private behindSince = 0;
  private corruptPending = false;

  constructor(
    readonly socket: net.Socket,
    readonly server: TrackHost,
    readonly track: RtpTrack,
    readonly channel: number,
    readonly trackUrl: string,
    readonly id = String(randomInt(10_000_000, 99_999_999)),
  ) {}

  /** PLAY: the cached GOP first (its first seq/rtptime go in RTP-Info), then live frames. */
  start(): { seq: number; rtpTime: number } {
    const gop = this.track.gop.slice();
    const first = gop[0]!;
    this.playing = true;
    this.waitingForKey = false;
    for (const f of gop) this.write(onChannel(f, this.channel));
    this.sendRaw(this.track.sr(this.channel + 1));
    this.track.attach(this);
    return { seq: first.firstSeq, rtpTime: first.rtpTime };
  }

  stop(): void {
    this.playing = false;
    this.track.detach(this);
  }

  markCorrupt(): void {
    this.corruptPending = true;
  }

  resync(): void {
    this.waitingForKey = true;
  }

  deliver(frame: RtpFrame): void {
    const server = this.server;
    if (server.stalled || this.socket.destroyed) {
      this.waitingForKey = true;
      return;
    }
    const queued = this.socket.writableLength;
    const now = Date.now();
    if (this.waitingForKey) {
      if (!frame.keyframe || queued > server.lowWater) {
        server.counters.framesDropped++;
        if (this.behindSince && now - this.behindSince > server.maxBehindMs) {
          server.counters.slowDisconnects++;
          this.socket.destroy();
        }
        return;
      }
      this.waitingForKey = false;
      this.behindSince = 0;
    } else if (queued > server.highWater) {
      // Too far behind: drop everything until the next keyframe rather than buffer without bound.
      this.waitingForKey = true;
      this.behindSince = now;
      server.counters.framesDropped++;
      return;
    }
    if (this.corruptPending) {
      this.corruptPending = false;
      this.write(corrupted(frame, this.channel));
    } else {
      this.write(onChannel(frame, this.channel));
    }
    server.counters.framesSent++;
  }

  sendRaw(buf: Buffer): void {
    if (!this.server.stalled && !this.socket.destroyed) this.write(buf);
  }

  private write(buf: Buffer): void {
    this.server.counters.bytesSent += buf.length;
    this.socket.write(buf);
  }
}
