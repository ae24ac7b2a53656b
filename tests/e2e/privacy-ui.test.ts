// The Privacy page in Chromium against the real station CLI and the real cloud service, both on loopback.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../../cloud';
import { PRIVACY_PURPOSES } from '../../electron/contract';
import { CLOUD_RETENTION_DAYS, RETENTION_TABLE, STATION_RETENTION_DAYS } from '../../electron/contract/retention';
import { fillAndSubmit, launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { confirmPassword, confirmPasswordRefused, grantFromPage } from '../helpers/privacy-ui';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { cookieCall } from '../helpers/ws-client';
import { apiFor } from '../integration/cloud-helpers';

const SHOTS = join(ROOT, 'test-results');
const PASSWORD = 'correct horse battery';
const EMAIL = `ada.${process.pid}@privacy.example.test`;
const scope = fileScope();
let cloudDir: string, cloudDb: string, cloud: CloudHandle, cloudPort: number;
let station: StationProcess, browser: Browser, page: Page, consoleGuard: ConsoleGuard;

const cloudCall = (method: string, path: string, token?: string, body?: unknown) => apiFor(cloud.url).call(method, path, { token, body });
const cloudToken = async (email = EMAIL) => (await cloudCall('POST', '/v1/auth/login', undefined, { email, password: PASSWORD })).body.token as string;

/** Calls the station over its WebSocket like a second renderer would, to use features the UI has no page for yet. */
const stationCall = (name: string, input: unknown) => cookieCall(station, name, input);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ cloud, dir: cloudDir, dbPath: cloudDb } = await startCloudInTempDir(scope, 'wp-e2e-cloud-', { region: 'de', policyVersion: '2026-05', throttle: { signupsPerClient: 1000 } }));
  cloudPort = Number(new URL(cloud.url).port);
  [station, browser] = await scope.all([startStation({ args: ['--cloud-url', cloud.url] }), launchChromium()]);
  ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/privacy`, { viewport: { width: 1440, height: 1000 }, acceptDownloads: true }));
});

// Generous waits: this runs beside other suites on two cores.
const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });
const status = (p: string) => page.locator(`[data-testid=status-${p}]`);
const syncState = () => page.locator('[data-testid=sync-state]').getAttribute('data-state');

describe('Privacy page in Chromium, station and cloud on loopback', () => {
  it('shows where data would live, with every purpose off and locked until an account exists', async () => {
    await poll(() => page.locator('[data-testid=data-location]').textContent()).toContain('Accounts on this service keep their data in Germany');
    for (const p of PRIVACY_PURPOSES) {
      expect(await page.getAttribute(`[data-testid=switch-${p}]`, 'aria-checked')).toBe('false');
      expect(await page.isDisabled(`[data-testid=switch-${p}]`)).toBe(true);
    }
    // The only request so far: the one that opening the page asked for.
    const rows = page.locator('[data-testid=ledger] tbody tr');
    await poll(() => rows.first().textContent()).toContain('GET /v1/health');
    expect(await rows.first().textContent()).toContain('your request: opened the Privacy page');
    await page.screenshot({ path: join(SHOTS, 'privacy-signed-out.png'), fullPage: true });
  });

  it('states how long each kind of personal data is kept, the same numbers the pruning passes enforce', async () => {
    const table = page.locator('[data-testid=retention-table]');
    expect(await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')))).toEqual(RETENTION_TABLE.map((r) => r.kind));
    expect(await table.locator('tr[data-kind=telemetryEvents]').textContent()).toContain(`${CLOUD_RETENTION_DAYS.telemetryEvents} days after they arrive`);
    expect(await table.locator('tr[data-kind=pushNotices]').textContent()).toContain(`${CLOUD_RETENTION_DAYS.pushNotices} days`);
    expect(await table.locator('tr[data-kind=consentRecords]').textContent()).toContain(`${CLOUD_RETENTION_DAYS.erasedConsentRecords} days (3 years)`);
    expect(await table.locator('tr[data-kind=transmissionLedger]').textContent()).toContain(`${STATION_RETENTION_DAYS.transmissionLedger} days`);
    expect(await table.locator('tr[data-kind=loginFailures]').textContent()).toContain('15 minutes');
    await table.screenshot({ path: join(SHOTS, 'privacy-retention.png') });
  });

  it('refuses an under-16 sign-up with a clear message and sends nothing', async () => {
    await page.click('[data-testid=tab-signup]');
    const dob = new Date(Date.now() - 12 * 365.25 * 86400_000).toISOString().slice(0, 10);
    await fillAndSubmit(page, 'form[aria-label="Create account"]', { email: `child.${process.pid}@privacy.example.test`, password: PASSWORD, nickname: 'Kid', country: 'DE', dateOfBirth: dob });
    await poll(() => page.locator('[data-section=account] [role=alert]').textContent())
      .toBe('Watchpost accounts are for people aged 16 or over; nothing was sent.');
    expect(await page.locator('[data-testid=ledger]').textContent()).not.toContain('/v1/accounts');
  });

  it('signs up; the account, its region and the sync state show', async () => {
    await fillAndSubmit(page, 'form[aria-label="Create account"]', { email: EMAIL, dateOfBirth: '1990-05-17', nickname: 'Ada' });
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    await poll(syncState).toBe('synced');
    expect(await page.locator('[data-testid=data-location]').textContent()).toContain('Germany');
    await poll(() => page.locator('[data-testid=ledger]').textContent()).toContain('POST /v1/accounts');
  });

  it('with every purpose off, a station run through its features sends the cloud zero telemetry bytes', async () => {
    for (const v of ['live', 'playback', 'devices', 'events', 'settings', 'status', 'privacy']) {
      await page.click(`nav [data-view=${v}]`);
      await page.waitForTimeout(150);
    }
    expect((await stationCall('channels.addRtsp', { name: 'Door', mainUrl: 'rtsp://127.0.0.1:9/door', subUrl: null })).ok).toBe(true);
    await stationCall('channels.rename', { id: 1, name: 'Front door' });
    await stationCall('channels.list', {});
    await stationCall('streams.status', {});
    await stationCall('channels.remove', { id: 1 });
    await page.click('text=Sync now');
    await poll(syncState).toBe('synced');
    const totals = await cloud.telemetryTotals();
    expect(totals.unauthenticatedBytes).toBe(0);
    for (const v of Object.values(totals.byPurpose)) expect(v.receivedBytes).toBe(0);
    for (const purpose of ['user_experience_plan', 'device_experience_program']) expect((await stationCall('privacy.ledger', { purpose })).value.matching).toBe(0);
  });

  it('grants and withdraws each purpose with one click (or a key), the same ledger on both sides', async () => {
    for (const p of PRIVACY_PURPOSES) {
      if (p === 'alarm_push') {
        await page.focus(`[data-testid=switch-${p}]`);
        await page.keyboard.press('Space');
      } else {
        await page.click(`[data-testid=switch-${p}]`);
      }
      // A grant lets data leave: the account password is typed again first.
      await confirmPassword(page, PASSWORD);
      await poll(() => status(p).textContent()).toMatch(/^On since/);
      // What turning it off would stop is said before the one click that does it.
      expect(await page.textContent(`[data-testid=when-off-${p}]`)).toMatch(/^If you turn it off: .+ (at once|stops working)/);
      if (p === 'user_experience_plan') {
        // Granted and recorded: usage is collected and goes out with the next sync.
        await page.click('nav [data-view=status]');
        await page.click('nav [data-view=privacy]');
        await page.click('text=Sync now');
        await poll(async () => (await cloud.telemetryTotals()).byPurpose.user_experience_plan!.acceptedBytes).toBeGreaterThan(0);
      }
      await page.click(`[data-testid=switch-${p}]`);
      await poll(() => status(p).textContent()).toBe('Off — nothing is sent');
      expect(await page.locator(`[data-testid=when-off-${p}]`).count()).toBe(0);
    }
    await poll(syncState).toBe('synced');
    const sentWhileGranted = (await cloud.telemetryTotals()).byPurpose.user_experience_plan!.receivedBytes;
    await page.click('text=Sync now');
    expect((await cloud.telemetryTotals()).byPurpose.user_experience_plan!.receivedBytes).toBe(sentWhileGranted);

    const expected = PRIVACY_PURPOSES.flatMap((p) => [`${p}:grant`, `${p}:withdraw`]);
    const cloudLedger = (await cloudCall('GET', '/v1/consents', await cloudToken())).body.records.map((r: any) => `${r.purpose}:${r.action}`);
    expect(cloudLedger).toEqual(expected);
    const shown = await page.locator('[data-testid=consent-history] tbody tr').evaluateAll((rows) =>
      rows.map((r) => `${r.getAttribute('data-purpose')}:${r.getAttribute('data-action')}`).reverse());
    expect(shown).toEqual(expected);
    expect(await page.locator('[data-testid=consent-history]').textContent()).not.toContain('waiting to sync');
    await page.screenshot({ path: join(SHOTS, 'privacy-signed-in.png'), fullPage: true });
  });

  it('filters the transmission ledger by purpose and text', async () => {
    await page.selectOption('select[name=ledger-purpose]', 'consent_record');
    await poll(() => page.locator('[data-testid=ledger] tbody tr').count()).toBe(10);
    const purposes = await page.locator('[data-testid=ledger] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-purpose')));
    expect(new Set(purposes)).toEqual(new Set(['consent_record']));
    expect(await page.locator('[data-testid=ledger-count]').textContent()).toMatch(/^10 of \d+$/);
    await page.selectOption('select[name=ledger-purpose]', '');
    await page.fill('input[name=ledger-text]', '/v1/telemetry');
    // Only the two telemetry purposes ever reach these endpoints, each while it was granted.
    const shown = async () => [...new Set(await page.locator('[data-testid=ledger] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-purpose'))))].sort();
    const telemetryOnly = async () => {
      const p = await shown();
      return p.includes('user_experience_plan') && p.every((x) => x === 'user_experience_plan' || x === 'device_experience_program');
    };
    await poll(telemetryOnly).toBe(true);
    await page.locator('[data-section=ledger]').screenshot({ path: join(SHOTS, 'privacy-ledger.png') });
    await page.fill('input[name=ledger-text]', '');
  });

  it('restricts and objects, and the cloud honours both', async () => {
    const token = await cloudToken();
    await page.click('[data-testid=switch-restricted]');
    await page.click('[data-testid=switch-objected]');
    await poll(async () => (await cloudCall('GET', '/v1/rights', token)).body).toEqual({ restricted: true, objected: true });
    await page.click('[data-testid=switch-restricted]');
    await page.click('[data-testid=switch-objected]');
    await poll(async () => (await cloudCall('GET', '/v1/rights', token)).body).toEqual({ restricted: false, objected: false });
  });

  it('another account cannot read the first one’s settings', async () => {
    const other = await cloudCall('POST', '/v1/accounts', undefined,
      { email: `eve.${process.pid}@privacy.example.test`, region: 'de', country: 'DE', nickname: 'Eve', password: PASSWORD, dateOfBirth: '1990-01-01' });
    const theirs = await cloudCall('GET', '/v1/settings', other.body.token);
    expect(theirs.body).toMatchObject({ version: 1, settings: {} });
    const mine = await cloudCall('GET', '/v1/settings', await cloudToken());
    expect(Object.keys(mine.body.settings.fields)).toContain('consent.alarm_push');
  });

  it('saving the profile says Saved, until the next edit (issue 22 item 14)', async () => {
    await page.fill('form[aria-label=Profile] input[name=nickname]', 'Ada L.');
    await page.click('text=Save profile');
    await poll(() => page.locator('[data-testid=profile-saved]').textContent()).toBe('Saved');
    expect((await cloudCall('GET', '/v1/account', await cloudToken())).body.account.nickname).toBe('Ada L.');
    await page.fill('form[aria-label=Profile] input[name=nickname]', 'Ada');
    expect(await page.locator('[data-testid=profile-saved]').count()).toBe(0);
    await page.click('text=Save profile');
    await poll(() => page.locator('[data-testid=profile-saved]').count()).toBe(1);
  });

  it('keeps working offline: edits saved at once and synced when the cloud is back; the new policy asks again', async () => {
    // Granted while the cloud answers (a grant needs it to check the password); withdrawn below while it is away.
    await grantFromPage(page, 'device_hosting', PASSWORD);
    await grantFromPage(page, 'alarm_push', PASSWORD);
    await page.click('text=Sync now');
    await poll(syncState).toBe('synced');
    await cloud.close();
    await page.fill('form[aria-label=Profile] input[name=nickname]', 'Ada offline');
    await page.click('text=Save profile');
    await page.click('[data-testid=switch-user_experience_plan]');
    // Off is saved at once; on needs the cloud, so the dialog says it did not answer and nothing changes.
    await confirmPasswordRefused(page, PASSWORD, /did not answer/);
    await page.click('[data-testid=switch-device_hosting]');
    await poll(syncState, 10_000).toBe('offline');
    await poll(() => page.locator('[data-testid=profile-pending]').count()).toBe(1);
    // Withdrawn here at once (nothing of it is sent from now), recorded in the cloud when it is back.
    await poll(() => status('device_hosting').textContent()).toBe('Off — nothing is sent');
    expect(await status('user_experience_plan').textContent()).toBe('Off — nothing is sent');
    await poll(() => page.locator('[data-testid=consent-history]').textContent()).toContain('waiting to sync');
    await page.screenshot({ path: join(SHOTS, 'privacy-offline.png'), fullPage: true });

    // Same port, same database, a newer policy.
    cloud = scope.add(await startCloud({ region: 'de', db: { kind: 'sqlite', path: cloudDb }, port: cloudPort, policyVersion: '2026-09' }));
    await poll(syncState, 25_000).toBe('synced');
    const token = await cloudToken();
    expect((await cloudCall('GET', '/v1/account', token)).body.account.nickname).toBe('Ada offline');
    expect((await cloudCall('GET', '/v1/consents', token)).body.current.device_hosting).toMatchObject({ action: 'withdraw', policyVersion: '2026-05' });

    // What was granted under 2026-05 is asked again; allowed under 2026-09 with the password typed again.
    await poll(() => page.locator('[data-reconsent=alarm_push]').count()).toBe(1);
    expect(await status('alarm_push').textContent()).toMatch(/^Paused — allowed under policy 2026-05/);
    await page.screenshot({ path: join(SHOTS, 'privacy-policy-notice.png') });
    await page.click('[data-reconsent=alarm_push] >> text=Allow under 2026-09');
    await confirmPassword(page, PASSWORD);
    await poll(() => page.locator('[data-reconsent]').count()).toBe(0);
    await poll(async () => (await cloudCall('GET', '/v1/consents', token)).body.current.alarm_push?.policyVersion).toBe('2026-09');
  });

  it('exports every field held, here and in the cloud, to a file and as a download', async () => {
    const download = page.waitForEvent('download');
    await page.click('[data-testid=export]');
    await confirmPassword(page, PASSWORD);
    const d = await download;
    expect(d.suggestedFilename()).toMatch(/^watchpost-export-.*\.json$/);
    const written = join(station.dataDir, 'exports', d.suggestedFilename());
    await poll(() => page.locator('[data-testid=export-path]').textContent()).toContain(written);
    const doc = JSON.parse(readFileSync(written, 'utf8'));
    expect(JSON.parse(readFileSync(await d.path(), 'utf8'))).toEqual(doc);

    // Every column of every table in the station database is in the local part.
    const db = new Database(join(station.dataDir, 'station.db'), { readonly: true });
    const all = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string; sql: string }[];
    // A full-text index (and its shadow tables) holds an index of text kept in its source table, which is exported.
    const fts = all.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
    expect(fts).toEqual(['rec_bookmark_text']);
    const tables = all.map((t) => t.name).filter((n) => !fts.some((v) => n === v || n.startsWith(`${v}_`)));
    expect(tables).toContain('rec_bookmark');
    for (const t of tables) {
      expect(doc.local.tables[t], t).toBeDefined();
      const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name);
      const count = (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
      // The ledger may have grown by a sync, the operation log by the export itself, since the export was written.
      if (t === 'transmission' || t === 'oplog') expect(doc.local.tables[t].length).toBeLessThanOrEqual(count);
      else expect(doc.local.tables[t].length, t).toBe(count);
      for (const row of doc.local.tables[t]) expect(Object.keys(row).sort(), t).toEqual([...cols].sort());
    }
    db.close();
    expect(doc.local.tables.privacy_account[0]).toMatchObject({ email: EMAIL, nickname: 'Ada offline' });
    expect(doc.local.metadata.withheld.map((w: any) => w.field)).toContain('secrets.privacy.cloud-token');
    // The cloud part is the cloud's own full export, checked against its schema there.
    expect(doc.cloud.data.account).toMatchObject({ email: EMAIL, nickname: 'Ada offline', region: 'de', country: 'DE', dateOfBirth: '1990-05-17' });
    expect(Object.keys(doc.cloud.data).sort()).toEqual([
      'account', 'accountLog', 'cloudStorage', 'consents', 'feedback', 'hostedDevices', 'loginFailures', 'mail', 'pushNotices', 'regionMoves', 'rights', 'sessions',
      'settings', 'sharesGiven', 'sharesReceived', 'telemetry',
    ]);
    // Each purpose granted and withdrawn; offline: device hosting and alarm push granted, hosting withdrawn, alarm push granted again.
    expect(doc.cloud.data.consents.length).toBe(14);
    expect(doc.cloud.data.telemetry.events.length).toBeGreaterThan(0);
  });

  it('deletes the account: receipt shown, and no trace of the email in the cloud database, the station database or its files', async () => {
    const rec = join(station.dataDir, 'recordings', 'cam1');
    mkdirSync(rec, { recursive: true });
    writeFileSync(join(rec, 'segment.mp4'), 'not really video');
    await page.check('input[name=recordings][value=delete]');
    await page.fill('input[name=erase-password]', PASSWORD);
    await page.check('input[name=erase-sure]');
    await page.click('button.destructive');
    await poll(() => page.locator('[data-testid=erasure-receipt]').textContent()).toContain('recordings deleted (1 files)');
    expect(await page.locator('[data-testid=erasure-receipt]').textContent()).toContain('Cloud receipt');
    expect(existsSync(join(rec, 'segment.mp4'))).toBe(false);
    await poll(syncState).toBe('signed_out');
    await page.screenshot({ path: join(SHOTS, 'privacy-erased.png'), fullPage: true });
    expect((await cloudCall('POST', '/v1/auth/login', undefined, { email: EMAIL, password: PASSWORD })).status).toBe(401);

    const files = (d: string): string[] => readdirSync(d).flatMap((x) => (statSync(join(d, x)).isDirectory() ? files(join(d, x)) : [join(d, x)]));
    const needle = Buffer.from(EMAIL);
    await cloud.close();
    for (const f of files(cloudDir)) expect(readFileSync(f).includes(needle), f).toBe(false);
    cloud = scope.add(await startCloud({ region: 'de', db: { kind: 'sqlite', path: cloudDb }, port: cloudPort }));
    await station.stop();
    const stationFiles = files(station.dataDir);
    expect(stationFiles.some((f) => f.endsWith('station.db'))).toBe(true);
    for (const f of stationFiles) expect(readFileSync(f).includes(needle), f).toBe(false);
  }, 60_000);

  it('logged no console error', () => consoleGuard.check());
});
