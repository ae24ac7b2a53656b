import { readFileSync, statfsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import {
  DEFAULT_EVENT_SETTINGS, EventSettings, SENSOR_UNITS, STATION_ALARM_TYPES, fail,
  type AlarmRule, type CallInput, type CallName, type EventSourceConfig, type EventType, type MotionConfig, type StationEvent,
} from '../../contract';
import type { LiveService } from '../live/live-service';
import type { Logger } from '../log';
import type { RecordingService } from '../recording/recording-service';
import type { Handlers } from '../rpc';
import { readSetting, writeSetting } from '../settings';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { matchingRules } from './alarm-rules';
import { DahuaAttachSource } from './dahua-attach';
import type { DeviceEvent, DeviceEventSource, DeviceEventSourceOptions, SourceState } from './device-event-source';
import type { SignalBus } from '../signal-bus';
import * as store from './event-store';
import { MotionDetector, type MotionGridSink } from './motion-detector';
import { OnvifPullPointSource } from './onvif-pullpoint';

type EventCallName = Extract<CallName, `events.${string}` | `sensors.${string}` | `alarms.${string}` | `eventSources.${string}` | `motion.${string}`>;
export type EventHandlers = Pick<Handlers, EventCallName>;

export interface EventServiceOptions {
  db: Db;
  signals: SignalBus;
  live: Pick<LiveService, 'snapshot'> & Partial<Pick<LiveService, 'hub'>>;
  /** Local motion detection decodes with it; none: detection stays off. */
  ffmpegPath?: () => string;
  recording: Pick<RecordingService, 'trigger' | 'eventEnded'>;
  /** Where the motion grid of each channel with detection on is stored for archive search (none: not stored). */
  motionGrid?: MotionGridSink;
  secrets: SecretStore;
  logger: Logger;
  clock?: () => number;
  recordingsDir: () => string;
  /** How long a device (event source) or stream may be gone before 'device_offline'. */
  offlineGraceMs?: number;
  /** Free space under which 'disk_low' is raised, until the user sets a threshold (default 4 GiB); checked every diskEveryMs. */
  diskLowBytes?: number;
  diskEveryMs?: number;
  freeBytes?: (root: string) => number;
  /** Size of the disk holding root, for a threshold in percent. */
  totalBytes?: (root: string) => number;
  /** How often old events and readings are pruned (default hourly; the first run a minute after start). */
  pruneEveryMs?: number;
  /** Rows deleted per transaction while pruning; the event loop gets a turn between batches. */
  pruneBatch?: number;
  sourceRetryMs?: number;
  /** Swappable for tests: builds a device event source. */
  makeSource?: (driver: 'onvif' | 'dahua', o: DeviceEventSourceOptions) => DeviceEventSource;
}

const STATEFUL = new Set<EventType>(['motion', 'tamper', 'door', 'pir', 'water', 'frozen_picture', 'intrusion', 'audio']);
/** Kinds that open and close (an event with an end), as against instants. */
export const isStateful = (type: EventType): boolean => STATEFUL.has(type);
const secretKey = (id: number) => `eventsource:${id}`;
const SETTINGS_KEY = 'events';
const DAY_MS = 86_400_000;
const GIB = 1024 ** 3;
const defaultMotion = (channelId: number): MotionConfig => ({ channelId, enabled: false, sensitivity: 50, mask: '0'.repeat(144) });

export interface PruneResult {
  events: number;
  readings: number;
  snapshots: number;
  batches: number;
}

interface RunningSource {
  cfg: Omit<EventSourceConfig, 'state' | 'error'>;
  source: DeviceEventSource;
  state: SourceState;
  offlineTimer?: NodeJS.Timeout;
  offlineEventId?: number;
  /** A device the devices' heartbeat watches raises its own offline event: this source does not raise a second one. */
  heartbeat?: boolean;
}

/** Events from every source into SQLite and the bus; alarm rules run their actions; acknowledgement. */
export class EventService {
  private readonly clock: () => number;
  private readonly open = new Map<string, number>();
  private readonly sources = new Map<number, RunningSource>();
  private readonly streams = new Map<string, { state: string; lostId?: number; offlineTimer?: NodeJS.Timeout }>();
  private readonly gapState = new Map<number, string>();
  private readonly disposers: (() => void)[] = [];
  private rules: AlarmRule[] = [];
  private diskLowId: number | undefined;
  private readonly detectors = new Map<number, () => Promise<void>>();
  private watchSeq = 0;
  /** Stored settings; undefined until the user saves some (the disk threshold then falls back to opts.diskLowBytes). */
  private stored: EventSettings | undefined;
  private pruning: Promise<PruneResult> | undefined;

  constructor(private readonly opts: EventServiceOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  async start(): Promise<void> {
    this.rules = store.listRules(this.opts.db);
    // Events left open by a stop cannot end any more: close them at the last instant we know of.
    this.opts.db.prepare('UPDATE ev_event SET end_ms = start_ms WHERE end_ms IS NULL').run();
    this.disposers.push(this.opts.signals.subscribe((name, payload) => {
      // An event that cannot be stored (a full disk: SQLITE_FULL) is logged here, not thrown into whoever emitted the signal.
      try {
        if (name === 'stream.status') this.onStreamStatus(payload as { streamId: string; state: string; reason?: string });
        else if (name === 'recording.status') this.onRecordingStatus(payload as { channels: { channelId: number; state: string; gapReason?: string }[] });
      } catch (err) {
        this.opts.logger.warn({ err: (err as Error).message, signal: name }, 'could not store the event');
      }
    }));
    this.stored = this.loadSettings();
    const diskTimer = setInterval(() => this.checkDisk(), this.opts.diskEveryMs ?? 30_000);
    diskTimer.unref();
    this.disposers.push(() => clearInterval(diskTimer));
    const pruneEvery = this.opts.pruneEveryMs ?? 3_600_000;
    const firstPrune = setTimeout(() => void this.prune().catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'pruning events failed')), Math.min(60_000, pruneEvery));
    const pruneTimer = setInterval(() => void this.prune().catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'pruning events failed')), pruneEvery);
    firstPrune.unref();
    pruneTimer.unref();
    this.disposers.push(() => (clearTimeout(firstPrune), clearInterval(pruneTimer)));
    for (const m of this.opts.db.prepare('SELECT channel_id AS channelId, sensitivity, mask FROM ev_motion WHERE enabled = 1').all() as { channelId: number; sensitivity: number; mask: string }[]) {
      void this.startMotion({ ...m, enabled: true });
    }
    for (const row of this.opts.db.prepare('SELECT id, driver, url, username, channel_map FROM ev_source').all() as { id: number; driver: 'onvif' | 'dahua'; url: string; username: string; channel_map: string }[]) {
      const password = (await this.opts.secrets.get(secretKey(row.id))) ?? '';
      this.startSource({ id: row.id, driver: row.driver, url: row.url, username: row.username, channelMap: JSON.parse(row.channel_map) }, password);
    }
  }

  // ---- ingest ----

  /** One event from any source: stateful kinds open and close a row, values become readings and events. */
  ingest(e: { channelId: number | null; type: EventType; source: StationEvent['source']; state?: boolean; value?: number; at?: number; detail?: string }): StationEvent | undefined {
    const at = e.at ?? this.clock();
    const key = `${e.channelId}:${e.type}`;
    if (STATEFUL.has(e.type) && e.state === false) {
      const id = this.open.get(key);
      if (id === undefined) return undefined;
      this.open.delete(key);
      if (e.channelId !== null) this.opts.recording.eventEnded(e.channelId, e.type, at);
      return this.changed(store.updateEvent(this.opts.db, id, { end: at }));
    }
    if (STATEFUL.has(e.type) && this.open.has(key)) return undefined;
    const reading = e.value !== undefined && (e.type === 'temperature' || e.type === 'co2' || e.type === 'light') && e.channelId !== null
      ? { channelId: e.channelId, type: e.type, at, value: e.value, unit: SENSOR_UNITS[e.type] }
      : undefined;
    const rule = matchingRules(this.rules, { type: e.type, channelId: e.channelId, start: at })[0];
    // One transaction (one WAL sync) for the reading and its event.
    const ev = this.opts.db.transaction(() => {
      if (reading) store.insertReading(this.opts.db, reading);
      return store.insertEvent(this.opts.db, {
        channelId: e.channelId, type: e.type, source: e.source, start: at, end: STATEFUL.has(e.type) ? null : at,
        value: e.value ?? null, unit: reading?.unit ?? null, detail: e.detail, ruleId: rule?.id ?? null,
      });
    })();
    if (reading) this.opts.signals.emit('sensor.reading', reading);
    if (STATEFUL.has(e.type)) this.open.set(key, ev.id);
    this.changed(ev);
    if (rule) void this.runActions(ev, rule);
    return ev;
  }

  private changed(ev: StationEvent | undefined): StationEvent | undefined {
    if (ev) this.opts.signals.emit('event.changed', ev);
    return ev;
  }

  private async runActions(ev: StationEvent, rule: AlarmRule): Promise<void> {
    const { actions } = rule;
    if (ev.channelId !== null && (actions.includes('record') || actions.includes('mark'))) {
      // The recorder keeps its pre-event ring, so recording covers the seconds before the trigger; it also stores the timeline mark.
      await this.opts.recording.trigger(ev.channelId, ev.type)
        .catch((err: unknown) => this.opts.logger.warn({ err, event: ev.id }, 'event recording trigger failed'));
    }
    let snapshotBase64: string | null = null;
    if (ev.channelId !== null && (actions.includes('notify') || actions.includes('popup'))) {
      try {
        const s = await this.opts.live.snapshot(ev.channelId);
        snapshotBase64 = s.jpeg.toString('base64');
        this.changed(store.updateEvent(this.opts.db, ev.id, { snapshotPath: s.path }));
      } catch (err) {
        this.opts.logger.warn({ err: (err as Error).message, event: ev.id }, 'no snapshot for the alarm');
      }
    }
    const latest = store.getEvent(this.opts.db, ev.id) ?? ev;
    this.opts.signals.emit('alarm.raised', { event: latest, ruleId: rule.id, ruleName: rule.name, actions, snapshotBase64 });
  }

  // ---- station alarms (the health area) ----

  /**
   * Raises a station alarm (STATION_ALARM_TYPES): an event open until `endAlarm`, an alarm without any rule, so it waits
   * for acknowledgement in the unacknowledged-alarm bar and notifies. A rule that matches it anyway runs its own actions.
   * Returns the event's id.
   */
  raiseAlarm(a: { channelId: number | null; type: (typeof STATION_ALARM_TYPES)[number]; detail: string; at?: number }): number {
    const at = a.at ?? this.clock();
    const rule = matchingRules(this.rules, { type: a.type, channelId: a.channelId, start: at })[0];
    const ev = store.insertEvent(this.opts.db, { channelId: a.channelId, type: a.type, source: 'station', start: at, end: null, detail: a.detail, ruleId: rule?.id ?? null });
    this.changed(ev);
    if (rule) void this.runActions(ev, rule);
    else this.opts.signals.emit('alarm.raised', { event: ev, ruleId: null, ruleName: '', actions: ['notify'], snapshotBase64: null });
    return ev.id;
  }

  /** The condition behind a station alarm is over (recording resumed, the station is back): the event ends; it still waits for acknowledgement. */
  endAlarm(id: number): void {
    this.changed(store.updateEvent(this.opts.db, id, { end: this.clock() }));
  }

  // ---- station-made events ----

  private onStreamStatus(s: { streamId: string; state: string; reason?: string }): void {
    const prev = this.streams.get(s.streamId) ?? { state: 'idle' };
    const channelId = Number(s.streamId.split('/')[0]);
    const next = { ...prev, state: s.state };
    if (prev.state === 'live' && (s.state === 'offline' || s.state === 'stalled' || s.state === 'auth_failed')) {
      next.lostId = this.ingest({ channelId, type: 'stream_lost', source: 'station', detail: `${s.streamId}: ${s.reason ?? s.state}` })?.id;
      next.offlineTimer = setTimeout(() => {
        if (this.streams.get(s.streamId)?.state !== 'live') this.ingest({ channelId, type: 'device_offline', source: 'station', detail: `${s.streamId} gone past the grace period` });
      }, this.opts.offlineGraceMs ?? 60_000);
      next.offlineTimer.unref();
    } else if (s.state === 'live' && prev.lostId !== undefined) {
      clearTimeout(prev.offlineTimer);
      store.updateEvent(this.opts.db, prev.lostId, { end: this.clock() });
      this.changed(store.getEvent(this.opts.db, prev.lostId));
      this.ingest({ channelId, type: 'stream_restored', source: 'station', detail: s.streamId });
      next.lostId = undefined;
      next.offlineTimer = undefined;
    }
    this.streams.set(s.streamId, next);
  }

  private onRecordingStatus(st: { channels: { channelId: number; state: string; gapReason?: string }[] }): void {
    for (const c of st.channels) {
      const prev = this.gapState.get(c.channelId);
      this.gapState.set(c.channelId, c.state);
      if (c.state === 'gap' && prev !== undefined && prev !== 'gap') this.ingest({ channelId: c.channelId, type: 'recording_gap', source: 'station', detail: c.gapReason ?? '' });
    }
  }

  /** Bytes of free space under which the disk is low: the user's GiB or percent of the disk, else the option, else 4 GiB. */
  diskLowThreshold(root: string): number {
    const s = this.stored;
    if (!s) return this.opts.diskLowBytes ?? DEFAULT_EVENT_SETTINGS.diskLowValue * GIB;
    if (s.diskLowUnit === 'GiB') return s.diskLowValue * GIB;
    const total = this.opts.totalBytes ? this.opts.totalBytes(root) : ((st) => st.blocks * st.bsize)(statfsSync(root));
    return (total * s.diskLowValue) / 100;
  }

  checkDisk(): void {
    const root = this.opts.recordingsDir();
    let free: number;
    let threshold: number;
    try {
      free = this.opts.freeBytes ? this.opts.freeBytes(root) : ((s) => s.bavail * s.bsize)(statfsSync(root));
      threshold = this.diskLowThreshold(root);
    } catch {
      return;
    }
    const low = free < threshold;
    if (low && this.diskLowId === undefined) {
      this.diskLowId = this.ingest({ channelId: null, type: 'disk_low', source: 'station', detail: `${Math.round(free / 1024 ** 2)} MiB free in ${root}` })?.id;
    } else if (!low && this.diskLowId !== undefined) {
      this.changed(store.updateEvent(this.opts.db, this.diskLowId, { end: this.clock() }));
      this.diskLowId = undefined;
    }
  }

  // ---- settings and pruning ----

  private loadSettings(): EventSettings | undefined {
    return readSetting(this.opts.db, SETTINGS_KEY, EventSettings, () => this.opts.logger.warn('stored event settings are invalid; using defaults'));
  }

  get settings(): EventSettings {
    return this.stored ?? DEFAULT_EVENT_SETTINGS;
  }

  private saveSettings(next: EventSettings): EventSettings {
    writeSetting(this.opts.db, SETTINGS_KEY, next, this.clock());
    this.stored = next;
    this.opts.logger.info({ retentionDays: next.retentionDays, diskLow: `${next.diskLowValue} ${next.diskLowUnit}` }, 'event settings changed');
    this.checkDisk();
    return next;
  }

  /**
   * Deletes finished events and sensor readings older than the retention, a batch per transaction with the event loop
   * free in between, then the snapshot files no kept event points to. One run at a time.
   */
  prune(): Promise<PruneResult> {
    this.pruning ??= this.pruneNow().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  private async pruneNow(): Promise<PruneResult> {
    const { db } = this.opts;
    const cutoff = this.clock() - this.settings.retentionDays * DAY_MS;
    const batch = this.opts.pruneBatch ?? 500;
    const result: PruneResult = { events: 0, readings: 0, snapshots: 0, batches: 0 };
    const pickEvents = db.prepare(store.PRUNE_SQL.oldEvents);
    const deleteEvent = db.prepare(store.PRUNE_SQL.deleteEvent);
    const stillUsed = db.prepare(store.PRUNE_SQL.snapshotInUse);
    const deleteReadings = db.prepare(store.PRUNE_SQL.deleteOldReadings);
    const yieldTurn = () => new Promise<void>((r) => setImmediate(r));
    for (;;) {
      const rows = pickEvents.all(cutoff, batch) as { id: number; path: string | null }[];
      if (rows.length === 0) break;
      db.transaction(() => { for (const r of rows) deleteEvent.run(r.id); })();
      result.events += rows.length;
      result.batches++;
      for (const path of new Set(rows.flatMap((r) => (r.path ? [r.path] : [])))) {
        if (stillUsed.get(path)) continue;
        try {
          await unlink(path);
          result.snapshots++;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.logger.warn({ path, err: (err as Error).message }, 'could not delete an old snapshot');
        }
      }
      await yieldTurn();
    }
    for (;;) {
      const n = deleteReadings.run(cutoff, batch).changes;
      if (n === 0) break;
      result.readings += n;
      result.batches++;
      await yieldTurn();
    }
    if (result.events || result.readings) this.opts.logger.info({ ...result, retentionDays: this.settings.retentionDays }, 'pruned old events and sensor readings');
    return result;
  }

  // ---- local motion detection ----

  /** Watches the channel's sub stream (main when it has none) through its hub, so the camera sees no extra connection. */
  private async startMotion(cfg: MotionConfig): Promise<void> {
    await this.stopMotion(cfg.channelId);
    // Bound: LiveService.hub is a method that uses its own state.
    const hub = this.opts.live.hub?.bind(this.opts.live);
    if (!cfg.enabled || !hub || !this.opts.ffmpegPath) return;
    try {
      const h = await hub(`${cfg.channelId}/sub`).catch(() => hub(`${cfg.channelId}/main`));
      const detector = new MotionDetector({
        hub: h, ffmpegPath: this.opts.ffmpegPath(), sensitivity: cfg.sensitivity, mask: cfg.mask, clock: this.clock,
        onMotion: (on) => this.ingest({ channelId: cfg.channelId, type: 'motion', source: 'motion', state: on }),
        onFrozen: (frozen) => this.ingest({ channelId: cfg.channelId, type: 'frozen_picture', source: 'station', state: frozen }),
        onError: (message) => this.opts.logger.warn({ channel: cfg.channelId, message }, 'motion detection'),
        onGrid: this.opts.motionGrid && ((at, grid) => this.opts.motionGrid!.add(cfg.channelId, at, grid)),
      });
      this.detectors.set(cfg.channelId, detector.start());
    } catch (err) {
      this.opts.logger.warn({ channel: cfg.channelId, err: (err as Error).message }, 'motion detection could not start');
    }
  }

  private async stopMotion(channelId: number): Promise<void> {
    const stop = this.detectors.get(channelId);
    this.detectors.delete(channelId);
    await stop?.();
  }

  // ---- device event sources ----

  private startSource(cfg: RunningSource['cfg'], password: string): RunningSource {
    const make = this.opts.makeSource ?? ((driver, o) => (driver === 'onvif' ? new OnvifPullPointSource(o) : new DahuaAttachSource(o)));
    const running: RunningSource = { cfg, state: { state: 'connecting' }, source: undefined as never };
    running.source = make(cfg.driver, {
      url: cfg.url, username: cfg.username, password, clock: this.clock, retryMs: this.opts.sourceRetryMs,
      onEvent: (e) => this.fromDevice(running, e),
      onState: (s) => this.sourceState(running, s),
    });
    this.sources.set(cfg.id, running);
    running.source.start();
    return running;
  }

  private fromDevice(r: RunningSource, e: DeviceEvent): void {
    const channelId = r.cfg.channelMap[String(e.channel)];
    if (channelId === undefined) return;
    // A subscription's opening "current state" only matters when something is on (motion, door open) or a reading.
    if (e.initial && e.state === false) return;
    this.ingest({ channelId, type: e.kind, source: r.cfg.driver, state: e.state, value: e.value, at: Math.min(e.at, this.clock()) });
  }

  private sourceState(r: RunningSource, s: SourceState): void {
    const wasError = r.state.state === 'error';
    r.state = s;
    const channels = [...new Set(Object.values(r.cfg.channelMap))];
    if (s.state === 'error' && !wasError && !r.heartbeat && r.offlineTimer === undefined && r.offlineEventId === undefined) {
      r.offlineTimer = setTimeout(() => {
        r.offlineTimer = undefined;
        if (r.state.state !== 'error') return;
        const ev = this.ingest({ channelId: channels[0] ?? null, type: 'device_offline', source: 'station', detail: `${new URL(r.cfg.url).host}: ${r.state.error}` });
        r.offlineEventId = ev?.id;
      }, this.opts.offlineGraceMs ?? 60_000);
      r.offlineTimer.unref();
    } else if (s.state === 'connected') {
      clearTimeout(r.offlineTimer);
      r.offlineTimer = undefined;
      if (r.offlineEventId !== undefined) this.changed(store.updateEvent(this.opts.db, r.offlineEventId, { end: this.clock() }));
      r.offlineEventId = undefined;
    }
  }

  private describeSource(r: RunningSource): EventSourceConfig {
    return { ...r.cfg, state: r.state.state, ...(r.state.state === 'error' ? { error: r.state.error } : {}) };
  }

  /** For the device service: watch a device's events with credentials it keeps (nothing stored here); returns a disposer. */
  watchDevice(cfg: { driver: 'onvif' | 'dahua'; url: string; username: string; password: string; channelMap: Record<string, number> }): () => Promise<void> {
    const id = -++this.watchSeq;
    const r = this.startSource({ id, driver: cfg.driver, url: cfg.url, username: cfg.username, channelMap: cfg.channelMap }, cfg.password);
    r.heartbeat = true;
    return async () => {
      if (this.sources.get(id) !== r) return;
      this.sources.delete(id);
      clearTimeout(r.offlineTimer);
      await r.source.dispose();
    };
  }

  async addSource(input: CallInput<'eventSources.add'>): Promise<EventSourceConfig> {
    const { id } = this.opts.db.prepare('INSERT INTO ev_source (driver, url, username, channel_map, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id')
      .get(input.driver, input.url, input.username, JSON.stringify(input.channelMap), this.clock()) as { id: number };
    await this.opts.secrets.set(secretKey(id), input.password);
    return this.describeSource(this.startSource({ id, driver: input.driver, url: input.url, username: input.username, channelMap: input.channelMap }, input.password));
  }

  async removeSource(id: number): Promise<boolean> {
    const r = this.sources.get(id);
    this.sources.delete(id);
    if (r) {
      clearTimeout(r.offlineTimer);
      await r.source.dispose();
    }
    await this.opts.secrets.delete(secretKey(id));
    return this.opts.db.prepare('DELETE FROM ev_source WHERE id = ?').run(id).changes > 0;
  }

  // ---- API ----

  get handlers(): EventHandlers {
    const { db } = this.opts;
    return {
      'events.list': (f) => store.listEvents(db, f),
      'events.acknowledge': ({ ids, note }) => {
        const acked = store.acknowledge(db, ids, note, this.clock());
        for (const e of acked) this.changed(e);
        return acked;
      },
      'events.snapshot': ({ id }) => {
        const path = store.snapshotPathOf(db, id);
        if (!path) throw fail('event.noSnapshot', { id });
        try {
          return { jpegBase64: readFileSync(path).toString('base64') };
        } catch {
          throw fail('event.snapshotGone', { id });
        }
      },
      'sensors.current': () => store.currentReadings(db),
      'sensors.series': ({ channelId, type, from, to, maxPoints }) => store.readingSeries(db, channelId, type, from, to, maxPoints),
      'alarms.rules': () => store.listRules(db),
      'alarms.saveRule': (rule) => {
        const saved = store.saveRule(db, rule, this.clock());
        if (!saved) throw fail('alarm.ruleNotFound', { id: rule.id ?? 0 });
        this.rules = store.listRules(db);
        return saved;
      },
      'alarms.removeRule': ({ id }) => {
        const removed = store.removeRule(db, id);
        this.rules = store.listRules(db);
        return { removed };
      },
      'eventSources.list': () => [...this.sources.values()].filter((r) => r.cfg.id > 0).map((r) => this.describeSource(r)),
      'eventSources.add': (input) => this.addSource(input),
      'eventSources.remove': async ({ id }) => ({ removed: await this.removeSource(id) }),
      'events.settings': () => this.settings,
      'events.updateSettings': (next) => {
        const before = this.settings.retentionDays;
        const saved = this.saveSettings(next);
        if (saved.retentionDays < before) void this.prune().catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'pruning events failed'));
        return saved;
      },
      'motion.get': ({ channelId }) => {
        const r = db.prepare('SELECT enabled, sensitivity, mask FROM ev_motion WHERE channel_id = ?').get(channelId) as { enabled: number; sensitivity: number; mask: string } | undefined;
        return r ? { channelId, enabled: r.enabled === 1, sensitivity: r.sensitivity, mask: r.mask } : defaultMotion(channelId);
      },
      'motion.set': async (cfg) => {
        db.prepare('INSERT INTO ev_motion (channel_id, enabled, sensitivity, mask) VALUES (?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET enabled = excluded.enabled, sensitivity = excluded.sensitivity, mask = excluded.mask')
          .run(cfg.channelId, cfg.enabled ? 1 : 0, cfg.sensitivity, cfg.mask);
        await this.startMotion(cfg);
        return cfg;
      },
    };
  }

  async dispose(): Promise<void> {
    for (const d of this.disposers.splice(0)) d();
    for (const s of this.streams.values()) clearTimeout(s.offlineTimer);
    await Promise.all([...this.detectors.keys()].map((id) => this.stopMotion(id)));
    await Promise.all([...this.sources.values()].map(async (r) => {
      clearTimeout(r.offlineTimer);
      await r.source.dispose();
    }));
    this.sources.clear();
  }
}

