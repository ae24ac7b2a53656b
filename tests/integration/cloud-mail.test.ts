// The cloud's mail through a real SMTP server on loopback (smtp-server, read back with mailparser): the verification code,
// the forgotten password's single-use code, a relay that is down, and the password typed again before an export or a grant.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRMATION_HEADER } from '../../electron/contract/cloud';
import { codeIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { PASSWORD, consentBody, confirmation, mailVia, signUp, startTestCloud, type TestCloud } from './cloud-helpers';

let smtp: SmtpSink;
let c: TestCloud;
beforeAll(async () => {
  smtp = await startSmtpSink();
  c = await startTestCloud({ mail: mailVia(smtp.port) });
});
afterAll(async () => {
  await c?.close();
  await smtp?.close();
});

describe('mail through the SMTP relay', () => {
  it('says it sends mail; a service without a relay says not, and refuses the mail routes', async () => {
    expect((await c.call('GET', '/v1/health')).body.mail).toBe(true);
    const bare = await startTestCloud();
    try {
      expect((await bare.call('GET', '/v1/health')).body.mail).toBe(false);
      const a = await signUp(bare);
      expect((await bare.call('GET', '/v1/account', { token: a.token })).body.account.emailVerified).toBe(false);
      const r = await bare.call('POST', '/v1/auth/forgot', { body: { email: a.email } });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('mail_unavailable');
    } finally {
      await bare.close();
    }
  });

  it('mails a verification code at sign-up; wrong is refused, right confirms the address once, in the account log', async () => {
    const a = await signUp(c);
    const mail = await smtp.next(a.email);
    expect(mail.subject).toBe('Watchpost: confirm your email address');
    expect(mail.subject).not.toMatch(/\d{4}/);
    const code = codeIn(mail);
    expect((await c.call('GET', '/v1/account', { token: a.token })).body.account.emailVerified).toBe(false);
    const wrong = await c.call('POST', '/v1/account/email/verify', { token: a.token, body: { code: code === '00000000' ? '11111111' : '00000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'code_wrong', field: 'code', attemptsLeft: 4 });
    const ok = await c.call('POST', '/v1/account/email/verify', { token: a.token, body: { code: `${code.slice(0, 4)} ${code.slice(4)}` } });
    expect(ok.status).toBe(200);
    expect(ok.body.account.emailVerified).toBe(true);
    expect((await c.call('POST', '/v1/account/email/verify', { token: a.token, body: { code } })).body.error.code).toBe('code_used');
    expect((await c.call('POST', '/v1/account/email/resend', { token: a.token })).body.error.code).toBe('already_verified');
    const log = (await c.call('GET', '/v1/account/log', { token: a.token })).body.entries.map((e: { kind: string }) => e.kind);
    expect(log).toEqual(['email_verified', 'sign_up']);
  });

  it('resends: the newer code works, the older one no longer', async () => {
    const a = await signUp(c);
    const first = codeIn(await smtp.next(a.email));
    expect((await c.call('POST', '/v1/account/email/resend', { token: a.token })).body).toEqual({ delivery: 'sent' });
    const second = codeIn(await smtp.next(a.email));
    if (first !== second) expect((await c.call('POST', '/v1/account/email/verify', { token: a.token, body: { code: first } })).body.error.code).toBe('code_wrong');
    expect((await c.call('POST', '/v1/account/email/verify', { token: a.token, body: { code: second } })).status).toBe(200);
  });

  it('forgot password: the mailed code works once, ends every session; wrong, reused and stale codes are refused', async () => {
    const a = await signUp(c);
    await smtp.next(a.email);
    // An address without an account gets the same answer, and no mail.
    expect((await c.call('POST', '/v1/auth/forgot', { body: { email: 'nobody@example.test' } })).body).toEqual({ delivery: 'queued' });
    expect((await c.call('POST', '/v1/auth/forgot', { body: { email: a.email } })).body).toEqual({ delivery: 'sent' });
    const mail = await smtp.next(a.email);
    expect(mail.subject).toBe('Watchpost: your password reset code');
    const code = codeIn(mail);
    const newPassword = 'a brand new password 42';
    const wrong = await c.call('POST', '/v1/auth/reset', { body: { email: a.email, code: code === '12345678' ? '87654321' : '12345678', newPassword } });
    expect(wrong.body.error).toMatchObject({ code: 'code_wrong', field: 'code' });
    const ok = await c.call('POST', '/v1/auth/reset', { body: { email: a.email, code, newPassword } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ changed: true, revokedSessions: 1 });
    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(401);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).status).toBe(401);
    const signedIn = await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: newPassword } });
    expect(signedIn.status).toBe(200);
    // The mailbox answered: the address is confirmed too.
    expect(signedIn.body.account.emailVerified).toBe(true);
    expect((await c.call('POST', '/v1/auth/reset', { body: { email: a.email, code, newPassword: 'yet another password 7' } })).body.error.code).toBe('code_used');
    const log = (await c.call('GET', '/v1/account/log', { token: signedIn.body.token })).body.entries.map((e: { kind: string }) => e.kind);
    expect(log.slice(0, 2)).toEqual(['sign_in', 'password_reset']);

    await c.call('POST', '/v1/auth/forgot', { body: { email: a.email } });
    const stale = codeIn(await smtp.next(a.email));
    c.clock.now += 16 * 60_000;
    expect((await c.call('POST', '/v1/auth/reset', { body: { email: a.email, code: stale, newPassword } })).body.error.code).toBe('code_expired');
  });

  it('throttles wrong reset codes like sign-in', async () => {
    const a = await signUp(c);
    await smtp.next(a.email);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.call('POST', '/v1/auth/reset', { body: { email: a.email, code: `0000000${i}`, newPassword: 'whatever password 1' } })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });

  it('relay down: the mail is queued and the user told so; relay up: delivered, its text and address dropped from the outbox', async () => {
    const a = await signUp(c);
    await smtp.next(a.email);
    await smtp.stop();
    try {
      const r = await c.call('POST', '/v1/auth/forgot', { body: { email: a.email } });
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ delivery: 'queued' });
    } finally {
      await smtp.start();
    }
    const db = new Database(c.dbPath, { readonly: true });
    try {
      const row = () => db.prepare("SELECT * FROM mail_outbox WHERE account_id = ? AND kind = 'password_reset'").get(a.id) as Record<string, unknown>;
      expect(row()).toMatchObject({ sent_at: null, attempts: 1, last_error: expect.stringMatching(/^E[A-Z]+$/) });
      expect(row().body).toMatch(/\d{4} \d{4}/);
      // The retry's wait passes on the service's clock; its next pass (every second) delivers.
      c.clock.now += 2_000;
      const mail = await smtp.next(a.email);
      expect(codeIn(mail)).toMatch(/^\d{8}$/);
      await expect.poll(() => row().sent_at).not.toBeNull();
      expect(row()).toMatchObject({ body: null, recipient: '', attempts: 2 });
      // No code in plain text anywhere in the database: codes are keyed hashes.
      const codes = db.prepare('SELECT code_hash FROM mail_codes WHERE account_id = ?').all(a.id) as { code_hash: string }[];
      expect(codes.every((x) => /^[0-9a-f]{64}$/.test(x.code_hash))).toBe(true);
    } finally {
      db.close();
    }
    // Sent mail goes after its retention.
    c.clock.now += 31 * 86_400_000;
    expect((await c.cloud.prune()).mail).toBeGreaterThan(0);
  });
});

describe('the password typed again before an export or a grant that sends data', () => {
  it('refuses an export and a grant without a confirmation, allows them with one, until it expires', async () => {
    const a = await signUp(c);
    const refused = await c.call('GET', '/v1/export', { token: a.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('confirmation_required');
    expect((await c.call('POST', '/v1/consents', { token: a.token, body: consentBody('alarm_push', 'grant') })).body.error.code).toBe('confirmation_required');
    // A withdrawal sends nothing: no password needed.
    expect((await c.call('POST', '/v1/consents', { token: a.token, body: consentBody('alarm_push', 'withdraw') })).status).toBe(201);

    const wrong = await c.call('POST', '/v1/auth/confirm', { token: a.token, body: { password: 'not my password' } });
    expect(wrong.body.error).toMatchObject({ code: 'wrong_password', field: 'password' });
    const headers = await confirmation(c, a.token);
    expect((await c.call('GET', '/v1/export', { token: a.token, headers })).status).toBe(200);
    expect((await c.call('POST', '/v1/consents', { token: a.token, headers, body: consentBody('alarm_push', 'grant') })).status).toBe(201);

    // Bound to the session that asked: another sign-in of the same account cannot use it.
    const other = (await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).body.token as string;
    expect((await c.call('GET', '/v1/export', { token: other, headers })).status).toBe(403);
    expect((await c.call('GET', '/v1/export', { token: a.token, headers: { [CONFIRMATION_HEADER]: `${headers[CONFIRMATION_HEADER]!.slice(0, -2)}xx` } })).status).toBe(403);
    c.clock.now += 5 * 60_000 + 1;
    expect((await c.call('GET', '/v1/export', { token: a.token, headers })).status).toBe(403);
  });

  it('tells the recipient of a share by mail: who shared what, with which rights, and no credential', async () => {
    const owner = await signUp(c);
    const to = await signUp(c);
    await smtp.next(owner.email);
    await smtp.next(to.email);
    const r = await c.call('POST', '/v1/shares', {
      token: owner.token,
      body: { deviceId: 'SN-9', deviceName: 'Gate camera', recipientEmail: to.email, rights: ['live', 'playback'], credential: 'share-secret-0123456789abcdef' },
    });
    expect(r.status).toBe(201);
    const mail = await smtp.next(to.email);
    expect(mail.subject).toBe('Watchpost: cameras shared with you');
    expect(mail.text).toContain('"Gate camera"');
    expect(mail.text).toContain(owner.email);
    expect(mail.text).toContain('live, playback');
    expect(mail.text).not.toContain('share-secret');
  });

  it('a share mail still queued when its sharer erases the account goes with the share: the address is not kept', async () => {
    const owner = await signUp(c);
    const to = await signUp(c);
    await smtp.next(owner.email);
    await smtp.next(to.email);
    await smtp.stop();
    try {
      await c.call('POST', '/v1/shares', { token: owner.token, body: { deviceId: 'SN-1', deviceName: 'Gate', recipientEmail: to.email } });
      const queued = () => {
        const db = new Database(c.dbPath, { readonly: true });
        try {
          return (db.prepare('SELECT COUNT(*) AS n FROM mail_outbox WHERE account_id = ? AND sent_at IS NULL AND instr(body, ?) > 0').get(to.id, owner.email) as { n: number }).n;
        } finally {
          db.close();
        }
      };
      expect(queued()).toBe(1);
      expect((await c.call('DELETE', '/v1/account', { token: owner.token, body: { password: PASSWORD } })).status).toBe(200);
      expect(queued()).toBe(0);
    } finally {
      await smtp.start();
    }
  });
});
