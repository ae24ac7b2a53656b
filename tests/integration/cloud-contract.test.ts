// Every route answers as the contract says: each success parses with its route's reply schema, each refusal with the error envelope.
import { CONFIRMATION_HEADER } from '../../electron/contract/cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_ROUTE_NAMES, CloudError, cloudRouteOf, cloudRoutes, type CloudRouteName } from '../../electron/contract/cloud';
import { JPEG_BYTES, MP4_BYTES, PASSWORD, PNG_1PX, consentBody, signUp, signUpBody, startTestCloud, type TestAccount, type TestCloud, mailVia } from './cloud-helpers';
import { codeIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let c: TestCloud;
let smtp: SmtpSink;
let us: TestCloud;
let alice: TestAccount;
let bob: TestAccount;
const answered = new Set<CloudRouteName>();

/** Calls the cloud and checks the reply against the contract; returns the body. */
async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const r = await c.call(method, path, opts);
  const route = cloudRouteOf(method, path.split('?')[0]!);
  if (r.status >= 200 && r.status < 300) {
    expect(route, `${method} ${path}`).toBeDefined();
    expect(r.status, `${route}`).toBe(cloudRoutes[route!].status);
    cloudRoutes[route!].reply.parse(r.body);
    answered.add(route!);
  } else {
    CloudError.parse(r.body);
  }
  return r;
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  // A second region's instance, for the regions directory and a move (POST /v1/account/move, and /v1/transfers behind it).
  const peerKey = 'contract-test-peer-key';
  c = await startTestCloud({ policyVersion: '2026-05', mail: mailVia(smtp.port), peerKey });
  us = await startTestCloud({ region: 'us', peerKey });
  c.cloud.setDirectory({ us: us.url });
  us.cloud.setDirectory({ de: c.url });
  alice = await signUp(c, { nickname: 'Alice', photo: { contentType: 'image/png', data: PNG_1PX.toString('base64') } });
  bob = await signUp(c, { nickname: 'Bob' });
});
afterAll(async () => {
  await us?.close();
  await c.close();
  await smtp.close();
});

describe('the cloud contract', () => {
  it('holds for every route and every refusal', async () => {
    const t = alice.token;
    await call('GET', '/v1/health');
    await call('GET', '/v1/export/schema');
    await call('GET', '/v1/regions');
    const mover = await signUp(c, { nickname: 'Mover' });
    await call('POST', '/v1/account/move', { token: mover.token, body: { region: 'sg', password: PASSWORD } });
    await call('POST', '/v1/transfers', { body: {} });
    await call('POST', '/v1/account/move', { token: mover.token, body: { region: 'us', password: PASSWORD, transferNoticeAcknowledged: true } });
    // The move's success is the new region's 201 to /v1/transfers, whose reply the old region parsed with the contract.
    answered.add('POST /v1/transfers');
    await call('POST', '/v1/accounts', { body: signUpBody() });
    await call('POST', '/v1/accounts', { body: { ...signUpBody(), email: 'x', extra: 1 } });
    await call('POST', '/v1/accounts', { body: { ...signUpBody(), region: 'us' } });
    await call('POST', '/v1/accounts', { body: { ...signUpBody(), dateOfBirth: '2015-01-01' } });
    await call('POST', '/v1/accounts', { body: { ...signUpBody(), email: bob.email } });
    await call('POST', '/v1/auth/login', { body: { email: alice.email, password: 'wrong password' } });
    const other = await call('POST', '/v1/auth/login', { body: { email: alice.email, password: PASSWORD, client: 'contract test' } });
    await call('GET', '/v1/sessions', { token: t });
    await call('GET', '/v1/account/log', { token: t });
    await call('DELETE', `/v1/sessions/${other.body.sessionId}`, { token: t });
    await call('POST', '/v1/sessions/revoke-others', { token: t });
    await call('GET', '/v1/account', { token: t });
    await call('PATCH', '/v1/account', { token: t, body: { nickname: 'Al' } });
    await call('GET', '/v1/account/photo', { token: t });
    await call('POST', '/v1/account/email', { token: t, body: { currentPassword: 'not the password', newEmail: 'new@example.test' } });
    await call('POST', '/v1/account/email', { token: t, body: { currentPassword: PASSWORD, newEmail: bob.email } });
    await call('POST', '/v1/account/email', { token: t, body: { currentPassword: PASSWORD, newEmail: `new.${alice.email}` } });
    await call('GET', '/v1/settings', { token: t });
    await call('PUT', '/v1/settings', { token: t, body: { settings: { a: 1 } } });
    await call('PUT', '/v1/settings', { token: t, body: { settings: { a: 1 } }, headers: { 'if-match': '"1"' } });
    await call('PUT', '/v1/settings', { token: t, body: { settings: { a: 2 } }, headers: { 'if-match': '"1"' } });
    await call('POST', '/v1/telemetry/user_experience_plan', { token: t, body: { events: [{ a: 1 }] } });
    // A grant and the export need the password typed again; refused without it.
    await call('POST', '/v1/consents', { token: t, body: consentBody('alarm_push', 'grant') });
    await call('POST', '/v1/auth/confirm', { token: t, body: { password: 'not the password' } });
    const confirmed = { [CONFIRMATION_HEADER]: (await call('POST', '/v1/auth/confirm', { token: t, body: { password: PASSWORD } })).body.confirmation as string };
    for (const p of ['user_experience_plan', 'alarm_push', 'cloud_storage', 'device_hosting'] as const)
      await call('POST', '/v1/consents', { token: t, headers: confirmed, body: consentBody(p, 'grant') });
    await call('POST', '/v1/consents', { token: t, headers: confirmed, body: { ...consentBody('device_experience_program', 'grant'), policyVersion: '2025-01' } });
    // Mail through the loopback relay: verification (resent first), a forgotten password; wrong codes refused.
    await smtp.next(bob.email);
    await call('POST', '/v1/account/email/verify', { token: bob.token, body: { code: '1234567' } });
    await call('POST', '/v1/account/email/resend', { token: bob.token });
    await call('POST', '/v1/account/email/verify', { token: bob.token, body: { code: codeIn(await smtp.next(bob.email)) } });
    await call('POST', '/v1/account/email/resend', { token: bob.token });
    await call('POST', '/v1/auth/forgot', { body: { email: 'nobody@example.test' } });
    await call('POST', '/v1/auth/reset', { body: { email: 'nobody@example.test', code: '12345678', newPassword: 'a new password 99' } });
    await call('POST', '/v1/auth/forgot', { body: { email: bob.email } });
    await call('POST', '/v1/auth/reset', { body: { email: bob.email, code: codeIn(await smtp.next(bob.email)), newPassword: 'a new password 99' } });
    bob = { ...bob, token: (await call('POST', '/v1/auth/login', { body: { email: bob.email, password: 'a new password 99' } })).body.token };
    await call('POST', '/v1/telemetry/device_experience_program', { token: t, body: { events: [{ a: 1 }] } });
    await call('GET', '/v1/consents', { token: t });
    await call('POST', '/v1/telemetry/user_experience_plan', { token: t, body: { events: [{ a: 1 }, { b: 2 }] } });
    await call('GET', '/v1/telemetry/usage', { token: t });
    await call('POST', '/v1/push', {
      token: t, body: { stationId: 'st', type: 'motion', channelName: 'Door', occurredAt: '2026-06-01T11:00:00Z', snapshotJpeg: JPEG_BYTES.toString('base64') },
    });
    const notices = await call('GET', '/v1/push', { token: t });
    await call('GET', `/v1/push/${notices.body.notices[0].id}/snapshot`, { token: t });
    const clip = await call('POST', '/v1/storage', { token: t, body: { name: 'a.mp4', kind: 'clip', contentType: 'video/mp4', data: MP4_BYTES.toString('base64') } });
    await call('GET', '/v1/storage', { token: t });
    await call('GET', `/v1/storage/${clip.body.object.id}`, { token: t });
    await call('PUT', '/v1/hosting/st-1', { token: t, body: { stationName: 'Home', devices: [{ id: 'd1', name: 'Gate', kind: 'camera', model: 'X', channels: 2 }] } });
    await call('GET', '/v1/hosting', { token: t });
    await call('POST', '/v1/feedback', { token: t, body: { text: 'Works well.', replyEmail: null, attachments: [{ name: 'a.jpg', contentType: 'image/jpeg', data: JPEG_BYTES.toString('base64') }] } });
    await call('GET', '/v1/feedback', { token: t });
    const share = await call('POST', '/v1/shares', { token: t, body: { deviceId: 'D', deviceName: 'Cam', recipientEmail: bob.email, channels: [0] } });
    await call('POST', '/v1/shares', { token: t, body: { deviceId: 'D', deviceName: 'Cam', recipientEmail: 'nobody@example.test' } });
    await call('GET', '/v1/shares', { token: t });
    await call('GET', '/v1/shares/received', { token: bob.token });
    await call('GET', '/v1/shares/watch/none', { token: t });
    await call('POST', `/v1/shares/${share.body.share.id}/pickup`, { token: bob.token });
    await call('POST', '/v1/shares/nope/pickup', { token: bob.token });
    await call('GET', '/v1/rights', { token: t });
    await call('GET', '/v1/export', { token: t });
    await call('GET', '/v1/export', { token: t, headers: confirmed });
    await call('DELETE', `/v1/shares/${share.body.share.id}`, { token: t });
    await call('DELETE', `/v1/storage/${clip.body.object.id}`, { token: t });
    await call('DELETE', '/v1/hosting/st-1', { token: t });
    await call('PUT', '/v1/rights', { token: t, body: { objected: true } });
    await call('POST', '/v1/telemetry/user_experience_plan', { token: t, body: { events: [{ a: 1 }] } });
    await call('PUT', '/v1/rights', { token: t, body: { restricted: true } });
    await call('POST', '/v1/push', { token: t, body: {} });
    await call('PUT', '/v1/account', { token: t });
    await call('GET', '/v1/nothing', { token: t });
    await call('GET', '/v1/account');
    await call('POST', '/v1/account/password', { token: t, body: { currentPassword: PASSWORD, newPassword: 'another password 2' } });
    await call('DELETE', '/v1/account', { token: t, body: { password: 'another password 2' } });
    await call('POST', '/v1/auth/logout', { token: bob.token });
    expect(CLOUD_ROUTE_NAMES.filter((r) => !answered.has(r))).toEqual([]);
  });
});
