// PTZ through the station against camsim's ONVIF PTZ service: moves change camsim's position, stop stops it, presets round trip.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StationError, type CallName, type CallOutput, type Channel } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';

const session = new ClientSession('ptz-test');
const scope = fileScope();
let fleet: Fleet, st: Station, dataDir: string;
let channel: Channel;
const seen: string[] = [];

async function call<K extends CallName>(name: K, input: unknown = {}, s = session): Promise<CallOutput<K>> {
  const r = await st.dispatch(name, input, s);
  seen.push(JSON.stringify(r));
  if (!r.ok) throw new StationError(r.error.code, r.error.message);
  return r.value as CallOutput<K>;
}

const pan = () => ({ ...fleet.device(0).channel(1)!.pan });

beforeAll(async () => {
  fleet = scope.add(await startFleet({ devices: 1, channels: 1, subnet: 'random', media: placeholderMedia }));
  ({ st, dataDir } = await startStationIn(scope, scope.tempDir('wp-ptz-'), { heartbeatMs: 60_000, devices: { heartbeatMs: 60_000 } }));
  st.signals.subscribe((name, payload) => seen.push(JSON.stringify({ name, payload })));
  const cam = fleet.manifest.devices[0]!;
  await call('devices.add', { address: cam.ip, httpPort: cam.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
}, 60_000);

describe('PTZ on camsim', () => {
  it('the channel info says which channels have PTZ, asked of the device in the background', async () => {
    await expect.poll(async () => (await call('channels.list')).find((c) => c.ptz), { timeout: 15_000 }).toBeTruthy();
    channel = (await call('channels.list')).find((c) => c.ptz)!;
    expect(seen.some((m) => m.includes('"channels.changed"') && m.includes('"ptz":true'))).toBe(true);
  });

  it('a continuous move pans camsim until stopped', async () => {
    const before = pan();
    await call('live.ptz.move', { channelId: channel.id, pan: 1, tilt: 0 });
    expect(fleet.device(0).isMoving(1)).toBe(true);
    await expect.poll(() => pan().x, { timeout: 5000 }).toBeGreaterThan(before.x + 0.1);
    expect(pan().y).toBeCloseTo(before.y, 3);
    await call('live.ptz.stop', { channelId: channel.id });
    expect(fleet.device(0).isMoving(1)).toBe(false);
    const stopped = pan().x;
    await new Promise((r) => setTimeout(r, 400));
    expect(pan().x).toBe(stopped);
  });

  it('tilts down at the speed asked', async () => {
    const before = pan();
    await call('live.ptz.move', { channelId: channel.id, pan: 0, tilt: -0.5 });
    await expect.poll(() => pan().y, { timeout: 5000 }).toBeLessThan(before.y - 0.05);
    await call('live.ptz.stop', { channelId: channel.id });
    expect(fleet.device(0).isMoving(1)).toBe(false);
  });

  it('saves a preset, lists it, and goes back to it after moving away', async () => {
    const at = pan();
    const saved = await call('live.ptz.setPreset', { channelId: channel.id, name: 'Gate' });
    expect(saved.name).toBe('Gate');
    expect(await call('live.ptz.presets', { channelId: channel.id })).toContainEqual(saved);
    await call('live.ptz.move', { channelId: channel.id, pan: -1, tilt: 1 });
    await expect.poll(() => Math.abs(pan().x - at.x), { timeout: 5000 }).toBeGreaterThan(0.2);
    await call('live.ptz.stop', { channelId: channel.id });
    await call('live.ptz.gotoPreset', { channelId: channel.id, token: saved.token });
    expect(pan().x).toBeCloseTo(at.x, 3);
    expect(pan().y).toBeCloseTo(at.y, 3);
    // Overwriting by token keeps one preset under that token.
    const again = await call('live.ptz.setPreset', { channelId: channel.id, name: 'Gate 2', token: saved.token });
    expect(again.token).toBe(saved.token);
    expect((await call('live.ptz.presets', { channelId: channel.id })).filter((p) => p.token === saved.token)).toEqual([{ token: saved.token, name: 'Gate 2' }]);
  });

  it('stops a moving camera when the client that moved it goes away', async () => {
    const client = new ClientSession('ptz-gone');
    await call('live.ptz.move', { channelId: channel.id, pan: 0.5, tilt: 0 }, client);
    expect(fleet.device(0).isMoving(1)).toBe(true);
    client.close();
    await expect.poll(() => fleet.device(0).isMoving(1), { timeout: 5000 }).toBe(false);
  });

  it('refuses clearly: a channel without PTZ, speeds out of range, an unknown preset', async () => {
    // The device's own stream again, by RTSP URL (confirmed: the station questions a stream already on the list).
    const rtsp = await call('channels.addRtsp', { name: 'Plain RTSP', mainUrl: fleet.manifest.devices[0]!.channels[0]!.main.rtsp, allowSameUrl: true });
    await expect(call('live.ptz.move', { channelId: rtsp.id, pan: 1, tilt: 0 })).rejects.toThrow(/Channel “Plain RTSP” \(ID \d+\) has no PTZ/);
    await expect(call('live.ptz.presets', { channelId: rtsp.id })).rejects.toThrow(/has no PTZ/);
    await expect(call('live.ptz.move', { channelId: channel.id, pan: 2, tilt: 0 })).rejects.toThrow(/Pan must be at most 1/);
    await expect(call('live.ptz.gotoPreset', { channelId: channel.id, token: 'nope' })).rejects.toThrow(/NoToken|preset/i);
    await expect(call('live.ptz.setPreset', { channelId: channel.id, name: '  ' })).rejects.toThrow(/Preset name is required/);
    await expect(call('live.ptz.stop', { channelId: 9999 })).rejects.toThrow(/There is no channel with ID 9999/);
    expect((await call('channels.list')).find((c) => c.id === rtsp.id)?.ptz).toBe(false);
  });

  it('never lets the device password reach the renderer or the log', () => {
    expect(seen.join('\n')).not.toContain(DEFAULT_PASSWORD);
    expect(readFileSync(join(dataDir, 'logs', 'station.log'), 'utf8')).not.toContain(DEFAULT_PASSWORD);
  });
});
