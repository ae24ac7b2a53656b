// Activation in Chromium against camsim: one password per device with the rule shown per row as the user types, and a reset
// e-mail that Dahua DevInit carries while an ONVIF-only device says it cannot take one; then that reset e-mail used: the
// device mails a security code (through a real SMTP server on loopback), a wrong code is refused, the right one resets.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { requireBuiltRenderer, ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient } from '../helpers/ws-client';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, sink: SmtpSink;
let passwords: string[] = [];
const SHOTS = process.env.WATCHPOST_SHOTS ?? join(ROOT, 'test-results');
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const EMAIL = 'installer@example.com';

beforeAll(async () => {
  requireBuiltRenderer();
  mkdirSync(SHOTS, { recursive: true });
  // The relay the devices mail their password-reset security codes through.
  sink = await startSmtpSink();
  scope.defer(() => sink.close());
  camsim = scope.add(await startCamsim(['--devices', '3', '--uninitialized', '3', '--no-video', '--smtp', `127.0.0.1:${sink.port}`]));
  // The last device is probed over ONVIF only (no DHIP port), so the station knows it only as an ONVIF device.
  const targets = camsim.manifest.devices.map((d, i, all) => `${d.ip}:${d.ports.wsDiscovery}${i === all.length - 1 ? '' : `:${d.ports.dhip}`}`).join(',');
  [station, browser] = await scope.all([startStation({ env: { WATCHPOST_DISCOVER_UNICAST: targets } }), launchChromium()]);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/devices`, { viewport: { width: 1440, height: 1000 } }));
}, 90_000);

describe('activation dialog', () => {
  it('one password per device, a reset e-mail sent over DevInit and marked unsupported for the ONVIF-only device', async () => {
    const devs = camsim.manifest.devices;
    const onvifOnly = devs.at(-1)!;
    await page.getByRole('button', { name: 'Scan LAN' }).click();
    for (const d of devs) await poll(() => page.locator(`tr[data-address="${d.ip}"]`).getAttribute('data-status')).toBe('uninitialised');
    for (const d of devs) await page.locator(`tr[data-address="${d.ip}"] input[type=checkbox]`).check();
    await page.getByRole('button', { name: `Activate ${devs.length}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('One password per device').check();
    const rows = dialog.locator('.dev-pw-rows > li');
    expect(await rows.count()).toBe(devs.length);
    const activate = dialog.getByRole('button', { name: 'Activate' });
    // The rule follows each row as it is typed.
    const first = dialog.getByLabel(`Password for ${devs[0]!.ip}`);
    await first.fill('abc');
    expect(await rows.nth(0).locator('.pw-rule li.ok').count()).toBe(1);
    await first.fill('abcdefgh');
    expect(await rows.nth(0).locator('.pw-rule li.ok').count()).toBe(2);
    await first.fill('admin');
    expect(await rows.nth(0).locator('.pw-rule li.ok').count()).toBe(0);
    passwords = devs.map((d, i) => `Own-Pass-${i + 1}-${d.id}`);
    for (const [i, d] of devs.entries()) await dialog.getByLabel(`Password for ${d.ip}`).fill(passwords[i]!);
    for (let i = 0; i < devs.length; i++) expect(await rows.nth(i).locator('.pw-rule li.ok').count()).toBe(3);
    await dialog.locator('input[name=email]').fill('not-an-address');
    expect(await activate.isDisabled()).toBe(true);
    await dialog.locator('input[name=email]').fill(EMAIL);
    expect(await activate.isDisabled()).toBe(false);
    expect(await dialog.getByTestId('email-unsupported').textContent()).toContain(`Not supported over ONVIF, so not sent to ${onvifOnly.ip}`);
    await page.screenshot({ path: join(SHOTS, 'devices-activation.png') });
    await activate.click();
    await poll(() => dialog.locator('[data-result=ok]').count()).toBe(devs.length);
    expect(await dialog.locator('[data-result=ok]').last().textContent()).toContain('reset e-mail not set: ONVIF has no reset e-mail');
    for (const [i, d] of devs.entries()) {
      const m = await (await fetch(`${camsim.manifest.control!}/devices/${d.id}`)).json() as { credentials?: { password: string }; resetEmail?: string };
      expect(m.credentials?.password, d.id).toBe(passwords[i]);
      expect(m.resetEmail, d.id).toBe(d === onvifOnly ? undefined : EMAIL);
    }
    await dialog.getByRole('button', { name: 'Close' }).click();
    guard.check();
  }, 60_000);

  it('resets a forgotten device password with the security code mailed to the reserved address', async () => {
    const d = camsim.manifest.devices[0]!;
    const ws = await wsClient(station.url);
    try {
      const added = await ws.call<{ id: number; name: string }>('devices.add', { address: d.ip, httpPort: d.ports.http, username: 'admin', password: passwords[0] });
      // Offered once the station asked the device (PasswdFind.getDescript): the device was activated with a reset e-mail.
      const open = page.locator(`li[data-device="${d.ip}"]`).getByRole('button', { name: `Reset the forgotten password of ${added.name}` });
      await poll(() => open.count()).toBe(1);
      await open.click();
      const dialog = page.getByTestId('reset-dialog');
      await dialog.getByRole('button', { name: 'Send code' }).click();
      await poll(() => dialog.getByTestId('reset-sent').textContent()).toBe('The device sent a security code to i***@example.com. It is valid for 10 minutes.');
      const code = /Security code: (\d{8})/.exec((await sink.next(EMAIL)).text)![1]!;
      const fresh = 'Found-Again-2026';
      await dialog.getByLabel('Security code from the mail').fill(code === '00000000' ? '11111111' : '00000000');
      await dialog.getByLabel('New password').fill(fresh);
      await dialog.getByLabel('Confirm password').fill(fresh);
      await dialog.getByRole('button', { name: 'Reset password' }).click();
      await poll(() => dialog.getByTestId('reset-error').textContent()).toBe('The security code is wrong; 4 tries left. Nothing was changed.');
      expect(await dialog.getByLabel('New password').inputValue()).toBe(fresh);
      expect(await axeViolations(page, '[data-testid=reset-dialog]')).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'devices-password-reset.png') });
      await dialog.getByLabel('Security code from the mail').fill(code);
      await dialog.getByRole('button', { name: 'Reset password' }).click();
      await poll(() => dialog.getByRole('status').textContent()).toBe('The device took the new password; the station uses it from now on.');
      const m = await (await fetch(`${camsim.manifest.control!}/devices/${d.id}`)).json() as { credentials?: { password: string } };
      expect(m.credentials?.password).toBe(fresh);
      // The station logs in with the new password (the device's time is read through its driver).
      expect(await ws.call('devices.time', { id: added.id })).toMatchObject({ tz: expect.any(String) });
      await page.keyboard.press('Escape');
      await poll(() => dialog.count()).toBe(0);
      guard.check();
    } finally {
      ws.close();
    }
  }, 60_000);
});
