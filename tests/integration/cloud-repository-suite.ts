// The repository contract, run unchanged against SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../cloud/db/migrate';
import { insertPushNotice, insertStoredObject, listPushNotices, listHostedDevices, listStoredObjects, putHostedDevices } from '../../cloud/repo/account-services';
import type { SqlDb } from '../../cloud/db/sql-db';
import { EmailTakenError, findAccountByEmail, insertAccount, serviceKey, setRightsFlags, updateProfile } from '../../cloud/repo/accounts';
import { appendConsent, latestConsent, listConsents, listConsentsBySubject } from '../../cloud/repo/consents';
import { eraseAccount } from '../../cloud/repo/erasure';
import { createSession, findLiveSession, listSessions, pruneSessions, revokeOtherSessions, revokeSession } from '../../cloud/repo/sessions';
import { getSettings, putSettings } from '../../cloud/repo/settings';
import { createShare, listSharesGiven, listSharesReceived, revokeShare } from '../../cloud/repo/shares';
import { countTelemetry, insertTelemetry, telemetryCounters, telemetryEvents, telemetryTotals } from '../../cloud/repo/telemetry';
import { clearFailures, recentFailures, recordLoginFailure } from '../../cloud/repo/throttle';
import { insertFeedback, listFeedback } from '../../cloud/repo/feedback';
import { pruneExpired } from '../../cloud/repo/retention';
import { listAccountLog, logAccountEvent } from '../../cloud/repo/account-log';
import { CLOUD_RETENTION_DAYS, DAY_MS } from '../../electron/contract/retention';
import { PNG_1PX } from './cloud-helpers';

const NOW = '2026-06-01T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);

export async function newAccount(db: SqlDb, over: Partial<Parameters<typeof insertAccount>[1]> = {}) {
  return insertAccount(db, {
    email: `${randomUUID()}@repo.test`,
    region: 'de',
    country: 'DE',
    nickname: 'Repo',
    dateOfBirth: '1980-01-01',
    passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
    photo: null,
    now: NOW,
    ...over,
  });
}

const consent = (accountId: string, purpose: 'alarm_push' | 'user_experience_plan', action: 'grant' | 'withdraw') => ({
  accountId,
  subject: `subject-${accountId}`,
  purpose,
  action,
  policyVersion: '2026-05',
  policyTextHash: 'a'.repeat(64),
  appVersion: '0.1.0',
  locale: 'en-GB',
  recordedAt: NOW,
});

/** Every text and bytes value of every row of every table, for trace searches. */
export async function allStoredText(db: SqlDb): Promise<string> {
  const tables =
    db.dialect === 'sqlite'
      ? await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      : await db.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'");
  let out = '';
  for (const { name } of tables)
    for (const row of await db.all<Record<string, unknown>>(`SELECT * FROM ${name}`))
      for (const v of Object.values(row)) out += `${Buffer.isBuffer(v) ? v.toString('latin1') : String(v)}\n`;
  return out;
}

export function defineRepositorySuite(label: string, open: () => { db: SqlDb }) {
  describe(`cloud repository on ${label}`, () => {
    it('migrates once and is idempotent', async () => {
      const { db } = open();
      expect(await schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(await migrate(db)).toEqual([]);
      expect(await serviceKey(db)).toBe(await serviceKey(db));
    });

    it('creates accounts with settings and refuses a duplicate email', async () => {
      const { db } = open();
      const a = await newAccount(db, { photo: { data: PNG_1PX, type: 'image/png' } });
      expect(a.photo?.equals(PNG_1PX)).toBe(true);
      expect((await getSettings(db, a.id))).toMatchObject({ version: 1, document: '{}' });
      await expect(newAccount(db, { email: a.email })).rejects.toBeInstanceOf(EmailTakenError);
      const b = await newAccount(db);
      await expect(updateProfile(db, b.id, { email: a.email }, NOW)).rejects.toBeInstanceOf(EmailTakenError);
      const fixed = await updateProfile(db, b.id, { nickname: 'Fixed', photo: { data: PNG_1PX, type: 'image/png' } }, NOW);
      expect(fixed.nickname).toBe('Fixed');
      expect((await setRightsFlags(db, b.id, { restricted: true }, NOW)).restricted).toBe(1);
      expect((await findAccountByEmail(db, a.email))?.id).toBe(a.id);
      const email = `${randomUUID()}@race.test`;
      const race = await Promise.allSettled([newAccount(db, { email }), newAccount(db, { email }), newAccount(db, { email })]);
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of race) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(EmailTakenError);
    });

    it('finds only live sessions and scopes revocation to the owner', async () => {
      const { db } = open();
      const a = await newAccount(db);
      const b = await newAccount(db);
      const s1 = await createSession(db, { accountId: a.id, tokenHash: `h-${randomUUID()}`, nowMs: NOW_MS, ttlMs: 1000 });
      const s2 = await createSession(db, { accountId: a.id, tokenHash: `h-${randomUUID()}`, nowMs: NOW_MS, ttlMs: 1000 });
      expect((await findLiveSession(db, s1.token_hash, NOW_MS + 999))?.id).toBe(s1.id);
      expect(await findLiveSession(db, s1.token_hash, NOW_MS + 1000)).toBeUndefined();
      expect(await revokeSession(db, b.id, s1.id, NOW)).toBe(false);
      expect(await revokeOtherSessions(db, a.id, s1.id, NOW)).toBe(1);
      expect(await findLiveSession(db, s2.token_hash, NOW_MS)).toBeUndefined();
      expect(await revokeSession(db, a.id, s1.id, NOW)).toBe(true);
      expect((await listSessions(db, a.id)).every((s) => s.revoked_at)).toBe(true);
      const live = await createSession(db, { accountId: b.id, tokenHash: `h-${randomUUID()}`, nowMs: NOW_MS, ttlMs: 10_000 });
      expect(await pruneSessions(db, NOW_MS + 5000)).toBeGreaterThanOrEqual(2);
      expect((await listSessions(db, a.id))).toHaveLength(0);
      expect((await listSessions(db, b.id)).map((s) => s.id)).toEqual([live.id]);
    });

    it('writes settings optimistically: of two racing writers one wins', async () => {
      const { db } = open();
      const a = await newAccount(db);
      const results = await Promise.all([
        putSettings(db, a.id, 1, '{"w":1}', NOW),
        putSettings(db, a.id, 1, '{"w":2}', NOW),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const s = await getSettings(db, a.id);
      expect(s?.version).toBe(2);
      expect(await putSettings(db, a.id, null, '{"any":true}', NOW)).toMatchObject({ ok: true, row: { version: 3 } });
    });

    it('keeps the consent ledger append-only except the anonymisation path', async () => {
      const { db } = open();
      const a = await newAccount(db);
      const g = await appendConsent(db, consent(a.id, 'alarm_push', 'grant'));
      await appendConsent(db, consent(a.id, 'alarm_push', 'withdraw'));
      expect((await latestConsent(db, a.id, 'alarm_push'))?.action).toBe('withdraw');
      expect(await latestConsent(db, a.id, 'user_experience_plan')).toBeUndefined();
      await expect(db.run("UPDATE consents SET action = 'grant' WHERE id = ?", [g.id])).rejects.toThrow(/append-only/);
      await expect(db.run('DELETE FROM consents WHERE id = ?', [g.id])).rejects.toThrow(/append-only/);
      await expect(db.run("UPDATE consents SET account_id = NULL, locale = 'xx' WHERE id = ?", [g.id])).rejects.toThrow(/append-only/);
      // The account cannot be deleted while the ledger still names it.
      await expect(db.run('DELETE FROM accounts WHERE id = ?', [a.id])).rejects.toThrow();
      expect(await listConsents(db, a.id)).toHaveLength(2);
    });

    it('counts telemetry per account and purpose', async () => {
      const { db } = open();
      const a = await newAccount(db);
      const before = await telemetryTotals(db);
      await countTelemetry(db, a.id, 'device_experience_program', 40, false);
      await insertTelemetry(db, { accountId: a.id, purpose: 'device_experience_program', receivedAt: NOW, bytes: 60, payload: '[{}]' });
      expect(await telemetryCounters(db, a.id)).toEqual([
        { account_id: a.id, purpose: 'device_experience_program', received_bytes: 100, accepted_bytes: 60, accepted_batches: 1, refused_batches: 1 },
      ]);
      expect(await telemetryEvents(db, a.id)).toHaveLength(1);
      const after = await telemetryTotals(db);
      const sum = (rows: typeof after) => rows.reduce((n, r) => n + Number(r.received_bytes), 0);
      expect(sum(after) - sum(before)).toBe(100);
    });

    it('shares devices and revokes only as the owner', async () => {
      const { db } = open();
      const a = await newAccount(db, { nickname: 'Owner' });
      const b = await newAccount(db);
      const s = await createShare(db, { ownerId: a.id, recipientId: b.id, deviceId: 'd', deviceName: 'Door', channels: [1], validFrom: null, validUntil: NOW, now: NOW });
      expect(await listSharesGiven(db, a.id)).toHaveLength(1);
      expect((await listSharesReceived(db, b.id))[0]).toMatchObject({ id: s.id, owner_nickname: 'Owner', channels: '[1]' });
      expect(await revokeShare(db, b.id, s.id, NOW)).toBeUndefined();
      expect((await revokeShare(db, a.id, s.id, NOW))?.revoked_at).toBe(NOW);
      expect(await listSharesReceived(db, b.id)).toHaveLength(0);
      expect(await listSharesReceived(db, b.id, { includeRevoked: true })).toHaveLength(1);
    });

    it('counts login failures in a window', async () => {
      const { db } = open();
      const key = `email:${randomUUID()}`;
      for (let i = 0; i < 3; i++) await recordLoginFailure(db, key, NOW_MS + i);
      expect(await recentFailures(db, key, NOW_MS - 1)).toEqual({ count: 3, oldest: NOW_MS });
      expect((await recentFailures(db, key, NOW_MS + 1)).count).toBe(1);
      expect(await clearFailures(db, key)).toBe(3);
    });

    it('erases an account completely, keeping anonymous consent proof', async () => {
      const { db } = open();
      const a = await newAccount(db, { photo: { data: PNG_1PX, type: 'image/png' }, nickname: 'ErasedNick' });
      const b = await newAccount(db);
      await createSession(db, { accountId: a.id, tokenHash: `h-${randomUUID()}`, nowMs: NOW_MS, ttlMs: 1000 });
      await putSettings(db, a.id, 1, '{"note":"erase me"}', NOW);
      await appendConsent(db, consent(a.id, 'user_experience_plan', 'grant'));
      await appendConsent(db, consent(a.id, 'user_experience_plan', 'withdraw'));
      await insertTelemetry(db, { accountId: a.id, purpose: 'user_experience_plan', receivedAt: NOW, bytes: 5, payload: '[{"m":"erase me"}]' });
      await createShare(db, { ownerId: a.id, recipientId: b.id, deviceId: 'd', deviceName: 'x', channels: null, validFrom: null, validUntil: null, now: NOW });
      await createShare(db, { ownerId: b.id, recipientId: a.id, deviceId: 'e', deviceName: 'y', channels: null, validFrom: null, validUntil: null, now: NOW });
      await recordLoginFailure(db, `email:key-of-${a.id}`, NOW_MS);
      await insertPushNotice(db, { accountId: a.id, stationId: 'st', type: 'door', channelName: 'erase me door', occurredAt: NOW, snapshot: Buffer.from('erase me jpeg'), receivedAt: NOW });
      await insertStoredObject(db, { accountId: a.id, name: 'erase me.jpg', kind: 'snapshot', contentType: 'image/jpeg', data: Buffer.from('erase me bytes'), sha256: 'h', createdAt: NOW });
      await insertStoredObject(db, { accountId: b.id, name: 'kept.jpg', kind: 'snapshot', contentType: 'image/jpeg', data: Buffer.from('b'), sha256: 'h', createdAt: NOW });
      await putHostedDevices(db, { accountId: a.id, stationId: 'st', stationName: 'erase me station', devices: '[]', updatedAt: NOW });
      await logAccountEvent(db, { accountId: a.id, at: NOW, kind: 'sign_in', address: '203.0.113.9', client: 'erase me app' });
      expect(await allStoredText(db)).toContain(a.email);

      const { deleted } = await eraseAccount(db, {
        accountId: a.id,
        emailThrottleKey: `email:key-of-${a.id}`,
        receiptId: randomUUID(),
        subject: `subject-${a.id}`,
        region: 'de',
        now: NOW,
      });
      await db.purgeDeleted();
      expect(deleted).toEqual({
        account: 1, profilePhoto: 1, sessions: 1, settings: 1, telemetryEvents: 1, telemetryCounters: 1,
        sharesGiven: 1, sharesReceived: 1, loginFailures: 1, consentRecordsAnonymised: 2,
        pushNotices: 1, cloudStorageObjects: 1, hostedDeviceLists: 1, feedback: 0, accountLog: 1,
      });
      expect(await listHostedDevices(db, a.id)).toEqual([]);
      expect(await listStoredObjects(db, b.id)).toHaveLength(1);
      const proof = await listConsentsBySubject(db, `subject-${a.id}`);
      expect(proof.map((p) => [p.account_id, p.action])).toEqual([[null, 'grant'], [null, 'withdraw']]);
      const text = await allStoredText(db);
      for (const trace of [a.email, 'ErasedNick', 'erase me']) expect(text).not.toContain(trace);
      expect(text).toContain(b.email);
    });

    it('prunes each kind of personal data past its retention at a moved clock, and keeps the rest', async () => {
      const { db } = open();
      // The clock is moved a day past the suite's NOW (the other tests' rows are inside every retention); each kind has
      // one row just past its time and one just inside it.
      const now = NOW_MS + DAY_MS;
      const ago = (days: number, ms = 0) => now - days * DAY_MS - ms;
      const iso = (ms: number) => new Date(ms).toISOString();
      const a = await newAccount(db);
      const days = CLOUD_RETENTION_DAYS;
      for (const d of [days.telemetryEvents + 1, days.telemetryEvents - 1])
        await insertTelemetry(db, { accountId: a.id, purpose: 'user_experience_plan', receivedAt: iso(ago(d)), bytes: 2, payload: `[${d}]` });
      for (const d of [days.pushNotices + 1, days.pushNotices - 1])
        await insertPushNotice(db, { accountId: a.id, stationId: 'st', type: 'door', channelName: `ch ${d}`, occurredAt: iso(ago(d)), snapshot: null, receivedAt: iso(ago(d)) });
      const oldSession = await createSession(db, { accountId: a.id, tokenHash: `h-${randomUUID()}`, nowMs: ago(days.endedSessions + 2), ttlMs: DAY_MS });
      const endedLately = await createSession(db, { accountId: a.id, tokenHash: `h-${randomUUID()}`, nowMs: ago(days.endedSessions - 2), ttlMs: DAY_MS });
      const key = `email:${randomUUID()}`;
      await recordLoginFailure(db, key, now - 16 * 60_000);
      await recordLoginFailure(db, key, now - 60_000);
      for (const d of [1, -1])
        await insertFeedback(db, { accountId: a.id, text: `fb ${d}`, replyEmail: null, attachments: [{ name: 'a.png', contentType: 'image/png', data: PNG_1PX }], receivedAt: iso(ago(365 + d)), deleteAfter: iso(ago(d)) });
      // Two erased accounts: one erased just over the limitation period ago, one just inside it.
      const erased: string[] = [];
      for (const d of [days.erasedConsentRecords + 1, days.erasedConsentRecords - 1]) {
        const e = await newAccount(db);
        await appendConsent(db, consent(e.id, 'alarm_push', 'grant'));
        await eraseAccount(db, { accountId: e.id, emailThrottleKey: `email:${e.id}`, receiptId: randomUUID(), subject: `subject-${e.id}`, region: 'de', now: iso(ago(d)) });
        erased.push(e.id);
      }

      for (const d of [days.accountLog + 1, days.accountLog - 1])
        await logAccountEvent(db, { accountId: a.id, at: iso(ago(d)), kind: 'sign_in', address: '127.0.0.1', client: `app ${d}` });

      const counts = await pruneExpired(db, now, 15 * 60_000);
      expect(counts).toMatchObject({ telemetryEvents: 1, pushNotices: 1, loginFailures: 1, feedback: 1, accountLog: 1, consentRecords: 1, erasureReceipts: 1 });
      expect((await listAccountLog(db, a.id)).map((e) => e.client)).toEqual([`app ${days.accountLog - 1}`]);
      expect(counts.sessions).toBeGreaterThanOrEqual(1);
      expect((await telemetryEvents(db, a.id)).map((e) => e.payload)).toEqual([`[${days.telemetryEvents - 1}]`]);
      expect((await listPushNotices(db, a.id)).map((n) => n.channel_name)).toEqual([`ch ${days.pushNotices - 1}`]);
      expect((await listSessions(db, a.id)).map((x) => x.id)).toEqual([endedLately.id]);
      expect(oldSession.id).not.toBe(endedLately.id);
      expect((await recentFailures(db, key, 0)).count).toBe(1);
      expect((await listFeedback(db, a.id)).map((f) => f.text)).toEqual(['fb -1']);
      expect(await listConsentsBySubject(db, `subject-${erased[0]}`)).toEqual([]);
      expect(await listConsentsBySubject(db, `subject-${erased[1]}`)).toHaveLength(1);
      // A record that still names an account stays append-only.
      const live = await appendConsent(db, consent(a.id, 'alarm_push', 'grant'));
      await expect(db.run('DELETE FROM consents WHERE id = ?', [live.id])).rejects.toThrow(/append-only/);
      // Nothing else is past its time: a second pass deletes nothing.
      expect(Object.values(await pruneExpired(db, now, 15 * 60_000)).every((n) => n === 0)).toBe(true);
    });
  });
}
