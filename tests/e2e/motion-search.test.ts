// Motion search over the archive (issue 12) in Chromium: camsim draws a moving box at a known place for a known time
// while the station records and stores its motion grid; a region drawn over that place finds exactly that interval,
// a region where the picture is still finds nothing; bad input is refused over the contract.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
/** Where camsim draws motion (fractions of the picture): grid columns 16-23, rows 6-11 of 32x18. */
const MOTION = { x: 8 / 16, y: 3 / 9, w: 4 / 16, h: 3 / 9 };
const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, ws: WsClient;
let channelId: number;
let moveFrom = 0;
let moveTo = 0;
/** A second station on the same machine, for the recordings folder opened elsewhere. */
let otherStation: Promise<StationProcess>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Grid cells x0..x1, y0..y1 (inclusive) as the contract's 576 characters. */
const cells = (x0: number, y0: number, x1: number, y1: number) =>
  Array.from({ length: 576 }, (_, c) => (c % 32 >= x0 && c % 32 <= x1 && Math.floor(c / 32) >= y0 && Math.floor(c / 32) <= y1 ? '1' : '0')).join('');
type Search = { hits: { start: number; end: number }[]; coveredMs: Record<string, number>; indexBytes: Record<string, number> };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1']), startStation(), launchChromium()]);
  const d = camsim.manifest.devices[0]!;
  await camsim.scene(d.id, { channel: 1, still: true });
  ws = scope.add(await wsClient(station.url));
  channelId = await addCamsimChannel(ws, 'Yard', d.channels[0]!, d.credentials);
  await ws.call('recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
  await ws.call('motion.set', { channelId, enabled: true, sensitivity: 60, mask: '0'.repeat(144) });
  for (let t = Date.now(); (await ws.call<{ channels: { state: string }[] }>('recording.status', {})).channels[0]?.state !== 'recording';) {
    if (Date.now() - t > 60_000) throw new Error('the channel did not start recording');
    await sleep(250);
  }
  // Still until the grid has covered 2 s (detection runs, past any start-up), then the box moves for 8 s, then still
  // again; the grid is stored as it goes. The page and the second station (the folder test's) start meanwhile.
  const covered = async () => (await ws.call<Search>('archive.motionSearch', { channelIds: [channelId], from: Date.now() - 60_000, to: Date.now(), region: '1'.repeat(576) })).coveredMs[String(channelId)] ?? 0;
  for (let t = Date.now(); (await covered()) < 2000;) {
    if (Date.now() - t > 30_000) throw new Error('no motion grid stored for 2 s');
    await sleep(250);
  }
  const opening = openGuardedPage(browser, `${station.url}#/playback`, { viewport: { width: 1280, height: 900 } });
  otherStation = scope.all([startStation()]).then(([st]) => st);
  // Failures are met where these are awaited.
  for (const p of [opening, otherStation]) p.catch(() => {});
  await camsim.scene(d.id, { channel: 1, motion: MOTION });
  moveFrom = Date.now();
  await sleep(8000);
  await camsim.scene(d.id, { channel: 1, motion: null, still: true });
  moveTo = Date.now();
  await sleep(6000);
  ({ page, guard } = await opening);
}, 150_000);

/** Drags a region over the channel's picture, in fractions of it. */
async function drawRegion(x0: number, y0: number, x1: number, y1: number): Promise<void> {
  await page.click('.pb-ms-bar button[aria-pressed]');
  const box = (await page.locator('[data-testid=motion-region]').boundingBox())!;
  await page.mouse.move(box.x + x0 * box.width, box.y + y0 * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + x1 * box.width, box.y + y1 * box.height, { steps: 4 });
  await page.mouse.up();
  await page.click('.pb-ms-bar button[aria-pressed=true]');
}

describe('motion search', () => {
  it('finds the interval the drawn region moved, lists it with a thumbnail and draws it on the timeline', async () => {
    await page.locator(`canvas[data-timeline="${channelId}"]`).waitFor({ timeout: 20_000 });
    // Nothing drawn yet: the page says what is missing.
    await page.click('.pb-ms-bar button.primary');
    await expect.poll(() => page.locator('.pb-motion [role=alert]').textContent()).toContain('Draw a region');
    // Inside the box's area (a cell's margin from its edges).
    await drawRegion(0.53, 0.37, 0.72, 0.63);
    await page.click('.pb-ms-bar button.primary');
    await expect.poll(() => page.locator('[data-testid=motion-summary]').textContent(), { timeout: 10_000 }).toBe('1 hit');
    const r = await ws.call<{ hits: { start: number; end: number }[] }>('archive.motionSearch', {
      channelIds: [channelId], from: moveFrom - 60_000, to: moveTo + 60_000, minDurationMs: 1000,
      region: Array.from({ length: 576 }, (_, c) => (c % 32 >= 17 && c % 32 <= 22 && Math.floor(c / 32) >= 7 && Math.floor(c / 32) <= 10 ? '1' : '0')).join(''),
    });
    expect(r.hits).toHaveLength(1);
    // The scene switches at camsim's next keyframe and detection runs behind the live edge by a second or two (both ends
    // alike: a clean-clone run saw 3078 ms at the start).
    expect(Math.abs(r.hits[0]!.start - moveFrom)).toBeLessThan(3500);
    expect(Math.abs(r.hits[0]!.end - moveTo)).toBeLessThan(3500);
    // The index's size in the unit that fits it (a few minutes of grid are kilobytes, not "0.0 MB").
    expect(await page.locator('[data-testid=motion-index-size]').textContent()).toMatch(/: \d+(\.\d)? (B|KiB|MiB)$/);
    await page.locator('.pb-ms-list img').first().waitFor({ timeout: 15_000 });
    await page.click('.pb-ms-bar button:has-text("Next hit")');
    await page.screenshot({ path: join(SHOTS, 'motion-search.png') });
    guard.check();
  }, 60_000);

  it('finds nothing where the picture stayed still', async () => {
    await page.click('.pb-ms-bar button:has-text("Clear region")');
    await drawRegion(0.84, 0.45, 0.99, 0.7);
    await page.click('.pb-ms-bar button.primary');
    await expect.poll(() => page.locator('[data-testid=motion-summary]').textContent(), { timeout: 10_000 }).toBe('0 hits');
    expect(await page.locator('.pb-ms-list li').count()).toBe(0);
    guard.check();
  }, 30_000);

  it('finds the same interval in the recordings folder opened by another station (the grid travels with the folder)', async () => {
    const folder = (await ws.call<{ folder: string }>('recording.config', {})).folder;
    const other = await otherStation;
    const ws2 = scope.add(await wsClient(other.url));
    const opened = await ws2.call<{ source: string; channels: number[] }>('archive.openFolder', { path: folder });
    expect(opened.channels).toContain(channelId);
    const range = { source: opened.source, channelIds: [channelId], from: moveFrom - 60_000, to: moveTo + 60_000, minDurationMs: 1000 };
    const moved = await ws2.call<Search>('archive.motionSearch', { ...range, region: cells(17, 7, 22, 10) });
    // The same interval the recording station finds from its own index.
    const here = await ws.call<Search>('archive.motionSearch', { ...range, source: 'local', region: cells(17, 7, 22, 10) });
    expect(moved.hits).toHaveLength(1);
    expect(moved.hits).toEqual(here.hits);
    expect(moved.hits[0]!.start).toBeLessThan(moveTo);
    expect(moved.hits[0]!.end).toBeGreaterThan(moveFrom);
    expect(moved.coveredMs[String(channelId)]).toBeGreaterThanOrEqual(moveTo - moveFrom);
    const still = await ws2.call<Search>('archive.motionSearch', { ...range, region: cells(27, 8, 31, 12) });
    expect(still.hits).toEqual([]);
  }, 90_000);

  it('stores no grid while the channel’s motion grid is switched off, detection going on', async () => {
    await ws.call('recording.setChannels', { channelIds: [channelId], motionGrid: false });
    expect((await ws.call<{ channels: { channelId: number; motionGrid: boolean; mode: string }[] }>('recording.config', {})).channels
      .find((c) => c.channelId === channelId)).toMatchObject({ motionGrid: false, mode: 'continuous' });
    await sleep(2500); // what the index had buffered is written
    const region = cells(17, 7, 22, 10);
    const before = await ws.call<Search>('archive.motionSearch', { channelIds: [channelId], from: moveFrom - 60_000, to: Date.now(), region });
    const d = camsim.manifest.devices[0]!;
    const from = Date.now();
    await camsim.scene(d.id, { channel: 1, motion: MOTION });
    await sleep(5000);
    await camsim.scene(d.id, { channel: 1, motion: null, still: true });
    await sleep(3000);
    const after = await ws.call<Search>('archive.motionSearch', { channelIds: [channelId], from, to: Date.now(), region });
    expect(after.hits).toEqual([]);
    expect(after.coveredMs[String(channelId)]).toBe(0);
    expect(after.indexBytes[String(channelId)]).toBe(before.indexBytes[String(channelId)]);
    await ws.call('recording.setChannels', { channelIds: [channelId], motionGrid: true });
  }, 60_000);

  it('refuses a zero-length range and an empty region over the contract', async () => {
    const region = '1'.repeat(576);
    await expect(ws.call('archive.motionSearch', { channelIds: [channelId], from: moveFrom, to: moveFrom, region })).rejects.toThrow(/end of the range must be after its start/);
    await expect(ws.call('archive.motionSearch', { channelIds: [channelId], from: moveFrom, to: moveTo, region: '0'.repeat(576) })).rejects.toThrow(/required/);
  });
});
