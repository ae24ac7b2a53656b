// Account management (session list, sign out elsewhere, email change, photo limits), the sign-up throttle,
// and the three consent-gated services: alarm push inbox, cloud storage, hosted device lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_MAX_BYTES, STORED_OBJECT_MAX_BYTES } from '../../cloud/domain';
import { JPEG_BYTES, MP4_BYTES, PASSWORD, consentBody, signUp, signUpBody, startTestCloud, type TestAccount, type TestCloud, grant as grantConsent } from './cloud-helpers';

let c: TestCloud;
beforeAll(async () => {
  c = await startTestCloud();
});
afterAll(async () => {
  await c.close();
});

const received = async (purpose: string) => (await c.cloud.telemetryTotals()).byPurpose[purpose]!.receivedBytes;

describe('sessions', () => {
  it('lists each session with the app that opened it, marks this one, and signs out everywhere else', async () => {
    const a = await signUp(c, { client: 'Watchpost station 0.1.0 (linux x64)' });
    const phone = (await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD, client: 'Watchpost phone 2.0' } })).body;
    const laptop = (await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).body;
    const list = (await c.call('GET', '/v1/sessions', { token: phone.token })).body.sessions;
    // Same test-clock instant for all three: compare as a set.
    expect(list.map((s: any) => [s.client, s.current]).sort()).toEqual([
      ['', false], ['Watchpost phone 2.0', true], ['Watchpost station 0.1.0 (linux x64)', false],
    ]);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD, client: 'bad\u0007bell' } })).body.error.message)
      .toBe('client: must be printable text');

    const r = await c.call('POST', '/v1/sessions/revoke-others', { token: phone.token });
    expect(r.body).toEqual({ revoked: 2 });
    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(401);
    expect((await c.call('GET', '/v1/account', { token: laptop.token })).status).toBe(401);
    expect((await c.call('GET', '/v1/account', { token: phone.token })).status).toBe(200);
    const after = (await c.call('GET', '/v1/sessions', { token: phone.token })).body.sessions;
    expect(after.filter((s: any) => s.revokedAt === null).map((s: any) => s.id)).toEqual([phone.sessionId]);
  });
});

describe('email change', () => {
  it('needs the current password, refuses a taken email, and moves the log-in to the new email', async () => {
    const a = await signUp(c);
    const b = await signUp(c);
    const wrong = await c.call('POST', '/v1/account/email', { token: a.token, body: { currentPassword: 'not it at all', newEmail: `new.${a.email}` } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'wrong_password', field: 'password' });
    const taken = await c.call('POST', '/v1/account/email', { token: a.token, body: { currentPassword: PASSWORD, newEmail: b.email } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe('newEmail');
    const bad = await c.call('POST', '/v1/account/email', { token: a.token, body: { currentPassword: PASSWORD, newEmail: 'nope' } });
    expect(bad.body.error.message).toBe('newEmail: must be an email address');
    // The profile edit cannot change the email without the password.
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: { email: `x.${a.email}` } })).status).toBe(400);

    const ok = await c.call('POST', '/v1/account/email', { token: a.token, body: { currentPassword: PASSWORD, newEmail: ` NEW.${a.email.toUpperCase()} ` } });
    expect(ok.status).toBe(200);
    expect(ok.body.account.email).toBe(`new.${a.email}`);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).status).toBe(401);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: `new.${a.email}`, password: PASSWORD } })).status).toBe(200);
  });
});

describe('profile photo', () => {
  it('names the problem for a wrong type, a fake image or an oversized one, and keeps the photo it had', async () => {
    const a = await signUp(c, { photo: { contentType: 'image/jpeg', data: JPEG_BYTES.toString('base64') } });
    const patch = (photo: unknown) => c.call('PATCH', '/v1/account', { token: a.token, body: { photo } });
    expect((await patch({ contentType: 'image/gif', data: JPEG_BYTES.toString('base64') })).body.error.message).toBe('photo.contentType: must be image/jpeg or image/png');
    expect((await patch({ contentType: 'image/png', data: JPEG_BYTES.toString('base64') })).body.error.message).toBe('photo.data: is not a image/png image');
    const big = Buffer.concat([JPEG_BYTES, Buffer.alloc(PHOTO_MAX_BYTES)]);
    expect((await patch({ contentType: 'image/jpeg', data: big.toString('base64') })).body.error.message).toBe(`photo.data: must decode to at most ${PHOTO_MAX_BYTES} bytes`);
    const kept = await c.call('GET', '/v1/account/photo', { token: a.token });
    expect(Buffer.from(kept.body.data, 'base64').equals(JPEG_BYTES)).toBe(true);
    expect((await patch(null)).body.account.hasPhoto).toBe(false);
    expect((await c.call('GET', '/v1/account/photo', { token: a.token })).status).toBe(404);
  });
});

describe('sign-up throttle', () => {
  it('refuses sign-ups from one address past the limit, taken emails included, until the window passes', async () => {
    const local = await startTestCloud({ throttle: { signupsPerClient: 3 } });
    try {
      const first = await signUp(local);
      expect((await local.call('POST', '/v1/accounts', { body: signUpBody({ email: first.email }) })).status).toBe(409);
      await signUp(local);
      const refused = await local.call('POST', '/v1/accounts', { body: signUpBody() });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('signup_throttled');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Log-in is a separate limit: the signed-up account still logs in.
      expect((await local.call('POST', '/v1/auth/login', { body: { email: first.email, password: PASSWORD } })).status).toBe(200);
      local.clock.now += 15 * 60_000 + 1;
      expect((await local.call('POST', '/v1/accounts', { body: signUpBody() })).status).toBe(201);
    } finally {
      await local.close();
    }
  });
});

describe('consent-gated services', () => {
  let a: TestAccount;
  let other: TestAccount;
  const grant = (p: string) => grantConsent(c, a.token, p);
  const withdraw = (p: string) => c.call('POST', '/v1/consents', { token: a.token, body: consentBody(p, 'withdraw') });
  const notice = (over: Record<string, unknown> = {}) => ({
    stationId: 'st-1', type: 'door', channelName: 'Front door', occurredAt: '2026-06-01T11:59:58.000Z', snapshotJpeg: JPEG_BYTES.toString('base64'), ...over,
  });
  beforeAll(async () => {
    a = await signUp(c);
    other = await signUp(c);
  });

  it('alarm push: refused and stored nowhere without a grant; kept in the inbox under one; refused again after withdrawal', async () => {
    const before = await received('alarm_push');
    const off = await c.call('POST', '/v1/push', { token: a.token, body: notice() });
    expect(off.status).toBe(403);
    expect(off.body.error).toMatchObject({ code: 'consent_required', purpose: 'alarm_push' });
    expect((await c.call('GET', '/v1/push', { token: a.token })).body.notices).toEqual([]);
    expect(await received('alarm_push')).toBeGreaterThan(before);

    await grant('alarm_push');
    const on = await c.call('POST', '/v1/push', { token: a.token, body: notice() });
    expect(on.status).toBe(201);
    expect(on.body.notice).toMatchObject({ stationId: 'st-1', type: 'door', channelName: 'Front door', occurredAt: '2026-06-01T11:59:58.000Z', hasSnapshot: true });
    expect((await c.call('POST', '/v1/push', { token: a.token, body: notice({ snapshotJpeg: Buffer.from('GIF89a').toString('base64') }) })).body.error.message)
      .toBe('snapshotJpeg: is not a JPEG image');
    const inbox = (await c.call('GET', '/v1/push', { token: a.token })).body.notices;
    expect(inbox).toHaveLength(1);
    const snap = await c.call('GET', `/v1/push/${inbox[0].id}/snapshot`, { token: a.token });
    expect(Buffer.from(snap.body.data, 'base64').equals(JPEG_BYTES)).toBe(true);
    expect((await c.call('GET', `/v1/push/${inbox[0].id}/snapshot`, { token: other.token })).status).toBe(404);
    expect((await c.call('GET', '/v1/push', { token: other.token })).body.notices).toEqual([]);

    await withdraw('alarm_push');
    expect((await c.call('POST', '/v1/push', { token: a.token, body: notice() })).status).toBe(403);
    expect((await c.call('GET', '/v1/push', { token: a.token })).body.notices).toHaveLength(1);
  });

  it('cloud storage: upload under a grant, list, download, delete; clear errors for bad files; refused when withdrawn', async () => {
    const obj = (over: Record<string, unknown> = {}) => ({ name: 'door.jpg', kind: 'snapshot', contentType: 'image/jpeg', data: JPEG_BYTES.toString('base64'), ...over });
    expect((await c.call('POST', '/v1/storage', { token: a.token, body: obj() })).body.error.code).toBe('consent_required');
    await grant('cloud_storage');
    const up = await c.call('POST', '/v1/storage', { token: a.token, body: obj() });
    expect(up.status).toBe(201);
    expect(up.body.object).toMatchObject({ name: 'door.jpg', kind: 'snapshot', contentType: 'image/jpeg', bytes: JPEG_BYTES.length });
    const clip = await c.call('POST', '/v1/storage', { token: a.token, body: obj({ name: 'clip.mp4', kind: 'clip', contentType: 'video/mp4', data: MP4_BYTES.toString('base64') }) });
    expect(clip.status).toBe(201);
    const err = async (o: Record<string, unknown>) => (await c.call('POST', '/v1/storage', { token: a.token, body: obj(o) })).body.error.message;
    expect(await err({ name: '../etc/passwd' })).toBe('name: must be a file name without slashes');
    expect(await err({ kind: 'clip' })).toBe('contentType: a clip must be video/mp4');
    expect(await err({ contentType: 'video/mp4', kind: 'clip', data: JPEG_BYTES.toString('base64') })).toBe('data: is not an MP4 file (no ftyp box)');
    const tooBig = Buffer.concat([JPEG_BYTES, Buffer.alloc(STORED_OBJECT_MAX_BYTES)]).toString('base64');
    expect(await err({ data: tooBig })).toBe(`data: must decode to at most ${STORED_OBJECT_MAX_BYTES} bytes`);

    const list = (await c.call('GET', '/v1/storage', { token: a.token })).body;
    expect(list.objects.map((o: any) => o.name).sort()).toEqual(['clip.mp4', 'door.jpg']);
    expect(list.usedBytes).toBe(JPEG_BYTES.length + MP4_BYTES.length);
    const down = await c.call('GET', `/v1/storage/${up.body.object.id}`, { token: a.token });
    expect(Buffer.from(down.body.data, 'base64').equals(JPEG_BYTES)).toBe(true);
    expect((await c.call('GET', `/v1/storage/${up.body.object.id}`, { token: other.token })).status).toBe(404);
    expect((await c.call('DELETE', `/v1/storage/${up.body.object.id}`, { token: other.token })).status).toBe(404);
    expect((await c.call('DELETE', `/v1/storage/${up.body.object.id}`, { token: a.token })).status).toBe(204);
    expect((await c.call('GET', '/v1/storage', { token: a.token })).body.objects).toHaveLength(1);

    await withdraw('cloud_storage');
    expect((await c.call('POST', '/v1/storage', { token: a.token, body: obj() })).body.error.code).toBe('consent_required');
    // What is stored stays the user's to see and delete.
    expect((await c.call('GET', `/v1/storage/${clip.body.object.id}`, { token: a.token })).status).toBe(200);
  });

  it('device hosting: a station hosts its device list under a grant, another station sees it, withdrawal takes every list down', async () => {
    const list = { stationName: 'Office', devices: [{ id: 'dev-1', name: 'Gate', kind: 'camera', model: 'IPC-1', channels: 2 }] };
    expect((await c.call('PUT', '/v1/hosting/st-1', { token: a.token, body: list })).body.error.code).toBe('consent_required');
    await grant('device_hosting');
    const leak = await c.call('PUT', '/v1/hosting/st-1', { token: a.token, body: { ...list, devices: [{ ...list.devices[0], password: 'admin123' }] } });
    expect(leak.body.error.message).toBe('devices.0.password: is not a known field (password)');
    expect((await c.call('PUT', '/v1/hosting/st-1', { token: a.token, body: list })).status).toBe(200);
    expect((await c.call('PUT', '/v1/hosting/st-2', { token: a.token, body: { stationName: 'Home', devices: [] } })).status).toBe(200);
    const second = (await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).body.token;
    const seen = (await c.call('GET', '/v1/hosting', { token: second })).body.stations;
    expect(seen.map((s: any) => [s.stationId, s.stationName, s.devices.length])).toEqual([['st-2', 'Home', 0], ['st-1', 'Office', 1]]);
    expect((await c.call('GET', '/v1/hosting', { token: other.token })).body.stations).toEqual([]);
    expect((await c.call('DELETE', '/v1/hosting/st-1', { token: other.token })).status).toBe(404);

    await withdraw('device_hosting');
    expect((await c.call('GET', '/v1/hosting', { token: a.token })).body.stations).toEqual([]);
    expect((await c.call('PUT', '/v1/hosting/st-1', { token: a.token, body: list })).status).toBe(403);
  });

  it('a restricted account gets nothing stored for any service', async () => {
    for (const p of ['alarm_push', 'cloud_storage', 'device_hosting']) await grant(p);
    await c.call('PUT', '/v1/rights', { token: a.token, body: { restricted: true } });
    expect((await c.call('POST', '/v1/push', { token: a.token, body: notice() })).body.error.code).toBe('processing_restricted');
    expect((await c.call('PUT', '/v1/hosting/st-1', { token: a.token, body: { stationName: 'x', devices: [] } })).body.error.code).toBe('processing_restricted');
    await c.call('PUT', '/v1/rights', { token: a.token, body: { restricted: false } });
  });
});
