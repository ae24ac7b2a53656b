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
  // Chunks as they came from the pipe; a part is copied out once, only when it spans chunks.
  private chunks: Buffer[] = [];
  private offset = 0;
  private available = 0;
  private initParts: Buffer[] = [];
  private haveInit = false;

  constructor(private readonly maxBoxBytes = 64 * 1024 * 1024) {}

  /** The first n unread bytes (a view when they lie in one chunk), without consuming them. */
  private peek(n: number, skip = 0): Buffer {
    const first = this.chunks[0]!;
    const start = this.offset + skip;
    if (start + n <= first.length) return first.subarray(start, start + n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    let pos = start;
    for (const c of this.chunks) {
      if (pos >= c.length) { pos -= c.length; continue; }
      const k = Math.min(n - at, c.length - pos);
      c.copy(out, at, pos, pos + k);
      at += k;
      pos = 0;
      if (at === n) break;
    }
    return out;
  }

  private consume(n: number): void {
    this.available -= n;
    this.offset += n;
    while (this.chunks.length && this.offset >= this.chunks[0]!.length) {
      this.offset -= this.chunks[0]!.length;
      this.chunks.shift();
    }
  }

  /** Size and type of the box starting `skip` bytes ahead, or undefined until its header has arrived. */
  private header(skip: number): { size: number; type: string } | undefined {
    if (this.available - skip < 8) return undefined;
    const h = this.peek(8, skip);
    let size = h.readUInt32BE(0);
    const type = h.toString('latin1', 4, 8);
    if (size === 1) {
      if (this.available - skip < 16) return undefined;
      size = Number(this.peek(16, skip).readBigUInt64BE(8));
    }
    if (size < 8 || size > this.maxBoxBytes) throw new Error(`fMP4 stream: box '${type}' has an impossible size ${size}`);
    return { size, type };
  }

  push(chunk: Buffer): Fmp4Part[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.available += chunk.length;
    const out: Fmp4Part[] = [];
    for (;;) {
      const box = this.header(0);
      if (!box || this.available < box.size) break;
      if (!this.haveInit) {
        this.initParts.push(Buffer.from(this.peek(box.size)));
        this.consume(box.size);
        if (box.type === 'moov') {
          const data = Buffer.concat(this.initParts);
          this.initParts = [];
          this.haveInit = true;
          out.push({ kind: 'init', data, info: readInit(data) });
        }
        continue;
      }
      if (box.type !== 'moof') {
        // styp, sidx, prft, free (and an mdat without its moof) carry nothing the hub needs.
        this.consume(box.size);
        continue;
      }
      // A fragment is taken whole, moof and mdat together, in at most one copy.
      const mdat = this.header(box.size);
      if (!mdat) break;
      if (mdat.type !== 'mdat') {
        this.consume(box.size);
        continue;
      }
      if (this.available < box.size + mdat.size) break;
      const data = this.peek(box.size + mdat.size);
      this.consume(box.size + mdat.size);
      out.push({ kind: 'fragment', data, info: readMoof(data, { type: 'moof', start: 0, size: box.size, headerSize: 8 }) });
    }
    return out;
  }
}
