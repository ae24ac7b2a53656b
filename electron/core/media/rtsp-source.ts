// The station's own RTSP ingest for H.264 and H.265 cameras (RFC 2326 over TCP, RTP interleaved; RFC 6184 and RFC 7798
// payloads), muxed straight to fMP4 in this process. ffmpeg's RTSP reader costs more than the whole remux around it (≈1200
// small reads a second per stream) and its pipe costs as much again; here one socket read carries many RTP packets. Streams
// this does not take (audio, other codecs, B-frames, RTSPS) are handed to ffmpeg by the hub.
import net from 'node:net';
import { digestHeader, pickDigest } from '../net/http-auth';
import type { Fmp4Part } from './fmp4';
import { readInit } from './fmp4';
import { FRAGMENT_HEADER_BYTES, VIDEO_TIMESCALE, h264Init, h265Init, writeFragmentHeader } from './fmp4-mux';

export interface RtspSourceHandlers {
  part(part: Fmp4Part): void;
  /** Bytes came from the camera (the hub's stall watchdog). */
  bytes(n: number): void;
  /** The session ended; reason phrased like ffmpeg's stderr so the hub classifies both alike. */
  closed(reason: string): void;
  /** This stream needs ffmpeg (audio, another codec, B-frames…); the session is closed, ffmpeg takes its place. */
  unsupported(why: string): void;
}

export interface RtspResponse { status: number; reason: string; headers: Map<string, string[]>; body: Buffer }

const MAX_HEADER_BYTES = 64 * 1024;
const MAX_AU_BYTES = 16 * 1024 * 1024;
/** Socket errors phrased as ffmpeg words them, for the hub's classifyFailure. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused', ETIMEDOUT: 'Connection timed out', EHOSTUNREACH: 'No route to host', ENETUNREACH: 'Network is unreachable',
};

export interface SdpVideo {
  control: string;
  payloadType: number;
  codec: string;
  /** Parameter sets given out of band (H.264 sprop-parameter-sets; H.265 sprop-vps/sps/pps). */
  params: Buffer[];
  /** H.265 sprop-max-don-diff: above 0, packets carry decoding order numbers. */
  maxDonDiff: number;
}

/** The video media of an SDP (RFC 4566) and any other media the station would need ffmpeg for (audio); an ONVIF
 *  metadata track (`m=application`, Dahua's and Axis's ONVIF URIs) is simply not set up. */
export function parseSdp(sdp: string): { video?: SdpVideo; otherMedia: string[] } {
  const sections: string[][] = [[]];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) sections.push([]);
    sections.at(-1)!.push(line.trim());
  }
  let video: SdpVideo | undefined;
  const otherMedia: string[] = [];
  for (const s of sections.slice(1)) {
    const [kind, , , pt] = s[0]!.slice(2).split(/\s+/);
    if (kind === 'application') continue;
    if (kind !== 'video' || video) { otherMedia.push(kind ?? '?'); continue; }
    const payloadType = Number(pt);
    const attr = (name: string) => s.find((l) => l.startsWith(`a=${name}:`))?.slice(name.length + 3);
    const rtpmap = s.map((l) => /^a=rtpmap:(\d+)\s+([\w.-]+)\//.exec(l)).find((m) => m && Number(m[1]) === payloadType);
    const fmtp = s.map((l) => /^a=fmtp:(\d+)\s+(.*)$/.exec(l)).find((m) => m && Number(m[1]) === payloadType)?.[2] ?? '';
    const param = (name: string) => new RegExp(`(?:^|;)\\s*${name}=([^;\\s]+)`).exec(fmtp)?.[1];
    const sets = [param('sprop-parameter-sets'), param('sprop-vps'), param('sprop-sps'), param('sprop-pps')]
      .flatMap((v) => v?.split(',') ?? []).map((b) => Buffer.from(b, 'base64')).filter((b) => b.length > 0);
    video = {
      control: attr('control') ?? '*', payloadType, codec: rtpmap?.[2]?.toUpperCase() ?? (payloadType === 26 ? 'JPEG' : `payload ${pt}`),
      params: sets, maxDonDiff: Number(param('sprop-max-don-diff') ?? 0),
    };
  }
  return { video, otherMedia };
}

/** Resolves an SDP control attribute against the session's base URL (RFC 2326 C.1.1). */
export function controlUrl(base: string, control: string): string {
  if (/^rtsps?:\/\//i.test(control)) return control;
  if (control === '*' || control === '') return base;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}

/** What tells one codec's RTP payloads and NAL units apart (RFC 6184 for H.264, RFC 7798 for H.265). */
interface NalRules {
  headerBytes: number;
  type(nal: Buffer, at: number): number;
  aggregation: number;
  fragmentation: number;
  /** The NAL header of a fragmented unit, from its payload header and FU header. */
  fuHeader(p: Buffer, at: number): number[];
  params: number[];
  key(type: number): boolean;
  /** Dropped: access unit delimiters and filler. */
  skip(type: number): boolean;
  init(params: Map<number, Buffer>): Buffer | undefined;
}

const H264_RULES: NalRules = {
  headerBytes: 1, type: (b, at) => b[at]! & 0x1f, aggregation: 24, fragmentation: 28,
  fuHeader: (p, at) => [(p[at]! & 0xe0) | (p[at + 1]! & 0x1f)],
  params: [7, 8], key: (t) => t === 5, skip: (t) => t === 9 || t === 12,
  init: (ps) => (ps.has(7) && ps.has(8) ? h264Init(ps.get(7)!, ps.get(8)!) : undefined),
};
const H265_RULES: NalRules = {
  headerBytes: 2, type: (b, at) => (b[at]! >> 1) & 0x3f, aggregation: 48, fragmentation: 49,
  fuHeader: (p, at) => [(p[at]! & 0x81) | ((p[at + 2]! & 0x3f) << 1), p[at + 1]!],
  params: [32, 33, 34], key: (t) => t >= 16 && t <= 21, skip: (t) => t === 35 || t === 38,
  init: (ps) => (ps.has(32) && ps.has(33) && ps.has(34) ? h265Init(ps.get(32)!, ps.get(33)!, ps.get(34)!) : undefined),
};

/** Seconds from NTP's epoch (1900) to Unix's (1970). */
const NTP_UNIX_S = 2_208_988_800;

/** The sender report in an RTCP compound packet (RFC 3550 §6.4.1): its NTP wall clock (ms) and RTP time; none: undefined. */
export function readSenderReport(packet: Buffer): { wallMs: number; rtpTime: number } | undefined {
  for (let at = 0; at + 4 <= packet.length;) {
    const words = packet.readUInt16BE(at + 2) + 1;
    if (packet[at]! >> 6 !== 2) return undefined;
    if (packet[at + 1] === 200 && at + 20 <= packet.length) {
      const seconds = packet.readUInt32BE(at + 8);
      if (seconds === 0) return undefined; // no wall clock (some encoders send zeros)
      return { wallMs: (seconds - NTP_UNIX_S) * 1000 + (packet.readUInt32BE(at + 12) / 2 ** 32) * 1000, rtpTime: packet.readUInt32BE(at + 16) };
    }
    at += words * 4;
  }
  return undefined;
}

/**
 * RTP of one H.264 or H.265 stream → access units (NAL units grouped by timestamp; single, aggregation and fragmentation
 * packets) → one fMP4 fragment each, written into a reused buffer and copied out once.
 */
export class VideoDepacketizer {
  private au = Buffer.allocUnsafe(512 * 1024);
  private auLen = FRAGMENT_HEADER_BYTES;
  private auTs?: number;
  private auKey = false;
  private nalStart = -1;
  private expectedSeq?: number;
  private broken = false;
  private needKey = true;
  private readonly params = new Map<number, Buffer>();
  private initDirty = true;
  private firstTs?: number;
  private lastTs = 0;
  private wraps = 0;
  private prevDts?: number;
  private duration = VIDEO_TIMESCALE / 25;
  private seq = 0;
  private readonly rules: NalRules;
  /** The camera's wall clock at one RTP time, from its last RTCP sender report: frames' capture times from it. */
  private clockRef?: { wallMs: number; rtpTime: number };

  constructor(codec: 'H264' | 'H265', private readonly payloadType: number, params: Buffer[],
    private readonly emit: (part: Fmp4Part) => void, private readonly unsupported: (why: string) => void) {
    this.rules = codec === 'H264' ? H264_RULES : H265_RULES;
    for (const p of params) this.keepParam(p);
  }

  /** An RTCP sender report of this stream (RFC 3550 §6.4.1): its NTP time and the RTP time of the same instant. */
  senderReport(wallMs: number, rtpTime: number): void {
    this.clockRef = { wallMs, rtpTime };
  }

  private keepParam(nal: Buffer): void {
    const type = this.rules.type(nal, 0);
    if (!this.rules.params.includes(type) || this.params.get(type)?.equals(nal)) return;
    this.params.set(type, Buffer.from(nal));
    this.initDirty = true;
  }

  /** One RTP packet (a view that is only valid during the call). */
  push(p: Buffer): void {
    if (p.length < 12 || p[0]! >> 6 !== 2 || (p[1]! & 0x7f) !== this.payloadType) return;
    let off = 12 + (p[0]! & 0x0f) * 4;
    if (p[0]! & 0x10) off += 4 + (off + 4 <= p.length ? p.readUInt16BE(off + 2) * 4 : 0);
    const end = p[0]! & 0x20 ? p.length - p[p.length - 1]! : p.length;
    if (off >= end) return;
    const seq = p.readUInt16BE(2);
    const ts = p.readUInt32BE(4);
    if (this.auTs !== undefined && ts !== this.auTs) this.flush();
    // A lost packet spoils its access unit and every one after it that refers back: wait for the next keyframe.
    if (this.expectedSeq !== undefined && seq !== this.expectedSeq) this.broken = true;
    this.expectedSeq = (seq + 1) & 0xffff;
    this.auTs = ts;
    const r = this.rules;
    const type = r.type(p, off);
    if (type === r.aggregation) {
      for (let at = off + r.headerBytes; at + 2 <= end;) {
        const n = p.readUInt16BE(at);
        at += 2;
        if (n < r.headerBytes || at + n > end) { this.broken = true; break; }
        this.nal(p, at, at + n);
        at += n;
      }
    } else if (type === r.fragmentation && off + r.headerBytes < end) {
      const fuAt = off + r.headerBytes;
      const fu = p[fuAt]!;
      if (fu & 0x80) {
        this.closeNal();
        this.beginNal(r.fuHeader(p, off));
      }
      if (this.nalStart < 0) this.broken = true; // its start was lost
      else {
        this.append(p, fuAt + 1, end);
        if (fu & 0x40) this.closeNal();
      }
    } else if (type < r.aggregation && off + r.headerBytes <= end) {
      this.nal(p, off, end);
    } else {
      this.broken = true; // STAP-B, MTAP, FU-B, PACI, or a truncated header
    }
    if (p[1]! & 0x80) this.flush();
  }

  private nal(p: Buffer, from: number, to: number): void {
    this.closeNal();
    const type = this.rules.type(p, from);
    if (this.rules.params.includes(type)) this.keepParam(p.subarray(from, to));
    if (this.rules.skip(type)) return;
    this.beginNal([...p.subarray(from, from + this.rules.headerBytes)]);
    this.append(p, from + this.rules.headerBytes, to);
    this.closeNal();
  }

  private beginNal(header: number[]): void {
    this.reserve(4 + header.length);
    this.nalStart = this.auLen;
    for (let i = 0; i < header.length; i++) this.au[this.auLen + 4 + i] = header[i]!;
    this.auLen += 4 + header.length;
    if (this.rules.key(this.rules.type(this.au, this.nalStart + 4))) this.auKey = true;
  }

  private append(p: Buffer, from: number, to: number): void {
    this.reserve(to - from);
    p.copy(this.au, this.auLen, from, to);
    this.auLen += to - from;
  }

  private closeNal(): void {
    if (this.nalStart < 0) return;
    this.au.writeUInt32BE(this.auLen - this.nalStart - 4, this.nalStart);
    this.nalStart = -1;
  }

  private reserve(n: number): void {
    if (this.auLen + n <= this.au.length) return;
    if (this.auLen + n > MAX_AU_BYTES) throw new Error('an access unit is larger than 16 MB');
    const bigger = Buffer.allocUnsafe(Math.max(this.au.length * 2, this.auLen + n));
    this.au.copy(bigger, 0, 0, this.auLen);
    this.au = bigger;
  }

  private flush(): void {
    this.closeNal();
    const ts = this.auTs;
    const key = this.auKey;
    const bytes = this.auLen - FRAGMENT_HEADER_BYTES;
    const broken = this.broken;
    this.auLen = FRAGMENT_HEADER_BYTES;
    this.auKey = false;
    this.auTs = undefined;
    this.broken = false;
    if (ts === undefined) return;
    if (broken) { this.needKey = true; return; }
    if (bytes === 0) return;
    if (this.initDirty) {
      let init: Buffer | undefined;
      try {
        init = this.rules.init(this.params);
      } catch (err) {
        return this.unsupported((err as Error).message);
      }
      if (!init) return; // no parameter sets yet
      this.emit({ kind: 'init', data: init, info: readInit(init) });
      this.initDirty = false;
      this.needKey = true;
      // New parameters (the camera changed resolution): a new start, decode time from 0, as after a reconnection.
      this.firstTs = this.prevDts = undefined;
    }
    // The 32-bit RTP clock, unwrapped; decode time counts from the first access unit after the init segment.
    if (this.firstTs === undefined) { this.firstTs = this.lastTs = ts; this.wraps = 0; }
    if (ts < this.lastTs && this.lastTs - ts > 2 ** 31) this.wraps++;
    else if (ts > this.lastTs && ts - this.lastTs > 2 ** 31) return; // a late packet from before a wrap
    this.lastTs = ts;
    const dts = this.wraps * 2 ** 32 + ts - this.firstTs;
    if (this.prevDts !== undefined) {
      // Presentation order differs from decode order (B-frames): the RTP timestamps alone cannot give decode times.
      if (dts <= this.prevDts) return this.unsupported('the camera sends B-frames (timestamps out of order)');
      const delta = dts - this.prevDts;
      if (delta < VIDEO_TIMESCALE) this.duration = delta;
    }
    this.prevDts = dts;
    if (this.needKey && !key) return;
    this.needKey = false;
    // Its own duration is not known until the next access unit comes: the last interval stands in, and the next
    // fragment's decode time is exact, so nothing drifts.
    writeFragmentHeader(this.au, ++this.seq, dts, this.duration, bytes, key);
    const data = Buffer.from(this.au.subarray(0, FRAGMENT_HEADER_BYTES + bytes));
    // Captured when the camera's clock says (the RTP time's distance from the last sender report, signed over a wrap).
    const ref = this.clockRef;
    const capturedAt = ref && ref.wallMs + ((ts - ref.rtpTime) | 0) / (VIDEO_TIMESCALE / 1000);
    this.emit({ kind: 'fragment', data, info: { video: true, keyframe: key, baseDecodeTime: dts, duration: this.duration, samples: 1, ...(capturedAt ? { capturedAt } : {}) } });
  }
}

/**
 * Splits what a camera sends on the RTSP connection into responses and interleaved binary frames, however the reads fall.
 * Holds at most one unfinished message (a header and body of at most 64 KB each, or one frame); throws on data that is not RTSP.
 */
export class RtspFramer {
  private pending?: Buffer;

  constructor(private readonly onResponse: (r: RtspResponse) => void, private readonly onFrame: (channel: number, data: Buffer) => void,
    private readonly stopped: () => boolean = () => false) {}

  /** Bytes held back until the rest of their message comes. */
  get buffered(): number { return this.pending?.length ?? 0; }

  /** One read; frames are views only valid during onFrame. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending) { buf = Buffer.concat([this.pending, chunk]); this.pending = undefined; }
    let at = 0;
    while (at < buf.length && !this.stopped()) {
      if (buf[at] === 0x24) { // '$': interleaved binary frame
        if (at + 4 > buf.length) break;
        const len = buf.readUInt16BE(at + 2);
        if (at + 4 + len > buf.length) break;
        this.onFrame(buf[at + 1]!, buf.subarray(at + 4, at + 4 + len));
        at += 4 + len;
        continue;
      }
      const head = buf.indexOf('\r\n\r\n', at, 'latin1');
      if (head < 0) {
        if (buf.length - at > MAX_HEADER_BYTES) throw new Error('the camera sent an RTSP header larger than 64 KB');
        break;
      }
      const lines = buf.toString('latin1', at, head).split('\r\n');
      const headers = new Map<string, string[]>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) { const k = l.slice(0, i).trim().toLowerCase(); headers.set(k, [...(headers.get(k) ?? []), l.slice(i + 1).trim()]); }
      }
      const length = headers.get('content-length')?.[0] ?? '0';
      // A negative length would step back over the message and read it again, forever.
      if (!/^\d+$/.test(length)) throw new Error(`the camera sent an invalid RTSP Content-Length "${length.slice(0, 20)}"`);
      const bodyLen = Number(length);
      if (bodyLen > MAX_HEADER_BYTES) throw new Error('the camera sent an RTSP body larger than 64 KB');
      if (head + 4 + bodyLen > buf.length) break;
      const m = /^RTSP\/1\.\d (\d{3}) ?(.*)$/.exec(lines[0]!);
      if (m) {
        this.onResponse({ status: Number(m[1]), reason: m[2] ?? '', headers, body: Buffer.from(buf.subarray(head + 4, head + 4 + bodyLen)) });
      } else if (!/^[A-Z_]+ \S+ RTSP\/1\.\d$/.test(lines[0]!)) {
        throw new Error('Invalid data found (not RTSP)');
      } // a request from the server (ANNOUNCE, GET_PARAMETER): not answered, like most clients
      at = head + 4 + bodyLen;
    }
    if (at < buf.length && !this.stopped()) this.pending = Buffer.from(buf.subarray(at));
  }
}

export interface RtspSourceOptions {
  timeoutMs: number;
  /** Headers sent with every request (playback from a camera's card: ONVIF's `Require: onvif-replay`). */
  headers?: Record<string, string>;
  /** PLAY's headers in place of `Range: npt=0.000-` (playback: `Range: clock=…`, `Rate-Control: no`). */
  play?: Record<string, string>;
  /** PLAY's answer (its Range says where the camera's playback starts). */
  playing?(r: RtspResponse): void;
}

/** One RTSP session (DESCRIBE, SETUP, PLAY over one TCP connection) feeding a VideoDepacketizer; pause/resume stop and
 *  restart reading the socket (a paced reader lets TCP hold the camera back). */
export function openRtspSource(url: string, h: RtspSourceHandlers, opts: RtspSourceOptions): { close(): void; pause(): void; resume(): void } {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = u.password = '';
  const requestUrl = u.toString();
  let closed = false;
  let cseq = 0;
  let authHeader: ((method: string, uri: string) => string) | undefined;
  let session: string | undefined;
  let keepalive: NodeJS.Timeout | undefined;
  let waiting: ((r: RtspResponse) => void) | undefined;
  let depay: VideoDepacketizer | undefined;
  let channel = 0;

  const finish = (reason: string, unsupported = false) => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    clearTimeout(timer);
    sock.destroy();
    if (unsupported) h.unsupported(reason);
    else h.closed(reason);
  };
  const timer = setTimeout(() => finish('Connection timed out (no answer to RTSP set-up)'), opts.timeoutMs);

  const sock = net.connect({
    host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 554), noDelay: true,
    // One reused read buffer: each read holds many interleaved RTP packets, copied once into the access unit.
    onread: { buffer: Buffer.allocUnsafe(256 * 1024), callback: (n: number, buf: Uint8Array) => { onRead(Buffer.from(buf.buffer, buf.byteOffset, n)); return true; } },
  });
  sock.on('error', (err: NodeJS.ErrnoException) => finish(SOCKET_ERRORS[err.code ?? ''] ?? err.message));
  sock.on('close', () => finish('the camera closed the connection'));
  sock.on('connect', () => void run().catch((err: Error) => finish(err.message)));

  const framer = new RtspFramer((r) => {
    const w = waiting;
    waiting = undefined;
    w?.(r);
  }, (ch, data) => {
    if (ch === channel && depay) depay.push(data);
    else if (ch === channel + 1 && depay) { const sr = readSenderReport(data); if (sr) depay.senderReport(sr.wallMs, sr.rtpTime); }
  }, () => closed);

  function onRead(chunk: Buffer): void {
    if (closed) return;
    h.bytes(chunk.length);
    try {
      framer.push(chunk);
    } catch (err) {
      finish((err as Error).message);
    }
  }

  function request(method: string, uri: string, extra: Record<string, string> = {}): Promise<RtspResponse> {
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++cseq}`, 'User-Agent: Watchpost'];
    if (authHeader) lines.push(`Authorization: ${authHeader(method, uri)}`);
    if (session) lines.push(`Session: ${session}`);
    for (const [k, v] of Object.entries({ ...opts.headers, ...extra })) lines.push(`${k}: ${v}`);
    return new Promise((resolve) => {
      waiting = resolve;
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  /** Takes the credentials a 401 asks for (digest, or basic); false when they were refused already (never asked twice). */
  function answerChallenge(r: RtspResponse): boolean {
    const challenges = r.headers.get('www-authenticate') ?? [];
    const digest = pickDigest(challenges);
    const stale = digest && /stale\s*=\s*"?true/i.test(digest);
    if ((authHeader && !stale) || !user) return false;
    if (digest) {
      let count = 0;
      authHeader = (method, uri) => digestHeader(digest, { username: user, password: pass }, method, uri, ++count);
      return true;
    }
    if (!challenges.some((c) => /^basic/i.test(c))) return false;
    const b = Buffer.from(`${user}:${pass}`).toString('base64');
    authHeader = () => `Basic ${b}`;
    return true;
  }

  /** A request, answered once more with credentials when challenged (401; or stale nonce). */
  async function call(method: string, uri: string, extra: Record<string, string> = {}): Promise<RtspResponse> {
    let r = await request(method, uri, extra);
    for (let tries = 0; r.status === 401 && tries < 2 && answerChallenge(r); tries++) r = await request(method, uri, extra);
    if (r.status !== 200) throw new Error(`${method}: server returned ${r.status} ${r.status === 401 ? 'Unauthorized' : r.status === 404 ? 'Not Found' : r.reason}`);
    return r;
  }

  async function run(): Promise<void> {
    const d = await call('DESCRIBE', requestUrl, { Accept: 'application/sdp' });
    const { video, otherMedia } = parseSdp(d.body.toString('utf8'));
    if (!video) return finish('could not find codec parameters (the camera offers no video)');
    if (video.codec !== 'H264' && video.codec !== 'H265') return finish(`the video is ${video.codec}`, true);
    if (video.maxDonDiff > 0) return finish('the H.265 stream sends decoding order numbers', true);
    if (otherMedia.length) return finish(`the stream has ${otherMedia.join(', ')} as well`, true);
    const base = d.headers.get('content-base')?.[0] ?? d.headers.get('content-location')?.[0] ?? requestUrl;
    const s = await call('SETUP', controlUrl(base, video.control), { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    const sessionHeader = s.headers.get('session')?.[0];
    if (!sessionHeader) throw new Error('SETUP: the camera gave no session');
    session = sessionHeader.split(';')[0]!.trim();
    channel = Number(/interleaved=(\d+)/.exec(s.headers.get('transport')?.[0] ?? '')?.[1] ?? 0);
    const timeoutS = Number(/timeout=(\d+)/.exec(sessionHeader)?.[1] ?? 60);
    depay = new VideoDepacketizer(video.codec, video.payloadType, video.params, (p) => h.part(p), (why) => finish(why, true));
    const played = await call('PLAY', controlUrl(base, '*'), opts.play ?? { Range: 'npt=0.000-' });
    opts.playing?.(played);
    // Set up: from here a camera that sends nothing is the hub's stall watchdog's to find.
    clearTimeout(timer);
    // The session is kept alive by a request every half of its timeout.
    // A nonce the camera let expire is renewed from its answer (stale), so the next one is accepted.
    keepalive = setInterval(() => void request('GET_PARAMETER', controlUrl(base, '*')).then((r) => r.status === 401 && answerChallenge(r)),
      Math.max(1, timeoutS / 2) * 1000);
    keepalive.unref();
  }

  return {
    pause: () => void sock.pause(),
    resume: () => void sock.resume(),
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      clearTimeout(timer);
      if (!session) return void sock.destroy();
      sock.end(`TEARDOWN ${requestUrl} RTSP/1.0\r\nCSeq: ${++cseq}\r\nSession: ${session}\r\n\r\n`);
      setTimeout(() => sock.destroy(), 1000).unref();
    },
  };
}
