// Two regions' instances of one deployment (SQLite, a database each): the regions directory, sign-up in each with the
// transfer notice, and moving an account from one to the other — its data in the new, gone from the old, a receipt —
// with every failed move leaving the account where it was.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, consentBody, exportOf, grant, signUp, startTestCloud, type TestAccount, type TestCloud } from './cloud-helpers';

const PEER_KEY = 'regions-test-peer-key-0123456789';
let de: TestCloud;
let us: TestCloud;

beforeAll(async () => {
  de = await startTestCloud({ region: 'de', peerKey: PEER_KEY });
  us = await startTestCloud({ region: 'us', peerKey: PEER_KEY });
  // Each learns the other's URL once both listen; sg points at a port nothing answers on (a region that is down).
  de.cloud.setDirectory({ us: us.url, sg: 'http://127.0.0.1:9' });
  us.cloud.setDirectory({ de: de.url });
});
afterAll(async () => {
  await de?.close();
  await us?.close();
});

const rowsOf = (c: TestCloud, sql: string, ...args: unknown[]) => {
  const db = new Database(c.dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

describe('regions of one deployment', () => {
  it('lists the regions the deployment serves, each with its instance', async () => {
    const r = await de.call('GET', '/v1/regions');
    expect(r.status).toBe(200);
    expect(r.body.regions).toEqual([
      { id: 'us', name: 'United States', url: us.url, current: false },
      { id: 'de', name: 'Germany', url: de.url, current: true },
      { id: 'sg', name: 'Singapore', url: 'http://127.0.0.1:9', current: false },
    ]);
    expect((await us.call('GET', '/v1/regions')).body.regions.map((x: { id: string; current: boolean }) => [x.id, x.current])).toEqual([['us', true], ['de', false]]);
  });

  it('signs up in each region; another country\'s region needs the transfer notice acknowledged, and keeps when it was', async () => {
    const inDe = await signUp(de, { country: 'FR' });
    const inUs = await signUp(us, { region: 'us', country: 'US' });
    expect(rowsOf(de, 'SELECT id FROM accounts').map((r) => r.id)).toEqual([inDe.id]);
    expect(rowsOf(us, 'SELECT id FROM accounts').map((r) => r.id)).toEqual([inUs.id]);
    const refused = await us.call('POST', '/v1/accounts', { body: { email: 'kai@example.test', region: 'us', country: 'DE', nickname: 'Kai', password: PASSWORD, dateOfBirth: '1990-01-01' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_input', field: 'transferNoticeAcknowledged' });
    expect(rowsOf(us, 'SELECT id FROM accounts WHERE email = ?', 'kai@example.test')).toHaveLength(0);
    const ok = await us.call('POST', '/v1/accounts', {
      body: { email: 'kai@example.test', region: 'us', country: 'DE', nickname: 'Kai', password: PASSWORD, dateOfBirth: '1990-01-01', transferNoticeAcknowledged: true },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.account.transferNoticeAt).toBe(new Date(us.clock.now).toISOString());
  });

  describe('moving an account', () => {
    let ada: TestAccount;
    let friend: TestAccount;
    beforeAll(async () => {
      ada = await signUp(de, { nickname: 'Ada', country: 'DE' });
      // A friend with an account in both regions (the same email), and one only in the old region.
      friend = await signUp(de, { nickname: 'Friend' });
      await signUp(us, { email: friend.email, region: 'us', country: 'US', nickname: 'Friend in US' });
      const local = await signUp(de, { nickname: 'Local' });
      const t = ada.token;
      await grant(de, t, 'user_experience_plan');
      de.clock.now += 60_000;
      await de.call('POST', '/v1/consents', { token: t, body: consentBody('user_experience_plan', 'withdraw') });
      await de.call('PUT', '/v1/settings', { token: t, body: { settings: { theme: 'dark', layout: 4 } }, headers: { 'if-match': '*' } });
      await de.call('POST', '/v1/feedback', { token: t, body: { text: 'The timeline is great.', replyEmail: null, attachments: [] } });
      await de.call('POST', '/v1/shares', { token: t, body: { deviceId: 'D1', deviceName: 'Gate', recipientEmail: friend.email, channels: [1] } });
      await de.call('POST', '/v1/shares', { token: t, body: { deviceId: 'D2', deviceName: 'Yard', recipientEmail: local.email } });
    });

    it('refuses a region the deployment does not serve, by the field, and changes nothing', async () => {
      const r = await de.call('POST', '/v1/account/move', { token: ada.token, body: { region: 'my', password: PASSWORD, transferNoticeAcknowledged: true } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_input', field: 'region' });
      expect(r.body.error.message).toContain('does not serve region my');
      const typo = await de.call('POST', '/v1/account/move', { token: ada.token, body: { region: 'xx', password: PASSWORD } });
      expect(typo.body.error).toMatchObject({ code: 'invalid_input', field: 'region' });
    });

    it('leaves the account where it was when the new region is down, the password is wrong or the notice unread', async () => {
      const down = await de.call('POST', '/v1/account/move', { token: ada.token, body: { region: 'sg', password: PASSWORD, transferNoticeAcknowledged: true } });
      expect(down.status).toBe(502);
      expect(down.body.error.code).toBe('region_unavailable');
      expect((await de.call('POST', '/v1/account/move', { token: ada.token, body: { region: 'us', password: 'not the password' } })).body.error.code).toBe('wrong_password');
      expect((await de.call('POST', '/v1/account/move', { token: ada.token, body: { region: 'us', password: PASSWORD } })).body.error)
        .toMatchObject({ code: 'invalid_input', field: 'transferNoticeAcknowledged' });
      expect((await de.call('GET', '/v1/account', { token: ada.token })).status).toBe(200);
      expect(rowsOf(us, 'SELECT id FROM accounts WHERE id = ?', ada.id)).toHaveLength(0);
      // Only the deployment's instances may hand an account over.
      expect((await us.call('POST', '/v1/transfers', { body: {}, headers: { 'x-watchpost-peer-key': 'guess' } })).status).toBe(403);
    });

    it('moves it with its data into the new region, erases it in the old, and gives a receipt', async () => {
      const before = (await de.call('GET', '/v1/consents', { token: ada.token })).body.records;
      us.clock.now = de.clock.now;
      const r = await de.call('POST', '/v1/account/move', { token: ada.token, body: { region: 'us', password: PASSWORD, transferNoticeAcknowledged: true, client: 'test station' } });
      expect(r.status).toBe(200);
      const { receipt, signedIn } = r.body;
      expect(receipt).toMatchObject({
        accountId: ada.id, from: 'de', to: 'us', movedAt: new Date(de.clock.now).toISOString(),
        carried: { consentRecords: 2, settings: 1, feedback: 1, sharesGiven: 1, sharesReceived: 0 },
        notCarried: { sharesGiven: 1, sharesReceived: 0, sessions: 1 },
      });
      expect(receipt.id).toMatch(/^[0-9a-f-]{36}$/);

      // The new region: the same account, its consents with their history and times, settings, feedback, the share to the friend there.
      const t = signedIn.token;
      expect((await us.call('GET', '/v1/account', { token: t })).body.account).toMatchObject({ id: ada.id, region: 'us', nickname: 'Ada' });
      const after = (await us.call('GET', '/v1/consents', { token: t })).body.records;
      expect(after.map((x: { action: string; recordedAt: string }) => [x.action, x.recordedAt])).toEqual(before.map((x: { action: string; recordedAt: string }) => [x.action, x.recordedAt]));
      expect((await us.call('GET', '/v1/settings', { token: t })).body.settings).toEqual({ theme: 'dark', layout: 4 });
      expect((await us.call('GET', '/v1/feedback', { token: t })).body.feedback[0]).toMatchObject({ text: 'The timeline is great.' });
      expect((await us.call('GET', '/v1/shares', { token: t })).body.shares).toMatchObject([{ deviceName: 'Gate', recipientNickname: 'Friend in US', channels: [1] }]);
      const exported = (await exportOf(us, t)).body.data;
      expect(exported.regionMoves).toEqual([{ id: receipt.id, movedAt: receipt.movedAt, from: 'de', to: 'us', carried: receipt.carried }]);
      expect(exported.account.transferNoticeAt).toBe(receipt.movedAt);
      // The same password signs in there.
      expect((await us.call('POST', '/v1/auth/login', { body: { email: ada.email, password: PASSWORD } })).status).toBe(200);

      // The old region: gone (its token, its log-in, its rows), the consent proof kept without the account, an erasure receipt.
      expect((await de.call('GET', '/v1/account', { token: ada.token })).status).toBe(401);
      expect((await de.call('POST', '/v1/auth/login', { body: { email: ada.email, password: PASSWORD } })).status).toBe(401);
      expect(rowsOf(de, 'SELECT id FROM accounts WHERE id = ? OR email = ?', ada.id, ada.email)).toHaveLength(0);
      expect(rowsOf(de, 'SELECT id FROM feedback WHERE account_id = ?', ada.id)).toHaveLength(0);
      expect(rowsOf(de, 'SELECT id FROM shares WHERE owner_id = ?', ada.id)).toHaveLength(0);
      expect(rowsOf(de, 'SELECT id FROM erasure_receipts WHERE id = ?', receipt.id)).toHaveLength(1);
    });

    it('finishes a move whose old region could not erase the account at first: the account stays whole until then', async () => {
      const eve = await signUp(de, { nickname: 'Eve' });
      await grant(de, eve.token, 'alarm_push');
      // The old region's database refuses the erasure once (as a full disk or a lock would).
      const raw = new Database(de.dbPath);
      raw.exec("CREATE TRIGGER test_refuse_erasure BEFORE DELETE ON accounts BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
      try {
        const first = await de.call('POST', '/v1/account/move', { token: eve.token, body: { region: 'us', password: PASSWORD, transferNoticeAcknowledged: true } });
        expect(first.status).toBe(500);
        expect(first.body.error).toMatchObject({ code: 'move_unfinished', field: 'region' });
        expect((await de.call('GET', '/v1/consents', { token: eve.token })).body.records).toHaveLength(1);
      } finally {
        raw.exec('DROP TRIGGER test_refuse_erasure');
        raw.close();
      }
      const again = await de.call('POST', '/v1/account/move', { token: eve.token, body: { region: 'us', password: PASSWORD, transferNoticeAcknowledged: true } });
      expect(again.status).toBe(200);
      expect(again.body.receipt.carried).toMatchObject({ consentRecords: 1 });
      expect(rowsOf(us, 'SELECT id FROM accounts WHERE id = ?', eve.id)).toHaveLength(1);
      expect(rowsOf(us, 'SELECT id FROM consents WHERE account_id = ?', eve.id)).toHaveLength(1);
      expect(rowsOf(de, 'SELECT id FROM accounts WHERE id = ?', eve.id)).toHaveLength(0);
    });

    it('refuses to move onto an email the new region already has, leaving the account where it was', async () => {
      const r = await de.call('POST', '/v1/account/move', { token: friend.token, body: { region: 'us', password: PASSWORD, transferNoticeAcknowledged: true } });
      expect(r.status).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'email_taken', field: 'region' });
      expect((await de.call('GET', '/v1/account', { token: friend.token })).status).toBe(200);
    });
  });
});
