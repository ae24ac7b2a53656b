// Tokens on every route, and no account reaching another's data by any route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../cloud/routes';
import { JPEG_BYTES, PASSWORD, consentBody, signUp, startTestCloud, type TestAccount, type TestCloud, grant, exportOf } from './cloud-helpers';

let c: TestCloud;
let alice: TestAccount;
let mallory: TestAccount;
let aliceShareId: string;
let alicePushId: number;
let aliceObjectId: string;

// POST /v1/transfers takes no session but the deployment's peer key (tests/integration/cloud-regions.test.ts refuses a forged one).
const PUBLIC = new Set(['GET /v1/health', 'GET /v1/export/schema', 'POST /v1/accounts', 'POST /v1/auth/login', 'POST /v1/auth/forgot', 'POST /v1/auth/reset', 'GET /v1/regions', 'POST /v1/transfers']);

beforeAll(async () => {
  c = await startTestCloud();
  alice = await signUp(c, { nickname: 'Alice' });
  mallory = await signUp(c, { nickname: 'Mallory' });
  const carol = await signUp(c);
  await c.call('PUT', '/v1/settings', { token: alice.token, body: { settings: { secret: 'alice-only' } }, headers: { 'if-match': '"1"' } });
  await grant(c, alice.token, 'user_experience_plan');
  aliceShareId = (await c.call('POST', '/v1/shares', { token: alice.token, body: { deviceId: 'A-1', deviceName: 'Alice cam', recipientEmail: carol.email } })).body.share.id;
  for (const p of ['alarm_push', 'cloud_storage', 'device_hosting']) await grant(c, alice.token, p);
  alicePushId = (await c.call('POST', '/v1/push', {
    token: alice.token,
    body: { stationId: 'st-a', type: 'door', channelName: 'alice-only door', occurredAt: '2026-06-01T12:00:00.000Z', snapshotJpeg: JPEG_BYTES.toString('base64') },
  })).body.notice.id;
  aliceObjectId = (await c.call('POST', '/v1/storage', {
    token: alice.token, body: { name: 'alice-only.jpg', kind: 'snapshot', contentType: 'image/jpeg', data: JPEG_BYTES.toString('base64') },
  })).body.object.id;
  await c.call('PUT', '/v1/hosting/st-a', { token: alice.token, body: { stationName: 'alice-only station', devices: [{ id: 'd1', name: 'Gate', kind: 'camera', model: 'X', channels: 2 }] } });
});
afterAll(async () => {
  await c.close();
});

/** A request per route that, made with Mallory's token, would touch Alice's data if authorisation were broken. */
function attack(route: string): { path: string; body?: unknown; headers?: Record<string, string> } {
  switch (route) {
    case 'DELETE /v1/sessions/:id': return { path: `/v1/sessions/${alice.sessionId}` };
    case 'DELETE /v1/shares/:id': return { path: `/v1/shares/${aliceShareId}` };
    case 'POST /v1/shares/:id/pickup': return { path: `/v1/shares/${aliceShareId}/pickup` };
    case 'POST /v1/telemetry/:purpose': return { path: '/v1/telemetry/user_experience_plan', body: { events: [{ from: 'mallory' }] } };
    case 'PUT /v1/settings': return { path: '/v1/settings', body: { settings: { secret: 'mallory' } }, headers: { 'if-match': '*' } };
    case 'PATCH /v1/account': return { path: '/v1/account', body: { nickname: 'pwned' } };
    case 'POST /v1/account/password': return { path: '/v1/account/password', body: { currentPassword: PASSWORD, newPassword: 'mallory password' } };
    case 'DELETE /v1/account': return { path: '/v1/account', body: { password: 'not-erasing' } };
    case 'POST /v1/consents': return { path: '/v1/consents', body: consentBody('user_experience_plan', 'withdraw') };
    case 'PUT /v1/rights': return { path: '/v1/rights', body: { objected: true } };
    case 'POST /v1/shares': return { path: '/v1/shares', body: { deviceId: 'A-1', deviceName: 'stolen', recipientEmail: alice.email } };
    case 'POST /v1/auth/logout': return { path: '/v1/auth/logout' };
    case 'POST /v1/account/email': return { path: '/v1/account/email', body: { currentPassword: PASSWORD, newEmail: alice.email } };
    case 'GET /v1/push/:id/snapshot': return { path: `/v1/push/${alicePushId}/snapshot` };
    case 'POST /v1/push': return { path: '/v1/push', body: { stationId: 'st-a', type: 'motion', channelName: 'x', occurredAt: '2026-06-01T12:00:00.000Z', snapshotJpeg: null } };
    case 'GET /v1/storage/:id': return { path: `/v1/storage/${aliceObjectId}` };
    case 'DELETE /v1/storage/:id': return { path: `/v1/storage/${aliceObjectId}` };
    case 'POST /v1/storage': return { path: '/v1/storage', body: { name: 'm.jpg', kind: 'snapshot', contentType: 'image/jpeg', data: JPEG_BYTES.toString('base64') } };
    case 'PUT /v1/hosting/:station': return { path: '/v1/hosting/st-a', body: { stationName: 'pwned', devices: [] } };
    case 'DELETE /v1/hosting/:station': return { path: '/v1/hosting/st-a' };
    default: return { path: route.split(' ')[1]! };
  }
}

async function aliceSnapshot() {
  const get = async (p: string) => (await c.call('GET', p, { token: alice.token })).body;
  return {
    account: await get('/v1/account'),
    settings: await get('/v1/settings'),
    consents: await get('/v1/consents'),
    rights: await get('/v1/rights'),
    shares: await get('/v1/shares'),
    sessions: (await get('/v1/sessions')).sessions.map((s: { id: string; revokedAt: string | null }) => [s.id, s.revokedAt]),
    telemetry: await get('/v1/telemetry/usage'),
    push: await get('/v1/push'),
    storage: await get('/v1/storage'),
    hosting: await get('/v1/hosting'),
  };
}

describe('authorisation', () => {
  const authed = ROUTES.filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));

  it('declares exactly the public routes we expect', () => {
    expect(ROUTES.filter((r) => !r.auth).map((r) => `${r.method} ${r.path}`).sort()).toEqual([...PUBLIC].sort());
  });

  it.each(authed.map((r) => `${r.method} ${r.path}`))('%s refuses a missing, forged, malformed or revoked token', async (route) => {
    const method = route.split(' ')[0]!;
    const a = attack(route);
    const revoked = (await c.call('POST', '/v1/auth/login', { body: { email: mallory.email, password: PASSWORD } })).body.token as string;
    expect((await c.call('POST', '/v1/auth/logout', { token: revoked })).status).toBe(204);
    const tries: (string | undefined)[] = [undefined, 'wps_forgedforgedforgedforgedforged', 'not a token at all!', revoked];
    for (const token of tries) {
      const headers = token && token.includes(' ') ? { ...a.headers, authorization: token } : a.headers;
      const r = await c.call(method, a.path, { token: token?.includes(' ') ? undefined : token, body: a.body, headers });
      expect(r.status, `${route} with ${token}`).toBe(401);
    }
  });

  it('every authenticated route leaves Alice untouched when Mallory calls it', async () => {
    const before = await aliceSnapshot();
    let malloryPassword = PASSWORD;
    const seen: string[] = [];
    for (const r of authed) {
      const route = `${r.method} ${r.path}`;
      const a = attack(route);
      const res = await c.call(r.method, a.path, { token: mallory.token, body: a.body, headers: a.headers });
      seen.push(route);
      const text = JSON.stringify(res.body ?? {});
      expect(text, `${route} leaked Alice's data`).not.toContain('alice-only');
      expect(text, `${route} leaked Alice's data`).not.toContain(alice.id);
      expect(text, `${route} leaked Alice's data`).not.toContain(aliceShareId);
      if (['DELETE /v1/sessions/:id', 'DELETE /v1/shares/:id', 'POST /v1/shares/:id/pickup', 'GET /v1/push/:id/snapshot', 'GET /v1/storage/:id', 'DELETE /v1/storage/:id', 'DELETE /v1/hosting/:station'].includes(route))
        expect(res.status, route).toBe(404);
      if (route === 'POST /v1/account/email') expect(res.status).toBe(409);
      if (route === 'POST /v1/shares') expect(res.status).toBe(201);
      if (route === 'POST /v1/account/password' && res.status === 200) malloryPassword = 'mallory password';
      if (route === 'POST /v1/auth/logout') {
        const again = await c.call('POST', '/v1/auth/login', { body: { email: mallory.email, password: malloryPassword } });
        mallory = { ...mallory, token: again.body.token };
      }
    }
    expect(seen).toHaveLength(authed.length);
    const after = await aliceSnapshot();
    expect(after).toEqual(before);
    // Alice's session and share still work.
    expect((await c.call('GET', '/v1/shares', { token: alice.token })).body.shares[0].revokedAt).toBeNull();
  });

  it('a token only ever answers for its own account', async () => {
    // Mallory's password is the one the password-change attack above set.
    const mine = await exportOf(c, mallory.token, 'mallory password');
    expect(mine.body.data.account.id).toBe(mallory.id);
    expect(JSON.stringify(mine.body)).not.toContain('alice-only');
    // Query strings and extra ids are ignored; there is no way to name another account.
    const q = await c.call('GET', `/v1/settings?accountId=${alice.id}`, { token: mallory.token });
    expect(q.body.settings).not.toEqual({ secret: 'alice-only' });
    expect((await c.call('GET', `/v1/account/${alice.id}`, { token: mallory.token })).status).toBe(404);
  });
});
