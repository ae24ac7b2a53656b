// The recording area of the station: recorders on the live hubs, the index kept with the disk, retention,
// playback sessions on each client's media channel, export and verification, evidence locks.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  fail, SITE_CHANNEL_BASE, splitSiteChannel, type ArchiveSegment, type CallInput, type CallOutput, type ArchiveSettings, type ChannelRecordingConfig, type ExportProgress, type recordingCalls, type TimelineChannel,
} from '../../contract';
import type { ClientSession } from '../client-session';
import type { ChannelRegistry } from '../devices/channel-registry';
import type { SignalBus } from '../signal-bus';
import type { Logger } from '../log';
import { jpegFromKeyframe, type FrameOverlay } from '../media/snapshot';
import type { StreamHub } from '../media/stream-hub';
import type { Handlers } from '../rpc';
import { openDatabase, type Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { Archive, readArchiveConfig } from './archive';
import { overview } from './archive-density';
import { Backfill, cardSource, zoneOffsetMs, type BackfillOptions, type DeviceCard } from './backfill';
import { ArchiveCursor, frameTimesAround, isInit, type ArchiveSource } from './archive-reader';
import { exportRange, stationSigningKey, verifyExport } from './export';
import { loadMotionFiles, motionIndexBytes, motionIndexBytesByChannel, MotionIndexWriter, searchMotion } from './motion-index';
import { PlaybackSession } from './playback';
import { reconcileAll, reconcileOpen } from './reconcile';
import { ALWAYS, ChannelRecorder, type RecorderConfig, type RecorderStatus } from './recorder';
import { deleteChannelSegments, forecast, sweepRetention, unlinkSegments, type Forecast } from './retention';
import { channelsWithRecordings, extendInterval, insertGap, rebaseSegmentPaths, recordedDays, segmentById, segmentsIn, timeline, toArchiveSegment, type StreamKind } from './segment-index';
import { segmentFile } from './segment-file';
import { SettingsRevisions } from './revisions';
import { StorageAdmin } from './storage-admin';
import type { BeforeWrite } from './serial-writer';

type RecordingHandlers = Pick<Handlers, keyof typeof recordingCalls>;

/**
 * Other stations' channels on this desk (`sites/remote-archive.ts`): their timeline asked of their station, their
 * recordings copied into an archive of the desk's own (same index, same files) that playback and export read.
 */
export interface RemoteArchivePort {
  /** The desk's copy of a remote channel's archive (its rows under the desk's channel id, in the desk's clock). */
  sourceOf(channelId: number): ArchiveSource;
  /** Copies the segment playback at `at` starts from (the one holding it, else the next; the one before when rewinding). */
  prepare(channelId: number, at: number, speed: number): Promise<void>;
  /** Copies every segment overlapping [from, to] (export). */
  fetch(channelId: number, from: number, to: number, signal?: AbortSignal): Promise<void>;
  /** Keeps copying ahead of a playing session's clock; returns the stop. */
  follow(channelIds: number[], clock: () => { at: number; speed: number }): () => void;
  /** More of the channel's archive after `after` is known there and not copied yet (or being copied). */
  more(channelId: number, after: number): boolean;
  timeline(channelIds: number[], from: number, to: number): Promise<TimelineChannel[]>;
  overview(channelIds: number[], from: number, to: number, maxPoints: number): Promise<Map<number, { recorded: number[]; events: number[] }>>;
  days(channelIds: number[], from: number, to: number, utcOffsetMinutes: number): Promise<string[]>;
  thumbnail(channelId: number, at: number): Promise<{ jpegBase64: string; at: number } | null>;
  /** Motion search over their station's grid (hits in the desk's clock); a station that cannot answer finds nothing. */
  motionSearch(channelIds: number[], q: Omit<CallInput<'archive.motionSearch'>, 'channelIds' | 'source'>): Promise<CallOutput<'archive.motionSearch'>>;
}

const isSite = (id: number) => splitSiteChannel(id) !== null;

export interface RecordingServiceOptions {
  db: Db;
  /** The recordings folder at start (setRoot moves it while running). */
  root: string;
  dataDir: string;
  live: { hub(streamId: string): Promise<StreamHub> };
  registry: ChannelRegistry;
  signals: SignalBus;
  secrets: SecretStore;
  logger: Logger;
  ffmpegPath: () => string;
  clock?: () => number;
  freeBytes?: (root: string) => number;
  beforeWrite?: BeforeWrite;
  retentionEveryMs?: number;
  statusEveryMs?: number;
  /** The disk's size (tests fake it with freeBytes). */
  totalBytes?: (root: string) => number;
  /** A folder chosen on the storage page: the station stores it with its settings (called inside the index change). */
  rootChanged?: (root: string) => void;
  /** The full disk-vs-index pass at start (default on; the bench's synthetic index has files only where it samples). */
  fullReconcile?: boolean;
  /** Edge backfill's pace and timing (tests and benches); the defaults suit a station. */
  backfill?: Pick<BackfillOptions, 'bytesPerSecond' | 'scanMs' | 'settleMs' | 'idleMs'>;
  /** Privacy masks burnt into thumbnails (those not lifted by the asking session) and, the permanent ones, into every export. */
  burnIn?: (channelId: number, session?: ClientSession) => { key: string; overlay: FrameOverlay } | null;
  /** Burns a channel's permanent masks into an exported file (see ExportRequest.burnMasks). */
  burnMasks?: (path: string, channelId: number) => Promise<string[] | null>;
  /** Other stations' channels (a desk): their archive. */
  remote?: RemoteArchivePort;
  /** Marks this station's own failover recordings of other stations' channels on its timeline (sites/failover.ts). */
  markStandby?: (list: TimelineChannel[]) => TimelineChannel[];
}

interface ConfigRow {
  channel_id: number; mode: RecorderConfig['mode']; stream: 'main' | 'sub'; schedule: string; pre_ms: number; post_ms: number; retention_days: number | null;
  motion_grid: 0 | 1; backfill: 0 | 1; card_time_zone: string;
}

/** Segments retention deletes in one go before it lets the event loop run (issue 17: 64 channels age out together). */
const RETENTION_SLICE = 8;

/** Playback media channels live far above live view's numbers on the same client port. */
const PLAYBACK_CHANNEL_BASE = 1_000_000;

export class RecordingService {
  readonly archive: Archive;
  /** The motion grid sink the events area feeds (MotionGridSink), stored beside the segment index. */
  readonly motionGrid: MotionIndexWriter;
  /** Edge backfill: gaps filled from the cameras' cards. */
  readonly backfill: Backfill;
  /** The devices area's port for backfill (its Profile G replay URI, its clock's zone), handed in once it exists. */
  private cardOf?: (channelId: number, stream: StreamKind) => Promise<DeviceCard | undefined>;
  private readonly admin: StorageAdmin;
  private readonly revisions: SettingsRevisions;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly recorders = new Map<number, { rec: ChannelRecorder; detach: () => void; removeFromArchive: () => void }>();
  private readonly stopsInFlight = new Set<Promise<void>>();
  /** Recorders of other stations' cameras (failover, recordFrom): their stops. */
  private readonly foreign = new Set<() => Promise<void>>();
  private readonly sources = new Map<string, ArchiveSource>();
  private readonly sessions = new Map<number, { session: PlaybackSession; owner: ClientSession; release: () => void; channelIds: number[]; far: number[]; stopFollow?: () => void }>();
  private readonly mediaNext = new WeakMap<ClientSession, number>();
  private readonly exports = new Map<number, AbortController>();
  /** The channels of each running export (rights on export.cancel and export.progress). */
  private readonly exportChannels = new Map<number, number[]>();
  private readonly thumbs = new Map<string, { jpegBase64: string; at: number }>();
  private readonly disposers: (() => void)[] = [];
  private nextSession = 1;
  private nextExport = 1;
  private lastForecast?: { at: number; value: Forecast };
  private retentionRunning = false;
  private background?: Promise<unknown>;
  private readonly stopping = new AbortController();
  /** The full disk-vs-index pass at start; a change of folder stops it (its relative paths would mean the old folder). */
  private readonly reconciling = new AbortController();

  constructor(private readonly opts: RecordingServiceOptions) {
    this.clock = opts.clock ?? Date.now;
    this.log = opts.logger.child({ part: 'recording' });
    mkdirSync(opts.root, { recursive: true });
    this.archive = new Archive({ db: opts.db, root: opts.root, logger: opts.logger, clock: this.clock, freeBytes: opts.freeBytes, beforeWrite: opts.beforeWrite });
    this.sources.set('local', { id: 'local', db: opts.db, root: opts.root, label: 'This station' });
    // The grid also goes into the recordings folder while the channel records, so the folder carries it elsewhere.
    this.motionGrid = new MotionIndexWriter(opts.db, undefined, { folderOf: (ch) => (this.recorders.get(ch)?.rec.status().state === 'recording' ? this.archive.root : undefined) });
    for (const c of this.configs()) if (!c.motion_grid) this.motionGrid.off.add(c.channel_id);
    this.backfill = new Backfill({
      host: this.archive, logger: this.log, ...opts.backfill,
      channel: (id) => { const c = this.configOf(id); return c.backfill && c.mode !== 'off' ? c.stream : undefined; },
      source: async (id, stream, start, end) => {
        const device = await this.cardOf?.(id, stream).catch((err: Error) => { this.log.warn({ err, channel: id }, 'could not ask the device about its card'); return undefined; });
        // A channel added by its RTSP URL: the camera's clock keeps the zone its settings here say (UTC unless set).
        const byUrl = !device && !(await opts.registry.get(id)).device;
        const card: DeviceCard | undefined = byUrl ? { localOffsetMs: zoneOffsetMs(this.configOf(id).card_time_zone, start) } : device;
        return cardSource(await opts.registry.streamUrl(id, stream), card, start, end);
      },
      filled: (channelId, start, end) => this.opts.signals.emit('archive.filled', { channelId, start, end }),
    });
    // Signalled at once: the change's own writes follow synchronously, before any client can ask again.
    this.revisions = new SettingsRevisions(opts.db, this.clock, this.log, (revision) => opts.signals.emit('recording.changed', { revision }));
    this.admin = new StorageAdmin({
      revisions: this.revisions,
      db: opts.db, archive: this.archive, signals: opts.signals, logger: this.log, clock: this.clock, totalBytes: opts.totalBytes,
      channels: async () => (await opts.registry.list()).map((c) => c.id),
      settings: () => this.configs().map((c) => ({ channelId: c.channel_id, mode: c.mode, schedule: c.schedule, retentionDays: c.retention_days })),
      recorderRates: () => new Map([...this.recorders].map(([id, r]) => [id, r.rec.bitrateBps()])),
      setRoot: (path, inTransaction) => this.setRoot(path, inTransaction),
      rootChanged: opts.rootChanged,
      runRetention: () => this.runRetention(),
    });
  }

  /** Reconciles the crash leftovers, notes the time the station was down, starts the configured recorders. */
  /** Hands in the devices area's answer to how a channel's card is played (station.ts, once devices exist). */
  useDeviceCards(port: (channelId: number, stream: StreamKind) => Promise<DeviceCard | undefined>): void {
    this.cardOf = port;
  }

  async start(): Promise<void> {
    const db = this.opts.db;
    const report = reconcileOpen(db, this.archive.root);
    if (report.checkedOpen) this.log.info({ ...report }, 'segments left open by the last run reconciled');
    const now = this.clock();
    db.transaction(() => {
      for (const ch of channelsWithRecordings(db)) {
        const last = db.prepare('SELECT max(end_ms) AS e FROM rec_segment WHERE channel_id = ? AND start_ms > ?').get(ch, now - 7 * 86_400_000) as { e: number | null };
        if (last.e !== null && now - last.e > 2000) insertGap(db, ch, last.e, now, 'station_stopped');
      }
    })();
    // Other stations' channels are set and recorded on their own station (a desk relays their settings there: sites/);
    // settings this desk once kept for them itself go, with their recorders.
    const far = db.prepare('DELETE FROM rec_channel_config WHERE channel_id >= ?').run(SITE_CHANNEL_BASE).changes;
    if (far) this.log.warn({ channels: far }, 'recording settings kept here for other stations\' channels dropped: they are set on their own station');
    for (const c of this.configs()) if (c.mode !== 'off') await this.startRecorder(c).catch((err: Error) => this.log.warn({ err, channel: c.channel_id }, 'recorder did not start'));
    this.disposers.push(this.archive.start());
    this.disposers.push(this.backfill.start());
    const retention = setInterval(() => this.runRetention(), this.opts.retentionEveryMs ?? 10_000);
    retention.unref();
    // The free-space floor is watched every second (the flush refreshes the figure).
    const floorWatch = setInterval(() => { if (this.archive.freeBytes < this.archive.settings.freeFloorBytes) this.runRetention(); }, 1000);
    floorWatch.unref();
    const status = setInterval(() => { if (this.recorders.size) this.opts.signals.emit('recording.status', this.status()); }, this.opts.statusEveryMs ?? 2000);
    status.unref();
    this.disposers.push(() => clearInterval(retention), () => clearInterval(floorWatch), () => clearInterval(status));
    this.disposers.push(this.opts.signals.subscribe((name, payload) => {
      if (name !== 'channels.changed') return;
      const ids = new Set((payload as { id: number }[]).map((c) => c.id));
      for (const id of [...this.recorders.keys()]) if (!ids.has(id)) void this.stopRecorder(id);
      // A removed channel's settings go with it (a new channel may be given its number).
      for (const c of this.configs()) if (!ids.has(c.channel_id)) db.prepare('DELETE FROM rec_channel_config WHERE channel_id = ?').run(c.channel_id);
    }));
    // The full disk-vs-index pass runs in the background (it can take a while on a large archive).
    if (this.opts.fullReconcile === false) return;
    this.background = reconcileAll(db, this.archive.root, { signal: this.reconciling.signal }).then((r) => {
      if (r.indexed || r.removedRows || r.trimmed) this.log.info({ ...r }, 'archive reconciled with the disk');
    }).catch((err: Error) => this.log.error({ err }, 'archive reconciliation failed'));
  }

  /** A device's offline period on a channel's timeline (the devices' heartbeat): a camera_offline gap; pass its id back to extend it. */
  offlineGap(channelId: number, start: number, end: number, extendId?: number): number {
    return extendId === undefined ? insertGap(this.opts.db, channelId, start, end, 'camera_offline') : extendInterval(this.opts.db, 'rec_gap', extendId, end);
  }

  /** A deleted device's choice "delete its recordings": the channel's segments go, except those under an evidence lock. */
  async deleteChannelRecordings(channelId: number): Promise<{ deleted: number; keptLocked: number }> {
    await this.stopRecorder(channelId);
    return deleteChannelSegments(this.opts.db, this.archive.root, channelId, this.clock());
  }

  private configs(): ConfigRow[] {
    return this.opts.db.prepare('SELECT * FROM rec_channel_config ORDER BY channel_id').all() as ConfigRow[];
  }

  private configOf(channelId: number): ConfigRow {
    return (this.opts.db.prepare('SELECT * FROM rec_channel_config WHERE channel_id = ?').get(channelId) as ConfigRow | undefined)
      ?? { channel_id: channelId, mode: 'off', stream: 'main', schedule: ALWAYS, pre_ms: 10_000, post_ms: 30_000, retention_days: null, motion_grid: 1, backfill: 1, card_time_zone: 'UTC' };
  }

  private toRecorderConfig(c: ConfigRow): RecorderConfig {
    return { mode: c.mode, stream: c.stream, schedule: c.schedule, preMs: c.pre_ms, postMs: c.post_ms };
  }

  private toContract(c: ConfigRow): ChannelRecordingConfig {
    return {
      channelId: c.channel_id, mode: c.mode, stream: c.stream, schedule: c.schedule, preSeconds: c.pre_ms / 1000, postSeconds: c.post_ms / 1000,
      retentionDays: c.retention_days, motionGrid: c.motion_grid === 1, backfill: c.backfill === 1, cardTimeZone: c.card_time_zone,
    };
  }

  private async startRecorder(c: ConfigRow): Promise<void> {
    const rec = new ChannelRecorder(c.channel_id, this.toRecorderConfig(c), this.archive);
    const removeFromArchive = this.archive.add(rec);
    const hub = await this.opts.live.hub(`${c.channel_id}/${c.stream}`);
    const detach = hub.attach(rec);
    this.recorders.set(c.channel_id, { rec, detach, removeFromArchive });
    this.log.info({ channel: c.channel_id, mode: c.mode, stream: c.stream }, 'recorder started');
  }

  private async stopRecorder(channelId: number): Promise<void> {
    const r = this.recorders.get(channelId);
    if (!r) return;
    this.recorders.delete(channelId);
    r.detach();
    r.removeFromArchive();
    // Dispose waits for stops already under way: a recorder still closing its segment writes to the index.
    const stopped = r.rec.stop();
    this.stopsInFlight.add(stopped);
    try { await stopped; } finally { this.stopsInFlight.delete(stopped); }
  }

  /**
   * Failover (sites/failover.ts): records another station's camera under its site channel id, from a hub the caller
   * opened on the camera itself; apart from the configured recorders (no settings row, not in recording.status).
   */
  recordFrom(channelId: number, hub: StreamHub, config: RecorderConfig): { stop(): Promise<void>; status(): RecorderStatus } {
    const rec = new ChannelRecorder(channelId, config, this.archive);
    const removeFromArchive = this.archive.add(rec);
    const detach = hub.attach(rec);
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= (async () => {
      this.foreign.delete(stop);
      detach();
      removeFromArchive();
      const p = rec.stop();
      this.stopsInFlight.add(p);
      try { await p; } finally { this.stopsInFlight.delete(p); }
    })());
    this.foreign.add(stop);
    this.log.info({ channel: channelId, mode: config.mode, stream: config.stream }, 'failover recorder started');
    return { stop, status: () => rec.status() };
  }

  /** The fields given for every channel named, stored in one transaction (an unknown channel stores nothing), applied at once. */
  async setChannels(channelIds: number[], patch: Partial<Omit<ChannelRecordingConfig, 'channelId'>>, revision?: number): Promise<ChannelRecordingConfig[]> {
    const ids = [...new Set(channelIds)];
    for (const id of ids) await this.opts.registry.get(id);
    this.revisions.change(revision, ids.map((id) => `channel:${id}`));
    const rows = ids.map((id): ConfigRow => {
      const c = this.toContract(this.configOf(id));
      const n = { ...c, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as ChannelRecordingConfig;
      return {
        channel_id: id, mode: n.mode, stream: n.stream, schedule: n.schedule,
        pre_ms: Math.round(n.preSeconds * 1000), post_ms: Math.round(n.postSeconds * 1000), retention_days: n.retentionDays,
        motion_grid: n.motionGrid ? 1 : 0, backfill: n.backfill ? 1 : 0, card_time_zone: n.cardTimeZone,
      };
    });
    const upsert = this.opts.db.prepare(`INSERT INTO rec_channel_config (channel_id, mode, stream, schedule, pre_ms, post_ms, retention_days, motion_grid, backfill, card_time_zone)
      VALUES (@channel_id, @mode, @stream, @schedule, @pre_ms, @post_ms, @retention_days, @motion_grid, @backfill, @card_time_zone)
      ON CONFLICT(channel_id) DO UPDATE SET mode = excluded.mode, stream = excluded.stream, schedule = excluded.schedule,
        pre_ms = excluded.pre_ms, post_ms = excluded.post_ms, retention_days = excluded.retention_days, motion_grid = excluded.motion_grid, backfill = excluded.backfill,
        card_time_zone = excluded.card_time_zone`);
    this.opts.db.transaction(() => { for (const r of rows) upsert.run(r); })();
    for (const r of rows) {
      if (r.motion_grid) this.motionGrid.off.delete(r.channel_id);
      else this.motionGrid.off.add(r.channel_id);
    }
    for (const row of rows) await this.applyConfig(row);
    this.opts.signals.emit('recording.status', this.status());
    return rows.map((r) => this.toContract(r));
  }

  /** Starts, stops or reconfigures a channel's recorder to match its stored settings. */
  private async applyConfig(row: ConfigRow): Promise<void> {
    const running = this.recorders.get(row.channel_id);
    if (running && (row.mode === 'off' || running.rec.stream !== row.stream)) await this.stopRecorder(row.channel_id);
    if (row.mode !== 'off') {
      const still = this.recorders.get(row.channel_id);
      if (still) still.rec.setConfig(this.toRecorderConfig(row));
      else await this.startRecorder(row);
    }
  }

  /**
   * A new recordings folder applies at once: the index's paths of the old folder become absolute (its recordings stay
   * playable and under retention), and each recorder closes its open segment at its next keyframe and continues in the
   * new folder. `inTransaction` (storing the setting) commits together with the index change.
   */
  setRoot(path: string, inTransaction?: () => void): void {
    const to = resolve(path);
    const from = resolve(this.archive.root);
    if (to === from) return void inTransaction?.();
    mkdirSync(to, { recursive: true });
    this.reconciling.abort();
    this.opts.db.transaction(() => {
      rebaseSegmentPaths(this.opts.db, from, to);
      inTransaction?.();
    })();
    this.archive.setRoot(to);
    this.sources.get('local')!.root = to;
    this.log.info({ from, to }, 'recordings folder changed: recorders continue there from their next keyframe');
  }

  setArchive(s: ArchiveSettings): ArchiveSettings {
    return this.admin.setArchive(s);
  }

  private channelDays(): Map<number, number | null> {
    const m = new Map<number, number | null>();
    for (const c of this.configs()) m.set(c.channel_id, c.retention_days);
    return m;
  }

  /** One slice of retention (at most RETENTION_SLICE deletes); while more is due, the next slice runs after what waits on the event loop. */
  runRetention(): void {
    if (this.retentionRunning || this.stopping.signal.aborted) return;
    this.retentionRunning = true;
    let files: string[] = [];
    let more = false;
    try {
      const { files: left = [], ...r } = sweepRetention({ db: this.opts.db, root: this.archive.root, now: this.clock(), channelDays: this.channelDays(), freeBytes: () => this.archive.refreshFree(), maxDeletes: RETENTION_SLICE, deferUnlink: true });
      [files, more] = [left, r.more === true];
      if (r.deleted) {
        this.log.info({ ...r }, 'retention deleted the oldest recordings');
        this.thumbs.clear();
      }
      if (r.unmet) this.log.warn({ unmet: r.unmet, keptLocked: r.keptLocked }, 'retention cannot meet its limits: what is left is locked evidence or still recording');
    } catch (err) {
      this.log.error({ err }, 'retention failed');
    }
    // The files go off the event loop; the next slice (free space read again) only once they are gone.
    unlinkSegments(files)
      .catch((err: unknown) => this.log.error({ err }, 'retention could not remove a recording file'))
      .finally(() => {
        this.retentionRunning = false;
        if (more) setImmediate(() => this.runRetention());
      });
  }

  forecast(): Forecast {
    const now = this.clock();
    if (!this.lastForecast || now - this.lastForecast.at > 5_000) {
      this.lastForecast = { at: now, value: forecast(this.opts.db, now, this.archive.refreshFree(), this.channelDays()) };
    }
    return this.lastForecast.value;
  }

  /** Running recorders (a channel that does not record has none), with the bytes each recorded today. */
  status() {
    const midnight = new Date(this.clock()).setHours(0, 0, 0, 0);
    const today = new Map((this.opts.db.prepare('SELECT channel_id AS c, sum(bytes) AS b FROM rec_segment WHERE start_ms >= ? GROUP BY channel_id').all(midnight) as { c: number; b: number }[]).map((r) => [r.c, r.b]));
    return { channels: [...this.recorders.values()].map((r) => ({ ...r.rec.status(), bytesToday: today.get(r.rec.channelId) ?? 0 })), forecast: this.forecast() };
  }

  /** This station's archive (the redacted export reads its ranges). */
  localSource(): ArchiveSource {
    return this.sources.get('local')!;
  }

  private source(id: string): ArchiveSource {
    const s = this.sources.get(id);
    if (!s) throw fail('archive.noSource', { id });
    return s;
  }

  /** Opens a foreign recordings folder read-only: its index is rebuilt from the files into a separate database. */
  async openFolder(path: string) {
    const root = resolve(path);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw fail('folder.notFolder', { field: 'archiveFolder', path: root });
    if (root === resolve(this.archive.root)) return { source: 'local', label: 'This station', ...this.summary(this.opts.db) };
    const id = `folder-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
    let src = this.sources.get(id);
    if (!src) {
      const dir = join(this.opts.dataDir, 'archives');
      mkdirSync(dir, { recursive: true });
      const db = openDatabase(join(dir, `${id}.db`));
      src = { id, db, root, label: root };
      this.sources.set(id, src);
      this.disposers.push(() => db.close());
    }
    const report = await reconcileAll(src.db, root, { readOnly: true });
    const motionSamples = loadMotionFiles(src.db, root);
    this.log.info({ folder: root, ...report, motionSamples }, 'foreign recordings folder indexed');
    return { source: id, label: root, ...this.summary(src.db) };
  }

  private summary(db: Db) {
    const r = db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM rec_segment').get() as { n: number; b: number };
    return { channels: channelsWithRecordings(db), segments: r.n, bytes: r.b };
  }

  private async channelNames(src: ArchiveSource, ids: number[]): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    for (const id of ids) {
      let name = `Channel ${id}`;
      if (src.id === 'local') {
        try {
          // Another station's channel is named with its station, as its events are.
          const c = await this.opts.registry.get(id);
          name = c.site ? `${c.site.name}: ${c.name}` : c.name;
        } catch { /* removed channel: its recordings stay */ }
      }
      names.set(id, name);
    }
    return names;
  }

  async thumbnail(sourceId: string, channelId: number, at: number, session?: ClientSession) {
    const src = this.source(sourceId);
    const c = new ArchiveCursor(src, channelId);
    try {
      const kf = c.seek(at);
      if (kf === undefined || c.segment === undefined) return null;
      const burn = this.opts.burnIn?.(channelId, session);
      const key = `${sourceId}:${channelId}:${c.segment.id}:${kf}:${burn?.key ?? ''}`;
      const hit = this.thumbs.get(key);
      if (hit) return hit;
      const init = c.next();
      const frag = c.next();
      if (!init || !frag || !isInit(init) || isInit(frag)) return null;
      const jpeg = await jpegFromKeyframe(this.opts.ffmpegPath(), init.data, frag.data, undefined, burn?.overlay);
      const value = { jpegBase64: jpeg.toString('base64'), at: Math.round(frag.wall) };
      this.thumbs.set(key, value);
      if (this.thumbs.size > 300) this.thumbs.delete(this.thumbs.keys().next().value!);
      return value;
    } finally {
      c.close();
    }
  }

  async openPlayback(owner: ClientSession, input: { source: string; channelIds: number[]; at: number; speed: number; paused: boolean; audio?: boolean }) {
    const port = owner.media;
    if (!port) throw fail('station.noMediaChannel');
    const src = this.source(input.source);
    const ids = [...new Set(input.channelIds)];
    // Other stations' channels (on the desk's own archive only): read from the desk's copy, the start copied first.
    const remote = src.id === 'local' && this.opts.remote ? this.opts.remote : undefined;
    const far = remote ? ids.filter(isSite) : [];
    await this.prepareRemote(far, input.at, input.speed, far.length === ids.length);
    let next = this.mediaNext.get(owner) ?? PLAYBACK_CHANNEL_BASE;
    const channels = ids.map((channelId) => ({ channelId, media: next++, ...(far.includes(channelId) ? { source: remote!.sourceOf(channelId) } : {}) }));
    this.mediaNext.set(owner, next);
    const id = this.nextSession++;
    const session = new PlaybackSession({
      id, source: src, channels, port, audio: input.audio, onState: (s) => this.opts.signals.emit('playback.state', s),
      ...(far.length ? { more: (channelId: number, after: number) => far.includes(channelId) && remote!.more(channelId, after) } : {}),
    });
    const release = owner.own(() => this.closePlayback(id));
    const stopFollow = far.length ? remote!.follow(far, () => { const st = session.state(); return { at: st.position, speed: st.paused ? 1 : st.speed }; }) : undefined;
    this.sessions.set(id, { session, owner, release, channelIds: channels.map((c) => c.channelId), far, stopFollow });
    const state = session.seek(input.at, { speed: input.speed, paused: input.paused });
    return { state, channels: channels.map((c) => ({ channelId: c.channelId, channel: c.media })) };
  }

  /**
   * Copies what playback of other stations' channels at `at` starts from. A station that cannot give it leaves its
   * channels empty (their timeline says why); with no channel of this station's own in the session, its refusal is the answer.
   */
  private async prepareRemote(channelIds: number[], at: number, speed: number, refuse: boolean): Promise<void> {
    if (!channelIds.length || !this.opts.remote) return;
    const results = await Promise.allSettled(channelIds.map((id) => this.opts.remote!.prepare(id, at, speed)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed) this.log.warn({ err: (f.reason as Error).message, at }, 'another station\'s archive could not be copied');
    if (refuse && failed.length === results.length) throw failed[0]!.reason;
  }

  /** A seek (or a change of speed, which restarts at the clock) of a session: other stations' channels copied there first. */
  private async seekPlayback(owner: ClientSession, id: number, at: number, opts: { speed?: number; paused?: boolean } = {}) {
    const session = this.playback(owner, id);
    await this.prepareRemote(this.sessions.get(id)!.far, at, opts.speed ?? session.state().speed, false);
    return session.seek(at, opts);
  }

  private playback(owner: ClientSession, id: number): PlaybackSession {
    const s = this.sessions.get(id);
    if (!s || s.owner !== owner) throw fail('playback.noSession', { id });
    return s.session;
  }

  /** The channels of an open playback session or a running export (the rights check on calls and signals naming them). */
  channelsOf(kind: 'playback' | 'export', id: number): number[] | undefined {
    return kind === 'playback' ? this.sessions.get(id)?.channelIds : this.exportChannels.get(id);
  }

  /** The connection that opened a playback session: its state signals go to it alone. */
  playbackOwner(id: number): ClientSession | undefined {
    return this.sessions.get(id)?.owner;
  }

  closePlayback(id: number): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.stopFollow?.();
    s.session.close();
    s.release();
  }

  /** ±n frames from the session clock's position, on its first channel; pauses there. */
  async step(owner: ClientSession, id: number, frames: number) {
    const session = this.playback(owner, id);
    const pos = session.position();
    const { source, channelId } = session.primary;
    if (this.sessions.get(id)!.far.includes(channelId)) await this.prepareRemote([channelId], pos, 1, false);
    const times = frameTimesAround(source, channelId, pos);
    if (times.length === 0) return session.state();
    let i = times.findIndex((t) => t > pos + 1) - 1;
    if (i < 0) i = times[0]! > pos ? -1 : times.length - 1;
    const target = times[Math.max(0, Math.min(times.length - 1, i + frames))]!;
    return session.seek(target, { paused: true, speed: 1 });
  }

  startExport(input: { source: string; channelIds: number[]; from: number; to: number }) {
    const src = this.source(input.source);
    const exportId = this.nextExport++;
    const folder = join(this.opts.dataDir, 'exports', `${new Date(this.clock()).toISOString().replace(/[:.]/g, '-')}-${exportId}`);
    const abort = new AbortController();
    this.exports.set(exportId, abort);
    this.exportChannels.set(exportId, input.channelIds);
    const emit = (p: Omit<ExportProgress, 'exportId' | 'folder'>) => this.opts.signals.emit('export.progress', { exportId, folder, ...p });
    let last = { doneBytes: 0, totalBytes: 0 };
    const remote = src.id === 'local' ? this.opts.remote : undefined;
    const far = remote ? input.channelIds.filter(isSite) : [];
    void (async () => {
      try {
        const names = await this.channelNames(src, input.channelIds);
        const key = await stationSigningKey(this.opts.secrets);
        // Other stations' channels: the range copied from their station first (the desk's copy is what is exported).
        for (const channelId of far) await remote!.fetch(channelId, input.from, input.to, abort.signal);
        await exportRange({
          source: src, channels: input.channelIds.map((channelId) => ({ channelId, camera: names.get(channelId)! })),
          sourceOf: (channelId) => (far.includes(channelId) ? remote!.sourceOf(channelId) : undefined),
          from: input.from, to: input.to, folder, key, signal: abort.signal, now: this.clock, burnMasks: this.opts.burnMasks,
          onProgress: (p) => { last = p; emit({ state: 'running', ...p }); },
        });
        emit({ state: 'done', ...last, doneBytes: last.totalBytes });
        this.log.info({ folder, channels: input.channelIds }, 'export written and signed');
      } catch (err) {
        const cancelled = abort.signal.aborted;
        emit({ state: cancelled ? 'cancelled' : 'failed', ...last, error: cancelled ? undefined : (err as Error).message });
      } finally {
        this.exports.delete(exportId);
        this.exportChannels.delete(exportId);
      }
    })();
    return { exportId, folder };
  }

  async verify(folder: string) {
    const key = await stationSigningKey(this.opts.secrets);
    return verifyExport(resolve(folder), key.publicKeyDer);
  }

  /** An event or alarm asks for recording: the recorder keeps its pre-event ring; without one the mark is stored for the timeline. */
  async trigger(channelId: number, kind: string): Promise<void> {
    await this.opts.registry.get(channelId);
    const r = this.recorders.get(channelId);
    if (r) r.rec.trigger(kind);
    else this.opts.db.prepare('INSERT INTO rec_event (channel_id, at_ms, kind) VALUES (?, ?, ?)').run(channelId, this.clock(), kind);
  }

  /** The event `kind` that triggered the channel's latest open mark has ended: its mark becomes a band on the timeline. */
  eventEnded(channelId: number, kind: string, at: number): void {
    this.opts.db.prepare(`UPDATE rec_event SET end_ms = ? WHERE id = (
      SELECT id FROM rec_event WHERE channel_id = ? AND kind = ? AND end_ms IS NULL AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1)`).run(at, channelId, kind, at);
  }

  // ---- the archive with other stations' channels (a desk) ----

  /** Timelines; other stations' channels asked of their station (the desk's own evidence locks kept on them). */
  private async timeline(source: string, channelIds: number[], from: number, to: number): Promise<TimelineChannel[]> {
    const local = timeline(this.source(source).db, channelIds, from, to);
    // This station's failover recordings of other stations' channels marked `standby`, before their station's own spans join.
    const own = source === 'local' && this.opts.markStandby ? this.opts.markStandby(local) : local;
    const far = source === 'local' && this.opts.remote ? channelIds.filter(isSite) : [];
    if (!far.length) return own;
    const theirs = new Map((await this.opts.remote!.timeline(far, from, to)).map((t) => [t.channelId, t]));
    // What this station recorded of their channel itself (as their standby, sites/failover.ts) stays on the strip.
    const both = <T extends { start?: number; at?: number }>(a: T[], b: T[]) => (b.length ? [...a, ...b].sort((x, y) => (x.start ?? x.at ?? 0) - (y.start ?? y.at ?? 0)) : a);
    return own.map((t) => {
      const r = theirs.get(t.channelId);
      return r ? { ...r, spans: both(r.spans, t.spans), gaps: both(r.gaps, t.gaps), events: both(r.events, t.events), locks: t.locks } : t;
    });
  }

  private async overview(source: string, channelIds: number[], from: number, to: number, maxPoints: number) {
    const own = overview(this.source(source).db, channelIds, from, to, maxPoints);
    const far = source === 'local' && this.opts.remote ? channelIds.filter(isSite) : [];
    if (!far.length) return own;
    const theirs = await this.opts.remote!.overview(far, from, to, maxPoints);
    // Their buckets in ours, index for index (the same range and size; a clock offset of seconds is nothing at hour scale).
    const fit = (xs: number[], n: number) => Array.from({ length: n }, (_, i) => xs[i] ?? 0);
    return { ...own, channels: own.channels.map((c) => { const r = theirs.get(c.channelId); return r ? { ...c, recorded: fit(r.recorded, c.recorded.length), events: fit(r.events, c.events.length) } : c; }) };
  }

  private async days(source: string, channelIds: number[], from: number, to: number, utcOffsetMinutes: number): Promise<string[]> {
    const own = recordedDays(this.source(source).db, channelIds, from, to, utcOffsetMinutes);
    const far = source === 'local' && this.opts.remote ? channelIds.filter(isSite) : [];
    if (!far.length) return own;
    return [...new Set([...own, ...(await this.opts.remote!.days(far, from, to, utcOffsetMinutes))])].sort();
  }

  /** This station's segments of a channel over [from, to], for a desk copying them (at most 500). */
  private segments(channelId: number, from: number, to: number): ArchiveSegment[] {
    return segmentsIn(this.opts.db, channelId, from, to).slice(0, 500).map(toArchiveSegment);
  }

  /**
   * This station's own segments of a channel over a range, each with its file: for another station's channel, what this
   * station recorded of it as its standby (sites/failover.ts), which playback takes in place (sites/remote-archive.ts).
   */
  ownSegments(channelId: number, from: number, to: number): { segment: ArchiveSegment; file: string }[] {
    return segmentsIn(this.opts.db, channelId, from, to).slice(0, 500).map((r) => ({ segment: toArchiveSegment(r), file: segmentFile(this.archive.root, r.path) }));
  }

  /** Bytes of one of this station's segment files, for a desk copying it: never past what the index says is written. */
  private segmentRead(channelId: number, segmentId: number, offset: number, length: number) {
    const row = segmentById(this.opts.db, segmentId);
    if (!row || row.channel_id !== channelId) throw fail('archive.noSegment', { id: segmentId, channelId });
    const len = Math.max(0, Math.min(length, row.bytes - offset));
    const buf = Buffer.alloc(len);
    let got = 0;
    if (len > 0) {
      let fd: number;
      try { fd = openSync(segmentFile(this.archive.root, row.path), 'r'); } catch { throw fail('archive.noSegment', { id: segmentId, channelId }); }
      try {
        while (got < len) { const n = readSync(fd, buf, got, len - got, offset + got); if (n === 0) break; got += n; }
      } finally { closeSync(fd); }
    }
    return { dataBase64: buf.subarray(0, got).toString('base64'), size: row.bytes, closed: row.closed === 1 };
  }

  get handlers(): RecordingHandlers {
    const db = this.opts.db;
    return {
      ...this.admin.handlers,
      'recording.config': () => ({
        channels: this.configs().map((c) => this.toContract(c)),
        archive: (({ segmentMs, quotaBytes, freeFloorBytes }) => ({ segmentSeconds: Math.round(segmentMs / 1000), quotaBytes, freeFloorBytes }))(readArchiveConfig(db)),
        folder: this.archive.root,
        motionIndexBytes: motionIndexBytesByChannel(db),
        revision: this.revisions.current(),
      }),
      'recording.setChannels': ({ channelIds, revision, ...patch }) => this.setChannels(channelIds, patch, revision),
      'recording.status': () => this.status(),
      'recording.trigger': async ({ channelId, kind }) => (await this.trigger(channelId, kind), {}),
      'archive.timeline': ({ source, channelIds, from, to }) => this.timeline(source, channelIds, from, to),
      'archive.overview': ({ source, channelIds, from, to, maxPoints }) => this.overview(source, channelIds, from, to, maxPoints),
      'archive.days': ({ source, channelIds, from, to, utcOffsetMinutes }) => this.days(source, channelIds, from, to, utcOffsetMinutes),
      'archive.segments': ({ channelId, from, to }) => this.segments(channelId, from, to),
      'archive.segmentRead': ({ channelId, segmentId, offset, length }) => this.segmentRead(channelId, segmentId, offset, length),
      'archive.channels': async ({ source }) => {
        const src = this.source(source);
        // On the station's own archive: other stations' channels too (a desk plays them from their station).
        const ids = [...new Set([...channelsWithRecordings(src.db), ...(src.id === 'local' ? (await this.opts.registry.listAll()).map((c) => c.id) : [])])].sort((a, b) => a - b);
        const names = await this.channelNames(src, ids);
        return ids.map((channelId) => ({ channelId, name: names.get(channelId)! }));
      },
      'archive.thumbnail': ({ source, channelId, at }, session) =>
        (source === 'local' && isSite(channelId) && this.opts.remote ? this.opts.remote.thumbnail(channelId, at) : this.thumbnail(source, channelId, at, session)),
      'archive.openFolder': ({ path }) => this.openFolder(path),
      'archive.motionSearch': async ({ source, ...q }) => {
        if (source === 'local') this.motionGrid.flush();
        const db = this.source(source).db;
        // Other stations' channels are searched on their station, over its own grid.
        const far = source === 'local' && this.opts.remote ? q.channelIds.filter(isSite) : [];
        const own = q.channelIds.filter((id) => !far.includes(id));
        const { hits, coveredMs } = own.length ? searchMotion(db, { ...q, channelIds: own }) : { hits: [], coveredMs: {} };
        const indexBytes: Record<string, number> = Object.fromEntries(own.map((id) => [id, motionIndexBytes(db, id)]));
        let truncated = hits.length > 5000;
        if (far.length) {
          const theirs = await this.opts.remote!.motionSearch(far, q);
          hits.push(...theirs.hits);
          hits.sort((a, b) => a.start - b.start);
          Object.assign(coveredMs, theirs.coveredMs);
          Object.assign(indexBytes, theirs.indexBytes);
          truncated ||= theirs.truncated || hits.length > 5000;
        }
        return { hits: hits.slice(0, 5000), coveredMs, indexBytes, truncated };
      },
      'playback.open': (input, session) => this.openPlayback(session, input),
      'playback.seek': ({ sessionId, at }, session) => this.seekPlayback(session, sessionId, at),
      'playback.speed': ({ sessionId, speed }, session) => this.seekPlayback(session, sessionId, this.playback(session, sessionId).position(), { speed }),
      'playback.pause': ({ sessionId, paused }, session) => this.playback(session, sessionId).setPaused(paused),
      'playback.audio': ({ sessionId, audio }, session) => this.playback(session, sessionId).setAudio(audio),
      'playback.step': ({ sessionId, frames }, session) => this.step(session, sessionId, frames),
      'playback.close': ({ sessionId }, session) => {
        this.playback(session, sessionId);
        this.closePlayback(sessionId);
        return {};
      },
      'export.start': (input) => this.startExport(input),
      'export.cancel': ({ exportId }) => {
        const a = this.exports.get(exportId);
        if (!a) throw fail('export.notRunning', { id: exportId });
        a.abort();
        return {};
      },
      'export.verify': ({ folder }) => this.verify(folder),
    };
  }

  async dispose(): Promise<void> {
    this.stopping.abort();
    this.reconciling.abort();
    await this.background;
    await this.admin.dispose();
    await this.backfill.stop();
    for (const id of [...this.sessions.keys()]) this.closePlayback(id);
    for (const a of this.exports.values()) a.abort();
    await Promise.all([...this.recorders.keys()].map((id) => this.stopRecorder(id)));
    await Promise.all([...this.foreign].map((stop) => stop()));
    await Promise.allSettled([...this.stopsInFlight]);
    try { this.archive.flush(); } catch { /* the database may already be closing */ }
    try { this.motionGrid.dispose(); } catch { /* the database may already be closing */ }
    for (const d of this.disposers.splice(0).reverse()) d();
    this.archive.dispose();
  }
}
