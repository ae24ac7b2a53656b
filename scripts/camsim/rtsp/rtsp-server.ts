// camsim's RTSP 1.0 server (RFC 2326) on Node's net module: OPTIONS, DESCRIBE, SETUP (RTP over the
// RTSP connection, §10.12 interleaved), PLAY, PAUSE, GET/SET_PARAMETER keep-alives, TEARDOWN; digest
// auth with a per-IP lockout; faults on demand. One RtpTrack per stream fans a single packetisation
// out to every session, and a slow session drops to the next keyframe instead of holding others up.
import { randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';
import type { LoginGuard, MediaUnit, RtspServer, RtspServerOptions, SimStream } from '../types';
import { DigestAuth } from './digest-auth';
import { corrupted, onChannel, RtpPacketizer, senderReport, type RtpFrame } from './rtp-packetizer';
import { describeSdp, TRACK_CONTROL } from './sdp';

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

const SERVER_NAME = 'camsim/1.0 (Watchpost)';
const PUBLIC_METHODS = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER, TEARDOWN';
const SESSION_TIMEOUT_S = 60;
const SR_INTERVAL_MS = 5000;
const MAX_REQUEST_BYTES = 64 * 1024;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

interface Request {
  method: string;
  uri: string;
  headers: Map<string, string>;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
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

/** Path and query of an rtsp:// URL, without the track suffix a client appends for SETUP. */
export function streamPathOf(uri: string): string {
  const m = /^rtsps?:\/\/[^/?]*(.*)$/i.exec(uri);
  let path = m ? m[1]! : uri;
  if (!path.startsWith('/')) path = `/${path}`;
  return path.replace(/\/(trackID|track|streamid)=\d+$/i, '').replace(/\/$/, '') || '/';
}

/** Lockout used when the device does not share its own: 5 failures in a row lock an IP for 30 s. */
function defaultLoginGuard(maxFailures = 5, lockMs = 30_000): LoginGuard {
  const failures = new Map<string, number>();
  const lockedUntil = new Map<string, number>();
  return {
    isLocked(ip) {
      const until = lockedUntil.get(ip) ?? 0;
      const left = until - Date.now();
      if (left > 0) return { locked: true, retryAfterMs: left };
      if (until) {
        lockedUntil.delete(ip);
        failures.delete(ip);
      }
      return { locked: false, retryAfterMs: 0 };
    },
    recordFailure(ip) {
      const n = (failures.get(ip) ?? 0) + 1;
      failures.set(ip, n);
      if (n >= maxFailures) lockedUntil.set(ip, Date.now() + lockMs);
    },
    recordSuccess(ip) {
      failures.delete(ip);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------

/** One stream as RTP: subscribed while anyone plays it, packetised once, the current GOP kept. */
class RtpTrack {
  readonly sessions = new Set<Session>();
  private readonly packetizer: RtpPacketizer;
  private unsubscribe: (() => void) | undefined;
  /** Frames since the last keyframe, so a new session starts decoding at once. */
  gop: RtpFrame[] = [];
  private keyWaiters: (() => void)[] = [];
  private lastSr = 0;

  constructor(
    readonly stream: SimStream,
    private readonly server: Server,
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

class Session {
  readonly id = String(randomInt(10_000_000, 99_999_999));
  playing = false;
  private waitingForKey = false;
  private behindSince = 0;
  private corruptPending = false;

  constructor(
    readonly conn: Connection,
    readonly track: RtpTrack,
    readonly channel: number,
    readonly trackUrl: string,
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
    const server = this.conn.server;
    if (server.stalled || this.conn.socket.destroyed) {
      this.waitingForKey = true;
      return;
    }
    const queued = this.conn.socket.writableLength;
    const now = Date.now();
    if (this.waitingForKey) {
      if (!frame.keyframe || queued > server.lowWater) {
        server.counters.framesDropped++;
        if (this.behindSince && now - this.behindSince > server.maxBehindMs) {
          server.counters.slowDisconnects++;
          this.conn.socket.destroy();
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
    if (!this.conn.server.stalled && !this.conn.socket.destroyed) this.write(buf);
  }

  private write(buf: Buffer): void {
    this.conn.server.counters.bytesSent += buf.length;
    this.conn.socket.write(buf);
  }
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  readonly sessions = new Map<string, Session>();
  readonly ip: string;

  constructor(
    readonly server: Server,
    readonly socket: net.Socket,
  ) {
    this.ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  private onData(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    for (;;) {
      if (this.buffer.length === 0) return;
      if (this.buffer[0] === 0x24) {
        // Interleaved RTCP from the client (receiver reports): read past it.
        if (this.buffer.length < 4) return;
        const len = this.buffer.readUInt16BE(2);
        if (this.buffer.length < 4 + len) return;
        this.buffer = this.buffer.subarray(4 + len);
        continue;
      }
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffer.length > MAX_REQUEST_BYTES) this.socket.destroy();
        return;
      }
      const head = this.buffer.subarray(0, end).toString('latin1');
      const headers = new Map<string, string>();
      const lines = head.split('\r\n');
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const bodyLength = Number(headers.get('content-length') ?? '0') || 0;
      if (this.buffer.length < end + 4 + bodyLength) return;
      this.buffer = this.buffer.subarray(end + 4 + bodyLength);
      const [method = '', uri = ''] = (lines[0] ?? '').split(' ');
      const request: Request = { method: method.toUpperCase(), uri, headers };
      // Requests are answered in order, each after the one before (DESCRIBE may wait for an encoder).
      this.queue = this.queue.then(() => this.handle(request)).catch(() => {
        this.socket.destroy();
      });
    }
  }

  private async handle(req: Request): Promise<void> {
    await this.server.whileStalled();
    if (this.server.replyDelayMs > 0) await delay(this.server.replyDelayMs);
    if (this.socket.destroyed) return;
    const cseq = req.headers.get('cseq') ?? '0';
    const send = (reply: Reply): void => this.reply(cseq, reply);

    if (req.method === 'OPTIONS') return send({ status: 200, headers: { Public: PUBLIC_METHODS } });
    if (!['DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'GET_PARAMETER', 'SET_PARAMETER', 'TEARDOWN'].includes(req.method)) {
      return send({ status: 501 });
    }
    const denied = this.server.authorize(req, this.ip);
    if (denied) return send(denied);

    switch (req.method) {
      case 'DESCRIBE':
        return this.describe(req, send);
      case 'SETUP':
        return this.setup(req, send);
      case 'PLAY':
        return this.play(req, send);
      case 'PAUSE': {
        const session = this.sessionOf(req);
        if (!session) return send({ status: 454 });
        session.stop();
        return send({ status: 200, headers: { Session: session.id } });
      }
      case 'GET_PARAMETER':
      case 'SET_PARAMETER': {
        const session = req.headers.has('session') ? this.sessionOf(req) : undefined;
        if (req.headers.has('session') && !session) return send({ status: 454 });
        return send({ status: 200, headers: session ? { Session: session.id } : {} });
      }
      case 'TEARDOWN': {
        const session = this.sessionOf(req);
        if (!session) return send({ status: 454 });
        session.stop();
        this.sessions.delete(session.id);
        return send({ status: 200, headers: { Session: session.id } });
      }
    }
    return send({ status: 501 });
  }

  private async describe(req: Request, send: (r: Reply) => void): Promise<void> {
    const stream = this.server.options.resolve(streamPathOf(req.uri));
    if (!stream) return send({ status: 404 });
    let sets;
    try {
      sets = await withTimeout(stream.parameterSets(), this.server.mediaWaitMs, 'waiting for parameter sets');
    } catch {
      return send({ status: 503 });
    }
    const body = describeSdp({
      codec: stream.spec.codec,
      sets,
      fps: stream.spec.fps,
      host: this.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      sessionId: String(randomInt(1, 2 ** 31)),
      title: `${stream.spec.channelName} ${stream.spec.profile}`,
    });
    const base = req.uri.endsWith('/') ? req.uri : `${req.uri}/`;
    send({ status: 200, headers: { 'Content-Base': base, 'Content-Type': 'application/sdp' }, body });
  }

  private setup(req: Request, send: (r: Reply) => void): void {
    const transport = req.headers.get('transport') ?? '';
    // TCP interleaved only; a UDP request gets 461 and clients like ffmpeg retry over TCP.
    if (!/RTP\/AVP\/TCP/i.test(transport)) return send({ status: 461 });
    const stream = this.server.options.resolve(streamPathOf(req.uri));
    if (!stream) return send({ status: 404 });
    const existing = req.headers.has('session') ? this.sessionOf(req) : undefined;
    if (req.headers.has('session') && !existing) return send({ status: 454 });
    // One video track per stream: a second SETUP in the session is not an aggregate we offer.
    if (existing) return send({ status: 459 });
    const m = /interleaved=(\d+)(?:-(\d+))?/i.exec(transport);
    const channel = m ? Number(m[1]) : 0;
    if (channel > 254) return send({ status: 400 });
    const track = this.server.trackFor(stream);
    const trackUrl = /\/(trackID|track|streamid)=\d+$/i.test(req.uri) ? req.uri : `${req.uri.replace(/\/$/, '')}/${TRACK_CONTROL}`;
    const session = new Session(this, track, channel, trackUrl);
    this.sessions.set(session.id, session);
    const ssrc = track.ssrc.toString(16).toUpperCase().padStart(8, '0');
    send({
      status: 200,
      headers: {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};ssrc=${ssrc};mode="PLAY"`,
        Session: `${session.id};timeout=${SESSION_TIMEOUT_S}`,
      },
    });
  }

  private async play(req: Request, send: (r: Reply) => void): Promise<void> {
    const session = this.sessionOf(req);
    if (!session) return send({ status: 454 });
    if (session.playing) return send({ status: 200, headers: { Session: session.id, Range: 'npt=now-' } });
    try {
      await session.track.ready(this.server.mediaWaitMs);
    } catch {
      return send({ status: 503 });
    }
    if (this.socket.destroyed || !this.sessions.has(session.id)) return;
    const gop = session.track.gop[0]!;
    this.reply(req.headers.get('cseq') ?? '0', {
      status: 200,
      headers: {
        Session: session.id,
        Range: 'npt=now-',
        'RTP-Info': `url=${session.trackUrl};seq=${gop.firstSeq};rtptime=${gop.rtpTime}`,
      },
    });
    session.start();
  }

  private sessionOf(req: Request): Session | undefined {
    const id = (req.headers.get('session') ?? '').split(';')[0]!.trim();
    return this.sessions.get(id);
  }

  private reply(cseq: string, reply: Reply): void {
    if (this.socket.destroyed) return;
    const lines = [`RTSP/1.0 ${reply.status} ${STATUS_TEXT[reply.status] ?? 'Unknown'}`, `CSeq: ${cseq}`, `Server: ${SERVER_NAME}`, `Date: ${new Date().toUTCString()}`];
    for (const [k, v] of Object.entries(reply.headers ?? {})) lines.push(`${k}: ${v}`);
    const body = reply.body ? Buffer.from(reply.body, 'utf8') : undefined;
    if (body) lines.push(`Content-Length: ${body.length}`);
    const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
    this.socket.write(body ? Buffer.concat([head, body]) : head);
  }

  private onClose(): void {
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
    this.server.connections.delete(this);
  }
}

class Server implements CamsimRtspServer {
  private readonly net: net.Server;
  readonly connections = new Set<Connection>();
  private readonly tracks = new Map<SimStream, RtpTrack>();
  private readonly digest: DigestAuth;
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
    this.digest = new DigestAuth(options.realm);
    this.guard = options.lockout ?? defaultLoginGuard();
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
  authorize(req: Request, ip: string): Reply | undefined {
    const passwordOf = this.options.passwordOf;
    if (!passwordOf) return undefined;
    const lock = this.guard.isLocked(ip);
    if (lock.locked) return { status: 403, headers: { 'Retry-After': String(Math.ceil(lock.retryAfterMs / 1000)) } };
    const result = this.digest.verify(req.method, req.headers.get('authorization'), passwordOf);
    switch (result.kind) {
      case 'ok':
        this.guard.recordSuccess(ip);
        return undefined;
      case 'missing':
        return { status: 401, headers: { 'WWW-Authenticate': this.digest.challenge() } };
      case 'stale':
        return { status: 401, headers: { 'WWW-Authenticate': this.digest.challenge(true) } };
      case 'bad':
        this.guard.recordFailure(ip);
        return { status: 401, headers: { 'WWW-Authenticate': this.digest.challenge() } };
    }
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
