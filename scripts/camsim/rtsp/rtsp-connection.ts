// One RTSP client connection (RFC 2326): requests parsed off the socket (interleaved RTCP read past) and answered in
// order: OPTIONS, DESCRIBE, SETUP (RTP over this connection, §10.12 interleaved), PLAY, PAUSE, keep-alives, TEARDOWN.
import type net from 'node:net';
import type { BackchannelSink, RtspServerOptions, SimStream } from '../types';
import { BACKCHANNEL_CONTROL, BACKCHANNEL_SDP, TRACK_CONTROL, type RtspDialect } from './dialect';
import { ReplaySession } from './replay';
import { Session, withTimeout, type RtpTrack, type TrackHost } from './rtp-track';

const PUBLIC_METHODS = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER, TEARDOWN';
const SESSION_TIMEOUT_S = 60;
/** The ONVIF audio back channel's feature tag (ONVIF Streaming Specification §5.3.1). */
export const BACKCHANNEL_TAG = 'www.onvif.org/ver20/backchannel';
const BACKCHANNEL_TRACK = new RegExp(`/${BACKCHANNEL_CONTROL}(?=\\?|$)`);
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
  457: 'Invalid Range',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  551: 'Option not supported',
};

export interface RtspRequest {
  method: string;
  uri: string;
  headers: Map<string, string>;
}

export interface RtspReply {
  status: number;
  /** An array value is sent as one header line each (several WWW-Authenticate challenges). */
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** What a connection needs of its server. */
export interface ConnectionHost extends TrackHost {
  readonly options: Pick<RtspServerOptions, 'resolve' | 'resolvePlayback' | 'backchannel'>;
  readonly connections: Set<Connection>;
  readonly replyDelayMs: number;
  readonly mediaWaitMs: number;
  readonly dialect: RtspDialect;
  whileStalled(): Promise<void>;
  /** undefined when the request may proceed, else the refusal to send. */
  authorize(req: RtspRequest, ip: string): RtspReply | undefined;
  trackFor(stream: SimStream): RtpTrack;
}

/** The track suffix a client appends for SETUP: at the end (`…subtype=0/trackID=0`), or before the query as Hikvision
 *  and Axis write it (`…/101/trackID=1?transportmode=unicast`, `…/media.amp/stream=0?profile=…`). */
const TRACK_SUFFIX = /\/(?:trackID|track|streamid|stream)=?\d+(?=\?|$)/i;

/** Path and query of an rtsp:// URL, without the track suffix a client appends for SETUP. */
export function streamPathOf(uri: string): string {
  const m = /^rtsps?:\/\/[^/?]*(.*)$/i.exec(uri);
  let path = m ? m[1]! : uri;
  if (!path.startsWith('/')) path = `/${path}`;
  return path.replace(TRACK_SUFFIX, '').replace(/\/(?=\?)/, '').replace(/\/$/, '') || '/';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  readonly sessions = new Map<string, Session>();
  /** Playback sessions from the card (replay.ts). */
  readonly replays = new Map<string, ReplaySession>();
  /** Audio back channels by their interleaved channel: the client's RTP goes to the speaker, with the session it belongs to. */
  private readonly backchannels = new Map<number, { session: string; sink: BackchannelSink }>();
  readonly ip: string;

  constructor(
    readonly server: ConnectionHost,
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
        // Interleaved data from the client: RTP on a back channel goes to the speaker; RTCP (receiver reports) is read past.
        if (this.buffer.length < 4) return;
        const len = this.buffer.readUInt16BE(2);
        if (this.buffer.length < 4 + len) return;
        this.backchannels.get(this.buffer[1]!)?.sink.rtp(Buffer.from(this.buffer.subarray(4, 4 + len)));
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
      const request: RtspRequest = { method: method.toUpperCase(), uri, headers };
      // Requests are answered in order, each after the one before (DESCRIBE may wait for an encoder).
      this.queue = this.queue.then(() => this.handle(request)).catch(() => {
        this.socket.destroy();
      });
    }
  }

  private async handle(req: RtspRequest): Promise<void> {
    await this.server.whileStalled();
    if (this.server.replyDelayMs > 0) await delay(this.server.replyDelayMs);
    if (this.socket.destroyed) return;
    const cseq = req.headers.get('cseq') ?? '0';
    const send = (reply: RtspReply): void => this.reply(cseq, reply);

    if (req.method === 'OPTIONS') return send({ status: 200, headers: { Public: PUBLIC_METHODS } });
    if (!['DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'GET_PARAMETER', 'SET_PARAMETER', 'TEARDOWN'].includes(req.method)) {
      return send({ status: 501 });
    }
    const denied = this.server.authorize(req, this.ip);
    if (denied) return send(denied);
    const replay = this.replays.get((req.headers.get('session') ?? '').split(';')[0]!.trim());
    if (replay) return this.replayRequest(replay, req, send);
    if (this.backOnly(req)) return this.backchannelRequest(req, send);

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
        this.endBackchannels(session.id);
        return send({ status: 200, headers: { Session: session.id } });
      }
    }
    return send({ status: 501 });
  }

  private async describe(req: RtspRequest, send: (r: RtspReply) => void): Promise<void> {
    const path = streamPathOf(req.uri);
    const stream = this.server.options.resolve(path) ?? this.server.options.resolvePlayback?.(path)?.stream;
    if (!stream) return send({ status: 404 });
    // The ONVIF back channel is offered only to a client that asks for it; a channel without a speaker answers as a server
    // without the feature does (§5.3.1: 551, the tag named in Unsupported), so the client may try again without it.
    const back = this.wantsBackchannel(req);
    if (back && !this.server.options.backchannel?.(path)) return send({ status: 551, headers: { Unsupported: BACKCHANNEL_TAG } });
    let sets;
    try {
      sets = await withTimeout(stream.parameterSets(), this.server.mediaWaitMs, 'waiting for parameter sets');
    } catch {
      return send({ status: 503 });
    }
    const uri = req.uri.replace(/^(rtsps?:\/\/)[^@/?]*@/i, '$1');
    const { dialect } = this.server;
    const body = dialect.describe({
      codec: stream.spec.codec, sets, fps: stream.spec.fps, width: stream.spec.width, height: stream.spec.height,
      host: this.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', uri, title: `${stream.spec.channelName} ${stream.spec.profile}`,
    });
    send({ status: 200, headers: { 'Content-Base': dialect.contentBase(uri), 'Content-Type': 'application/sdp' }, body: back ? `${body}${BACKCHANNEL_SDP.join('\r\n')}\r\n` : body });
  }

  private wantsBackchannel(req: RtspRequest): boolean {
    return (req.headers.get('require') ?? '').split(',').some((t) => t.trim().toLowerCase() === BACKCHANNEL_TAG);
  }

  /** A request about a session that is only a back channel (the client set up no video), or the SETUP that starts one. */
  private backOnly(req: RtspRequest): boolean {
    const id = (req.headers.get('session') ?? '').split(';')[0]!.trim();
    if (req.method === 'SETUP') return BACKCHANNEL_TRACK.test(req.uri);
    return id !== '' && !this.sessions.has(id) && [...this.backchannels.values()].some((b) => b.session === id);
  }

  /** SETUP of the back channel's track (alone or into the video's session), and PLAY, keep-alives, TEARDOWN of a back-only session. */
  private backchannelRequest(req: RtspRequest, send: (r: RtspReply) => void): void {
    const id = (req.headers.get('session') ?? '').split(';')[0]!.trim();
    if (req.method !== 'SETUP') {
      if (req.method === 'TEARDOWN') this.endBackchannels(id);
      return send({ status: 200, headers: { Session: id, ...(req.method === 'PLAY' ? { Range: 'npt=now-' } : {}) } });
    }
    if (!this.wantsBackchannel(req)) return send({ status: 551, headers: { Unsupported: BACKCHANNEL_TAG } });
    const transport = req.headers.get('transport') ?? '';
    if (!/RTP\/AVP\/TCP/i.test(transport)) return send({ status: 461 });
    const speaker = this.server.options.backchannel?.(streamPathOf(req.uri));
    if (!speaker) return send({ status: 404 });
    if (id && !this.sessions.has(id)) return send({ status: 454 });
    const channel = Number(/interleaved=(\d+)/i.exec(transport)?.[1] ?? 0);
    if (channel > 254 || this.backchannels.has(channel)) return send({ status: 400 });
    const session = id || this.server.dialect.sessionId();
    this.backchannels.set(channel, { session, sink: speaker.open() });
    send({ status: 200, headers: { Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`, Session: this.server.dialect.sessionHeader(session, SESSION_TIMEOUT_S) } });
  }

  private endBackchannels(session?: string): void {
    for (const [channel, b] of this.backchannels) {
      if (session !== undefined && b.session !== session) continue;
      b.sink.end();
      this.backchannels.delete(channel);
    }
  }

  private setup(req: RtspRequest, send: (r: RtspReply) => void): void {
    const transport = req.headers.get('transport') ?? '';
    // TCP interleaved only; a UDP request gets 461 and clients like ffmpeg retry over TCP.
    if (!/RTP\/AVP\/TCP/i.test(transport)) return send({ status: 461 });
    const playback = this.server.options.resolvePlayback?.(streamPathOf(req.uri));
    if (playback && !req.headers.has('session')) return this.setupReplay(req, playback, send);
    const stream = this.server.options.resolve(streamPathOf(req.uri));
    if (!stream) return send({ status: 404 });
    const existing = req.headers.has('session') ? this.sessionOf(req) : undefined;
    if (req.headers.has('session') && !existing) return send({ status: 454 });
    const m = /interleaved=(\d+)(?:-(\d+))?/i.exec(transport);
    const channel = m ? Number(m[1]) : 0;
    if (channel > 254) return send({ status: 400 });
    if (existing) {
      // Another track of the session (a dialect's ONVIF metadata track): set up, and silent. The video again: not an aggregate we offer.
      if (existing.trackUrl === req.uri || !TRACK_SUFFIX.test(req.uri)) return send({ status: 459 });
      return send({ status: 200, headers: { Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`, Session: this.server.dialect.sessionHeader(existing.id, SESSION_TIMEOUT_S) } });
    }
    const track = this.server.trackFor(stream);
    const trackUrl = TRACK_SUFFIX.test(req.uri) ? req.uri : `${req.uri.replace(/\/$/, '')}/${TRACK_CONTROL}`;
    const session = new Session(this.socket, this.server, track, channel, trackUrl, this.server.dialect.sessionId());
    this.sessions.set(session.id, session);
    const ssrc = track.ssrc.toString(16).toUpperCase().padStart(8, '0');
    send({
      status: 200,
      headers: {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};ssrc=${ssrc};mode="PLAY"`,
        Session: this.server.dialect.sessionHeader(session.id, SESSION_TIMEOUT_S),
      },
    });
  }

  private async play(req: RtspRequest, send: (r: RtspReply) => void): Promise<void> {
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

  private setupReplay(req: RtspRequest, playback: { stream: SimStream; range?: { start: number; end: number }; onvif?: boolean }, send: (r: RtspReply) => void): void {
    const channel = Number(/interleaved=(\d+)/i.exec(req.headers.get('transport') ?? '')?.[1] ?? 0);
    if (channel > 254) return send({ status: 400 });
    const trackUrl = TRACK_SUFFIX.test(req.uri) ? req.uri : `${req.uri.replace(/\/$/, '')}/${TRACK_CONTROL}`;
    const replay = new ReplaySession(this.socket, playback.stream, channel, trackUrl, playback.range, this.server.counters, playback.onvif ?? false);
    this.replays.set(replay.id, replay);
    send({
      status: 200,
      headers: { Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};mode="PLAY"`, Session: `${replay.id};timeout=${SESSION_TIMEOUT_S}` },
    });
  }

  /** PLAY, PAUSE, keep-alives and TEARDOWN of a playback session. */
  private replayRequest(replay: ReplaySession, req: RtspRequest, send: (r: RtspReply) => void): void {
    if (req.method === 'PLAY') {
      if (replay.playing) return send({ status: 455 });
      const r = replay.play(req.headers);
      send({ status: r.status, headers: { Session: replay.id, ...r.headers } });
      return r.start?.();
    }
    if (req.method === 'PAUSE' || req.method === 'TEARDOWN') {
      replay.stop();
      if (req.method === 'TEARDOWN') this.replays.delete(replay.id);
    }
    if (req.method === 'SETUP') return send({ status: 459 });
    send({ status: 200, headers: { Session: replay.id } });
  }

  private sessionOf(req: RtspRequest): Session | undefined {
    const id = (req.headers.get('session') ?? '').split(';')[0]!.trim();
    return this.sessions.get(id);
  }

  private reply(cseq: string, reply: RtspReply): void {
    if (this.socket.destroyed) return;
    const { dialect } = this.server;
    const lines = [`RTSP/1.0 ${reply.status} ${STATUS_TEXT[reply.status] ?? 'Unknown'}`, `CSeq: ${cseq}`];
    if (dialect.server) lines.push(`Server: ${dialect.server}`);
    lines.push(`Date: ${dialect.date(new Date())}`);
    for (const [k, v] of Object.entries(reply.headers ?? {})) for (const one of [v].flat()) lines.push(`${k}: ${one}`);
    const body = reply.body ? Buffer.from(reply.body, 'utf8') : undefined;
    if (body) lines.push(`Content-Length: ${body.length}`);
    const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
    this.socket.write(body ? Buffer.concat([head, body]) : head);
  }

  private onClose(): void {
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
    for (const r of this.replays.values()) r.stop();
    this.replays.clear();
    this.endBackchannels();
    this.server.connections.delete(this);
  }
}
