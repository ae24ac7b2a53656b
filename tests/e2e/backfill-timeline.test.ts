// Edge backfill on the Playback page, in Chromium against `npm run station`: a camsim camera (its own process) refuses
// the station for 8 s through the fault API while it records to its card; once the station has filled the outage from
// the card, the channel's timeline draws that range in the "filled from camera card" shade, named in the legend.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCredentials } from '../../scripts/camsim/fleet';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { recordContinuously } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, api: WsClient;
let channelId: number;
let filled: { start: number; end: number };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1']), startStation(), launchChromium()]);
  api = scope.add(await wsClient(station.url));
  const device = camsim.manifest.devices[0]!;
  channelId = (await api.call<{ id: number }>('channels.addRtsp', { name: 'Card', mainUrl: withCredentials(device.channels[0]!.sub.rtsp), subUrl: null })).id;
  await recordContinuously(api, channelId, 4000);
  await camsim.fault(device.id, { type: 'offline', seconds: 8 });
  // The station's defaults: a gap settled for 3 s is looked at within 5 s, and fetched as fast as the cap allows.
  for (const until = Date.now() + 45_000; ; await new Promise((r) => setTimeout(r, 1000))) {
    const [tl] = await api.call<{ filled: { start: number; end: number }[]; gaps: { reason: string }[] }[]>('archive.timeline', { channelIds: [channelId], from: Date.now() - 600_000, to: Date.now() });
    // Filled whole: its gap is gone (a card segment still being written may be a few milliseconds long).
    if (tl!.filled.length && !tl!.gaps.some((g) => g.reason === 'camera_offline')) { filled = tl!.filled[0]!; break; }
    if (Date.now() > until) throw new Error(`the outage was not filled from the card: ${JSON.stringify(tl)}\n${station.output().split('\n').filter((l) => /backfill|card|playback|gap/i.test(l)).slice(-20).join('\n')}`);
  }
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/playback`, { viewport: { width: 1280, height: 800 } }));
}, 150_000);

/** The canvas pixel (RGB) at instant t, in the recorded band of the channel's strip. */
async function pixelAt(t: number): Promise<number[]> {
  return page.evaluate(([id, at]) => {
    const c = document.querySelector<HTMLCanvasElement>(`canvas[data-timeline="${id}"]`)!;
    const from = Number(c.getAttribute('aria-valuemin'));
    const to = Number(c.getAttribute('aria-valuemax'));
    const x = Math.round(((at - from) / (to - from)) * c.width);
    return [...c.getContext('2d')!.getImageData(x, Math.round(14 * (c.height / 34)), 1, 1).data].slice(0, 3);
  }, [channelId, t] as const);
}

describe('playback timeline', () => {
  it('shows the range filled from the camera card in its own shade, with its legend entry', async () => {
    const c = page.locator(`canvas[data-timeline="${channelId}"]`);
    await c.waitFor({ timeout: 15_000 });
    // Zoom in around the filled range with the wheel (1 h -> a few minutes).
    const box = (await c.boundingBox())!;
    const xOf = async (t: number) => {
      const from = Number(await c.getAttribute('aria-valuemin'));
      const to = Number(await c.getAttribute('aria-valuemax'));
      return box.x + ((t - from) / (to - from)) * box.width;
    };
    const mid = (filled.start + filled.end) / 2;
    await page.mouse.move(await xOf(mid), box.y + box.height / 2);
    for (let i = 0; i < 14; i++) await page.mouse.wheel(0, -100);
    await expect.poll(async () => Number(await c.getAttribute('aria-valuemax')) - Number(await c.getAttribute('aria-valuemin'))).toBeLessThan(300_000);
    // #3fa8b2 where the card filled it, the recorded green (#3fb27f) where it was recorded live.
    await expect.poll(() => pixelAt(mid), { timeout: 10_000 }).toEqual([0x3f, 0xa8, 0xb2]);
    expect(await pixelAt(filled.start - 2500)).toEqual([0x3f, 0xb2, 0x7f]);
    await expect(page.locator('.pb-legend [data-legend=filled]').textContent()).resolves.toBe('filled from camera card');
    await page.screenshot({ path: join(SHOTS, 'backfill-timeline.png') });
    guard.check();
  }, 60_000);
});
