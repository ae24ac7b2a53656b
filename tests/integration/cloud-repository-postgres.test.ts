// The same repository suite and an HTTP erasure run against a real PostgreSQL server started here.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../cloud/db/open-db';
import type { SqlDb } from '../../cloud/db/sql-db';
import { startCloud, type CloudHandle } from '../../cloud/service';
import { PASSWORD, apiFor, consentBody, signUp } from './cloud-helpers';
import { postgresUnavailable, startPostgres, type TestPostgres } from './cloud-postgres-server';
import { allStoredText, defineRepositorySuite } from './cloud-repository-suite';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping PostgreSQL cloud tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('PostgreSQL', () => {
  let server: TestPostgres;
  let db: SqlDb;
  beforeAll(async () => {
    server = await startPostgres();
    db = await openDb({ kind: 'postgres', connectionString: server.connectionString });
  });
  afterAll(async () => {
    await db?.close();
    await server?.close();
  });

  defineRepositorySuite('PostgreSQL', () => ({ db }));

  describe('the service over HTTP on PostgreSQL', () => {
    let cloud: CloudHandle;
    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: server.connectionString });
      await admin.connect();
      await admin.query('CREATE DATABASE cloud_http');
      await admin.end();
      cloud = await startCloud({ region: 'sg', db: { kind: 'postgres', connectionString: server.connectionString.replace(/\/postgres$/, '/cloud_http') } });
    });
    afterAll(async () => {
      await cloud?.close();
    });

    it('signs up, syncs settings, records consent, and erases without a trace of the email', async () => {
      const api = apiFor(cloud.url);
      const a = await signUp(api, { region: 'sg', country: 'SG' });
      const b = await signUp(api, { region: 'sg', country: 'MY' });
      expect((await api.call('POST', '/v1/accounts', { body: { email: 'x@y.test', region: 'my', country: 'MY', nickname: 'n', password: PASSWORD, dateOfBirth: '1990-01-01' } })).status).toBe(421);
      expect((await api.call('PUT', '/v1/settings', { token: a.token, body: { settings: { k: 1 } }, headers: { 'if-match': '"1"' } })).status).toBe(200);
      expect((await api.call('PUT', '/v1/settings', { token: a.token, body: { settings: { k: 2 } }, headers: { 'if-match': '"1"' } })).status).toBe(412);
      await api.call('POST', '/v1/consents', { token: a.token, body: consentBody('user_experience_plan', 'grant') });
      expect((await api.call('POST', '/v1/telemetry/user_experience_plan', { token: a.token, body: { events: [{ e: 1 }] } })).status).toBe(202);
      await api.call('POST', '/v1/shares', { token: a.token, body: { deviceId: 'd', deviceName: 'n', recipientEmail: b.email } });
      expect((await api.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'nope' } })).status).toBe(401);

      const r = await api.call('DELETE', '/v1/account', { token: a.token, body: { password: PASSWORD } });
      expect(r.status).toBe(200);
      expect(r.body.receipt.deleted).toMatchObject({ account: 1, consentRecordsAnonymised: 1, sharesGiven: 1, loginFailures: 1 });
      const probe = await openDb({ kind: 'postgres', connectionString: server.connectionString.replace(/\/postgres$/, '/cloud_http') });
      try {
        const text = await allStoredText(probe);
        expect(text).not.toContain(a.email);
        expect(text).not.toContain(a.id);
        expect(text).toContain(b.email);
        expect(await probe.all('SELECT * FROM consents WHERE subject = ?', [r.body.receipt.kept.consentSubject])).toHaveLength(1);
      } finally {
        await probe.close();
      }
    });
  });
});
