// Timeline reach (issue 12), in Chromium against `npm run station` recording GStreamer's RTSP camera: zoom with the keys
// down to 100 ms per width (labels to the millisecond), step frame by frame there, and out to a month.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { recordContinuously } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let cam: GstCamera, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, api: WsClient;
const call = (name: string, input: unknown): Promise<any> => api.call(name, input);
let channelId: number;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [cam, station, browser] = await scope.all([startGstCamera(), startStation(), launchChromium()]);
  api = scope.add(await wsClient(station.url));
  channelId = (await call('channels.addRtsp', { name: 'Gate', mainUrl: cam.url(), subUrl: null })).id;
  await recordContinuously(api, channelId, 10_000);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/playback`, { viewport: { width: 1280, height: 800 } }));
}, 90_000);

const canvas = () => page.locator(`canvas[data-timeline="${channelId}"]`);
const span = async () => Number(await canvas().getAttribute('aria-valuemax')) - Number(await canvas().getAttribute('aria-valuemin'));
const clockMs = async () => { const t = await page.textContent('[data-testid=pb-clock]'); return new Date(t!.replace(' ', 'T')).getTime(); };

describe('timeline reach', () => {
  it('zooms with + to 100 ms per width around the playhead and steps one frame at a time there', async () => {
    await canvas().waitFor({ timeout: 15_000 });
    const now = Date.now();
    const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 600_000, to: now });
    const s = [...tl.spans].sort((a: { start: number; end: number }, b: { start: number; end: number }) => (b.end - b.start) - (a.end - a.start))[0];
    const at = Math.round(s.start + 6_000);
    const box = (await canvas().boundingBox())!;
    const from = Number(await canvas().getAttribute('aria-valuemin'));
    await page.mouse.click(box.x + ((at - from) / (await span())) * box.width, box.y + box.height / 2);
    await expect.poll(async () => Math.abs((await clockMs()) - at), { timeout: 15_000 }).toBeLessThan(2_000);
    await page.click('[data-testid=pb-play]');
    await expect.poll(() => page.textContent('[data-testid=pb-play]')).toBe('Play');
    await canvas().focus();
    for (let i = 0; i < 60 && (await span()) > 100; i++) await page.keyboard.press('+');
    expect(await span()).toBe(100);
    await page.screenshot({ path: join(SHOTS, 'timeline-100ms.png') });
    // The playhead stays in the view, so the steps below are visible.
    const head = Number(await canvas().getAttribute('aria-valuenow'));
    expect(head).toBeGreaterThanOrEqual(Number(await canvas().getAttribute('aria-valuemin')));
    expect(head).toBeLessThanOrEqual(Number(await canvas().getAttribute('aria-valuemax')));

    await expect.poll(async () => { const x = await clockMs(); await new Promise((r) => setTimeout(r, 300)); return (await clockMs()) - x; }).toBe(0);
    const a = await clockMs();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await clockMs()) - a, { timeout: 10_000 }).toBeGreaterThan(0);
    const b = await clockMs();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await clockMs()) - b, { timeout: 10_000 }).toBeGreaterThan(0);
    const c = await clockMs();
    // One frame of a 25 fps camera per press, the frame shown being the one under the playhead.
    expect(c - b).toBeGreaterThanOrEqual(30);
    expect(c - b).toBeLessThanOrEqual(50);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Math.abs((await clockMs()) - b), { timeout: 10_000 }).toBeLessThanOrEqual(1);
    expect(b).toBeGreaterThanOrEqual(Number(await canvas().getAttribute('aria-valuemin')));
    expect(b).toBeLessThanOrEqual(Number(await canvas().getAttribute('aria-valuemax')));
  }, 60_000);

  it('zooms out with − to a month, never past now', async () => {
    await canvas().focus();
    for (let i = 0; i < 120 && (await span()) < 31 * 86_400_000; i++) await page.keyboard.press('-');
    expect(await span()).toBe(31 * 86_400_000);
    expect(Number(await canvas().getAttribute('aria-valuemax'))).toBeLessThanOrEqual(Date.now() + 0.02 * 31 * 86_400_000 + 1000);
    // Zoomed out around the playhead, it is still on screen.
    const head = Number(await canvas().getAttribute('aria-valuenow'));
    expect(head).toBeGreaterThanOrEqual(Number(await canvas().getAttribute('aria-valuemin')));
    expect(head).toBeLessThanOrEqual(Number(await canvas().getAttribute('aria-valuemax')));
    await page.screenshot({ path: join(SHOTS, 'timeline-month.png') });
    guard.check();
  }, 30_000);

  it('draws the month as recorded density from the overview, green where the recordings are', async () => {
    await expect.poll(() => canvas().getAttribute('data-scale'), { timeout: 10_000 }).toBe('overview');
    await expect.poll(async () => Number(await canvas().getAttribute('data-recorded-buckets')), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const now = Date.now();
    const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 3_600_000, to: now });
    const recordedAt = tl.spans.at(-1).start + 1000;
    const [ov] = (await call('archive.overview', { channelIds: [channelId], from: now - 31 * 86_400_000, to: now, maxPoints: 1000 })).channels;
    expect(Math.max(...ov.recorded.slice(-2))).toBeGreaterThan(0);
    expect(ov.recorded.slice(0, -2).every((r: number) => r === 0)).toBe(true);
    // On the bar's row around the recording: a green pixel (beside the playhead's white line); a week before, none.
    const greenNear = async (t: number) => page.evaluate(({ t, from, to }) => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-scale="overview"]')!;
      const dpr = c.width / c.clientWidth;
      const x = Math.round(((t - from) / (to - from)) * c.clientWidth * dpr);
      const d = c.getContext('2d')!.getImageData(Math.max(0, x - 8), Math.round(14 * dpr), 17, 1).data;
      for (let i = 0; i < d.length; i += 4) if (d[i + 1]! > d[i]! + 30 && d[i + 1]! > d[i + 2]! + 10) return true;
      return false;
    }, { t, from: Number(await canvas().getAttribute('aria-valuemin')), to: Number(await canvas().getAttribute('aria-valuemax')) });
    // The playhead (a white line as wide as a bucket here) moves off the recording first.
    const box = (await canvas().boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.25, box.y + box.height / 2);
    await expect.poll(async () => Number(await canvas().getAttribute('aria-valuenow')) < now - 7 * 86_400_000, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => greenNear(recordedAt), { timeout: 10_000 }).toBe(true);
    expect(await greenNear(now - 7 * 86_400_000)).toBe(false);
    guard.check();
  }, 30_000);
});
