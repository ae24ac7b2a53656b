// The storage calculator: how many days of recordings the settings hold per channel and overall, and what limits them.
// Retention deletes the oldest recordings across all channels first, so every channel kept by the quota or the free
// space reaches back equally far; a channel with fewer retention days keeps only those, leaving room to the others.
import type { RecordingMode } from './recorder';

export type ForecastLimit = 'quota' | 'free_space' | 'retention_days' | 'not_recording';

export interface ChannelRate {
  channelId: number;
  mode: RecordingMode;
  bitrateBps: number;
  measured: boolean;
  /** Hours a week the schedule records (schedule mode). */
  scheduleHours: number;
  /** Bytes the channel recorded in the last day (event mode's only measure of how often it records). */
  lastDayBytes: number;
  retentionDays: number | null;
}

export interface ForecastDisk { totalBytes: number; freeBytes: number; archiveBytes: number; lockedBytes: number }

export interface CalculatorInput {
  channels: ChannelRate[];
  quotaBytes: number | null;
  freeFloorBytes: number;
  disk: ForecastDisk;
}

const DAY_S = 86_400;

/** Bytes a day a channel writes under its mode. */
export function bytesPerDay(c: ChannelRate): number {
  switch (c.mode) {
    case 'off': return 0;
    case 'continuous': return (c.bitrateBps / 8) * DAY_S;
    case 'schedule': return (c.bitrateBps / 8) * DAY_S * (c.scheduleHours / 168);
    case 'event': return c.lastDayBytes;
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function storageForecast(input: CalculatorInput) {
  const { disk } = input;
  const byDisk = disk.archiveBytes + Math.max(0, disk.freeBytes - input.freeFloorBytes);
  const byQuota = input.quotaBytes ?? Infinity;
  const capLimit: ForecastLimit = byQuota <= byDisk ? 'quota' : 'free_space';
  // Locked evidence stays whatever happens: what rolls has the rest.
  const capacityBytes = Math.max(0, Math.min(byDisk, byQuota) - disk.lockedBytes);

  const rows = input.channels.map((c) => ({ c, perDay: bytesPerDay(c), days: null as number | null, limitedBy: 'not_recording' as ForecastLimit }));
  // Water-filling: channels by retention days, fewest first; each one the level reaches is held at its own days.
  const writing = rows.filter((r) => r.perDay > 0).sort((a, b) => (a.c.retentionDays ?? Infinity) - (b.c.retentionDays ?? Infinity));
  let left = capacityBytes;
  let rate = writing.reduce((n, r) => n + r.perDay, 0);
  let i = 0;
  for (; i < writing.length; i++) {
    const r = writing[i]!;
    const keep = r.c.retentionDays;
    if (keep === null || keep * rate > left) break;
    r.days = keep;
    r.limitedBy = 'retention_days';
    left -= keep * r.perDay;
    rate -= r.perDay;
  }
  const level = rate > 0 ? left / rate : 0;
  for (; i < writing.length; i++) {
    writing[i]!.days = Number.isFinite(level) ? round1(level) : null;
    writing[i]!.limitedBy = capLimit;
  }
  const shortest = writing.reduce<(typeof writing)[number] | undefined>((m, r) => (m === undefined || (r.days ?? Infinity) < (m.days ?? Infinity) ? r : m), undefined);
  return {
    days: shortest?.days ?? null,
    limitedBy: shortest?.limitedBy ?? 'not_recording',
    bytesPerDay: Math.round(rows.reduce((n, r) => n + r.perDay, 0)),
    capacityBytes: Number.isFinite(capacityBytes) ? capacityBytes : disk.archiveBytes + disk.freeBytes,
    channels: rows.map((r) => ({
      channelId: r.c.channelId, mode: r.c.mode, bitrateBps: Math.round(r.c.bitrateBps), measured: r.c.measured,
      bytesPerDay: Math.round(r.perDay), days: r.days, limitedBy: r.limitedBy,
    })),
    disk: {
      totalBytes: disk.totalBytes, freeBytes: disk.freeBytes,
      archiveBytes: Math.max(0, disk.archiveBytes - disk.lockedBytes), lockedBytes: disk.lockedBytes,
      otherBytes: Math.max(0, disk.totalBytes - disk.freeBytes - disk.archiveBytes),
    },
  };
}
