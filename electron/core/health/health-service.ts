// Station health (issue 14): this station's figures for the Health page and for a desk that relays them, the
// channel-stopped alarm (a channel that should record has not for longer than the set time), and the station-offline
// alarm a desk raises for a remote station. Everything it reads comes in as ports from station.ts.
import { readSetting, writeSetting } from '../settings';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { totalmem } from 'node:os';
import {
  DEFAULT_HEALTH_SETTINGS, HealthSettings, type CallName, type StationEntry, type StationHealth, type VolumeHealth,
} from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import {
  alarmDue, channelState, cpuPercent, lastLogErrors, REASON_WORDS, stationList, type CpuSample, type RecorderState, type Seen,
} from './health-state';

type HealthCallName = Extract<CallName, `health.${string}`>;
export type HealthHandlers = Pick<Handlers, HealthCallName>;

/** The station's alarm machinery (events/): a station alarm raised and, once its condition is over, ended. */
export interface StationAlarms {
  raise(a: { channelId: number | null; type: 'recording_stopped' | 'station_offline'; detail: string }): number;
  end(id: number): void;
}

export interface HealthServiceOptions {
  db: Db;
  signals: SignalBus;
  logger: Logger;
  clock?: () => number;
  name: () => string;
  version: string;
  startedAt: number;
  /** The station's log (pino JSON lines), whose newest warnings and errors the page shows. */
  logFile: string;
  channels: () => Promise<{ id: number; name: string }[]>;
  /** What each running recorder says now (a channel without one does not record). */
  recorders: () => RecorderState[];
  /** The recordings volumes with their forecast. */
  volumes: () => Promise<VolumeHealth[]>;
  /** The recorders' shared write budget: bytes queued for the disk and its bound. */
  writeQueue?: () => { usedBytes: number; maxBytes: number; sheds: number };
  /** Camera streams the station holds (one per stream, shared by recorder and viewers). */
  streams: () => { state: string }[];
  alarms: StationAlarms;
  /** Other stations the desk knows (the sites area adds them); none today. */
  otherStations?: () => Promise<StationEntry[]> | StationEntry[];
}

const SETTINGS_KEY = 'health';
const ERRORS_SHOWN = 8;
/** How much of the log's end is read for its newest errors. */
const LOG_TAIL_BYTES = 128 * 1024;
/** CPU is measured over at least this long; asking more often gives the last figure. */
const CPU_MIN_INTERVAL_MS = 1000;

export class HealthService {
  private readonly clock: () => number;
  private settings: HealthSettings;
  private readonly seen = new Map<number, Seen>();
  private names = new Map<number, string>();
  /** Channel id -> the open recording_stopped alarm's event id. */
  private readonly channelAlarms = new Map<number, number>();
  /** Station id -> the open station_offline alarm's event id. */
  private readonly stationAlarms = new Map<string, number>();
  private cpu: { sample: CpuSample; pct: number };
  private readonly disposers: (() => void)[] = [];

  constructor(private readonly opts: HealthServiceOptions) {
    this.clock = opts.clock ?? Date.now;
    this.settings = this.loadSettings();
    // The first figure is the process's average since it started.
    const u = process.cpuUsage();
    const sample = { at: Date.now(), user: u.user, system: u.system };
    this.cpu = { sample, pct: cpuPercent({ at: sample.at - process.uptime() * 1000, user: 0, system: 0 }, sample) };
  }

  async start(): Promise<void> {
    await this.refreshNames();
    this.disposers.push(this.opts.signals.subscribe((name, payload) => {
      if (name === 'recording.status') this.look((payload as { channels: RecorderState[] }).channels);
      else if (name === 'channels.changed') {
        this.names = new Map((payload as { id: number; name: string }[]).map((c) => [c.id, c.name]));
        this.look(this.opts.recorders());
      }
    }));
    this.look(this.opts.recorders());
  }

  private async refreshNames(): Promise<void> {
    this.names = new Map((await this.opts.channels()).map((c) => [c.id, c.name]));
  }

  /**
   * Each channel's state from what the recorders say now, and the channel-stopped alarm: raised once a channel that
   * should record has been in a gap longer than the set time, ended when it records again (or stops being asked to).
   */
  private look(recorders: RecorderState[]): void {
    const now = this.clock();
    const byId = new Map(recorders.map((r) => [r.channelId, r]));
    for (const id of this.seen.keys()) if (!this.names.has(id)) this.seen.delete(id);
    for (const id of this.names.keys()) this.seen.set(id, channelState(byId.get(id), this.seen.get(id), now));
    for (const [id, eventId] of this.channelAlarms) {
      const s = this.seen.get(id);
      if (s?.state === 'gap' && this.settings.recordingStopAlarmS > 0) continue;
      this.opts.alarms.end(eventId);
      this.channelAlarms.delete(id);
      this.opts.logger.info({ channel: id, state: s?.state ?? 'removed' }, 'channel records again: its alarm ended');
    }
    for (const [id, s] of this.seen) {
      if (this.channelAlarms.has(id) || !alarmDue(s, now, this.settings.recordingStopAlarmS)) continue;
      const name = this.names.get(id) ?? `Channel ${id}`;
      const why = REASON_WORDS[s.reason ?? 'camera_offline'];
      const detail = `${name}: not recording for ${Math.round((now - s.since) / 1000)} s (${why})`;
      this.channelAlarms.set(id, this.opts.alarms.raise({ channelId: id, type: 'recording_stopped', detail }));
      this.opts.logger.warn({ channel: id, gapReason: s.reason, since: s.since }, 'channel stopped recording: alarm raised');
    }
  }

  /** This station's health now. */
  async health(): Promise<StationHealth> {
    const now = this.clock();
    await this.refreshNames();
    const recorders = this.opts.recorders();
    this.look(recorders);
    const mem = process.memoryUsage();
    const streams = this.opts.streams();
    return {
      name: this.opts.name(),
      version: this.opts.version,
      startedAt: this.opts.startedAt,
      uptimeS: Math.max(0, Math.round((now - this.opts.startedAt) / 1000)),
      cpuPct: this.cpuPct(),
      rssBytes: mem.rss,
      heapBytes: mem.heapUsed,
      memTotalBytes: totalmem(),
      ...(this.opts.writeQueue ? { writeQueue: this.opts.writeQueue() } : {}),
      volumes: await this.opts.volumes().catch((err: Error) => {
        this.opts.logger.warn({ err: err.message }, 'health: no volume figures');
        return [];
      }),
      channels: [...this.names].map(([id, name]) => {
        const s = this.seen.get(id) ?? { state: 'off' as const, since: now };
        const rec = recorders.find((r) => r.channelId === id);
        return { id, name, state: s.state, mode: rec?.mode ?? 'off', ...(s.reason ? { reason: s.reason } : {}), since: s.since, alarm: this.channelAlarms.has(id) };
      }).sort((a, b) => a.id - b.id),
      streamsConnected: streams.filter((s) => s.state === 'live').length,
      streamsTotal: streams.length,
      lastErrors: this.lastErrors(),
      at: now,
    };
  }

  private cpuPct(): number {
    const at = Date.now();
    if (at - this.cpu.sample.at < CPU_MIN_INTERVAL_MS) return this.cpu.pct;
    const u = process.cpuUsage();
    const sample = { at, user: u.user, system: u.system };
    this.cpu = { sample, pct: cpuPercent(this.cpu.sample, sample) };
    return this.cpu.pct;
  }

  /** The newest warnings and errors of the station's log (its last 128 KiB). */
  private lastErrors(): StationHealth['lastErrors'] {
    let fd: number | undefined;
    try {
      fd = openSync(this.opts.logFile, 'r');
      const size = fstatSync(fd).size;
      const len = Math.min(size, LOG_TAIL_BYTES);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return lastLogErrors(buf.toString('utf8'), ERRORS_SHOWN);
    } catch {
      return [];
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Every station the desk knows, this one first. */
  async stations(): Promise<StationEntry[]> {
    return stationList(await this.health(), (await this.opts.otherStations?.()) ?? []);
  }

  // ---- the station-offline alarm, for the desk's remote stations ----

  /** A station the desk knows went offline: one station alarm until `stationOnline` (a second call while offline does nothing). */
  stationOffline(stationId: string, name: string, reason: string): void {
    if (this.stationAlarms.has(stationId)) return;
    this.stationAlarms.set(stationId, this.opts.alarms.raise({ channelId: null, type: 'station_offline', detail: `${name}: ${reason}`.slice(0, 500) }));
    this.opts.logger.warn({ station: stationId, reason }, 'station offline: alarm raised');
  }

  /** The station is back: its offline alarm ends (it still waits for acknowledgement). */
  stationOnline(stationId: string): void {
    const id = this.stationAlarms.get(stationId);
    if (id === undefined) return;
    this.stationAlarms.delete(stationId);
    this.opts.alarms.end(id);
    this.opts.logger.info({ station: stationId }, 'station back online: its alarm ended');
  }

  // ---- settings ----

  private loadSettings(): HealthSettings {
    return readSetting(this.opts.db, SETTINGS_KEY, HealthSettings, () => this.opts.logger.warn('stored health settings are invalid; using defaults'))
      ?? DEFAULT_HEALTH_SETTINGS;
  }

  private saveSettings(next: HealthSettings): HealthSettings {
    writeSetting(this.opts.db, SETTINGS_KEY, next, this.clock());
    this.settings = next;
    this.opts.logger.info({ recordingStopAlarmS: next.recordingStopAlarmS }, 'health settings changed');
    // A shorter time may be due at once; 0 ends the open alarms.
    this.look(this.opts.recorders());
    return next;
  }

  get handlers(): HealthHandlers {
    return {
      'health.get': () => this.health(),
      'health.stations': () => this.stations(),
      'health.settings': () => this.settings,
      'health.updateSettings': (next) => this.saveSettings(next),
    };
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }
}
