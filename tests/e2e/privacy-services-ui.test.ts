// Cloud storage and device hosting on the Privacy page in Chromium: they work while switched on, and send nothing once off.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { fillAndSubmit, launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { grantFromPage } from '../helpers/privacy-ui';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { cookieCall } from '../helpers/ws-client';
import { apiFor, JPEG_BYTES } from '../integration/cloud-helpers';

const SHOTS = '/tmp/shots-priv';
const PASSWORD = 'correct horse battery';
const EMAIL = `ines.${process.pid}@services.example.test`;
const scope = fileScope();
let cloud: CloudHandle, station: StationProcess, browser: Browser, page: Page, consoleGuard: ConsoleGuard;

const cloudCall = (method: string, path: string, token?: string, body?: unknown) => apiFor(cloud.url).call(method, path, { token, body });
const token = async () => (await cloudCall('POST', '/v1/auth/login', undefined, { email: EMAIL, password: PASSWORD })).body.token as string;

/** Calls the station over its WebSocket like a second renderer, for the parts of the station other pages own. */
const stationCall = (name: string, input: unknown) => cookieCall(station, name, input);

beforeAll(async () => {
  ({ cloud } = await startCloudInTempDir(scope, 'wp-e2e-services-', { region: 'de' }));
  [station, browser] = await scope.all([startStation({ args: ['--cloud-url', cloud.url] }), launchChromium()]);
  ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/privacy`, { viewport: { width: 1440, height: 1200 }, acceptDownloads: true }));
});

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const received = async (p: string) => (await cloud.telemetryTotals()).byPurpose[p]!.receivedBytes;
const ledgerRows = async (purpose: string) => (await stationCall('privacy.ledger', { purpose })).value.rows as { method: string }[];
const status = (p: string) => page.locator(`[data-testid=status-${p}]`);

describe('cloud services on the Privacy page', () => {
  it('signs up; every service is off and sends nothing', async () => {
    await page.click('[data-testid=tab-signup]');
    await fillAndSubmit(page, 'form[aria-label="Create account"]', { email: EMAIL, password: PASSWORD, nickname: 'Ines', country: 'DE', dateOfBirth: '1979-04-01' });
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    expect(await page.locator('[data-testid=storage-status]').textContent()).toContain('Off — nothing is uploaded');
    expect(await page.locator('[data-testid=hosting-status]').textContent()).toContain('Off');
    expect(await page.locator('[data-testid=push-status]').textContent()).toContain('off: alarms stay on this station');
  });

  it('uploads a snapshot to cloud storage, downloads and deletes it; off again, nothing more goes up', async () => {
    mkdirSync(join(station.dataDir, 'snapshots'), { recursive: true });
    writeFileSync(join(station.dataDir, 'snapshots', 'gate-0712.jpg'), JPEG_BYTES);
    await grantFromPage(page, 'cloud_storage', PASSWORD);
    await poll(() => status('cloud_storage').textContent()).toMatch(/^On since/);
    await poll(() => page.locator('select[name=storable] option').first().textContent()).toContain('gate-0712.jpg · snapshot');
    await page.click('form[aria-label="Upload to cloud storage"] button[type=submit]');
    await poll(() => page.locator('[data-testid=stored-objects] tbody tr').count()).toBe(1);
    const stored = (await cloudCall('GET', '/v1/storage', await token())).body.objects;
    expect(stored.map((o: { name: string }) => o.name)).toEqual(['gate-0712.jpg']);
    await page.locator('[data-section=services]').screenshot({ path: join(SHOTS, 'privacy-services.png') });

    const download = page.waitForEvent('download');
    await page.click('button[aria-label="Download gate-0712.jpg"]');
    const d = await download;
    expect(d.suggestedFilename()).toBe('gate-0712.jpg');
    expect(readFileSync(await d.path()).equals(JPEG_BYTES)).toBe(true);
    await page.click('button[aria-label="Delete gate-0712.jpg from cloud storage"]');
    await poll(() => page.locator('[data-testid=storage-empty]').count()).toBe(1);
    expect((await cloudCall('GET', '/v1/storage', await token())).body.objects).toEqual([]);

    await page.click('[data-testid=switch-cloud_storage]');
    await poll(() => status('cloud_storage').textContent()).toBe('Off — nothing is sent');
    await poll(() => page.locator('form[aria-label="Upload to cloud storage"]').count()).toBe(0);
    const sent = await received('cloud_storage');
    expect((await ledgerRows('cloud_storage')).filter((r) => r.method === 'POST')).toHaveLength(1);
    await page.click('text=Sync now');
    expect(await received('cloud_storage')).toBe(sent);
  });

  it('hosts the device list while device hosting is on, and takes it down when it is turned off', async () => {
    expect((await stationCall('channels.addRtsp', { name: 'Loading bay', mainUrl: 'rtsp://guard:pa55word@127.0.0.1:9/bay', subUrl: null })).ok).toBe(true);
    await page.click('text=Sync now');
    expect(await ledgerRows('device_hosting')).toEqual([]);
    await grantFromPage(page, 'device_hosting', PASSWORD);
    await poll(() => status('device_hosting').textContent()).toMatch(/^On since/);
    await page.click('text=Sync now');
    const own = page.locator('[data-testid=hosted-stations] tbody tr[data-own=true]');
    await poll(() => own.textContent()).toContain('Loading bay');
    const hosted = JSON.stringify((await cloudCall('GET', '/v1/hosting', await token())).body);
    expect(hosted).toContain('Loading bay');
    expect(hosted).not.toContain('pa55word');
    await page.screenshot({ path: join(SHOTS, 'privacy-services-page.png'), fullPage: true });

    await page.click('[data-testid=switch-device_hosting]');
    await poll(() => status('device_hosting').textContent()).toBe('Off — nothing is sent');
    await poll(async () => (await cloudCall('GET', '/v1/hosting', await token())).body.stations).toEqual([]);
    const sent = await received('device_hosting');
    const puts = (await ledgerRows('device_hosting')).filter((r) => r.method === 'PUT').length;
    expect((await stationCall('channels.addRtsp', { name: 'Back door', mainUrl: 'rtsp://127.0.0.1:9/back', subUrl: null })).ok).toBe(true);
    await page.click('text=Sync now');
    await poll(() => page.locator('[data-testid=sync-state]').getAttribute('data-state')).toBe('synced');
    expect((await ledgerRows('device_hosting')).filter((r) => r.method === 'PUT')).toHaveLength(puts);
    expect(await received('device_hosting')).toBe(sent);
  });

  it('logged no console error', () => consoleGuard.check());
});
