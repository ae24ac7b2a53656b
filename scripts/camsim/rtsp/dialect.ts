// RTSP as each vendor's server speaks it (tests/fixtures/devices/*/describe-*.sdp, digest-rtsp.rtsp and their SOURCES.md;
// the GStreamer forms as gst-rtsp-server 1.22 answers here): the SDP's session and media attributes, a=control absolute
// or relative, sprop-* in the SDP or only in-band, the 401 challenge, the Server, Date and Session headers.
import { randomBytes, randomInt } from 'node:crypto';
import type { Codec, RtspDialectName, StreamParameterSets } from '../types';
import { RTP_PAYLOAD_TYPE } from './rtp-packetizer';

/** The video's control in camsim's own SDP (relative to Content-Base). */
export const TRACK_CONTROL = 'trackID=0';

/** The audio back channel's control (ONVIF Streaming Specification §5.3: the track the client sends on). */
export const BACKCHANNEL_CONTROL = 'trackID=4';

/** The SDP media section camsim adds for a client that asked for the back channel: G.711 µ-law at 8 kHz, `a=sendonly`
 *  (ONVIF Streaming Specification §5.3.2: sendonly marks each media section the client sends to the server). */
export const BACKCHANNEL_SDP = ['m=audio 0 RTP/AVP 0', `a=control:${BACKCHANNEL_CONTROL}`, 'a=rtpmap:0 PCMU/8000', 'a=sendonly'];

export const RTSP_DIALECTS: readonly RtspDialectName[] = ['generic', 'hikvision', 'dahua', 'axis', 'live555'];

export interface DescribeInput {
  codec: Codec;
  sets: StreamParameterSets;
  fps: number;
  width: number;
  height: number;
  /** The address the client reached (o= and c= lines). */
  host: string;
  /** The DESCRIBE request's URI, credentials removed. */
  uri: string;
  title: string;
}

export interface RtspDialect {
  name: RtspDialectName;
  /** The Server header; none when undefined (Hikvision and live555 send none). */
  server?: string;
  date(d: Date): string;
  sessionId(): string;
  /** The Session header of a SETUP answer. */
  sessionHeader(id: string, timeoutS: number): string;
  /** The realm of the RTSP challenge, and which schemes are offered, in the order the headers come. */
  realm: string;
  schemes: ('digest' | 'basic')[];
  /** The digest challenge's value for a fresh nonce. */
  digestChallenge(realm: string, nonce: string, stale: boolean): string;
  /** The DESCRIBE answer's Content-Base. */
  contentBase(uri: string): string;
  /** The SDP, and the media-level control it gives the video (what a client SETUPs). */
  describe(input: DescribeInput): string;
}

const b64 = (b: Buffer): string => b.toString('base64');
/** profile-level-id: profile_idc, constraint flags, level_idc = SPS bytes 1..3 (RFC 6184 §8.1). */
const pli = (sets: StreamParameterSets): string => sets.sps.subarray(1, 4).toString('hex');
const PT = RTP_PAYLOAD_TYPE;
const rtpmap = (codec: Codec) => `a=rtpmap:${PT} ${codec === 'h264' ? 'H264' : 'H265'}/90000`;
/** H.265's sprop-vps/sps/pps (RFC 7798 §7.1), joined by `sep`. */
const hevcSets = (s: StreamParameterSets, sep: string) => [...(s.vps ? [`sprop-vps=${b64(s.vps)}`] : []), `sprop-sps=${b64(s.sps)}`, `sprop-pps=${b64(s.pps)}`].join(sep);
/** `rtsp://h/p?q` with `/seg` put at the path's end, before the query (Hikvision's and Axis's track URLs). */
const beforeQuery = (uri: string, seg: string) => { const q = uri.indexOf('?'); return q < 0 ? `${uri.replace(/\/$/, '')}${seg}` : `${uri.slice(0, q).replace(/\/$/, '')}${seg}${uri.slice(q)}`; };
const sdp = (lines: string[]) => lines.join('\r\n') + '\r\n';
/** n decimal digits, no leading zero (SDP o= session ids run to 19 digits, past randomInt's range). */
const digits = (n: number): string => String(randomInt(1, 10)) + Array.from({ length: n - 1 }, () => randomInt(0, 10)).join('');
const rfc1123 = (d: Date) => d.toUTCString();
const plainDigest = (realm: string, nonce: string) => `Digest realm="${realm}", nonce="${nonce}"`;

export function genericDialect(realm: string): RtspDialect {
  return {
    name: 'generic', server: 'camsim/1.0 (Watchpost)', date: rfc1123, sessionId: () => digits(8),
    sessionHeader: (id, t) => `${id};timeout=${t}`,
    realm, schemes: ['digest'],
    digestChallenge: (r, nonce, stale) => `Digest realm="${r}", nonce="${nonce}", algorithm="MD5"${stale ? ', stale="TRUE"' : ''}`,
    contentBase: (uri) => (uri.endsWith('/') ? uri : `${uri}/`),
    describe: (i) => sdp([
      'v=0', `o=- ${digits(9)} 1 IN IP4 ${i.host}`, `s=${i.title}`, 'c=IN IP4 0.0.0.0', 't=0 0', 'a=tool:watchpost-camsim', 'a=range:npt=now-', 'a=control:*',
      `m=video 0 RTP/AVP ${PT}`, rtpmap(i.codec),
      `a=fmtp:${PT} ${i.codec === 'h264' ? `packetization-mode=1;profile-level-id=${pli(i.sets).toUpperCase()};sprop-parameter-sets=${b64(i.sets.sps)},${b64(i.sets.pps)}` : hevcSets(i.sets, ';')}`,
      `a=framerate:${i.fps}`, `a=control:${TRACK_CONTROL}`, 'a=recvonly',
    ]),
  };
}

/** Hikvision: absolute controls with the query after the track (`…/101/trackID=1?transportmode=unicast`), x-dimensions,
 *  "; "-separated fmtp, Media_header; RFC 2069 digest with stale="FALSE", no Server header, its own Date form. */
function hikvision(serial: string): RtspDialect {
  return {
    // "Date:  Tue, Mar 05 2024 10:15:31 GMT": two spaces, month before day.
    name: 'hikvision', date: (d) => ` ${d.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+)/, '$1, $3 $2 $4')}`,
    sessionId: () => digits(10), sessionHeader: (id, t) => `${id};timeout=${t}`,
    realm: `IP Camera(${serial.slice(-5)})`, schemes: ['digest'],
    digestChallenge: (r, nonce, stale) => `${plainDigest(r, nonce)}, stale="${stale ? 'TRUE' : 'FALSE'}"`,
    contentBase: (uri) => beforeQuery(uri, '/'),
    describe: (i) => sdp([
      'v=0', `o=- ${digits(16)} ${digits(16)} IN IP4 ${i.host}`, 's=Media Presentation', 'e=NONE', 'b=AS:5050', 't=0 0',
      `a=control:${beforeQuery(i.uri, '/')}`,
      `m=video 0 RTP/AVP ${PT}`, 'c=IN IP4 0.0.0.0', 'b=AS:5000', 'a=recvonly', `a=x-dimensions:${i.width},${i.height}`,
      `a=control:${beforeQuery(i.uri, '/trackID=1')}`, rtpmap(i.codec),
      `a=fmtp:${PT} ${i.codec === 'h264' ? `profile-level-id=${pli(i.sets)}; packetization-mode=1; sprop-parameter-sets=${b64(i.sets.sps)},${b64(i.sets.pps)}` : hevcSets(i.sets, '; ')}`,
      'a=Media_header:MEDIAINFO=494D4B48010200000400000100000000000000000000000000000000000000000000000000000000;', 'a=appversion:1.0',
    ]),
  };
}

/** Dahua: session-level c= and control *, the DH packetization attributes, relative trackID=0, Content-Base with the
 *  query and a slash (`…subtype=0/`), "Rtsp Server/3.0", a digest with the "Login to <serial>" realm and no qop. */
function dahua(serial: string): RtspDialect {
  return {
    name: 'dahua', server: 'Rtsp Server/3.0', date: rfc1123, sessionId: () => digits(10), sessionHeader: (id, t) => `${id};timeout=${t}`,
    realm: `Login to ${serial}`, schemes: ['digest'],
    digestChallenge: (r, nonce, stale) => `${plainDigest(r, nonce)}${stale ? ', stale="TRUE"' : ''}`,
    contentBase: (uri) => `${uri}/`,
    describe: (i) => { const o = digits(10); return sdp([
      'v=0', `o=- ${o} ${o} IN IP4 0.0.0.0`, 's=Media Server', 'c=IN IP4 0.0.0.0', 't=0 0', 'a=control:*',
      'a=packetization-supported:DH', 'a=rtppayload-supported:DH', 'a=range:npt=now-',
      `m=video 0 RTP/AVP ${PT}`, 'a=control:trackID=0', `a=framerate:${i.fps.toFixed(6)}`, rtpmap(i.codec),
      `a=fmtp:${PT} ${i.codec === 'h264' ? `packetization-mode=1;profile-level-id=${pli(i.sets).toUpperCase()};sprop-parameter-sets=${b64(i.sets.sps)},${b64(i.sets.pps)}` : `profile-id=1;${hevcSets(i.sets, ';')}`}`,
      'a=recvonly',
      // The ONVIF URI (…&proto=Onvif) adds the ONVIF metadata track (dahua/describe-onvif-metadata.sdp); camsim sends nothing on it.
      ...(/proto=Onvif/i.test(i.uri) ? ['m=application 0 RTP/AVP 107', 'a=control:trackID=4', 'a=rtpmap:107 vnd.onvif.metadata/90000', 'a=recvonly'] : []),
    ]); },
  };
}

/** Axis (AXIS OS on GStreamer's RTSP server): GStreamer's session lines, absolute controls `…/media.amp/stream=0?…`,
 *  Session ids like `+4kptBy_OWyVPcVb` with no timeout at GStreamer's default 60 s, Basic offered beside Digest. */
function axis(mac: string): RtspDialect {
  return {
    name: 'axis', server: 'GStreamer RTSP server', date: rfc1123,
    sessionId: () => randomBytes(12).toString('base64').replace(/\//g, '_'),
    sessionHeader: (id, t) => (t === 60 ? id : `${id};timeout=${t}`),
    realm: `AXIS_${mac.replace(/:/g, '').toUpperCase()}`, schemes: ['digest', 'basic'],
    digestChallenge: (r, nonce) => plainDigest(r, nonce),
    contentBase: (uri) => `${uri}/`,
    describe: (i) => sdp([
      'v=0', `o=- ${digits(19)} 1 IN IP4 ${i.host}`, 's=Session streamed with GStreamer', 'i=rtsp-server', 't=0 0', 'a=tool:GStreamer', 'a=type:broadcast',
      'a=range:npt=now-', `a=control:${i.uri}`,
      `m=video 0 RTP/AVP ${PT}`, 'c=IN IP4 0.0.0.0', 'b=AS:50000', rtpmap(i.codec),
      `a=fmtp:${PT} ${i.codec === 'h264' ? `packetization-mode=1;profile-level-id=${pli(i.sets)};sprop-parameter-sets=${b64(i.sets.sps)},${b64(i.sets.pps)}` : hevcSets(i.sets, ';')}`,
      'a=ts-refclk:local', 'a=mediaclk:sender', 'a=recvonly', `a=control:${beforeQuery(i.uri, '/stream=0')}`, `a=framerate:${i.fps.toFixed(6)}`,
      'a=transform:1.000000,0.000000,0.000000;0.000000,1.000000,0.000000;0.000000,0.000000,1.000000',
    ]),
  };
}

/** live555 (Reolink, Uniview): no sprop-* at all (the parameter sets come in-band, before each keyframe), relative
 *  `track1`, `timeout=65`, Digest and Basic in two headers, no Server header. */
function live555(): RtspDialect {
  return {
    name: 'live555', date: rfc1123, sessionId: () => randomBytes(4).toString('hex').toUpperCase(), sessionHeader: (id, t) => `${id};timeout=${t + 5}`,
    realm: 'LIVE555 Streaming Media', schemes: ['digest', 'basic'],
    digestChallenge: (r, nonce) => plainDigest(r, nonce),
    contentBase: (uri) => `${uri.replace(/\/$/, '')}/`,
    describe: (i) => sdp([
      'v=0', `o=- ${digits(16)} 1 IN IP4 ${i.host}`, 's=Session streamed by "preview"', `i=${i.title}`, 't=0 0', 'a=tool:LIVE555 Streaming Media v2013.04.08',
      'a=type:broadcast', 'a=control:*', 'a=range:npt=0-',
      `m=video 0 RTP/AVP ${PT}`, 'c=IN IP4 0.0.0.0', 'b=AS:8192', rtpmap(i.codec), ...(i.codec === 'h264' ? [`a=fmtp:${PT} profile-level-id=${pli(i.sets).toUpperCase()};packetization-mode=1`] : []),
      'a=control:track1',
    ]),
  };
}

export function rtspDialect(name: RtspDialectName, device: { serial: string; mac: string }): RtspDialect {
  switch (name) {
    case 'hikvision': return hikvision(device.serial);
    case 'dahua': return dahua(device.serial);
    case 'axis': return axis(device.mac);
    case 'live555': return live555();
    default: return genericDialect(`Login to ${device.serial}`);
  }
}
