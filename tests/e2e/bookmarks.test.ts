// Bookmarks as a user drives them (issue 12), in Chromium against `npm run station` recording GStreamer's RTSP camera:
// B at the playhead, name/note/tags, found by text and tag, played from the list, edited, deleted; bad input refused.
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
const clockMs = async () => { const t = await page.textContent('[data-testid=pb-clock]'); return new Date(t!.replace(' ', 'T')).getTime(); };

async function recordedInstant(): Promise<number> {
  const now = Date.now();
  const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 600_000, to: now });
  const span = [...tl.spans].sort((a: { start: number; end: number }, b: { start: number; end: number }) => (b.end - b.start) - (a.end - a.start))[0];
  if (!span || span.end - span.start < 6_000) throw new Error(`no recorded span of 6 s: ${JSON.stringify(tl)}`);
  return Math.round(span.start + 3_000);
}

async function clickAt(t: number): Promise<void> {
  const box = (await canvas().boundingBox())!;
  const from = Number(await canvas().getAttribute('aria-valuemin'));
  const to = Number(await canvas().getAttribute('aria-valuemax'));
  await page.mouse.click(box.x + ((t - from) / (to - from)) * box.width, box.y + box.height / 2);
}

describe('bookmarks', () => {
  it('B adds a bookmark at the playhead with a name, note and tags; a missing name is refused and nothing is stored', async () => {
    await canvas().waitFor({ timeout: 15_000 });
    const at = await recordedInstant();
    await clickAt(at);
    await expect.poll(clockMs, { timeout: 15_000 }).not.toBeNaN();
    const playhead = await clockMs();
    await page.click('[data-testid=pb-play]');
    await expect.poll(() => page.textContent('[data-testid=pb-play]')).toBe('Play');
    await canvas().focus();
    await page.keyboard.press('b');
    const name = page.locator('[role=dialog] input[name=bookmark-name]');
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role=dialog] [role=alert]').textContent()).toContain('Name is required');
    expect(await call('bookmarks.list', {})).toEqual([]);
    await name.fill('Van at the gate');
    await page.fill('[role=dialog] textarea[name=bookmark-note]', 'white, no plates');
    await page.fill('[role=dialog] input[name=bookmark-tags]', 'vehicle, gate');
    await page.screenshot({ path: join(SHOTS, 'bookmark-dialog.png') });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role=dialog]').count()).toBe(0);
    const [b] = await call('bookmarks.list', {});
    expect(b).toMatchObject({ name: 'Van at the gate', note: 'white, no plates', tags: ['vehicle', 'gate'], channelIds: [channelId] });
    expect(Math.abs(b.start - (await clockMs()))).toBeLessThan(1000);
    expect(Math.abs(b.start - playhead)).toBeLessThan(2000);
    await expect.poll(() => page.locator('[data-bookmark]').count()).toBe(1);
  }, 60_000);

  it('finds bookmarks by text and tag, plays one from the list, edits and deletes it', async () => {
    const now = Date.now();
    await call('bookmarks.add', { channelIds: [channelId], from: now - 400_000, to: now - 390_000, name: 'Door left open', tags: ['door'] });
    const search = page.locator('input[name=bookmark-search]');
    await search.fill('plates');
    await expect.poll(() => page.locator('[data-bookmark]').allTextContents()).toEqual([expect.stringContaining('Van at the gate')]);
    await search.fill('nothing like this');
    await expect.poll(() => page.locator('.pb-bm-list').textContent()).toContain('No bookmarks found.');
    await search.fill('');
    await page.fill('input[name=bookmark-tag]', 'door');
    await expect.poll(() => page.locator('[data-bookmark]').allTextContents()).toEqual([expect.stringContaining('Door left open')]);
    await page.fill('input[name=bookmark-tag]', '');
    await expect.poll(() => page.locator('[data-bookmark]').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'bookmarks-panel.png') });

    // Play: move away first, then jump back from the list.
    const [van] = (await call('bookmarks.list', { text: 'Van' }));
    await clickAt(Number(await canvas().getAttribute('aria-valuemin')) + 1000);
    await page.click(`[data-bookmark="${van.id}"] .pb-bm-jump`);
    await expect.poll(async () => Math.abs((await clockMs()) - van.start), { timeout: 15_000 }).toBeLessThan(3_000);
    await expect.poll(() => page.evaluate((id) => document.querySelector<HTMLVideoElement>(`video[data-playback="${id}"]`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0, channelId), { timeout: 15_000 }).toBeGreaterThan(5);

    await page.click(`[data-bookmark="${van.id}"] button:has-text("Edit")`);
    await page.fill('[role=dialog] input[name=bookmark-name]', 'White van');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await call('bookmarks.list', { text: 'White' })).length).toBe(1);
    await page.click(`[data-bookmark="${van.id}"] button:has-text("Delete")`);
    await expect.poll(() => page.locator('[data-bookmark]').count()).toBe(1);
    expect((await call('bookmarks.list', {})).map((x: { name: string }) => x.name)).toEqual(['Door left open']);
  }, 60_000);

  it('a search range of zero length is refused over the contract, naming the problem; nothing changes', async () => {
    const before = await call('bookmarks.list', {});
    const t = Date.now() - 60_000;
    await expect(call('bookmarks.list', { from: t, to: t })).rejects.toThrow(/end of the range must be after its start/);
    await expect(call('bookmarks.add', { channelIds: [channelId], from: t, to: t, name: 'x', lock: true })).rejects.toThrow(/end of the range must be after its start/);
    expect(await call('bookmarks.list', {})).toEqual(before);
    expect(await call('archive.locks', {})).toEqual([]);
    guard.check();
  });
});
