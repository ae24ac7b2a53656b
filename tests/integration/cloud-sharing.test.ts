import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestCloud, type TestCloud } from './cloud-helpers';

let c: TestCloud;
beforeAll(async () => {
  c = await startTestCloud();
});
afterAll(async () => {
  await c.close();
});

describe('device sharing', () => {
  it('shares a device by email, limited to channels and a window, and revokes it', async () => {
    const owner = await signUp(c, { nickname: 'Owner' });
    const friend = await signUp(c);
    const from = new Date(c.clock.now + 3600_000).toISOString();
    const until = new Date(c.clock.now + 2 * 3600_000).toISOString();
    const r = await c.call('POST', '/v1/shares', {
      token: owner.token,
      body: { deviceId: 'SN-123', deviceName: 'Front door', recipientEmail: friend.email.toUpperCase(), channels: [1, 3], validFrom: from, validUntil: until },
    });
    expect(r.status).toBe(201);
    expect(r.body.share).toMatchObject({ deviceId: 'SN-123', channels: [1, 3], validFrom: from, validUntil: until, recipientEmail: friend.email });

    const received = async () => (await c.call('GET', '/v1/shares/received', { token: friend.token })).body.shares;
    expect(await received()).toMatchObject([{ id: r.body.share.id, deviceName: 'Front door', ownerNickname: 'Owner', active: false }]);
    c.clock.now += 3600_000;
    expect((await received())[0].active).toBe(true);
    c.clock.now += 3600_000;
    expect((await received())[0].active).toBe(false);

    const given = (await c.call('GET', '/v1/shares', { token: owner.token })).body.shares;
    expect(given).toHaveLength(1);
    // The recipient can neither revoke nor see it as given.
    expect((await c.call('DELETE', `/v1/shares/${r.body.share.id}`, { token: friend.token })).status).toBe(404);
    expect((await c.call('GET', '/v1/shares', { token: friend.token })).body.shares).toHaveLength(0);
    const revoked = await c.call('DELETE', `/v1/shares/${r.body.share.id}`, { token: owner.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.share.revokedAt).toBeTruthy();
    // The recipient's list keeps it, revoked, without its credential.
    expect(await received()).toMatchObject([{ id: r.body.share.id, active: false, credential: null, revokedAt: revoked.body.share.revokedAt }]);
    expect((await c.call('DELETE', `/v1/shares/${r.body.share.id}`, { token: owner.token })).status).toBe(404);
  });

  it('shares every channel without a window when none is given', async () => {
    const owner = await signUp(c);
    const friend = await signUp(c);
    await c.call('POST', '/v1/shares', { token: owner.token, body: { deviceId: 'SN-9', deviceName: 'NVR', recipientEmail: friend.email } });
    expect((await c.call('GET', '/v1/shares/received', { token: friend.token })).body.shares[0]).toMatchObject({
      channels: null,
      validFrom: null,
      validUntil: null,
      active: true,
    });
  });

  it('holds the credential only until the recipient\'s station picks it up: then no plaintext is left in the row', async () => {
    const owner = await signUp(c);
    const friend = await signUp(c);
    const credential = 'share-credential-0123456789abcdef';
    const id = (await c.call('POST', '/v1/shares', { token: owner.token, body: { deviceId: 'st', deviceName: 'Gate', recipientEmail: friend.email, credential } })).body.share.id;
    expect((await c.call('GET', '/v1/shares/received', { token: friend.token })).body.shares[0].credential).toBe(credential);
    // Only the recipient picks it up; the owner's try is 404 and changes nothing.
    expect((await c.call('POST', `/v1/shares/${id}/pickup`, { token: owner.token })).status).toBe(404);
    expect((await c.call('POST', `/v1/shares/${id}/pickup`, { token: friend.token })).status).toBe(204);
    expect((await c.call('POST', `/v1/shares/${id}/pickup`, { token: friend.token })).status).toBe(204);
    expect((await c.call('GET', '/v1/shares/received', { token: friend.token })).body.shares[0]).toMatchObject({ id, active: true, credential: null });
    const db = new Database(c.dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT credential FROM shares WHERE id = ?').get(id)).toEqual({ credential: null });
    } finally {
      db.close();
    }
  });

  it('validates the share with field names', async () => {
    const owner = await signUp(c);
    const unknown = await c.call('POST', '/v1/shares', { token: owner.token, body: { deviceId: 'x', deviceName: 'y', recipientEmail: 'nobody@example.test' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('recipientEmail');
    const self = await c.call('POST', '/v1/shares', { token: owner.token, body: { deviceId: 'x', deviceName: 'y', recipientEmail: owner.email } });
    expect(self.status).toBe(400);
    const window = await c.call('POST', '/v1/shares', {
      token: owner.token,
      body: { deviceId: 'x', deviceName: 'y', recipientEmail: 'a@b.test', validFrom: '2026-01-02T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' },
    });
    expect(window.body.error.field).toBe('validUntil');
    const channels = await c.call('POST', '/v1/shares', { token: owner.token, body: { deviceId: 'x', deviceName: 'y', recipientEmail: 'a@b.test', channels: [-1] } });
    expect(channels.body.error.field).toBe('channels.0');
  });
});
