// Appends buffers to one file in order, off the event loop, counting what is queued and what is on disk.
import { close, fdatasync, open, write } from 'node:fs';

export type BeforeWrite = (bytes: number) => Promise<void>;

export class SerialWriter {
  private queue: { data: Buffer; done?: () => void }[] = [];
  private busy = false;
  private fd?: number;
  private failed?: Error;
  private ending?: { resolve: () => void };
  queuedBytes = 0;
  writtenBytes = 0;

  private opening = true;

  /** Opens (creates) the file in the background; pushes queue until it is open. */
  constructor(path: string, private readonly beforeWrite?: BeforeWrite) {
    open(path, 'wx', 0o640, (err, fd) => {
      this.opening = false;
      if (err) {
        this.failed = err;
        this.queuedBytes = 0;
        this.queue = [];
      } else {
        this.fd = fd;
      }
      this.pump();
    });
  }

  get error(): Error | undefined {
    return this.failed;
  }

  /** Queues bytes; `done` runs once they are in the file. */
  push(data: Buffer, done?: () => void): void {
    if (this.failed) return;
    this.queue.push({ data, done });
    this.queuedBytes += data.length;
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.opening) return;
    if (this.fd === undefined) {
      if (this.ending) this.finish();
      return;
    }
    const next = this.queue.shift();
    if (!next) {
      if (this.ending) this.finish();
      return;
    }
    this.busy = true;
    const go = () => write(this.fd!, next.data, 0, next.data.length, null, (err, n) => {
      this.busy = false;
      this.queuedBytes -= next.data.length;
      if (err || n !== next.data.length) {
        this.failed = err ?? new Error(`short write (${n} of ${next.data.length} bytes)`);
        this.queuedBytes = 0;
        this.queue = [];
        if (this.ending) this.finish();
        return;
      }
      this.writtenBytes += n;
      next.done?.();
      this.pump();
    });
    if (this.beforeWrite) void this.beforeWrite(next.data.length).then(go);
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
