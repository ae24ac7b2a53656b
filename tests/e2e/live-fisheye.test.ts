// Fisheye de-warping on the Live page in Chromium (WebGL 2): the lens set in its dialog, then the tile shown as one view,
// four and a panorama, drawn from the live video; a drag and the keys of the tile's PTZ mode turn a view.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASK_RGB } from '../../electron/contract';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { liveTiles } from '../helpers/live-tiles';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addAllCamsimChannels } from '../helpers/station-setup';
import { wsClient } from '../helpers/ws-client';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page;

beforeAll(async () => {
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1']), startStation(), launchChromium()]);
  await addAllCamsimChannels(station.url, camsim.manifest);
  ({ page } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1280, height: 720 } }));
}, 120_000);

const tile = () => page.locator('[data-tile="0"]');
const canvas = () => tile().locator('.fisheye canvas');
const views = async () => JSON.parse((await canvas().getAttribute('data-views')) ?? '[]') as { pan: number; tilt: number; fov: number }[];
const drawn = async () => Number((await canvas().getAttribute('data-drawn')) ?? 0);
/** The canvas scaled down to 64×36, its pixels as [r, g, b] (read in the page). */
const pixels = async () => {
  const d = await canvas().evaluate((c: HTMLCanvasElement) => {
    const g = document.createElement('canvas');
    g.width = 64; g.height = 36;
    const ctx = g.getContext('2d')!;
    ctx.drawImage(c, 0, 0, 64, 36);
    return [...ctx.getImageData(0, 0, 64, 36).data];
  });
  const out: [number, number, number][] = [];
  for (let i = 0; i < d.length; i += 4) out.push([d[i]!, d[i + 1]!, d[i + 2]!]);
  return out;
};
/** Share of the canvas's pixels that are not black (the picture drawn, not the outside of the lens). */
const lit = async () => {
  const px = await pixels();
  return px.filter(([r, g, b]) => r + g + b > 60).length / px.length;
};

describe('fisheye de-warping', () => {
  it('the lens is set in its dialog and kept by the station', { timeout: 90_000 }, async () => {
    await expect.poll(async () => (await liveTiles(page))[0]?.frames ?? 0, { timeout: 60_000, interval: 500 }).toBeGreaterThan(3);
    await tile().click();
    await tile().locator('[data-testid=tile-lens]').click();
    const dialog = page.getByRole('dialog', { name: /Lens:/ });
    await dialog.getByLabel('Fisheye lens').check();
    await dialog.getByLabel('Mounting').selectOption('wall');
    await dialog.getByLabel('Radius (% of height)').fill('48');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    const ws = await wsClient(station.url);
    scope.defer(() => ws.close());
    const [ch] = await ws.call<{ lens?: unknown }[]>('channels.list', {});
    expect(ch!.lens).toEqual({ cx: 0.5, cy: 0.5, radius: 0.48, mount: 'wall' });
  });

  it('one view drawn from the live video; a drag turns it', { timeout: 30_000 }, async () => {
    await tile().locator('[data-testid=tile-dewarp]').click();
    await expect.poll(() => tile().locator('[data-dewarp]').getAttribute('data-dewarp')).toBe('single');
    const first = await drawn();
    await expect.poll(drawn, { timeout: 5000 }).toBeGreaterThan(first + 5);
    expect(await lit()).toBeGreaterThan(0.5);
    const before = (await views())[0]!;
    const box = (await canvas().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2 + 60, { steps: 5 });
    await page.mouse.up();
    const after = (await views())[0]!;
    expect(after.pan).toBeLessThan(before.pan - 10);
    expect(after.tilt).toBeGreaterThan(before.tilt);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => (await views())[0]!.fov).toBeLessThan(after.fov);
  });

  it('F shows four views, P and the arrows turn the active one, then the panorama, then the picture as it comes', { timeout: 30_000 }, async () => {
    await tile().focus();
    await page.keyboard.press('f');
    await expect.poll(async () => (await views()).length).toBe(4);
    const before = await views();
    await page.keyboard.press('p');
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await views())[0]!.pan).toBeGreaterThan(before[0]!.pan);
    expect((await views()).slice(1)).toEqual(before.slice(1));
    await page.screenshot({ path: 'test-results/live-fisheye-quad.png' });
    await page.keyboard.press('Escape');
    await tile().focus();
    await page.keyboard.press('f');
    await expect.poll(() => tile().locator('[data-dewarp]').getAttribute('data-dewarp')).toBe('panorama');
    await expect.poll(lit).toBeGreaterThan(0.3);
    await page.screenshot({ path: 'test-results/live-fisheye-panorama.png' });
    await page.keyboard.press('f');
    await expect.poll(() => tile().locator('[data-dewarp]').count()).toBe(0);
    expect(await tile().locator('[data-testid=tile-dewarp]').textContent()).toBe('Fisheye');
  });

  it('privacy masks are burnt in before de-warping: a mask over the whole picture leaves only mask grey', { timeout: 30_000 }, async () => {
    const ws = await wsClient(station.url);
    scope.defer(() => ws.close());
    const [ch] = await ws.call<{ id: number }[]>('channels.list', {});
    await ws.call('masks.save', { channelId: ch!.id, masks: [{ name: 'All', kind: 'permanent', points: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }] }] });
    await tile().focus();
    await page.keyboard.press('f');
    await expect.poll(() => tile().locator('[data-dewarp]').getAttribute('data-dewarp')).toBe('single');
    // Every pixel is the mask's grey or the black outside the lens: nothing of the picture.
    const grey = (p: number[]) => p.every((v, i) => Math.abs(v - MASK_RGB[i]!) < 6);
    await expect.poll(async () => {
      const px = await pixels();
      return px.filter((p) => !grey(p) && p[0] + p[1] + p[2] > 30).length / px.length;
    }, { timeout: 10_000 }).toBeLessThan(0.01);
  });
});
