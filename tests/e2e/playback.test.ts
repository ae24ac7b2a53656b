// Playback as a user drives it, in Chromium against `npm run station` recording GStreamer's RTSP camera:
// timeline strip, click to play from an instant, zoom, speed, frame step, shift+drag a range, export and verify.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { guardConsole, launchChromium } from '../helpers/chromium';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';

const SHOTS = join(ROOT, 'test-results');
let cam: GstCamera;
let station: StationProcess;
let browser: Browser;
let page: Page;
let guard: ReturnType<typeof guardConsole>;
let ws: WebSocket;
let channelId: number;

async function call(name: string, input: unknown): Promise<any> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((res, rej) => {
    const on = (data: WebSocket.RawData, bin: boolean) => {
      if (bin) return;
      const f = JSON.parse(data.toString());
      if (f.t !== 'result' || f.id !== id) return;
      ws.off('message', on);
      if (f.result.ok) res(f.result.value); else rej(new Error(f.result.error.message));
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ t: 'call', id, name, input }));
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [cam, station, browser] = await Promise.all([startGstCamera(), startStation(), launchChromium()]);
  ws = new WebSocket(`${station.origin.replace('http', 'ws')}/ws?token=${station.token}`);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  channelId = (await call('channels.addRtsp', { name: 'Gate', mainUrl: cam.url(), subUrl: null })).id;
  await call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
  await call('recording.setChannel', { channelId, mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
  // Ten seconds or so of recording.
  for (let t = Date.now(); (await call('recording.status', {})).channels[0]?.state !== 'recording'; ) {
    if (Date.now() - t > 20_000) throw new Error('the channel did not start recording');
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 10_000));
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  guard = guardConsole(page);
  await page.goto(`${station.url}#/playback`);
}, 90_000);
afterAll(async () => {
  ws?.close();
  await browser?.close();
  await station?.stop();
  await cam?.close();
});

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
    const now = Date.now();
    const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 120_000, to: now });
    const at = tl.spans[0].start + 4_000;
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

  it('pauses, steps a frame, changes speed', async () => {
    await page.click('[data-testid=pb-play]');
    await expect.poll(() => page.textContent('[data-testid=pb-play]')).toBe('Play');
    await page.click('button[title="Next frame"]');
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
    guard.check();
  }, 40_000);
});
