// camsim's RTSP 1.0 server (RFC 2326) on Node's net module: digest auth with a per-IP lockout, faults on demand, one
// RtpTrack per stream (rtp-track.ts) shared by the sessions of every connection (rtsp-connection.ts).
import net from 'node:net';
import { DigestAuth } from '../digest-auth';
import { createLoginGuard } from '../login-guard';
import type { LoginGuard, RtspServer, RtspServerOptions, SimStream } from '../types';
import { genericDialect, rtspDialect, type RtspDialect } from './dialect';
import { RtpTrack } from './rtp-track';
import { Connection, type ConnectionHost, type RtspReply, type RtspRequest } from './rtsp-connection';

export interface RtspServerStats {
  connections: number;
  playingSessions: number;
  bytesSent: number;
  framesSent: number;
  framesDropped: number;
  /** Sessions closed because they stayed behind too long. */
  slowDisconnects: number;
}

export interface CamsimRtspServer extends RtspServer {
  stats(): RtspServerStats;
}

export interface RtspServerTuning {
  /** Queued bytes on a socket above which its session skips to the next keyframe (default 2 MiB). */
  highWaterBytes?: number;
  /** A session behind for this long is disconnected (default 10 s). */
  maxBehindMs?: number;
  /** How long DESCRIBE/PLAY wait for a stream's first frames (default 60 s: a first loop encode). */
  mediaWaitMs?: number;
}

/** Starts listening; resolves once bound (port 0 picks a free port, reported as `port`). */
export function startRtspServer(options: RtspServerOptions, tuning: RtspServerTuning = {}): Promise<CamsimRtspServer> {
  const server = new Server(options, tuning);
  return server.listen();
}

/** Splits `/cam/realmonitor?channel=1&subtype=0` into its Dahua channel and subtype (0 main, 1 sub). */
export function parseDahuaRealmonitor(pathAndQuery: string): { channel: number; subtype: number } | undefined {
  const url = new URL(pathAndQuery, 'rtsp://camsim');
  if (url.pathname.replace(/\/+$/, '') !== '/cam/realmonitor') return undefined;
  const channel = Number(url.searchParams.get('channel') ?? '1');
  const subtype = Number(url.searchParams.get('subtype') ?? '0');
  if (!Number.isInteger(channel) || channel < 1 || !Number.isInteger(subtype) || subtype < 0) return undefined;
  return { channel, subtype };
}

class Server implements CamsimRtspServer, ConnectionHost {
  private readonly net: net.Server;
  readonly connections = new Set<Connection>();
  private readonly tracks = new Map<SimStream, RtpTrack>();
  private readonly digest: DigestAuth;
  readonly dialect: RtspDialect;
  private readonly guard: LoginGuard;
  readonly highWater: number;
  readonly lowWater: number;
  readonly maxBehindMs: number;
  readonly mediaWaitMs: number;
  stalled = false;
  private unstall: (() => void)[] = [];
  replyDelayMs = 0;
  readonly counters = { bytesSent: 0, framesSent: 0, framesDropped: 0, framesOut: 0, slowDisconnects: 0 };
  private boundPort = 0;

  constructor(
    readonly options: RtspServerOptions,
    tuning: RtspServerTuning,
  ) {
    this.dialect = options.dialect ? rtspDialect(options.dialect.name, options.dialect) : genericDialect(options.realm);
    this.digest = new DigestAuth(this.dialect.realm, { format: this.dialect.digestChallenge });
    this.guard = options.lockout ?? createLoginGuard();
    this.highWater = tuning.highWaterBytes ?? 2 * 1024 * 1024;
    this.lowWater = Math.floor(this.highWater / 4);
    this.maxBehindMs = tuning.maxBehindMs ?? 10_000;
    this.mediaWaitMs = tuning.mediaWaitMs ?? 60_000;
    this.net = net.createServer((socket) => {
      this.connections.add(new Connection(this, socket));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<CamsimRtspServer> {
    return new Promise((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(this.options.port, this.options.host, () => {
        this.net.off('error', reject);
        const addr = this.net.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.options.port;
        resolve(this);
      });
    });
  }

  trackFor(stream: SimStream): RtpTrack {
    let track = this.tracks.get(stream);
    if (!track) {
      track = new RtpTrack(stream, this);
      this.tracks.set(stream, track);
    }
    return track;
  }

  /** undefined when the request may proceed, else the refusal to send. */
  authorize(req: RtspRequest, ip: string): RtspReply | undefined {
    const passwordOf = this.options.passwordOf;
    if (!passwordOf) return undefined;
    const lock = this.guard.isLocked(ip);
    if (lock.locked) return { status: 403, headers: { 'Retry-After': String(Math.ceil(lock.retryAfterMs / 1000)) } };
    const authorization = req.headers.get('authorization');
    const result = /^basic\s/i.test(authorization ?? '') && this.dialect.schemes.includes('basic')
      ? this.basic(authorization!, passwordOf)
      : this.digest.verify(req.method, authorization, passwordOf);
    switch (result.kind) {
      case 'ok':
        this.guard.recordSuccess(ip);
        return undefined;
      case 'missing':
        return { status: 401, headers: { 'WWW-Authenticate': this.challenges(false) } };
      case 'stale':
        return { status: 401, headers: { 'WWW-Authenticate': this.challenges(true) } };
      case 'bad':
        this.guard.recordFailure(ip);
        return { status: 401, headers: { 'WWW-Authenticate': this.challenges(false) } };
    }
  }

  /** One WWW-Authenticate header per scheme the dialect offers, in its order. */
  private challenges(stale: boolean): string[] {
    return this.dialect.schemes.map((s) => (s === 'digest' ? this.digest.challenge(stale) : `Basic realm="${this.dialect.realm}"`));
  }

  private basic(authorization: string, passwordOf: (user: string) => string | undefined): { kind: 'ok' } | { kind: 'bad' } {
    const [user = '', ...rest] = Buffer.from(authorization.replace(/^basic\s+/i, ''), 'base64').toString('utf8').split(':');
    const want = passwordOf(user);
    return want !== undefined && want === rest.join(':') ? { kind: 'ok' } : { kind: 'bad' };
  }

  whileStalled(): Promise<void> {
    if (!this.stalled) return Promise.resolve();
    return new Promise((resolve) => this.unstall.push(resolve));
  }

  dropAll(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  setStalled(on: boolean): void {
    this.stalled = on;
    if (!on) {
      for (const c of this.connections) for (const s of c.sessions.values()) s.resync();
      const waiters = this.unstall;
      this.unstall = [];
      for (const w of waiters) w();
    }
  }

  corruptNext(): void {
    for (const c of this.connections) for (const s of c.sessions.values()) if (s.playing) s.markCorrupt();
  }

  setReplyDelay(ms: number): void {
    this.replyDelayMs = Math.max(0, ms);
  }

  stats(): RtspServerStats {
    let playing = 0;
    for (const c of this.connections) for (const s of c.sessions.values()) if (s.playing) playing++;
    return {
      connections: this.connections.size,
      playingSessions: playing,
      bytesSent: this.counters.bytesSent,
      framesSent: this.counters.framesSent,
      framesDropped: this.counters.framesDropped,
      slowDisconnects: this.counters.slowDisconnects,
    };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    this.setStalled(false);
    this.dropAll();
    for (const t of this.tracks.values()) t.stop();
    this.tracks.clear();
    await closed;
  }
}
