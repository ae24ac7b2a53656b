import { readFileSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURPOSES, TELEMETRY_PURPOSES } from '../../cloud/domain';
import { ExportDocument as exportDocumentSchema } from '../../electron/contract/cloud';
import { JPEG_BYTES, PASSWORD, PNG_1PX, consentBody, signUp, startTestCloud, type TestAccount, type TestCloud, grant, exportOf, mailVia } from './cloud-helpers';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let c: TestCloud;
let smtp: SmtpSink;
beforeAll(async () => {
  // With a mail relay, so the export's mail part and the account's verification are real.
  smtp = await startSmtpSink();
  c = await startTestCloud({ mail: mailVia(smtp.port) });
});
afterAll(async () => {
  await c.close();
  await smtp.close();
});

const telemetry = (purpose: string, token: string | undefined, events: unknown[] = [{ screen: 'live', ms: 12 }]) =>
  c.call('POST', `/v1/telemetry/${purpose}`, { token, body: { events } });

describe('privacy settings document', () => {
  it('is versioned with ETag and If-Match', async () => {
    const a = await signUp(c);
    const g = await c.call('GET', '/v1/settings', { token: a.token });
    expect(g.status).toBe(200);
    expect(g.headers.get('etag')).toBe('"1"');
    expect(g.body).toMatchObject({ version: 1, settings: {} });
    const body = { settings: { liveQuality: 'high', purposes: { alarm_push: true } } };
    expect((await c.call('PUT', '/v1/settings', { token: a.token, body })).status).toBe(428);
    const put = await c.call('PUT', '/v1/settings', { token: a.token, body, headers: { 'if-match': '"1"' } });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    const stale = await c.call('PUT', '/v1/settings', { token: a.token, body: { settings: {} }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"2"');
    expect(stale.body.error.currentVersion).toBe(2);
    expect(stale.body.error.current.settings).toEqual({ liveQuality: 'high', purposes: { alarm_push: true } });
    const back = await c.call('GET', '/v1/settings', { token: a.token });
    expect(back.body.settings).toEqual(body.settings);
    expect((await c.call('GET', '/v1/settings', { token: a.token, headers: { 'if-none-match': '"2"' } })).status).toBe(304);
    const notObject = await c.call('PUT', '/v1/settings', { token: a.token, body: { settings: [1] }, headers: { 'if-match': '"2"' } });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.field).toBe('settings');
  });
});

describe('consent ledger', () => {
  it('records every grant and withdrawal per purpose with who, when, policy and app', async () => {
    const a = await signUp(c);
    for (const p of PURPOSES) {
      expect((await grant(c, a.token, p)).status).toBe(201);
      c.clock.now += 1000;
      expect((await c.call('POST', '/v1/consents', { token: a.token, body: consentBody(p, 'withdraw') })).status).toBe(201);
    }
    const r = await c.call('GET', '/v1/consents', { token: a.token });
    expect(r.body.records).toHaveLength(PURPOSES.length * 2);
    expect(r.body.records[0]).toMatchObject({
      purpose: 'user_experience_plan',
      action: 'grant',
      policyVersion: '2026-05',
      appVersion: '0.1.0',
      locale: 'de-DE',
    });
    expect(r.body.records[0].recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    for (const p of PURPOSES) expect(r.body.current[p].action).toBe('withdraw');
    const bad = await c.call('POST', '/v1/consents', { token: a.token, body: { ...consentBody('marketing', 'grant'), policyTextHash: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { field: string }) => i.field).sort()).toEqual(['policyTextHash', 'purpose']);
  });

  it('has no route to change or delete a record, and the database refuses it too', async () => {
    const a = await signUp(c);
    const rec = (await grant(c, a.token, 'alarm_push')).body.record;
    expect((await c.call('PUT', '/v1/consents', { token: a.token, body: {} })).status).toBe(405);
    expect((await c.call('DELETE', '/v1/consents', { token: a.token })).status).toBe(405);
    expect((await c.call('DELETE', `/v1/consents/${rec.id}`, { token: a.token })).status).toBe(404);
    const raw = new Database(c.dbPath);
    try {
      expect(() => raw.prepare("UPDATE consents SET action = 'withdraw' WHERE id = ?").run(rec.id)).toThrow(/append-only/);
      expect(() => raw.prepare('DELETE FROM consents WHERE id = ?').run(rec.id)).toThrow(/append-only/);
      // Clearing the account id while also rewriting history is not the anonymisation path.
      expect(() => raw.prepare("UPDATE consents SET account_id = NULL, action = 'withdraw' WHERE id = ?").run(rec.id)).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });
});

describe('telemetry ingestion', () => {
  it('receives zero bytes worth keeping without consent, and only under a current grant', async () => {
    const a = await signUp(c);
    for (const p of TELEMETRY_PURPOSES) {
      const r = await telemetry(p, a.token);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('consent_required');
    }
    let usage = (await c.call('GET', '/v1/telemetry/usage', { token: a.token })).body.usage;
    for (const p of TELEMETRY_PURPOSES) expect(usage[p].acceptedBytes).toBe(0);

    await grant(c, a.token, 'user_experience_plan');
    const ok = await telemetry('user_experience_plan', a.token);
    expect(ok.status).toBe(202);
    expect((await telemetry('device_experience_program', a.token)).status).toBe(403);
    await c.call('POST', '/v1/consents', { token: a.token, body: consentBody('user_experience_plan', 'withdraw') });
    expect((await telemetry('user_experience_plan', a.token)).status).toBe(403);

    usage = (await c.call('GET', '/v1/telemetry/usage', { token: a.token })).body.usage;
    expect(usage.user_experience_plan.acceptedBytes).toBe(ok.body.bytes);
    expect(usage.user_experience_plan.acceptedBatches).toBe(1);
    expect(usage.device_experience_program.acceptedBytes).toBe(0);
    expect((await telemetry('alarm_push', a.token)).status).toBe(404);
  });

  it('refuses telemetry granted under an older policy version once a new one is in force', async () => {
    const local = await startTestCloud({ policyVersion: '2026-11' });
    try {
      expect((await local.call('GET', '/v1/health')).body.policyVersion).toBe('2026-11');
      const a = await signUp(local);
      await grant(local, a.token, 'user_experience_plan');
      const old = await local.call('POST', '/v1/telemetry/user_experience_plan', { token: a.token, body: { events: [{}] } });
      expect(old.status).toBe(403);
      expect(old.body.error).toMatchObject({ code: 'consent_outdated', policyVersion: '2026-11' });
      await grant(local, a.token, 'user_experience_plan', { policyVersion: '2026-11' });
      expect((await local.call('POST', '/v1/telemetry/user_experience_plan', { token: a.token, body: { events: [{}] } })).status).toBe(202);
    } finally {
      await local.close();
    }
  });

  it('proves a silent station sent no telemetry bytes at all', async () => {
    const local = await startTestCloud();
    try {
      const a = await signUp(local);
      for (const p of PURPOSES) await local.call('POST', '/v1/consents', { token: a.token, body: consentBody(p, 'withdraw') });
      await local.call('PUT', '/v1/settings', { token: a.token, body: { settings: { x: 1 } }, headers: { 'if-match': '"1"' } });
      const totals = await local.cloud.telemetryTotals();
      expect(totals.unauthenticatedBytes).toBe(0);
      for (const p of TELEMETRY_PURPOSES) expect(totals.byPurpose[p]).toEqual({ receivedBytes: 0, acceptedBytes: 0 });
      // The counters do see bytes the moment anything is sent, refused or not.
      await local.call('POST', '/v1/telemetry/device_experience_program', { body: { events: [{}] } });
      await local.call('POST', '/v1/telemetry/device_experience_program', { token: a.token, body: { events: [{ a: 1 }] } });
      const after = await local.cloud.telemetryTotals();
      expect(after.unauthenticatedBytes).toBeGreaterThan(0);
      expect(after.byPurpose.device_experience_program!.receivedBytes).toBeGreaterThan(0);
      expect(after.byPurpose.device_experience_program!.acceptedBytes).toBe(0);
    } finally {
      await local.close();
    }
  });
});

describe('restriction and objection', () => {
  it('restriction stops processing endpoints; objection stops telemetry; both lift', async () => {
    const a = await signUp(c);
    const b = await signUp(c);
    await grant(c, a.token, 'device_experience_program');
    expect((await telemetry('device_experience_program', a.token)).status).toBe(202);

    expect((await c.call('PUT', '/v1/rights', { token: a.token, body: { objected: true } })).body).toEqual({ restricted: false, objected: true });
    const objected = await telemetry('device_experience_program', a.token);
    expect(objected.status).toBe(403);
    expect(objected.body.error.code).toBe('objected');

    await c.call('PUT', '/v1/rights', { token: a.token, body: { objected: false, restricted: true } });
    const restricted = await telemetry('device_experience_program', a.token);
    expect(restricted.body.error.code).toBe('processing_restricted');
    const put = await c.call('PUT', '/v1/settings', { token: a.token, body: { settings: { y: 1 } }, headers: { 'if-match': '*' } });
    expect(put.status).toBe(403);
    const share = await c.call('POST', '/v1/shares', { token: a.token, body: { deviceId: 'sn1', deviceName: 'Door', recipientEmail: b.email } });
    expect(share.status).toBe(403);
    // Rights stay open while restricted: access, correction, export, consent, erasure.
    expect((await c.call('GET', '/v1/settings', { token: a.token })).status).toBe(200);
    expect((await exportOf(c, a.token)).status).toBe(200);
    expect((await c.call('PATCH', '/v1/account', { token: a.token, body: { nickname: 'fixed' } })).status).toBe(200);

    await c.call('PUT', '/v1/rights', { token: a.token, body: { restricted: false } });
    expect((await telemetry('device_experience_program', a.token)).status).toBe(202);
    expect((await c.call('GET', '/v1/rights', { token: a.token })).body).toEqual({ restricted: false, objected: false });
  });
});

/** Every column of every table that holds account data, as it appears in the export. */
const SHARE_CREDENTIAL = 'share-credential-0123456789abcdef';
const EXPORTED_COLUMNS: Record<string, Record<string, string | null>> = {
  accounts: {
    id: 'account.id', email: 'account.email', region: 'account.region', country: 'account.country', nickname: 'account.nickname',
    date_of_birth: 'account.dateOfBirth', password_hash: null, photo: 'account.photo.base64', photo_type: 'account.photo.contentType',
    restricted: 'rights.restricted', objected: 'rights.objected', created_at: 'account.createdAt', updated_at: 'account.updatedAt',
    email_verified_at: 'account.emailVerifiedAt',
    transfer_notice_at: 'account.transferNoticeAt',
    suspended_at: 'account.suspension',
    suspension_reason: 'account.suspension',
    erase_after: 'account.suspension',
    erase_receipt_id: 'account.suspension',
  },
  mail_outbox: {
    id: 'mail.id', account_id: null, kind: 'mail.kind', recipient: 'mail.recipient', subject: 'mail.subject', body: null, created_at: 'mail.createdAt',
    attempts: 'mail.attempts', next_attempt_ms: null, last_error: 'mail.lastError', sent_at: 'mail.sentAt',
  },
  // Codes are keyed hashes, credentials while they last: internal.
  mail_codes: { id: null, account_id: null, purpose: null, code_hash: null, created_at: null, expires_at_ms: null, used_at: null },
  // Exported as regionMoves {id, movedAt, from, to, carried}; this account never moved, so tests/integration/cloud-regions.test.ts checks them.
  region_moves: { id: null, account_id: null, moved_at: null, from_region: null, to_region: null, carried: null },
  sessions: { id: 'sessions.id', client: 'sessions.client', token_hash: null, account_id: null, created_at: 'sessions.createdAt', expires_at_ms: 'sessions.expiresAt', last_used_at: 'sessions.lastUsedAt', revoked_at: 'sessions.revokedAt' },
  settings: { account_id: null, version: 'settings.version', document: 'settings.document', updated_at: 'settings.updatedAt' },
  consents: {
    id: 'consents.id', account_id: null, subject: 'consents.subject', purpose: 'consents.purpose', action: 'consents.action',
    policy_version: 'consents.policyVersion', policy_text_hash: 'consents.policyTextHash', app_version: 'consents.appVersion',
    locale: 'consents.locale', recorded_at: 'consents.recordedAt',
  },
  telemetry_events: { id: 'telemetry.events.id', account_id: null, purpose: 'telemetry.events.purpose', received_at: 'telemetry.events.receivedAt', bytes: 'telemetry.events.bytes', payload: 'telemetry.events.payload' },
  telemetry_counters: {
    account_id: null, purpose: 'telemetry.counters.purpose', received_bytes: 'telemetry.counters.receivedBytes', accepted_bytes: 'telemetry.counters.acceptedBytes',
    accepted_batches: 'telemetry.counters.acceptedBatches', refused_batches: 'telemetry.counters.refusedBatches',
  },
  shares: {
    id: 'sharesGiven.id', owner_id: 'sharesReceived.ownerAccountId', recipient_id: 'sharesGiven.recipientAccountId', device_id: 'sharesGiven.deviceId',
    device_name: 'sharesGiven.deviceName', channels: 'sharesGiven.channels', valid_from: 'sharesGiven.validFrom', valid_until: 'sharesGiven.validUntil',
    created_at: 'sharesGiven.createdAt', revoked_at: 'sharesGiven.revokedAt', rights: 'sharesGiven.rights', history_s: 'sharesGiven.historySeconds',
    station_host: 'sharesGiven.station.host', station_port: 'sharesGiven.station.port', station_fingerprint: 'sharesGiven.station.fingerprint',
    // The recipient's credential for the sharer's station: a secret, delivered to the recipient's station only.
    credential: null,
  },
  login_failures: { id: null, key: null, at_ms: 'loginFailures.recentCount' },
  push_notices: {
    id: 'pushNotices.id', account_id: null, station_id: 'pushNotices.stationId', type: 'pushNotices.type', channel_name: 'pushNotices.channelName',
    occurred_at: 'pushNotices.occurredAt', snapshot: 'pushNotices.snapshotJpegBase64', received_at: 'pushNotices.receivedAt',
  },
  feedback: {
    id: 'feedback.id', account_id: null, text: 'feedback.text', reply_email: 'feedback.replyEmail', received_at: 'feedback.receivedAt', delete_after: 'feedback.deleteAfter',
  },
  feedback_attachments: {
    feedback_id: null, account_id: null, position: null, name: 'feedback.attachments.name', content_type: 'feedback.attachments.contentType',
    bytes: 'feedback.attachments.bytes', sha256: 'feedback.attachments.sha256', data: 'feedback.attachments.base64',
  },
  stored_objects: {
    id: 'cloudStorage.id', account_id: null, name: 'cloudStorage.name', kind: 'cloudStorage.kind', content_type: 'cloudStorage.contentType',
    bytes: 'cloudStorage.bytes', sha256: 'cloudStorage.sha256', data: 'cloudStorage.base64', created_at: 'cloudStorage.createdAt',
  },
  account_log: { id: 'accountLog.id', account_id: null, at: 'accountLog.at', kind: 'accountLog.kind', address: 'accountLog.address', client: 'accountLog.client' },
  hosted_devices: {
    account_id: null, station_id: 'hostedDevices.stationId', station_name: 'hostedDevices.stationName', devices: 'hostedDevices.devices',
    updated_at: 'hostedDevices.updatedAt',
  },
};

function has(doc: unknown, path: string): boolean {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) cur = cur[0];
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return false;
    cur = (cur as Record<string, unknown>)[part];
  }
  return true;
}

describe('data subject rights', () => {
  let a: TestAccount;
  let b: TestAccount;
  beforeAll(async () => {
    a = await signUp(c, { photo: { contentType: 'image/png', data: PNG_1PX.toString('base64') } });
    b = await signUp(c);
    await c.call('PUT', '/v1/settings', { token: a.token, body: { settings: { theme: 'dark' } }, headers: { 'if-match': '"1"' } });
    await grant(c, a.token, 'user_experience_plan');
    await telemetry('user_experience_plan', a.token, [{ screen: 'playback', clicks: 3 }]);
    await c.call('POST', '/v1/shares', {
      token: a.token,
      body: {
        deviceId: 'sn-a', deviceName: 'Gate', recipientEmail: b.email, channels: [1, 2], rights: ['live', 'playback'], historySeconds: 3600,
        station: { host: '192.168.1.20', port: 7447, fingerprint: Array(32).fill('AB').join(':') }, credential: SHARE_CREDENTIAL,
      },
    });
    await c.call('POST', '/v1/shares', { token: b.token, body: { deviceId: 'sn-b', deviceName: 'Yard', recipientEmail: a.email } });
    await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: 'wrong password' } });
    for (const p of ['alarm_push', 'cloud_storage', 'device_hosting']) await grant(c, a.token, p);
    await c.call('POST', '/v1/push', { token: a.token, body: { stationId: 'st', type: 'door', channelName: 'Gate', occurredAt: '2026-06-01T12:00:00.000Z', snapshotJpeg: JPEG_BYTES.toString('base64') } });
    await c.call('POST', '/v1/storage', { token: a.token, body: { name: 'gate.jpg', kind: 'snapshot', contentType: 'image/jpeg', data: JPEG_BYTES.toString('base64') } });
    await c.call('PUT', '/v1/hosting/st', { token: a.token, body: { stationName: 'Office', devices: [{ id: 'd1', name: 'Gate', kind: 'camera', model: 'M', channels: 1 }] } });
    await c.call('POST', '/v1/feedback', { token: a.token, body: { text: 'Gate tile flickers.', replyEmail: null, attachments: [{ name: 'gate.png', contentType: 'image/png', data: PNG_1PX.toString('base64') }] } });
  });

  it('exports everything held, with metadata and a JSON Schema', async () => {
    const r = await exportOf(c, a.token);
    expect(r.status).toBe(200);
    const doc = exportDocumentSchema.parse(r.body);
    expect(doc.metadata).toMatchObject({ formatVersion: 1, region: 'de', regionName: 'Germany', schema: '/v1/export/schema' });
    expect(doc.schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
    const served = await c.call('GET', '/v1/export/schema');
    expect(served.body).toEqual(r.body.schema);
    expect(doc.data.account.email).toBe(a.email);
    expect(Buffer.from(doc.data.account.photo!.base64, 'base64').equals(PNG_1PX)).toBe(true);
    expect(doc.data.settings!.document).toEqual({ theme: 'dark' });
    expect(doc.data.telemetry.events[0]!.payload).toEqual([{ screen: 'playback', clicks: 3 }]);
    expect(doc.data.sharesGiven[0]).toMatchObject({ deviceName: 'Gate', channels: [1, 2], recipientAccountId: b.id, rights: ['live', 'playback'], historySeconds: 3600 });
    expect(JSON.stringify(r.body)).not.toContain(SHARE_CREDENTIAL);
    expect(doc.data.sharesReceived[0]).toMatchObject({ deviceName: 'Yard', ownerAccountId: b.id });
    expect(doc.data.loginFailures.recentCount).toBe(1);
    // The account operation log: the sign-up and this export, each with the address and app.
    expect(doc.data.accountLog.map((e) => e.kind)).toEqual(['export', 'sign_up']);
    expect(doc.data.accountLog[1]).toMatchObject({ address: '127.0.0.1', client: expect.any(String) });
    expect(JSON.stringify(r.body)).not.toContain('scrypt$');
    expect(JSON.stringify(r.body)).not.toContain(b.email);

    // Every column of every table is either exported or named as withheld / internal.
    const raw = new Database(c.dbPath, { readonly: true });
    try {
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
      for (const { name } of tables) {
        if (['schema_migrations', 'service_meta', 'erasure_receipts'].includes(name)) continue;
        const cols = (raw.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((x) => x.name);
        expect(Object.keys(EXPORTED_COLUMNS[name] ?? {}).sort(), `columns of ${name}`).toEqual(cols.sort());
        for (const [col, path] of Object.entries(EXPORTED_COLUMNS[name]!)) if (path) expect(has(doc.data, path), `${name}.${col} -> ${path}`).toBe(true);
      }
    } finally {
      raw.close();
    }
  });

  it('erases the account with a receipt, keeps anonymous consent proof, and leaves no trace of the email', async () => {
    const held = () => [c.dbPath, `${c.dbPath}-wal`].filter(existsSync).some((f) => readFileSync(f).includes(Buffer.from(a.email)));
    expect(held(), 'the grep finds the email before erasure').toBe(true);
    expect((await c.call('DELETE', '/v1/account', { token: a.token, body: { password: 'wrong' } })).status).toBe(403);
    const r = await c.call('DELETE', '/v1/account', { token: a.token, body: { password: PASSWORD } });
    expect(r.status).toBe(200);
    const receipt = r.body.receipt;
    expect(receipt.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(receipt.erasedAt).toMatch(/Z$/);
    expect(receipt.deleted).toMatchObject({ account: 1, profilePhoto: 1, settings: 1, telemetryEvents: 1, sharesGiven: 1, sharesReceived: 1, consentRecordsAnonymised: 4, pushNotices: 1, cloudStorageObjects: 1, hostedDeviceLists: 1, feedback: 1 });
    // Sign-up, export, the refused and the granted erasure request.
    expect(receipt.deleted.accountLog).toBe(4);
    expect(receipt.deleted.sessions).toBeGreaterThanOrEqual(1);
    // One failed login and one wrong password on the erasure attempt.
    expect(receipt.deleted.loginFailures).toBe(2);
    expect(receipt.kept.consentSubject).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(receipt)).not.toContain(a.email);
    expect(JSON.stringify(receipt)).not.toContain(a.id);

    expect((await c.call('GET', '/v1/account', { token: a.token })).status).toBe(401);
    expect((await c.call('POST', '/v1/auth/login', { body: { email: a.email, password: PASSWORD } })).status).toBe(401);
    expect((await c.call('GET', '/v1/shares', { token: b.token })).body.shares).toHaveLength(0);
    expect((await c.call('GET', '/v1/shares/received', { token: b.token })).body.shares).toHaveLength(0);

    const raw = new Database(c.dbPath, { readonly: true });
    try {
      const proof = raw.prepare('SELECT * FROM consents WHERE subject = ?').all(receipt.kept.consentSubject) as Record<string, unknown>[];
      expect(proof).toHaveLength(4);
      expect(proof[0]).toMatchObject({ account_id: null, purpose: 'user_experience_plan', action: 'grant', policy_version: '2026-05' });
      expect(raw.prepare('SELECT deleted FROM erasure_receipts WHERE id = ?').get(receipt.id)).toBeTruthy();
    } finally {
      raw.close();
    }

    // The bytes of the file and its WAL: secure_delete zeroes freed cells, the erasure checkpoints the WAL.
    const needles = [a.email, a.id].map((s) => Buffer.from(s));
    const files = [c.dbPath, `${c.dbPath}-wal`].filter(existsSync);
    for (const f of files) for (const n of needles) expect(readFileSync(f).includes(n), `${n.toString()} in ${f}`).toBe(false);
    await c.cloud.close();
    for (const f of [c.dbPath, `${c.dbPath}-wal`].filter(existsSync)) for (const n of needles) expect(readFileSync(f).includes(n)).toBe(false);
    expect(readFileSync(c.dbPath).includes(Buffer.from(b.email))).toBe(true);
  });
});
