// The Devices page in Chromium against the real station CLI and camsim (its own process). As root, the whole file re-runs
// inside a private network namespace (nothing but lo, multicast on), where the station discovers by multicast the way it
// does on a LAN and no packet can leave the machine; elsewhere the probes are unicast to camsim's addresses on loopback.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { fileScope } from '../helpers/fixtures';
import { HAS_UNSHARE, IS_ROOT, runInNetns } from '../helpers/netns';
import { requireBuiltRenderer, ROOT, startStation, type StationProcess } from '../helpers/station-process';

const INNER = process.env.WATCHPOST_NETNS_INNER === '1';
const netnsSkip = INNER ? 'already inside' : !IS_ROOT ? 'not root' : !HAS_UNSHARE ? 'unshare(1) missing' : '';
const OUTER = netnsSkip === '';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, consoleGuard: ConsoleGuard;
const NEW_PASSWORD = 'Fresh-Pass-2026';
const GRACE_MS = 1500;
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

describe.skipIf(!OUTER)('Devices page in Chromium, in a network namespace with multicast discovery', () => {
  it('passes every step inside a fresh namespace', async () => {
    const { code, out } = await runInNetns('tests/e2e/devices-ui.test.ts', { WATCHPOST_NETNS_INNER: '1' }, ['--maxWorkers', '1']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/tests: [1-9]\d* passed, 0 failed/);
  }, 240_000);
});

if (!OUTER) {
  beforeAll(async () => {
    requireBuiltRenderer();
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    camsim = scope.add(await startCamsim(['--devices', '4', '--uninitialized', '2', '--nvr', '4', '--no-video', ...(INNER ? ['--multicast'] : [])]));
    // Unicast: each device's address, and where camsim's DHCP lease would put it (<subnet>.<200 + index>), are probed.
    const lease = (d: { ip: string; index: number }) => `${d.ip.split('.').slice(0, 3).join('.')}.${200 + d.index}`;
    const targets = camsim.manifest.devices.flatMap((d) => [d.ip, lease(d)].map((ip) => `${ip}:${d.ports.wsDiscovery}:${d.ports.dhip}`)).join(',');
    const env: NodeJS.ProcessEnv = { WATCHPOST_DEVICE_GRACE_MS: String(GRACE_MS), ...(INNER ? {} : { WATCHPOST_DISCOVER_UNICAST: targets }) };
    [station, browser] = await scope.all([startStation({ env }), launchChromium()]);
    ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/devices`, { viewport: { width: 1440, height: 1000 } }));
  }, 90_000);
}

describe.skipIf(OUTER)(`Devices page in Chromium${INNER ? ' (multicast, inside the namespace)' : ` (unicast: ${netnsSkip})`}`, () => {
  it('a scan lists every camsim device with the right fields and status', async () => {
    await page.getByRole('button', { name: 'Scan LAN' }).click();
    await poll(() => page.locator('table.dev-scan tbody tr[data-address]').count()).toBe(camsim.manifest.devices.length);
    for (const d of camsim.manifest.devices) {
      const row = page.locator(`tr[data-address="${d.ip}"]`);
      await poll(() => row.getAttribute('data-status')).toBe(d.initialized ? 'initialised' : 'uninitialised');
      expect(await row.locator('[data-col=model]').textContent()).toBe(d.model);
      expect(await row.locator('[data-col=vendor]').textContent()).toBe(d.manufacturer);
      expect(await row.locator('[data-col=mac]').textContent()).toBe(d.mac.toUpperCase());
      expect(await row.locator('[data-col=serial]').textContent()).toBe(d.serial);
      expect(await row.locator('[data-col=firmware]').textContent()).toBe(d.firmware);
      expect(await row.locator('[data-col=channels]').textContent()).toBe(String(d.channels.length));
    }
  }, 30_000);

  it('activates the uninitialised ones in one batch, the password rule shown as the user types', async () => {
    const uninit = camsim.manifest.devices.filter((d) => !d.initialized);
    for (const d of uninit) await page.locator(`tr[data-address="${d.ip}"] input[type=checkbox]`).check();
    await page.getByRole('button', { name: `Activate ${uninit.length}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('input[name=password]').fill('short');
    expect(await dialog.locator('.pw-rule li.ok').count()).toBe(1);
    expect(await dialog.getByRole('button', { name: 'Activate' }).isDisabled()).toBe(true);
    await dialog.locator('input[name=password]').fill(NEW_PASSWORD);
    expect(await dialog.locator('.pw-rule li.ok').count()).toBe(3);
    await dialog.locator('input[name=confirm]').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await poll(() => dialog.locator('[data-result=ok]').count()).toBe(uninit.length);
    expect(await dialog.locator('progress').getAttribute('value')).toBe(String(uninit.length));
    for (const d of uninit) await poll(() => page.locator(`tr[data-address="${d.ip}"]`).getAttribute('data-status')).toBe('initialised');
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 30_000);

  it('adds the NVR from the scan and shows its channel tree', async () => {
    const nvr = camsim.manifest.devices.find((d) => d.kind === 'nvr')!;
    const row = page.locator(`tr[data-address="${nvr.ip}"]`);
    await row.getByRole('button', { name: `Add ${nvr.ip}` }).click();
    await row.getByLabel('Password').fill(nvr.credentials!.password);
    await row.getByRole('button', { name: 'Add device' }).click();
    await poll(() => row.getAttribute('data-status')).toBe('added');
    const item = page.locator(`li[data-device="${nvr.ip}"]`);
    await poll(() => item.count()).toBe(1);
    await item.locator('.dev-toggle').click();
    await poll(() => item.locator('li[data-channel]').count()).toBe(nvr.channels.length);
    expect(await item.locator('li[data-channel]').first().textContent()).toContain('main · sub');
  }, 30_000);

  it('changes the NVR IP and time zone in the batch dialog: the device shows at its new address and the zone reads back', async () => {
    const nvr = camsim.manifest.devices.find((d) => d.kind === 'nvr')!;
    const parts = nvr.ip.split('.');
    const to = `${parts[0]}.${parts[1]}.${parts[2]}.${Number(parts[3]) + 100}`;
    const tz = 'EST5EDT,M3.2.0,M11.1.0';
    await page.locator(`li[data-device="${nvr.ip}"] input[type=checkbox]`).first().check();
    await page.getByRole('button', { name: 'Configure 1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(`New IP for ${nvr.ip}`).fill(to);
    await dialog.getByLabel('Set time zone').check();
    await dialog.locator('input[name=tz]').fill(tz);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await poll(() => dialog.locator('[data-result=ok]').count(), 25_000).toBe(1);
    await poll(() => page.locator(`li[data-device="${to}"]`).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Read time zone' }).click();
    await poll(() => dialog.locator('[data-testid=device-tz]').textContent()).toContain(`${tz} (DST)`);
    await page.screenshot({ path: join(ROOT, 'test-results', 'devices-page.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    consoleGuard.check();
  }, 40_000);

  it('the added NVR\'s own events reach the Events list; taken offline, it raises device offline after the grace period', async () => {
    const nvr = camsim.manifest.devices.find((d) => d.kind === 'nvr')!;
    await page.click('nav [data-view=events]');
    await page.waitForSelector('.ev-filters');
    // The station subscribes to the device's events when it is added; raise until the first one arrives.
    await poll(async () => {
      await camsim.event(nvr.id, { kind: 'temperature', channel: 2, value: 21.5 });
      return page.locator('.ev-row[data-type=temperature]').count();
    }).toBeGreaterThan(0);
    expect(await page.locator('.ev-row[data-type=temperature] .ev-detail').first().textContent()).toBe('21.5 °C');
    const gone = Date.now();
    await camsim.fault(nvr.id, { type: 'offline', seconds: (GRACE_MS + 8000) / 1000 });
    await page.waitForSelector('.ev-row[data-type=device_offline]', { timeout: 20_000 });
    expect(Date.now() - gone).toBeGreaterThanOrEqual(GRACE_MS);
    await page.click('nav [data-view=devices]');
    // The fault lasts GRACE_MS + 8 s: the device shows offline, then online again once it answers.
    await poll(() => page.locator(`li[data-device] [data-status]`).first().getAttribute('data-status'), 20_000).toBe('offline');
    await poll(() => page.locator(`li[data-device] [data-status]`).first().getAttribute('data-status'), 20_000).toBe('online');
    consoleGuard.check();
  }, 60_000);

  it('switches the NVR to DHCP in the batch dialog and finds it again at its lease', async () => {
    const nvr = camsim.manifest.devices.find((d) => d.kind === 'nvr')!;
    const item = page.locator('li[data-device]').first();
    const from = (await item.getAttribute('data-device'))!;
    const to = `${from.split('.').slice(0, 3).join('.')}.${200 + nvr.index}`;
    await item.locator('input[type=checkbox]').first().check();
    await page.getByRole('button', { name: 'Configure 1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(`DHCP for ${from}`).check();
    expect(await dialog.getByLabel(`New IP for ${from}`).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await poll(() => dialog.locator('[data-result=ok], [data-result=failed]').count(), 30_000).toBe(1);
    expect(await dialog.locator(`tr[data-configure] td[data-result]`).textContent()).toBe('done');
    await poll(() => page.locator(`li[data-device="${to}"]`).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    consoleGuard.check();
  }, 60_000);
});
