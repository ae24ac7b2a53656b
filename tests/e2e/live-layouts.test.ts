// The custom layout editor in Chromium: a 1-big + 5-small layout made by drag and keyboard, picked, shown with video, kept over a reload.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addAllCamsimChannels } from '../helpers/station-setup';

const SHOTS = '/tmp/shots-live';
const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '3', '--channels', '2']), startStation(), launchChromium()]);
  await addAllCamsimChannels(station.url, camsim.manifest);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1440, height: 860 } }));
}, 120_000);

function tiles() {
  return page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.live .grid [data-tile]')].map((t) => {
    const v = t.querySelector<HTMLVideoElement>('video:not(.pending)');
    const r = t.getBoundingClientRect();
    return { w: Math.round(r.width), h: Math.round(r.height), frames: v?.getVideoPlaybackQuality().totalVideoFrames ?? 0 };
  }));
}

/** The centre of grid cell (col, row) of the editor's n×n grid. */
async function cellCentre(col: number, row: number, n: number) {
  const b = (await page.getByTestId('layout-grid').boundingBox())!;
  return { x: b.x + ((col + 0.5) / n) * b.width, y: b.y + ((row + 0.5) / n) * b.height };
}

async function expectOneBigFiveSmall() {
  await expect.poll(async () => (await tiles()).length, { timeout: 10_000 }).toBe(6);
  await expect.poll(async () => (await tiles()).filter((t) => t.frames > 5).length, { timeout: 60_000, interval: 1000 }).toBe(6);
  const t = await tiles();
  // Tile 2 (top-left corner at column 1, row 0) is the big one: twice as wide and high as the others.
  const small = t.filter((_, i) => i !== 1);
  for (const s of small) expect(Math.abs(s.w - small[0]!.w)).toBeLessThanOrEqual(2);
  expect(t[1]!.w).toBeGreaterThan(small[0]!.w * 1.8);
  expect(t[1]!.h).toBeGreaterThan(small[0]!.h * 1.8);
  const a = await tiles();
  await page.waitForTimeout(1500);
  const b = await tiles();
  for (let i = 0; i < 6; i++) expect(b[i]!.frames, `tile ${i} advances`).toBeGreaterThan(a[i]!.frames);
}

describe('custom layout editor', () => {
  it('merges cells by drag and by keyboard, refuses what cannot be saved, and saves a named layout', { timeout: 60_000 }, async () => {
    await page.getByRole('button', { name: 'Layouts', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Custom layout' });
    await dialog.getByLabel('Grid size').selectOption('3');
    const cells = () => page.locator('.le-cell');
    await expect.poll(() => cells().count()).toBe(9);

    // Drag from (1,0) to (2,1): one 2×2 tile, 5 single cells.
    const from = await cellCentre(1, 0, 3), to = await cellCentre(2, 1, 3);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => cells().count()).toBe(6);
    expect(await page.locator('.le-cell[data-size="2x2"]').count()).toBe(1);

    // Keyboard: Delete splits it again, Shift+arrows select the same rectangle, Enter merges.
    const grid = page.getByTestId('layout-grid');
    await grid.focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => cells().count()).toBe(9);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => cells().count()).toBe(6);
    expect(await page.locator('.le-cell[data-size="2x2"]').getAttribute('data-cell')).toBe('1');

    // A rectangle cutting through the big tile is refused with a reason; so is saving without a name.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(/cuts through a merged tile/);
    await dialog.getByRole('button', { name: 'Save layout' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toMatch(/name the layout/);
    expect(await cells().count()).toBe(6);

    await page.screenshot({ path: `${SHOTS}/layout-editor.png` });
    await dialog.getByLabel('Layout name').fill('Gate desk');
    await dialog.getByRole('button', { name: 'Save layout' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByRole('radio', { name: 'Gate desk' }).getAttribute('aria-checked')).toBe('true');
  });

  it('shows the cameras in the new layout with moving video', { timeout: 90_000 }, async () => {
    await expectOneBigFiveSmall();
    await page.screenshot({ path: `${SHOTS}/layout-custom.png` });
  });

  it('is still there, chosen, after a reload', { timeout: 90_000 }, async () => {
    await page.reload();
    await page.getByRole('radio', { name: 'Gate desk' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Gate desk' }).getAttribute('aria-checked')).toBe('true');
    await expectOneBigFiveSmall();
  });

  it('can be deleted; the grid falls back to a built-in layout', { timeout: 30_000 }, async () => {
    await page.getByRole('button', { name: 'Layouts', exact: true }).click();
    await page.getByRole('button', { name: 'Delete Gate desk' }).click();
    await page.getByRole('dialog', { name: 'Custom layout' }).getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('radio', { name: 'Gate desk' }).count()).toBe(0);
    expect(await page.getByRole('radio', { name: '4', exact: true }).getAttribute('aria-checked')).toBe('true');
    await page.reload();
    await page.getByRole('radio', { name: '4', exact: true }).waitFor();
    expect(await page.getByRole('radio', { name: 'Gate desk' }).count()).toBe(0);
    guard.check();
  });
});
