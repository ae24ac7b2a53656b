// Camera audio as a user meets it, in Chromium against `npm run station`, GStreamer's RTSP cameras (one sending G.711
// audio, one without): tiles start muted, a speaker button only on tiles with audio unmutes that tile and mutes the
// others, the unmuted video decodes audio and still moves; playback plays the recording's audio at 1× and none at 4×.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let audioCam: GstCamera, plainCam: GstCamera, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, api: WsClient;
const call = (name: string, input: unknown): Promise<any> => api.call(name, input);
const ids: number[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [audioCam, plainCam, station, browser] = await scope.all([startGstCamera(undefined, undefined, 0, { audio: true }), startGstCamera(), startStation(), launchChromium()]);
  api = scope.add(await wsClient(station.url));
  // Two channels on the audio camera (a desk hears one at a time; the second confirmed as the same stream) and one without audio.
  for (const [name, url] of [['Gate', audioCam.url()], ['Gate again', audioCam.url()], ['Yard', plainCam.url()]] as const) ids.push((await call('channels.addRtsp', { name, mainUrl: url, subUrl: null, allowSameUrl: true })).id);
  await call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
  await call('recording.setChannels', { channelIds: [ids[0]], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1280, height: 720 } }));
}, 60_000);

/** What a tile's (shown) video decodes: video frames, audio bytes, whether it is muted. */
function tileMedia(tile: number) {
  return page.evaluate((i) => {
    const v = document.querySelector<HTMLVideoElement & { webkitAudioDecodedByteCount: number }>(`[data-tile="${i}"] video:not(.pending)`);
    return v ? { frames: v.getVideoPlaybackQuality().totalVideoFrames, audioBytes: v.webkitAudioDecodedByteCount, muted: v.muted } : { frames: 0, audioBytes: 0, muted: true };
  }, tile);
}

describe('camera audio', () => {
  it('live: tiles start muted; the speaker button is only on tiles with audio; unmuting one decodes its audio and mutes the other', async () => {
    for (const t of [0, 1, 2]) await page.waitForSelector(`[data-tile="${t}"][data-state="live"]`, { timeout: 30_000 });
    await expect.poll(async () => (await tileMedia(0)).frames, { timeout: 15_000 }).toBeGreaterThan(10);
    // The status that says a stream has audio reaches the tiles; the camera without audio gets no button.
    await page.waitForSelector('[data-tile="0"] [data-testid=tile-audio]', { timeout: 15_000 });
    await page.waitForSelector('[data-tile="1"] [data-testid=tile-audio]', { timeout: 15_000 });
    expect(await page.locator('[data-tile="2"] [data-testid=tile-audio]').count()).toBe(0);
    for (const t of [0, 1, 2]) expect(await tileMedia(t)).toMatchObject({ muted: true, audioBytes: 0 });

    // By keyboard: focus the button, Space.
    const btn0 = page.locator('[data-tile="0"] [data-testid=tile-audio]');
    expect(await btn0.getAttribute('aria-pressed')).toBe('false');
    await btn0.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => btn0.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => (await tileMedia(0)).audioBytes, { timeout: 15_000 }).toBeGreaterThan(0);
    const a = await tileMedia(0);
    expect(a.muted).toBe(false);
    await expect.poll(async () => { const b = await tileMedia(0); return [b.audioBytes > a.audioBytes + 2000, b.frames > a.frames + 10]; }, { timeout: 10_000 }).toEqual([true, true]);
    await page.screenshot({ path: join(SHOTS, 'live-audio.png') });

    // The other tile of the same camera: it is heard now, the first one muted and its audio no longer sent.
    const btn1 = page.locator('[data-tile="1"] [data-testid=tile-audio]');
    // Switching to sound keeps a picture: the stream with audio plays under cover until its first frame.
    await page.evaluate(() => {
      const w = window as unknown as { minFrames: number; minDone: boolean };
      w.minFrames = Infinity;
      w.minDone = false;
      const t = setInterval(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-tile="1"] video:not(.pending)');
        w.minFrames = Math.min(w.minFrames, v ? v.getVideoPlaybackQuality().totalVideoFrames : 0);
      }, 20);
      setTimeout(() => { clearInterval(t); w.minDone = true; }, 3000);
    });
    await btn1.click();
    await expect.poll(() => btn1.getAttribute('aria-pressed')).toBe('true');
    expect(await btn0.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(async () => (await tileMedia(1)).audioBytes, { timeout: 15_000 }).toBeGreaterThan(0);
    // The 3 s of samples from before the click are over.
    await page.waitForFunction(() => (window as unknown as { minDone: boolean }).minDone);
    expect(await page.evaluate(() => (window as unknown as { minFrames: number }).minFrames)).toBeGreaterThan(0);
    // (The switch plays under cover: the muted stream takes over at its first frame.)
    await expect.poll(async () => (await tileMedia(0)).muted, { timeout: 10_000 }).toBe(true);
    const m0 = await tileMedia(0);
    await page.waitForTimeout(1000);
    const m0b = await tileMedia(0);
    expect(m0b.audioBytes).toBe(m0.audioBytes);
    expect(m0b.frames).toBeGreaterThan(m0.frames);
    // Off again.
    await btn1.click();
    await expect.poll(() => btn1.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(async () => (await tileMedia(1)).muted).toBe(true);
    guard.check();
  }, 90_000);

  it('playback: silent by default; with sound on the recording plays its audio at 1×, and none at 4×', async () => {
    // Some seconds of recording with audio.
    let span: { start: number; end: number } | undefined;
    await expect.poll(async () => {
      const [tl] = await call('archive.timeline', { channelIds: [ids[0]], from: Date.now() - 600_000, to: Date.now() });
      span = [...tl.spans].sort((x: { start: number; end: number }, y: { start: number; end: number }) => (y.end - y.start) - (x.end - x.start))[0];
      return span ? span.end - span.start : 0;
    }, { timeout: 30_000, interval: 500 }).toBeGreaterThan(10_000);
    await page.goto(`${station.url}#/playback`);
    const canvas = page.locator(`canvas[data-timeline="${ids[0]}"]`);
    await canvas.waitFor({ timeout: 15_000 });
    const sound = page.locator('[data-testid=pb-sound]');
    expect(await sound.getAttribute('aria-pressed')).toBe('false');
    // Zoom in and click an instant inside the recording.
    const at = span!.start + 3_000;
    const xFor = async (t: number) => {
      const box = (await canvas.boundingBox())!;
      const from = Number(await canvas.getAttribute('aria-valuemin'));
      const to = Number(await canvas.getAttribute('aria-valuemax'));
      return { x: box.x + ((t - from) / (to - from)) * box.width, y: box.y + box.height / 2 };
    };
    let p = await xFor(at);
    await page.mouse.move(p.x, p.y);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -100);
    await expect.poll(async () => Number(await canvas.getAttribute('aria-valuemax')) - Number(await canvas.getAttribute('aria-valuemin'))).toBeLessThan(600_000);
    p = await xFor(at);
    await page.mouse.click(p.x, p.y);
    const media = () => page.evaluate((id) => {
      const v = document.querySelector<HTMLVideoElement & { webkitAudioDecodedByteCount: number }>(`video[data-playback="${id}"]`);
      // Buffered ranges: MSE buffers only as far as both tracks reach, so a hole in either shows here.
      return v ? { frames: v.getVideoPlaybackQuality().totalVideoFrames, audioBytes: v.webkitAudioDecodedByteCount, muted: v.muted, src: v.src, ranges: v.buffered.length } : undefined;
    }, ids[0]);
    // Sound off (the default): the video plays, no audio reaches it.
    await expect.poll(async () => (await media())?.frames ?? 0, { timeout: 15_000 }).toBeGreaterThan(10);
    expect((await media())!.audioBytes).toBe(0);
    // Sound on, by keyboard: the channels start again where they are, with their audio.
    await sound.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => sound.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => (await media())?.audioBytes ?? 0, { timeout: 15_000 }).toBeGreaterThan(2000);
    expect((await media())!.muted).toBe(false);
    // One buffered range and moving video: no sample of either track lost or doubled on the way.
    const m1 = (await media())!;
    await expect.poll(async () => (await media())!.frames, { timeout: 10_000 }).toBeGreaterThan(m1.frames + 25);
    expect((await media())!.ranges).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'playback-audio.png') });
    // 4×: the station sends no audio (a new source without an audio track); the video still moves.
    const before = (await media())!;
    await page.selectOption('.pb-controls select', '4');
    await expect.poll(() => page.locator('.pb-controls select').inputValue()).toBe('4');
    await expect.poll(async () => (await media())!.src, { timeout: 10_000 }).not.toBe(before.src);
    await expect.poll(async () => (await media())!.frames, { timeout: 10_000 }).toBeGreaterThan(5);
    const f1 = (await media())!;
    await page.waitForTimeout(1500);
    const f2 = (await media())!;
    expect(f2.audioBytes).toBe(f1.audioBytes);
    expect(f1.audioBytes).toBe(0);
    await expect(sound.getAttribute('title')).resolves.toContain('silent at this speed');
    await page.screenshot({ path: join(SHOTS, 'playback-audio-4x.png') });
    guard.check();
  }, 90_000);
});
