// H.264 and H.265 access units into fragmented MP4 (ISO/IEC 14496-12 and -15): the init segment from the parameter sets, then
// one moof+mdat per access unit, the same shape ffmpeg's `-movflags frag_keyframe+empty_moov+default_base_moof+frag_every_frame` writes.

/** The bits of a NAL unit's payload, emulation prevention bytes (00 00 03) removed, read as Exp-Golomb (ITU-T H.264 7.2, H.265 7.2). */
class BitReader {
  private bit = 0;
  private readonly b: Buffer;
  constructor(nal: Buffer) {
    const out: number[] = [];
    for (let i = 0; i < nal.length; i++) {
      if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
      out.push(nal[i]!);
    }
    this.b = Buffer.from(out);
  }
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++, this.bit++) {
      if (this.bit >= this.b.length * 8) throw new Error('the SPS ends early');
      v = v * 2 + ((this.b[this.bit >> 3]! >> (7 - (this.bit & 7))) & 1);
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new Error('the SPS has a malformed Exp-Golomb code');
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

/** Picture size from a sequence parameter set NAL unit (7.3.2.1.1), cropping applied. */
export function spsSize(sps: Buffer): { width: number; height: number } {
  const r = new BitReader(sps.subarray(1));
  const profile = r.u(8);
  r.u(16); // constraint flags, level
  r.ue(); // seq_parameter_set_id
  let chroma = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    chroma = r.ue();
    if (chroma === 3) r.u(1);
    r.ue(); r.ue(); r.u(1); // bit depths, qpprime_y_zero_transform_bypass
    if (r.u(1)) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (!r.u(1)) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.u(1); r.se(); r.se();
    for (let n = r.ue(), i = 0; i < n; i++) r.se();
  }
  r.ue(); r.u(1); // max_num_ref_frames, gaps_in_frame_num_value_allowed_flag
  const wMbs = r.ue() + 1;
  const hMaps = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.u(1);
  r.u(1); // direct_8x8_inference_flag
  let [cl, cr, ct, cb] = [0, 0, 0, 0];
  if (r.u(1)) [cl, cr, ct, cb] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const cropX = chroma === 0 || chroma === 3 ? 1 : 2;
  const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  const width = wMbs * 16 - (cl + cr) * cropX;
  const height = (2 - frameMbsOnly) * hMaps * 16 - (ct + cb) * cropY;
  return checkedSize(width, height);
}

function checkedSize(width: number, height: number): { width: number; height: number } {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384) throw new Error(`the SPS gives an impossible picture size ${width}x${height}`);
  return { width, height };
}

/** What an hvcC needs from an H.265 sequence parameter set NAL unit (ITU-T H.265 7.3.2.2), and the cropped picture size. */
export function hevcSps(sps: Buffer): { width: number; height: number; ptl: Buffer; chroma: number; depthLuma: number; depthChroma: number; subLayers: number; nesting: number } {
  const r = new BitReader(sps.subarray(2));
  r.u(4); // sps_video_parameter_set_id
  const maxSub = r.u(3);
  const nesting = r.u(1);
  // profile_tier_level(1, maxSub): the general part is 12 bytes, copied into the hvcC as they stand.
  const ptl = Buffer.alloc(12);
  for (let i = 0; i < 12; i++) ptl[i] = r.u(8);
  const subFlags: [number, number][] = [];
  for (let i = 0; i < maxSub; i++) subFlags.push([r.u(1), r.u(1)]);
  if (maxSub > 0) for (let i = maxSub; i < 8; i++) r.u(2);
  for (const [profile, level] of subFlags) {
    if (profile) { r.u(32); r.u(32); r.u(24); } // 88 bits
    if (level) r.u(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chroma = r.ue();
  if (chroma === 3) r.u(1);
  let width = r.ue();
  let height = r.ue();
  if (r.u(1)) {
    const [l, rr, t, b] = [r.ue(), r.ue(), r.ue(), r.ue()];
    width -= (chroma === 1 || chroma === 2 ? 2 : 1) * (l + rr);
    height -= (chroma === 1 ? 2 : 1) * (t + b);
  }
  const depthLuma = r.ue();
  const depthChroma = r.ue();
  return { ...checkedSize(width, height), ptl, chroma, depthLuma, depthChroma, subLayers: maxSub + 1, nesting };
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const size = 8 + parts.reduce((s, p) => s + p.length, 0);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(size);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, ...parts], size);
}
const full = (type: string, version: number, flags: number, ...parts: Buffer[]) => box(type, u32((version << 24) | flags), ...parts);
function u32(...v: number[]): Buffer {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32BE(x >>> 0, i * 4));
  return b;
}
function u16(...v: number[]): Buffer {
  const b = Buffer.alloc(2 * v.length);
  v.forEach((x, i) => b.writeUInt16BE(x & 0xffff, i * 2));
  return b;
}
const MATRIX = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);

/** The 90 kHz RTP clock is the track's timescale: decode times are the camera's own, unscaled. */
export const VIDEO_TIMESCALE = 90_000;

/** VisualSampleEntry (ISO/IEC 14496-12 12.1.3) of the given type around its decoder configuration box. */
const sampleEntry = (type: string, width: number, height: number, config: Buffer) => box(type,
  Buffer.alloc(6), u16(1), Buffer.alloc(16), u16(width, height), u32(0x480000, 0x480000, 0), u16(1), Buffer.alloc(32), u16(0x18, 0xffff), config);

/** Init segment (ftyp + moov) of one H.264 track, track_ID 1, from its SPS and PPS NAL units. */
export function h264Init(sps: Buffer, pps: Buffer): Buffer {
  const { width, height } = spsSize(sps);
  const avcC = box('avcC', Buffer.from([1, sps[1]!, sps[2]!, sps[3]!, 0xff, 0xe1]), u16(sps.length), sps, Buffer.from([1]), u16(pps.length), pps);
  return videoInit(sampleEntry('avc1', width, height, avcC), width, height);
}

/**
 * Init segment of one H.265 track from its VPS, SPS and PPS. 'hev1' (as ffmpeg writes it): the parameter sets may come again
 * in the samples, so the arrays are not marked complete.
 */
export function h265Init(vps: Buffer, sps: Buffer, pps: Buffer): Buffer {
  const s = hevcSps(sps);
  const array = (nal: Buffer) => Buffer.concat([Buffer.from([(nal[0]! >> 1) & 0x3f]), u16(1, nal.length), nal]);
  const hvcC = box('hvcC', Buffer.from([1]), s.ptl, u16(0xf000),
    Buffer.from([0xfc, 0xfc | s.chroma, 0xf8 | s.depthLuma, 0xf8 | s.depthChroma]), u16(0),
    Buffer.from([(s.subLayers << 3) | (s.nesting << 2) | 3, 3]), array(vps), array(sps), array(pps));
  return videoInit(sampleEntry('hev1', s.width, s.height, hvcC), s.width, s.height);
}

function videoInit(entry: Buffer, width: number, height: number): Buffer {
  const stbl = box('stbl',
    full('stsd', 0, 0, u32(1), entry), full('stts', 0, 0, u32(0)), full('stsc', 0, 0, u32(0)), full('stsz', 0, 0, u32(0, 0)), full('stco', 0, 0, u32(0)));
  const minf = box('minf', full('vmhd', 0, 1, Buffer.alloc(8)), box('dinf', full('dref', 0, 0, u32(1), full('url ', 0, 1))), stbl);
  const mdia = box('mdia',
    full('mdhd', 0, 0, u32(0, 0, VIDEO_TIMESCALE, 0), u16(0x55c4, 0)), // language 'und'
    full('hdlr', 0, 0, u32(0), Buffer.from('vide'), Buffer.alloc(12), Buffer.from('VideoHandler\0')),
    minf);
  const tkhd = full('tkhd', 0, 3, u32(0, 0, 1, 0, 0, 0, 0), u16(0, 0, 0, 0), MATRIX, u32(width * 0x10000, height * 0x10000));
  const mvhd = full('mvhd', 0, 0, u32(0, 0, 1000, 0, 0x10000), u16(0x100), Buffer.alloc(10), MATRIX, Buffer.alloc(24), u32(2));
  const mvex = box('mvex', full('trex', 0, 0, u32(1, 1, 0, 0, 0)));
  return Buffer.concat([box('ftyp', Buffer.from('iso5'), u32(512), Buffer.from('iso5iso6avc1mp41')), box('moov', mvhd, box('trak', tkhd, mdia), mvex)]);
}

/** moof (mfhd, traf: tfhd, tfdt v1, trun of one sample) + mdat header, before the sample's bytes. */
export const FRAGMENT_HEADER_BYTES = 108;

/**
 * Writes the moof and mdat header of a one-sample fragment into buf[0, 108), the sample (length-prefixed NAL units)
 * lying at buf[108, 108 + sampleBytes).
 */
export function writeFragmentHeader(buf: Buffer, seq: number, decodeTime: number, duration: number, sampleBytes: number, keyframe: boolean): void {
  let at = 0;
  const head = (size: number, type: string) => { buf.writeUInt32BE(size, at); buf.write(type, at + 4, 'latin1'); at += 8; };
  const w = (v: number) => { buf.writeUInt32BE(v >>> 0, at); at += 4; };
  head(100, 'moof');
  head(16, 'mfhd'); w(0); w(seq);
  head(76, 'traf');
  head(16, 'tfhd'); w(0x020000); w(1); // default-base-is-moof, track 1
  head(20, 'tfdt'); w(0x01000000); w(Math.floor(decodeTime / 2 ** 32)); w(decodeTime % 2 ** 32);
  head(32, 'trun'); w(0x000701); w(1); w(FRAGMENT_HEADER_BYTES); // data offset, duration, size, flags per sample
  w(duration); w(sampleBytes);
  // sample_depends_on 2 (an I-frame) for a keyframe; otherwise depends on others and is not a sync sample.
  w(keyframe ? 0x02000000 : 0x01010000);
  head(8 + sampleBytes, 'mdat');
}
