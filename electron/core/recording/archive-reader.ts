// Reads the archive back: from any instant (the keyframe at or before it), fragment after fragment across
// segments, or keyframe by keyframe in either direction for fast forward and rewind.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readInit, readMoof, type FragmentInfo, type TrackInfo } from '../media/fmp4';
import type { Db } from '../storage/db';
import { segmentFile } from './segment-file';
import { nextSegment, prevSegment, segmentAtOrAfter, segmentAtOrBefore, unpackKeyframes, type Keyframe, type SegmentRow } from './segment-index';

/** An archive: an index and the folder its paths are relative to (the station's own, or a foreign one opened for browsing). */
export interface ArchiveSource { id: string; db: Db; root: string; label: string }

export interface ArchiveFragment {
  data: Buffer;
  info: FragmentInfo;
  /** Wall-clock time (epoch ms) of the fragment's first sample, and of its end. */
  wall: number;
  wallEnd: number;
  segment: SegmentRow;
}

export interface ArchiveInit { data: Buffer; info: TrackInfo; segment: SegmentRow }

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? b : b.subarray(0, got);
}

/** One open segment file. */
class SegmentFile {
  private fd: number;
  readonly keyframes: Keyframe[];
  private tracksValue?: TrackInfo;
  constructor(readonly root: string, readonly row: SegmentRow) {
    this.fd = openSync(segmentFile(root, row.path), 'r');
    // A segment just opened by the recorder may be indexed before its init segment reached the disk.
    if (fstatSync(this.fd).size < row.init_bytes) {
      closeSync(this.fd);
      throw new Error(`segment ${row.path} has no whole init segment on disk yet`);
    }
    this.keyframes = unpackKeyframes(row.keyframes);
  }
  init(): Buffer {
    return readAt(this.fd, 0, this.row.init_bytes);
  }
  /** The init segment's tracks (which traf is video, which audio). */
  get tracks(): TrackInfo {
    return (this.tracksValue ??= readInit(this.init()));
  }
  /** A fragment with its wall-clock times: a video one by its decode time, an audio-only one by its audio decode time (same origin). */
  fragment(data: Buffer): Omit<ArchiveFragment, 'data' | 'segment'> {
    const tracks = this.tracks;
    const info = readMoof(data, { type: 'moof', start: 0, size: data.readUInt32BE(0), headerSize: 8 }, tracks);
    if (info.video || !info.audio || !tracks.audio) {
      const wall = this.wallOf(info);
      return { info, wall, wallEnd: wall + (info.duration * 1000) / this.row.timescale };
    }
    const ats = tracks.audio.timescale;
    const wall = this.row.start_ms + (info.audio.baseDecodeTime / ats - this.row.base_dts / this.row.timescale) * 1000;
    return { info, wall, wallEnd: wall + (info.audio.duration * 1000) / ats };
  }
  /** The moof+mdat at `pos` (undefined past the indexed end or at a damaged box). */
  fragmentAt(pos: number): { data: Buffer; next: number } | undefined {
    if (pos + 16 > this.row.bytes) return undefined;
    const h1 = readAt(this.fd, pos, 8);
    if (h1.length < 8 || h1.toString('latin1', 4, 8) !== 'moof') return undefined;
    const moofSize = h1.readUInt32BE(0);
    const h2 = readAt(this.fd, pos + moofSize, 8);
    if (h2.length < 8 || h2.toString('latin1', 4, 8) !== 'mdat') return undefined;
    const total = moofSize + h2.readUInt32BE(0);
    if (pos + total > this.row.bytes) return undefined;
    return { data: readAt(this.fd, pos, total), next: pos + total };
  }
  wallOf(info: FragmentInfo): number {
    return this.row.start_ms + ((info.baseDecodeTime - this.row.base_dts) * 1000) / this.row.timescale;
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** A read position in one channel's archive. */
export class ArchiveCursor {
  private file?: SegmentFile;
  private pos = 0;
  private kfIndex = 0;
  private lastInit?: Buffer;

  constructor(private readonly source: ArchiveSource, readonly channelId: number) {}

  private openSegment(row: SegmentRow | undefined): boolean {
    this.file?.close();
    this.file = undefined;
    if (!row) return false;
    try {
      this.file = new SegmentFile(this.source.root, row);
    } catch {
      return false;
    }
    return true;
  }

  get segment(): SegmentRow | undefined {
    return this.file?.row;
  }

  /** Positions at the keyframe at or before t (or the first one after t when t falls in a gap). Returns that keyframe's wall time. */
  seek(t: number): number | undefined {
    let row = segmentAtOrAfter(this.source.db, this.channelId, t);
    // Skip segments whose file is gone (retention racing a reader).
    while (row && !this.openSegment(row)) row = nextSegment(this.source.db, this.channelId, row.start_ms);
    if (!this.file) return undefined;
    const kfs = this.file.keyframes;
    let i = 0;
    while (i + 1 < kfs.length && this.file.row.start_ms + kfs[i + 1]!.offsetMs <= t) i++;
    this.kfIndex = i;
    this.pos = kfs[i]?.byte ?? this.file.row.init_bytes;
    this.lastInit = undefined;
    return this.file.row.start_ms + (kfs[i]?.offsetMs ?? 0);
  }

  /** Positions at the keyframe at or before t, searching backwards across segments (for rewind). */
  seekBack(t: number): number | undefined {
    const row = segmentAtOrBefore(this.source.db, this.channelId, t);
    if (!row || !this.openSegment(row)) return undefined;
    const kfs = this.file!.keyframes;
    let i = 0;
    while (i + 1 < kfs.length && row.start_ms + kfs[i + 1]!.offsetMs <= t) i++;
    this.kfIndex = i;
    this.pos = kfs[i]?.byte ?? row.init_bytes;
    this.lastInit = undefined;
    return row.start_ms + (kfs[i]?.offsetMs ?? 0);
  }

  /** The init segment when it changed since the last one handed out (always after a seek). */
  private initIfNew(): ArchiveInit | undefined {
    const data = this.file!.init();
    if (this.lastInit?.equals(data)) return undefined;
    this.lastInit = data;
    return { data, info: this.file!.tracks, segment: this.file!.row };
  }

  /** The next item in time order: an init segment when it changes, else a fragment; undefined at the end of the archive. */
  next(): ArchiveInit | ArchiveFragment | undefined {
    for (let guard = 0; guard < 10_000 && this.file; guard++) {
      const init = this.initIfNew();
      if (init) return init;
      const f = this.file.fragmentAt(this.pos);
      if (f) {
        this.pos = f.next;
        return { data: f.data, ...this.file.fragment(f.data), segment: this.file.row };
      }
      let next = nextSegment(this.source.db, this.channelId, this.file.row.start_ms);
      const at = this.file.row;
      while (next && !this.openSegment(next)) next = nextSegment(this.source.db, this.channelId, next.start_ms);
      if (!next) {
        // The end of what is indexed now. The cursor keeps its place, so a later call goes on with a segment indexed
        // meanwhile (a desk's copy of another station's archive fills in while it plays).
        if (!this.file) this.openSegment(at);
        if (this.file) this.pos = this.file.row.bytes;
        return undefined;
      }
      this.pos = this.file.row.init_bytes;
      this.kfIndex = 0;
    }
    return undefined;
  }

  /** Keyframes only, forward (+1) or backward (-1), starting with the current one. */
  nextKeyframe(direction: 1 | -1): ArchiveInit | ArchiveFragment | undefined {
    for (let guard = 0; guard < 10_000 && this.file; guard++) {
      const init = this.initIfNew();
      if (init) return init;
      const kfs = this.file.keyframes;
      const kf = kfs[this.kfIndex];
      const f = kf ? this.file.fragmentAt(kf.byte) : undefined;
      if (f) {
        this.kfIndex += direction;
        return { data: f.data, ...this.file.fragment(f.data), segment: this.file.row };
      }
      const row = this.file.row;
      const other = direction > 0 ? nextSegment(this.source.db, this.channelId, row.start_ms) : prevSegment(this.source.db, this.channelId, row.start_ms);
      if (!this.openSegment(other)) return undefined;
      this.kfIndex = direction > 0 ? 0 : this.file!.keyframes.length - 1;
    }
    return undefined;
  }

  close(): void {
    this.file?.close();
    this.file = undefined;
  }
}

export function isInit(x: ArchiveInit | ArchiveFragment): x is ArchiveInit {
  return !('wall' in x);
}

/** Wall times of the frames around t: the GOP before, the one holding t and the one after (for frame stepping). */
export function frameTimesAround(source: ArchiveSource, channelId: number, t: number): number[] {
  const c = new ArchiveCursor(source, channelId);
  try {
    const kf = c.seek(t);
    if (kf === undefined) return [];
    if (c.seekBack(kf - 1) === undefined) c.seek(kf);
    const out: number[] = [];
    let keyframesSeen = 0;
    for (let x = c.next(); x; x = c.next()) {
      if (isInit(x) || !x.info.video) continue;
      if (x.info.keyframe && x.wall > t && ++keyframesSeen > 1) break;
      out.push(Math.round(x.wall));
    }
    return out;
  } finally {
    c.close();
  }
}
