// The Recording & storage page as a user drives it, in Chromium against `npm run station` and camsim's cameras: the Live
// page's hint while nothing records, recording turned on for two channels at once and seen recording, the recorded
// video played back from the evidence list (camsim's timestamp code read back), the forecast moving with days kept and
// quota, a change made elsewhere shown at once (and the user told when it replaced what they typed), bad input refused
// with the field named and nothing stored, the folder changed with its recordings moved, and
// evidence unlocked with a reason, found again in the filtered audit list.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { START_S as PLAYBACK_START_S } from '../../electron/core/recording/playback';
import { startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { codeOfJpeg, presentedFrames } from '../helpers/video-code';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, ws: WsClient;
let gate: number, yard: number;
let recordingFrom = 0;
const config = () => ws.call<{ channels: { channelId: number; mode: string; stream: string; retentionDays: number | null; motionGrid: boolean }[]; archive: { quotaBytes: number | null; segmentSeconds: number }; folder: string }>('recording.config', {});
const stateOf = (id: number) => page.getAttribute(`tr[data-channel="${id}"] [data-state]`, 'data-state');
const scrollTo = (selector: string) => page.locator(selector).first().scrollIntoViewIfNeeded();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 2, subnet: 'random' }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  gate = await addCamsimChannel(ws, 'Gate', fleet.manifest.devices[0]!.channels[0]!);
  yard = await addCamsimChannel(ws, 'Yard', fleet.manifest.devices[0]!.channels[1]!);
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1366, height: 900 } }));
}, 90_000);

describe('recording & storage page', () => {
  it('the Live page says nothing records yet, and links to the page', async () => {
    await page.waitForSelector('[data-testid=recording-off-hint]');
    await page.click('[data-testid=recording-off-hint] a');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Recording & storage');
    expect(page.url()).toContain('#/storage');
    expect(await stateOf(gate)).toBe('off');
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    await page.click(`tr[data-channel="${gate}"] input[type=checkbox]`);
    await page.fill('input[name=preSeconds]', '99');
    await page.click('button[data-action=apply]');
    await expect.poll(() => page.locator('.st-settings [role=alert]').textContent()).toBe('Seconds before an event must be a number from 0 to 60.');
    await page.fill('input[name=segment]', '1');
    await page.click('button[data-action=save-archive]');
    await expect.poll(() => page.locator('.st-archive [role=alert]').textContent()).toBe('Segment length (seconds) must be a whole number from 2 to 3600.');
    // Only the station can tell a folder that is not there.
    const missing = join(station.dataDir, 'no-such-folder');
    await page.fill('input[name=folder]', missing);
    await page.click('button[data-action=change-folder]');
    await expect.poll(() => page.locator('.st-archive [role=alert]').first().textContent()).toContain(`${missing} does not exist`);
    const c = await config();
    expect(c.channels).toEqual([]);
    expect(c.archive.segmentSeconds).toBe(60);
    expect(c.folder).toBe(join(station.dataDir, 'recordings'));
    await page.click(`tr[data-channel="${gate}"] input[type=checkbox]`);
  });

  it('turns recording on for two channels at once; their state turns to recording, with a bitrate', async () => {
    // Short segments, so the recording is in closed segments soon.
    await page.fill('input[name=segment]', '10');
    await page.click('button[data-action=save-archive]');
    await expect.poll(async () => (await config()).archive.segmentSeconds).toBe(10);
    await page.click('[data-select=all]');
    await expect.poll(() => page.locator('#st-settings-legend').textContent()).toBe('Settings for 2 channels');
    await page.selectOption('select[name=mode]', 'continuous');
    await page.selectOption('select[name=stream]', 'sub');
    await page.click('button[data-action=apply]');
    recordingFrom = Date.now();
    await expect.poll(() => Promise.all([stateOf(gate), stateOf(yard)]), { timeout: 20_000 }).toEqual(['recording', 'recording']);
    expect((await config()).channels.map((c) => [c.channelId, c.mode, c.stream])).toEqual([[gate, 'continuous', 'sub'], [yard, 'continuous', 'sub']]);
    // Bitrate, the ninth column: measured over the last seconds.
    await expect.poll(async () => parseFloat((await page.textContent(`tr[data-channel="${yard}"] td:nth-child(9)`)) ?? ''), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'storage-recording.png') });
  }, 60_000);

  it('switches the motion grid of the selected channels off and on, each row saying so with its size', async () => {
    const grid = (id: number) => page.textContent(`tr[data-channel="${id}"] [data-col=motionGrid]`);
    expect(await grid(gate)).toBe('On · 0 B');
    await page.selectOption('select[name=motionGrid]', 'off');
    await page.click('button[data-action=apply]');
    await expect.poll(() => Promise.all([grid(gate), grid(yard)])).toEqual(['Off', 'Off']);
    expect((await config()).channels.map((c) => [c.channelId, c.motionGrid, c.mode])).toEqual([[gate, false, 'continuous'], [yard, false, 'continuous']]);
    await page.selectOption('select[name=motionGrid]', 'on');
    await page.click('button[data-action=apply]');
    await expect.poll(() => Promise.all([grid(gate), grid(yard)])).toEqual(['On · 0 B', 'On · 0 B']);
  }, 30_000);

  it('shows a change made elsewhere at once, and says so when it replaced what the user was typing', async () => {
    const keep = (id: number) => page.textContent(`tr[data-channel="${id}"] [data-col=keep]`);
    const before = await keep(gate);
    await page.fill('input[name=preSeconds]', '7');
    // Another desk (this connection) changes the days kept of Gate meanwhile.
    const { revision } = await ws.call<{ revision: number }>('recording.config', {});
    await ws.call('recording.setChannels', { channelIds: [gate], retentionDays: 21, revision });
    await expect.poll(() => keep(gate), { timeout: 5000 }).not.toBe(before);
    expect(await keep(gate)).toContain('21');
    await expect.poll(() => page.locator('.st-settings [role=alert]').textContent(), { timeout: 5000 }).toBe('Someone else changed these settings meanwhile; the page now shows the current values. Check them, then make your change again.');
    expect(await page.inputValue('input[name=preSeconds]')).not.toBe('7');
  }, 30_000);

  it('moves the forecast with days kept and the quota, and saves them', async () => {
    await scrollTo('[data-testid=forecast-overall]');
    const overall = page.locator('[data-testid=forecast-overall]');
    await expect.poll(() => overall.getAttribute('data-limit'), { timeout: 15_000 }).toBe('free_space');
    const before = Number(await overall.getAttribute('data-days'));
    expect(before).toBeGreaterThan(2);
    await page.fill(`input[name=keep-${gate}]`, '2');
    await page.fill(`input[name=keep-${yard}]`, '2');
    await expect.poll(() => overall.getAttribute('data-days')).toBe('2');
    expect(await overall.getAttribute('data-limit')).toBe('retention_days');
    // Half a gibibyte holds much less than two days of two cameras.
    await page.fill('input[name=whatIfQuota]', '0.5');
    await expect.poll(() => overall.getAttribute('data-limit')).toBe('quota');
    expect(Number(await overall.getAttribute('data-days'))).toBeLessThan(2);
    expect((await config()).archive.quotaBytes).toBeNull();
    await page.screenshot({ path: join(SHOTS, 'storage-forecast.png') });
    await page.fill('input[name=whatIfQuota]', '20');
    await page.click('button[data-action=save-forecast]');
    await expect.poll(async () => (await config()).archive.quotaBytes).toBe(20 * 1024 ** 3);
    // The days kept follow in a second call, after the quota.
    await expect.poll(async () => (await config()).channels.map((c) => c.retentionDays)).toEqual([2, 2]);
  }, 30_000);

  // Before the evidence test, which waits for the first segments of Gate to close meanwhile.
  it('Record now on a channel in event mode records as an alarm would and marks the timeline', async () => {
    await page.reload();
    await page.click(`tr[data-channel="${yard}"] input[type=checkbox]`);
    await expect.poll(() => page.locator('#st-settings-legend').textContent()).toBe('Settings for 1 channel');
    await page.selectOption('select[name=mode]', 'event');
    await page.fill('input[name=preSeconds]', '2');
    // Post-event seconds long enough that the page's status poll sees the recording on a busy machine (with 3 a clean-clone
    // run saw only 'idle').
    await page.fill('input[name=postSeconds]', '6');
    await page.click('button[data-action=apply]');
    const button = page.locator(`tr[data-channel="${yard}"] button[data-action=trigger]`);
    await button.waitFor();
    expect(await page.locator(`tr[data-channel="${gate}"] button[data-action=trigger]`).count()).toBe(0);
    await expect.poll(() => stateOf(yard), { timeout: 15_000 }).not.toBe('recording');
    const at = Date.now();
    await button.click();
    await expect.poll(() => stateOf(yard), { timeout: 10_000 }).toBe('recording');
    const [tl] = await ws.call<{ events: { at: number; kind: string }[] }[]>('archive.timeline', { source: 'local', channelIds: [yard], from: at - 60_000, to: Date.now() + 1000 });
    expect(tl!.events.filter((e) => e.kind === 'manual' && e.at >= at - 1000)).toHaveLength(1);
    // After the post-event seconds the recorder stops again.
    await expect.poll(() => stateOf(yard), { timeout: 20_000 }).not.toBe('recording');
    guard.check();
  }, 60_000);

  it('plays a locked range back from the evidence list, at its start', async () => {
    // Enough recorded (the first 10 s segment closed, with a margin), then a range of Gate locked (as Playback does) that
    // the list shows with who locked it. Polled: a span grows as its open segment is written.
    let span = { start: 0, end: 0 };
    await expect.poll(async () => {
      const [tl] = await ws.call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { source: 'local', channelIds: [gate], from: recordingFrom - 60_000, to: Date.now() });
      span = [...tl!.spans].sort((a, b) => (b.end - b.start) - (a.end - a.start))[0] ?? span;
      return span.end - span.start;
    }, { timeout: 40_000, interval: 500 }).toBeGreaterThan(12_000);
    const at = span.start + 3_000;
    const lock = await ws.call<{ id: number }>('archive.lock', { channelId: gate, from: at, to: at + 6_000, reason: 'case 12' });
    await page.reload();
    const row = page.locator(`tr[data-lock="${lock.id}"]`);
    await row.scrollIntoViewIfNeeded();
    expect(await row.locator('td').nth(0).textContent()).toBe('Gate');
    expect(await row.locator('td').nth(3).textContent()).toMatch(/ \(browser\)$/);
    // camsim's picture carries its position in a 4 s loop: the code at the lock's start comes from the keyframe before it.
    const thumb = await ws.call<{ jpegBase64: string; at: number }>('archive.thumbnail', { source: 'local', channelId: gate, at });
    const keyCode = codeOfJpeg(Buffer.from(thumb.jpegBase64, 'base64'));
    expect(keyCode).not.toBeNull();
    const watching = presentedFrames(page, `video[data-playback="${gate}"]`, 4000);
    await row.locator('[data-action=play]').click();
    await page.waitForSelector('h1:has-text("Playback")');
    const frames = (await watching).filter((f) => f.mediaTime >= PLAYBACK_START_S - 0.02 && f.code !== null);
    const seen = JSON.stringify(frames.map((f) => [f.mediaTime, f.code]));
    expect(frames.length, seen).toBeGreaterThan(10);
    const LOOP_MS = 4000;
    for (const f of frames) {
      const expected = keyCode! + (at - thumb.at) + (f.mediaTime - PLAYBACK_START_S) * 1000;
      const off = (((f.code! - expected) % LOOP_MS) + LOOP_MS) % LOOP_MS;
      expect(Math.min(off, LOOP_MS - off), `frame at ${f.mediaTime}: ${seen}`).toBeLessThanOrEqual(45);
    }
    await page.click('nav [data-view=storage]');
    await page.waitForSelector('#st-evidence');
  }, 60_000);

  it('refuses a quota below what locked evidence holds; unlocks with a reason, audited and found by the filter', async () => {
    const [lock] = await ws.call<{ id: number }[]>('archive.locks', {});
    await scrollTo('input[name=quota]');
    await page.fill('input[name=quota]', '0.000001');
    await page.click('button[data-action=save-archive]');
    await expect.poll(() => page.locator('.st-archive [role=alert]').textContent()).toMatch(/^Archive quota \(.+\) is below what locked evidence already uses \(.+\)/);
    expect((await config()).archive.quotaBytes).toBe(20 * 1024 ** 3);

    const row = page.locator(`tr[data-lock="${lock!.id}"]`);
    await row.scrollIntoViewIfNeeded();
    await row.locator('[data-action=unlock]').click();
    const input = page.locator('[role=dialog] input[name=unlock-reason]');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role=dialog] [role=alert]').textContent()).toContain('A reason is required');
    expect(await ws.call('archive.locks', {})).toHaveLength(1);
    await page.screenshot({ path: join(SHOTS, 'storage-unlock-dialog.png') });
    await page.keyboard.type('case closed');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=no-locks]');
    expect(await ws.call('archive.locks', {})).toEqual([]);
    await scrollTo('select[data-filter=kind]');
    await page.selectOption('select[data-filter=kind]', 'unlock');
    const entry = page.locator('tr[data-audit="lock.removed"]');
    await expect.poll(() => entry.locator('td').nth(4).textContent()).toMatch(/case 12 — unlocked because: case closed$/);
    // The unfiltered list holds that row too: wait for the filtered answer.
    await expect.poll(() => page.locator('.st-audit tbody tr').count()).toBe(1);
    await page.selectOption('select[data-filter=kind]', 'lock');
    await expect.poll(() => page.locator('.st-audit tbody tr[data-audit="lock.created"]').count()).toBe(1);
    await page.selectOption('select[data-filter=kind]', '');
  }, 30_000);

  it('changes the recordings folder at once, moving the recordings there with progress', async () => {
    const to = mkdtempSync(join(station.dataDir, 'disk2-'));
    const oldFolder = (await config()).folder;
    await scrollTo('input[name=folder]');
    await page.fill('input[name=folder]', to);
    await page.check('input[name=move] >> nth=0');
    await page.click('button[data-action=change-folder]');
    await page.waitForSelector('[data-move-state=done]', { timeout: 60_000 });
    expect(await page.textContent('[data-move-state=done]')).toMatch(/^Moved \d+ files/);
    expect(await page.textContent('[data-testid=recordings-folder]')).toBe(to);
    expect((await config()).folder).toBe(to);
    // The closed segments are in the new folder, and none is left in the old one (the recorders went on in the new one).
    const segments = await ws.call<{ spans: unknown[] }[]>('archive.timeline', { source: 'local', channelIds: [gate, yard], from: recordingFrom - 60_000, to: Date.now() });
    expect(segments.every((s) => s.spans.length > 0)).toBe(true);
    expect(existsSync(join(to, String(gate)))).toBe(true);
    await expect.poll(() => existsSync(join(oldFolder, String(gate))), { timeout: 20_000 }).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'storage-moved.png'), fullPage: true });
    guard.check();
  }, 90_000);
});
