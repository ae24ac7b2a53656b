// Account management on the Privacy page in Chromium: profile photo, email and password changes, the session list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { fillAndSubmit, launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { confirmPassword } from '../helpers/privacy-ui';
import { startStation, type StationProcess } from '../helpers/station-process';
import { apiFor, JPEG_BYTES, PNG_1PX } from '../integration/cloud-helpers';

const SHOTS = '/tmp/shots-priv';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new password';
const EMAIL = `grace.${process.pid}@account.example.test`;
const NEW_EMAIL = `grace.hopper.${process.pid}@account.example.test`;
const scope = fileScope();
let cloud: CloudHandle, station: StationProcess, browser: Browser, page: Page, consoleGuard: ConsoleGuard;

const cloudCall = (method: string, path: string, token?: string, body?: unknown) => apiFor(cloud.url).call(method, path, { token, body });

beforeAll(async () => {
  ({ cloud } = await startCloudInTempDir(scope, 'wp-e2e-account-', { region: 'us' }));
  [station, browser] = await scope.all([startStation({ args: ['--cloud-url', cloud.url] }), launchChromium()]);
  ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/privacy`, { viewport: { width: 1440, height: 1100 }, acceptDownloads: true }));
});

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const file = (name: string, mimeType: string, buffer: Buffer) => ({ name, mimeType, buffer });
const alertIn = (form: string) => page.locator(`form[aria-label="${form}"] [role=alert]`);

describe('account management in Chromium, station and cloud on loopback', () => {
  it('signs up with a profile photo, refusing a wrong type or an oversized file with a clear message', async () => {
    await page.click('[data-testid=tab-signup]');
    await page.setInputFiles('form[aria-label="Create account"] input[name=photo]', file('cat.gif', 'image/gif', Buffer.from('GIF89a')));
    await poll(() => page.locator('[data-testid=photo-error]').textContent()).toBe('Choose a JPEG or PNG image (cat.gif is image/gif)');
    await page.setInputFiles('form[aria-label="Create account"] input[name=photo]', file('huge.png', 'image/png', Buffer.concat([PNG_1PX, Buffer.alloc(300 * 1024)])));
    await poll(() => page.locator('[data-testid=photo-error]').textContent()).toMatch(/^huge\.png is 30\d KiB; a profile photo may be at most 256 KiB$/);
    await page.setInputFiles('form[aria-label="Create account"] input[name=photo]', file('me.png', 'image/png', PNG_1PX));
    await poll(() => page.locator('[data-testid=photo-error]').count()).toBe(0);
    await fillAndSubmit(page, 'form[aria-label="Create account"]', { email: EMAIL, password: PASSWORD, nickname: 'Grace', country: 'US', dateOfBirth: '1986-12-09' });
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    await poll(() => page.locator('[data-testid=profile-photo]').getAttribute('src')).toBe(`data:image/png;base64,${PNG_1PX.toString('base64')}`);
    const token = (await cloudCall('POST', '/v1/auth/login', undefined, { email: EMAIL, password: PASSWORD })).body.token;
    const held = await cloudCall('GET', '/v1/account/photo', token);
    expect(Buffer.from(held.body.data, 'base64').equals(PNG_1PX)).toBe(true);
  });

  it('changes the photo to a JPEG, and a file that only claims to be one is refused before it is sent', async () => {
    await page.setInputFiles('[data-section=account] .photo-field input[name=photo]', file('fake.jpg', 'image/jpeg', Buffer.from('not a jpeg at all')));
    await poll(() => page.locator('[data-section=account] .photo-field [role=alert]').textContent()).toBe('The file is not a JPEG image.');
    await page.setInputFiles('[data-section=account] .photo-field input[name=photo]', file('me.jpg', 'image/jpeg', JPEG_BYTES));
    await poll(() => page.locator('[data-testid=profile-photo]').getAttribute('src')).toBe(`data:image/jpeg;base64,${JPEG_BYTES.toString('base64')}`);
  });

  it('changes the email only with the current password', async () => {
    await page.fill('form[aria-label="Change email"] input[name=newEmail]', NEW_EMAIL);
    await page.fill('form[aria-label="Change email"] input[name=emailPassword]', 'not my password');
    await page.click('form[aria-label="Change email"] button[type=submit]');
    await poll(() => alertIn('Change email').textContent()).toMatch(/^Wrong password; \d tries left\. Nothing was changed\.$/);
    expect(await page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    await page.fill('form[aria-label="Change email"] input[name=newEmail]', NEW_EMAIL);
    await page.fill('form[aria-label="Change email"] input[name=emailPassword]', PASSWORD);
    await page.click('form[aria-label="Change email"] button[type=submit]');
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(NEW_EMAIL);
    expect((await cloudCall('POST', '/v1/auth/login', undefined, { email: EMAIL, password: PASSWORD })).status).toBe(401);
  });

  it('lists the sessions (this one marked), signs one out, then everywhere else; a password change signs the rest out', async () => {
    const phone = (await cloudCall('POST', '/v1/auth/login', undefined, { email: NEW_EMAIL, password: PASSWORD, client: 'Watchpost phone 2.1 (iOS)' })).body;
    const laptop = (await cloudCall('POST', '/v1/auth/login', undefined, { email: NEW_EMAIL, password: PASSWORD, client: 'Watchpost station 0.1.0 (win32 x64)' })).body;
    const tablet = (await cloudCall('POST', '/v1/auth/login', undefined, { email: NEW_EMAIL, password: PASSWORD, client: 'Watchpost tablet 1.0' })).body;
    await page.click('[data-section=sessions] >> text=Refresh');
    const rows = page.locator('[data-testid=sessions] tbody tr');
    await poll(() => rows.count()).toBeGreaterThanOrEqual(5);
    const current = page.locator('[data-testid=sessions] tbody tr[data-current=true]');
    expect(await current.count()).toBe(1);
    expect(await current.textContent()).toMatch(/^Watchpost station .*this station/);
    await page.locator('[data-section=account]').screenshot({ path: join(SHOTS, 'privacy-account.png') });

    await page.locator(`[data-session="${phone.sessionId}"] button`).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.locator(`[data-session="${phone.sessionId}"]`).textContent()).toContain('signed out');
    expect((await cloudCall('GET', '/v1/account', phone.token)).status).toBe(401);
    expect((await cloudCall('GET', '/v1/account', laptop.token)).status).toBe(200);

    await page.click('[data-testid=revoke-others]');
    await poll(() => page.locator('[data-section=sessions] [role=status]').textContent()).toMatch(/^\d sessions? signed out$/);
    expect((await cloudCall('GET', '/v1/account', laptop.token)).status).toBe(401);
    expect((await cloudCall('GET', '/v1/account', tablet.token)).status).toBe(401);
    await poll(() => page.isDisabled('[data-testid=revoke-others]')).toBe(true);

    const again = (await cloudCall('POST', '/v1/auth/login', undefined, { email: NEW_EMAIL, password: PASSWORD, client: 'Watchpost phone 2.1 (iOS)' })).body;
    await page.fill('form[aria-label="Change password"] input[name=currentPassword]', PASSWORD);
    await page.fill('form[aria-label="Change password"] input[name=newPassword]', NEW_PASSWORD);
    await page.fill('form[aria-label="Change password"] input[name=repeatPassword]', `${NEW_PASSWORD}!`);
    await page.click('form[aria-label="Change password"] button[type=submit]');
    await poll(() => alertIn('Change password').textContent()).toBe('The new passwords differ');
    await page.fill('form[aria-label="Change password"] input[name=repeatPassword]', NEW_PASSWORD);
    await page.click('form[aria-label="Change password"] button[type=submit]');
    await poll(() => page.locator('form[aria-label="Change password"]').textContent()).toContain('Password changed; 1 other session signed out');
    expect((await cloudCall('GET', '/v1/account', again.token)).status).toBe(401);
    expect((await cloudCall('POST', '/v1/auth/login', undefined, { email: NEW_EMAIL, password: NEW_PASSWORD })).status).toBe(200);
    // The station's own session lives on: it still syncs.
    await page.click('text=Sync now');
    await poll(() => page.locator('[data-testid=sync-state]').getAttribute('data-state')).toBe('synced');
  });

  it('every account request is in the ledger, and the export holds the photo', async () => {
    await page.fill('input[name=ledger-text]', '/v1/sessions');
    await poll(() => page.locator('[data-testid=ledger] tbody tr').count()).toBeGreaterThan(2);
    await poll(() => page.locator('[data-testid=ledger]').textContent()).toContain('your request: sign out everywhere else');
    await page.fill('input[name=ledger-text]', '');
    const download = page.waitForEvent('download');
    await page.click('[data-testid=export]');
    await confirmPassword(page, NEW_PASSWORD);
    const doc = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
    expect(doc.cloud.data.account.photo).toEqual({ contentType: 'image/jpeg', base64: JPEG_BYTES.toString('base64') });
    expect(doc.cloud.data.account.email).toBe(NEW_EMAIL);
    expect(doc.cloud.data.sessions.map((s: { client: string }) => s.client)).toContain('Watchpost phone 2.1 (iOS)');
    expect(doc.cloud.data.accountLog.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['sign_up', 'sign_in', 'email_change', 'password_change', 'export']));
    await page.screenshot({ path: join(SHOTS, 'privacy-account-page.png'), fullPage: true });
  });

  it('shows the account activity: sign-ins with address and app, the email and password changes, the export', async () => {
    const log = page.locator('[data-testid=account-log]');
    // The export above refreshed it: newest first.
    await poll(() => log.locator('tbody tr').first().getAttribute('data-kind')).toBe('export');
    const kinds = await log.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
    expect(kinds.slice(0, 4)).toEqual(['export', 'sign_in', 'password_change', 'sign_in']);
    expect(kinds).toEqual(expect.arrayContaining(['email_change', 'sign_up']));
    expect(kinds.at(-1)).toBe('sign_up');
    expect(await log.locator('tr[data-kind=password_change]').textContent()).toContain('Password changed');
    // The phone signed in twice (before and after "sign out everywhere else"); the tablet once.
    const from = (client: string) => log.locator('tbody tr', { hasText: client });
    expect(await from('Watchpost phone 2.1 (iOS)').count()).toBe(2);
    expect(await from('Watchpost tablet 1.0').count()).toBe(1);
    expect(await from('Watchpost tablet 1.0').textContent()).toMatch(/Signed in.*127\.0\.0\.1 · Watchpost tablet 1\.0/);
    await log.screenshot({ path: join(SHOTS, 'privacy-account-log.png') });
  });

  it('logged no console error', () => consoleGuard.check());
});
