import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { HubConsumer } from '../media/stream-hub';

// Local motion detection: the hub's fMP4 (no second camera connection) decoded by ffmpeg to 160x90 grey frames, differenced frame to frame.

export const MOTION_W = 160;
export const MOTION_H = 90;
const FRAME = MOTION_W * MOTION_H;
/** The mask is 16x9 cells of 10x10 pixels, row by row; '1' = ignored. */
const CELL = 10;

/** The motion grid kept for archive search: 32x18 cells of 5x5 pixels, one bit each, row by row (72 bytes). */
export const GRID_W = 32;
export const GRID_H = 18;
export const GRID_BYTES = (GRID_W * GRID_H) / 8;
const GRID_CELL = 5;
/** Changed pixels (of 25) that make a grid cell count as moving. */
const GRID_CELL_PIXELS = 3;

/**
 * Share of unmasked pixels that changed by more than the sensitivity's threshold. With `cells` (576 counters), also
 * counts changed pixels per grid cell over the whole picture (the mask is for alarms, not for search).
 */
export function changedShare(prev: Uint8Array, cur: Uint8Array, mask: string, sensitivity: number, cells?: Uint8Array): number {
  const pixelThreshold = 12 + Math.round((100 - sensitivity) * 0.4);
  let changed = 0;
  let counted = 0;
  for (let y = 0; y < MOTION_H; y++) {
    const rowCell = Math.floor(y / CELL) * 16;
    const gridRow = Math.floor(y / GRID_CELL) * GRID_W;
    for (let x = 0; x < MOTION_W; x++) {
      const i = y * MOTION_W + x;
      const moved = Math.abs(cur[i]! - prev[i]!) > pixelThreshold;
      if (moved && cells) cells[gridRow + Math.floor(x / GRID_CELL)]!++;
      if (mask.charCodeAt(rowCell + Math.floor(x / CELL)) === 49) continue;
      counted++;
      if (moved) changed++;
    }
  }
  return counted === 0 ? 0 : changed / counted;
}

/** ORs a frame's cell counters into a 72-byte grid bitmask; true when any cell moved. */
export function orGrid(counts: Uint8Array, grid: Uint8Array): boolean {
  let any = false;
  for (let c = 0; c < counts.length; c++) {
    if (counts[c]! < GRID_CELL_PIXELS) continue;
    grid[c >> 3]! |= 1 << (c & 7);
    any = true;
  }
  return any;
}

/** Where grids go (the recording side's motion index), handed in so events does not import recording. */
export interface MotionGridSink {
  /** One sample: the cells that moved from `at` for `stepMs`. */
  add(channelId: number, at: number, grid: Uint8Array): void;
}

/** Share of changed pixels that counts as motion: 0.1 % at sensitivity 100, about 1.1 % at 1. */
export const motionShare = (sensitivity: number) => 0.001 + (100 - sensitivity) * 0.0001;

export interface MotionHub {
  attach(consumer: HubConsumer): () => void;
}

export interface MotionDetectorOptions {
  hub: MotionHub;
  ffmpegPath: string;
  sensitivity: number;
  mask: string;
  /** Frames per second analysed (decoding stays whole; fewer comparisons). */
  fps?: number;
  /** Quiet time before motion is declared over. */
  holdMs?: number;
  onMotion: (on: boolean) => void;
  /** The picture stopped changing at all (a frozen encoder repeats identical frames; a live sensor always has noise). */
  onFrozen?: (frozen: boolean) => void;
  frozenMs?: number;
  onError?: (message: string) => void;
  /** Every `gridMs` (500 by default) the cells that moved in that time, also when none did (the time is then known still). */
  onGrid?: (at: number, grid: Uint8Array) => void;
  gridMs?: number;
  clock?: () => number;
}

/** One ffmpeg per watched stream, fed from the hub; returns frames to the differencer. dispose() reaps ffmpeg. */
export class MotionDetector {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private detach: (() => void) | undefined;
  private prev: Uint8Array | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private on = false;
  private lastMotion = 0;
  private hits = 0;
  private stillSince: number | undefined;
  private frozen = false;
  private closed = false;
  private readonly counts = new Uint8Array(GRID_W * GRID_H);
  private grid = new Uint8Array(GRID_BYTES);
  private gridStart: number | undefined;
  private readonly clock: () => number;
  frames = 0;

  /** The decoding ffmpeg's pid, for CPU measurements. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  constructor(private readonly opts: MotionDetectorOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  start(): () => Promise<void> {
    this.detach = this.opts.hub.attach({
      init: (data) => this.restart(data),
      fragment: (data) => {
        if (this.proc?.stdin.writable && this.proc.stdin.writableLength < 4 * 1024 * 1024) this.proc.stdin.write(data);
      },
    });
    return () => this.dispose();
  }

  /** A new init segment means a new upstream: its timestamps start over, so ffmpeg does too. */
  private restart(init: Buffer): void {
    if (this.closed) return;
    this.kill();
    this.prev = undefined;
    this.pending = Buffer.alloc(0);
    const p = spawn(this.opts.ffmpegPath, [
      '-hide_banner', '-loglevel', 'error', '-f', 'mp4', '-i', 'pipe:0',
      '-an', '-vf', `fps=${this.opts.fps ?? 5},scale=${MOTION_W}:${MOTION_H},format=gray`, '-f', 'rawvideo', 'pipe:1',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = p;
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-500)));
    p.stdin.on('error', () => {});
    p.stdout.on('data', (d: Buffer) => this.onData(d));
    p.once('exit', (code) => {
      if (this.proc === p) this.proc = undefined;
      if (!this.closed && code !== 0 && code !== null) this.opts.onError?.(`motion ffmpeg exited ${code}: ${err.trim()}`);
    });
    p.stdin.write(init);
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    while (this.pending.length >= FRAME) {
      const frame = new Uint8Array(this.pending.subarray(0, FRAME));
      this.pending = this.pending.subarray(FRAME);
      this.analyse(frame);
    }
  }

  private analyse(frame: Uint8Array): void {
    this.frames++;
    const prev = this.prev;
    this.prev = frame;
    if (!prev) return;
    const now = this.clock();
    this.checkFrozen(prev, frame, now);
    const cells = this.opts.onGrid ? this.counts.fill(0) : undefined;
    const moving = changedShare(prev, frame, this.opts.mask, this.opts.sensitivity, cells) > motionShare(this.opts.sensitivity);
    if (cells) this.addGrid(cells, now);
    // Two frames in a row before motion starts: a single flicker (compression, a keyframe) is not motion.
    this.hits = moving ? this.hits + 1 : 0;
    if (moving) this.lastMotion = now;
    if (!this.on && this.hits >= 2) {
      this.on = true;
      this.opts.onMotion(true);
    } else if (this.on && now - this.lastMotion > (this.opts.holdMs ?? 2000)) {
      this.on = false;
      this.opts.onMotion(false);
    }
  }

  private addGrid(cells: Uint8Array, now: number): void {
    const step = this.opts.gridMs ?? 500;
    // Samples sit on a fixed step so search can treat each as [at, at + step).
    const slot = now - (now % step);
    if (this.gridStart !== undefined && slot !== this.gridStart) {
      this.opts.onGrid!(this.gridStart, this.grid);
      this.grid = new Uint8Array(GRID_BYTES);
    }
    this.gridStart = slot;
    orGrid(cells, this.grid);
  }

  private checkFrozen(prev: Uint8Array, frame: Uint8Array, now: number): void {
    // Re-encoded keyframes of a frozen picture differ by a grey level or two; any live scene moves more than that on average.
    let sum = 0;
    let max = 0;
    for (let i = 0; i < frame.length; i += 3) {
      const d = Math.abs(frame[i]! - prev[i]!);
      sum += d;
      if (d > max) max = d;
    }
    const still = max <= 8 && sum / Math.ceil(frame.length / 3) < 0.2;
    if (!still) {
      this.stillSince = undefined;
      if (this.frozen) (this.frozen = false, this.opts.onFrozen?.(false));
      return;
    }
    this.stillSince ??= now;
    if (!this.frozen && now - this.stillSince >= (this.opts.frozenMs ?? 30_000)) (this.frozen = true, this.opts.onFrozen?.(true));
  }

  private kill(): void {
    const p = this.proc;
    this.proc = undefined;
    if (p && p.exitCode === null) {
      p.stdin.destroy();
      p.kill('SIGKILL');
    }
  }

  async dispose(): Promise<void> {
    this.closed = true;
    this.detach?.();
    const p = this.proc;
    this.kill();
    if (p && p.exitCode === null && p.signalCode === null) await new Promise((r) => p.once('exit', r));
    if (this.gridStart !== undefined) this.opts.onGrid?.(this.gridStart, this.grid);
    this.gridStart = undefined;
    if (this.on) this.opts.onMotion(false);
    if (this.frozen) this.opts.onFrozen?.(false);
    this.on = false;
    this.frozen = false;
  }
}
