// The same repository suite and an HTTP erasure run against a real PostgreSQL server started here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../cloud/db/open-db';
import type { SqlDb } from '../../cloud/db/sql-db';
import { startCloud, type CloudHandle } from '../../cloud/service';
import { PASSWORD, apiFor, consentBody, signUp, grant } from './cloud-helpers';
import { postgresUnavailable, startPostgres, type TestPostgres } from './cloud-postgres-server';
import { allStoredText, defineRepositorySuite } from './cloud-repository-suite';

const unavailable = postgresUnavailable();

/** The relation files (tables, indexes, TOAST, catalogs) of the cluster that contain the bytes; WAL is not among them. */
function relationFilesHolding(dataDir: string, needle: string): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((x) => (statSync(join(d, x)).isDirectory() ? walk(join(d, x)) : [join(d, x)]));
  const bytes = Buffer.from(needle);
  return [...walk(join(dataDir, 'base')), ...walk(join(dataDir, 'global'))].filter((f) => readFileSync(f).includes(bytes));
}
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
      // The erased account is the newest row: a plain VACUUM compacts pages but leaves the freed bytes of the newest tuples
      // in place, so only a rewrite passes the on-disk check below.
      const b = await signUp(api, { region: 'sg', country: 'MY', transferNoticeAcknowledged: true });
      const a = await signUp(api, { region: 'sg', country: 'SG' });
      expect((await api.call('POST', '/v1/accounts', { body: { email: 'x@y.test', region: 'my', country: 'MY', nickname: 'n', password: PASSWORD, dateOfBirth: '1990-01-01' } })).status).toBe(421);
      expect((await api.call('PUT', '/v1/settings', { token: a.token, body: { settings: { k: 1 } }, headers: { 'if-match': '"1"' } })).status).toBe(200);
      expect((await api.call('PUT', '/v1/settings', { token: a.token, body: { settings: { k: 2 } }, headers: { 'if-match': '"1"' } })).status).toBe(412);
      await grant(api, a.token, 'user_experience_plan');
      expect((await api.call('POST', '/v1/telemetry/user_experience_plan', { token: a.token, body: { events: [{ e: 1 }] } })).status).toBe(202);
      await api.call('POST', '/v1/shares', { token: a.token, body: { deviceId: 'd', deviceName: 'n', recipientEmail: b.email } });
      expect((await api.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'nope' } })).status).toBe(401);

      // Planner statistics and dirty buffers on disk first, so the grep below sees what PostgreSQL would keep.
      const admin = new pg.Client({ connectionString: server.connectionString.replace(/\/postgres$/, '/cloud_http') });
      await admin.connect();
      try {
        await admin.query('ANALYZE');
        await admin.query('CHECKPOINT');
        expect(relationFilesHolding(server.dataDir, a.email).length, 'the grep finds the email on disk before erasure').toBeGreaterThan(0);

        const r = await api.call('DELETE', '/v1/account', { token: a.token, body: { password: PASSWORD } });
        expect(r.status).toBe(200);
        await admin.query('CHECKPOINT');
        // The erasure rewrote every table that held the account (VACUUM FULL); its old files are truncated, statistics
        // never sampled the email (migration 003). What WAL segments still hold is said in cloud/db/postgres-db.ts.
        expect(relationFilesHolding(server.dataDir, a.email)).toEqual([]);
        expect(relationFilesHolding(server.dataDir, b.email).length, 'the other account is still on disk').toBeGreaterThan(0);
        await checkErased(r, a, b);
      } finally {
        await admin.end();
      }
    });

    async function checkErased(r: { body: any }, a: { email: string; id: string }, b: { email: string }) {
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
    }
  });
});
