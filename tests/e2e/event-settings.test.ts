// Settings page: event retention and the disk-low threshold, validated with a clear error; the threshold applies at once.
// The MQTT section: a broker address refused in words, the Test button's answer, the password kept as a secret, the status.
import type { Browser, Page } from 'playwright-core';
import type { CallOutput } from '../../electron/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { gotoAndWait, guardConsole, launchChromium } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort } from '../helpers/in-process-station';
import { startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let station: StationProcess, browser: Browser, page: Page, ws: WsClient;
const form = 'form[aria-label="Events and alarms settings"]';

beforeAll(async () => {
  [station, browser] = await scope.all([startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  page = await gotoAndWait(browser.newPage({ viewport: { width: 1280, height: 800 } }), `${station.url}#/settings`, `${form} input[name=retentionDays]`);
}, 60_000);

describe('event settings', () => {
  it('refuses bad values with a message naming the field and keeps what was stored; a disk-low level above the free space raises Disk low', async () => {
    const guard = guardConsole(page);
    await expect.poll(() => page.inputValue(`${form} input[name=retentionDays]`)).toBe('90');
    expect(await page.inputValue(`${form} input[name=diskLowValue]`)).toBe('4');

    await page.fill(`${form} input[name=retentionDays]`, '0');
    await page.click(`${form} button[type=submit]`);
    expect(await page.textContent(`${form} [role=alert]`, { timeout: 5000 })).toBe('Keep events (days) must be at least 1.');

    await page.fill(`${form} input[name=retentionDays]`, '30');
    await page.fill(`${form} input[name=diskLowValue]`, '150');
    await page.selectOption(`${form} select[name=diskLowUnit]`, 'percent');
    await page.click(`${form} button[type=submit]`);
    await expect.poll(() => page.textContent(`${form} [role=alert]`)).toBe('Disk low below must be less than 100.');

    await page.fill(`${form} input[name=diskLowValue]`, 'lots');
    await page.click(`${form} button[type=submit]`);
    await expect.poll(() => page.textContent(`${form} [role=alert]`)).toBe('Disk low below: enter a number of percent');
    expect(await ws.call('events.settings', {})).toEqual({ retentionDays: 90, diskLowValue: 4, diskLowUnit: 'GiB' });
    expect(await ws.call('events.list', { types: ['disk_low'] })).toEqual([]);

    // 99.9 % of the disk free is more than any disk in use has: Disk low at once.
    await page.fill(`${form} input[name=diskLowValue]`, '99.9');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector(`${form} [role=status]:has-text("Saved")`);
    expect(await ws.call('events.settings', {})).toEqual({ retentionDays: 30, diskLowValue: 99.9, diskLowUnit: 'percent' });
    await page.click('nav [data-view=events]');
    await page.waitForSelector('.ev-row[data-type=disk_low]', { timeout: 10_000 });
    expect(await page.textContent('.ev-row[data-type=disk_low] .ev-detail')).toMatch(/MiB free in /);
    guard.check();
  }, 60_000);

  it('MQTT: refuses a broker address that is not mqtt://, tests the connection, keeps the password and shows the status', async () => {
    const guard = guardConsole(page);
    const mqtt = 'form[aria-label="MQTT publishing"]';
    await page.click('nav [data-view=settings]');
    await expect.poll(() => page.inputValue(`${mqtt} input[name=mqtt-topicPrefix]`)).toBe('watchpost');
    expect(await page.textContent(`${mqtt} .mqtt-status`)).toContain('Off');

    await page.fill(`${mqtt} input[name=mqtt-brokerUrl]`, 'http://127.0.0.1:1883');
    await page.click(`${mqtt} button[type=submit]`);
    await expect.poll(() => page.textContent(`${mqtt} [role=alert]`)).toBe('Broker address must be an mqtt:// or mqtts:// address with a host, e.g. mqtt://192.168.1.10:1883.');

    const port = await freeTcpPort();
    await page.fill(`${mqtt} input[name=mqtt-brokerUrl]`, `mqtt://127.0.0.1:${port}`);
    await page.click(`${mqtt} button:has-text("Test connection")`);
    await expect.poll(() => page.textContent(`${mqtt} [role=alert]`), { timeout: 5000 }).toBe(`Nothing answers at 127.0.0.1:${port}: the connection was refused. Check the broker's address and port.`);

    await page.check(`${mqtt} input[name=mqtt-enabled]`);
    await page.fill(`${mqtt} input[name=mqtt-username]`, 'station');
    await page.fill(`${mqtt} input[name=mqtt-password]`, 'Mqtt-e2e-Secret-1');
    await page.click(`${mqtt} button[type=submit]`);
    await page.waitForSelector(`${mqtt} [role=status]:has-text("Saved")`);
    const stored = await ws.call<CallOutput<'mqtt.get'>>('mqtt.get', {});
    expect(stored.settings).toEqual({ enabled: true, brokerUrl: `mqtt://127.0.0.1:${port}`, username: 'station', topicPrefix: 'watchpost', hasPassword: true });
    expect(JSON.stringify(stored)).not.toContain('Mqtt-e2e-Secret-1');
    // The password field is empty again and says a password is kept; the status turns red with the reason, as it happens.
    await expect.poll(() => page.inputValue(`${mqtt} input[name=mqtt-password]`)).toBe('');
    expect(await page.getAttribute(`${mqtt} input[name=mqtt-password]`, 'placeholder')).toBe('kept; type to replace');
    await page.waitForSelector(`${mqtt} .mqtt-status .bad-dot`, { timeout: 10_000 });
    expect(await page.textContent(`${mqtt} .mqtt-status`)).toContain('Not connected, retrying');
    expect(await page.textContent(`${mqtt} .mqtt-status .error`)).toContain(`Nothing answers at 127.0.0.1:${port}`);
    guard.check();
  }, 30_000);
});
