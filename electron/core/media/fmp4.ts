// Fragmented MP4 (ISO/IEC 14496-12) read incrementally from ffmpeg's pipe: init segment, then moof+mdat fragments.

export interface Box { type: string; start: number; size: number; headerSize: number }

/** Iterates the boxes laid one after another in buf[from, to). */
export function* boxes(buf: Buffer, from = 0, to = buf.length): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let headerSize = 8;
    if (size === 1) {
      if (at + 16 > to) return;
      size = Number(buf.readBigUInt64BE(at + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < headerSize || at + size > to) return;
    yield { type, start: at, size, headerSize };
    at += size;
  }
}

export function child(buf: Buffer, parent: Box, type: string, skip = 0): Box | undefined {
  for (const b of boxes(buf, parent.start + parent.headerSize + skip, parent.start + parent.size)) if (b.type === type) return b;
  return undefined;
}

function path(buf: Buffer, root: Box | undefined, types: string[]): Box | undefined {
  let at = root;
  for (const t of types) {
    if (!at) return undefined;
    at = child(buf, at, t);
  }
  return at;
}

export interface TrackInfo {
  codec: string; // RFC 6381 codecs parameter, e.g. avc1.640028
  kind: 'h264' | 'h265' | 'other';
  width: number;
  height: number;
  timescale: number;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

/** Reads the video track's codec string and size from the init segment's own sample entry (avcC/hvcC). */
export function readInit(init: Buffer): TrackInfo {
  const moov = [...boxes(init)].find((b) => b.type === 'moov');
  if (!moov) throw new Error('init segment has no moov box');
  for (const trak of boxes(init, moov.start + 8, moov.start + moov.size)) {
    if (trak.type !== 'trak') continue;
    const mdhd = path(init, trak, ['mdia', 'mdhd']);
    const hdlr = path(init, trak, ['mdia', 'hdlr']);
    if (!hdlr || init.toString('latin1', hdlr.start + 16, hdlr.start + 20) !== 'vide') continue;
    const stsd = path(init, trak, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!stsd || !mdhd) break;
    const timescale = init.readUInt8(mdhd.start + 8) === 1 ? init.readUInt32BE(mdhd.start + 28) : init.readUInt32BE(mdhd.start + 20);
    // stsd: full box header (4) + entry count (4), then sample entries.
    const entry = boxes(init, stsd.start + 16, stsd.start + stsd.size).next().value;
    if (!entry) break;
    // VisualSampleEntry: 8 reserved/index + 16 predefined + width/height at +24/+26 of the payload.
    const width = init.readUInt16BE(entry.start + 8 + 24);
    const height = init.readUInt16BE(entry.start + 8 + 26);
    const inner = entry.start + 8 + 78;
    const end = entry.start + entry.size;
    if (entry.type === 'avc1' || entry.type === 'avc3') {
      const avcC = [...boxes(init, inner, end)].find((b) => b.type === 'avcC');
      if (!avcC) throw new Error('avc1 sample entry has no avcC');
      const p = avcC.start + 8;
      return { kind: 'h264', codec: `${entry.type}.${hex2(init[p + 1]!)}${hex2(init[p + 2]!)}${hex2(init[p + 3]!)}`.toLowerCase(), width, height, timescale };
    }
    if (entry.type === 'hvc1' || entry.type === 'hev1') {
      const hvcC = [...boxes(init, inner, end)].find((b) => b.type === 'hvcC');
      if (!hvcC) throw new Error(`${entry.type} sample entry has no hvcC`);
      return { kind: 'h265', codec: hevcCodec(entry.type, init.subarray(hvcC.start + 8, hvcC.start + hvcC.size)), width, height, timescale };
    }
    return { kind: 'other', codec: entry.type, width, height, timescale };
  }
  throw new Error('init segment has no video track');
}

/** ISO/IEC 14496-15 Annex E codecs string: hvc1.<space><profile>.<compat reversed>.<tier><level>.<constraints>. */
function hevcCodec(type: string, c: Buffer): string {
  const space = ['', 'A', 'B', 'C'][c[1]! >> 6]!;
  const tier = (c[1]! >> 5) & 1 ? 'H' : 'L';
  const profile = c[1]! & 0x1f;
  let compat = c.readUInt32BE(2);
  let reversed = 0;
  for (let i = 0; i < 32; i++) { reversed = (reversed << 1) | (compat & 1); compat >>>= 1; }
  const constraints = [...c.subarray(6, 12)];
  while (constraints.length && constraints.at(-1) === 0) constraints.pop();
  return [`${type}`, `${space}${profile}`, (reversed >>> 0).toString(16).toUpperCase(), `${tier}${c[12]}`, ...constraints.map(hex2)].join('.');
}

export interface FragmentInfo {
  keyframe: boolean;
  /** Decode time of the first sample, in the track's timescale (tfdt). */
  baseDecodeTime: number;
  /** Sum of sample durations, in the track's timescale. */
  duration: number;
  samples: number;
}

/** Reads a moof: whether its first sample is a sync sample, its decode time and duration. */
export function readMoof(buf: Buffer, moof: Box): FragmentInfo {
  const traf = child(buf, moof, 'traf');
  if (!traf) throw new Error('moof has no traf');
  const tfhd = child(buf, traf, 'tfhd');
  const tfdt = child(buf, traf, 'tfdt');
  const trun = child(buf, traf, 'trun');
  if (!tfhd || !trun) throw new Error('traf lacks tfhd or trun');
  const tfFlags = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
  let at = tfhd.start + 16; // after version/flags and track_ID
  if (tfFlags & 0x01) at += 8; // base_data_offset
  if (tfFlags & 0x02) at += 4; // sample_description_index
  let defaultDuration = 0;
  let defaultFlags = 0;
  if (tfFlags & 0x08) { defaultDuration = buf.readUInt32BE(at); at += 4; }
  if (tfFlags & 0x10) at += 4; // default_sample_size
  if (tfFlags & 0x20) defaultFlags = buf.readUInt32BE(at);

  let baseDecodeTime = 0;
  if (tfdt) baseDecodeTime = buf[tfdt.start + 8] === 1 ? Number(buf.readBigUInt64BE(tfdt.start + 12)) : buf.readUInt32BE(tfdt.start + 12);

  const trFlags = buf.readUInt32BE(trun.start + 8) & 0xffffff;
  const samples = buf.readUInt32BE(trun.start + 12);
  let p = trun.start + 16;
  if (trFlags & 0x01) p += 4; // data_offset
  let firstFlags: number | undefined;
  if (trFlags & 0x04) { firstFlags = buf.readUInt32BE(p); p += 4; }
  let duration = 0;
  let firstSampleFlags: number | undefined;
  for (let i = 0; i < samples; i++) {
    let d = defaultDuration;
    if (trFlags & 0x100) { d = buf.readUInt32BE(p); p += 4; }
    if (trFlags & 0x200) p += 4;
    if (trFlags & 0x400) { if (i === 0) firstSampleFlags = buf.readUInt32BE(p); p += 4; }
    if (trFlags & 0x800) p += 4;
    duration += d;
  }
  const flags = firstFlags ?? firstSampleFlags ?? defaultFlags;
  // sample_is_non_sync_sample is bit 16; sample_depends_on == 2 means it depends on no other (an I-frame).
  const keyframe = (flags & 0x10000) === 0 && ((flags >> 24) & 0x3) !== 1;
  return { keyframe, baseDecodeTime, duration, samples };
}

export type Fmp4Part =
  | { kind: 'init'; data: Buffer; info: TrackInfo }
  | { kind: 'fragment'; data: Buffer; info: FragmentInfo };

/** Splits a byte stream into the init segment and whole moof+mdat fragments, however the chunks fall. */
export class Fmp4Reader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private initParts: Buffer[] = [];
  private moof: Buffer | undefined;
  private haveInit = false;

  constructor(private readonly maxBoxBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): Fmp4Part[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Fmp4Part[] = [];
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    while (buf.length - at >= 8) {
      let size = buf.readUInt32BE(at);
      const type = buf.toString('latin1', at + 4, at + 8);
      if (size === 1) {
        if (buf.length - at < 16) break;
        size = Number(buf.readBigUInt64BE(at + 8));
      }
      if (size < 8 || size > this.maxBoxBytes) throw new Error(`fMP4 stream: box '${type}' has an impossible size ${size}`);
      if (buf.length - at < size) break;
      const box = buf.subarray(at, at + size);
      at += size;
      if (!this.haveInit) {
        this.initParts.push(box);
        if (type === 'moov') {
          const data = Buffer.concat(this.initParts);
          this.initParts = [];
          this.haveInit = true;
          out.push({ kind: 'init', data, info: readInit(data) });
        }
      } else if (type === 'moof') {
        this.moof = Buffer.from(box);
      } else if (type === 'mdat' && this.moof) {
        const data = Buffer.concat([this.moof, box]);
        out.push({ kind: 'fragment', data, info: readMoof(data, { type: 'moof', start: 0, size: this.moof.length, headerSize: 8 }) });
        this.moof = undefined;
      }
      // styp, sidx, prft and free between fragments carry nothing the hub needs.
    }
    const rest = buf.subarray(at);
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    return out;
  }
}
