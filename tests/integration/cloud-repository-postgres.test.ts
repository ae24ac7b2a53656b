// The same repository suite and an HTTP erasure run against a real PostgreSQL server started here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../cloud/db/open-db';
import type { SqlDb } from '../../cloud/db/sql-db';
import { startCloud, type CloudHandle } from '../../cloud/service';
import { randomBytes } from 'node:crypto';
import { CLOUD_RETENTION_DAYS, DAY_MS } from '../../electron/contract/retention';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { PASSWORD, apiFor, exportOf, grant, mailVia, signUp, type Api } from './cloud-helpers';
import { postgresUnavailable, startPostgres, type TestPostgres } from './cloud-postgres-server';
import { allStoredText, defineRepositorySuite } from './cloud-repository-suite';

const unavailable = postgresUnavailable();

/** The relation files (tables, indexes, TOAST, catalogs) of the cluster that contain the bytes; WAL is not among them. */
function relationFilesHolding(dataDir: string, needle: string): string[] {
  return relationFilesHoldingEach(dataDir, [needle])[0]!;
}

/** The same for several needles, each file read once. */
function relationFilesHoldingEach(dataDir: string, needles: string[]): string[][] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((x) => (statSync(join(d, x)).isDirectory() ? walk(join(d, x)) : [join(d, x)]));
  const found = needles.map(() => [] as string[]);
  for (const f of [...walk(join(dataDir, 'base')), ...walk(join(dataDir, 'global'))]) {
    const bytes = readFileSync(f);
    needles.forEach((n, i) => bytes.includes(n) && found[i]!.push(f));
  }
  return found;
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
    let smtp: SmtpSink;
    let api: Api;
    // A clock the retention test moves; the mail relay a real SMTP server on loopback, so the outbox has rows.
    const clock = { now: Date.parse('2026-06-01T12:00:00.000Z') };
    const httpDb = () => server.connectionString.replace(/\/postgres$/, '/cloud_http');
    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: server.connectionString });
      await admin.connect();
      await admin.query('CREATE DATABASE cloud_http');
      await admin.end();
      smtp = await startSmtpSink();
      cloud = await startCloud({
        region: 'sg', db: { kind: 'postgres', connectionString: httpDb() }, clock: () => clock.now, mail: mailVia(smtp.port),
        throttle: { signupsPerClient: 1000 },
      });
      api = apiFor(cloud.url);
    });
    afterAll(async () => {
      await cloud?.close();
      await smtp?.close();
    });

    it('signs up, syncs settings, records consent, and erases without a trace of the email', async () => {
      // The erased account is the newest row: a plain VACUUM compacts pages but leaves the freed bytes of the newest tuples
      // in place, so only a rewrite passes the on-disk check below.
      const b = await signUp(api, { region: 'sg', country: 'MY', transferNoticeAcknowledged: true });
      const a = await signUp(api, { region: 'sg', country: 'SG' });
      expect((await api.call('POST', '/v1/accounts', { body: { email: 'x@y.test', region: 'my', country: 'MY', nickname: 'n', password: PASSWORD, dateOfBirth: '1990-01-01' } })).status).toBe(421);
      expect((await api.call('PUT', '/v1/settings', { token: a.token, body: { settings: { k: 1 } }, headers: { 'if-match': '"1"' } })).status).toBe(200);
      expect((await api.call('PUT', '/v1/settings', { token: a.token, body: { settings: { k: 2 } }, headers: { 'if-match': '"1"' } })).status).toBe(412);
      await grant(api, a.token, 'user_experience_plan');
      expect((await api.call('POST', '/v1/telemetry/user_experience_plan', { token: a.token, body: { events: [{ e: 1 }] } })).status).toBe(202);
      // Shares both ways; the mail telling B of A's share waits in B's outbox (the relay is down), naming A's address.
      await api.call('POST', '/v1/shares', { token: b.token, body: { deviceId: 'd2', deviceName: 'n2', recipientEmail: a.email } });
      await smtp.stop();
      await api.call('POST', '/v1/shares', { token: a.token, body: { deviceId: 'd', deviceName: 'n', recipientEmail: b.email, credential: randomBytes(32).toString('base64url') } });
      expect((await api.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'nope' } })).status).toBe(401);

      // Planner statistics and dirty buffers on disk first, so the grep below sees what PostgreSQL would keep.
      const admin = new pg.Client({ connectionString: server.connectionString.replace(/\/postgres$/, '/cloud_http') });
      await admin.connect();
      try {
        await admin.query('ANALYZE');
        await admin.query('CHECKPOINT');
        expect(relationFilesHolding(server.dataDir, a.email).length, 'the grep finds the email on disk before erasure').toBeGreaterThan(0);
        const queued = "SELECT COUNT(*)::int AS n FROM mail_outbox WHERE sent_at IS NULL AND kind = 'share_received' AND strpos(body, $1) > 0";
        expect((await admin.query(queued, [a.email])).rows[0].n, 'a queued mail names A').toBe(1);

        const r = await api.call('DELETE', '/v1/account', { token: a.token, body: { password: PASSWORD } });
        expect(r.status).toBe(200);
        await admin.query('CHECKPOINT');
        // The erasure rewrote every table that held the account (VACUUM FULL); its old files are truncated, statistics
        // never sampled the email (migration 003). What WAL segments still hold is said in cloud/db/postgres-db.ts.
        const [ofA, ofB] = relationFilesHoldingEach(server.dataDir, [a.email, b.email]);
        expect(ofA).toEqual([]);
        expect(ofB!.length, 'the other account is still on disk').toBeGreaterThan(0);
        expect((await admin.query(queued, [a.email])).rows[0].n).toBe(0);
        await checkErased(r, a, b);
      } finally {
        await admin.end();
        await smtp.start();
      }
    });

    it('Hardware Share: delivered to the recipient as a station gets it, revoked, refused once over, in both exports, erased with either account', async () => {
      const a = await signUp(api, { region: 'sg', country: 'SG', nickname: 'Sharer' });
      const b = await signUp(api, { region: 'sg', country: 'SG', nickname: 'Friend' });
      const station = { host: '192.0.2.10', port: 7447, fingerprint: Array.from(randomBytes(32), (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':') };
      const credential = randomBytes(32).toString('base64url');
      const body = { deviceId: 'station:x', deviceName: 'Gate', recipientEmail: b.email.toUpperCase(), channels: [3], rights: ['live', 'playback'], historySeconds: 3600, station, credential };
      const made = await api.call('POST', '/v1/shares', { token: a.token, body });
      expect(made.status).toBe(201);
      const id = made.body.share.id as string;
      expect(made.body.share).toMatchObject({ channels: [3], rights: ['live', 'playback'], historySeconds: 3600, station, recipientEmail: b.email, revokedAt: null });
      expect(JSON.stringify(made.body)).not.toContain(credential);
      const received = async () => (await api.call('GET', '/v1/shares/received', { token: b.token })).body.shares as any[];
      expect(await received()).toEqual([expect.objectContaining({ id, ownerNickname: 'Sharer', active: true, station, credential })]);
      const given = await api.call('GET', '/v1/shares', { token: a.token });
      expect(given.body.shares).toEqual([expect.objectContaining({ id, recipientEmail: b.email, recipientNickname: 'Friend' })]);
      expect(JSON.stringify(given.body)).not.toContain(credential);
      // In both accounts' exports, the credential withheld.
      const exported = { a: (await exportOf(api, a.token)).body, b: (await exportOf(api, b.token)).body };
      expect(exported.a.data.sharesGiven).toEqual([expect.objectContaining({ id, recipientAccountId: b.id, station })]);
      expect(exported.b.data.sharesReceived).toEqual([expect.objectContaining({ id, ownerAccountId: a.id, ownerNickname: 'Sharer' })]);
      expect(JSON.stringify(exported)).not.toContain(credential);

      // B's station stored it: the cloud forgets its copy (only B may say so).
      expect((await api.call('POST', `/v1/shares/${id}/pickup`, { token: a.token })).status).toBe(404);
      expect((await api.call('POST', `/v1/shares/${id}/pickup`, { token: b.token })).status).toBe(204);
      expect(await received()).toEqual([expect.objectContaining({ id, active: true, credential: null })]);
      const probe = new pg.Client({ connectionString: httpDb() });
      await probe.connect();
      try {
        expect((await probe.query('SELECT credential FROM shares WHERE id = $1', [id])).rows).toEqual([{ credential: null }]);
      } finally {
        await probe.end();
      }

      // Only the owner revokes; then the recipient's list shows it revoked and delivers no credential.
      expect((await api.call('DELETE', `/v1/shares/${id}`, { token: b.token })).status).toBe(404);
      const revoked = await api.call('DELETE', `/v1/shares/${id}`, { token: a.token });
      expect(revoked.status).toBe(200);
      expect(await received()).toEqual([expect.objectContaining({ id, active: false, credential: null, revokedAt: revoked.body.share.revokedAt })]);
      expect((await api.call('DELETE', `/v1/shares/${id}`, { token: a.token })).status).toBe(404);

      // An end already past is refused; a window that ends stops delivering the credential.
      const past = await api.call('POST', '/v1/shares', { token: a.token, body: { ...body, validUntil: new Date(clock.now - 1000).toISOString() } });
      expect(past.status).toBe(400);
      expect(past.body.error.field).toBe('validUntil');
      const ending = (await api.call('POST', '/v1/shares', { token: a.token, body: { ...body, validUntil: new Date(clock.now + 60_000).toISOString() } })).body.share.id;
      expect((await received()).find((s) => s.id === ending)).toMatchObject({ active: true, credential });
      clock.now += 61_000;
      expect((await received()).find((s) => s.id === ending)).toMatchObject({ active: false, credential: null });

      // Erased with either account: B's erasure takes the shares B received and gave.
      const back = (await api.call('POST', '/v1/shares', { token: b.token, body: { deviceId: 'd', deviceName: 'Porch', recipientEmail: a.email } })).body.share.id;
      expect((await api.call('GET', '/v1/shares/received', { token: a.token })).body.shares.map((s: any) => s.id)).toEqual([back]);
      const erased = await api.call('DELETE', '/v1/account', { token: b.token, body: { password: PASSWORD } });
      expect(erased.body.receipt.deleted).toMatchObject({ sharesGiven: 1, sharesReceived: 2 });
      expect((await api.call('GET', '/v1/shares', { token: a.token })).body.shares).toEqual([]);
      expect((await api.call('GET', '/v1/shares/received', { token: a.token })).body.shares).toEqual([]);
    });

    // Last in this block: it moves the service's clock by a year.
    it('retention with a moved clock: each kind past its time goes, the rest stays', async () => {
      const days = CLOUD_RETENTION_DAYS;
      const t0 = clock.now;
      const a = await signUp(api, { region: 'sg', country: 'SG' });
      const login = async () => (await api.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).body.token as string;
      const post = async (token: string, tag: string) => {
        expect((await api.call('POST', '/v1/telemetry/user_experience_plan', { token, body: { events: [{ tag }] } })).status).toBe(202);
        const notice = { stationId: 'st', type: 'door', channelName: tag, occurredAt: new Date(clock.now).toISOString(), snapshotJpeg: null };
        expect((await api.call('POST', '/v1/push', { token, body: notice })).status).toBe(201);
      };
      await grant(api, a.token, 'user_experience_plan');
      await grant(api, a.token, 'alarm_push');
      await post(a.token, 'first');
      expect((await api.call('POST', '/v1/auth/logout', { token: await login() })).status).toBe(204);
      expect((await api.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'nope' } })).status).toBe(401);

      // A month on: the sent sign-up mail, the failed sign-in and the session ended then are gone; the rest stays.
      clock.now = t0 + (days.sentMail + 1) * DAY_MS;
      let pruned = await cloud.prune();
      expect(pruned.mail).toBeGreaterThanOrEqual(1);
      expect(pruned.loginFailures).toBeGreaterThanOrEqual(1);
      expect(pruned.sessions).toBeGreaterThanOrEqual(1);
      expect(pruned).toMatchObject({ telemetryEvents: 0, pushNotices: 0, accountLog: 0 });
      await post(await login(), 'second');
      // Past the push inbox's time: the first notice goes, the telemetry stays.
      clock.now = t0 + (days.pushNotices + 1) * DAY_MS;
      pruned = await cloud.prune();
      expect(pruned).toMatchObject({ pushNotices: 1, telemetryEvents: 0 });
      let token = await login();
      expect((await api.call('GET', '/v1/push', { token })).body.notices.map((n: any) => n.channelName)).toEqual(['second']);
      // Past telemetry's time: the first batch goes.
      clock.now = t0 + (days.telemetryEvents + 1) * DAY_MS;
      expect(await cloud.prune()).toMatchObject({ telemetryEvents: 1, pushNotices: 1 });
      token = await login();
      const events = (await exportOf(api, token)).body.data.telemetry.events as { payload: unknown }[];
      expect(JSON.stringify(events)).toContain('second');
      expect(JSON.stringify(events)).not.toContain('first');
      // Past the account log's time: the entries of the first day go, the later ones stay.
      clock.now = t0 + (days.accountLog + 1) * DAY_MS;
      expect((await cloud.prune()).accountLog).toBeGreaterThanOrEqual(4);
      token = await login();
      const log = (await api.call('GET', '/v1/account/log', { token })).body.entries as { at: string; kind: string }[];
      expect(log.length).toBeGreaterThan(0);
      expect(log.every((e) => Date.parse(e.at) > t0 + DAY_MS)).toBe(true);
      expect(log.map((e) => e.kind)).not.toContain('sign_up');
    });

    async function checkErased(r: { body: any }, a: { email: string; id: string }, b: { email: string }) {
      expect(r.body.receipt.deleted).toMatchObject({ account: 1, consentRecordsAnonymised: 1, sharesGiven: 1, sharesReceived: 1, loginFailures: 1, accountLog: 2 });
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
