// Local motion detection end to end: camsim draws a moving box into a still picture (its control endpoint), the station
// detects it on the channel's decoded sub stream, and once the user masks that area in the mask editor it is ignored.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { gotoAndWait, guardConsole, launchChromium } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const COLS = 16;
const ROWS = 9;
/** Where camsim draws motion, aligned to the mask's cells: columns 8-11, rows 3-5. */
const REGION = { x: 8 / COLS, y: 3 / ROWS, w: 4 / COLS, h: 3 / ROWS };
const cellsOf = (r: typeof REGION) => {
  const out: number[] = [];
  for (let row = Math.round(r.y * ROWS); row < Math.round((r.y + r.h) * ROWS); row++) {
    for (let col = Math.round(r.x * COLS); col < Math.round((r.x + r.w) * COLS); col++) out.push(row * COLS + col);
  }
  return out;
};
/** camsim's on-screen clock (row 2, left) and its timestamp code strip (bottom two rows) change every frame, as a camera OSD does. */
const OSD_CELLS = [...Array.from({ length: 6 }, (_, c) => COLS + c), ...Array.from({ length: 2 * COLS }, (_, i) => 7 * COLS + i)];

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, ws: WsClient;
let channelId: number;
let device: string;

interface Ev { id: number; type: string; source: string; channelId: number | null; end: number | null }
const motionEvents = async () => (await ws.call<Ev[]>('events.list', { types: ['motion'], channelIds: [channelId] })).filter((e) => e.source === 'motion');

const maskedCells = async () => [...(await ws.call<{ mask: string }>('motion.get', { channelId })).mask].flatMap((c, i) => (c === '1' ? [i] : []));
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

/** Clicks cells in the mask editor, saves, and waits until the station holds exactly `expected`. */
async function toggleMaskCells(cells: number[], expected: number[]): Promise<void> {
  for (const c of cells) await page.click(`.ev-mask-grid [data-cell="${c}"]`);
  await page.click('.ev-motion button[type=submit]');
  await expect.poll(maskedCells, { timeout: 10_000 }).toEqual(sorted(expected));
}

beforeAll(async () => {
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1']), startStation(), launchChromium()]);
  const d = camsim.manifest.devices[0]!;
  device = d.id;
  // A still picture first: camsim's test pattern animates everywhere otherwise.
  await camsim.scene(device, { channel: 1, still: true });
  ws = scope.add(await wsClient(station.url));
  channelId = await addCamsimChannel(ws, 'Loading bay', d.channels[0]!, d.credentials);
  // A cold camsim cache encodes the still loops first (seconds on a loaded machine): wait until the channel shows a picture.
  for (const until = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 500))) {
    try {
      await ws.call('live.snapshot', { channelId });
      break;
    } catch (err) {
      if (Date.now() > until) throw err;
    }
  }
  page = await gotoAndWait(browser.newPage({ viewport: { width: 1280, height: 900 } }), `${station.url}#/events`, '.ev-filters');
}, 120_000);

describe('motion drawn into camsim\'s picture', () => {
  it('is detected by local motion detection, and ignored once its area is masked in the mask editor', async () => {
    const guard = guardConsole(page);
    // The user turns detection on and masks the camera's on-screen clock and code strip.
    await page.click('[data-tab=motion]');
    await page.waitForSelector('.ev-mask img', { timeout: 20_000 });
    await page.check('input[name=motion-enabled]');
    await toggleMaskCells(OSD_CELLS, OSD_CELLS);
    await camsim.scene(device, { channel: 1, motion: REGION });

    await page.click('[data-tab=events]');
    await page.waitForSelector('.ev-row[data-type=motion]', { timeout: 20_000 });
    const [first] = await motionEvents();
    expect(first?.channelId).toBe(channelId);

    // The box stops; the picture is still again and the motion ends.
    await camsim.scene(device, { channel: 1, motion: null });
    await expect.poll(async () => (await motionEvents())[0]?.end ?? null, { timeout: 20_000, interval: 250 }).not.toBeNull();

    // Masking the region's cells: the same motion drawn again raises nothing.
    await page.click('[data-tab=motion]');
    await page.waitForSelector('.ev-mask-grid');
    await toggleMaskCells(cellsOf(REGION), [...OSD_CELLS, ...cellsOf(REGION)]);
    await camsim.scene(device, { channel: 1, motion: REGION });
    // Long enough for camsim to switch loops (next keyframe, ≤ 2 s) and for many analysed frames at 5 fps.
    await new Promise((r) => setTimeout(r, 8000));
    expect(await motionEvents()).toHaveLength(1);

    // Control: unmasking the same cells with the box still moving brings the detection back, so the quiet above was the mask.
    await toggleMaskCells(cellsOf(REGION), OSD_CELLS);
    await expect.poll(async () => (await motionEvents()).length, { timeout: 20_000, interval: 250 }).toBe(2);
    await page.click('[data-tab=events]');
    await expect.poll(() => page.locator('.ev-row[data-type=motion]').count(), { timeout: 5000 }).toBe(2);
    guard.check();
  }, 150_000);
});
