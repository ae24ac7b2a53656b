import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, PNG_1PX, signUp, signUpBody, startTestCloud, type TestCloud, exportOf } from './cloud-helpers';

let c: TestCloud;
beforeAll(async () => {
  c = await startTestCloud({ sessionTtlMs: 3600_000 });
});
afterAll(async () => {
  await c.close();
});

describe('cloud accounts over HTTP (SQLite)', () => {
  it('reports its region', async () => {
    const r = await c.call('GET', '/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: 'de', regionName: 'Germany', minimumAge: 16 });
  });

  it('signs up with a profile photo and returns a session', async () => {
    const body = signUpBody({ email: ' Mixed.Case@Example.TEST ', photo: { contentType: 'image/png', data: PNG_1PX.toString('base64') } });
    const r = await c.call('POST', '/v1/accounts', { body });
    expect(r.status).toBe(201);
    expect(r.body.account).toMatchObject({ email: 'mixed.case@example.test', region: 'de', country: 'DE', hasPhoto: true });
    expect(r.body.token).toMatch(/^wps_/);
    const photo = await c.call('GET', '/v1/account/photo', { token: r.body.token });
    expect(Buffer.from(photo.body.data, 'base64').equals(PNG_1PX)).toBe(true);
    const dup = await c.call('POST', '/v1/accounts', { body: { ...body, nickname: 'other' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe('email');
  });

  it('refuses a photo that is not what it claims or too large', async () => {
    const fake = await c.call('POST', '/v1/accounts', {
      body: signUpBody({ photo: { contentType: 'image/jpeg', data: PNG_1PX.toString('base64') } }),
    });
    expect(fake.status).toBe(400);
    expect(fake.body.error.field).toBe('photo.data');
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(300 * 1024)]);
    const large = await c.call('POST', '/v1/accounts', { body: signUpBody({ photo: { contentType: 'image/jpeg', data: big.toString('base64') } }) });
    expect(large.status).toBe(400);
    expect(large.body.error.field).toBe('photo.data');
  });

  it('refuses anyone under 16, and stores nothing of them', async () => {
    const today = new Date(c.clock.now);
    const sixteenthBirthday = (dayOffset: number) =>
      new Date(Date.UTC(today.getUTCFullYear() - 16, today.getUTCMonth(), today.getUTCDate() + dayOffset)).toISOString().slice(0, 10);
    const fifteen = sixteenthBirthday(1);
    const body = signUpBody({ dateOfBirth: fifteen });
    const r = await c.call('POST', '/v1/accounts', { body });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'age_gate', field: 'dateOfBirth' });
    const login = await c.call('POST', '/v1/auth/login', { body: { email: body.email, password: PASSWORD } });
    expect(login.status).toBe(401);
    expect((await c.call('POST', '/v1/accounts', { body: signUpBody({ dateOfBirth: sixteenthBirthday(0) }) })).status).toBe(201);
  });

  it('refuses a country code ISO 3166-1 does not assign, and a birth date in the future as such (not as an age)', async () => {
    const zz = await c.call('POST', '/v1/accounts', { body: signUpBody({ country: 'ZZ' }) });
    expect(zz.status).toBe(400);
    expect(zz.body.error).toMatchObject({ code: 'invalid_input', field: 'country' });
    const future = await c.call('POST', '/v1/accounts', { body: signUpBody({ dateOfBirth: '2999-01-01' }) });
    expect(future.status).toBe(400);
    expect(future.body.error).toMatchObject({ code: 'invalid_input', field: 'dateOfBirth', message: 'dateOfBirth: must not be in the future' });
  });

  it('refuses accounts of another region with a clear error', async () => {
    const r = await c.call('POST', '/v1/accounts', { body: signUpBody({ region: 'us' }) });
    expect(r.status).toBe(421);
    expect(r.body.error.code).toBe('wrong_region');
    expect(r.body.error.message).toContain('Germany');
    const bad = await c.call('POST', '/v1/accounts', { body: signUpBody({ region: 'fr' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('region');
  });

  it('names the field of every invalid input and refuses non-JSON and big bodies', async () => {
    const r = await c.call('POST', '/v1/accounts', { body: { ...signUpBody(), password: 'short', extra: 1 } });
    expect(r.status).toBe(400);
    const fields = r.body.error.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['password', 'extra']));
    const missing = await c.call('POST', '/v1/accounts', { body: { region: 'de' } });
    expect(missing.body.error.issues).toContainEqual({ field: 'email', message: 'is required' });
    const text = await c.call('POST', '/v1/accounts', { raw: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    const broken = await c.call('POST', '/v1/accounts', { raw: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const huge = await c.call('POST', '/v1/accounts', { raw: `{"x":"${'a'.repeat(1100 * 1024)}"}`, headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect((await c.call('GET', '/v1/nope')).status).toBe(404);
    const wrongMethod = await c.call('PATCH', '/v1/consents');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('POST');
  });

  it('logs in, lists, revokes and expires sessions', async () => {
    const a = await signUp(c);
    const login = await c.call('POST', '/v1/auth/login', { body: { email: a.email.toUpperCase(), password: PASSWORD } });
    expect(login.status).toBe(200);
    const t2 = login.body.token as string;
    const list = await c.call('GET', '/v1/sessions', { token: t2 });
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(t2);
    expect((await c.call('DELETE', `/v1/sessions/${a.sessionId}`, { token: t2 })).status).toBe(204);
    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(401);
    expect((await c.call('POST', '/v1/auth/logout', { token: t2 })).status).toBe(204);
    expect((await c.call('GET', '/v1/account', { token: t2 })).status).toBe(401);

    const t3 = (await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).body.token;
    expect((await c.call('GET', '/v1/account', { token: t3 })).status).toBe(200);
    c.clock.now += 3600_000 + 1;
    const expired = await c.call('GET', '/v1/account', { token: t3 });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('invalid_token');
  });

  it('throttles password guessing per account and per client', async () => {
    const a = await signUp(c);
    let failuresBeforeThrottle = 0;
    for (let i = 0; i < 10; i++) {
      const r = await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: `wrong ${i}` } });
      if (r.status === 429) break;
      expect(r.status).toBe(401);
      failuresBeforeThrottle++;
    }
    expect(failuresBeforeThrottle).toBe(5);
    // Even the right password is refused while throttled, so guessing gains nothing.
    const right = await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    c.clock.now += 15 * 60_000 + 1;
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).status).toBe(200);
  });

  it('throttles one client spraying many accounts', async () => {
    const local = await startTestCloud({ throttle: { clientFailures: 4 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await local.call('POST', '/v1/auth/login', { body: { email: `nobody${i}@example.test`, password: 'x' } })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
    } finally {
      await local.close();
    }
  });

  it('changes the password and revokes the other sessions', async () => {
    const a = await signUp(c);
    const other = (await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).body.token;
    const wrong = await c.call('POST', '/v1/account/password', { token: a.token, body: { currentPassword: 'nope', newPassword: 'a new password 1' } });
    expect(wrong.status).toBe(403);
    const r = await c.call('POST', '/v1/account/password', { token: a.token, body: { currentPassword: PASSWORD, newPassword: 'a new password 1' } });
    expect(r.status).toBe(200);
    expect(r.body.revokedSessions).toBe(1);
    expect((await c.call('GET', '/v1/account', { token: other })).status).toBe(401);
    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(200);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).status).toBe(401);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'a new password 1' } })).status).toBe(200);
  });

  it('keeps an operation log of sign-ins, password and email changes, exports and erasure requests, shown only to the account', async () => {
    const a = await signUp(c, { client: 'Watchpost station 0.1.0 (test one)' });
    const other = await signUp(c);
    const login = await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD, client: 'Watchpost station 0.1.0 (test two)' } });
    const token = login.body.token as string;
    expect((await c.call('POST', '/v1/account/password', { token, body: { currentPassword: PASSWORD, newPassword: 'a new password 2' } })).status).toBe(200);
    const email = `moved.${a.email}`;
    expect((await c.call('POST', '/v1/account/email', { token, body: { currentPassword: 'a new password 2', newEmail: email } })).status).toBe(200);
    expect((await exportOf(c, token, 'a new password 2')).status).toBe(200);
    expect((await c.call('DELETE', '/v1/account', { token, body: { password: 'not it' } })).status).toBe(403);
    // A refused change is not a change: only what happened is logged (and the refused erasure request).
    expect((await c.call('POST', '/v1/account/password', { token, body: { currentPassword: 'wrong', newPassword: 'another password 3' } })).status).toBe(403);
    const r = await c.call('GET', '/v1/account/log', { token });
    expect(r.status).toBe(200);
    expect(r.body.entries.map((e: { kind: string }) => e.kind)).toEqual(['erasure_request', 'export', 'email_change', 'password_change', 'sign_in', 'sign_up']);
    expect(r.body.entries.at(-1)).toMatchObject({ address: '127.0.0.1', client: 'Watchpost station 0.1.0 (test one)' });
    for (const e of r.body.entries.slice(0, -1)) expect(e).toMatchObject({ address: '127.0.0.1', client: 'Watchpost station 0.1.0 (test two)' });
    expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
    // Another account sees only its own.
    expect((await c.call('GET', '/v1/account/log', { token: other.token })).body.entries.map((e: { kind: string }) => e.kind)).toEqual(['sign_up']);
  });

  it('corrects the profile', async () => {
    const a = await signUp(c);
    const b = await signUp(c);
    const r = await c.call('PATCH', '/v1/account', { token: a.token, body: { nickname: 'Corrected', country: 'at', photo: null } });
    expect(r.status).toBe(200);
    expect(r.body.account).toMatchObject({ nickname: 'Corrected', country: 'AT', email: a.email, hasPhoto: false });
    // The email changes only with the current password (POST /v1/account/email, tested with the account services).
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: { email: b.email } })).body.error.field).toBe('email');
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: {} })).status).toBe(400);
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: { region: 'us' } })).body.error.field).toBe('region');
    // A birth date corrected below 16 is taken and suspends the account (tests/integration/cloud-minors.test.ts).
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: { dateOfBirth: '2020-01-01' } })).body.account.suspension.reason).toBe('under_age');
  });

  it('logs requests without emails, passwords or tokens', async () => {
    const lines: string[] = [];
    const local = await startTestCloud({ logger: pino({ level: 'trace' }, { write: (s: string) => void lines.push(s) }) });
    try {
      const a = await signUp(local);
      await local.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'wrong guess' } });
      await local.call('GET', '/v1/account', { token: a.token });
      await local.call('DELETE', '/v1/account', { token: a.token, body: { password: PASSWORD } });
      const log = lines.join('');
      expect(log).toContain('"route":"POST /v1/accounts"');
      for (const secret of [a.email, PASSWORD, 'wrong guess', a.token, a.token.slice(4, 20)]) expect(log).not.toContain(secret);
    } finally {
      await local.close();
    }
  });

  it('never stores a password or token in plain text', async () => {
    const a = await signUp(c);
    await c.cloud.close();
    const bytes = readFileSync(c.dbPath);
    expect(bytes.includes(Buffer.from(a.email))).toBe(true);
    expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(bytes.includes(Buffer.from(a.token))).toBe(false);
    await c.close();
    c = await startTestCloud({ sessionTtlMs: 3600_000 });
  });
});
