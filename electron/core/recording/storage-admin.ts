// The archive's administration: its settings checked against the disk and the evidence, the storage calculator, the
// recordings folder changed (recordings moved or left) with progress, evidence locks and the audit trail.
import { rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fail, type ArchiveSettings, type CallInput, type FolderMove, type recordingCalls } from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import { readArchiveConfig, writeArchiveConfig, type Archive } from './archive';
import type { SettingsRevisions } from './revisions';
import { actorOf, auditEntries, createLock, lockedBytes, locksWithOwner, unlock } from './evidence';
import { moveRecordings } from './folder-move';
import type { RecordingMode } from './recorder';
import { archiveBytes, audit } from './segment-index';
import { storageForecast, type ChannelRate } from './storage-forecast';

type AdminHandlers = Pick<Handlers, 'recording.forecast' | 'recording.setArchive' | 'archive.setFolder' | 'archive.lock' | 'archive.unlock' | 'archive.locks' | 'archive.audit'>;

export interface ChannelSetting { channelId: number; mode: RecordingMode; schedule: string; retentionDays: number | null }

export interface StorageAdminOptions {
  db: Db;
  archive: Archive;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  /** The recording settings' revisions (optimistic checks of changes). */
  revisions: SettingsRevisions;
  /** Every channel the station knows (registered, or with settings or recordings). */
  channels: () => Promise<number[]>;
  settings: () => ChannelSetting[];
  /** Bits a second each running recorder writes now. */
  recorderRates: () => Map<number, number>;
  /** Points new recordings at a folder (the service's setRoot); `inTransaction` stores it with the index change. */
  setRoot: (path: string, inTransaction: () => void) => void;
  /** The station keeps the folder in its settings. */
  rootChanged?: (path: string) => void;
  totalBytes?: (root: string) => number;
  /** Runs retention now (after a smaller quota or a higher floor). */
  runRetention: () => void;
}

/** GiB with two decimals, for the refusals' sentences. */
const gib = (n: number) => Math.round((n / 1024 ** 3) * 100) / 100;
const DAY_MS = 86_400_000;

export class StorageAdmin {
  private nextMove = 1;
  private moving?: Promise<unknown>;
  private readonly stopping = new AbortController();

  constructor(private readonly o: StorageAdminOptions) {}

  private totalBytes(): number {
    try {
      if (this.o.totalBytes) return this.o.totalBytes(this.o.archive.root);
      const s = statfsSync(this.o.archive.root);
      return s.blocks * s.bsize;
    } catch {
      return 0;
    }
  }

  /** Stored settings after the checks the schema cannot make: they need the disk and the evidence. */
  setArchive(s: ArchiveSettings, revision?: number): ArchiveSettings {
    const locked = lockedBytes(this.o.db);
    if (s.quotaBytes !== null && s.quotaBytes < locked) {
      throw fail('archive.quotaBelowLocked', { field: 'quotaBytes', quotaGiB: gib(s.quotaBytes), lockedGiB: gib(locked) });
    }
    const total = this.totalBytes();
    if (total > 0 && s.freeFloorBytes >= total) {
      throw fail('archive.floorAboveDisk', { field: 'freeFloorBytes', floorGiB: gib(s.freeFloorBytes), diskGiB: gib(total) });
    }
    this.o.revisions.change(revision, ['archive']);
    const before = readArchiveConfig(this.o.db);
    this.o.db.transaction(() => {
      writeArchiveConfig(this.o.db, { segmentMs: s.segmentSeconds * 1000, quotaBytes: s.quotaBytes, freeFloorBytes: s.freeFloorBytes });
      audit(this.o.db, this.o.clock(), 'archive.settings', {
        before: { segmentSeconds: before.segmentMs / 1000, quotaBytes: before.quotaBytes, freeFloorBytes: before.freeFloorBytes }, after: s,
      });
    })();
    this.o.archive.reloadConfig();
    this.o.runRetention();
    return s;
  }

  /** Measured rates and settings per channel, with what-if values over them. */
  private async rates(input: CallInput<'recording.forecast'>): Promise<ChannelRate[]> {
    const db = this.o.db;
    const now = this.o.clock();
    const settings = new Map(this.o.settings().map((s) => [s.channelId, s]));
    const running = this.o.recorderRates();
    const whatIf = new Map((input.channels ?? []).map((c) => [c.channelId, c]));
    const ids = [...new Set([...(await this.o.channels()), ...settings.keys(), ...whatIf.keys()])].sort((a, b) => a - b);
    const lastDay = db.prepare('SELECT coalesce(sum(bytes), 0) AS b, coalesce(sum(end_ms - start_ms), 0) AS ms FROM rec_segment WHERE channel_id = ? AND start_ms BETWEEN ? AND ?');
    return ids.map((channelId) => {
      const s = settings.get(channelId);
      const w = whatIf.get(channelId);
      const day = lastDay.get(channelId, now - DAY_MS, now) as { b: number; ms: number };
      const measured = running.get(channelId) || (day.ms > 5_000 ? (day.b * 8 * 1000) / day.ms : 0);
      const bitrateBps = w?.bitrateBps ?? measured;
      const schedule = s?.schedule ?? '';
      return {
        channelId,
        mode: w?.mode ?? s?.mode ?? 'off',
        bitrateBps,
        measured: w?.bitrateBps === undefined && measured > 0,
        scheduleHours: [...schedule].filter((c) => c === '1').length / 2,
        lastDayBytes: measured > 0 ? day.b * (bitrateBps / measured) : 0,
        retentionDays: w && w.retentionDays !== undefined ? w.retentionDays : s?.retentionDays ?? null,
      };
    });
  }

  async forecast(input: CallInput<'recording.forecast'>) {
    const cfg = readArchiveConfig(this.o.db);
    return storageForecast({
      channels: await this.rates(input),
      quotaBytes: input.quotaBytes !== undefined ? input.quotaBytes : cfg.quotaBytes,
      freeFloorBytes: input.freeFloorBytes ?? cfg.freeFloorBytes,
      disk: { totalBytes: this.totalBytes(), freeBytes: this.o.archive.refreshFree(), archiveBytes: archiveBytes(this.o.db), lockedBytes: lockedBytes(this.o.db) },
    });
  }

  /** A folder that exists and takes a file (written for real: permission bits say nothing of read-only mounts or of root). */
  private checkFolder(path: string): string {
    const dir = resolve(path);
    let isDir = false;
    try { isDir = statSync(dir).isDirectory(); } catch { /* missing */ }
    if (!isDir) throw fail('folder.notFound', { field: 'recordingsDir', path: dir });
    // Written for real: permission bits say nothing of read-only mounts (or of root).
    const probe = join(dir, `.watchpost-write-test-${process.pid}`);
    try {
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (err) {
      throw fail('folder.notWritable', { field: 'recordingsDir', path: dir, error: (err as NodeJS.ErrnoException).code ?? 'error' });
    }
    return dir;
  }

  setFolder(path: string, move: boolean, sessionId: string): { folder: string; moveId: number | null } {
    if (this.moving) throw fail('archive.moveRunning', { field: 'recordingsDir', path: this.o.archive.root });
    const to = this.checkFolder(path);
    const from = resolve(this.o.archive.root);
    if (to === from) return { folder: to, moveId: null };
    const by = actorOf(sessionId);
    this.o.setRoot(to, () => {
      this.o.rootChanged?.(to);
      audit(this.o.db, this.o.clock(), 'folder.changed', { from, to, move, by });
    });
    if (!move) return { folder: to, moveId: null };
    const moveId = this.nextMove++;
    const emit = (p: Omit<FolderMove, 'moveId' | 'from' | 'to'>) => this.o.signals.emit('archive.move', { moveId, from, to, ...p });
    const log = this.o.logger.child({ part: 'folder-move' });
    let last = { doneFiles: 0, totalFiles: 0, doneBytes: 0, totalBytes: 0 };
    this.moving = moveRecordings({
      db: this.o.db, from, to, signal: this.stopping.signal, onProgress: (p) => emit({ state: 'running', ...(last = p) }),
    }).then((r) => {
      audit(this.o.db, this.o.clock(), 'folder.moved', { from, to, files: r.doneFiles - r.skipped, bytes: r.doneBytes, skipped: r.skipped, by });
      log.info({ from, to, ...r }, 'recordings moved to the new folder');
      emit({ state: 'done', doneFiles: r.doneFiles, totalFiles: r.totalFiles, doneBytes: r.doneBytes, totalBytes: r.totalBytes });
    }, (err: Error) => {
      log.error({ err, from, to }, 'moving recordings failed; those not moved stay in the old folder and still play');
      emit({ state: 'failed', ...last, error: err.message });
    }).finally(() => { this.moving = undefined; });
    return { folder: to, moveId };
  }

  get handlers(): AdminHandlers {
    const db = this.o.db;
    return {
      'recording.forecast': (input) => this.forecast(input),
      'recording.setArchive': ({ revision, ...s }) => this.setArchive(s, revision),
      'archive.setFolder': ({ path, move }, session) => this.setFolder(path, move, session.id),
      'archive.lock': ({ channelId, from, to, reason }, session) => {
        const now = this.o.clock();
        // Only what is recorded can be evidence: a range running past now is refused, not stored as it came.
        if (to > now + 1000) throw fail('archive.lockInFuture', { field: 'to' });
        const lock = createLock(db, { channelId, start: from, end: to, reason, at: now, by: actorOf(session.id) });
        this.o.logger.info({ lock: lock.id, channel: channelId, from, to }, 'evidence range locked');
        return lock;
      },
      'archive.unlock': ({ lockId, reason }, session) => {
        const removed = unlock(db, lockId, reason, this.o.clock(), actorOf(session.id));
        if (removed) this.o.logger.info({ lock: lockId }, 'evidence lock removed');
        return { removed };
      },
      'archive.locks': () => locksWithOwner(db),
      'archive.audit': (f) => auditEntries(db, f),
    };
  }

  async dispose(): Promise<void> {
    this.stopping.abort();
    await this.moving?.catch(() => {});
  }
}
