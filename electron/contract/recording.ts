// Recording, archive timeline, playback sessions, export with signed manifest, evidence locks.
import { z } from 'zod';
import { call, NoInput, needs } from './common';
import { Refusal } from './errors';

export const RECORDING_MODES = ['off', 'continuous', 'schedule', 'event'] as const;
export const GAP_REASONS = ['camera_offline', 'recording_off', 'disk', 'station_stopped', 'not_on_card'] as const;
/** What the archive audit list filters by (each kind is one or more audit actions). */
export const AUDIT_KINDS = ['retention', 'lock', 'unlock', 'device_delete', 'folder', 'settings'] as const;
/** What a forecast's days are held back by. */
export const FORECAST_LIMITS = ['quota', 'free_space', 'retention_days', 'not_recording'] as const;
/** Negative: rewind. 32 and 64 (and rewind) send keyframes only. */
export const PLAYBACK_SPEEDS = [-64, -32, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64] as const;

const channelId = z.number().int().positive();
/** Whether this runtime's Intl knows a time zone name (IANA: Europe/Berlin; or UTC). */
export function isZoneName(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
const epochMs = z.number().int().nonnegative();
/** 'local' is this station's archive; others are folders opened with archive.openFolder. */
const sourceId = z.string().min(1).max(100).default('local');

export const ChannelRecordingConfig = z.object({
  channelId,
  mode: z.enum(RECORDING_MODES),
  stream: z.enum(['main', 'sub']),
  /** 336 characters '0'/'1': the weekly half-hours from Monday 00:00, station local time. */
  schedule: z.string().regex(/^[01]{336}$/, 'field.notSchedule'),
  preSeconds: z.number().min(0).max(60),
  postSeconds: z.number().min(0).max(3600),
  retentionDays: z.number().int().positive().max(3650).nullable(),
  /** The motion grid kept for archive search (while the channel's motion detection is on); off: none is stored. */
  motionGrid: z.boolean(),
  /** Edge backfill: time missed while the camera was unreachable is fetched from its card once it is back. */
  backfill: z.boolean(),
  /**
   * The zone the camera's own clock keeps (IANA name, or UTC, the default), for a channel added by RTSP URL: Dahua's
   * playback URL names local times, and there is no device to ask. A device's channel uses its device's time settings.
   */
  cardTimeZone: z.string().trim().min(1).max(64).refine(isZoneName, 'field.notZoneName'),
});
export type ChannelRecordingConfig = z.infer<typeof ChannelRecordingConfig>;

export const ArchiveSettings = z.object({
  segmentSeconds: z.number().int().min(2).max(3600),
  quotaBytes: z.number().int().positive().nullable(),
  freeFloorBytes: z.number().int().nonnegative(),
});
export type ArchiveSettings = z.infer<typeof ArchiveSettings>;

/** A channel's recorder now: 'idle' is off by choice (outside the schedule, no event), 'waiting' is for the camera's next keyframe. */
export const RecordingChannelStatus = z.object({
  channelId,
  stream: z.enum(['main', 'sub']),
  mode: z.enum(RECORDING_MODES),
  state: z.enum(['recording', 'idle', 'waiting', 'gap']),
  gapReason: z.enum(GAP_REASONS).optional(),
  /** When the gap began. */
  gapSince: z.number().optional(),
  backlogBytes: z.number().nonnegative(),
  droppedFragments: z.number().int().nonnegative(),
  /** Bits a second written over the last ten seconds. */
  bitrateBps: z.number().nonnegative(),
  /** Bytes of this channel's recordings since midnight (station time). */
  bytesToday: z.number().nonnegative(),
  segmentPath: z.string().optional(),
  segmentStart: z.number().optional(),
});

export const Forecast = z.object({
  archiveBytes: z.number(),
  freeBytes: z.number(),
  bytesPerDay: z.number(),
  capacityBytes: z.number(),
  days: z.number().nullable(),
  limitedBy: z.enum(['quota', 'free_space', 'retention_days', 'unknown']),
});

export const RecordingStatus = z.object({ channels: z.array(RecordingChannelStatus), forecast: Forecast });
export type RecordingStatus = z.infer<typeof RecordingStatus>;

/** The recording settings as read (`recording.config`; a desk's `sites.recordingConfig` of another station). */
export const RecordingConfig = z.object({
  channels: z.array(ChannelRecordingConfig), archive: ArchiveSettings, folder: z.string(),
  /** Bytes of motion grid each channel holds (channels with none left out): the cost of the motion grid switch. */
  motionIndexBytes: z.record(z.string(), z.number()),
  /** The settings' revision when read: passed back with a change, which is refused if someone else changed the same part since. */
  revision: z.number().int().nonnegative(),
});
export type RecordingConfig = z.infer<typeof RecordingConfig>;

export const TimelineChannel = z.object({
  channelId,
  /** `standby`: recorded by this station as the standby of the channel's own station while that one was away (failover). */
  spans: z.array(z.object({ start: z.number(), end: z.number(), standby: z.literal(true).optional() })),
  /** Parts of the spans fetched from the camera's card after a lost connection (edge backfill). */
  filled: z.array(z.object({ start: z.number(), end: z.number() })),
  gaps: z.array(z.object({ start: z.number(), end: z.number(), reason: z.enum(GAP_REASONS) })),
  /** An event with an end draws as a band from at to end. */
  events: z.array(z.object({ at: z.number(), kind: z.string(), end: z.number().optional() })),
  locks: z.array(z.object({ id: z.number(), start: z.number(), end: z.number(), reason: z.string() })),
  /**
   * Another station's channel whose timeline could not be had (its station offline, not answering, or refusing this
   * desk's account): the refusal, worded by the renderer like any other; the lists above are then empty.
   */
  unavailable: Refusal.optional(),
});
export type TimelineChannel = z.infer<typeof TimelineChannel>;

/** The month and week overview: per channel, the recorded share (0..1) and event count of each bucket from `from`. */
export const ArchiveOverview = z.object({
  from: z.number(),
  bucketMs: z.number(),
  channels: z.array(z.object({
    channelId,
    recorded: z.array(z.number()),
    events: z.array(z.number().int()),
    locks: TimelineChannel.shape.locks,
  })),
});
export type ArchiveOverview = z.infer<typeof ArchiveOverview>;

/** Who did something to the archive: the station's user and the kind of client asking (no station accounts exist). */
export const Actor = z.object({ user: z.string(), client: z.enum(['desktop', 'browser', 'station']) });
export type Actor = z.infer<typeof Actor>;

export const ArchiveLock = z.object({
  id: z.number().int(), channelId: channelId.nullable(), start: z.number(), end: z.number(), reason: z.string(), createdAt: z.number(),
  /** Null for locks made before the station kept who. */
  createdBy: Actor.nullable(),
});
export type ArchiveLock = z.infer<typeof ArchiveLock>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.number(),
  action: z.string(),
  kind: z.enum([...AUDIT_KINDS, 'other']),
  /** The channels it concerns; empty: every channel (a lock on all of them) or none. */
  channelIds: z.array(channelId),
  by: Actor.nullable(),
  detail: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** What-if inputs: each one left out is the station's current value. */
export const StorageForecastInput = z.object({
  quotaBytes: z.number().int().positive().nullable().optional(),
  freeFloorBytes: z.number().int().nonnegative().optional(),
  channels: z.array(z.object({
    channelId,
    mode: z.enum(RECORDING_MODES).optional(),
    bitrateBps: z.number().positive().max(1e9).optional(),
    retentionDays: z.number().int().positive().max(3650).nullable().optional(),
  }).strict()).max(512).default([]),
}).strict();

const ForecastDays = { days: z.number().nullable(), limitedBy: z.enum(FORECAST_LIMITS) };
export const StorageForecast = z.object({
  ...ForecastDays,
  bytesPerDay: z.number().nonnegative(),
  /** Bytes left for recordings that roll (the quota or the disk above its floor, less locked evidence). */
  capacityBytes: z.number().nonnegative(),
  channels: z.array(z.object({
    channelId, mode: z.enum(RECORDING_MODES), ...ForecastDays,
    /** The bitrate used: the what-if one, else measured (recorder now, else the archive's last day); 0 when unknown. */
    bitrateBps: z.number().nonnegative(),
    measured: z.boolean(),
    bytesPerDay: z.number().nonnegative(),
  })),
  /** The recordings folder's disk: this archive (less evidence), locked evidence, other data, free. */
  disk: z.object({ totalBytes: z.number(), freeBytes: z.number(), archiveBytes: z.number(), lockedBytes: z.number(), otherBytes: z.number() }),
});
export type StorageForecast = z.infer<typeof StorageForecast>;

export const FolderMove = z.object({
  moveId: z.number().int().positive(),
  from: z.string(),
  to: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  doneFiles: z.number().int().nonnegative(),
  totalFiles: z.number().int().nonnegative(),
  doneBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  error: z.string().optional(),
});
export type FolderMove = z.infer<typeof FolderMove>;

/** One setting for many channels: the fields given replace theirs, the rest stay. */
const ChannelRecordingPatch = ChannelRecordingConfig.omit({ channelId: true }).partial();

export const PlaybackState = z.object({
  sessionId: z.number().int().positive(),
  /** Wall time (epoch ms) at presentation time startSeconds since the last seek. */
  t0: z.number(),
  startSeconds: z.number(),
  speed: z.number(),
  paused: z.boolean(),
  /** Wall time on the session's clock. */
  position: z.number(),
  epoch: z.number().int(),
  ended: z.array(z.number()),
});
export type PlaybackState = z.infer<typeof PlaybackState>;

export const ExportProgress = z.object({
  exportId: z.number().int().positive(),
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  doneBytes: z.number(),
  totalBytes: z.number(),
  folder: z.string(),
  error: z.string().optional(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;

export const VerifyReport = z.object({
  ok: z.boolean(),
  signature: z.enum(['valid', 'invalid', 'missing']),
  signedBy: z.string().optional(),
  trustedKey: z.boolean().optional(),
  files: z.array(z.object({ name: z.string(), status: z.enum(['ok', 'altered', 'missing', 'resized']), detail: z.string().optional() })),
  extraFiles: z.array(z.string()),
  findings: z.array(z.string()),
});
export type VerifyReport = z.infer<typeof VerifyReport>;

const range = { from: epochMs, to: epochMs };

/**
 * A segment of this station's archive as a desk copies it into its cache (sites/remote-archive.ts): the index row, its
 * times in this station's clock, keyframes as [ms from start, byte offset] pairs.
 */
export const ArchiveSegment = z.object({
  id: z.number().int().positive(),
  channelId,
  stream: z.enum(['main', 'sub']),
  start: z.number(),
  end: z.number(),
  bytes: z.number().int().nonnegative(),
  codec: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  timescale: z.number().int().positive(),
  baseDts: z.number(),
  initBytes: z.number().int().nonnegative(),
  /** False while it is still being recorded (it grows). */
  closed: z.boolean(),
  fromCamera: z.boolean(),
  keyframes: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});
export type ArchiveSegment = z.infer<typeof ArchiveSegment>;
/** The most bytes one `archive.segmentRead` returns. */
export const SEGMENT_READ_MAX = 2 * 1024 * 1024;

export const recordingCalls = {
  /** Stored settings: channels never set are not listed (they do not record; their motion grid is on). `folder`: where new recordings go. */
  'recording.config': call(needs.station('recordingSettings'), NoInput, RecordingConfig),
  /**
   * The same fields for many channels at once; all or nothing. On a desk, another station's channels (their desk ids,
   * all of one station, with that station's `revision` from `sites.recordingConfig`) are changed on that station, as the
   * desk's account there.
   */
  'recording.setChannels': call(needs.station('recordingSettings'), 
    z.object({ channelIds: z.array(channelId).min(1).max(512), ...ChannelRecordingPatch.shape, revision: z.number().int().nonnegative().optional() }).strict()
      .refine((p) => Object.keys(p).some((k) => k !== 'channelIds' && k !== 'revision'), 'name at least one setting to change'),
    z.array(ChannelRecordingConfig),
  ),
  /** Refused: a quota below what locked evidence already uses, a free-space floor as large as the disk. */
  'recording.setArchive': call(needs.station('recordingSettings'), ArchiveSettings.extend({ revision: z.number().int().nonnegative().optional() }).strict(), ArchiveSettings),
  'recording.status': call(needs.channelList('live', 'channelId', 'channels'), NoInput, RecordingStatus),
  /** Days the settings hold, per channel and overall, and what limits them; with what-if values, before anything is saved. */
  'recording.forecast': call(needs.station('recordingSettings'), StorageForecastInput, StorageForecast),
  /** An event for a channel: a mark on the timeline, and event recording (with its pre-event buffer) if the channel records on events. */
  'recording.trigger': call(needs.channel('live', 'channelId'), z.object({ channelId, kind: z.string().trim().min(1).max(60).default('manual') }).strict(), z.object({})),
  'archive.timeline': call(needs.channel('playback', 'channelIds'), 
    z.object({ source: sourceId, channelIds: z.array(channelId).min(1).max(64), ...range }).strict(),
    z.array(TimelineChannel),
  ),
  /**
   * The timeline at month and week scales: buckets of whole hours (or days), at most `maxPoints` of them, from a summary
   * kept beside the segment index (a month of 64 channels reads 2 000 rows, not every segment).
   */
  'archive.overview': call(needs.channel('playback', 'channelIds'),
    z.object({ source: sourceId, channelIds: z.array(channelId).min(1).max(64), ...range, maxPoints: z.number().int().min(2).max(5000).default(1000) })
      .strict().refine((r) => r.to > r.from, 'input.endBeforeStart'),
    ArchiveOverview,
  ),
  /** Days (YYYY-MM-DD at the caller's UTC offset) holding recordings, for the calendar. */
  'archive.days': call(needs.channel('playback', 'channelIds'), 
    z.object({ source: sourceId, channelIds: z.array(channelId).min(1).max(64), ...range, utcOffsetMinutes: z.number().int().min(-900).max(900) }).strict(),
    z.array(z.string()),
  ),
  /** The segments of a channel overlapping the range (at most 500, oldest first), for a desk that plays or exports it. */
  'archive.segments': call(needs.channel('playback', 'channelId'),
    z.object({ channelId, ...range }).strict(),
    z.array(ArchiveSegment),
  ),
  /** Bytes of one segment file (a desk copying it); `size`: the segment's indexed bytes now (an open one grows). */
  'archive.segmentRead': call(needs.channel('playback', 'channelId'),
    z.object({ channelId, segmentId: z.number().int().positive(), offset: z.number().int().nonnegative(), length: z.number().int().min(1).max(SEGMENT_READ_MAX) }).strict(),
    z.object({ dataBase64: z.string(), size: z.number().int().nonnegative(), closed: z.boolean() }),
  ),
  'archive.channels': call(needs.channelList('playback', 'channelId'), z.object({ source: sourceId }).strict(), z.array(z.object({ channelId, name: z.string() }))),
  /** A JPEG decoded from the keyframe at or before the instant (cached). */
  'archive.thumbnail': call(needs.channel('playback', 'channelId'), 
    z.object({ source: sourceId, channelId, at: epochMs }).strict(),
    z.object({ jpegBase64: z.string(), at: z.number() }).nullable(),
  ),
  /** Opens a recordings folder from another station or an old install; its index is rebuilt from the files. */
  'archive.openFolder': call(needs.station('recordingSettings'), 
    z.object({ path: z.string().min(1).max(4096) }).strict(),
    z.object({ source: z.string(), label: z.string(), channels: z.array(channelId), segments: z.number().int(), bytes: z.number() }),
  ),
  /**
   * Finds when a drawn region of one or more channels moved, from the stored motion grid (32x18 cells; a channel's grid is
   * stored while its local motion detection is on). `coveredMs`: how much of the range has grid data, per channel.
   */
  'archive.motionSearch': call(needs.channel('playback', 'channelIds'), 
    z.object({
      source: sourceId, channelIds: z.array(channelId).min(1).max(64), ...range,
      /** 576 characters '0'/'1', the 32x18 cells row by row; '1' = searched. */
      region: z.string().regex(/^[01]{576}$/, 'field.invalidFormat').refine((r) => r.includes('1'), 'field.required'),
      sensitivity: z.number().int().min(1).max(100).default(80),
      minDurationMs: z.number().int().min(0).max(3_600_000).default(1000),
      mergeGapMs: z.number().int().min(0).max(60_000).default(2000),
    }).strict().refine((r) => r.to > r.from, 'input.endBeforeStart'),
    z.object({
      hits: z.array(z.object({ channelId, start: z.number(), end: z.number(), peakCells: z.number().int() })).max(5000),
      coveredMs: z.record(z.string(), z.number()),
      /** Bytes the motion index holds for each searched channel (its whole archive), the storage cost shown beside the search. */
      indexBytes: z.record(z.string(), z.number()),
      truncated: z.boolean(),
    }),
  ),
  'archive.lock': call(needs.channel('evidence', 'channelId'), 
    z.object({ channelId: channelId.nullable(), ...range, reason: z.string().trim().min(1).max(500) }).strict().refine((r) => r.to > r.from, 'input.endBeforeStart'),
    ArchiveLock,
  ),
  /** The reason is kept in the audit trail with the lock's own. */
  'archive.unlock': call(needs.item('evidence', 'lock', 'lockId'), z.object({ lockId: z.number().int().positive(), reason: z.string().trim().min(1).max(500) }).strict(), z.object({ removed: z.boolean() })),
  'archive.locks': call(needs.channelList('playback', 'channelId'), NoInput, z.array(ArchiveLock)),
  /** Newest first. */
  'archive.audit': call(needs.channelList('playback', 'channelIds'), 
    z.object({
      kinds: z.array(z.enum(AUDIT_KINDS)).max(AUDIT_KINDS.length).optional(),
      channelId: channelId.optional(), from: epochMs.optional(), to: epochMs.optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }).strict(),
    z.array(AuditEntry),
  ),
  /**
   * A new recordings folder, at once: it must exist and be writable. `move`: the recordings of the folder in use move
   * with it (progress in archive.move); otherwise they stay where they are, still played and kept by retention.
   */
  'archive.setFolder': call(needs.station('recordingSettings'), 
    z.object({ path: z.string().trim().min(1).max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'field.notAbsolutePath'), move: z.boolean() }).strict(),
    z.object({ folder: z.string(), moveId: z.number().int().positive().nullable() }),
  ),
  /**
   * Starts synchronized playback of up to 16 channels on this client's media channel; `audio`: with the cameras' audio
   * (sent at 1× only; asked for only when heard, since MSE plays only as far as both tracks reach).
   */
  'playback.open': call(needs.channel('playback', 'channelIds'), 
    z.object({ source: sourceId, channelIds: z.array(channelId).min(1).max(16), at: epochMs, speed: z.number().default(1), paused: z.boolean().default(false), audio: z.boolean().default(false) }).strict(),
    z.object({ state: PlaybackState, channels: z.array(z.object({ channelId, channel: z.number().int().nonnegative() })) }),
  ),
  'playback.seek': call(needs.channel('playback'), z.object({ sessionId: z.number().int().positive(), at: epochMs }).strict(), PlaybackState),
  'playback.speed': call(needs.channel('playback'), 
    z.object({ sessionId: z.number().int().positive(), speed: z.number().refine((s) => (PLAYBACK_SPEEDS as readonly number[]).includes(s), `must be one of ${PLAYBACK_SPEEDS.join(', ')}`) }).strict(),
    PlaybackState,
  ),
  'playback.pause': call(needs.channel('playback'), z.object({ sessionId: z.number().int().positive(), paused: z.boolean() }).strict(), PlaybackState),
  /** Sound on or off: the channels start again where they are, with or without their audio tracks. */
  'playback.audio': call(needs.channel('audio'), z.object({ sessionId: z.number().int().positive(), audio: z.boolean() }).strict(), PlaybackState),
  /** Frame step (pauses): ±n frames of the session's first channel. */
  'playback.step': call(needs.channel('playback'), z.object({ sessionId: z.number().int().positive(), frames: z.number().int().min(-250).max(250).refine((n) => n !== 0) }).strict(), PlaybackState),
  'playback.close': call(needs.channel('playback'), z.object({ sessionId: z.number().int().positive() }).strict(), z.object({})),
  'export.start': call(needs.channel('export', 'channelIds'), 
    z.object({ source: sourceId, channelIds: z.array(channelId).min(1).max(64), ...range }).strict().refine((r) => r.to > r.from, 'input.endBeforeStart'),
    z.object({ exportId: z.number().int().positive(), folder: z.string() }),
  ),
  'export.cancel': call(needs.item('export', 'export', 'exportId'), z.object({ exportId: z.number().int().positive() }).strict(), z.object({})),
  'export.verify': call(needs.channel('export'), z.object({ folder: z.string().min(1).max(4096) }).strict(), VerifyReport),
} as const;

export const recordingSignals = {
  'recording.status': RecordingStatus,
  'playback.state': PlaybackState,
  'export.progress': ExportProgress,
  'archive.move': FolderMove,
  /** The recording settings changed (a channel's or the archive's; `recording.config` says the same revision): pages showing them read them again. */
  'recording.changed': z.object({ revision: z.number().int().nonnegative() }),
  /** Part of a gap was filled from the camera's card (edge backfill): timelines showing it refresh. */
  'archive.filled': z.object({ channelId, start: epochMs, end: epochMs }),
} as const;
