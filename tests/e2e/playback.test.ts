// Playback as a user drives it, in Chromium against `npm run station` recording GStreamer's RTSP camera:
// timeline strip, click to play from an instant, zoom, speed, frame step, shift+drag a range, export and verify.
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
  // Ten seconds or so of recording.
  await recordContinuously(api, channelId, 10_000);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/playback`, { viewport: { width: 1280, height: 800 } }));
}, 90_000);

/** An instant well inside the longest recorded span (a loaded machine can leave short spans and gaps at the start). */
async function recordedInstant(marginMs = 5_000): Promise<{ at: number; span: { start: number; end: number } }> {
  const now = Date.now();
  const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 600_000, to: now });
  const span = [...tl.spans].sort((a: { start: number; end: number }, b: { start: number; end: number }) => (b.end - b.start) - (a.end - a.start))[0];
  if (!span || span.end - span.start < 2 * marginMs) throw new Error(`no recorded span of ${2 * marginMs} ms: ${JSON.stringify(tl)}`);
  return { at: Math.round(Math.min(span.start + 4_000, (span.start + span.end) / 2)), span };
}

const clockMs = async () => { const t = await page.textContent('[data-testid=pb-clock]'); return new Date(t!.replace(' ', 'T')).getTime(); };

/** x on a timeline canvas for an instant, from the view it publishes (aria-valuemin/max). */
async function xFor(t: number): Promise<{ x: number; y: number }> {
  const c = page.locator(`canvas[data-timeline="${channelId}"]`);
  const box = (await c.boundingBox())!;
  const from = Number(await c.getAttribute('aria-valuemin'));
  const to = Number(await c.getAttribute('aria-valuemax'));
  return { x: box.x + ((t - from) / (to - from)) * box.width, y: box.y + box.height / 2 };
}

describe('playback page', () => {
  it('shows the recorded range on the channel timeline and plays from the instant clicked', async () => {
    await page.waitForSelector(`canvas[data-timeline="${channelId}"]`, { timeout: 15_000 });
    const { at } = await recordedInstant();
    // Zoom in around the recording with the wheel (1 h -> a few minutes).
    let p = await xFor(at);
    await page.mouse.move(p.x, p.y);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -100);
    const c = page.locator(`canvas[data-timeline="${channelId}"]`);
    await expect.poll(async () => Number(await c.getAttribute('aria-valuemax')) - Number(await c.getAttribute('aria-valuemin'))).toBeLessThan(600_000);
    p = await xFor(at);
    await page.mouse.click(p.x, p.y);
    await expect.poll(() => page.evaluate((id) => document.querySelector<HTMLVideoElement>(`video[data-playback="${id}"]`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0, channelId), { timeout: 15_000 }).toBeGreaterThan(10);
    const clock = await page.textContent('[data-testid=pb-clock]');
    const shown = new Date(clock!.replace(' ', 'T')).getTime();
    expect(Math.abs(shown - at)).toBeLessThan(5_000);
    await page.screenshot({ path: join(SHOTS, 'playback.png') });
  }, 40_000);

  it('pauses, steps a frame forward and back, changes speed', async () => {
    await page.click('[data-testid=pb-play]');
    await expect.poll(() => page.textContent('[data-testid=pb-play]')).toBe('Play');
    // Paused, a click puts the playhead mid-segment inside a recorded span, so a step never meets a real recording gap
    // or a segment boundary (segments roll every 4 s from the span's start).
    const { span } = await recordedInstant();
    const p = await xFor(span.start + 6_000);
    await page.mouse.click(p.x, p.y);
    await expect.poll(async () => { const x = await clockMs(); await new Promise((r) => setTimeout(r, 300)); return (await clockMs()) - x; }).toBe(0);
    const paused = await clockMs();
    expect(Math.abs(paused - (span.start + 6_000))).toBeLessThan(2_000);
    await page.click('button[title="Next frame"]');
    await expect.poll(async () => Math.abs((await clockMs()) - paused)).toBeGreaterThan(1);
    const a = await clockMs();
    await page.click('button[title="Next frame"]');
    await expect.poll(async () => (await clockMs()) - a).toBeGreaterThan(1);
    const b = await clockMs();
    // One frame of a 25 fps camera.
    expect(b - a).toBeGreaterThanOrEqual(30);
    expect(b - a).toBeLessThanOrEqual(50);
    await page.click('button[title="Previous frame"]');
    await expect.poll(async () => Math.abs((await clockMs()) - a)).toBeLessThanOrEqual(1);
    await page.selectOption('.pb-controls select', '4');
    await expect.poll(() => page.locator('.pb-controls select').inputValue()).toBe('4');
  });

  it('exports a shift+dragged range with progress, and verifies it', async () => {
    const now = Date.now();
    const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 120_000, to: now });
    const a = await xFor(tl.spans[0].start + 1_000);
    const b = await xFor(tl.spans[0].start + 6_000);
    await page.keyboard.down('Shift');
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.click('button:has-text("Export…")');
    await page.click('.pb-dialog button:has-text("Start export")');
    await page.waitForSelector('[data-export-state=done]', { timeout: 20_000 });
    await page.click('.pb-dialog button:has-text("Verify")');
    await page.waitForSelector('[data-verified=true]', { timeout: 10_000 });
    await page.click('.pb-dialog button:has-text("Close")');
  }, 40_000);

  it('the timeline ends at now: panning and zooming stop there, a selection is cut at now, the hover card stays inside', async () => {
    const canvas = page.locator(`canvas[data-timeline="${channelId}"]`);
    const viewEnd = async () => Number(await canvas.getAttribute('aria-valuemax'));
    const span = async () => viewEnd().then(async (to) => to - Number(await canvas.getAttribute('aria-valuemin')));
    const box = (await canvas.boundingBox())!;
    // Drag the strip leftwards (towards the future) by its whole width, then zoom out around its right end.
    await page.mouse.move(box.x + box.width - 10, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 10, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    expect(await viewEnd()).toBeLessThanOrEqual(Date.now() + 0.02 * (await span()) + 1000);
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    await page.mouse.wheel(0, 300);
    expect(await viewEnd()).toBeLessThanOrEqual(Date.now() + 0.02 * (await span()) + 1000);

    // The hover card at the strip's right end is wholly inside the timelines.
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    const card = (await page.locator('.pb-hover').boundingBox())!;
    const strips = (await page.locator('.pb-timelines').boundingBox())!;
    expect(card.x).toBeGreaterThanOrEqual(strips.x - 0.5);
    expect(card.x + card.width).toBeLessThanOrEqual(strips.x + strips.width + 0.5);

    // Shift+drag from a minute ago to the strip's right end (the future): the range selected ends at now.
    const a = await xFor(Date.now() - 60_000);
    await page.keyboard.down('Shift');
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 1, a.y, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const to = Number(await page.getAttribute('[data-testid=pb-selection]', 'data-to'));
    expect(to).toBeGreaterThan(Date.now() - 30_000);
    expect(to).toBeLessThanOrEqual(Date.now());
    // Over the contract too: a range running past now is not locked.
    await expect(call('archive.lock', { channelId: null, from: Date.now() - 60_000, to: Date.now() + 600_000, reason: 'later' })).rejects.toThrow('To: the range runs past now; only recorded time can be locked as evidence.');
    expect(await call('archive.locks', {})).toEqual([]);
  }, 30_000);

  it('locks the selected range as evidence with a reason asked in a dialog (Escape cancels, the reason is required)', async () => {
    await page.click('button:has-text("Lock…")');
    const input = page.locator('[role=dialog] input[name=lock-reason]');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[role=dialog]').count()).toBe(0);
    expect(await call('archive.locks', {})).toEqual([]);
    await page.click('button:has-text("Lock…")');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role=dialog] [role=alert]').textContent()).toContain('A reason is required');
    await page.screenshot({ path: join(SHOTS, 'playback-lock-dialog.png') });
    await page.keyboard.type('case 42');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role=dialog]').count()).toBe(0);
    const locks = await call('archive.locks', {});
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ channelId: null, reason: 'case 42' });
    await page.screenshot({ path: join(SHOTS, 'playback-locked.png') });
    guard.check();
  }, 30_000);
});
