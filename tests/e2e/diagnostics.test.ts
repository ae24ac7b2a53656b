// "Create diagnostics" on the Status page, in Chromium against `npm run station` with a camsim camera: every file is shown
// before it is saved, and the saved zip holds none of the secrets and addresses the station knows.
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { launchChromium, openGuardedPage } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient } from '../helpers/ws-client';

const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page;

beforeAll(async () => {
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 1, subnet: 'random' }), startStation(), launchChromium()]);
  const ws = scope.add(await wsClient(station.url));
  await addCamsimChannel(ws, 'Loading bay', fleet.manifest.devices[0]!.channels[0]!);
  ({ page } = await openGuardedPage(browser, `${station.url}#/status`, { viewport: { width: 1280, height: 900 }, acceptDownloads: true }));
}, 90_000);

describe('diagnostics', () => {
  it('shows each file, then saves a zip without the camera password, its address or the station token', async () => {
    await page.click('[data-action=create-diagnostics]');
    await page.waitForSelector('.diag-files [data-file="configuration.json"]', { timeout: 20_000 });
    const names = await page.$$eval('.diag-files [data-file]', (els) => els.map((e) => e.getAttribute('data-file')));
    expect(names).toEqual(expect.arrayContaining(['README.txt', 'versions.json', 'system.json', 'configuration.json', 'recent-errors.json', 'logs/station.log']));
    await page.click('.diag-files [data-file="configuration.json"]');
    await page.waitForSelector('.diag-text[data-shown="configuration.json"]');
    const config = await page.textContent('.diag-text');
    expect(config).toContain('Loading bay');
    expect(config).toContain('rtsp://<address>');

    const download = page.waitForEvent('download');
    await page.click('[data-action=save-diagnostics]');
    const file = await (await download).path();
    const zip = unzipSync(readFileSync(file));
    expect(Object.keys(zip).sort()).toEqual([...names].sort());
    const all = Object.values(zip).map((b) => strFromU8(b)).join('\n');
    const cameraHost = new URL(fleet.manifest.devices[0]!.channels[0]!.main.rtsp).hostname;
    for (const planted of [DEFAULT_PASSWORD, cameraHost, station.token]) expect(all).not.toContain(planted);
  });
});
