// Station health with a real station and a camsim camera (its own process): the channel records, the camera drops off
// the network (camsim's fault API) → a gap with its reason, the channel-stopped alarm after the set time (2 s here),
// ended once the camera is back; and the station-offline alarm the sites area raises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmNotice, StationEvent } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { withCredentials } from '../../scripts/camsim/fleet';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const scope = fileScope();
const session = new ClientSession('health-test');
let camsim: CamsimProcess, st: Station, channelId: number;
const notices: AlarmNotice[] = [];

beforeAll(async () => {
  camsim = await startCamsim(['--devices', '1', '--channels', '1']);
  ({ st } = await startStationIn(scope, scope.tempDir('wp-health-'), { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 250 } }));
  st.signals.subscribe((name, p) => { if (name === 'alarm.raised') notices.push(p as AlarmNotice); });
  const device = camsim.manifest.devices[0]!;
  ({ id: channelId } = await stationCall(st, session, 'channels.addRtsp', { name: 'Gate', mainUrl: withCredentials(device.channels[0]!.sub.rtsp), subUrl: null }));
  await stationCall(st, session, 'health.updateSettings', { recordingStopAlarmS: 2 });
  await stationCall(st, session, 'recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null, backfill: false });
}, 60_000);
afterAll(() => camsim?.stop());

const health = () => stationCall(st, session, 'health.get');
const gate = async () => (await health()).channels.find((c) => c.id === channelId)!;
const alarms = async () => (await stationCall(st, session, 'events.list', { alarmsOnly: true, types: ['recording_stopped'] })) as StationEvent[];

describe('station health', () => {
  it('reports the station, the recording channel and its stream', async () => {
    await expect.poll(async () => (await gate()).state, { timeout: 20_000 }).toBe('recording');
    const h = await health();
    expect(h.version).toMatch(/^\d+\.\d+/);
    expect(h.uptimeS).toBeGreaterThanOrEqual(0);
    expect(h.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(h.heapBytes).toBeGreaterThan(0);
    expect(h.cpuPct).toBeGreaterThanOrEqual(0);
    // The recorders' one write budget (issue 17): its bound, and what is queued under it.
    expect(h.writeQueue).toMatchObject({ maxBytes: 128 * 1024 * 1024, sheds: 0 });
    expect(h.writeQueue!.usedBytes).toBeLessThanOrEqual(h.writeQueue!.maxBytes);
    expect(h.volumes).toHaveLength(1);
    expect(h.volumes[0]!.totalBytes).toBeGreaterThan(h.volumes[0]!.freeBytes);
    expect(h.streamsConnected).toBe(1);
    expect(h.channels).toEqual([expect.objectContaining({ id: channelId, name: 'Gate', state: 'recording', mode: 'continuous', alarm: false })]);
    const [local, ...others] = await stationCall(st, session, 'health.stations');
    expect(others).toEqual([]);
    expect(local).toMatchObject({ id: 'local', state: 'online', health: { version: h.version } });
    expect(await stationCall(st, session, 'health.settings')).toEqual({ recordingStopAlarmS: 2 });
  }, 30_000);

  it('a camera gone is a gap with its reason, an alarm after the set time, ended when it records again', async () => {
    await camsim.fault(camsim.manifest.devices[0]!.id, { type: 'offline', seconds: 9 });
    await expect.poll(async () => (await gate()).state, { timeout: 10_000, interval: 200 }).toBe('gap');
    const gap = await gate();
    expect(gap.reason).toBe('camera_offline');
    // Not at once: the alarm waits for the set time (2 s) from the gap's start.
    await expect.poll(async () => (await alarms()).length, { timeout: 8_000, interval: 200 }).toBe(1);
    const [alarm] = await alarms();
    expect(alarm!.start - gap.since).toBeGreaterThanOrEqual(2000);
    expect(alarm).toMatchObject({ channelId, type: 'recording_stopped', ruleId: null, acknowledged: false, end: null });
    expect(alarm!.detail).toContain('Gate');
    expect(alarm!.detail).toContain('camera offline');
    expect(notices.filter((n) => n.event.id === alarm!.id)).toEqual([expect.objectContaining({ ruleId: null, actions: ['notify'] })]);
    expect((await gate()).alarm).toBe(true);
    // The camera returns: recording again, the alarm ends (and still waits for acknowledgement).
    await expect.poll(async () => (await gate()).state, { timeout: 20_000, interval: 250 }).toBe('recording');
    const [ended] = await alarms();
    expect(ended!.end).not.toBeNull();
    expect(ended!.acknowledged).toBe(false);
    expect((await gate()).alarm).toBe(false);
    expect(await alarms()).toHaveLength(1);
    // The log's warning about it is among the last errors.
    expect((await health()).lastErrors.some((e) => e.level === 'warn' && e.message.includes('channel stopped recording'))).toBe(true);
  }, 45_000);

  it('a station the desk knows going offline is one station alarm, ended when it is back', async () => {
    const offline = async () => (await stationCall(st, session, 'events.list', { alarmsOnly: true, types: ['station_offline'] })) as StationEvent[];
    st.health.stationOffline('site-7', 'Warehouse', 'connection refused');
    st.health.stationOffline('site-7', 'Warehouse', 'connection refused');
    expect(await offline()).toEqual([expect.objectContaining({ channelId: null, ruleId: null, end: null, detail: 'Warehouse: connection refused' })]);
    st.health.stationOnline('site-7');
    expect((await offline())[0]!.end).not.toBeNull();
  });
});
