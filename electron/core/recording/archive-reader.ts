// Reads the archive back: from any instant (the keyframe at or before it), fragment after fragment across
// segments, or keyframe by keyframe in either direction for fast forward and rewind.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readInit, readMoof, type FragmentInfo, type TrackInfo } from '../media/fmp4';
import type { Db } from '../storage/db';
import { segmentFile } from './segment-file';
import { nextSegment, prevSegment, segmentAtOrAfter, segmentAtOrBefore, segmentGoingOn, unpackKeyframes, type Keyframe, type SegmentRow } from './segment-index';

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

/**
 * A recording that begins more than this before the one being read ends overlaps it — the same camera recorded by two
 * stations at a failover hand-back (sites/failover.ts), both copied into a desk's archive of that station — rather than
 * following it: one recorder's consecutive segments meet, their edges moved at most by the jitter of the camera's delivery.
 */
export const OVERLAP_MS = 1000;

/**
 * A read position in one channel's archive. Time only moves on: where recordings overlap (a failover standby's last
 * segment and its primary's first after the hand-back), the one that began later takes over at its start, and a
 * recording read past (or one that began earlier and goes on) is entered at its first keyframe after where reading is.
 */
export class ArchiveCursor {
  private file?: SegmentFile;
  private pos = 0;
  private kfIndex = 0;
  private lastInit?: Buffer;
  /** Wall time of the last fragment handed out since the last seek, and where it ends. */
  private lastWall?: number;
  private lastWallEnd?: number;
  /** The next segment beginning after where reading is, as looked up at wall time `at` (again a second of media later). */
  private upcoming?: { row: SegmentRow | undefined; at: number };

  constructor(private readonly source: ArchiveSource, readonly channelId: number) {}

  private openSegment(row: SegmentRow | undefined): boolean {
    this.file?.close();
    this.file = undefined;
    this.upcoming = undefined;
    if (!row) return false;
    try {
      this.file = new SegmentFile(this.source.root, row);
    } catch {
      return false;
    }
    return true;
  }

  /** Moves on to another segment, keeping the current one when that one cannot be opened (its file gone). */
  private switchTo(row: SegmentRow, kfIndex: number, pos: number): boolean {
    let file: SegmentFile;
    try {
      file = new SegmentFile(this.source.root, row);
    } catch {
      return false;
    }
    this.file?.close();
    this.file = file;
    this.upcoming = undefined;
    this.kfIndex = kfIndex;
    this.pos = pos;
    return true;
  }

  get segment(): SegmentRow | undefined {
    return this.file?.row;
  }

  private restart(): void {
    this.lastInit = undefined;
    this.lastWall = this.lastWallEnd = undefined;
    this.upcoming = undefined;
  }

  /** Positions at the keyframe at or before t (or the first one after t when t falls in a gap). Returns that keyframe's wall time. */
  seek(t: number): number | undefined {
    this.restart();
    let row = segmentAtOrAfter(this.source.db, this.channelId, t);
    // Skip segments whose file is gone (retention racing a reader).
    while (row && !this.openSegment(row)) row = nextSegment(this.source.db, this.channelId, row.start_ms);
    if (!this.file) return undefined;
    const kfs = this.file.keyframes;
    let i = 0;
    while (i + 1 < kfs.length && this.file.row.start_ms + kfs[i + 1]!.offsetMs <= t) i++;
    this.kfIndex = i;
    this.pos = kfs[i]?.byte ?? this.file.row.init_bytes;
    return this.file.row.start_ms + (kfs[i]?.offsetMs ?? 0);
  }

  /** Positions at the keyframe at or before t, searching backwards across segments (for rewind). */
  seekBack(t: number): number | undefined {
    this.restart();
    const row = segmentAtOrBefore(this.source.db, this.channelId, t);
    if (!row || !this.openSegment(row)) return undefined;
    const kfs = this.file!.keyframes;
    let i = 0;
    while (i + 1 < kfs.length && row.start_ms + kfs[i + 1]!.offsetMs <= t) i++;
    this.kfIndex = i;
    this.pos = kfs[i]?.byte ?? row.init_bytes;
    return row.start_ms + (kfs[i]?.offsetMs ?? 0);
  }

  /** The init segment when it changed since the last one handed out (always after a seek). */
  private initIfNew(): ArchiveInit | undefined {
    const data = this.file!.init();
    if (this.lastInit?.equals(data)) return undefined;
    this.lastInit = data;
    return { data, info: this.file!.tracks, segment: this.file!.row };
  }

  /**
   * A segment that begins inside the current one, after where reading is, by the time `wall` is read: it takes over there
   * (looked up again once a second of media, so one copied meanwhile is seen). Not one that merely meets the current one.
   */
  private takingOver(wall: number): SegmentRow | undefined {
    const row = this.file!.row;
    if (!this.upcoming || wall < this.upcoming.at || wall - this.upcoming.at >= 1000) {
      this.upcoming = { row: nextSegment(this.source.db, this.channelId, Math.max(row.start_ms, this.lastWall ?? -Infinity)), at: wall };
    }
    const next = this.upcoming.row;
    return next && next.start_ms <= wall && next.start_ms < row.end_ms - OVERLAP_MS ? next : undefined;
  }

  /** The first keyframe of a segment at or after wall time `w`. */
  private static keyframeFrom(row: SegmentRow, w: number): { i: number; at: number; byte: number } | undefined {
    const kfs = unpackKeyframes(row.keyframes);
    const i = kfs.findIndex((k) => row.start_ms + k.offsetMs >= w);
    return i < 0 ? undefined : { i, at: row.start_ms + kfs[i]!.offsetMs, byte: kfs[i]!.byte };
  }

  /**
   * Once the current segment is read to its end: the next segment in time, from its start where it follows (or meets)
   * where reading is, from its first keyframe after that where it began well before (an overlapping recording), skipped
   * where it lies wholly behind; or a recording that began before the current one and goes on past it, where that comes
   * first. False: nothing more (yet).
   */
  private advance(): boolean {
    const db = this.source.db;
    const cur = this.file!.row;
    const w = this.lastWallEnd ?? cur.end_ms;
    const held = segmentGoingOn(db, this.channelId, cur.start_ms, w + OVERLAP_MS, cur.id);
    const heldFrom = held && ArchiveCursor.keyframeFrom(held, w);
    for (let next = nextSegment(db, this.channelId, cur.start_ms); next; next = nextSegment(db, this.channelId, next.start_ms)) {
      if (heldFrom && heldFrom.at < next.start_ms && this.switchTo(held, heldFrom.i, heldFrom.byte)) return true;
      if (next.start_ms >= w - OVERLAP_MS) {
        if (this.switchTo(next, 0, next.init_bytes)) return true;
        continue;
      }
      const from = next.end_ms > w ? ArchiveCursor.keyframeFrom(next, w) : undefined;
      if (from && this.switchTo(next, from.i, from.byte)) return true;
    }
    return !!heldFrom && this.switchTo(held, heldFrom.i, heldFrom.byte);
  }

  /** Rewinding past the current segment's first keyframe: the last keyframe before where reading is, in an earlier segment. */
  private retreat(): boolean {
    const w = this.lastWall ?? this.file!.row.start_ms;
    for (let prev = prevSegment(this.source.db, this.channelId, this.file!.row.start_ms); prev; prev = prevSegment(this.source.db, this.channelId, prev.start_ms)) {
      const kfs = unpackKeyframes(prev.keyframes);
      let i = kfs.length - 1;
      while (i >= 0 && prev.start_ms + kfs[i]!.offsetMs >= w) i--;
      if (i >= 0 && this.switchTo(prev, i, kfs[i]!.byte)) return true;
    }
    return false;
  }

  /** The next item in time order: an init segment when it changes, else a fragment; undefined at the end of the archive. */
  next(): ArchiveInit | ArchiveFragment | undefined {
    for (let guard = 0; guard < 10_000 && this.file; guard++) {
      const init = this.initIfNew();
      if (init) return init;
      const f = this.file.fragmentAt(this.pos);
      if (f) {
        const frag: ArchiveFragment = { data: f.data, ...this.file.fragment(f.data), segment: this.file.row };
        const later = this.takingOver(frag.wall);
        if (later && this.switchTo(later, 0, later.init_bytes)) continue;
        this.pos = f.next;
        this.lastWall = frag.wall;
        this.lastWallEnd = frag.wallEnd;
        return frag;
      }
      // The end of what is indexed now: the cursor keeps its place, so a later call goes on with a segment indexed
      // meanwhile (a desk's copy of another station's archive fills in while it plays).
      if (!this.advance()) return undefined;
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
        const frag: ArchiveFragment = { data: f.data, ...this.file.fragment(f.data), segment: this.file.row };
        if (direction > 0) {
          const later = this.takingOver(frag.wall);
          if (later && this.switchTo(later, 0, later.init_bytes)) continue;
        }
        this.kfIndex += direction;
        this.lastWall = frag.wall;
        this.lastWallEnd = frag.wallEnd;
        return frag;
      }
      if (direction > 0 ? !this.advance() : !this.retreat()) return undefined;
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
