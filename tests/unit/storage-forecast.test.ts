// The storage calculator: days per channel and overall, and what holds them back (quota, free space, retention days).
import { describe, expect, it } from 'vitest';
import { bytesPerDay, storageForecast, type ChannelRate } from '../../electron/core/recording/storage-forecast';

const GIB = 1024 ** 3;
const MBIT = 1_000_000;
/** 1 Mbit/s for a day. */
const DAY_AT_1M = (MBIT / 8) * 86_400;
const ch = (channelId: number, o: Partial<ChannelRate> = {}): ChannelRate => ({
  channelId, mode: 'continuous', bitrateBps: MBIT, measured: true, scheduleHours: 0, lastDayBytes: 0, retentionDays: null, ...o,
});
const disk = (o: Partial<{ totalBytes: number; freeBytes: number; archiveBytes: number; lockedBytes: number }> = {}) =>
  ({ totalBytes: 1000 * GIB, freeBytes: 500 * GIB, archiveBytes: 0, lockedBytes: 0, ...o });

describe('storage forecast', () => {
  it('bytes a day by mode: continuous at its bitrate, a schedule for its share of the week, events as measured, off none', () => {
    expect(bytesPerDay(ch(1))).toBe(DAY_AT_1M);
    expect(bytesPerDay(ch(1, { mode: 'schedule', scheduleHours: 84 }))).toBe(DAY_AT_1M / 2);
    expect(bytesPerDay(ch(1, { mode: 'event', lastDayBytes: 123 }))).toBe(123);
    expect(bytesPerDay(ch(1, { mode: 'off' }))).toBe(0);
  });

  it('the quota limits every channel equally when it is smaller than the disk', () => {
    const f = storageForecast({ channels: [ch(1), ch(2)], quotaBytes: 4 * DAY_AT_1M, freeFloorBytes: 0, disk: disk() });
    expect(f.days).toBe(2);
    expect(f.limitedBy).toBe('quota');
    expect(f.channels.map((c) => [c.days, c.limitedBy])).toEqual([[2, 'quota'], [2, 'quota']]);
    expect(f.bytesPerDay).toBe(2 * DAY_AT_1M);
  });

  it('free space above the floor limits when there is no quota; the archive already there counts as room', () => {
    const f = storageForecast({ channels: [ch(1)], quotaBytes: null, freeFloorBytes: 10 * GIB, disk: disk({ freeBytes: 10 * GIB + 3 * DAY_AT_1M, archiveBytes: DAY_AT_1M }) });
    expect(f.days).toBe(4);
    expect(f.limitedBy).toBe('free_space');
  });

  it('a channel with fewer retention days keeps only those and leaves the room to the others', () => {
    // 10 days of one channel's room: channel 1 keeps 2 days, channel 2 gets the other 8.
    const f = storageForecast({ channels: [ch(1, { retentionDays: 2 }), ch(2)], quotaBytes: 10 * DAY_AT_1M, freeFloorBytes: 0, disk: disk() });
    expect(f.channels.map((c) => [c.channelId, c.days, c.limitedBy])).toEqual([[1, 2, 'retention_days'], [2, 8, 'quota']]);
    expect(f.days).toBe(2);
    expect(f.limitedBy).toBe('retention_days');
  });

  it('retention alone when everything fits; locked evidence takes its room off the top', () => {
    const fits = storageForecast({ channels: [ch(1, { retentionDays: 3 }), ch(2, { retentionDays: 5 })], quotaBytes: 100 * DAY_AT_1M, freeFloorBytes: 0, disk: disk() });
    expect(fits.channels.map((c) => c.days)).toEqual([3, 5]);
    expect(fits.limitedBy).toBe('retention_days');
    const locked = storageForecast({ channels: [ch(1)], quotaBytes: 10 * DAY_AT_1M, freeFloorBytes: 0, disk: disk({ archiveBytes: 6 * DAY_AT_1M, lockedBytes: 4 * DAY_AT_1M }) });
    expect(locked.days).toBe(6);
    expect(locked.capacityBytes).toBe(6 * DAY_AT_1M);
    expect(locked.disk).toEqual({ totalBytes: 1000 * GIB, freeBytes: 500 * GIB, archiveBytes: 2 * DAY_AT_1M, lockedBytes: 4 * DAY_AT_1M, otherBytes: 500 * GIB - 6 * DAY_AT_1M });
  });

  it('nothing recording: no days, and says so', () => {
    const f = storageForecast({ channels: [ch(1, { mode: 'off' }), ch(2, { bitrateBps: 0, measured: false })], quotaBytes: null, freeFloorBytes: 0, disk: disk() });
    expect(f.days).toBeNull();
    expect(f.limitedBy).toBe('not_recording');
    expect(f.channels.every((c) => c.days === null && c.limitedBy === 'not_recording')).toBe(true);
  });
});
