// Two-way audio's pure parts: the G.711 codec against ITU-T G.711's own values, and the ONVIF back channel found in an SDP.
import { describe, expect, it } from 'vitest';
import { aLawDecode, aLawEncode, g711Decode, g711Encode, muLawDecode, muLawEncode } from '../../electron/core/media/g711';
import { parseBackchannel } from '../../electron/core/media/rtsp-backchannel';
import { rtpPayload } from '../../scripts/camsim/talk';

/** The ONVIF Streaming Specification's example answer to a DESCRIBE with `Require: www.onvif.org/ver20/backchannel`
 *  (§5.3.2, "Connection setup for a bi-directional connection"): video, audio from the camera, and the back channel. */
const ONVIF_SPEC_SDP = [
  'v=0', 'o= 2890842807 IN IP4 192.168.0.1', 's=RTSP Session with audiobackchannel',
  'm=video 0 RTP/AVP 26', 'a=control:rtsp://192.168.0.1/video', 'a=recvonly',
  'm=audio 0 RTP/AVP 0', 'a=control:rtsp://192.168.0.1/audio', 'a=recvonly',
  'm=audio 0 RTP/AVP 0', 'a=control:rtsp://192.168.0.1/audioback', 'a=rtpmap:0 PCMU/8000', 'a=sendonly',
].join('\r\n');

describe('G.711', () => {
  it('µ-law: the standard\'s end points and zero', () => {
    expect(muLawEncode(0)).toBe(0xff);
    expect(muLawDecode(0xff)).toBe(0);
    expect(muLawDecode(0x7f)).toBe(0);
    expect(muLawDecode(0x00)).toBe(-32124);
    expect(muLawDecode(0x80)).toBe(32124);
    expect(muLawEncode(32767)).toBe(0x80);
    expect(muLawEncode(-32768)).toBe(0x00);
  });

  it('A-law: the standard\'s end points and the smallest steps', () => {
    expect(aLawEncode(0)).toBe(0xd5);
    expect(aLawDecode(0xd5)).toBe(8);
    expect(aLawDecode(0x55)).toBe(-8);
    expect(aLawDecode(0xaa)).toBe(32256);
    expect(aLawDecode(0x2a)).toBe(-32256);
    expect(aLawEncode(32767)).toBe(0xaa);
    expect(aLawEncode(-32768)).toBe(0x2a);
  });

  it('every sample comes back within the law\'s step (at most 1/16 of its size for µ-law, 1/8 for A-law)', () => {
    for (let s = -32768; s < 32768; s += 17) {
      expect(Math.abs(muLawDecode(muLawEncode(s)) - s)).toBeLessThanOrEqual(Math.max(8, Math.abs(s) / 16 + 4));
      expect(Math.abs(aLawDecode(aLawEncode(s)) - s)).toBeLessThanOrEqual(Math.max(16, Math.abs(s) / 16 + 8));
    }
  });

  it('decodes every byte to what encoding it gives back (each code is its own centre)', () => {
    for (let b = 0; b < 256; b++) {
      if (b !== 0x7f) expect(muLawEncode(muLawDecode(b))).toBe(b); // 0x7f is µ-law's second zero (−0)
      expect(aLawEncode(aLawDecode(b))).toBe(b);
    }
  });

  it('a 440 Hz tone keeps its level through either law', () => {
    const pcm = Int16Array.from({ length: 8000 }, (_, i) => Math.round(10_000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    const rms = (a: Int16Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    for (const law of ['mu', 'a'] as const) expect(rms(g711Decode(g711Encode(pcm, law), law)) / rms(pcm)).toBeCloseTo(1, 2);
  });
});

describe('the ONVIF audio back channel in an SDP', () => {
  it('finds the spec example\'s sendonly track, not the camera\'s own audio', () => {
    expect(parseBackchannel(ONVIF_SPEC_SDP)).toEqual({ control: 'rtsp://192.168.0.1/audioback', payloadType: 0, law: 'mu' });
  });

  it('prefers PCMU, takes PCMA (also by its static type alone), and passes over codecs it cannot send', () => {
    const sdp = (m: string, ...attrs: string[]) => ['v=0', 's=x', m, 'a=control:trackID=4', ...attrs, 'a=sendonly'].join('\n');
    expect(parseBackchannel(sdp('m=audio 0 RTP/AVP 97 8 0', 'a=rtpmap:97 G726-32/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000'))).toMatchObject({ payloadType: 0, law: 'mu' });
    expect(parseBackchannel(sdp('m=audio 0 RTP/AVP 8'))).toMatchObject({ payloadType: 8, law: 'a', control: 'trackID=4' });
    expect(parseBackchannel(sdp('m=audio 0 RTP/AVP 96', 'a=rtpmap:96 PCMU/16000'))).toBeUndefined();
    expect(parseBackchannel(sdp('m=audio 0 RTP/AVP 97', 'a=rtpmap:97 MPEG4-GENERIC/16000'))).toBeUndefined();
  });

  it('has none without a sendonly audio section (a camera that ignored the Require header)', () => {
    expect(parseBackchannel(ONVIF_SPEC_SDP.replace('a=sendonly', 'a=recvonly'))).toBeUndefined();
    expect(parseBackchannel('v=0\r\nm=video 0 RTP/AVP 96\r\na=sendonly\r\n')).toBeUndefined();
    expect(parseBackchannel('')).toBeUndefined();
  });
});

describe('camsim reads the back channel\'s RTP', () => {
  it('takes the payload past CSRCs, an extension and padding; refuses what is not RTP', () => {
    const payload = Buffer.from([1, 2, 3, 4]);
    const packet = Buffer.concat([Buffer.from([0xb1, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), Buffer.alloc(4), Buffer.from([0xbe, 0xde, 0, 1]), Buffer.alloc(4), payload, Buffer.from([0, 0, 3])]);
    expect(rtpPayload(packet)).toEqual({ payloadType: 0, payload });
    expect(rtpPayload(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(rtpPayload(Buffer.from([0x80, 0]))).toBeUndefined();
  });
});
