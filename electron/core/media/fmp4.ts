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

export interface AudioTrackInfo {
  trackId: number;
  /** RFC 6381 codecs parameter from the esds, e.g. mp4a.40.2 (AAC-LC); the sample entry's type for other codecs. */
  codec: string;
  timescale: number;
  sampleRate: number;
  channels: number;
}

export interface TrackInfo {
  codec: string; // RFC 6381 codecs parameter, e.g. avc1.640028
  kind: 'h264' | 'h265' | 'other';
  width: number;
  height: number;
  timescale: number;
  /** The video track's track_ID (the traf that carries it in each moof). */
  trackId: number;
  /** The first audio track, when the stream has one. */
  audio?: AudioTrackInfo;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();

function trackHeader(init: Buffer, trak: Box): { trackId: number; timescale: number; handler: string; stsd?: Box } | undefined {
  const tkhd = child(init, trak, 'tkhd');
  const mdhd = path(init, trak, ['mdia', 'mdhd']);
  const hdlr = path(init, trak, ['mdia', 'hdlr']);
  if (!tkhd || !mdhd || !hdlr) return undefined;
  // tkhd v1 has 64-bit creation/modification times before track_ID.
  const trackId = init.readUInt32BE(tkhd.start + (init[tkhd.start + 8] === 1 ? 28 : 20));
  const timescale = init.readUInt8(mdhd.start + 8) === 1 ? init.readUInt32BE(mdhd.start + 28) : init.readUInt32BE(mdhd.start + 20);
  return { trackId, timescale, handler: init.toString('latin1', hdlr.start + 16, hdlr.start + 20), stsd: path(init, trak, ['mdia', 'minf', 'stbl', 'stsd']) };
}

/** The first sample entry of an stsd (full box header 4 + entry count 4, then the entries). */
function firstEntry(init: Buffer, stsd: Box): Box | undefined {
  return boxes(init, stsd.start + 16, stsd.start + stsd.size).next().value ?? undefined;
}

/** Reads the video track's codec string and size from the init segment's own sample entry (avcC/hvcC), and the first audio track. */
export function readInit(init: Buffer): TrackInfo {
  const moov = [...boxes(init)].find((b) => b.type === 'moov');
  if (!moov) throw new Error('init segment has no moov box');
  let video: TrackInfo | undefined;
  let audio: AudioTrackInfo | undefined;
  for (const trak of boxes(init, moov.start + 8, moov.start + moov.size)) {
    if (trak.type !== 'trak') continue;
    const h = trackHeader(init, trak);
    const entry = h?.stsd && firstEntry(init, h.stsd);
    if (!h || !entry) continue;
    if (h.handler === 'vide' && !video) video = readVideoEntry(init, entry, h.trackId, h.timescale);
    else if (h.handler === 'soun' && !audio) audio = readAudioEntry(init, entry, h.trackId, h.timescale);
  }
  if (!video) throw new Error('init segment has no video track');
  return audio ? { ...video, audio } : video;
}

function readVideoEntry(init: Buffer, entry: Box, trackId: number, timescale: number): TrackInfo {
  // VisualSampleEntry: 8 reserved/index + 16 predefined + width/height at +24/+26 of the payload.
  const width = init.readUInt16BE(entry.start + 8 + 24);
  const height = init.readUInt16BE(entry.start + 8 + 26);
  const inner = entry.start + 8 + 78;
  const end = entry.start + entry.size;
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    const avcC = [...boxes(init, inner, end)].find((b) => b.type === 'avcC');
    if (!avcC) throw new Error('avc1 sample entry has no avcC');
    const p = avcC.start + 8;
    return { kind: 'h264', codec: `${entry.type}.${hex2(init[p + 1]!)}${hex2(init[p + 2]!)}${hex2(init[p + 3]!)}`.toLowerCase(), width, height, timescale, trackId };
  }
  if (entry.type === 'hvc1' || entry.type === 'hev1') {
    const hvcC = [...boxes(init, inner, end)].find((b) => b.type === 'hvcC');
    if (!hvcC) throw new Error(`${entry.type} sample entry has no hvcC`);
    return { kind: 'h265', codec: hevcCodec(entry.type, init.subarray(hvcC.start + 8, hvcC.start + hvcC.size)), width, height, timescale, trackId };
  }
  return { kind: 'other', codec: entry.type, width, height, timescale, trackId };
}

function readAudioEntry(init: Buffer, entry: Box, trackId: number, timescale: number): AudioTrackInfo {
  // AudioSampleEntry (v0): 8 reserved/index + 8 reserved, channelcount +16, samplesize +18, samplerate (16.16) +24; boxes from +28.
  const p = entry.start + 8;
  const channels = init.readUInt16BE(p + 16);
  const sampleRate = init.readUInt32BE(p + 24) >>> 16;
  const out = { trackId, codec: entry.type, timescale, sampleRate: sampleRate || timescale, channels };
  if (entry.type === 'mp4a') {
    // MP4 writers put template values (2 channels, 16 bit) in the entry: the AudioSpecificConfig has the real ones.
    const esds = [...boxes(init, p + 28, entry.start + entry.size)].find((b) => b.type === 'esds');
    Object.assign(out, esds && esdsConfig(init.subarray(esds.start + 12, esds.start + esds.size)));
  }
  return out;
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** mp4a.<objectTypeIndication>.<audioObjectType>, and rate and channels, from an esds payload (ISO/IEC 14496-1 descriptors, 14496-3 AudioSpecificConfig). */
function esdsConfig(d: Buffer): { codec: string; sampleRate?: number; channels?: number } | undefined {
  let at = 0;
  const descriptor = (): { tag: number; end: number } | undefined => {
    if (at >= d.length) return undefined;
    const tag = d[at++]!;
    let len = 0;
    for (let i = 0; i < 4 && at < d.length; i++) {
      const b = d[at++]!;
      len = (len << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return { tag, end: at + len };
  };
  const es = descriptor();
  if (es?.tag !== 0x03) return undefined;
  const flags = d[at + 2]!;
  at += 3;
  if (flags & 0x80) at += 2; // dependsOn_ES_ID
  if (flags & 0x40) at += 1 + d[at]!; // URL
  if (flags & 0x20) at += 2; // OCR_ES_ID
  const dc = descriptor();
  if (dc?.tag !== 0x04) return undefined;
  const oti = d[at]!;
  at += 13;
  const dsi = descriptor();
  if (dsi?.tag !== 0x05 || at + 2 > d.length) return { codec: `mp4a.${oti.toString(16)}` };
  // Bit reader over the AudioSpecificConfig: audioObjectType (5, or 6 more after 31), frequency index (4, or 24 explicit), channels (4).
  let bit = at * 8;
  const bits = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = (v << 1) | (((d[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
    return v;
  };
  let aot = bits(5);
  if (aot === 31) aot = 32 + bits(6);
  const fi = bits(4);
  const sampleRate = fi === 15 ? bits(24) : AAC_RATES[fi];
  const channels = bits(4);
  return { codec: `mp4a.${oti.toString(16)}.${aot}`, ...(sampleRate && { sampleRate }), ...(channels && { channels }) };
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

export interface TrafTiming {
  /** Decode time of the first sample, in the track's timescale (tfdt). */
  baseDecodeTime: number;
  /** Sum of sample durations, in the track's timescale. */
  duration: number;
  samples: number;
}

export interface FragmentInfo extends TrafTiming {
  /** Whether the fragment holds a video traf. An audio-only fragment has keyframe false and video timing 0: take timing from video fragments only. */
  video: boolean;
  /** Whether the video traf's first sample is a sync sample. */
  keyframe: boolean;
  /** The audio traf's timing (audio timescale), when the fragment holds one. */
  audio?: TrafTiming;
  /** When the camera captured it, by the camera's clock (ms; from RTCP sender reports, the station's own RTSP ingest only). */
  capturedAt?: number;
}

/** Bytes of one trun sample entry: duration, size, flags, composition offset, each present by its flag. */
export function trunEntryBytes(trFlags: number): number {
  return 4 * ((trFlags >> 8 & 1) + (trFlags >> 9 & 1) + (trFlags >> 10 & 1) + (trFlags >> 11 & 1));
}

function readTraf(buf: Buffer, traf: Box): TrafTiming & { trackId: number; firstFlags: number } {
  const tfhd = child(buf, traf, 'tfhd');
  const tfdt = child(buf, traf, 'tfdt');
  const trun = child(buf, traf, 'trun');
  if (!tfhd || !trun) throw new Error('traf lacks tfhd or trun');
  const tfFlags = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
  const trackId = buf.readUInt32BE(tfhd.start + 12);
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
  // A damaged count (up to 2^32) would loop for seconds: the entries must fit in the box, and without any there is no loop.
  const entryBytes = trunEntryBytes(trFlags);
  if (p + samples * entryBytes > trun.start + trun.size) throw new Error('trun lists more samples than it holds');
  let duration = entryBytes ? 0 : samples * defaultDuration;
  let firstSampleFlags: number | undefined;
  for (let i = 0; entryBytes && i < samples; i++) {
    let d = defaultDuration;
    if (trFlags & 0x100) { d = buf.readUInt32BE(p); p += 4; }
    if (trFlags & 0x200) p += 4;
    if (trFlags & 0x400) { if (i === 0) firstSampleFlags = buf.readUInt32BE(p); p += 4; }
    if (trFlags & 0x800) p += 4;
    duration += d;
  }
  return { trackId, baseDecodeTime, duration, samples, firstFlags: firstFlags ?? firstSampleFlags ?? defaultFlags };
}

/**
 * Reads a moof (one traf per track it carries): keyframe, decode time and duration are the video traf's; the audio traf's
 * timing is reported apart. Without `tracks` (an init read elsewhere) the first traf is taken as the video one.
 */
export function readMoof(buf: Buffer, moof: Box, tracks?: Pick<TrackInfo, 'trackId' | 'audio'>): FragmentInfo {
  let video: ReturnType<typeof readTraf> | undefined;
  let audio: ReturnType<typeof readTraf> | undefined;
  let any = false;
  for (const traf of boxes(buf, moof.start + moof.headerSize, moof.start + moof.size)) {
    if (traf.type !== 'traf') continue;
    const t = readTraf(buf, traf);
    if (!tracks ? !any : t.trackId === tracks.trackId) video ??= t;
    else if (tracks?.audio && t.trackId === tracks.audio.trackId) audio ??= t;
    any = true;
  }
  if (!any) throw new Error('moof has no traf');
  const audioTiming = audio && { baseDecodeTime: audio.baseDecodeTime, duration: audio.duration, samples: audio.samples };
  if (!video) return { video: false, keyframe: false, baseDecodeTime: 0, duration: 0, samples: 0, ...(audioTiming && { audio: audioTiming }) };
  const flags = video.firstFlags;
  // sample_is_non_sync_sample is bit 16; sample_depends_on == 2 means it depends on no other (an I-frame).
  const keyframe = (flags & 0x10000) === 0 && ((flags >> 24) & 0x3) !== 1;
  return { video: true, keyframe, baseDecodeTime: video.baseDecodeTime, duration: video.duration, samples: video.samples, ...(audioTiming && { audio: audioTiming }) };
}

/** Where a single-sample traf keeps its decode time and its sample's duration (tfhd default, or the trun entry). */
function trafTimingAt(buf: Buffer, traf: Box): { trackId: number; tfdt?: Box; durationAt?: number } | undefined {
  const tfhd = child(buf, traf, 'tfhd');
  const trun = child(buf, traf, 'trun');
  if (!tfhd || !trun) return undefined;
  const tfFlags = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
  const trackId = buf.readUInt32BE(tfhd.start + 12);
  const tfdt = child(buf, traf, 'tfdt');
  const trFlags = buf.readUInt32BE(trun.start + 8) & 0xffffff;
  if (trFlags & 0x100) return { trackId, tfdt, durationAt: trun.start + 16 + (trFlags & 0x01 ? 4 : 0) + (trFlags & 0x04 ? 4 : 0) };
  if (tfFlags & 0x08) return { trackId, tfdt, durationAt: tfhd.start + 16 + (tfFlags & 0x01 ? 8 : 0) + (tfFlags & 0x02 ? 4 : 0) };
  return { trackId, tfdt };
}

/**
 * ffmpeg 5.1's mp4 muxer, cutting a fragment at every packet of two tracks, sometimes flushes a track's sample before that
 * track's next packet is known: it writes the sample with duration 0 and the next sample's decode time (seen on every
 * RTSP camera with audio: a few a second). Players then see two samples at one instant and a hole before them (MSE drops
 * video to the next keyframe). Put back in place: the sample starts where the track's previous fragment ended and lasts
 * until the decode time written. Returns whether it changed anything.
 */
export function repairFragment(buf: Buffer, moof: Box, nextDts: Map<number, number>): boolean {
  let changed = false;
  for (const traf of boxes(buf, moof.start + moof.headerSize, moof.start + moof.size)) {
    if (traf.type !== 'traf') continue;
    const t = readTraf(buf, traf);
    const expected = nextDts.get(t.trackId);
    let start = t.baseDecodeTime;
    let duration = t.duration;
    const at = t.samples === 1 && duration === 0 && expected !== undefined && start > expected ? trafTimingAt(buf, traf) : undefined;
    if (at?.tfdt && at.durationAt !== undefined) {
      duration = start - expected!;
      start = expected!;
      if (buf[at.tfdt.start + 8] === 1) buf.writeBigUInt64BE(BigInt(start), at.tfdt.start + 12);
      else buf.writeUInt32BE(start % 2 ** 32, at.tfdt.start + 12);
      buf.writeUInt32BE(duration, at.durationAt);
      changed = true;
    }
    nextDts.set(t.trackId, start + duration);
  }
  return changed;
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
  private tracks?: TrackInfo;
  /** Per track, where its last fragment ended (for repairFragment). */
  private readonly nextDts = new Map<number, number>();

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
          this.tracks = readInit(data);
          out.push({ kind: 'init', data, info: this.tracks });
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
      const moof = { type: 'moof', start: 0, size: box.size, headerSize: 8 };
      if (this.tracks?.audio) repairFragment(data, moof, this.nextDts);
      out.push({ kind: 'fragment', data, info: readMoof(data, moof, this.tracks) });
    }
    return out;
  }
}

/** The box with its size rewritten after children were removed. */
function resized(buf: Buffer, box: Box, parts: Buffer[]): Buffer {
  const head = Buffer.from(buf.subarray(box.start, box.start + box.headerSize));
  const size = head.length + parts.reduce((n, p) => n + p.length, 0);
  if (box.headerSize === 16) head.writeBigUInt64BE(BigInt(size), 8);
  else head.writeUInt32BE(size, 0);
  return Buffer.concat([head, ...parts]);
}

/** The init segment without its audio track (trak and trex), for a player that is not to get audio. */
export function initWithoutAudio(init: Buffer, info: TrackInfo): Buffer {
  const audio = info.audio;
  if (!audio) return init;
  const out: Buffer[] = [];
  for (const top of boxes(init)) {
    if (top.type !== 'moov') { out.push(init.subarray(top.start, top.start + top.size)); continue; }
    const kids: Buffer[] = [];
    for (const b of boxes(init, top.start + top.headerSize, top.start + top.size)) {
      if (b.type === 'trak' && trackHeader(init, b)?.trackId === audio.trackId) continue;
      if (b.type === 'mvex') {
        // trex: full box header, then track_ID.
        const trexes = [...boxes(init, b.start + b.headerSize, b.start + b.size)].filter((t) => !(t.type === 'trex' && init.readUInt32BE(t.start + 12) === audio.trackId));
        kids.push(resized(init, b, trexes.map((t) => init.subarray(t.start, t.start + t.size))));
        continue;
      }
      kids.push(init.subarray(b.start, b.start + b.size));
    }
    out.push(resized(init, top, kids));
  }
  return Buffer.concat(out);
}

/**
 * The fragment without its audio traf: undefined for an audio-only fragment, the same bytes when it has none. The audio
 * samples stay in the mdat, unreferenced (the video traf's data offset is moved by the bytes the moof lost).
 */
export function fragmentWithoutAudio(data: Buffer, info: FragmentInfo, tracks: Pick<TrackInfo, 'audio'>): Buffer | undefined {
  if (!info.audio || !tracks.audio) return data;
  if (!info.video) return undefined;
  const moof = [...boxes(data)].find((b) => b.type === 'moof');
  if (!moof) return data;
  const kids: Box[] = [...boxes(data, moof.start + moof.headerSize, moof.start + moof.size)];
  const drop = kids.filter((b) => b.type === 'traf' && data.readUInt32BE(child(data, b, 'tfhd')!.start + 12) === tracks.audio!.trackId);
  const removed = drop.reduce((n, b) => n + b.size, 0);
  const keep = kids.filter((b) => !drop.includes(b)).map((b) => {
    const copy = Buffer.from(data.subarray(b.start, b.start + b.size));
    if (b.type !== 'traf') return copy;
    const local = { ...b, start: 0 };
    const tfhd = child(copy, local, 'tfhd');
    // Only offsets counted from the moof (default-base-is-moof, no explicit base) move with it.
    if (!tfhd || (copy.readUInt32BE(tfhd.start + 8) & 0x020001) !== 0x020000) throw new Error('fragment data offsets are not relative to its moof');
    for (const trun of boxes(copy, local.headerSize, local.size)) {
      if (trun.type === 'trun' && copy.readUInt32BE(trun.start + 8) & 0x01) copy.writeInt32BE(copy.readInt32BE(trun.start + 16) - removed, trun.start + 16);
    }
    return copy;
  });
  return Buffer.concat([resized(data, moof, keep), data.subarray(moof.start + moof.size)]);
}
