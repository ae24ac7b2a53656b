// Appends buffers to one file in order, counting what is queued and what is on disk. A buffer that finds the
// writer idle goes straight into the page cache (a write(2) of a fragment takes microseconds), so a process
// killed right after `push` returned has it in the file; while a write is in flight, or after any writer's write took
// long (a stalling disk), buffers queue and are written off the event loop instead.
import { close, fdatasync, openSync, writeSync, writev } from 'node:fs';

const SLOW_WRITE_MS = 20;
/** Buffers in one writev (under IOV_MAX, 1024 on Linux). */
const MAX_BATCH = 512;
const ASYNC_AFTER_SLOW_MS = 10_000;

/**
 * Until when every writer of this process writes off the event loop. One for all: the page cache and the disk are
 * shared, so when one write(2) blocks (the kernel throttling dirty pages) the next channel's would too — with a flag
 * per writer, 64 channels each paid one blocked write before going async, seconds of stall in all (issue 17).
 */
const direct = { asyncUntil: 0 };

export type BeforeWrite = (bytes: number) => Promise<void>;

export class SerialWriter {
  private queue: { data: Buffer; done?: () => void; dropped?: () => void }[] = [];
  private busy = false;
  private fd?: number;
  private failed?: Error;
  private ending?: { resolve: () => void };
  queuedBytes = 0;
  writtenBytes = 0;

  /** Creates the file (a failure is kept in `error`: later pushes are dropped). */
  constructor(path: string, private readonly beforeWrite?: BeforeWrite) {
    try {
      this.fd = openSync(path, 'wx', 0o640);
    } catch (err) {
      this.failed = err as Error;
    }
  }

  get error(): Error | undefined {
    return this.failed;
  }

  /** Queues bytes; `done` runs once they are in the file, `dropped` instead if `shed` drops them first. */
  push(data: Buffer, done?: () => void, dropped?: () => void): void {
    if (this.failed) return;
    if (!this.busy && !this.queue.length && !this.beforeWrite && this.fd !== undefined && !this.ending && Date.now() >= direct.asyncUntil) {
      return this.writeNow(data, done);
    }
    this.queue.push({ data, done, dropped });
    this.queuedBytes += data.length;
    this.pump();
  }

  /**
   * Drops every queued buffer not yet being written, newest first (the file keeps ending on a whole fragment: a write
   * under way finishes), each one's `dropped` run. Returns the bytes dropped.
   */
  shed(): number {
    let bytes = 0;
    for (let next = this.queue.pop(); next; next = this.queue.pop()) {
      bytes += next.data.length;
      this.queuedBytes -= next.data.length;
      next.dropped?.();
    }
    return bytes;
  }

  private writeNow(data: Buffer, done?: () => void): void {
    const t0 = performance.now();
    try {
      for (let off = 0; off < data.length; ) off += writeSync(this.fd!, data, off, data.length - off);
    } catch (err) {
      this.failed = err as Error;
      return;
    }
    if (performance.now() - t0 > SLOW_WRITE_MS) direct.asyncUntil = Date.now() + ASYNC_AFTER_SLOW_MS;
    this.writtenBytes += data.length;
    done?.();
  }

  private pump(): void {
    if (this.busy) return;
    if (this.fd === undefined) {
      if (this.ending) this.finish();
      return;
    }
    if (!this.queue.length) {
      if (this.ending) this.finish();
      return;
    }
    // Everything queued goes in one writev: one write per writer is in flight at a time, and its completion runs on the
    // event loop, so one buffer a write made a lagging loop the disk's pace (64 channels wrote 1 MB/s on a busy machine).
    const batch = this.queue.splice(0, MAX_BATCH);
    const bytes = batch.reduce((n, b) => n + b.data.length, 0);
    this.busy = true;
    const go = () => writev(this.fd!, batch.map((b) => b.data), null, (err, n) => {
      this.busy = false;
      this.queuedBytes -= bytes;
      if (err || n !== bytes) {
        this.failed = err ?? new Error(`short write (${n} of ${bytes} bytes)`);
        this.queuedBytes = 0;
        this.queue = [];
        if (this.ending) this.finish();
        return;
      }
      for (const b of batch) {
        this.writtenBytes += b.data.length;
        b.done?.();
      }
      this.pump();
    });
    if (this.beforeWrite) void this.beforeWrite(bytes).then(go);
    else go();
  }

  /** Waits for the queue, makes the file durable, closes it. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      this.ending = { resolve };
      this.pump();
    });
  }

  private finish(): void {
    const fd = this.fd;
    const resolve = this.ending!.resolve;
    this.fd = undefined;
    if (fd === undefined) return resolve();
    fdatasync(fd, () => close(fd, () => resolve()));
  }
}
