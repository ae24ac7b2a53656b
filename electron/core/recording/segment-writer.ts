// One segment being written: its file (SerialWriter, the disk accounting of the ArchiveHost), its index row, its
// keyframes and media times. The recorder (live) and edge backfill (a camera's card) both write segments through it, so
// a segment is made, filled and closed one way whatever its source.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FragmentInfo, TrackInfo } from '../media/fmp4';
import type { ArchiveHost } from './recorder';
import { segmentRelPath } from './segment-file';
import { cached, insertSegment, updateSegment, type Keyframe, type StreamKind } from './segment-index';
import { SerialWriter } from './serial-writer';
import { relaxedCommit } from '../storage/db';

export interface SegmentOpen {
  channelId: number;
  stream: StreamKind;
  startMs: number;
  baseDts: number;
  track: { data: Buffer; info: TrackInfo };
  /** Marked as fetched from the camera's card (edge backfill). */
  fromCamera?: boolean;
  /** No row when the file cannot be created: undefined instead (the recorder keeps the row and finds the error later). */
  needFile?: boolean;
  /** Runs in the transaction that inserts the row, with its id (the recorder closes its gap and joins its span there). */
  within?(id: number): void;
}

export class SegmentWriter {
  /** Keyframes queued, with whether they are on disk yet. */
  readonly keyframes: (Keyframe & { written: boolean })[] = [];
  queuedBytes = 0;
  /** The media time after the last video fragment on disk, and after the last one queued. */
  writtenEndDts: number;
  nextDts: number;
  /** Something reached the file since the index last heard of it. */
  dirty = false;
  /** The start may move earlier (the recorder's better wall-clock anchor); `openedAt` is what the file is named after. */
  startMs: number;

  private constructor(
    private readonly host: ArchiveHost,
    readonly id: number,
    readonly openedAt: number,
    /** The recordings folder it is written in. */
    readonly root: string,
    readonly relPath: string,
    readonly baseDts: number,
    readonly timescale: number,
    private readonly writer: SerialWriter,
  ) {
    this.startMs = openedAt;
    this.writtenEndDts = this.nextDts = baseDts;
  }

  /**
   * Creates the file and its index row (open, end = start) and queues nothing yet: the caller queues the init segment
   * with `push` so its own accounting sees it. Throws when the folder cannot be made.
   */
  static open(host: ArchiveHost, o: SegmentOpen): SegmentWriter | undefined {
    const root = host.root;
    const relPath = segmentRelPath(o.channelId, o.stream, o.startMs);
    const abs = join(root, relPath);
    mkdirSync(dirname(abs), { recursive: true });
    const writer = new SerialWriter(abs, host.beforeWrite);
    if (o.needFile && writer.error) return undefined;
    const db = host.db;
    const info = o.track.info;
    // Its commit does not wait for the disk (the once-a-second flush makes it durable): see relaxedCommit.
    const id = relaxedCommit(db, () => db.transaction(() => {
      const id = insertSegment(db, {
        channel_id: o.channelId, stream: o.stream, start_ms: o.startMs, end_ms: o.startMs, bytes: 0, path: relPath, codec: info.codec,
        width: info.width, height: info.height, timescale: info.timescale, base_dts: o.baseDts, init_bytes: o.track.data.length, closed: 0, keyframes: [],
      });
      if (o.fromCamera) cached(db, 'UPDATE rec_segment SET from_camera = 1 WHERE id = ?').run(id);
      o.within?.(id);
      return id;
    })());
    return new SegmentWriter(host, id, o.startMs, root, relPath, o.baseDts, info.timescale, writer);
  }

  get error(): Error | undefined {
    return this.writer.error;
  }

  get writtenBytes(): number {
    return this.writer.writtenBytes;
  }

  /**
   * Queues bytes: the init segment or an audio fragment (no `info`), or a video fragment, whose keyframe and media time
   * are kept. `done` runs once they are in the file, `dropped` instead when `shed` drops them first.
   */
  push(data: Buffer, info?: FragmentInfo, done?: () => void, dropped?: () => void): void {
    let kf: (Keyframe & { written: boolean }) | undefined;
    let end: number | undefined;
    if (info?.video) {
      if (info.keyframe) this.keyframes.push(kf = { offsetMs: ((info.baseDecodeTime - this.baseDts) * 1000) / this.timescale, byte: this.queuedBytes, written: false });
      end = info.baseDecodeTime + info.duration;
      this.nextDts = end;
    }
    this.queuedBytes += data.length;
    this.host.onQueued(data.length);
    this.writer.push(data, () => {
      this.host.onWritten(data.length);
      if (kf) kf.written = true;
      if (end !== undefined) {
        this.writtenEndDts = end;
        this.dirty = true;
      }
      done?.();
    }, () => {
      // Shed before it was written: its keyframe is not in the file, and the segment ends where this fragment began.
      this.queuedBytes -= data.length;
      if (kf) this.keyframes.splice(this.keyframes.indexOf(kf), 1);
      if (info?.video) this.nextDts = Math.min(this.nextDts, info.baseDecodeTime);
      dropped?.();
    });
  }

  /** Drops what is queued and not yet being written (the shared write budget is full: write-budget.ts); returns the bytes. */
  shed(): number {
    return this.writer.shed();
  }

  /** The wall time at a media time of this segment (by default the end of what is on disk). */
  endWall(dts = this.writtenEndDts): number {
    return Math.round(this.startMs + ((dts - this.baseDts) * 1000) / this.timescale);
  }

  /** The index's view of what is on disk now (the recorder's once-a-second flush; the close). */
  written(): { end_ms: number; bytes: number; keyframes: Keyframe[] } {
    return { end_ms: this.endWall(), bytes: this.writer.writtenBytes, keyframes: this.keyframes.filter((k) => k.written) };
  }

  /**
   * Ends the file: waits for its writes and makes it durable; then, unless the database has closed meanwhile, marks the
   * row closed with what is on disk, `before` and `after` running in the same transaction around that update.
   */
  async close(hooks: { ended?(): void; before?(): void; after?(): void } = {}): Promise<void> {
    await this.writer.end();
    hooks.ended?.();
    const db = this.host.db;
    if (!db.open) return;
    relaxedCommit(db, () => db.transaction(() => {
      hooks.before?.();
      updateSegment(db, this.id, { ...this.written(), closed: true });
      hooks.after?.();
    })());
  }
}
