// Editing the device list in a real station against camsim (with video): channel covers, the device password through
// each driver (kept only once the device took it), and delete with "keep its recordings" or "delete them".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COVER_MAX_BYTES, type CallName, type Device } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('devices-editing-test');
const scope = fileScope();
let fleet: Fleet, st: Station, dataDir: string;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f40000000049454e44ae426082', 'hex');

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);
const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);

beforeAll(async () => {
  fleet = scope.add(await startFleet({ devices: 3, channels: 1, subnet: 'random' }));
  ({ st, dataDir } = await startStationIn(scope, scope.tempDir('wp-devedit-'), { heartbeatMs: 60_000, devices: { heartbeatMs: 60_000 } }));
}, 60_000);

describe('editing the device list', () => {
  let onvifCam: Device;
  let dahuaCam: Device;

  it('covers: from a snapshot of the channel or an image file; wrong type and oversize refused by name, the old cover kept', async () => {
    const [a, b] = fleet.manifest.devices;
    onvifCam = await call('devices.add', { address: a!.ip, httpPort: a!.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    dahuaCam = await call('devices.add', { address: b!.ip, httpPort: b!.ports.http, username: 'admin', password: DEFAULT_PASSWORD, driver: 'dahua' });
    const ch = onvifCam.channels[0]!.channelId;
    expect(onvifCam.channels[0]!.hasCover).toBe(false);
    expect(await call('devices.cover', { channelId: ch })).toBeNull();
    expect(await call('devices.setCover', { channelId: ch, from: 'snapshot' })).toMatchObject({ channelId: ch, type: 'image/jpeg' });
    const snap = (await call('devices.cover', { channelId: ch }))!;
    expect(Buffer.from(snap.imageBase64, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await call('devices.list')).find((d) => d.id === onvifCam.id)!.channels[0]!.hasCover).toBe(true);
    expect(await refusal(call('devices.setCover', { channelId: ch, imageBase64: Buffer.from('not an image at all').toString('base64') }))).toMatch(/JPEG, PNG or WebP/);
    expect(await refusal(call('devices.setCover', { channelId: ch, imageBase64: Buffer.concat([PNG, Buffer.alloc(COVER_MAX_BYTES)]).toString('base64') }))).toMatch(/at most 512 KiB/);
    expect((await call('devices.cover', { channelId: ch }))!.imageBase64).toBe(snap.imageBase64);
    expect(await call('devices.setCover', { channelId: ch, imageBase64: PNG.toString('base64') })).toMatchObject({ type: 'image/png', bytes: PNG.length });
    expect((await call('devices.cover', { channelId: ch }))!.type).toBe('image/png');
    expect(await refusal(call('devices.setCover', { channelId: 99_999, from: 'snapshot' }))).toMatch(/There is no channel with ID 99999/);
    // A camera added by RTSP URL has a cover too; removing the channel (Live page) removes it.
    const rtsp = await call('channels.addRtsp', { name: 'Yard', mainUrl: 'rtsp://127.0.0.1:8554/yard', subUrl: null });
    await call('devices.setCover', { channelId: rtsp.id, imageBase64: PNG.toString('base64') });
    expect(existsSync(join(dataDir, 'covers', `${rtsp.id}.img`))).toBe(true);
    await call('channels.remove', { id: rtsp.id });
    await expect.poll(() => existsSync(join(dataDir, 'covers', `${rtsp.id}.img`))).toBe(false);
    expect(await call('devices.cover', { channelId: ch })).not.toBeNull();
  }, 40_000);

  it('changes the password on the device through ONVIF and Dahua CGI, and only then keeps it', async () => {
    const [a, b] = fleet.manifest.devices;
    expect(await refusal(call('devices.changePassword', { id: onvifCam.id, password: 'weak' }))).toMatch(/8 to 32 characters/);
    expect(fleet.device(a!.id).passwordOf('admin')).toBe(DEFAULT_PASSWORD);
    const fresh = 'Onvif-New-Pass-7';
    expect(await call('devices.changePassword', { id: onvifCam.id, password: fresh })).toEqual({ changed: true });
    expect(fleet.device(a!.id).passwordOf('admin')).toBe(fresh);
    // The station logs in with the new one: a time read-back needs the login.
    await call('devices.configure', { changes: [{ id: onvifCam.id }], time: { tz: 'UTC0', dst: false, mode: 'ntp' } }).then((r) => expect(r[0]).toMatchObject({ ok: true }));
    const dahuaNew = 'Dahua-New-Pass-8';
    expect(await call('devices.changePassword', { id: dahuaCam.id, password: dahuaNew })).toEqual({ changed: true });
    expect(fleet.device(b!.id).passwordOf('admin')).toBe(dahuaNew);
    // Someone changed it on the device behind the station's back: the device refuses, and the station keeps what it had.
    fleet.device(b!.id).users.set('admin', { username: 'admin', password: 'Changed-Elsewhere-9', level: 'Administrator' });
    expect(await refusal(call('devices.changePassword', { id: dahuaCam.id, password: 'Never-Kept-Pass-1' }))).toMatch(/refused/);
    expect(fleet.device(b!.id).passwordOf('admin')).toBe('Changed-Elsewhere-9');
    fleet.device(b!.id).users.set('admin', { username: 'admin', password: dahuaNew, level: 'Administrator' });
    const ch = (await call('channels.list')).find((c) => c.id === dahuaCam.channels[0]!.channelId)!;
    expect(ch.hasCredentials).toBe(true);
    // The stream opens with the kept password (the RTSP server checks it).
    const snap = await call('live.snapshot', { channelId: ch.id });
    expect(snap.width).toBeGreaterThan(0);
    // The new passwords are in no database file, log or renderer-bound result.
    st.logger.flush();
    const files = [join(dataDir, 'station.db'), join(dataDir, 'station.db-wal'), ...readdirSync(join(dataDir, 'logs')).map((f) => join(dataDir, 'logs', f))];
    const out = JSON.stringify([await call('devices.list'), await call('channels.list')]);
    for (const pw of [fresh, dahuaNew, 'Never-Kept-Pass-1']) {
      for (const f of files) if (existsSync(f)) expect(readFileSync(f).includes(pw), `${pw} in ${f}`).toBe(false);
      expect(out.includes(pw)).toBe(false);
    }
  }, 40_000);

  it('delete keeps or deletes the recordings as chosen; the credentials and the cover go either way', async () => {
    await call('recording.setArchive', { segmentSeconds: 2, quotaBytes: null, freeFloorBytes: 0 });
    const channels = [onvifCam, dahuaCam].map((d) => d.channels[0]!.channelId);
    await call('recording.setChannels', { channelIds: channels, mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    const recorded = async (channelId: number) => (await call('archive.timeline', { source: 'local', channelIds: [channelId], from: Date.now() - 120_000, to: Date.now() }))[0]!.spans;
    for (const c of channels) await expect.poll(async () => (await recorded(c)).reduce((n, s) => n + s.end - s.start, 0), { timeout: 30_000 }).toBeGreaterThan(2500);
    const files = () => readdirSync(join(dataDir, 'recordings'), { recursive: true }).map(String).filter((f) => f.endsWith('.mp4'));
    const before = files().length;
    const del = await call('devices.remove', { id: onvifCam.id, recordings: 'delete' });
    expect(del).toMatchObject({ removed: true, keptLocked: 0 });
    expect(del.deletedSegments).toBeGreaterThan(0);
    expect(await recorded(channels[0]!)).toEqual([]);
    expect(files().length).toBeLessThanOrEqual(before - del.deletedSegments + 2);
    expect(existsSync(join(dataDir, 'covers', `${channels[0]}.img`))).toBe(false);
    const keep = await call('devices.remove', { id: dahuaCam.id, recordings: 'keep' });
    expect(keep).toEqual({ removed: true, deletedSegments: 0, keptLocked: 0 });
    expect((await recorded(channels[1]!)).length).toBeGreaterThan(0);
    expect(await call('devices.list')).toEqual([]);
    // Its recorder stops on its own and notes the end of recording as a gap (waited for, so the station is not disposed under it).
    await expect.poll(async () => (await call('archive.timeline', { source: 'local', channelIds: [channels[1]], from: Date.now() - 120_000, to: Date.now() + 1000 }))[0]!.gaps.length, { timeout: 10_000 }).toBeGreaterThan(0);
  }, 60_000);
});
