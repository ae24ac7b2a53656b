// The station's refusals in the user's words and language (issue 19; issue 22 items 8 and 9), in Chromium against the station
// CLI and the cloud on loopback: a refused field named by its label in a German sentence, tries left in a sentence, and a
// sign-up form that refuses an unknown country and a birth date in the future by name, each error gone once its field is fixed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { cookieCall } from '../helpers/ws-client';
import { apiFor, signUpBody } from '../integration/cloud-helpers';

const SHOTS = join(ROOT, 'test-results');
const PASSWORD = 'correct horse battery';
const EMAIL = `ida.${process.pid}@errors.example.test`;
const scope = fileScope();
let cloud: CloudHandle, station: StationProcess, browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ cloud } = await startCloudInTempDir(scope, 'wp-e2e-errors-', { region: 'de', throttle: { signupsPerClient: 1000 } }));
  [station, browser] = await scope.all([startStation({ args: ['--cloud-url', cloud.url] }), launchChromium()]);
});

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const stationCall = (name: string, input: unknown) => cookieCall(station, name, input);

/** The page in a fresh profile with `lng` chosen before it loads. */
async function openIn(lng: string, view: string): Promise<{ page: Page; guard: ConsoleGuard }> {
  const opened = await openGuardedPage(browser, 'about:blank', { viewport: { width: 1440, height: 1000 } });
  await opened.page.context().addInitScript((l) => localStorage.setItem('watchpost.language', l), lng);
  await opened.page.goto(`${station.url}#/${view}`);
  return opened;
}

describe('station errors in the user\'s words and language', () => {
  it('in German, a too-long RTSP address in the add-camera form is refused in German, naming the field; nothing is stored', async () => {
    const { page, guard } = await openIn('de', 'live');
    await page.click('.tree-head button[aria-expanded]');
    const form = page.locator('form.add-camera');
    await form.locator('input[name=name]').fill('Tor');
    await form.locator('input[name=mainUrl]').fill(`rtsp://127.0.0.1:9/${'a'.repeat(2100)}`);
    await form.locator('button[type=submit]').click();
    // Tried first: the station refuses the address before it opens anything, in German.
    await poll(() => form.locator('[data-probe=failed]').textContent()).toContain('Adresse ist zu lang (höchstens 2.048 Zeichen).');
    await form.locator('.dev-confirm button').click();
    await poll(() => form.getByRole('alert').textContent()).toBe('Hauptstream-URL ist zu lang (höchstens 2.048 Zeichen).');
    await form.screenshot({ path: join(SHOTS, 'errors-add-camera-de.png') });
    expect((await stationCall('channels.list', {})).value).toEqual([]);
    // Over the contract the same refusal carries its reason and the field, and an English sentence for logs.
    expect((await stationCall('channels.addRtsp', { name: 'Tor', mainUrl: `rtsp://127.0.0.1:9/${'a'.repeat(2100)}` })).error).toEqual({
      code: 'bad_input', message: 'Main stream URL is too long (at most 2048 characters).', reason: 'field.tooLong', params: { field: 'mainUrl', max: 2048 },
    });
    guard.check();
    await page.context().close();
  }, 60_000);

  it('sign-up refuses an unknown country and a birth date in the future by name, sends nothing, and drops each error once its field is fixed', async () => {
    const { page, guard } = await openIn('en', 'privacy');
    await page.click('[data-testid=tab-signup]');
    const form = page.locator('form[aria-label="Create account"]');
    for (const [name, value] of Object.entries({ email: EMAIL, password: PASSWORD, nickname: 'Ida', country: 'ZZ', dateOfBirth: '2999-01-01' })) {
      await form.locator(`input[name=${name}]`).fill(value);
    }
    await form.locator('button[type=submit]').click();
    await poll(() => page.locator('[data-testid=problem-country]').textContent()).toBe('Country: “ZZ” is not a country code (ISO 3166-1, e.g. DE or US).');
    expect(await page.locator('[data-testid=problem-dateOfBirth]').textContent()).toBe('Date of birth is in the future.');
    expect(await form.locator('input[name=country]').getAttribute('aria-invalid')).toBe('true');
    // The first field at fault has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('country');
    await page.locator('[data-section=account]').screenshot({ path: join(SHOTS, 'errors-sign-up.png') });

    await form.locator('input[name=country]').fill('DE');
    await poll(() => page.locator('[data-testid=problem-country]').count()).toBe(0);
    expect(await page.locator('[data-testid=country-name]').textContent()).toBe('Germany');
    expect(await page.locator('[data-testid=problem-dateOfBirth]').count()).toBe(1);
    await form.locator('input[name=dateOfBirth]').fill('1990-05-17');
    await poll(() => page.locator('[data-testid=problem-dateOfBirth]').count()).toBe(0);
    expect(await page.locator('[data-testid=ledger]').textContent()).not.toContain('/v1/accounts');

    // The station and the cloud refuse the same on their own, for callers other than this page.
    const zz = await stationCall('privacy.signUp', { email: EMAIL, password: PASSWORD, nickname: 'Ida', country: 'ZZ', dateOfBirth: '1990-05-17' });
    expect(zz.error).toMatchObject({ code: 'bad_input', reason: 'field.notCountry', params: { field: 'country', value: 'ZZ' } });
    const future = await stationCall('privacy.signUp', { email: EMAIL, password: PASSWORD, nickname: 'Ida', country: 'DE', dateOfBirth: '2999-01-01' });
    expect(future.error).toEqual({ code: 'bad_input', message: 'Date of birth is in the future.', reason: 'field.inFuture', params: { field: 'dateOfBirth' } });
    const api = apiFor(cloud.url);
    expect((await api.call('POST', '/v1/accounts', { body: signUpBody({ country: 'ZZ' }) })).body.error).toMatchObject({ code: 'invalid_input', field: 'country' });
    expect((await api.call('POST', '/v1/accounts', { body: signUpBody({ dateOfBirth: '2999-01-01' }) })).body.error)
      .toMatchObject({ code: 'invalid_input', field: 'dateOfBirth', message: 'dateOfBirth: must not be in the future' });

    await form.locator('button[type=submit]').click();
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    guard.check();
    await page.context().close();
  }, 60_000);

  it('a wrong password at log-in says how many tries are left in a sentence, under the field, until the password changes', async () => {
    const { page, guard } = await openIn('en', 'privacy');
    await page.click('form[aria-label=Profile] button.secondary');
    const form = page.locator('form[aria-label="Log in"]');
    await form.locator('input[name=email]').fill(EMAIL);
    await form.locator('input[name=password]').fill('not my password');
    await form.locator('button[type=submit]').click();
    const problem = page.locator('[data-testid=problem-password]');
    await poll(() => problem.textContent()).toMatch(/^Wrong email or password; \d tries left\.$/);
    await page.locator('[data-section=account]').screenshot({ path: join(SHOTS, 'errors-log-in.png') });
    const left = Number(/(\d) tries/.exec((await problem.textContent())!)![1]);
    await form.locator('button[type=submit]').click();
    await poll(() => problem.textContent()).toBe(left - 1 === 1 ? 'Wrong email or password; 1 try left.' : `Wrong email or password; ${left - 1} tries left.`);
    expect(await form.locator('input[name=password]').getAttribute('aria-describedby')).toBe('problem-password');
    await form.locator('input[name=password]').fill(PASSWORD);
    await poll(() => problem.count()).toBe(0);
    await form.locator('button[type=submit]').click();
    await poll(() => page.locator('[data-testid=account-email]').textContent()).toBe(EMAIL);
    guard.check();
    await page.context().close();
  }, 60_000);
});
