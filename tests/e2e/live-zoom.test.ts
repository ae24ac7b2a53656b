// Digital zoom and full screen on the Live page in Chromium: the wheel zooms a tile about the pointer (the point under it
// stays put), a drag pans, 0 resets; Full screen puts the grid alone on the screen with its video playing.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { liveTiles } from '../helpers/live-tiles';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addAllCamsimChannels } from '../helpers/station-setup';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard;
const VIEWPORT = { width: 1280, height: 720 };

beforeAll(async () => {
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '2', '--channels', '2']), startStation(), launchChromium()]);
  await addAllCamsimChannels(station.url, camsim.manifest);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: VIEWPORT }));
}, 120_000);

const tile = () => page.locator('[data-tile="0"]');
const media = async () => (await tile().locator('.tile-media').boundingBox())!;
const badge = () => tile().locator('.tile-bar .badge').allTextContents();

describe('digital zoom', () => {
  it('starts with four tiles of moving video', { timeout: 90_000 }, async () => {
    await expect.poll(async () => (await liveTiles(page)).filter((t) => t.frames > 3).length, { timeout: 60_000, interval: 1000 }).toBe(4);
  });

  it('the wheel zooms about the pointer: the picture point under it stays put, the tile says how far', { timeout: 30_000 }, async () => {
    const box = (await tile().boundingBox())!;
    const at = { x: box.x + box.width * 0.7, y: box.y + box.height * 0.3 };
    const before = await media();
    const fraction = (m: { x: number; y: number; width: number; height: number }) => ({ fx: (at.x - m.x) / m.width, fy: (at.y - m.y) / m.height });
    await page.mouse.move(at.x, at.y);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -100);
    await expect.poll(async () => (await media()).width / before.width, { timeout: 5000 }).toBeGreaterThan(1.5);
    const after = await media();
    const f0 = fraction(before), f1 = fraction(after);
    expect(Math.abs(f1.fx - f0.fx)).toBeLessThan(0.01);
    expect(Math.abs(f1.fy - f0.fy)).toBeLessThan(0.01);
    const scale = after.width / before.width;
    expect(await badge()).toContain(`${scale.toFixed(1)}×`);
    // Still moving video under the zoom.
    const a = (await liveTiles(page))[0]!.frames;
    await expect.poll(async () => (await liveTiles(page))[0]!.frames, { timeout: 10_000 }).toBeGreaterThan(a + 5);
  });

  it('a drag pans the zoomed picture by as much as the pointer moved', { timeout: 20_000 }, async () => {
    const before = await media();
    const box = (await tile().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 - 30, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => Math.round((await media()).x - before.x)).toBe(-60);
    expect(Math.round((await media()).y - before.y)).toBe(-30);
    expect((await media()).width).toBeCloseTo(before.width, 0);
  });

  it('0 on the tile puts the whole picture back; zooming out past 1× stops at the whole picture', { timeout: 20_000 }, async () => {
    await tile().focus();
    await page.keyboard.press('0');
    const box = (await tile().boundingBox())!;
    // The picture fills the tile inside its border again.
    const whole = async () => { const m = await media(); return Math.abs(m.width - box.width) <= 4 && Math.abs(m.x - box.x) <= 2; };
    await expect.poll(whole).toBe(true);
    expect((await badge()).some((b) => b.endsWith('×'))).toBe(false);
    await page.mouse.move(box.x + 20, box.y + 20);
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, 200);
    // Each wheel step renders: after the last one the picture is still whole (the scale stops at 1).
    await page.waitForTimeout(300);
    expect(await whole()).toBe(true);
  });
});

describe('full screen', () => {
  it('Full screen shows the grid alone over the whole screen, video playing; leaving it gives the page back', { timeout: 30_000 }, async () => {
    await page.getByRole('button', { name: 'Full screen', exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute('role') ?? null), { timeout: 5000 }).toBe('grid');
    await expect.poll(async () => {
      const g = (await page.locator('.live .grid').boundingBox())!;
      return [Math.round(g.width), Math.round(g.height)];
    }, { timeout: 5000 }).toEqual([VIEWPORT.width, VIEWPORT.height]);
    const a = await liveTiles(page);
    await expect.poll(async () => (await liveTiles(page)).every((t, i) => t.frames > a[i]!.frames + 3), { timeout: 15_000 }).toBe(true);
    await page.evaluate(() => document.exitFullscreen());
    await expect.poll(() => page.evaluate(() => document.fullscreenElement === null)).toBe(true);
    expect((await page.locator('.live .grid').boundingBox())!.width).toBeLessThan(VIEWPORT.width);
    guard.check();
  });
});
