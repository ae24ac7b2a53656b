// The station's own RTSP ingest, pure parts: SDP, SPS, and RTP (RFC 6184, RFC 7798) → fMP4, checked by decoding the output
// with ffmpeg and comparing every picture with the encoder's own stream.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInit, type Fmp4Part } from '../../electron/core/media/fmp4';
import { hevcSps, spsSize } from '../../electron/core/media/fmp4-mux';
import { VideoDepacketizer, controlUrl, openRtspSource, parseSdp, readSenderReport } from '../../electron/core/media/rtsp-source';
import { DigestAuth } from '../../scripts/camsim/digest-auth';
import { splitAccessUnits } from '../../scripts/camsim/video/annexb';

const dir = mkdtempSync(join(tmpdir(), 'wp-rtsp-src-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Codec = 'h264' | 'h265';
const ENCODER = { h264: ['-c:v', 'libx264'], h265: ['-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=0:keyint=25:min-keyint=25:scenecut=0'] };

function encode(name: string, args: string[], codec: Codec = 'h264'): Buffer {
  const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-frames:v', '50',
    ...ENCODER[codec], '-g', '25', '-pix_fmt', 'yuv420p', ...args, '-f', codec === 'h264' ? 'h264' : 'hevc', 'pipe:1'], { maxBuffer: 64 << 20 });
  writeFileSync(join(dir, `${name}.${codec}`), out);
  return out;
}

/** RTP packets of one access unit: parameter sets as one aggregation packet, small NAL units alone, large ones fragmented. */
function packetize(codec: Codec, nals: Buffer[], ts: number, seq: { n: number }, mtu = 1200): Buffer[] {
  const hdr = codec === 'h264' ? 1 : 2;
  const type = (n: Buffer) => (codec === 'h264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
  const isParam = (n: Buffer) => (codec === 'h264' ? [7, 8] : [32, 33, 34]).includes(type(n));
  const payloads: Buffer[] = [];
  const sets = nals.filter(isParam);
  // STAP-A (24) / AP (48) header, then 16-bit size + NAL unit each.
  const aggHeader = codec === 'h264' ? [(sets[0]?.[0] ?? 0) & 0x60 | 24] : [48 << 1, 1];
  if (sets.length) payloads.push(Buffer.concat([Buffer.from(aggHeader), ...sets.flatMap((n) => [Buffer.from([n.length >> 8, n.length & 0xff]), n])]));
  for (const n of nals.filter((x) => !isParam(x))) {
    if (n.length <= mtu) { payloads.push(n); continue; }
    for (let off = hdr; off < n.length; off += mtu) {
      const fu = (off === hdr ? 0x80 : 0) | (off + mtu >= n.length ? 0x40 : 0) | type(n);
      // FU-A: indicator (F, NRI, 28) + FU header; H.265 FU: payload header (type 49, layer, TID) + FU header.
      const head = codec === 'h264' ? [(n[0]! & 0xe0) | 28, fu] : [(n[0]! & 0x81) | (49 << 1), n[1]!, fu];
      payloads.push(Buffer.concat([Buffer.from(head), n.subarray(off, off + mtu)]));
    }
  }
  return payloads.map((pl, i) => {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (i === payloads.length - 1 ? 0x80 : 0) | 96;
    h.writeUInt16BE(seq.n, 2);
    seq.n = (seq.n + 1) & 0xffff;
    h.writeUInt32BE(ts >>> 0, 4);
    h.writeUInt32BE(0x1234, 8);
    return Buffer.concat([h, pl]);
  });
}

/** All packets of a stream, the RTP clock starting just before its 32-bit wrap and sequence numbers before theirs. */
function rtpOf(stream: Buffer, codec: Codec = 'h264'): Buffer[][] {
  const seq = { n: 65_530 };
  return splitAccessUnits(codec, stream).map((au, i) => packetize(codec, au.nals, 2 ** 32 - 10 * 3600 + i * 3600, seq));
}

function depacketize(units: Buffer[][], skip?: (unit: number, packet: number) => boolean, codec: 'H264' | 'H265' = 'H264') {
  const parts: Fmp4Part[] = [];
  const unsupported: string[] = [];
  const d = new VideoDepacketizer(codec, 96, [], (p) => parts.push(p), (why) => unsupported.push(why));
  units.forEach((ps, u) => ps.forEach((p, i) => { if (!skip?.(u, i)) d.push(p); }));
  return { parts, unsupported };
}

const framemd5 = (file: string) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'framemd5', '-'])
  .toString().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').at(-1)!.trim());

describe('VideoDepacketizer', () => {
  const h264 = encode('plain', ['-bf', '0', '-profile:v', 'high']);

  it('turns RTP (single, STAP-A, FU-A; RTP clock and sequence wrapping) into fMP4 that decodes to the same pictures', () => {
    const { parts, unsupported } = depacketize(rtpOf(h264));
    expect(unsupported).toEqual([]);
    const init = parts.filter((p) => p.kind === 'init');
    const frags = parts.filter((p) => p.kind === 'fragment');
    expect(init).toHaveLength(1);
    expect(init[0]!.info).toMatchObject({ kind: 'h264', width: 640, height: 360, timescale: 90_000 });
    expect(readInit(init[0]!.data).codec).toMatch(/^avc1\.6400/); // High profile, from the SPS
    expect(frags).toHaveLength(50);
    // Decode times count on across the RTP clock's wrap, one frame (3600 ticks) apart.
    expect(frags.map((f) => f.kind === 'fragment' && f.info.baseDecodeTime)).toEqual(frags.map((_, i) => i * 3600));
    expect(frags.map((f) => f.kind === 'fragment' && f.info.keyframe).flatMap((k, i) => (k ? [i] : []))).toEqual([0, 25]);
    const file = join(dir, 'plain.mp4');
    writeFileSync(file, Buffer.concat(parts.map((p) => p.data)));
    const ours = framemd5(file);
    expect(ours).toHaveLength(50);
    expect(ours).toEqual(framemd5(join(dir, 'plain.h264')));
  });

  it('does the same for H.265 (AP, FU; an hev1 init segment from the VPS, SPS and PPS)', () => {
    const h265 = encode('plain', [], 'h265');
    const { parts, unsupported } = depacketize(rtpOf(h265, 'h265'), undefined, 'H265');
    expect(unsupported).toEqual([]);
    const init = parts.filter((p) => p.kind === 'init');
    expect(init).toHaveLength(1);
    expect(init[0]!.info).toMatchObject({ kind: 'h265', width: 640, height: 360, timescale: 90_000 });
    expect(init[0]!.info.codec).toMatch(/^hev1\.1\.6\.L\d+/); // Main profile, from the SPS's profile_tier_level
    const frags = parts.filter((p) => p.kind === 'fragment');
    expect(frags).toHaveLength(50);
    expect(frags.map((f) => f.kind === 'fragment' && f.info.keyframe).flatMap((k, i) => (k ? [i] : []))).toEqual([0, 25]);
    const file = join(dir, 'plain-h265.mp4');
    writeFileSync(file, Buffer.concat(parts.map((p) => p.data)));
    expect(framemd5(file)).toEqual(framemd5(join(dir, 'plain.h265')));
  });

  it('dates each frame by the camera\'s clock from its RTCP sender report, across the RTP clock\'s wrap', () => {
    const units = rtpOf(h264);
    const parts: Fmp4Part[] = [];
    const d = new VideoDepacketizer('H264', 96, [], (p) => parts.push(p), () => {});
    const wall = 1_764_670_000_000;
    units.forEach((ps, u) => {
      if (u === 5) d.senderReport(wall, 2 ** 32 - 10 * 3600 + 5 * 3600); // the SR names unit 5's instant
      ps.forEach((p) => d.push(p));
    });
    const frags = parts.flatMap((p) => (p.kind === 'fragment' ? [p.info] : []));
    // Before the first report: no camera time; from it on, 40 ms a frame, on through the wrap at unit 10.
    expect(frags.slice(0, 4).every((f) => f.capturedAt === undefined)).toBe(true);
    expect(frags.slice(5, 20).map((f) => f.capturedAt! - wall)).toEqual(Array.from({ length: 15 }, (_, i) => i * 40));
  });

  it('after a lost packet, emits nothing until the next keyframe', () => {
    const { parts } = depacketize(rtpOf(h264), (u, i) => u === 10 && i === 0);
    const frags = parts.filter((p) => p.kind === 'fragment');
    expect(frags).toHaveLength(10 + 25);
    expect(frags[10]!.kind === 'fragment' && frags[10]!.info).toMatchObject({ keyframe: true, baseDecodeTime: 25 * 3600 });
    const file = join(dir, 'lost.mp4');
    writeFileSync(file, Buffer.concat(parts.map((p) => p.data)));
    expect(framemd5(file)).toHaveLength(35);
  });

  it('hands a stream with B-frames over (its RTP timestamps are in presentation order)', () => {
    const mp4 = join(dir, 'bframes.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-frames:v', '20',
      '-c:v', 'libx264', '-bf', '2', '-pix_fmt', 'yuv420p', '-video_track_timescale', '90000', mp4]);
    const h264 = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', mp4, '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', 'pipe:1']);
    // Packets in decode order, stamped with their presentation times as a camera's RTP would be.
    const pts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts', '-of', 'csv=p=0', mp4]).toString().trim().split('\n').map(Number);
    const seq = { n: 0 };
    const units = splitAccessUnits('h264', h264).map((au, i) => packetize('h264', au.nals, 1000 + pts[i]!, seq));
    expect(pts.some((p, i) => i > 0 && p < pts[i - 1]!)).toBe(true);
    expect(depacketize(units).unsupported[0]).toMatch(/B-frames/);
  });

  it('drops malformed packets without throwing', () => {
    const units = rtpOf(h264);
    const d = new VideoDepacketizer('H264', 96, [], () => {}, () => {});
    const bad = [Buffer.alloc(0), Buffer.alloc(11), Buffer.from([0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5]), // RTP version 1
      Buffer.concat([units[1]![0]!.subarray(0, 12), Buffer.from([24, 0xff, 0xff, 1])]), // STAP-A length past the end
      Buffer.concat([units[1]![0]!.subarray(0, 12), Buffer.from([28])]), // FU-A without its header
      Buffer.concat([units[1]![0]!.subarray(0, 12), Buffer.from([28, 0x05, 1, 2, 3])]), // FU-A middle without a start
      Buffer.concat([Buffer.from([0xb0]), units[1]![0]!.subarray(1, 12), Buffer.from([0, 0, 0, 200])])]; // extension and padding past the end
    for (const b of bad) expect(() => d.push(b)).not.toThrow();
  });
});

describe('readSenderReport', () => {
  // RFC 3550 §6.4.1 and §6.5: a compound RTCP packet as cameras send it every few seconds, a sender report then a source
  // description with the CNAME. The bytes: SR of SSRC 0x1A2B3C4D at NTP 0xECD93720.80000000 (2025-12-02 10:00:00.5 UTC),
  // RTP time 0x00ABCDEF, 1000 packets, 1 200 000 octets; SDES CNAME "cam@192.0.2.10".
  const sr = Buffer.from('80c800061a2b3c4decd9372080000000' + '00abcdef000003e800124f80', 'hex');
  const sdes = Buffer.from('81ca00061a2b3c4d010e63616d403139322e302e322e313000000000', 'hex');
  const rr = Buffer.from('80c900011a2b3c4d', 'hex');

  it('reads the wall clock and RTP time of a sender report, first or after a receiver report in the compound', () => {
    const want = { wallMs: Date.UTC(2025, 11, 2, 10, 0, 0, 500), rtpTime: 0xabcdef };
    expect(new Date(want.wallMs).toISOString()).toBe('2025-12-02T10:00:00.500Z');
    expect(readSenderReport(Buffer.concat([sr, sdes]))).toEqual(want);
    expect(readSenderReport(Buffer.concat([rr, sr]))).toEqual(want);
  });

  it('gives nothing for a report without a wall clock, a receiver report alone, or bytes that are not RTCP', () => {
    const zero = Buffer.from(sr);
    zero.writeUInt32BE(0, 8);
    expect(readSenderReport(zero)).toBeUndefined();
    expect(readSenderReport(Buffer.concat([rr, sdes]))).toBeUndefined();
    expect(readSenderReport(Buffer.from('0000000000', 'hex'))).toBeUndefined();
    expect(readSenderReport(sr.subarray(0, 12))).toBeUndefined();
  });
});

describe('spsSize', () => {
  it('reads sizes with cropping from real encoder output', () => {
    for (const [size, profile] of [['1920x1080', 'high'], ['640x360', 'baseline'], ['1280x720', 'main'], ['352x288', 'high444']] as const) {
      const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-frames:v', '1',
        '-c:v', 'libx264', '-profile:v', profile, ...(profile === 'high444' ? ['-pix_fmt', 'yuv444p'] : ['-pix_fmt', 'yuv420p']), '-f', 'h264', 'pipe:1']);
      const sps = splitAccessUnits('h264', out)[0]!.nals.find((n) => (n[0]! & 0x1f) === 7)!;
      const [w, h] = size.split('x').map(Number);
      expect(spsSize(sps)).toEqual({ width: w, height: h });
    }
  });
  it('names a truncated SPS', () => {
    expect(() => spsSize(Buffer.from([0x67, 100, 0, 40]))).toThrow(/SPS/);
    expect(() => hevcSps(Buffer.from([0x42, 0x01, 0x01, 0x01]))).toThrow(/SPS/);
  });
  it('reads H.265 sizes with cropping (conformance window) from real encoder output', () => {
    for (const size of ['1920x1080', '640x360', '1280x720']) {
      const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-frames:v', '1',
        ...ENCODER.h265, '-pix_fmt', 'yuv420p', '-f', 'hevc', 'pipe:1']);
      const sps = splitAccessUnits('h265', out)[0]!.nals.find((n) => ((n[0]! >> 1) & 0x3f) === 33)!;
      const [w, h] = size.split('x').map(Number);
      expect(hevcSps(sps)).toMatchObject({ width: w, height: h, chroma: 1 });
    }
  });
});

describe('parseSdp', () => {
  it('reads a Hikvision-style description: video with its parameter sets, audio beside it', () => {
    const sdp = ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=Media Presentation', 'c=IN IP4 0.0.0.0', 't=0 0', 'a=control:*',
      'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKJWgHgCJ+VA=,aO48gA==',
      'a=control:trackID=1', 'm=audio 0 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', 'a=control:trackID=2', ''].join('\r\n');
    const { video, otherMedia } = parseSdp(sdp);
    expect(video).toMatchObject({ control: 'trackID=1', payloadType: 96, codec: 'H264' });
    expect(video!.params.map((n) => n[0]! & 0x1f)).toEqual([7, 8]);
    expect(otherMedia).toEqual(['audio']);
  });
  it('reads an H.265 description: VPS, SPS and PPS, and whether packets carry decoding order numbers', () => {
    const sdp = (extra: string) => `v=0\nm=video 0 RTP/AVP 98\na=rtpmap:98 H265/90000\na=fmtp:98 sprop-vps=QAEMAf//;sprop-sps=QgEBAWA=;sprop-pps=RAHA${extra}\na=control:track1\n`;
    const { video } = parseSdp(sdp(''));
    expect(video).toMatchObject({ codec: 'H265', payloadType: 98, maxDonDiff: 0 });
    expect(video!.params.map((n) => (n[0]! >> 1) & 0x3f)).toEqual([32, 33, 34]);
    expect(parseSdp(sdp(';sprop-max-don-diff=2')).video!.maxDonDiff).toBe(2);
  });
  it('resolves control URLs against the base', () => {
    expect(controlUrl('rtsp://h/cam/realmonitor?channel=1&subtype=0/', 'trackID=0')).toBe('rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0');
    expect(controlUrl('rtsp://h/live', 'track1')).toBe('rtsp://h/live/track1');
    expect(controlUrl('rtsp://h/live/', '*')).toBe('rtsp://h/live/');
    expect(controlUrl('rtsp://h/live/', 'rtsp://h/other/t1')).toBe('rtsp://h/other/t1');
  });
});

/** A minimal RTSP server on loopback: answer(method, request, cseq) writes each reply. */
async function fakeCamera(answer: (method: string, req: string, cseq: string) => string) {
  const server = createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const req = buf.slice(0, end);
        buf = buf.slice(end + 4);
        sock.write(answer(req.split(' ')[0]!, req, /CSeq: (\d+)/.exec(req)![1]!));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

describe('openRtspSource', () => {
  const auth = new DigestAuth('IP Camera(C2034)');
  const check = (method: string, req: string) => auth.verify(method, /Authorization: (.*)/.exec(req)?.[1], (u) => (u === 'admin' ? 'Pa$$w0rd:x' : undefined)).kind;
  const url = (port: number) => `rtsp://admin:${encodeURIComponent('Pa$$w0rd:x')}@127.0.0.1:${port}/Streaming/Channels/101`;
  const SDP = 'v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n';

  it('answers a digest challenge with qop=auth (Hikvision-style), and names the request the camera refused', async () => {
    const seen: string[] = [];
    const cam = await fakeCamera((method, req, cseq) => {
      const result = check(method, req);
      seen.push(`${method} ${result}${/qop=auth, nc=00000001/.test(req) ? ' qop' : ''}`);
      if (result !== 'ok') return `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="x"\r\nWWW-Authenticate: ${auth.challenge()}, qop="auth"\r\n\r\n`;
      if (method === 'DESCRIBE') return `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`;
      return `RTSP/1.0 461 Unsupported Transport\r\nCSeq: ${cseq}\r\n\r\n`;
    });
    const reason = await new Promise<string>((resolve) => {
      openRtspSource(url(cam.port), { part: () => {}, bytes: () => {}, unsupported: resolve, closed: resolve }, { timeoutMs: 5000 });
    });
    cam.close();
    expect(seen).toEqual(['DESCRIBE missing', 'DESCRIBE ok qop', 'SETUP ok']);
    expect(reason).toBe('SETUP: server returned 461 Unsupported Transport');
  });

  it('keeps the session alive at half its timeout, renewing a nonce the camera let expire', async () => {
    const seen: string[] = [];
    let keepalives = 0;
    const cam = await fakeCamera((method, req, cseq) => {
      const nonce = /nonce="(\w+)"/.exec(req)?.[1]?.slice(-6);
      seen.push(`${method} ${check(method, req)} ${nonce ?? '-'} ${/Session: (\S+)/.exec(req)?.[1] ?? '-'}`);
      if (check(method, req) !== 'ok') return `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: ${auth.challenge()}\r\n\r\n`;
      const ok = `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n`;
      if (method === 'DESCRIBE') return `${ok}Content-Length: ${SDP.length}\r\n\r\n${SDP}`;
      if (method === 'SETUP') return `${ok}Session: 77AB;timeout=2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`;
      // The first keepalive finds the nonce expired: stale, with a new one.
      if (method === 'GET_PARAMETER' && ++keepalives === 1) return `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: ${auth.challenge(true)}\r\n\r\n`;
      return `${ok}\r\n`;
    });
    const closed: string[] = [];
    const src = openRtspSource(url(cam.port), { part: () => {}, bytes: () => {}, unsupported: (w) => closed.push(w), closed: (w) => closed.push(w) }, { timeoutMs: 10_000 });
    await expect.poll(() => keepalives, { timeout: 5000, interval: 100 }).toBe(3);
    src.close();
    cam.close();
    expect(closed).toEqual([]);
    const kept = seen.filter((l) => l.startsWith('GET_PARAMETER'));
    expect(kept.every((l) => l.endsWith(' 77AB'))).toBe(true);
    // The second and third keepalives carry the nonce the stale answer gave, not the first one.
    const [first, second, third] = kept.map((l) => l.split(' ')[2]);
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect(kept.slice(1).map((l) => l.split(' ')[1])).toEqual(['ok', 'ok']);
  });
});
