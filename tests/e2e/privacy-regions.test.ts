// Data regions on the Privacy page in Chromium: sign-up in another region than the configured cloud's, through the notice on
// international transfers, then a move of the account back, with its receipt. Two cloud instances (SQLite each) and a station.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { axeViolations } from '../helpers/axe';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { grantFromPage } from '../helpers/privacy-ui';
import { startStation, type StationProcess } from '../helpers/station-process';
import { cookieCall } from '../helpers/ws-client';
import { apiFor } from '../integration/cloud-helpers';

const PASSWORD = 'correct horse battery';
const EMAIL = `lin.${process.pid}@regions.example.test`;
const PEER_KEY = 'e2e-regions-peer-key-0123456789';
const scope = fileScope();
let de: CloudHandle, us: CloudHandle, station: StationProcess, browser: Browser, page: Page, consoleGuard: ConsoleGuard;

const logIn = (cloud: CloudHandle) => apiFor(cloud.url).call('POST', '/v1/auth/login', { body: { email: EMAIL, password: PASSWORD } });
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

beforeAll(async () => {
  [{ cloud: de }, { cloud: us }] = await Promise.all([
    startCloudInTempDir(scope, 'wp-e2e-regions-de-', { region: 'de', peerKey: PEER_KEY }),
    startCloudInTempDir(scope, 'wp-e2e-regions-us-', { region: 'us', peerKey: PEER_KEY }),
  ]);
  de.setDirectory({ us: us.url });
  us.setDirectory({ de: de.url });
  // The station is configured with the German instance; the directory it serves names the other.
  [station, browser] = await scope.all([startStation({ args: ['--cloud-url', de.url] }), launchChromium()]);
  ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/privacy`, { viewport: { width: 1440, height: 1100 } }));
});

describe('data regions in Chromium, two cloud instances on loopback', () => {
  it('signs up in the United States from Germany only once the transfer notice is acknowledged', async () => {
    await page.click('[data-testid=tab-signup]');
    const form = 'form[aria-label="Create account"]';
    await poll(() => page.locator(`${form} select[name=region] option`).count()).toBe(2);
    expect(await page.locator(`${form} select[name=region]`).inputValue()).toBe('de');
    for (const [name, value] of Object.entries({ email: EMAIL, password: PASSWORD, nickname: 'Lin', country: 'DE', dateOfBirth: '1988-03-04' }))
      await page.fill(`${form} input[name=${name}]`, value);
    // Germany's own region: no notice.
    expect(await page.locator('[data-testid=transfer-notice]').count()).toBe(0);
    await page.selectOption(`${form} select[name=region]`, 'us');
    await poll(() => page.locator('[data-testid=transfer-notice]').textContent()).toContain('International transfer');
    await page.click(`${form} button[type=submit]`);
    await poll(() => page.locator('[data-testid=problem-transferAcknowledged]').textContent()).toBe('Read the notice on international transfers and tick the box first.');
    expect(await axeViolations(page, 'section[data-section=account]')).toEqual([]);
    expect((await logIn(us)).status).toBe(401);

    await page.check(`${form} input[name=transferAcknowledged]`);
    await page.click(`${form} button[type=submit]`);
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    await poll(() => page.locator('[data-testid=data-location]').textContent()).toContain('United States');
    // Kept in the chosen region only, with the acknowledgement; the station talks to that instance now.
    const there = await logIn(us);
    expect(there.status).toBe(200);
    expect(there.body.account.transferNoticeAt).toMatch(/Z$/);
    expect((await logIn(de)).status).toBe(401);
    expect(await page.locator('[data-testid=data-location]').textContent()).toContain(us.url);
  });

  it('logs out, and back in to the account in the United States by choosing its region', async () => {
    await page.click('form[aria-label=Profile] button.secondary');
    await poll(() => page.locator('[data-testid=data-location]').textContent()).toContain('Germany');
    const form = 'form[aria-label="Log in"]';
    await page.click('[data-testid=login-other-region]');
    await page.selectOption(`${form} select[name=region]`, 'us');
    await page.fill(`${form} input[name=email]`, EMAIL);
    await page.fill(`${form} input[name=password]`, PASSWORD);
    await page.click(`${form} button[type=submit]`);
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    expect(await page.locator('[data-testid=data-location]').textContent()).toContain('United States');
  });

  it('moves the account back to Germany from the Privacy page, with a receipt kept there', async () => {
    // A region the deployment does not serve, or none at all, is refused by the field before anything is sent.
    const notServed = await cookieCall(station, 'privacy.moveRegion', { region: 'sg', password: PASSWORD });
    expect(notServed.error).toMatchObject({ reason: 'region.notServed', params: { field: 'region', region: 'sg' } });
    expect(notServed.error.message).toBe('This deployment does not keep accounts in Singapore; choose one of the regions it lists.');
    const unknown = await cookieCall(station, 'privacy.moveRegion', { region: 'xx', password: PASSWORD });
    expect(unknown.error).toMatchObject({ code: 'bad_input', params: { field: 'dataRegion' } });
    expect((await cookieCall(station, 'privacy.moveRegion', { region: 'us', password: PASSWORD })).error)
      .toMatchObject({ reason: 'region.same', params: { field: 'region', region: 'us' } });
    expect((await logIn(us)).status).toBe(200);

    // A consent given in the United States, to move with its history.
    await grantFromPage(page, 'cloud_storage', PASSWORD);
    await poll(() => page.locator('[data-testid=status-cloud_storage]').textContent()).toMatch(/^On since/);
    await poll(async () => ((await cookieCall(station, 'privacy.consents', {})).value as { cloudId: number | null }[]).map((c) => c.cloudId !== null)).toEqual([true]);
    const given = (await cookieCall(station, 'privacy.consents', {})).value as { cloudRecordedAt: string }[];

    const form = 'form[aria-label="Move the account to another region"]';
    await page.click('[data-testid=region-move-open]');
    await poll(() => page.locator(`${form} select[name=region]`).inputValue()).toBe('de');
    // A wrong password is named and changes nothing.
    await page.fill(`${form} input[name=password]`, 'not my password');
    await page.click(`${form} button[type=submit]`);
    await poll(() => page.locator(`${form} [role=alert]`).textContent()).toContain('Wrong password');
    expect((await logIn(us)).status).toBe(200);

    await page.fill(`${form} input[name=password]`, PASSWORD);
    await page.click(`${form} button[type=submit]`);
    expect(await axeViolations(page, 'section[data-section=account]')).toEqual([]);
    const receipt = page.locator('[data-testid=region-move]');
    await poll(() => receipt.count(), 30_000).toBe(1);
    expect(await receipt.getAttribute('data-from')).toBe('us');
    expect(await receipt.getAttribute('data-to')).toBe('de');
    expect(await receipt.textContent()).toContain('Moved from United States to Germany');
    await poll(() => page.locator('[data-testid=data-location]').textContent()).toContain('Germany');
    expect((await logIn(de)).status).toBe(200);
    expect((await logIn(us)).status).toBe(401);
    // The consent came along with the time it was first recorded; this station lists it once, read from Germany's ledger.
    await poll(async () => ((await cookieCall(station, 'privacy.consents', {})).value as { action: string; cloudRecordedAt: string }[])
      .map((c) => [c.action, c.cloudRecordedAt])).toEqual([['grant', given[0]!.cloudRecordedAt]]);
    expect(await page.locator('[data-testid=status-cloud_storage]').textContent()).toMatch(/^On since/);
    // Kept: a reload shows the receipt again.
    await page.reload();
    await poll(() => page.locator('[data-testid=region-move]').count()).toBe(1);
  });

  it('logged no console error', () => consoleGuard.check());
});
