// The ONVIF audio back channel (ONVIF Streaming Specification §5.3, Profile T/S): the station talks to a camera's speaker
// over RTSP. DESCRIBE carries `Require: www.onvif.org/ver20/backchannel`; a camera that has it adds an audio media marked
// `a=sendonly` (the client sends on it) to its SDP, one without it answers 551. Only that track is set up (RTP interleaved
// on the RTSP connection, as the station reads video), PLAY, then G.711 in RTP packets of 20 ms.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { digestHeader, pickDigest } from '../net/http-auth';
import { g711Encode, type G711Law } from './g711';
import { controlUrl, RtspFramer, type RtspResponse } from './rtsp-source';

export const BACKCHANNEL_TAG = 'www.onvif.org/ver20/backchannel';
/** 20 ms of 8 kHz audio: one RTP packet (RFC 3551 §4.5's default packetization for G.711). */
const SAMPLES_PER_PACKET = 160;

export interface SdpBackchannel {
  control: string;
  payloadType: number;
  law: G711Law;
}

/**
 * The back channel of an SDP: the first audio media marked `a=sendonly` that offers G.711 at 8 kHz (PCMU preferred, as
 * the spec's example; static payload types 0 and 8 need no rtpmap). Undefined when there is none.
 */
export function parseBackchannel(sdp: string): SdpBackchannel | undefined {
  const sections: string[][] = [[]];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) sections.push([]);
    sections.at(-1)!.push(line.trim());
  }
  for (const s of sections.slice(1)) {
    const [kind, , , ...formats] = s[0]!.slice(2).split(/\s+/);
    if (kind !== 'audio' || !s.includes('a=sendonly')) continue;
    const codecOf = (pt: number) => {
      const m = s.map((l) => /^a=rtpmap:(\d+)\s+([\w.-]+)\/(\d+)/.exec(l)).find((x) => x && Number(x[1]) === pt);
      if (m) return Number(m[3]) === 8000 ? m[2]!.toUpperCase() : undefined;
      return pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : undefined;
    };
    const offered = formats.map(Number).filter((pt) => Number.isInteger(pt) && pt >= 0 && pt < 128);
    const pick = offered.find((pt) => codecOf(pt) === 'PCMU') ?? offered.find((pt) => codecOf(pt) === 'PCMA');
    if (pick === undefined) continue;
    const control = s.find((l) => l.startsWith('a=control:'))?.slice('a=control:'.length) ?? '*';
    return { control, payloadType: pick, law: codecOf(pick) === 'PCMU' ? 'mu' : 'a' };
  }
  return undefined;
}

/** The camera has no back channel (551, or no sendonly G.711 track): not an error of the network. */
export class NoBackchannel extends Error {}

export interface Backchannel {
  law: G711Law;
  /** 8 kHz 16-bit PCM; sent in 20 ms packets as it comes, the rest kept for the next call. */
  send(pcm: Int16Array): void;
  close(): void;
  /** Resolves with why the session ended (the camera hung up, the network), never on close(). */
  ended: Promise<string>;
}

/** Whether an RTSP URL's camera has an audio back channel: its DESCRIBE with the Require header, and nothing set up. */
export async function hasBackchannel(url: string, timeoutMs: number): Promise<boolean> {
  try {
    await openBackchannel(url, { timeoutMs, describeOnly: true });
    return true;
  } catch (err) {
    if (err instanceof NoBackchannel) return false;
    throw err;
  }
}

/** Opens the back channel of an RTSP URL (credentials in it, digest or basic as the camera asks); rejects with NoBackchannel when it has none. */
export function openBackchannel(url: string, opts: { timeoutMs: number; describeOnly?: boolean }): Promise<Backchannel> {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = u.password = '';
  const requestUrl = u.toString();
  let cseq = 0;
  let authHeader: ((method: string, uri: string) => string) | undefined;
  let session: string | undefined;
  let waiting: { resolve(r: RtspResponse): void; reject(e: Error): void } | undefined;
  let closed = false;
  let endWith: (why: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (endWith = resolve));

  const sock = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 554), noDelay: true });
  const fault = (why: string) => {
    waiting?.reject(new Error(why));
    waiting = undefined;
    if (!closed) endWith(why);
    closed = true;
    sock.destroy();
  };
  sock.on('error', (err) => fault(err.message));
  sock.on('close', () => fault('the camera closed the connection'));
  // The camera may send RTCP or a keep-alive's answer; only answers to requests matter here.
  const framer = new RtspFramer((r) => { const w = waiting; waiting = undefined; w?.resolve(r); }, () => {}, () => closed);
  sock.on('data', (d: Buffer) => { try { framer.push(d); } catch (err) { fault((err as Error).message); } });

  function request(method: string, uri: string, extra: Record<string, string> = {}): Promise<RtspResponse> {
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++cseq}`, 'User-Agent: Watchpost', `Require: ${BACKCHANNEL_TAG}`];
    if (authHeader) lines.push(`Authorization: ${authHeader(method, uri)}`);
    if (session) lines.push(`Session: ${session}`);
    for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
    return new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  /** A request, sent once more with credentials when challenged (as rtsp-source.ts answers). */
  async function call(method: string, uri: string, extra: Record<string, string> = {}): Promise<RtspResponse> {
    let r = await request(method, uri, extra);
    if (r.status === 401 && !authHeader && user) {
      const challenges = r.headers.get('www-authenticate') ?? [];
      const digest = pickDigest(challenges);
      let count = 0;
      if (digest) authHeader = (m, x) => digestHeader(digest, { username: user, password: pass }, m, x, ++count);
      else if (challenges.some((c) => /^basic/i.test(c))) authHeader = () => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      if (authHeader) r = await request(method, uri, extra);
    }
    if (method === 'DESCRIBE' && r.status === 551) throw new NoBackchannel('the camera has no audio back channel');
    if (r.status !== 200) throw new Error(`${method}: server returned ${r.status} ${r.reason}`);
    return r;
  }

  const setUp = async (): Promise<Backchannel> => {
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    const d = await call('DESCRIBE', requestUrl, { Accept: 'application/sdp' });
    const track = parseBackchannel(d.body.toString('utf8'));
    if (!track) throw new NoBackchannel('the camera offers no audio back channel');
    if (opts.describeOnly) {
      closed = true;
      sock.end();
      return { law: track.law, send: () => {}, close: () => {}, ended };
    }
    const base = d.headers.get('content-base')?.[0] ?? d.headers.get('content-location')?.[0] ?? requestUrl;
    const s = await call('SETUP', controlUrl(base, track.control), { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    const sessionHeader = s.headers.get('session')?.[0];
    if (!sessionHeader) throw new Error('SETUP: the camera gave no session');
    session = sessionHeader.split(';')[0]!.trim();
    const channel = Number(/interleaved=(\d+)/.exec(s.headers.get('transport')?.[0] ?? '')?.[1] ?? 0);
    await call('PLAY', controlUrl(base, '*'), { Range: 'npt=0.000-' });
    // Kept alive by a request every half of the session's timeout.
    const timeoutS = Number(/timeout=(\d+)/.exec(sessionHeader)?.[1] ?? 60);
    const keepalive = setInterval(() => void request('GET_PARAMETER', controlUrl(base, '*')).catch(() => undefined), Math.max(1, timeoutS / 2) * 1000);
    keepalive.unref();
    void ended.then(() => clearInterval(keepalive));

    const ssrc = randomBytes(4).readUInt32BE(0);
    let seq = randomBytes(2).readUInt16BE(0);
    let timestamp = randomBytes(4).readUInt32BE(0);
    let held = new Int16Array(0);
    return {
      law: track.law,
      send(pcm) {
        if (closed) return;
        const all = new Int16Array(held.length + pcm.length);
        all.set(held);
        all.set(pcm, held.length);
        let at = 0;
        const packets: Buffer[] = [];
        for (; at + SAMPLES_PER_PACKET <= all.length; at += SAMPLES_PER_PACKET) {
          const payload = g711Encode(all.subarray(at, at + SAMPLES_PER_PACKET), track.law);
          const p = Buffer.alloc(4 + 12 + payload.length);
          p.writeUInt8(0x24, 0);
          p.writeUInt8(channel, 1);
          p.writeUInt16BE(12 + payload.length, 2);
          p.writeUInt8(0x80, 4); // RTP version 2, no padding, extension or CSRC
          p.writeUInt8(track.payloadType & 0x7f, 5);
          p.writeUInt16BE(seq, 6);
          p.writeUInt32BE(timestamp >>> 0, 8);
          p.writeUInt32BE(ssrc, 12);
          payload.copy(p, 16);
          packets.push(p);
          seq = (seq + 1) & 0xffff;
          timestamp = (timestamp + SAMPLES_PER_PACKET) >>> 0;
        }
        held = all.slice(at);
        if (packets.length) sock.write(Buffer.concat(packets));
      },
      close() {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        sock.end(`TEARDOWN ${requestUrl} RTSP/1.0\r\nCSeq: ${++cseq}\r\nSession: ${session}\r\nRequire: ${BACKCHANNEL_TAG}\r\n${authHeader ? `Authorization: ${authHeader('TEARDOWN', requestUrl)}\r\n` : ''}\r\n`);
        setTimeout(() => sock.destroy(), 1000).unref();
      },
      ended,
    };
  };

  const timer = setTimeout(() => fault('Connection timed out (no answer to RTSP set-up)'), opts.timeoutMs);
  return setUp().then((b) => { clearTimeout(timer); return b; }, (err: Error) => { clearTimeout(timer); closed = true; sock.destroy(); throw err; });
}
