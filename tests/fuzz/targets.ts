// Fuzz targets: every parser that reads bytes from a camera, a network peer or a file, with fast-check arbitraries that
// mix plain junk with inputs shaped like the real thing (so the fuzzer gets past the first check). Each target's `run`
// throws when the parser misbehaves: a throw that is not a plain Error (a TypeError or RangeError escaping is a bug:
// callers catch Error as "the peer sent garbage"), or more held back than the parser's own bound. Hangs are timed by the
// runner (`runTarget`). Used by tests/fuzz/*.test.ts (short pass) and scripts/fuzz.ts (`npm run fuzz -- --cases N`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeDhip, encodeDhip, readNotifyDevInfo } from '../../electron/core/devices/discovery/dhip';
import { parseWsdMessage, readScopes } from '../../electron/core/devices/discovery/ws-discovery';
import { localClockOffset } from '../../electron/core/devices/drivers/onvif';
import { parseRecordings, parseReplayUri, parseSearchResults } from '../../electron/core/devices/drivers/onvif-replay';
import { DahuaPartReader, parseDahuaLine } from '../../electron/core/events/dahua-attach';
import { Fmp4Reader, boxes, readInit, readMoof, type Fmp4Part } from '../../electron/core/media/fmp4';
import { FRAGMENT_HEADER_BYTES, h264Init, h265Init } from '../../electron/core/media/fmp4-mux';
import { RtspFramer, VideoDepacketizer, parseSdp } from '../../electron/core/media/rtsp-source';
import { parseBackchannel } from '../../electron/core/media/rtsp-backchannel';
import { at, parseUntrustedXml, text } from '../../electron/core/net/xml';
import { readStationMatch, readStationProbe } from '../../electron/core/sites/station-discovery';
import { verifyExport } from '../../electron/core/recording/export';
import { retimeFragment } from '../../electron/core/recording/fragment-time';

export interface FuzzTarget<T = any> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  run(input: T): void;
}

/** A throw a caller is meant to catch: a plain Error with a message. Anything else escaping a parser is a finding. */
export function expectDeliberate(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Error) || err.constructor !== Error || !err.message) throw new Error(`escaped: ${String(err)}`, { cause: err });
  }
}

const hex = (s: string) => Buffer.from(s, 'hex');
/** Parameter sets of a real 64×64 libx264 / libx265 picture: a depacketizer fed these gets as far as muxing. */
export const H264_PARAMS = [hex('6764000aacd94426c044000003000400000300c83c489658'), hex('68ebe3cb22c0')];
export const H265_PARAMS = [
  hex('40010c01ffff01600000030090000003000003001e959809'),
  hex('42010101600000030090000003000003001ea020810596566924caf0168080000003008000000c84'),
  hex('4401c172b42240'),
];

const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

/** A byte string made of the given pieces, with random bytes flipped or cut off: the real shape, slightly wrong. */
function mangled(pieces: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.tuple(pieces, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat()))
    .map(([b, flips, cut]) => {
      const out = Buffer.from(b);
      for (const [i, v] of flips) if (out.length) out[i % out.length] = v;
      return cut === null || out.length === 0 ? out : out.subarray(0, cut % (out.length + 1));
    });
}

/** Splits a buffer into reads the way a socket might. */
function chunked(whole: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer[]> {
  return fc.tuple(whole, fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 20 })).map(([b, cuts]) => {
    const out: Buffer[] = [];
    let at = 0;
    for (const n of cuts) { if (at >= b.length) break; out.push(b.subarray(at, at + n)); at += n; }
    if (at < b.length) out.push(b.subarray(at));
    return out;
  });
}

// --- RTSP ---------------------------------------------------------------------------------------------------------------

const headerLine = fc.oneof(
  fc.constantFrom('CSeq: 1', 'Session: 1234;timeout=60', 'Content-Type: application/sdp', 'Transport: RTP/AVP/TCP;interleaved=0-1'),
  fc.integer({ min: -100, max: 70_000 }).map((n) => `Content-Length: ${n}`),
  fc.string({ maxLength: 12 }).map((s) => `Content-Length: ${s}`),
  fc.string({ maxLength: 40 }),
);
const rtspMessage = fc.tuple(
  fc.oneof(fc.constantFrom('RTSP/1.0 200 OK', 'RTSP/1.0 401 Unauthorized', 'GET_PARAMETER rtsp://x/ RTSP/1.0', 'RTSP/1.0 200'), fc.string({ maxLength: 30 })),
  fc.array(headerLine, { maxLength: 5 }),
  fc.string({ maxLength: 80 }),
).map(([first, hs, body]) => Buffer.from(`${first}\r\n${hs.join('\r\n')}\r\n\r\n${body}`, 'latin1'));
/** A response whose negative Content-Length points back at its own start (once a loop that never ended). */
const selfPointing = fc.string({ maxLength: 20 }).map((x) => {
  const head = `RTSP/1.0 200 OK\r\nX: ${x.replace(/[\r\n]/g, '')}\r\nContent-Length: -`;
  for (let n = head.length; ; n++) if (`${head}${n}\r\n\r\n`.length === n) return Buffer.from(`${head}${n}\r\n\r\n`, 'latin1');
});
const interleaved = fc.tuple(fc.integer({ min: 0, max: 3 }), bytes(80), fc.option(fc.integer({ min: 0, max: 0xffff }))).map(([ch, b, len]) => {
  const h = Buffer.from([0x24, ch, 0, 0]);
  h.writeUInt16BE(len ?? b.length, 2);
  return Buffer.concat([h, b]);
});
const rtspStream = chunked(fc.array(fc.oneof(rtspMessage, interleaved, selfPointing, bytes(40)), { maxLength: 8 }).map((a) => Buffer.concat(a)));

/** Held back at most: one header and one body of 64 KB each. */
const RTSP_HELD_MAX = 2 * 64 * 1024 + 4;

const rtspFramer: FuzzTarget<Buffer[]> = {
  name: 'rtsp-framer',
  arbitrary: rtspStream,
  run(reads) {
    let stopped = false;
    // Each message takes bytes: more messages than bytes means the framer is reading one again (a hang, caught here).
    let messages = 0;
    const total = reads.reduce((n, r) => n + r.length, 0);
    const count = () => { if (++messages > total) throw new Error('the framer reads the same message again and again'); };
    const f = new RtspFramer((r) => {
      count();
      if (!Number.isInteger(r.status) || r.body.length > 64 * 1024) throw new Error(`bad response ${r.status} ${r.body.length}`);
    }, (_ch, data) => {
      count();
      if (data.length > 0xffff) throw new Error('frame too long');
    }, () => stopped);
    for (const r of reads) {
      try {
        f.push(r);
      } catch (err) {
        if (err instanceof Error && err.constructor === Error && /RTSP/.test(err.message)) { stopped = true; break; }
        throw err;
      }
      if (f.buffered > RTSP_HELD_MAX) throw new Error(`rtsp framer holds ${f.buffered} bytes`);
    }
  },
};

const sdpLine = fc.oneof(
  fc.constantFrom('v=0', 'm=video 0 RTP/AVP 96', 'm=audio 0 RTP/AVP 0', 'm=video', 'm=', 'a=control:trackID=1', 'a=rtpmap:96 H264/90000',
    'a=rtpmap:96 H265/90000', 'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z2QACqzZRCbARAAAAwBAAAADAMg8SJZY,aOvjyyLA',
    'a=fmtp:96 sprop-vps=QAEMAf//;sprop-sps=;sprop-pps=RAHBcrQiQA==;sprop-max-don-diff=2', 'a=fmtp:96 sprop-max-don-diff=x',
    // The ONVIF audio back channel (rtsp-backchannel.ts).
    'a=sendonly', 'a=recvonly', 'm=audio 0 RTP/AVP 0 8 97', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:97 PCMU/16000'),
  fc.tuple(fc.constantFrom('m=', 'a=rtpmap:', 'a=fmtp:', 'a=control:', 'c=', ''), fc.string({ maxLength: 40 })).map(([k, v]) => k + v),
);
const sdp: FuzzTarget<string> = {
  name: 'sdp',
  arbitrary: fc.oneof(fc.array(sdpLine, { maxLength: 12 }).map((l) => l.join('\r\n')), fc.string({ maxLength: 300 })),
  run(s) {
    const r = parseSdp(s);
    if (r.video && (!r.video.params.every(Buffer.isBuffer) || typeof r.video.control !== 'string')) throw new Error('odd SDP result');
    const back = parseBackchannel(s);
    if (back && (typeof back.control !== 'string' || !Number.isInteger(back.payloadType) || (back.law !== 'mu' && back.law !== 'a'))) throw new Error('odd back channel');
  },
};

// --- RTP depacketizers ---------------------------------------------------------------------------------------------------

/** RTP packets of one stream: mostly well-formed headers around payloads of every NAL/packet type, some junk. */
function rtpPackets(codec: 'H264' | 'H265'): fc.Arbitrary<Buffer[]> {
  const hdr = codec === 'H264' ? 1 : 2;
  const nalHeader = codec === 'H264'
    ? fc.oneof(fc.constantFrom(0x65, 0x41, 0x67, 0x68, 0x78, 0x7c, 0x09, 0x0c, 0x19), fc.integer({ min: 0, max: 255 })).map((b) => Buffer.from([b]))
    : fc.oneof(fc.constantFrom(0x26, 0x02, 0x40, 0x42, 0x44, 0x60, 0x62, 0x46, 0x4c, 0x58, 0x32), fc.integer({ min: 0, max: 255 })).map((b) => Buffer.from([b, 1]));
  const params = codec === 'H264' ? H264_PARAMS : H265_PARAMS;
  const aggregation = fc.array(fc.oneof(fc.constantFrom(...params), bytes(20)), { maxLength: 4 }).chain((nals) =>
    fc.integer({ min: -2, max: 2 }).map((skew) => Buffer.concat([
      codec === 'H264' ? Buffer.from([0x78]) : Buffer.from([0x60, 0x01]),
      ...nals.flatMap((n, i) => { const l = Buffer.alloc(2); l.writeUInt16BE(Math.max(0, n.length + (i === nals.length - 1 ? skew : 0))); return [l, n]; }),
    ])));
  const fragment = fc.tuple(fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 63 }), bytes(60)).map(([s, e, t, b]) => Buffer.concat([
    codec === 'H264' ? Buffer.from([0x7c]) : Buffer.from([0x62, 0x01]),
    Buffer.from([(s ? 0x80 : 0) | (e ? 0x40 : 0) | t]), b,
  ]));
  const payload = fc.oneof(
    fc.tuple(nalHeader, bytes(60)).map(([h, b]) => Buffer.concat([h, b])),
    fc.constantFrom(...params), aggregation, fragment, bytes(hdr + 2),
  );
  const packet = fc.record({
    version: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 3 })),
    padding: fc.boolean(), extension: fc.boolean(), cc: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15 })),
    marker: fc.boolean(), pt: fc.oneof(fc.constant(96), fc.integer({ min: 0, max: 127 })),
    seqStep: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0xffff })),
    tsStep: fc.oneof(fc.constant(3600), fc.constant(0), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    payload, tail: bytes(8),
  });
  return fc.tuple(fc.array(packet, { maxLength: 40 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([ps, seq0, ts0]) => {
    let seq = seq0;
    let ts = ts0;
    return ps.map((p) => {
      seq = (seq + p.seqStep) & 0xffff;
      ts = (ts + p.tsStep) >>> 0;
      const h = Buffer.alloc(12 + p.cc * 4);
      h[0] = (p.version << 6) | (p.padding ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.cc;
      h[1] = (p.marker ? 0x80 : 0) | p.pt;
      h.writeUInt16BE(seq, 2);
      h.writeUInt32BE(ts, 4);
      return Buffer.concat([h, ...(p.extension ? [Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4])] : []), p.payload, ...(p.padding ? [p.tail] : [])]);
    });
  });
}

function depacketizer(codec: 'H264' | 'H265'): FuzzTarget<{ sdpParams: boolean; packets: Buffer[] }> {
  return {
    name: `rtp-${codec.toLowerCase()}`,
    arbitrary: fc.record({ sdpParams: fc.boolean(), packets: rtpPackets(codec) }),
    run({ sdpParams, packets }) {
      const parts: Fmp4Part[] = [];
      let unsupported = false;
      const d = new VideoDepacketizer(codec, 96, sdpParams ? (codec === 'H264' ? H264_PARAMS : H265_PARAMS) : [], (p) => parts.push(p), () => { unsupported = true; });
      for (const p of packets) {
        if (unsupported) break;
        expectDeliberate(() => d.push(p));
      }
      for (const p of parts) {
        if (p.kind === 'fragment' && (p.data.length <= FRAGMENT_HEADER_BYTES || p.data.readUInt32BE(0) + 8 > p.data.length)) throw new Error('bad fragment out');
        if (p.kind === 'fragment') readMoof(p.data, { type: 'moof', start: 0, size: p.data.readUInt32BE(0), headerSize: 8 });
      }
    },
  };
}

/** Sequence parameter sets: a real one with bytes flipped, or junk; the init built from it must read back. */
const sps: FuzzTarget<{ codec: 'H264' | 'H265'; sps: Buffer }> = {
  name: 'sps',
  arbitrary: fc.oneof(
    mangled(fc.constant(H264_PARAMS[0]!)).map((b) => ({ codec: 'H264' as const, sps: b })),
    mangled(fc.constant(H265_PARAMS[1]!)).map((b) => ({ codec: 'H265' as const, sps: b })),
    fc.record({ codec: fc.constantFrom('H264' as const, 'H265' as const), sps: bytes(40) }),
  ),
  run({ codec, sps: s }) {
    let init: Buffer | undefined;
    expectDeliberate(() => { init = codec === 'H264' ? h264Init(s, H264_PARAMS[1]!) : h265Init(H265_PARAMS[0]!, s, H265_PARAMS[2]!); });
    if (init) readInit(init);
  },
};

// --- fMP4 ----------------------------------------------------------------------------------------------------------------

/** A box tree: real box types (moov, trak, moof, traf, tfhd, trun…) with random full-box headers and fields. */
const boxTree: fc.Arbitrary<Buffer> = fc.letrec<{ box: Buffer }>((tie) => ({
  box: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom('ftyp', 'mdat', 'free', 'tkhd', 'mdhd', 'hdlr', 'tfhd', 'tfdt', 'trun', 'trex', 'avcC', 'hvcC', 'esds', 'styp'),
      fc.oneof(bytes(48), fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 0xffffff }), fc.array(fc.oneof(fc.constant(0xffffffff), fc.nat()), { maxLength: 6 }))
        .map(([v, flags, words]) => Buffer.concat([u32((v << 24) | flags), ...words.map(u32)]))),
      fc.option(fc.integer({ min: 0, max: 0xffffffff }), { freq: 6 }))
      .map(([type, body, size]) => Buffer.concat([u32(size ?? 8 + body.length), Buffer.from(type, 'latin1'), body])),
    fc.tuple(fc.constantFrom('moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex'), fc.array(tie('box'), { maxLength: 4 }))
      .map(([type, kids]) => { const body = Buffer.concat(kids); return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]); }),
    fc.tuple(fc.constantFrom('stsd', 'avc1', 'hvc1', 'mp4a'), bytes(90), fc.array(tie('box'), { maxLength: 2 }))
      .map(([type, head, kids]) => { const body = Buffer.concat([head, ...kids]); return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]); }),
  ),
})).box;
const box = (type: string, ...parts: Buffer[]) => { const body = Buffer.concat(parts); return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]); };
const field = fc.oneof(fc.constant(0), fc.constant(0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
/** A moof as muxers write it (traf: tfhd, tfdt, trun) with every flag and count random, and an mdat after it. */
const moofShaped = fc.record({
  tfFlags: fc.integer({ min: 0, max: 0x3f }), trackId: fc.integer({ min: 0, max: 3 }), tfWords: fc.array(field, { maxLength: 5 }),
  tfdtV: fc.integer({ min: 0, max: 1 }), dts: fc.array(field, { minLength: 2, maxLength: 2 }),
  trFlags: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xfff })), samples: field, trWords: fc.array(field, { maxLength: 8 }),
}).map((m) => Buffer.concat([box('moof', box('traf',
  box('tfhd', u32(m.tfFlags), u32(m.trackId), ...m.tfWords.map(u32)),
  box('tfdt', u32(m.tfdtV << 24), ...(m.tfdtV ? m.dts : m.dts.slice(0, 1)).map(u32)),
  box('trun', u32(m.trFlags), u32(m.samples), ...m.trWords.map(u32)))), box('mdat', Buffer.alloc(4))]));
const boxStream = fc.array(fc.oneof(boxTree, moofShaped), { maxLength: 6 }).map((a) => Buffer.concat(a));

const fmp4Boxes: FuzzTarget<Buffer> = {
  name: 'fmp4-boxes',
  arbitrary: fc.oneof(boxStream, bytes(200)),
  run(buf) {
    let tracks: ReturnType<typeof readInit> | undefined;
    expectDeliberate(() => { tracks = readInit(buf); });
    for (const b of boxes(buf)) if (b.type === 'moof') expectDeliberate(() => readMoof(buf, b, tracks));
  },
};

/** Playback re-stamps fragments read back from segment files (which a crash or a bad disk may have damaged). */
const fragmentRetime: FuzzTarget<{ buf: Buffer; scale: number }> = {
  name: 'fragment-retime',
  arbitrary: fc.record({ buf: fc.oneof(boxStream, moofShaped), scale: fc.constantFrom(1, 0.5, 2, 16) }),
  run({ buf, scale }) {
    expectDeliberate(() => retimeFragment(buf, 1000, scale, { trackId: 1, timescale: 90_000, audio: { trackId: 2, timescale: 8000, codec: 'mp4a', sampleRate: 8000, channels: 1 } }));
  },
};

/** Held back at most: the reader's box bound (64 MB by default; 1 MB here) and one header. */
const FMP4_MAX_BOX = 1024 * 1024;
const fmp4Reader: FuzzTarget<Buffer[]> = {
  name: 'fmp4-reader',
  arbitrary: chunked(fc.oneof(boxStream, bytes(200))),
  run(reads) {
    const r = new Fmp4Reader(FMP4_MAX_BOX);
    for (const c of reads) {
      let failed = false;
      expectDeliberate(() => { try { r.push(c); } catch (err) { failed = true; throw err; } });
      if (failed) break; // the hub drops the upstream on the first error
      const held = (r as unknown as { available: number }).available;
      if (held > 2 * FMP4_MAX_BOX) throw new Error(`fMP4 reader holds ${held} bytes`);
    }
  },
};

// --- XML: SOAP replies and WS-Discovery ------------------------------------------------------------------------------------

const xmlText = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('&lt;', '&#x1F600;', '&#99999999;', '&amp;amp;', ']]>', '<![CDATA[x]]>'));
const element: fc.Arbitrary<string> = fc.letrec<{ el: string }>((tie) => ({
  el: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    xmlText,
    fc.tuple(
      fc.constantFrom('s:Envelope', 's:Header', 's:Body', 'a:Action', 'a:RelatesTo', 'd:ProbeMatches', 'd:ProbeMatch', 'd:Hello', 'd:Bye',
        'a:EndpointReference', 'a:Address', 'd:Types', 'd:Scopes', 'd:XAddrs', 'd:MetadataVersion', 's:Fault', 'x', 'Profiles'),
      fc.array(fc.tuple(fc.constantFrom('xmlns:s', 'a', '#text', 'xmlns', '__proto__', 'constructor'), fc.string({ maxLength: 10 })), { maxLength: 2 }),
      fc.array(tie('el'), { maxLength: 4 }), fc.boolean(),
    ).map(([tag, attrs, kids, closed]) => `<${tag}${attrs.map(([k, v]) => ` ${k}="${v.replace(/"/g, '')}"`).join('')}>${kids.join('')}${closed ? `</${tag}>` : ''}`),
  ),
})).el;
const actions = ['http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches', 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello',
  'http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye'];
const wsdLike = fc.tuple(fc.constantFrom(...actions), element, fc.string({ maxLength: 20 })).map(([a, body, rel]) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Header><a:Action>${a}</a:Action><a:RelatesTo>${rel.replace(/[<&]/g, '')}</a:RelatesTo></s:Header><s:Body>${body}</s:Body></s:Envelope>`);

const wsDiscovery: FuzzTarget<string> = {
  name: 'ws-discovery',
  arbitrary: fc.oneof(wsdLike, element, fc.string({ maxLength: 200 })),
  run(raw) {
    const m = parseWsdMessage(raw);
    if (m?.kind === 'ProbeMatches') for (const e of m.matches) readScopes(e.scopes);
    if (m?.kind === 'Hello') readScopes(m.endpoint.scopes);
  },
};

/** Stations on the LAN: a Probe a serving station reads (and answers), a ProbeMatch a desk reads (sites/station-discovery.ts). */
const stationDiscovery: FuzzTarget<string> = {
  name: 'station-discovery',
  arbitrary: fc.oneof(
    wsdLike, element,
    fc.tuple(element, fc.string({ maxLength: 60 })).map(([body, scopes]) =>
      `<s:Envelope xmlns:wp="urn:watchpost:station"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action><a:MessageID>m</a:MessageID><a:RelatesTo>r</a:RelatesTo></s:Header>` +
      `<s:Body><d:Probe><d:Types>wp:Station</d:Types></d:Probe><d:ProbeMatches><d:ProbeMatch><d:Types>wp:Station</d:Types><d:Scopes>${scopes.replace(/[<&]/g, '')}</d:Scopes>${body}</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`),
    fc.string({ maxLength: 200 }),
  ),
  run(raw) {
    readStationProbe(raw);
    readStationMatch(raw, '10.0.0.1');
  },
};

/** SOAP replies go through parseUntrustedXml and at/text, as soapCall reads them. */
const soapXml: FuzzTarget<string> = {
  name: 'soap-xml',
  arbitrary: fc.oneof(element.map((e) => `<s:Envelope><s:Body>${e}</s:Body></s:Envelope>`), fc.string({ maxLength: 200 })),
  run(raw) {
    const doc = parseUntrustedXml(raw);
    text(at(doc, 'Envelope', 'Body', 'Fault', 'Reason', 'Text'));
    text(at(doc, 'Envelope', 'Body', 'Profiles', 'Name'));
    // Profile G (edge backfill) and the device's clock read the same trees.
    const body = at(doc, 'Envelope', 'Body');
    const reply = body && typeof body === 'object' ? Object.values(body)[0] : undefined;
    parseRecordings(reply);
    parseSearchResults(reply);
    parseReplayUri(reply);
    localClockOffset(reply, 0);
  },
};

// --- Dahua: DHIP discovery and the eventManager stream -------------------------------------------------------------------

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    method: fc.constantFrom('client.notifyDevInfo', 'DHDiscover.search', 'x'),
    mac: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
    params: fc.oneof(fc.jsonValue(), fc.record({
      deviceInfo: fc.oneof(fc.jsonValue(), fc.record({
        IPv4Address: fc.oneof(fc.jsonValue(), fc.record({ IPAddress: fc.oneof(fc.ipV4(), fc.string({ maxLength: 20 })) })),
        Init: fc.jsonValue(), HttpPort: fc.jsonValue(), DeviceClass: fc.jsonValue(), VideoInputChannels: fc.jsonValue(),
        RemoteVideoInputChannels: fc.jsonValue(), MachineName: fc.jsonValue(), Mac: fc.jsonValue(),
      }, { requiredKeys: [] })),
    }, { requiredKeys: [] })),
  }, { requiredKeys: [] }),
  fc.jsonValue(),
);
const dhip: FuzzTarget<Buffer> = {
  name: 'dhip',
  arbitrary: fc.oneof(
    mangled(fc.tuple(jsonish, fc.nat(), fc.nat()).map(([b, s, r]) => encodeDhip(b, s, r))),
    fc.tuple(jsonish, bytes(32)).map(([b, h]) => Buffer.concat([h, Buffer.from(JSON.stringify(b) ?? '')])),
    bytes(80),
  ),
  run(buf) {
    const d = decodeDhip(buf);
    const dev = d && readNotifyDevInfo(d.body);
    if (dev && (!Number.isInteger(dev.httpPort) || !Number.isInteger(dev.channels) || typeof dev.mac !== 'string')) throw new Error('odd DHIP device');
  },
};

const dahuaLine = fc.oneof(
  fc.tuple(fc.constantFrom('VideoMotion', 'AlarmLocal', 'SensorTemperature', 'X', ''), fc.constantFrom('Start', 'Stop', 'Pulse', 'x'),
    fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.string({ maxLength: 6 }), fc.constantFrom('1e400', 'NaN', '0x10', ' ', '-1', '1.5')),
    fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 20 })))
    .map(([c, a, i, d]) => `Code=${c};action=${a};index=${i};data=${d}`),
  fc.string({ maxLength: 80 }),
);
const dahuaEvents: FuzzTarget<Buffer[]> = {
  name: 'dahua-eventmanager',
  arbitrary: chunked(fc.array(fc.oneof(
    fc.array(dahuaLine, { maxLength: 3 }).map((ls) => `--myboundary\r\nContent-Type: text/plain\r\n\r\n${ls.join('\r\n')}\r\n`),
    fc.constant('--myboundary\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nHeartbeat\r\n'), fc.string({ maxLength: 40 }),
  ), { maxLength: 8 }).map((ps) => Buffer.from(ps.join(''), 'utf8'))),
  run(reads) {
    const r = new DahuaPartReader('myboundary');
    for (const c of reads) {
      let lines: string[] = [];
      expectDeliberate(() => { lines = r.push(c); });
      if (r.buffered > 64 * 1024) throw new Error(`eventManager reader holds ${r.buffered} characters`);
      for (const l of lines) {
        const e = parseDahuaLine(l, 0);
        if (e && (!Number.isInteger(e.channel) || e.channel < 1)) throw new Error(`event on channel ${e.channel} from ${JSON.stringify(l)}`);
        if (e && 'value' in e && !Number.isFinite(e.value)) throw new Error('event value not finite');
      }
    }
  },
};

// --- Export manifests ----------------------------------------------------------------------------------------------------

const manifestish = fc.oneof(
  fc.jsonValue(),
  fc.record({
    station: fc.oneof(fc.jsonValue(), fc.record({ publicKey: fc.oneof(fc.base64String({ maxLength: 60 }), fc.jsonValue()), fingerprint: fc.jsonValue() }, { requiredKeys: [] })),
    signature: fc.oneof(fc.jsonValue(), fc.record({ value: fc.oneof(fc.base64String({ maxLength: 60 }), fc.jsonValue()) }, { requiredKeys: [] })),
    files: fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.jsonValue(), fc.record({
      name: fc.oneof(fc.constantFrom('a.mp4', '../x', '', 'manifest.json'), fc.jsonValue()), sha256: fc.jsonValue(), bytes: fc.jsonValue(),
      chunks: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.jsonValue()), chunkBytes: fc.oneof(fc.integer(), fc.jsonValue()),
      channelId: fc.jsonValue(), startUtc: fc.jsonValue(), endUtc: fc.jsonValue(),
    }, { requiredKeys: [] })), { maxLength: 3 })),
  }, { requiredKeys: [] }),
);
let exportDir: string | undefined;
const exportManifest: FuzzTarget<{ manifest: string; file: Buffer }> = {
  name: 'export-manifest',
  arbitrary: fc.record({ manifest: fc.oneof(manifestish.map((m) => JSON.stringify(m) ?? ''), fc.string({ maxLength: 60 })), file: bytes(40) }),
  run({ manifest, file }) {
    exportDir ??= mkdtempSync(join(tmpdir(), 'wp-fuzz-export-'));
    writeFileSync(join(exportDir, 'manifest.json'), manifest);
    writeFileSync(join(exportDir, 'a.mp4'), file);
    const r = verifyExport(exportDir);
    if (r.ok || !Array.isArray(r.findings)) throw new Error('a junk manifest verified');
  },
};
export function cleanUpTargets(): void {
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
  exportDir = undefined;
}

export const TARGETS: FuzzTarget[] = [
  rtspFramer, sdp, depacketizer('H264'), depacketizer('H265'), sps, fmp4Boxes, fragmentRetime, fmp4Reader, wsDiscovery, stationDiscovery, soapXml, dhip, dahuaEvents, exportManifest,
];

/**
 * The most one input may take (the issue's bound), in CPU time of this process: on a shared machine wall time also counts
 * the time others had the CPU. A slower one is run again once before it counts (a garbage collection may fall into it).
 */
export const MAX_INPUT_MS = 100;

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Runs a target on generated inputs: fails on a misbehaving parser or an input slower than MAX_INPUT_MS. */
export function runTarget(t: FuzzTarget, opts: { numRuns?: number; timeLimitMs?: number; seed?: number }): fc.RunDetails<[unknown]> {
  return fc.check(fc.property(t.arbitrary, (input) => {
    for (let attempt = 0; ; attempt++) {
      const t0 = cpuMs();
      t.run(input);
      const ms = cpuMs() - t0;
      if (ms <= MAX_INPUT_MS) return;
      if (attempt === 1) throw new Error(`one input took ${ms.toFixed(0)} ms of CPU`);
    }
  }), {
    numRuns: opts.numRuns ?? Number.MAX_SAFE_INTEGER, seed: opts.seed,
    ...(opts.timeLimitMs !== undefined && { interruptAfterTimeLimit: opts.timeLimitMs, markInterruptAsFailure: false }),
  });
}
