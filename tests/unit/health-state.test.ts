// The pure parts of station health: a channel's state and since when, when its alarm is due, CPU over an interval, the
// newest warnings and errors of a pino log, and the list of stations the desk shows.
import { describe, expect, it } from 'vitest';
import type { StationHealth } from '../../electron/contract';
import { alarmDue, channelState, cpuPercent, lastLogErrors, stationList, type RecorderState } from '../../electron/core/health/health-state';

const rec = (r: Partial<RecorderState>): RecorderState => ({ channelId: 1, mode: 'continuous', state: 'recording', ...r });

describe('a channel\'s state', () => {
  it('is recording, a gap with its reason, or off; `since` stays while the state does', () => {
    const a = channelState(rec({}), undefined, 1000);
    expect(a).toEqual({ state: 'recording', since: 1000 });
    expect(channelState(rec({}), a, 5000)).toBe(a);
    // The recorder's gap carries its own start.
    const gap = channelState(rec({ state: 'gap', gapReason: 'camera_offline', gapSince: 4200 }), a, 7000);
    expect(gap).toEqual({ state: 'gap', reason: 'camera_offline', since: 4200 });
    // Another reason is another state.
    expect(channelState(rec({ state: 'gap', gapReason: 'disk', gapSince: 8000 }), gap, 9000)).toEqual({ state: 'gap', reason: 'disk', since: 8000 });
    // Idle (outside its schedule) and no recorder at all are off, not a gap.
    expect(channelState(rec({ state: 'idle', mode: 'schedule' }), gap, 9000)).toEqual({ state: 'off', since: 9000 });
    expect(channelState(undefined, undefined, 9000)).toEqual({ state: 'off', since: 9000 });
  });

  it('waiting for the first keyframe is a gap (starting); a gap after it began when the waiting did', () => {
    const starting = channelState(rec({ state: 'waiting' }), { state: 'off', since: 0 }, 2000);
    expect(starting).toEqual({ state: 'gap', reason: 'starting', since: 2000 });
    expect(channelState(rec({ state: 'gap', gapReason: 'camera_offline' }), starting, 6000)).toEqual({ state: 'gap', reason: 'camera_offline', since: 2000 });
    // A gap's start from the recorder is never later than now.
    expect(channelState(rec({ state: 'gap', gapReason: 'camera_offline', gapSince: 9000 }), undefined, 6000).since).toBe(6000);
  });

  it('raises its alarm once a gap has lasted the set time, never with 0 and never while off or recording', () => {
    const gap = { state: 'gap' as const, reason: 'camera_offline' as const, since: 10_000 };
    expect(alarmDue(gap, 11_999, 2)).toBe(false);
    expect(alarmDue(gap, 12_000, 2)).toBe(true);
    expect(alarmDue(gap, 1e9, 0)).toBe(false);
    expect(alarmDue({ state: 'off', since: 0 }, 1e9, 2)).toBe(false);
    expect(alarmDue({ state: 'recording', since: 0 }, 1e9, 2)).toBe(false);
  });
});

describe('CPU over an interval', () => {
  it('is CPU time over wall time in percent of one core', () => {
    expect(cpuPercent({ at: 0, user: 0, system: 0 }, { at: 2000, user: 300_000, system: 100_000 })).toBe(20);
    expect(cpuPercent({ at: 0, user: 0, system: 0 }, { at: 1000, user: 1_500_000, system: 500_000 })).toBe(200);
    expect(cpuPercent({ at: 5, user: 0, system: 0 }, { at: 5, user: 10, system: 0 })).toBe(0);
  });
});

describe('the log\'s last errors', () => {
  const line = (o: object) => JSON.stringify({ pid: 1, hostname: 'h', ...o });
  it('are warnings and errors, newest first, with why and what about, the same one in a row folded, a torn line skipped', () => {
    const log = [
      line({ level: 'info', time: 1, msg: 'station started' }),
      line({ level: 'error', time: 2, msg: 'retention failed', err: { message: 'EACCES' } }),
      line({ level: 'warn', time: 3, stream: '2/sub', reason: 'connection refused', msg: 'stream upstream failed' }),
      line({ level: 'warn', time: 4, stream: '2/sub', reason: 'connection refused', msg: 'stream upstream failed' }),
      line({ level: 'fatal', time: 5, msg: 'out of disk', channel: 3 }),
      '{"level":"error","time":6,"msg":"to',
    ].join('\n');
    expect(lastLogErrors(log, 10)).toEqual([
      { at: 5, level: 'error', message: 'out of disk (channel 3)', count: 1 },
      { at: 4, level: 'warn', message: 'stream upstream failed: connection refused (stream 2/sub)', count: 2 },
      { at: 2, level: 'error', message: 'retention failed: EACCES', count: 1 },
    ]);
    expect(lastLogErrors(log, 1)).toHaveLength(1);
    expect(lastLogErrors('', 5)).toEqual([]);
  });
});

describe('the stations list', () => {
  it('is this station first, then the others, never a second "local"', () => {
    const h = { name: 'desk-1' } as StationHealth;
    const remote = { id: 'site-2', name: 'Warehouse', state: 'offline' as const, retryAt: 5 };
    expect(stationList(h, [remote, { id: 'local', name: 'x', state: 'online' }])).toEqual([
      { id: 'local', name: 'desk-1', state: 'online', health: h },
      remote,
    ]);
    expect(stationList(h)).toHaveLength(1);
  });
});
