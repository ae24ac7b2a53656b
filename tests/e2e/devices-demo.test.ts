// The demo's Devices page (issue 22 item 3), in Chromium against `npm run demo`: its scan finds the simulated cameras on
// loopback (probed by unicast where they answer: multicast does not go there), including a factory-new one; a finished scan
// says how many it found; "Add by IP" names the factory-new camera as such and its Activate button activates it, after which
// it is added. Nothing leaves the machine: the demo's station probes only the demo's loopback addresses.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { requireBuiltRenderer, ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
const SHOTS = process.env.WATCHPOST_SHOTS ?? join(ROOT, 'test-results');
let station: StationProcess, browser: Browser, page: Page, ws: WsClient, guard: ConsoleGuard;
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const PASSWORD = 'Demo-Fresh-2026';

beforeAll(async () => {
  requireBuiltRenderer();
  mkdirSync(SHOTS, { recursive: true });
  [station, browser] = await scope.all([startStation({ args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: 'random' } }), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/devices`, { viewport: { width: 1440, height: 900 } }));
}, 120_000);

describe('the demo\'s Devices page', () => {
  let fresh = '';

  it('a scan finds the demo\'s five cameras, one of them factory-new, and says how many it found', async () => {
    await poll(() => station.output()).toMatch(/demo: 4 simulated cameras and 1 factory-new/);
    expect(await page.locator('table.dev-scan tbody').textContent()).toBe('No devices yet: press Scan LAN.');
    await page.getByRole('button', { name: 'Scan LAN' }).click();
    await poll(() => page.locator('.page-head [role=status]').textContent()).toBe('Scan finished: 5 devices found');
    expect(await page.locator('table.dev-scan tbody tr[data-address]').count()).toBe(5);
    const uninit = page.locator('tr[data-status=uninitialised]');
    expect(await uninit.count()).toBe(1);
    fresh = (await uninit.getAttribute('data-address'))!;
    expect(await page.locator('tr[data-status=initialised]').count()).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'devices-demo-scan.png'), fullPage: true });
  }, 30_000);

  it('Add by IP names the factory-new camera as such; its Activate button activates it, and then it is added', async () => {
    const scanned = (await ws.call<{ address: string; httpPort: number }[]>('devices.scanResults', {})).find((d) => d.address === fresh)!;
    await page.getByText('Add by IP address').click();
    await page.locator('.dev-add input[name=address]').fill(fresh);
    await page.locator('.dev-add input[name=port]').fill(String(scanned.httpPort));
    const form = page.getByRole('form', { name: `Credentials for ${fresh}` });
    await form.getByLabel('Password').fill('Camsim-2024');
    await form.getByRole('button', { name: 'Add device' }).click();
    await poll(() => form.getByRole('alert').locator('.warn-text').textContent())
      .toBe(`${fresh} is factory-new: it has no administrator yet, so no password can log in. Activate it first (set its admin password), then add it.`);
    await page.screenshot({ path: join(SHOTS, 'devices-demo-factory-new.png'), fullPage: true });
    await form.getByRole('button', { name: `Activate ${fresh}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('h2').textContent()).toBe('Activate 1 device');
    await dialog.locator('input[name=password]').fill(PASSWORD);
    await dialog.locator('input[name=confirm]').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await poll(() => dialog.locator('[data-result=ok]').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'devices-demo-activated.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await poll(() => page.locator(`tr[data-address="${fresh}"]`).getAttribute('data-status')).toBe('initialised');
    expect(await form.getByRole('status').textContent()).toBe(`${fresh} is activated: enter its new password and add it.`);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Add device' }).click();
    await poll(() => page.locator(`li[data-device="${fresh}"]`).count(), 20_000).toBe(1);
    expect(await page.locator(`li[data-device="${fresh}"] .dev-name`).textContent()).toMatch(/^camsim-cam-05$/);
    guard.check();
  }, 60_000);

  it('interface checkboxes sit beside their names, and an RTSP camera without a cover says so (issue 22 item 14)', async () => {
    const ifaces = page.locator('details.dev-ifaces', { hasText: 'Interfaces' });
    await ifaces.locator('summary').click();
    const first = ifaces.locator('label').first();
    const box = (await first.locator('input').boundingBox())!;
    const text = (await first.locator('.mono').boundingBox())!;
    expect(box.width).toBeLessThan(24);
    expect(text.x - (box.x + box.width)).toBeLessThan(80);
    await ifaces.locator('summary').click();
    const empty = page.locator('li[data-rtsp] .dev-cover.empty').first();
    expect(await empty.getAttribute('aria-label')).toMatch(/^No cover image for cam-0\d CH\d$/);
    expect(await empty.getAttribute('title')).toContain('Cover… sets one from a snapshot or a file');
  });
});
