// The station's privacy service against the real cloud service on loopback, through the contract's dispatcher.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../../cloud';
import { type CallName, type PrivacyState } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { privacyStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';
import { apiFor, exportOf } from './cloud-helpers';

const session = new ClientSession('privacy-test');
const scope = fileScope();
const temp = (p: string) => scope.tempDir(p);
const PASSWORD = 'correct horse battery';

const call = <K extends CallName>(st: Station, name: K, input: unknown = {}) => stationCall(st, session, name, input);

interface TestStation { st: Station; dataDir: string }
async function station(cloudUrl: string, dataDir = temp('wp-priv-st-')): Promise<TestStation> {
  return { st: await privacyStation(scope, cloudUrl, dataDir), dataDir };
}
let n = 0;
const email = () => `privacy${++n}.${process.pid}@example.test`;
const signUp = (st: Station, over: Record<string, unknown> = {}) =>
  call(st, 'privacy.signUp', { email: email(), password: PASSWORD, nickname: 'Ada', country: 'DE', dateOfBirth: '1990-05-17', ...over });
const purpose = (s: PrivacyState, p: string) => s.purposes.find((x) => x.purpose === p)!;

const cloudApi = (url: string, method: string, path: string, token?: string, body?: unknown) => apiFor(url).call(method, path, { token, body });
const login = async (url: string, em: string) => (await cloudApi(url, 'POST', '/v1/auth/login', undefined, { email: em, password: PASSWORD })).body.token as string;

let cloud: CloudHandle;
beforeAll(async () => {
  ({ cloud } = await startCloudInTempDir(scope, 'wp-priv-cloud-', { region: 'de', throttle: { signupsPerClient: 1000 } }));
});

describe('station privacy service with the cloud on loopback', () => {
  it('sends nothing at all until asked: no cloud request from a fresh station', async () => {
    const { st } = await station(cloud.url);
    await call(st, 'channels.list');
    await call(st, 'privacy.syncNow');
    expect((await call(st, 'privacy.ledger', {})).total).toBe(0);
    const s = await call(st, 'privacy.state');
    expect(s.sync.state).toBe('signed_out');
    expect(s.purposes.every((p) => !p.granted && !p.active)).toBe(true);
  });

  it('refuses an under-16 sign-up with a clear message, before anything is sent', async () => {
    const { st } = await station(cloud.url);
    const dob = new Date(Date.now() - 15 * 365.25 * 86400_000).toISOString().slice(0, 10);
    await expect(signUp(st, { dateOfBirth: dob })).rejects.toThrow('Watchpost accounts are for people aged 16 or over; nothing was sent.');
    expect((await call(st, 'privacy.ledger', {})).total).toBe(0);
  });

  it('signs up: region shown, token only in the secret store, every request in the ledger with purpose and consent', async () => {
    const { st, dataDir } = await station(cloud.url);
    const s = await signUp(st);
    expect(s.account).toMatchObject({ nickname: 'Ada', region: 'de', regionName: 'Germany' });
    expect(s.cloud).toMatchObject({ region: 'de', regionName: 'Germany', reachable: true });
    expect(s.sync.state).toBe('synced');
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'));
    // The cloud token, and the station's own key that seals the operation log's head (no account data).
    expect(Object.keys(secrets).sort()).toEqual(['oplog.headKey', 'privacy.cloud-token']);
    const token = await nodeSecretStore(dataDir).get('privacy.cloud-token');
    expect(token).toMatch(/^wps_/);
    for (const f of ['station.db', 'station.db-wal']) expect(readFileSync(join(dataDir, f)).includes(token!)).toBe(false);
    const ledger = await call(st, 'privacy.ledger', {});
    const signUpRow = ledger.rows.find((r) => r.endpoint === '/v1/accounts')!;
    expect(signUpRow).toMatchObject({ method: 'POST', purpose: 'account', status: 201, outcome: 'sent', consent: 'your request: sign-up' });
    expect(signUpRow.bytesOut).toBeGreaterThan(50);
    expect(ledger.rows.every((r) => r.consent.length > 0 && r.purpose)).toBe(true);
  });

  it('asks for the account password again before an export or a grant; a wrong one sends and writes nothing', async () => {
    const { st } = await station(cloud.url);
    await signUp(st);
    await expect(call(st, 'privacy.export', {})).rejects.toThrow('Type your account password again first; nothing was sent.');
    await expect(call(st, 'privacy.export', { password: 'not my password' })).rejects.toThrow(/^Wrong password; 4 tries left/);
    await expect(call(st, 'privacy.setConsent', { purpose: 'alarm_push', granted: true })).rejects.toThrow('Type your account password again first; nothing was sent.');
    expect(purpose(await call(st, 'privacy.state'), 'alarm_push').granted).toBe(false);
    const out = await call(st, 'privacy.export', { password: PASSWORD });
    expect(JSON.parse(out.json).cloud.metadata.service).toBe('watchpost-cloud');
    expect(JSON.parse(out.json).cloudError).toBeNull();
    // The password went to the cloud only in the confirmation's body: not in the export, the ledger's words or the station's files.
    expect(out.json.includes(PASSWORD)).toBe(false);
  });

  it('grants and withdraws: the cloud ledger matches; telemetry flows only while granted', async () => {
    const { st } = await station(cloud.url);
    const em = email();
    await signUp(st, { email: em });
    let s = await call(st, 'privacy.setConsent', { purpose: 'user_experience_plan', granted: true, locale: 'de-DE', password: PASSWORD });
    expect(purpose(s, 'user_experience_plan')).toMatchObject({ granted: true });
    s = await call(st, 'privacy.syncNow');
    expect(purpose(s, 'user_experience_plan')).toMatchObject({ granted: true, pending: false, active: true });
    for (let i = 0; i < 5; i++) await call(st, 'channels.list');
    await call(st, 'privacy.syncNow');
    const sent = (await cloud.telemetryTotals()).byPurpose.user_experience_plan!.receivedBytes;
    expect(sent).toBeGreaterThan(0);
    const token = await login(cloud.url, em);
    const exp = await exportOf(apiFor(cloud.url), token);
    const usage = exp.body.data.telemetry.events[0].payload[0];
    expect(usage.kind).toBe('feature_usage');
    expect(usage.features.find((x: any) => x.call === 'channels.list').count).toBe(5);

    await call(st, 'privacy.setConsent', { purpose: 'user_experience_plan', granted: false, locale: 'de-DE' });
    for (let i = 0; i < 5; i++) await call(st, 'channels.list');
    await call(st, 'privacy.syncNow');
    expect((await cloud.telemetryTotals()).byPurpose.user_experience_plan!.receivedBytes).toBe(sent);

    const cloudLedger = (await cloudApi(cloud.url, 'GET', '/v1/consents', token)).body;
    expect(cloudLedger.records.map((r: any) => `${r.purpose}:${r.action}`)).toEqual(['user_experience_plan:grant', 'user_experience_plan:withdraw']);
    expect(cloudLedger.records[0]).toMatchObject({ policyVersion: '2026-05', appVersion: '0.1.0', locale: 'de-DE' });
    const local = await call(st, 'privacy.consents');
    expect(local.map((r) => [r.action, r.cloudId])).toEqual(cloudLedger.records.map((r: any) => [r.action, r.id]));
  });

  it('with every purpose off, a busy station sends zero telemetry bytes', async () => {
    const before = await cloud.telemetryTotals();
    const { st } = await station(cloud.url);
    await signUp(st);
    await call(st, 'channels.addRtsp', { name: 'Door', mainUrl: 'rtsp://127.0.0.1:9/door' });
    await call(st, 'settings.get');
    await call(st, 'station.status');
    await call(st, 'privacy.syncNow');
    const after = await cloud.telemetryTotals();
    expect(after).toEqual(before);
    expect((await call(st, 'privacy.ledger', {})).rows.filter((r) => r.purpose.includes('experience'))).toEqual([]);
  });

  it('another account cannot read the first one’s settings, and a log-in elsewhere starts from the account’s own choices', async () => {
    const { st } = await station(cloud.url);
    const first = email();
    await signUp(st, { email: first });
    await call(st, 'privacy.setConsent', { purpose: 'alarm_push', granted: true, password: PASSWORD });
    await call(st, 'privacy.syncNow');
    await call(st, 'privacy.logOut');
    const s = await signUp(st);
    expect(purpose(s, 'alarm_push').granted).toBe(false);
    expect(await call(st, 'privacy.consents')).toEqual([]);
    // The second account's token sees its own document only.
    const other = (await cloudApi(cloud.url, 'POST', '/v1/accounts', undefined, { email: email(), region: 'de', country: 'DE', nickname: 'Eve', password: PASSWORD, dateOfBirth: '1990-01-01' })).body.token;
    const theirs = await cloudApi(cloud.url, 'GET', '/v1/settings', other);
    expect(theirs.body.settings).toEqual({});
    const mine = await cloudApi(cloud.url, 'GET', '/v1/settings', await login(cloud.url, first));
    expect(mine.body.settings.fields['consent.alarm_push'].value.granted).toBe(true);
  });

  it('merges two stations’ offline edits per field by clock', async () => {
    const a = await station(cloud.url);
    const em = email();
    await signUp(a.st, { email: em });
    const b = await station(cloud.url);
    await call(b.st, 'privacy.logIn', { email: em, password: PASSWORD });
    await call(a.st, 'privacy.setConsent', { purpose: 'cloud_storage', granted: true, password: PASSWORD });
    await call(b.st, 'privacy.setConsent', { purpose: 'device_hosting', granted: true, password: PASSWORD });
    await call(a.st, 'privacy.syncNow');
    await call(b.st, 'privacy.syncNow');
    const sa = await call(a.st, 'privacy.syncNow');
    const sb = await call(b.st, 'privacy.state');
    for (const s of [sa, sb]) {
      expect(purpose(s, 'cloud_storage').granted).toBe(true);
      expect(purpose(s, 'device_hosting').granted).toBe(true);
    }
    // The later change of the same field wins on both.
    await call(b.st, 'privacy.setConsent', { purpose: 'cloud_storage', granted: false });
    await call(b.st, 'privacy.syncNow');
    expect(purpose(await call(a.st, 'privacy.syncNow'), 'cloud_storage').granted).toBe(false);
    // B's records reach A's history through the cloud's ledger.
    expect((await call(a.st, 'privacy.consents')).filter((c) => c.origin === 'cloud').length).toBeGreaterThan(0);
  });

  it('exports local and cloud data to a file: every table and column held', async () => {
    const { st, dataDir } = await station(cloud.url);
    await signUp(st);
    await call(st, 'privacy.setConsent', { purpose: 'device_experience_program', granted: true, password: PASSWORD });
    await call(st, 'privacy.syncNow');
    await call(st, 'bookmarks.add', { channelIds: [7], from: 1_000, to: 2_000, name: 'Ada at the door', note: 'parcel', tags: ['visitor'] });
    const out = await call(st, 'privacy.export', { password: PASSWORD });
    expect(out.path.startsWith(join(dataDir, 'exports'))).toBe(true);
    expect(statSync(out.path).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(out.path, 'utf8'));
    expect(doc.cloud.data.account.nickname).toBe('Ada');
    // Bookmarks someone wrote are listed as written; their full-text index is not data.
    expect(doc.bookmarks).toMatchObject([{ name: 'Ada at the door', note: 'parcel', tags: ['visitor'], channelIds: [7] }]);
    expect(Object.keys(doc.local.tables)).toContain('rec_bookmark');
    expect(Object.keys(doc.local.tables).filter((n) => n.startsWith('rec_bookmark_text'))).toEqual([]);
    expect(doc.cloud.data.consents).toHaveLength(1);
    // The Device Experience Program went out with the sync after its grant: station facts, no names or addresses.
    const facts = doc.cloud.data.telemetry.events.flatMap((e: any) => e.payload).find((p: any) => p.kind === 'station_facts');
    expect(facts).toMatchObject({ appVersion: '0.1.0', cameras: 0, streams: [] });
    expect(doc.cloud.data.telemetry.events.every((e: any) => e.purpose === 'device_experience_program')).toBe(true);
    expect(doc.local.tables.privacy_account[0].nickname).toBe('Ada');
    expect(doc.local.metadata.withheld.map((w: any) => w.field).sort()).toEqual(['secrets.oplog.headKey', 'secrets.privacy.cloud-token']);
    expect(out.json.includes('wps_')).toBe(false);
  });
});

describe('offline first and policy changes (cloud stopped and restarted on the same port and database)', () => {
  it('saves edits at once, queues them while the cloud is down and syncs them when it is back; a new policy asks again', async () => {
    const dir = temp('wp-priv-cloud2-');
    const dbPath = join(dir, 'cloud.db');
    let c = scope.add(await startCloud({ region: 'de', db: { kind: 'sqlite', path: dbPath }, port: 0, policyVersion: '2026-05' }));
    const port = Number(new URL(c.url).port);
    const { st } = await station(c.url);
    const em = email();
    await signUp(st, { email: em });
    await call(st, 'privacy.setConsent', { purpose: 'user_experience_plan', granted: true, password: PASSWORD });
    await call(st, 'privacy.setConsent', { purpose: 'alarm_push', granted: true, password: PASSWORD });
    await call(st, 'privacy.syncNow');
    await c.close();

    let s = await call(st, 'privacy.updateProfile', { nickname: 'Offline Ada' });
    expect(s.account!.nickname).toBe('Offline Ada');
    // A grant needs the cloud to check the password typed again: refused while it is away, and nothing saved.
    await expect(call(st, 'privacy.setConsent', { purpose: 'cloud_storage', granted: true, password: PASSWORD })).rejects.toThrow(/did not answer/);
    expect(purpose(await call(st, 'privacy.state'), 'cloud_storage').granted).toBe(false);
    // A withdrawal sends nothing: saved at once, queued for the cloud.
    await call(st, 'privacy.setConsent', { purpose: 'alarm_push', granted: false });
    s = await call(st, 'privacy.syncNow');
    expect(s.sync.state).toBe('offline');
    expect(s.sync.pending).toBeGreaterThanOrEqual(3);
    expect(s.pendingProfile).toEqual({ nickname: 'Offline Ada' });
    expect((await call(st, 'privacy.ledger', { text: 'unreachable' })).matching).toBeGreaterThan(0);

    c = scope.add(await startCloud({ region: 'de', db: { kind: 'sqlite', path: dbPath }, port, policyVersion: '2026-09' }));
    // No call from the test: the outbox's own retry delivers.
    await expect.poll(async () => (await call(st, 'privacy.state')).sync.state, { timeout: 10_000, interval: 200 }).toBe('synced');
    const token = await login(c.url, em);
    expect((await cloudApi(c.url, 'GET', '/v1/account', token)).body.account.nickname).toBe('Offline Ada');
    const consents = (await cloudApi(c.url, 'GET', '/v1/consents', token)).body;
    expect(consents.current.alarm_push.action).toBe('withdraw');
    expect(consents.current.cloud_storage).toBeNull();

    // The cloud announced policy 2026-09: the earlier grant is asked again and nothing of it is sent meanwhile.
    s = await call(st, 'privacy.state');
    expect(s.policy).toMatchObject({ version: '2026-09', changed: true });
    expect(purpose(s, 'user_experience_plan')).toMatchObject({ granted: true, needsReconsent: true, active: false });
    const before = (await c.telemetryTotals()).byPurpose.user_experience_plan!.receivedBytes;
    for (let i = 0; i < 3; i++) await call(st, 'station.status');
    await call(st, 'privacy.syncNow');
    expect((await c.telemetryTotals()).byPurpose.user_experience_plan!.receivedBytes).toBe(before);
    s = await call(st, 'privacy.setConsent', { purpose: 'user_experience_plan', granted: true, password: PASSWORD });
    s = await call(st, 'privacy.syncNow');
    expect(purpose(s, 'user_experience_plan')).toMatchObject({ needsReconsent: false, active: true, policyVersion: '2026-09' });
    await call(st, 'station.status');
    await call(st, 'privacy.syncNow');
    expect((await c.telemetryTotals()).byPurpose.user_experience_plan!.acceptedBytes).toBeGreaterThan(0);
    await c.close();
  });
});

describe('erasure', () => {
  it('deletes the account in the cloud and every trace of the email here, with the recordings choice and a receipt', async () => {
    const dir = temp('wp-priv-cloud3-');
    const dbPath = join(dir, 'cloud.db');
    const c = scope.add(await startCloud({ region: 'de', db: { kind: 'sqlite', path: dbPath }, port: 0 }));
    const { st, dataDir } = await station(c.url);
    const em = email();
    await signUp(st, { email: em });
    await call(st, 'privacy.setConsent', { purpose: 'user_experience_plan', granted: true, password: PASSWORD });
    await call(st, 'privacy.updateProfile', { nickname: 'Before erasure' });
    await call(st, 'privacy.syncNow');
    await call(st, 'privacy.export', { password: PASSWORD });
    const rec = join(dataDir, 'recordings', '2026');
    mkdirSync(rec, { recursive: true });
    writeFileSync(join(rec, 'a.mp4'), 'x');
    await expect(call(st, 'privacy.erase', { password: 'wrong password!', recordings: 'delete' })).rejects.toThrow('Wrong password; nothing was deleted.');
    const receipt = await call(st, 'privacy.erase', { password: PASSWORD, recordings: 'keep' });
    expect(receipt.local).toMatchObject({ account: true, recordings: 'kept', exportFiles: 1, token: true });
    expect(receipt.cloud).toMatchObject({ deleted: { account: 1 } });
    expect(existsSync(join(rec, 'a.mp4'))).toBe(true);
    expect((await call(st, 'privacy.state')).account).toBeNull();

    const files = (d: string): string[] => readdirSync(d).flatMap((x) => (statSync(join(d, x)).isDirectory() ? files(join(d, x)) : [join(d, x)]));
    await st.dispose();
    const needle = Buffer.from(em);
    for (const f of files(dataDir)) expect(readFileSync(f).includes(needle), f).toBe(false);
    await c.close();
    for (const f of files(dir)) expect(readFileSync(f).includes(needle), f).toBe(false);
  });
});
