// Alarm push, cloud storage and device hosting from a real station to the real cloud on loopback:
// each flows while granted, and sends zero bytes when off or withdrawn.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { type AlarmNotice, type CallName } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { apiFor, JPEG_BYTES, MP4_BYTES } from './cloud-helpers';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { privacyStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('privacy-services-test');
const PASSWORD = 'correct horse battery';
const scope = fileScope();
const temp = (p: string) => scope.tempDir(p);
let cloud: CloudHandle;
let n = 0;

const call = <K extends CallName>(st: Station, name: K, input: unknown = {}) => stationCall(st, session, name, input);
async function station(): Promise<{ st: Station; dataDir: string }> {
  const dataDir = temp('wp-svc-st-');
  return { st: await privacyStation(scope, cloud.url, dataDir), dataDir };
}
const cloudApi = (method: string, path: string, token?: string, body?: unknown) => apiFor(cloud.url).call(method, path, { token, body });
const tokenOf = async (email: string) => (await cloudApi('POST', '/v1/auth/login', undefined, { email, password: PASSWORD })).body.token as string;
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const received = async (p: string) => (await cloud.telemetryTotals()).byPurpose[p]!.receivedBytes;
const ledger = async (st: Station, purpose: string) => (await call(st, 'privacy.ledger', { purpose })).rows;
async function signUp(st: Station): Promise<string> {
  const email = `svc${++n}.${process.pid}@example.test`;
  await call(st, 'privacy.signUp', { email, password: PASSWORD, nickname: 'Lin', country: 'DE', dateOfBirth: '1988-02-03' });
  return email;
}
async function setConsent(st: Station, purpose: string, granted: boolean) {
  await call(st, 'privacy.setConsent', { purpose, granted, ...(granted ? { password: PASSWORD } : {}) });
  await call(st, 'privacy.syncNow');
  await poll(async () => (await call(st, 'privacy.state')).purposes.find((p) => p.purpose === purpose)).toMatchObject({ granted, active: granted, pending: false });
}
function alarm(channelId: number, at: number): AlarmNotice {
  return {
    event: { id: 7, channelId, type: 'door', source: 'onvif', start: at, end: null, value: null, unit: null, detail: 'opened', hasSnapshot: true, ruleId: 1, acknowledged: false, ackNote: null, ackAt: null },
    ruleId: 1, ruleName: 'Door at night', actions: ['notify'], snapshotBase64: JPEG_BYTES.toString('base64'),
  };
}

beforeAll(async () => {
  ({ cloud } = await startCloudInTempDir(scope, 'wp-svc-cloud-', { region: 'de', throttle: { signupsPerClient: 1000 } }));
});

describe('the three services that send data, each only under its consent', () => {
  it('alarm push: an alarm on the station bus lands in the push inbox only while granted', async () => {
    const { st } = await station();
    const email = await signUp(st);
    const door = await call(st, 'channels.addRtsp', { name: 'Front door', mainUrl: 'rtsp://127.0.0.1:9/door', subUrl: null });
    const token = await tokenOf(email);

    st.signals.emit('alarm.raised', alarm(door.id, Date.parse('2026-06-01T21:00:00.000Z')));
    await call(st, 'privacy.syncNow');
    expect(await ledger(st, 'alarm_push')).toEqual([]);
    expect(await received('alarm_push')).toBe(0);

    await setConsent(st, 'alarm_push', true);
    st.signals.emit('alarm.raised', alarm(door.id, Date.parse('2026-06-01T21:05:00.000Z')));
    await poll(async () => (await cloudApi('GET', '/v1/push', token)).body.notices.length).toBe(1);
    const [notice] = (await cloudApi('GET', '/v1/push', token)).body.notices;
    expect(notice).toMatchObject({ type: 'door', channelName: 'Front door', occurredAt: '2026-06-01T21:05:00.000Z', hasSnapshot: true });
    const snap = await cloudApi('GET', `/v1/push/${notice.id}/snapshot`, token);
    expect(Buffer.from(snap.body.data, 'base64').equals(JPEG_BYTES)).toBe(true);
    const rows = await ledger(st, 'alarm_push');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: 'POST', endpoint: '/v1/push', status: 201 });
    expect(rows[0]!.consent).toMatch(/^grant #\d+ recorded .* under policy /);
    const sent = await received('alarm_push');
    expect(sent).toBe(rows[0]!.bytesOut);

    await setConsent(st, 'alarm_push', false);
    st.signals.emit('alarm.raised', alarm(door.id, Date.parse('2026-06-01T21:10:00.000Z')));
    await call(st, 'privacy.syncNow');
    expect(await ledger(st, 'alarm_push')).toHaveLength(1);
    expect(await received('alarm_push')).toBe(sent);
    expect((await cloud.telemetryTotals()).unauthenticatedBytes).toBe(0);
  });

  it('cloud storage: upload a snapshot and a clip, list, download, delete, export; nothing goes up when off', async () => {
    const { st, dataDir } = await station();
    const email = await signUp(st);
    mkdirSync(join(dataDir, 'snapshots'), { recursive: true });
    mkdirSync(join(dataDir, 'clips'), { recursive: true });
    const snapPath = join(dataDir, 'snapshots', 'door-2100.jpg');
    const clipPath = join(dataDir, 'clips', 'door-2100.mp4');
    writeFileSync(snapPath, JPEG_BYTES);
    writeFileSync(clipPath, MP4_BYTES);
    const before = await received('cloud_storage');

    await expect(call(st, 'privacy.storeFile', { path: snapPath })).rejects.toThrow('Cloud storage is off; turn it on under “What you allow” first. Nothing was sent.');
    expect(await ledger(st, 'cloud_storage')).toEqual([]);

    await setConsent(st, 'cloud_storage', true);
    const outside = join(temp('wp-svc-out-'), 'secret.jpg');
    writeFileSync(outside, JPEG_BYTES);
    await expect(call(st, 'privacy.storeFile', { path: outside })).rejects.toThrow("Only files in this station's recordings, snapshots or clips folders can be uploaded.");
    await expect(call(st, 'privacy.storeFile', { path: join(dataDir, 'station.db') })).rejects.toThrow('Only snapshots (.jpg) and exported clips (.mp4) can go to cloud storage.');
    const snap = await call(st, 'privacy.storeFile', { path: snapPath });
    expect(snap).toMatchObject({ name: 'door-2100.jpg', kind: 'snapshot', contentType: 'image/jpeg', bytes: JPEG_BYTES.length });
    const clip = await call(st, 'privacy.storeFile', { path: clipPath });
    expect(clip).toMatchObject({ kind: 'clip', contentType: 'video/mp4' });
    expect((await call(st, 'privacy.storage')).objects.map((o) => o.name).sort()).toEqual(['door-2100.jpg', 'door-2100.mp4']);
    const down = await call(st, 'privacy.downloadStored', { id: snap.id });
    expect(Buffer.from(down.dataBase64, 'base64').equals(JPEG_BYTES)).toBe(true);
    const exported = JSON.parse((await call(st, 'privacy.export', { password: PASSWORD })).json);
    expect(exported.cloud.data.cloudStorage.map((o: { base64: string }) => o.base64)).toContain(MP4_BYTES.toString('base64'));
    expect(await call(st, 'privacy.deleteStored', { id: snap.id })).toEqual({ deleted: true });
    expect((await call(st, 'privacy.storage')).objects).toHaveLength(1);
    const uploads = (await ledger(st, 'cloud_storage')).filter((r) => r.method === 'POST');
    expect(uploads).toHaveLength(2);
    for (const u of uploads) expect(u.consent).toMatch(/^grant #\d+/);

    await setConsent(st, 'cloud_storage', false);
    const sent = await received('cloud_storage');
    expect(sent - before).toBe(uploads.reduce((s, u) => s + u.bytesOut, 0));
    await expect(call(st, 'privacy.storeFile', { path: clipPath })).rejects.toThrow(/Cloud storage is off/);
    expect((await ledger(st, 'cloud_storage')).filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(await received('cloud_storage')).toBe(sent);
    // What is stored stays the user's: listed and erased with the account.
    expect((await call(st, 'privacy.storage')).objects).toHaveLength(1);
    const receipt = await call(st, 'privacy.erase', { password: PASSWORD, recordings: 'keep' });
    expect(receipt.cloud).toMatchObject({ deleted: { cloudStorageObjects: 1 } });
    expect((await cloudApi('POST', '/v1/auth/login', undefined, { email, password: PASSWORD })).status).toBe(401);
  });

  it('device hosting: the device list (no credentials) reaches the account\'s other stations only while granted', async () => {
    const a = await station();
    const b = await station();
    await call(a.st, 'channels.addRtsp', { name: 'Yard', mainUrl: 'rtsp://admin:hunter22@127.0.0.1:9/yard', subUrl: null });
    const email = await signUp(a.st);
    await call(a.st, 'privacy.syncNow');
    expect(await ledger(a.st, 'device_hosting')).toEqual([]);
    const before = await received('device_hosting');

    await setConsent(a.st, 'device_hosting', true);
    await poll(async () => (await ledger(a.st, 'device_hosting')).filter((r) => r.method === 'PUT').length).toBe(1);
    await call(b.st, 'privacy.logIn', { email, password: PASSWORD });
    const seen = await call(b.st, 'privacy.hostedStations');
    const fromA = seen.find((h) => !h.own && h.devices.some((d) => d.name === 'Yard'));
    expect(fromA?.devices).toEqual([{ id: expect.stringMatching(/^channel-\d+$/), name: 'Yard', kind: 'rtsp camera', model: '', channels: 1 }]);
    const raw = JSON.stringify((await cloudApi('GET', '/v1/hosting', await tokenOf(email))).body);
    for (const secret of ['hunter22', 'admin', 'rtsp://', '127.0.0.1']) expect(raw).not.toContain(secret);

    // A changed list goes out again by itself; an unchanged one is not resent.
    await call(a.st, 'channels.addRtsp', { name: 'Gate', mainUrl: 'rtsp://127.0.0.1:9/gate', subUrl: null });
    await poll(async () => (await call(b.st, 'privacy.hostedStations')).find((h) => h.stationId === fromA!.stationId)?.devices.length).toBe(2);
    await call(a.st, 'privacy.syncNow');
    const puts = (await ledger(a.st, 'device_hosting')).filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);

    await setConsent(a.st, 'device_hosting', false);
    expect((await cloudApi('GET', '/v1/hosting', await tokenOf(email))).body.stations).toEqual([]);
    const sent = await received('device_hosting');
    await call(a.st, 'channels.addRtsp', { name: 'Shed', mainUrl: 'rtsp://127.0.0.1:9/shed', subUrl: null });
    await call(a.st, 'privacy.syncNow');
    await call(b.st, 'privacy.syncNow');
    expect((await ledger(a.st, 'device_hosting')).filter((r) => r.method === 'PUT')).toHaveLength(2);
    expect((await ledger(b.st, 'device_hosting')).filter((r) => r.method === 'PUT').length).toBeLessThanOrEqual(1);
    expect(await received('device_hosting')).toBe(sent);
    expect(sent).toBeGreaterThan(before);
  });
});
