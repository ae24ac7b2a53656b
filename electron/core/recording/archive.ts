// What every recorder shares: the index, the recordings folder, one index transaction a second, the disk guard.
import { statfsSync } from 'node:fs';
import type { Logger } from '../log';
import type { Db } from '../storage/db';
import type { ArchiveHost, ChannelRecorder } from './recorder';
import type { BeforeWrite } from './serial-writer';
import { WriteBudget } from './write-budget';

/**
 * What all recorders together may hold in memory for the disk: 128 MiB is 4 s of a stalled disk at 64 channels of
 * 4 Mb/s (16 s at 16). Each channel had 16 MiB of its own before, a gibibyte at 64 channels.
 */
export const WRITE_BUDGET_BYTES = 128 * 1024 * 1024;

export interface ArchiveOptions {
  db: Db;
  root: string;
  logger: Logger;
  clock?: () => number;
  /** Free bytes on the recordings volume (tests pass a fake disk). */
  freeBytes?: (root: string) => number;
  /** The shared write budget's bound (default WRITE_BUDGET_BYTES). */
  writeBudgetBytes?: number;
  flushMs?: number;
  beforeWrite?: BeforeWrite;
}

export interface ArchiveConfig { segmentMs: number; quotaBytes: number | null; freeFloorBytes: number }

export function readArchiveConfig(db: Db): ArchiveConfig {
  const r = db.prepare('SELECT segment_ms, quota_bytes, free_floor_bytes FROM rec_config WHERE slot = 1').get() as { segment_ms: number; quota_bytes: number | null; free_floor_bytes: number };
  return { segmentMs: r.segment_ms, quotaBytes: r.quota_bytes, freeFloorBytes: r.free_floor_bytes };
}

export function writeArchiveConfig(db: Db, c: ArchiveConfig): void {
  db.prepare('UPDATE rec_config SET segment_ms = ?, quota_bytes = ?, free_floor_bytes = ? WHERE slot = 1').run(c.segmentMs, c.quotaBytes, c.freeFloorBytes);
}

export function volumeFreeBytes(root: string): number {
  const s = statfsSync(root);
  return s.bavail * s.bsize;
}

export class Archive implements ArchiveHost {
  readonly db: Db;
  /** The recordings folder new segments go to (changed by setRoot). */
  root: string;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly budget: WriteBudget;
  readonly beforeWrite?: BeforeWrite;
  private readonly recorders = new Set<ChannelRecorder>();
  private config: ArchiveConfig;
  private free = Infinity;
  private timer?: NodeJS.Timeout;
  /** Bytes written since start, for the write-rate forecast. */
  written = 0;

  constructor(private readonly opts: ArchiveOptions) {
    this.db = opts.db;
    this.root = opts.root;
    this.logger = opts.logger.child({ part: 'archive' });
    this.clock = opts.clock ?? Date.now;
    this.budget = new WriteBudget(opts.writeBudgetBytes ?? WRITE_BUDGET_BYTES);
    this.beforeWrite = opts.beforeWrite;
    this.config = readArchiveConfig(this.db);
    this.refreshFree();
  }

  get settings(): ArchiveConfig {
    return this.config;
  }

  /** New segments go to `root` from now on (each recorder closes its open segment at its next keyframe). */
  setRoot(root: string): void {
    this.root = root;
    this.refreshFree();
  }

  reloadConfig(): void {
    this.config = readArchiveConfig(this.db);
  }

  segmentMs(): number {
    return this.config.segmentMs;
  }

  /** Re-reads the volume's free space (the estimate is lowered by every write in between). */
  refreshFree(): number {
    try { this.free = (this.opts.freeBytes ?? volumeFreeBytes)(this.root); } catch { this.free = Infinity; }
    return this.free;
  }

  get freeBytes(): number {
    return this.free;
  }

  /** The hard floor: half the configured free-space floor, and never below 32 MiB. */
  get hardFloorBytes(): number {
    return Math.max(this.config.freeFloorBytes / 2, 32 * 1024 * 1024);
  }

  canWrite(bytes: number): boolean {
    return this.free - bytes > this.hardFloorBytes;
  }

  onQueued(bytes: number): void {
    this.free -= bytes;
  }

  onWritten(bytes: number): void {
    this.written += bytes;
  }

  add(r: ChannelRecorder): () => void {
    this.recorders.add(r);
    return () => this.recorders.delete(r);
  }

  /** Ticks every recorder and writes their progress in one transaction. */
  flush(): void {
    if (!this.db.open) return;
    this.refreshFree();
    this.db.transaction(() => {
      for (const r of this.recorders) {
        r.tick();
        r.flushIndex();
      }
    })();
  }

  start(): () => void {
    this.timer = setInterval(() => {
      try { this.flush(); } catch (err) { this.logger.error({ err }, 'index flush failed'); }
    }, this.opts.flushMs ?? 1000);
    this.timer.unref();
    return () => clearInterval(this.timer);
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
