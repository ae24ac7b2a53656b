// Saved views, custom layouts and the tour follow the user to another desk: they are the station's, so a view saved in one
// browser (its own storage) opens in another with its layout and cameras, and changes at one desk reach the other at once.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { liveTiles } from '../helpers/live-tiles';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addAllCamsimChannels } from '../helpers/station-setup';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser;
let a: Page, b: Page, guardA: ConsoleGuard, guardB: ConsoleGuard;
const desk = { viewport: { width: 1280, height: 720 } };
/** What another desk hears comes through the station, which shares two cores with the tests' video: give it time. */
const soon = { timeout: 30_000, interval: 250 };

beforeAll(async () => {
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '2', '--channels', '2']), startStation(), launchChromium()]);
  await addAllCamsimChannels(station.url, camsim.manifest);
  // Two desks: each page is a browser context of its own (its own local storage). Small windows: sub streams only.
  ({ page: a, guard: guardA } = await openGuardedPage(browser, `${station.url}#/live`, desk));
  ({ page: b, guard: guardB } = await openGuardedPage(browser, `${station.url}#/live`, desk));
}, 120_000);

const viewNames = (p: Page) => p.getByLabel('Saved views').locator('option').evaluateAll((os) => os.slice(1).map((o) => o.textContent));
const streams = async (p: Page) => (await liveTiles(p)).map((t) => t.stream.split('/')[0] ?? '');
const checked = (p: Page, name: string) => p.getByRole('radio', { name, exact: true }).getAttribute('aria-checked');

describe('the Live desk kept by the station', () => {
  it('a custom layout and a view saved at one desk appear at the other without a reload', { timeout: 90_000 }, async () => {
    // Desk A: a 2×2 grid with its top row merged (3 tiles), saved as "Top wide".
    await a.getByRole('button', { name: 'Layouts', exact: true }).click();
    const dialog = a.getByRole('dialog', { name: 'Custom layout' });
    await dialog.getByLabel('Grid size').selectOption('2');
    await a.getByTestId('layout-grid').focus();
    await a.keyboard.press('Shift+ArrowRight');
    await a.keyboard.press('Enter');
    await dialog.getByLabel('Layout name').fill('Top wide');
    await dialog.getByRole('button', { name: 'Save layout' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await checked(a, 'Top wide')).toBe('true');
    await expect.poll(async () => (await liveTiles(a)).length, soon).toBe(3);
    // Its three tiles show cameras with moving video; the view keeps which camera is where.
    await expect.poll(async () => (await liveTiles(a)).filter((t) => t.frames > 3).length, { timeout: 60_000, interval: 1000 }).toBe(3);
    const shownA = await streams(a);
    await a.getByLabel('Name for the saved view').fill('Gate desk');
    await a.getByRole('button', { name: 'Save view' }).click();
    await a.getByRole('status').filter({ hasText: 'View "Gate desk" saved' }).waitFor();

    // Desk B (opened before, never reloaded) hears of both.
    await expect.poll(() => viewNames(b), soon).toEqual(['Gate desk']);
    await b.getByRole('radio', { name: 'Top wide', exact: true }).waitFor({ timeout: 30_000 });
  });

  it('the other desk opens the view: the same layout with the same cameras in the same tiles', { timeout: 90_000 }, async () => {
    await b.getByLabel('Saved views').selectOption('Gate desk');
    expect(await checked(b, 'Top wide')).toBe('true');
    await expect.poll(async () => (await liveTiles(b)).filter((t) => t.frames > 3).length, { timeout: 60_000, interval: 1000 }).toBe(3);
    expect(await streams(b)).toEqual(await streams(a));
  });

  it('a desk that never saw it (a fresh browser) finds it too; the tour time set there reaches the first desk', { timeout: 60_000 }, async () => {
    const { page: c, guard: guardC } = await openGuardedPage(browser, `${station.url}#/live`, desk);
    await expect.poll(() => viewNames(c), soon).toEqual(['Gate desk']);
    const seconds = c.getByLabel('Seconds per view in the tour');
    await seconds.fill('45');
    await seconds.press('Enter');
    await expect.poll(() => a.getByRole('button', { name: /^Tour/ }).textContent(), soon).toBe('Tour 45s');
    guardC.check();
    await c.close();
  });

  it('deleted at one desk, gone at the other; still gone after a reload', { timeout: 60_000 }, async () => {
    await b.getByRole('button', { name: 'Delete the saved view Gate desk' }).click();
    await expect.poll(() => viewNames(a), soon).toEqual([]);
    await a.reload();
    await a.getByRole('radio', { name: 'Top wide', exact: true }).waitFor({ timeout: 30_000 });
    expect(await viewNames(a)).toEqual([]);
    guardA.check();
    guardB.check();
  });
});
