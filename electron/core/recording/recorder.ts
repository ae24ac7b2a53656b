// The recorder: a StreamHub consumer that writes the hub's fMP4 fragments into segment files rolled at
// keyframes, keeps the index up to date (one transaction a second for all channels) and records gaps honestly.
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log';
import type { FragmentInfo, TrackInfo } from '../media/fmp4';
import type { HubConsumer } from '../media/stream-hub';
import type { Db } from '../storage/db';
import { segmentRelPath } from './segment-file';
import {
  addEvent, cached, extendInterval, insertGap, insertSpan, spanEndingNear, updateSegment,
  SPAN_JOIN_MS, type GapReason, type StreamKind,
} from './segment-index';
import { SegmentWriter } from './segment-writer';
import type { BeforeWrite } from './serial-writer';
import type { BudgetMember, WriteBudget } from './write-budget';

export type RecordingMode = 'off' | 'continuous' | 'schedule' | 'event';

export interface RecorderConfig {
  mode: RecordingMode;
  stream: StreamKind;
  /** 336 '0'/'1' half-hours from Monday 00:00, local time. */
  schedule: string;
  preMs: number;
  postMs: number;
}

export const ALWAYS = '1'.repeat(336);

/** Whether the weekly half-hour schedule records at `t` (station's local time). */
export function scheduleActive(schedule: string, t: number): boolean {
  const d = new Date(t);
  const slot = ((d.getDay() + 6) % 7) * 48 + d.getHours() * 2 + (d.getMinutes() >= 30 ? 1 : 0);
  return schedule[slot] === '1';
}

/** What every recorder shares: the index, the folder, the clock, the disk guard. */
export interface ArchiveHost {
  db: Db;
  root: string;
  clock: () => number;
  logger: Logger;
  segmentMs(): number;
  /** False when writing `bytes` more would pass the hard free-space floor. */
  canWrite(bytes: number): boolean;
  /** Bytes about to be queued: taken off the free-space estimate at once. */
  onQueued(bytes: number): void;
  onWritten(bytes: number): void;
  /** The one bound on what every recorder has queued for the disk (write-budget.ts). */
  budget: WriteBudget;
  /** Test hook: runs before each write (a slow disk). */
  beforeWrite?: BeforeWrite;
}

export interface RecorderStatus {
  channelId: number;
  stream: StreamKind;
  mode: RecordingMode;
  state: 'recording' | 'idle' | 'waiting' | 'gap';
  gapReason?: GapReason;
  gapSince?: number;
  backlogBytes: number;
  droppedFragments: number;
  bitrateBps: number;
  segmentPath?: string;
  segmentStart?: number;
}

/** The segment being written (segment-writer.ts) and the span it extends. */
interface OpenSegment {
  file: SegmentWriter;
  span: number;
  /** The start moved earlier (a better wall-clock anchor) since the index last heard of it. */
  movedFrom?: number;
  ownsSpan: boolean;
}

interface Ring { data: Buffer; info: FragmentInfo; wall: number }

const STALL_MS = 3000;
const REANCHOR_MS = 5000;
const RING_MAX_BYTES = 96 * 1024 * 1024;

export class ChannelRecorder implements HubConsumer, BudgetMember {
  private track?: { data: Buffer; info: TrackInfo };
  private anchorOffset?: number;
  private seg?: OpenSegment;
  private closing = new Set<Promise<void>>();
  /** Segments ended whose writes are still under way (what `shed` may still cut). */
  private readonly closingFiles = new Set<SegmentWriter>();
  private gap?: { id: number; reason: GapReason; since: number };
  /** Bytes written, sampled once a second (the last ten seconds give the bitrate). */
  private bytesWritten = 0;
  private samples: { at: number; bytes: number }[] = [];
  private span?: number;
  private ring: Ring[] = [];
  private ringBytes = 0;
  private lastFragmentAt = 0;
  private lastEndWall = 0;
  /** A new upstream began (init) after a segment of this recorder: the hole before its first segment is the camera's. */
  private reconnected = false;
  private expectedDts?: number;
  private discontinuity = false;
  private dropping = false;
  private triggerUntil = 0;
  private queueBytes = 0;
  droppedFragments = 0;
  fragmentsWritten = 0;

  constructor(readonly channelId: number, private config: RecorderConfig, private readonly host: ArchiveHost) {
    this.lastFragmentAt = host.clock();
  }

  get stream(): StreamKind {
    return this.config.stream;
  }

  setConfig(config: RecorderConfig): void {
    this.config = config;
    this.tick();
  }

  private shouldRecord(now: number): boolean {
    switch (this.config.mode) {
      case 'off': return false;
      case 'continuous': return true;
      case 'schedule': return scheduleActive(this.config.schedule, now);
      case 'event': return now < this.triggerUntil;
    }
  }

  /** Bits a second written over the last ten seconds (0 until two samples are in). */
  bitrateBps(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 1000) return 0;
    return ((last.bytes - first.bytes) * 8 * 1000) / (last.at - first.at);
  }

  status(): RecorderStatus {
    const now = this.host.clock();
    // Not recording by choice (outside the schedule, no event) is idle, not a gap to worry about.
    const chosen = this.gap?.reason === 'recording_off';
    const gap = this.gap && !chosen ? this.gap : undefined;
    return {
      channelId: this.channelId, stream: this.config.stream, mode: this.config.mode,
      state: this.seg ? 'recording' : gap ? 'gap' : this.shouldRecord(now) ? 'waiting' : 'idle',
      gapReason: gap?.reason, gapSince: gap?.since, backlogBytes: this.queueBytes, droppedFragments: this.droppedFragments,
      bitrateBps: Math.round(this.bitrateBps()), segmentPath: this.seg?.file.relPath, segmentStart: this.seg?.file.startMs,
    };
  }

  // ---- HubConsumer ----

  init(data: Buffer, info: TrackInfo): void {
    // A new upstream: timestamps restart, so the open segment ends here.
    if (this.seg) this.closeSegment();
    this.reconnected = this.lastEndWall > 0;
    this.track = { data, info };
    this.anchorOffset = undefined;
    this.expectedDts = undefined;
    this.ring = [];
    this.ringBytes = 0;
  }

  fragment(data: Buffer, info: FragmentInfo): void {
    const track = this.track;
    if (!track) return;
    if (!info.video) return this.audioFragment(data, info);
    const now = this.host.clock();
    this.lastFragmentAt = now;
    const ts = track.info.timescale;
    const dtsMs = (info.baseDecodeTime * 1000) / ts;
    if (this.expectedDts !== undefined && Math.abs(info.baseDecodeTime - this.expectedDts) > ts) this.discontinuity = true;
    this.expectedDts = info.baseDecodeTime + info.duration;
    // Media time -> wall time: the fastest delivery seen is the truest (a cached GOP arrives in a burst).
    const offset = now - dtsMs;
    if (this.anchorOffset === undefined || offset < this.anchorOffset) this.anchorOffset = offset;
    else if (offset - this.anchorOffset > REANCHOR_MS) { this.anchorOffset = offset; this.discontinuity = true; }
    const wall = Math.round(this.anchorOffset + dtsMs);
    // Frames buffered while the camera connected arrive late: once delivery catches up, the open segment's start is moved earlier to match.
    if (this.seg) {
      const f = this.seg.file;
      const start = Math.round(this.anchorOffset + (f.baseDts * 1000) / f.timescale);
      if (start < f.startMs) {
        this.seg.movedFrom ??= f.startMs;
        f.startMs = start;
        f.dirty = true;
      }
    }

    if (this.config.mode === 'event') this.keepInRing({ data, info, wall });
    if (!this.shouldRecord(now)) {
      if (this.seg) this.closeSegment();
      this.setGap('recording_off', this.lastEndWall || wall);
      return;
    }
    if (this.dropping) {
      if (!info.keyframe || !this.host.budget.canResume(data.length) || !this.host.canWrite(data.length)) {
        this.droppedFragments++;
        return;
      }
      this.dropping = false;
    }
    // Rolled at a keyframe: by length, or because the recordings folder changed. The next segment starts with the frame
    // after the last one written, so it continues the span whatever the stamps say.
    let rolled = false;
    if (this.seg && (this.discontinuity || (info.keyframe && (wall - this.seg.file.startMs >= this.host.segmentMs() || this.seg.file.root !== this.host.root)))) {
      if (info.keyframe || this.discontinuity) { rolled = !this.discontinuity; this.closeSegment(); }
    }
    if (!this.seg) {
      if (!info.keyframe) return;
      this.discontinuity = false;
      const pre = this.config.mode === 'event' ? this.preEvent(wall) : [];
      if (pre.length) {
        this.openSegment(pre[0]!.wall, pre[0]!.info.baseDecodeTime);
        for (const f of pre.slice(0, -1)) this.write(f.data, f.info);
      } else {
        this.openSegment(wall, info.baseDecodeTime, rolled);
      }
      if (!this.seg) return;
    }
    if (!this.host.canWrite(data.length) || !this.host.budget.admit(this, data.length)) {
      // The disk cannot keep up (the write budget is full and this channel is furthest behind) or is at its floor: end
      // the segment with what is queued and say so.
      this.droppedFragments++;
      this.fallBehind('recording falls behind the disk; dropping to the next keyframe');
      return;
    }
    this.write(data, info, true);
  }

  /** Ends the open segment where what is queued ends, and drops fragments to a keyframe; the hole is a 'disk' gap. */
  private fallBehind(why: string): void {
    this.host.logger.warn({ channel: this.channelId, backlog: this.queueBytes, budget: this.host.budget.usedBytes }, why);
    this.dropping = true;
    if (!this.seg) return void this.setGap('disk', this.lastEndWall || this.host.clock());
    const end = this.seg.file.endWall(this.seg.file.nextDts);
    this.closeSegment();
    this.setGap('disk', end);
  }

  /**
   * The write budget is full and this channel is furthest behind: its queued fragments not yet being written go. The
   * open segment ends there and fragments are dropped to a keyframe ('disk' gap); a segment still closing (rolled, or
   * ended when the channel fell behind) is cut too, the time cut off recorded as a 'disk' gap of its own. Returns the
   * bytes freed.
   */
  shed(): number {
    let freed = 0;
    if (this.seg && !this.dropping) {
      freed = this.seg.file.shed();
      if (freed > 0) this.fallBehind('the write budget is full and this channel is furthest behind: its queued fragments dropped to the next keyframe');
    }
    for (const f of this.closingFiles) {
      const end = f.endWall(f.nextDts);
      const n = f.shed();
      if (n === 0) continue;
      freed += n;
      const from = f.endWall(f.nextDts);
      if (from >= end) continue;
      // The open gap began where this file was to end: it begins where the file now ends; else a gap of its own.
      if (this.gap?.reason === 'disk' && this.gap.since === end) {
        this.gap.since = from;
        cached(this.host.db, 'UPDATE rec_gap SET start_ms = ? WHERE id = ?').run(from, this.gap.id);
      } else {
        insertGap(this.host.db, this.channelId, from, end, 'disk');
      }
    }
    return freed;
  }

  /** Audio-only fragments go along with the video around them; timing, keyframes and rolling come from video alone. */
  private audioFragment(data: Buffer, info: FragmentInfo): void {
    const last = this.ring.at(-1);
    if (this.config.mode === 'event' && last) this.keepInRing({ data, info, wall: last.wall });
    if (!this.seg || this.dropping || !this.shouldRecord(this.host.clock())) return;
    if (!this.host.budget.fits(data.length) || !this.host.canWrite(data.length)) return;
    this.write(data, info);
  }

  // ---- event recording ----

  private keepInRing(f: Ring): void {
    if (this.ring.length === 0 && !f.info.keyframe) return;
    this.ring.push(f);
    this.ringBytes += f.data.length;
    const keep = Math.min(60_000, this.config.preMs);
    // Drop whole GOPs while the next GOP alone still covers the pre-event time.
    for (;;) {
      const nextKey = this.ring.findIndex((r, i) => i > 0 && r.info.keyframe);
      if (nextKey < 0) break;
      if (f.wall - this.ring[nextKey]!.wall < keep && this.ringBytes < RING_MAX_BYTES) break;
      for (const r of this.ring.splice(0, nextKey)) this.ringBytes -= r.data.length;
    }
  }

  /** Ring fragments from the keyframe covering the pre-event time up to (and including) the newest one. */
  private preEvent(now: number): Ring[] {
    if (this.ring.length === 0) return [];
    let from = 0;
    for (let i = 0; i < this.ring.length; i++) if (this.ring[i]!.info.keyframe && this.ring[i]!.wall <= now - this.config.preMs) from = i;
    return this.ring.slice(from);
  }

  /** Starts event recording now (pre-event buffer included) until `postMs` after the last trigger. */
  trigger(kind: string): void {
    const now = this.host.clock();
    addEvent(this.host.db, this.channelId, now, kind.slice(0, 60));
    if (this.config.mode !== 'event') return;
    this.triggerUntil = Math.max(this.triggerUntil, now + this.config.postMs);
    // Open from the ring at once rather than wait for the next keyframe.
    const pre = this.preEvent(now);
    if (!this.seg && pre.length && this.track) {
      this.openSegment(pre[0]!.wall, pre[0]!.info.baseDecodeTime);
      for (const f of pre) this.write(f.data, f.info);
    }
  }

  // ---- segments ----

  /** `rolled`: the previous segment ended only to start this one with the next frame (its span goes on). */
  private openSegment(startMs: number, baseDts: number, rolled = false): void {
    const track = this.track!;
    const db = this.host.db;
    let file: SegmentWriter;
    const seg: Omit<OpenSegment, 'file'> = { span: 0, ownsSpan: false };
    const hole = !rolled && this.lastEndWall > 0 && startMs - this.lastEndWall > SPAN_JOIN_MS;
    // A stream that came back sooner than a stall is noticed (STALL_MS) still leaves a hole; it is the camera's, said so.
    if (hole && this.reconnected && !this.gap) insertGap(db, this.channelId, this.lastEndWall, startMs, 'camera_offline');
    this.reconnected = false;
    try {
      file = SegmentWriter.open(this.host, {
        channelId: this.channelId, stream: this.config.stream, startMs, baseDts, track,
        within: () => {
          this.closeGap(startMs);
          const near = this.span === undefined ? spanEndingNear(db, this.channelId, startMs) : undefined;
          if (near) this.span = near.id;
          if (this.span === undefined || hole) {
            seg.ownsSpan = !near;
            this.span = near?.id ?? insertSpan(db, this.channelId, startMs, startMs);
          }
          seg.span = this.span;
        },
      })!;
    } catch (err) {
      this.host.logger.error({ err, channel: this.channelId }, 'cannot create the recordings folder');
      this.setGap('disk', startMs);
      return;
    }
    this.seg = { ...seg, file };
    this.queue(file, track.data);
  }

  /**
   * Queues bytes (the init segment, audio, or video with `info`), counted in this recorder's backlog and in the shared
   * write budget until on disk (`admitted`: the budget has taken them already).
   */
  private queue(file: SegmentWriter, data: Buffer, info?: FragmentInfo, admitted = false): void {
    const n = data.length;
    this.queueBytes += n;
    if (!admitted) this.host.budget.take(this, n);
    file.push(data, info, () => {
      this.queueBytes -= n;
      this.host.budget.give(this, n);
      this.bytesWritten += n;
      if (info) this.fragmentsWritten++;
    }, () => {
      this.queueBytes -= n;
      this.host.budget.give(this, n);
      if (info?.video) this.droppedFragments++;
    });
  }

  private write(data: Buffer, info: FragmentInfo, admitted = false): void {
    this.queue(this.seg!.file, data, info, admitted);
  }

  /** Ends the open segment: waits for its writes, makes it durable, marks it closed in the index. */
  private closeSegment(): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = undefined;
    const f = seg.file;
    this.lastEndWall = f.endWall(f.nextDts);
    const p = f.close({
      ended: () => {
        // Bytes a failed writer dropped never reach their completion callbacks.
        const lost = f.queuedBytes - f.writtenBytes;
        this.queueBytes -= lost;
        this.host.budget.give(this, lost);
        if (f.error) this.host.logger.error({ err: f.error, channel: this.channelId }, 'segment write failed');
      },
      before: () => {
        // A start moved earlier renames the file too, so its name (which a rebuilt index reads) stays true.
        if (f.startMs !== f.openedAt) {
          const rel = segmentRelPath(this.channelId, this.config.stream, f.startMs);
          try {
            mkdirSync(dirname(join(f.root, rel)), { recursive: true });
            renameSync(join(f.root, f.relPath), join(f.root, rel));
            // A segment left in an earlier recordings folder is indexed by its absolute path.
            cached(this.host.db, 'UPDATE rec_segment SET path = ? WHERE id = ?').run(f.root === this.host.root ? rel : join(f.root, rel), f.id);
          } catch (err) {
            this.host.logger.warn({ err, channel: this.channelId }, 'could not rename a segment to its corrected start');
          }
        }
        this.moveStart(seg);
      },
      after: () => {
        const span = extendInterval(this.host.db, 'rec_span', seg.span, f.endWall());
        if (this.span === seg.span) this.span = span;
      },
    }).catch((err: Error) => this.host.logger.error({ err, channel: this.channelId }, 'closing a segment failed'));
    this.closing.add(p);
    this.closingFiles.add(f);
    void p.finally(() => { this.closing.delete(p); this.closingFiles.delete(f); });
  }

  private moveStart(seg: OpenSegment): void {
    if (seg.movedFrom === undefined) return;
    const db = this.host.db;
    cached(db, 'UPDATE rec_segment SET start_ms = ? WHERE id = ?').run(seg.file.startMs, seg.file.id);
    if (seg.ownsSpan) cached(db, 'UPDATE rec_span SET start_ms = ? WHERE id = ? AND start_ms = ?').run(seg.file.startMs, seg.span, seg.movedFrom);
    seg.movedFrom = undefined;
  }

  // ---- gaps ----

  private setGap(reason: GapReason, at: number): void {
    if (this.gap?.reason === reason) return;
    const db = this.host.db;
    this.closeGap(at);
    this.gap = { id: insertGap(db, this.channelId, at, Math.max(at, this.host.clock()), reason), reason, since: at };
  }

  private closeGap(at: number): void {
    if (!this.gap) return;
    cached(this.host.db, 'UPDATE rec_gap SET end_ms = max(start_ms, ?) WHERE id = ?').run(at, this.gap.id);
    this.gap = undefined;
  }

  /** Once a second: stalls, schedule edges; runs inside the host's index transaction. */
  tick(): void {
    const now = this.host.clock();
    this.samples.push({ at: now, bytes: this.bytesWritten });
    while (this.samples.length > 2 && now - this.samples[0]!.at > 10_000) this.samples.shift();
    if (this.seg?.file.error) {
      const at = this.seg.file.endWall();
      this.closeSegment();
      this.dropping = true;
      this.setGap('disk', at);
    } else if (!this.shouldRecord(now)) {
      if (this.seg) this.closeSegment();
      this.setGap('recording_off', this.lastEndWall || now);
    } else if (now - this.lastFragmentAt > STALL_MS) {
      const at = this.seg ? this.seg.file.endWall(this.seg.file.nextDts) : this.lastEndWall || this.lastFragmentAt;
      if (this.seg) this.closeSegment();
      this.setGap(this.dropping ? 'disk' : 'camera_offline', at);
    } else if (this.gap?.reason === 'recording_off' && !this.seg) {
      this.closeGap(now);
    }
  }

  /** Writes what is on disk of the open segment, and the open gap's end, to the index. */
  flushIndex(): void {
    const db = this.host.db;
    const seg = this.seg;
    if (seg?.file.dirty) {
      seg.file.dirty = false;
      this.moveStart(seg);
      const now = seg.file.written();
      updateSegment(db, seg.file.id, now);
      seg.span = extendInterval(db, 'rec_span', seg.span, now.end_ms);
      this.span = seg.span;
    }
    if (this.gap) this.gap.id = extendInterval(db, 'rec_gap', this.gap.id, this.host.clock());
  }

  /** Closes the open segment and waits for every file to be durable. */
  async stop(reason: GapReason = 'recording_off'): Promise<void> {
    const end = this.seg ? this.seg.file.endWall(this.seg.file.nextDts) : undefined;
    this.closeSegment();
    await Promise.all([...this.closing]);
    if (end !== undefined || !this.gap) this.setGap(reason, end ?? this.host.clock());
    if (this.gap) cached(this.host.db, 'UPDATE rec_gap SET end_ms = max(start_ms, ?) WHERE id = ?').run(this.host.clock(), this.gap.id);
  }
}
