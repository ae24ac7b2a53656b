// Mail and the password typed again, in Chromium: a station and its cloud on loopback, the cloud's mail through a real SMTP
// server (smtp-server) the test reads — the verification code at sign-up, "forgot password" from the log-in form, and the
// password dialog before a data export.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { fillAndSubmit, launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { confirmPassword, confirmPasswordRefused } from '../helpers/privacy-ui';
import { codeIn, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startStation, type StationProcess } from '../helpers/station-process';
import { apiFor } from '../integration/cloud-helpers';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a fresh password 2026';
const EMAIL = `mae.${process.pid}@mail.example.test`;
const scope = fileScope();
let smtp: SmtpSink, cloud: CloudHandle, station: StationProcess, browser: Browser, page: Page, consoleGuard: ConsoleGuard;

beforeAll(async () => {
  smtp = await startSmtpSink();
  ({ cloud } = await startCloudInTempDir(scope, 'wp-e2e-mail-', {
    region: 'de', mail: { host: '127.0.0.1', port: smtp.port, from: 'Watchpost <no-reply@watchpost.test>', tls: 'none' },
  }));
  [station, browser] = await scope.all([startStation({ args: ['--cloud-url', cloud.url] }), launchChromium()]);
  ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/privacy`, { viewport: { width: 1440, height: 1100 }, acceptDownloads: true }));
});
afterAll(async () => {
  await smtp?.close();
});

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

describe('mail and the password typed again, in Chromium', () => {
  it('signs up, shows "email not verified" until the mailed code is entered', async () => {
    await page.click('[data-testid=tab-signup]');
    await fillAndSubmit(page, 'form[aria-label="Create account"]', { email: EMAIL, password: PASSWORD, nickname: 'Mae', country: 'DE', dateOfBirth: '1988-08-08' });
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    await poll(() => page.locator('[data-testid=email-not-verified]').textContent()).toBe('Email not verified.');
    const code = codeIn(await smtp.next(EMAIL));
    await page.fill('input[name=verify-code]', code.split('').reverse().join('') === code ? '00000000' : code.split('').reverse().join(''));
    await page.click('[data-testid=email-verify] button[type=submit]');
    await poll(() => page.locator('[data-testid=email-verify] [role=alert]').textContent()).toMatch(/^That is not the code from the mail; \d tries left\.$/);
    await page.fill('input[name=verify-code]', `${code.slice(0, 4)} ${code.slice(4)}`);
    await page.click('[data-testid=email-verify] button[type=submit]');
    await poll(() => page.locator('[data-testid=email-verify]').count()).toBe(0);
  });

  it('asks for the password again before an export: a wrong one exports nothing, the right one downloads it', async () => {
    await page.click('[data-testid=export]');
    await confirmPasswordRefused(page, 'not my password', /^Wrong password; \d tries left/);
    expect(await page.locator('[data-testid=export-path]').count()).toBe(0);
    const download = page.waitForEvent('download');
    await page.click('[data-testid=export]');
    await confirmPassword(page, PASSWORD);
    const d = await download;
    expect(d.suggestedFilename()).toMatch(/^watchpost-export-.*\.json$/);
    await poll(() => page.locator('[data-testid=export-path]').count()).toBe(1);
  });

  it('forgot password: the code read from the SMTP server resets it, every session ends, the new password logs in', async () => {
    await page.click('text=Log out');
    await poll(() => page.locator('[data-testid=forgot-link]').count()).toBe(1);
    await page.click('[data-testid=forgot-link]');
    await page.fill('input[name=forgot-email]', EMAIL);
    await page.click('form[aria-label="Reset your password by email"] button[type=submit]');
    await poll(() => page.locator('[data-testid=forgot-delivery]').getAttribute('data-delivery')).toBe('sent');
    const code = codeIn(await smtp.next(EMAIL));
    // A wrong code first: said as such, nothing changed.
    await fillAndSubmit(page, 'form[aria-label="Set the new password"]', { 'reset-code': '00000000' === code ? '11111111' : '00000000', 'reset-password': NEW_PASSWORD, 'reset-repeat': NEW_PASSWORD });
    await poll(() => page.locator('[data-testid=reset-error]').textContent()).toMatch(/^That is not the code from the mail/);
    await fillAndSubmit(page, 'form[aria-label="Set the new password"]', { 'reset-code': code, 'reset-password': NEW_PASSWORD, 'reset-repeat': NEW_PASSWORD });
    await poll(() => page.locator('[data-testid=reset-done]').count()).toBe(1);
    expect((await apiFor(cloud.url).call('POST', '/v1/auth/login', { body: { email: EMAIL, password: PASSWORD } })).status).toBe(401);
    await fillAndSubmit(page, 'form[aria-label="Log in"]', { email: EMAIL, password: NEW_PASSWORD });
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    // The account log says what happened, newest first.
    await poll(() => page.locator('[data-testid=account-log] tbody tr').first().getAttribute('data-kind')).toBe('sign_in');
    expect(await page.locator('[data-testid=account-log] tbody tr[data-kind=password_reset]').count()).toBe(1);
    expect(await page.locator('[data-testid=account-log] tbody tr[data-kind=email_verified]').count()).toBe(1);
  });

  it('a birth date corrected below 16: warned before saving, then the account is suspended, only export and erasure left', async () => {
    await page.fill('form[aria-label="Profile"] input[name=dateOfBirth]', '2015-04-01');
    await poll(() => page.locator('[data-testid=under-age-warning]').textContent()).toContain('aged 16 or over');
    await page.click('form[aria-label="Profile"] button[type=submit]');
    await poll(() => page.locator('[data-testid=account-suspended]').textContent()).toMatch(/^Suspended: the date of birth says its holder is under 16\..* erased on \d{4}-\d{2}-\d{2} \(receipt [0-9a-f-]{36}\)\.$/);
    expect((await apiFor(cloud.url).call('POST', '/v1/auth/login', { body: { email: EMAIL, password: NEW_PASSWORD } })).body.account.suspension.reason).toBe('under_age');
    // Nothing more is taken: a further change is refused, with the date it is erased on.
    await page.fill('form[aria-label="Profile"] input[name=nickname]', 'Mae B');
    await page.click('form[aria-label="Profile"] button[type=submit]');
    await poll(() => page.locator('form[aria-label="Profile"] [role=alert]').last().textContent()).toMatch(/^This account is suspended because Watchpost accounts are for people aged 16 or over/);
  });

  it('logged no console error', () => consoleGuard.check());
});
