// A layout popped out to a window of its own (browser mode: a new window of the same station), in Chromium with a real
// station and camsim cameras: it plays that layout's tiles, follows the main window's cameras, keeps its own layout, and
// an alarm that pops a camera up does so in both windows.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { liveTiles } from '../helpers/live-tiles';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel, addOnvifEventSource, eventSourceConnected } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = '/tmp/shots-popout';
const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, context: BrowserContext, main: Page, guard: ConsoleGuard, ws: WsClient;
let door: number, yard: number;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 2, subnet: 'random' }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  const [ch1, ch2] = fleet.manifest.devices[0]!.channels;
  door = await addCamsimChannel(ws, 'Side door', ch1!);
  yard = await addCamsimChannel(ws, 'Yard', ch2!);
  await addOnvifEventSource(ws, fleet, door);
  await ws.call('alarms.saveRule', { name: 'Side door pop-up', enabled: true, types: ['door'], channelIds: [door], schedule: '1'.repeat(336), actions: ['popup'] });
  await eventSourceConnected(ws, 15_000);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  main = await context.newPage();
  guard = guardConsole(main);
  await main.goto(`${station.url}#/live`);
  await main.waitForSelector('.conn-open');
}, 120_000);

/** Which camera each tile shows (its name, or '' when empty), read from the tiles' labels. */
const cameras = (page: Page) => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-tile]')].map((t) => t.querySelector('.tile-name')?.textContent ?? ''));

async function playing(page: Page, tiles: number[]): Promise<void> {
  await expect.poll(async () => (await liveTiles(page)).filter((t, i) => tiles.includes(i) && t.frames > 5).length, { timeout: 60_000, interval: 1000 }).toBe(tiles.length);
  const a = await liveTiles(page);
  await page.waitForTimeout(1500);
  const b = await liveTiles(page);
  for (const i of tiles) expect(b[i]!.frames, `tile ${i} advances`).toBeGreaterThan(a[i]!.frames);
}

describe('pop out a layout (browser mode)', () => {
  let pop: Page, popGuard: ConsoleGuard;

  it('opens the layout alone in a new window of the same station, its tiles playing', { timeout: 120_000 }, async () => {
    await main.getByRole('radio', { name: '4', exact: true }).click();
    await expect.poll(() => cameras(main)).toEqual(['Side door', 'Yard', '', '']);
    [pop] = await Promise.all([context.waitForEvent('page'), main.getByTestId('pop-out').click()]);
    popGuard = guardConsole(pop);
    await pop.waitForSelector('.popout [data-tile]');
    expect(new URL(pop.url()).hash).toBe('#/live?layout=4&window=popout');
    expect(await pop.title()).toBe('Layout 4, own window — Watchpost');
    // No navigation, no camera list, no bar: the grid alone.
    expect(await pop.locator('nav, .camera-tree, .tree-item').count()).toBe(0);
    expect(await pop.locator('.live-bar').isVisible()).toBe(false);
    expect(await cameras(pop)).toEqual(['Side door', 'Yard', '', '']);
    await playing(pop, [0, 1]);
    await playing(main, [0, 1]);
    // Popping the same layout out again brings its window forward instead of opening another.
    await main.getByTestId('pop-out').click();
    await main.waitForTimeout(500);
    expect(context.pages()).toHaveLength(2);
  });

  it('follows the main window\'s cameras but keeps its own layout', { timeout: 60_000 }, async () => {
    // The main window puts the side door into tile 4 (select the tile, double-click the camera).
    await main.locator('[data-tile="3"]').click();
    await main.locator(`.tree-item[data-channel="${door}"]`).dblclick();
    await expect.poll(() => cameras(main)).toEqual(['', 'Yard', '', 'Side door']);
    await expect.poll(() => cameras(pop)).toEqual(['', 'Yard', '', 'Side door']);
    await playing(pop, [1, 3]);
    await main.screenshot({ path: `${SHOTS}/main.png` });
    await pop.screenshot({ path: `${SHOTS}/popout.png` });
  });

  it('an alarm that pops a camera up does so in both windows', { timeout: 60_000 }, async () => {
    fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: true });
    for (const page of [main, pop]) {
      await page.waitForSelector('.tile.maximized[aria-label^="Side door"]', { timeout: 20_000 });
      expect(await page.locator('.tile.maximized').getAttribute('data-tile')).toBe('3');
    }
    await pop.screenshot({ path: `${SHOTS}/popout-alarm.png` });
    fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: false });
    // The main window changes its layout; the pop-out keeps its four tiles.
    await main.getByRole('radio', { name: '9', exact: true }).click();
    await expect.poll(() => main.locator('[data-tile]').count()).toBe(9);
    await pop.waitForTimeout(500);
    expect(await pop.locator('[data-tile]').count()).toBe(4);
    expect(yard).toBeGreaterThan(0);
    guard.check();
    popGuard.check();
  });
});
