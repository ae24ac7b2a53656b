import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitAccessUnits, splitAnnexB, toAnnexB } from '../../scripts/camsim/video/annexb';
import { DigestAuth, parseAuthParams } from '../../scripts/camsim/digest-auth';
import { RtpPacketizer, corrupted, onChannel, senderReport } from '../../scripts/camsim/rtsp/rtp-packetizer';
import { streamPathOf } from '../../scripts/camsim/rtsp/rtsp-connection';
import { parseDahuaRealmonitor } from '../../scripts/camsim/rtsp/rtsp-server';
import { genericDialect } from '../../scripts/camsim/rtsp/dialect';

const nal = (header: number[], size: number): Buffer => {
  const b = Buffer.alloc(size);
  header.forEach((v, i) => (b[i] = v));
  for (let i = header.length; i < size; i++) b[i] = (i * 7 + 1) & 0xff || 1;
  return b;
};

/** Reassembles NAL units from interleaved RTP packets (the receiving side of RFC 6184 / 7798). */
function depacketize(codec: 'h264' | 'h265', buf: Buffer): { nals: Buffer[]; markers: number; seqs: number[] } {
  const nals: Buffer[] = [];
  let fu: Buffer[] = [];
  let markers = 0;
  const seqs: number[] = [];
  for (let off = 0; off < buf.length; ) {
    expect(buf[off]).toBe(0x24);
    const len = buf.readUInt16BE(off + 2);
    const rtp = buf.subarray(off + 4, off + 4 + len);
    off += 4 + len;
    expect(rtp[0]).toBe(0x80);
    if (rtp[1]! & 0x80) markers++;
    seqs.push(rtp.readUInt16BE(2));
    const payload = rtp.subarray(12);
    const type = codec === 'h264' ? payload[0]! & 0x1f : (payload[0]! >> 1) & 0x3f;
    if (codec === 'h264' && type === 28) {
      const fuHeader = payload[1]!;
      if (fuHeader & 0x80) fu = [Buffer.from([(payload[0]! & 0xe0) | (fuHeader & 0x1f)])];
      fu.push(payload.subarray(2));
      if (fuHeader & 0x40) nals.push(Buffer.concat(fu));
    } else if (codec === 'h265' && type === 49) {
      const fuHeader = payload[2]!;
      if (fuHeader & 0x80) fu = [Buffer.from([(payload[0]! & 0x81) | ((fuHeader & 0x3f) << 1), payload[1]!])];
      fu.push(payload.subarray(3));
      if (fuHeader & 0x40) nals.push(Buffer.concat(fu));
    } else {
      nals.push(Buffer.from(payload));
    }
  }
  return { nals, markers, seqs };
}

describe('Annex-B', () => {
  it('splits NAL units and groups access units on first-slice boundaries', () => {
    const sps = nal([0x67, 0x4d, 0x40, 0x1f], 10);
    const pps = nal([0x68, 0xee], 4);
    const idrA = nal([0x65, 0x88], 50);
    const idrB = nal([0x65, 0x08], 50); // second slice of the same picture: first_mb_in_slice != 0
    const p1 = nal([0x41, 0x9a], 30);
    const p2 = nal([0x41, 0x9b], 30);
    const stream = Buffer.concat([Buffer.from([0, 0, 0, 1]), sps, Buffer.from([0, 0, 1]), pps, toAnnexB([idrA, idrB, p1, p2])]);
    expect(splitAnnexB(stream).map((n) => n.length)).toEqual([10, 4, 50, 50, 30, 30]);
    const units = splitAccessUnits('h264', stream);
    expect(units.map((u) => [u.nals.length, u.keyframe])).toEqual([[4, true], [1, false], [1, false]]);
  });
});

describe('RTP packetisation', () => {
  for (const codec of ['h264', 'h265'] as const) {
    it(`${codec}: small NAL units go whole, large ones in fragments that reassemble exactly`, () => {
      const nals =
        codec === 'h264'
          ? [nal([0x67, 0x4d, 0x40, 0x1f], 12), nal([0x68, 0xee], 4), nal([0x65, 0x88], 5000)]
          : [nal([0x40, 0x01], 20), nal([0x42, 0x01], 30), nal([0x44, 0x01], 6), nal([0x26, 0x01, 0x80], 5000)];
      const p = new RtpPacketizer(codec, 0x11223344, 65534);
      const frame = p.frame({ nals, keyframe: true, rtpTime: 123456, wallMs: 0 });
      const out = depacketize(codec, frame.buf);
      expect(out.nals).toEqual(nals);
      expect(out.markers).toBe(1);
      expect(out.seqs[0]).toBe(65534);
      expect(out.seqs[2]).toBe(0); // wraps at 16 bits
      expect(frame.buf.readUInt32BE(4 + 4)).toBe(123456);
      expect(frame.buf.readUInt32BE(4 + 8)).toBe(0x11223344);
      for (const off of frame.offsets) expect(frame.buf.readUInt16BE(off + 2)).toBeLessThanOrEqual(1412);
      // Next frame continues the sequence; the cached layout is not mutated by stamping.
      const again = p.frame({ nals, keyframe: true, rtpTime: 127056, wallMs: 40 });
      expect(depacketize(codec, again.buf).seqs[0]).toBe((65534 + out.seqs.length) & 0xffff);
      expect(depacketize(codec, again.buf).nals).toEqual(nals);
      expect(onChannel(frame, 4)[1]).toBe(4);
      expect(corrupted(frame, 0).equals(frame.buf)).toBe(false);
    });
  }

  it('builds an RFC 3550 sender report', () => {
    const sr = senderReport(1, 7, 1_700_000_000_500, 90_000, 10, 1000);
    expect([sr[0], sr[1], sr.readUInt16BE(2), sr[5]]).toEqual([0x24, 1, 28, 200]);
    expect(sr.readUInt32BE(12)).toBe(1_700_000_000 + 2_208_988_800);
    expect(sr.readUInt32BE(16)).toBe(2 ** 31);
  });
});

describe('RTSP helpers', () => {
  it('maps request URIs to stream paths', () => {
    expect(streamPathOf('rtsp://127.0.0.1:554/cam/realmonitor?channel=2&subtype=1')).toBe('/cam/realmonitor?channel=2&subtype=1');
    expect(streamPathOf('rtsp://127.0.0.1:554/cam/realmonitor?channel=2&subtype=1/trackID=0')).toBe('/cam/realmonitor?channel=2&subtype=1');
    expect(streamPathOf('rtsp://h/onvif/media/profile_1/')).toBe('/onvif/media/profile_1');
    expect(parseDahuaRealmonitor('/cam/realmonitor?channel=3&subtype=1&unicast=true&proto=Onvif')).toEqual({ channel: 3, subtype: 1 });
    expect(parseDahuaRealmonitor('/onvif/x')).toBeUndefined();
  });

  it('writes parameter sets into the SDP', () => {
    const sps = Buffer.from([0x67, 0x4d, 0x40, 0x1f, 1]);
    const pps = Buffer.from([0x68, 0xee]);
    const { describe: describeSdp } = genericDialect('r');
    const sdp = describeSdp({ codec: 'h264', sets: { sps, pps }, fps: 25, width: 640, height: 360, host: '127.0.0.1', uri: 'rtsp://h/x', title: 't' });
    expect(sdp).toContain(`a=fmtp:96 packetization-mode=1;profile-level-id=4D401F;sprop-parameter-sets=${sps.toString('base64')},${pps.toString('base64')}`);
    expect(sdp).toContain('a=control:trackID=0');
    const hevc = describeSdp({ codec: 'h265', sets: { vps: Buffer.from([0x40, 1]), sps, pps }, fps: 25, width: 640, height: 360, host: 'h', uri: 'rtsp://h/x', title: 't' });
    expect(hevc).toMatch(/a=rtpmap:96 H265\/90000\r\na=fmtp:96 sprop-vps=QAE=;sprop-sps=\S+;sprop-pps=\S+/);
  });

  it('verifies digest answers with and without qop, and refuses forged nonces', () => {
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    let now = 1_000_000;
    const auth = new DigestAuth('Login to cam', { now: () => now });
    const nonce = parseAuthParams(auth.challenge().slice(7)).get('nonce')!;
    const ha1 = md5('admin:Login to cam:pw');
    const ha2 = md5('DESCRIBE:rtsp://h/x');
    const plain = `Digest username="admin", realm="Login to cam", nonce="${nonce}", uri="rtsp://h/x", response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
    const pw = (u: string): string | undefined => (u === 'admin' ? 'pw' : undefined);
    expect(auth.verify('DESCRIBE', plain, pw)).toEqual({ kind: 'ok', username: 'admin' });
    const qop = `Digest username="admin", nonce="${nonce}", uri="rtsp://h/x", qop=auth, nc=00000001, cnonce="c", response="${md5(`${ha1}:${nonce}:00000001:c:auth:${ha2}`)}"`;
    expect(auth.verify('DESCRIBE', qop, pw).kind).toBe('ok');
    expect(auth.verify('DESCRIBE', plain, () => 'other').kind).toBe('bad');
    expect(auth.verify('DESCRIBE', undefined, pw).kind).toBe('missing');
    const forged = 'f'.repeat(32);
    const forgedHeader = `Digest username="admin", nonce="${forged}", uri="rtsp://h/x", response="${md5(`${ha1}:${forged}:${ha2}`)}"`;
    expect(auth.verify('DESCRIBE', forgedHeader, pw).kind).toBe('bad');
    now += 11 * 60_000;
    expect(auth.verify('DESCRIBE', plain, pw).kind).toBe('stale');
  });
});
