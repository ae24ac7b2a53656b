// A forgotten device password reset by the security code a camsim device mails to its reserved address (Dahua's PasswdFind
// on /OutsideCmd), through a real station and a real SMTP server on loopback: support reported per device, wrong and stale
// codes and a weak password refused with nothing lost, the lock after too many tries, an unreachable device, and the new
// password kept by the station — never the code or the password in its log or operation log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallName, Device } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { RESET_CODE_TTL_MS, RESET_MAX_TRIES } from '../../scripts/camsim/dahua/passwd-find';
import { DEFAULT_PASSWORD, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('device-password-reset-test');
const scope = fileScope();
let fleet: Fleet, st: Station, dataDir: string, sink: SmtpSink;
const EMAIL = 'keeper@example.com';
const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);
const refused = (p: Promise<unknown>) => p.then(() => undefined, (e: { info?: { reason?: string; params?: Record<string, unknown> } }) => e.info);
const codeOf = async () => /Security code: (\d{8})/.exec((await sink.next(EMAIL)).text)![1]!;

beforeAll(async () => {
  sink = await startSmtpSink();
  scope.defer(() => sink.close());
  fleet = scope.add(await startFleet({ devices: 2, subnet: 'random', media: placeholderMedia, smtp: { host: '127.0.0.1', port: sink.port } }));
  // As DevInit with a mail field leaves it; the second device was activated without one.
  fleet.device(0).resetEmail = EMAIL;
  ({ st, dataDir } = await startStationIn(scope, scope.tempDir('wp-devreset-'), { heartbeatMs: 60_000, devices: { heartbeatMs: 60_000 } }));
}, 60_000);

describe('device password reset by the reserved e-mail', () => {
  let cam: Device, other: Device;
  const fresh = 'Reset-Pass-2026';

  it('reports per device whether it offers the reset, and sends the code to the reserved address, masked on the station', async () => {
    const [a, b] = fleet.manifest.devices;
    cam = await call('devices.add', { address: a!.ip, httpPort: a!.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    other = await call('devices.add', { address: b!.ip, httpPort: b!.ports.http, username: 'admin', password: DEFAULT_PASSWORD });
    const support = async (id: number) => (await call('devices.list')).find((d) => d.id === id)?.passwordReset;
    await expect.poll(() => support(cam.id)).toBe('email');
    await expect.poll(() => support(other.id)).toBe('noEmail');
    expect(await refused(call('devices.resetStart', { id: other.id }))).toMatchObject({ reason: 'deviceReset.noEmail' });
    expect(await call('devices.resetStart', { id: cam.id })).toEqual({ maskedEmail: 'k***@example.com', validForS: RESET_CODE_TTL_MS / 1000 });
    expect(await codeOf()).toMatch(/^\d{8}$/);
  }, 30_000);

  it('refuses a weak password, a wrong code and a stale one, nothing lost, and locks after too many tries', async () => {
    const device = fleet.device(0);
    await call('devices.resetStart', { id: cam.id });
    const code = await codeOf();
    const wrong = code === '00000000' ? '11111111' : '00000000';
    // The station's rule first: the code is not spent on a password the device would refuse.
    expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: code, password: 'short' }))).toMatchObject({ reason: 'device.weakPassword', params: { field: 'newDevicePassword' } });
    expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: wrong, password: fresh }))).toMatchObject({ reason: 'deviceReset.wrongCode', params: { count: RESET_MAX_TRIES - 1 } });
    // The device's clock moves past the code's lifetime: the right code is stale now.
    device.time.offsetMs += RESET_CODE_TTL_MS + 1000;
    try {
      expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: code, password: fresh }))).toMatchObject({ reason: 'deviceReset.codeExpired' });
    } finally {
      device.time.offsetMs -= RESET_CODE_TTL_MS + 1000;
    }
    await call('devices.resetStart', { id: cam.id });
    const next = await codeOf();
    const bad = next === '00000000' ? '11111111' : '00000000';
    for (let left = RESET_MAX_TRIES - 1; left > 0; left--) {
      expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: bad, password: fresh }))).toMatchObject({ reason: 'deviceReset.wrongCode', params: { count: left } });
    }
    expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: bad, password: fresh }))).toMatchObject({ reason: 'deviceReset.locked' });
    expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: next, password: fresh }))).toMatchObject({ reason: 'deviceReset.locked' });
    expect(device.users.get('admin')!.password).toBe(DEFAULT_PASSWORD);
  }, 30_000);

  it('says so when the device cannot be reached', async () => {
    await fleet.device(0).goOffline(1500);
    const why = await refused(call('devices.resetStart', { id: cam.id }));
    expect(why?.reason).toMatch(/^device\.(connectionRefused|timeout|unreachable)$/);
    await fleet.device(0).whenOnline();
  }, 30_000);

  it('sets the new password on the device and keeps it for the device, never writing the code or the password down', async () => {
    await call('devices.resetStart', { id: cam.id });
    const code = await codeOf();
    expect(await call('devices.resetFinish', { id: cam.id, securityCode: code, password: fresh })).toEqual({ reset: true });
    expect(fleet.device(0).users.get('admin')!.password).toBe(fresh);
    // The station logs in with the new password: the device's time is read through its driver.
    expect(await call('devices.time', { id: cam.id })).toMatchObject({ mode: expect.stringMatching(/ntp|manual/) });
    // Spent: the same code again is stale.
    expect(await refused(call('devices.resetFinish', { id: cam.id, securityCode: code, password: 'Another-Pass-1' }))).toMatchObject({ reason: 'deviceReset.codeExpired' });
    const entries = (await call('oplog.query', { kind: 'devices.' })).filter((e) => e.kind.startsWith('devices.reset'));
    expect(entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['devices.resetStart', 'devices.resetFinish']));
    expect(entries.find((e) => e.kind === 'devices.resetFinish' && e.result === 'ok')?.deviceId).toBe(cam.id);
    const log = readFileSync(join(dataDir, 'logs', 'station.log'), 'utf8');
    for (const text of [JSON.stringify(entries), log]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(fresh);
      expect(text).not.toContain(EMAIL);
    }
  }, 30_000);
});
