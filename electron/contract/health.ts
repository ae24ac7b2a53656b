// Station health (issue 14, "Many stations, one desk"): what the desk shows of each station it knows — version, uptime,
// the station process's CPU and memory, each recordings volume with its forecast, each channel's recording state,
// streams connected, recent errors — and the channel-stopped alarm's setting.
import { z } from 'zod';
import { call, NoInput, needs } from './common';
import { GAP_REASONS, RECORDING_MODES } from './recording';

const epochMs = z.number().int().nonnegative();

/** Why a channel that should record does not: the recorder's gap reasons, and 'starting' (waiting for the camera's first keyframe). */
export const HEALTH_GAP_REASONS = [...GAP_REASONS, 'starting'] as const;
export type HealthGapReason = (typeof HEALTH_GAP_REASONS)[number];

export const ChannelHealth = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  /** 'off': not recording by choice (mode off, outside its schedule, no event); 'gap': should record and does not. */
  state: z.enum(['recording', 'gap', 'off']),
  mode: z.enum(RECORDING_MODES),
  reason: z.enum(HEALTH_GAP_REASONS).optional(),
  /** Since when the channel is in this state (as far as the station knows: at most since it started). */
  since: epochMs,
  /** A gap longer than the set time has raised the station alarm (health.settings). */
  alarm: z.boolean(),
});
export type ChannelHealth = z.infer<typeof ChannelHealth>;

export const VolumeHealth = z.object({
  path: z.string(),
  totalBytes: z.number().nonnegative(),
  freeBytes: z.number().nonnegative(),
  /** Days of recording this volume holds at today's rates (recording.forecast); null: not limited or unknown. */
  forecastDays: z.number().nullable(),
  limitedBy: z.enum(['quota', 'free_space', 'retention_days', 'not_recording']),
});
export type VolumeHealth = z.infer<typeof VolumeHealth>;

export const StationHealth = z.object({
  name: z.string(),
  version: z.string(),
  startedAt: epochMs,
  uptimeS: z.number().nonnegative(),
  /** The station process's CPU over the last interval, percent of one core (may pass 100 on several cores). */
  cpuPct: z.number().nonnegative(),
  rssBytes: z.number().nonnegative(),
  heapBytes: z.number().nonnegative(),
  /** The computer's memory, for the process's share of it. */
  memTotalBytes: z.number().nonnegative(),
  /**
   * What the recorders hold in memory for the disk, against the one bound they share (recording/write-budget.ts); `sheds`:
   * times since start a channel furthest behind had its queue cut. Missing from stations older than issue 17.
   */
  writeQueue: z.object({ usedBytes: z.number().nonnegative(), maxBytes: z.number().positive(), sheds: z.number().int().nonnegative() }).optional(),
  volumes: z.array(VolumeHealth),
  channels: z.array(ChannelHealth),
  /** Camera streams with a live connection now (shared by recorder and viewers: one per stream). */
  streamsConnected: z.number().int().nonnegative(),
  streamsTotal: z.number().int().nonnegative(),
  /** The station's newest warnings and errors from its log, newest first; `count`: the same message that many times in a row (`at` the newest). */
  lastErrors: z.array(z.object({ at: epochMs, level: z.enum(['warn', 'error']), message: z.string(), count: z.number().int().positive() })),
  /** When this was measured (a relayed remote station's figures may be a few seconds old). */
  at: epochMs,
});
export type StationHealth = z.infer<typeof StationHealth>;

/** A station the desk knows: 'local' is this one; remote ones (sites) carry their own ids. */
export const StationEntry = z.object({
  id: z.string().min(1).max(100),
  name: z.string(),
  state: z.enum(['online', 'connecting', 'offline']),
  /** When the desk tries an offline station again. */
  retryAt: epochMs.optional(),
  /** Why the station is offline, in English (a refusal's sentence or the socket's error). */
  error: z.string().optional(),
  health: StationHealth.optional(),
});
export type StationEntry = z.infer<typeof StationEntry>;

export const HealthSettings = z.object({
  /** Alarm when a channel that should record has been in a gap longer than this; 0: never. */
  recordingStopAlarmS: z.number().int().min(0).max(86_400),
}).strict();
export type HealthSettings = z.infer<typeof HealthSettings>;
export const DEFAULT_HEALTH_SETTINGS: HealthSettings = { recordingStopAlarmS: 60 };

export const healthCalls = {
  /** This station's health. */
  'health.get': call(needs.station('settings'), NoInput, StationHealth),
  /** Every station the desk knows, this one first. */
  'health.stations': call(needs.station('settings'), NoInput, z.array(StationEntry)),
  'health.settings': call(needs.station('settings'), NoInput, HealthSettings),
  'health.updateSettings': call(needs.station('alarmRules'), HealthSettings, HealthSettings),
} as const;
