// No accounts under 16 (policy "Children"): a birth date corrected below 16, or the operator's report-minor command on a
// report, suspends the account at once — it can still be read, exported and erased, nothing else — and the retention pass
// erases it when the notice period ends, under the receipt id it was told.
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINOR_NOTICE_DAYS } from '../../cloud/minors';
import { consentBody, exportOf, signUp, startTestCloud, type TestCloud } from './cloud-helpers';

let c: TestCloud;
beforeAll(async () => {
  c = await startTestCloud();
});
afterAll(async () => {
  await c?.close();
});

const receipts = () => {
  const db = new Database(c.dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM erasure_receipts').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
};

describe('minors', () => {
  it('a birth date corrected below 16 suspends the account: read, export and erase only; erased at the end of the notice period', async () => {
    const a = await signUp(c);
    const r = await c.call('PATCH', '/v1/account', { token: a.token, body: { dateOfBirth: '2015-03-01' } });
    expect(r.status).toBe(200);
    const s = r.body.account.suspension;
    expect(s).toMatchObject({ reason: 'under_age', since: new Date(c.clock.now).toISOString() });
    expect(Date.parse(s.eraseAfter) - c.clock.now).toBe(MINOR_NOTICE_DAYS * 86_400_000);
    // Nothing more is taken in; what is there can still be had and erased.
    const refused = await c.call('POST', '/v1/consents', { token: a.token, body: consentBody('cloud_storage', 'grant') });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_suspended');
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: { nickname: 'Kid' } })).body.error.code).toBe('account_suspended');
    expect((await exportOf(c, a.token)).status).toBe(200);
    const log = (await c.call('GET', '/v1/account/log', { token: a.token })).body.entries.map((e: { kind: string }) => e.kind);
    expect(log.slice(0, 2)).toEqual(['export', 'suspended']);
    // A day before the end it is still there; after it, gone with its receipt.
    c.clock.now = Date.parse(s.eraseAfter) - 86_400_000;
    await c.cloud.prune();
    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(200);
    c.clock.now = Date.parse(s.eraseAfter) + 1;
    await c.cloud.prune();
    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(401);
    expect(receipts()).toContain(s.receiptId);
  });

  it('a date in the future is still a typing slip, refused by the field; an adult correction changes nothing else', async () => {
    const a = await signUp(c);
    const future = await c.call('PATCH', '/v1/account', { token: a.token, body: { dateOfBirth: '2099-01-01' } });
    expect(future.status).toBe(400);
    expect(future.body.error.field).toBe('dateOfBirth');
    const adult = await c.call('PATCH', '/v1/account', { token: a.token, body: { dateOfBirth: '1980-01-01' } });
    expect(adult.body.account.suspension).toBeNull();
  });

  it('the operator suspends an account on a report with report-minor; a wrong email is named', async () => {
    const a = await signUp(c);
    const run = (email: string) => spawnSync(process.execPath, ['--import', 'tsx', 'cloud/operator.ts', 'report-minor', '--email', email, '--db', c.dbPath], { encoding: 'utf8' });
    const ok = run(a.email);
    expect(ok.status, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout);
    const account = (await c.call('GET', '/v1/account', { token: a.token })).body.account;
    expect(account.suspension).toMatchObject({ reason: 'reported_minor', receiptId: out.receiptId, eraseAfter: out.eraseAfter });
    expect((await c.call('POST', '/v1/consents', { token: a.token, body: consentBody('cloud_storage', 'grant') })).body.error.code).toBe('account_suspended');
    const missing = run('nobody@example.test');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no account with the email nobody@example.test');
  });
});
