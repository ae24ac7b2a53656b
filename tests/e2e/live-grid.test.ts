// 16 cameras from camsim in a 16-tile grid, as a security desk sees them; faults raised through camsim's control endpoint.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { liveTiles } from '../helpers/live-tiles';
import { addAllCamsimChannels } from '../helpers/station-setup';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard;

beforeAll(async () => {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '8', '--channels', '2']), startStation(), launchChromium()]);
  await addAllCamsimChannels(station.url, camsim.manifest);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1440, height: 860 } }));
}, 120_000);

const tiles = () => liveTiles(page);

describe('16-tile live grid on camsim', () => {
  it('fills a 16-tile layout and shows moving video in every tile, from the sub streams', { timeout: 120_000 }, async () => {
    await expect.poll(async () => (await tiles()).length, { timeout: 10_000 }).toBe(16);
    await expect.poll(async () => (await tiles()).filter((t) => t.frames > 5).length, { timeout: 60_000, interval: 1000 }).toBe(16);
    const a = await tiles();
    // Until every tile has shown a new frame since (a tile that stopped keeps the poll from ending).
    let b = a;
    await expect.poll(async () => (b = await tiles()).filter((t, i) => t.frames > a[i]!.frames).length, { timeout: 10_000 }).toBe(16);
    for (let i = 0; i < 16; i++) {
      expect(b[i]!.frames, `tile ${i} advances`).toBeGreaterThan(a[i]!.frames);
      expect(b[i]!.stddev, `tile ${i} shows a picture`).toBeGreaterThan(10);
      expect(b[i]!.stream, `tile ${i} uses the sub stream`).toMatch(/\/sub$/);
      expect(b[i]!.width).toBe(640);
    }
    await page.screenshot({ path: join(ROOT, 'test-results', 'live-16.png') });
  });

  it('maximizing switches to the main stream without a black frame', { timeout: 60_000 }, async () => {
    await page.dblclick('[data-tile="0"]');
    const widths: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = (await tiles())[0]!;
      widths.push(t.width);
      if (t.stream.endsWith('/main') && t.width === 1920) break;
      await page.waitForTimeout(100);
    }
    expect(widths.at(-1)).toBe(1920);
    // At every sample the visible video had a picture: the sub stream stayed until the main one presented.
    expect(widths.every((w) => w > 0)).toBe(true);
    await page.dblclick('[data-tile="0"]');
  });

  it('a camera whose RTSP sessions drop shows it and recovers by itself', { timeout: 60_000 }, async () => {
    const device = camsim.manifest.devices[2]!;
    const tileOf = async (name: string) => page.locator(`[data-tile]:has(.tile-name:text-is("${name}"))`).getAttribute('data-tile');
    const tile = await tileOf(device.channels[0]!.name);
    const states: string[] = [];
    await camsim.fault(device.id, { type: 'drop-rtsp' });
    for (let i = 0; i < 150; i++) {
      const s = (await tiles())[Number(tile)]!.state!;
      if (states.at(-1) !== s) states.push(s);
      if (states.length > 1 && s === 'live') break;
      await page.waitForTimeout(100);
    }
    expect(states.length).toBeGreaterThan(1);
    expect(states.at(-1)).toBe('live');
  });

  it('a stalled camera (connection open, no data) is detected', { timeout: 90_000 }, async () => {
    const device = camsim.manifest.devices[3]!;
    const tile = await page.locator(`[data-tile]:has(.tile-name:text-is("${device.channels[0]!.name}"))`).getAttribute('data-tile');
    // Every state the tile passes through is recorded, so a short-lived one is not missed on a loaded machine.
    await page.evaluate((t) => {
      const el = document.querySelector(`[data-tile="${t}"]`)!;
      const seen: string[] = ((window as unknown as { tileStates: string[] }).tileStates = []);
      new MutationObserver(() => seen.push(el.getAttribute('data-state') ?? '')).observe(el, { attributes: true, attributeFilter: ['data-state'] });
    }, tile);
    // Seen stalled after 5 s without data (the station's default), checked every second: 8 s leaves it 3 s on a loaded machine.
    await camsim.fault(device.id, { type: 'stall', seconds: 8 });
    await page.waitForFunction(() => (window as unknown as { tileStates: string[] }).tileStates.includes('stalled'), null, { timeout: 30_000 });
    await page.waitForSelector(`[data-tile="${tile}"][data-state="live"]`, { timeout: 45_000 });
  });

  it('logged no console error', () => guard.check());
});
