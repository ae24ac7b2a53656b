// Events and alarms as a user sees them, in Chromium against `npm run station` and camsim's ONVIF events.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { START_S as PLAYBACK_START_S } from '../../electron/core/recording/playback';
import { startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel, addOnvifEventSource, eventSourceConnected } from '../helpers/station-setup';
import { codeOfJpeg, presentedFrames } from '../helpers/video-code';
import { wsClient, type WsClient } from '../helpers/ws-client';

const GRACE_MS = 1500;
const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page, ws: WsClient, guard: ConsoleGuard;
let channelId: number;
let recordingSince = 0;

async function open(url: string) {
  ({ page, guard } = await openGuardedPage(browser, `${url}#/events`, { viewport: { width: 1280, height: 800 } }));
  await page.waitForSelector('.ev-filters');
}

beforeAll(async () => {
  [fleet, station, browser] = await scope.all([
    startFleet({ devices: 1, channels: 1, subnet: 'random' }),
    startStation({ env: { WATCHPOST_EVENT_OFFLINE_GRACE_MS: String(GRACE_MS) } }),
    launchChromium(),
  ]);
  ws = scope.add(await wsClient(station.url));
  channelId = await addCamsimChannel(ws, 'Yard', fleet.manifest.devices[0]!.channels[0]!);
  // Event recording with a pre-event buffer: the recorder keeps the last seconds in memory until an alarm triggers it.
  recordingSince = Date.now();
  await ws.call('recording.setChannels', { channelIds: [channelId], mode: 'event', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 4, postSeconds: 3, retentionDays: null });
  await addOnvifEventSource(ws, fleet, channelId);
  await ws.call('alarms.saveRule', { name: 'Yard alarm', enabled: true, types: ['door'], channelIds: [channelId], schedule: '1'.repeat(336), actions: ['notify', 'sound', 'record', 'mark'] });
  await eventSourceConnected(ws, 10_000);
  await open(station.url);
}, 90_000);

/** Milliseconds from raising an event on the camera to its row in the list. */
async function raiseAndSee(raise: () => void, selector: string): Promise<number> {
  const t0 = Date.now();
  raise();
  await page.waitForSelector(selector, { timeout: 5000 });
  return Date.now() - t0;
}

describe('events and alarms', () => {
  it('shows motion, door and temperature from the camera within a second, and the door alarm notifies with a snapshot', async () => {
    const cam = fleet.device(0);
    expect(await raiseAndSee(() => cam.raiseEvent({ kind: 'motion', channel: 1, state: true }), '.ev-row[data-type=motion]')).toBeLessThan(1000);
    expect(await raiseAndSee(() => cam.raiseEvent({ kind: 'temperature', channel: 1, value: 23.5 }), '.ev-row[data-type=temperature]')).toBeLessThan(1000);
    expect(await page.textContent('.ev-row[data-type=temperature] .ev-detail')).toBe('23.5 °C');
    // Let the pre-event ring fill before the alarm.
    await new Promise((r) => setTimeout(r, Math.max(0, recordingSince + 7000 - Date.now())));
    const doorAt = Date.now();
    expect(await raiseAndSee(() => cam.raiseEvent({ kind: 'door', channel: 1, state: true }), '.ev-row[data-type=door]')).toBeLessThan(1000);
    // Headless Chromium has no notification permission: the in-app toast carries the snapshot.
    await page.waitForSelector('.ev-toast img', { timeout: 15_000 });
    await page.waitForSelector('.ev-unacked');
    await page.waitForSelector('.ev-row[data-type=door] img.ev-thumb', { timeout: 5000 });
    cam.raiseEvent({ kind: 'motion', channel: 1, state: false });
    // The alarm's event recording holds the seconds before the door opened, and the timeline carries its mark.
    let tl: { spans: { start: number; end: number }[]; events: { at: number; kind: string }[] } | undefined;
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      [tl] = await ws.call<NonNullable<typeof tl>[]>('archive.timeline', { source: 'local', channelIds: [channelId], from: doorAt - 60_000, to: doorAt + 60_000 });
      if (tl?.spans.some((sp) => sp.start <= doorAt - 1500 && sp.end >= doorAt + 1000)) break;
    }
    expect(tl?.events.some((e) => e.kind === 'door' && Math.abs(e.at - doorAt) < 2000)).toBe(true);
    expect(tl?.spans.some((sp) => sp.start <= doorAt - 1500 && sp.end >= doorAt + 1000)).toBe(true);
    // The door closing gives the mark its end: the timeline draws the event as a band.
    const closedAt = Date.now();
    cam.raiseEvent({ kind: 'door', channel: 1, state: false });
    await expect.poll(async () => {
      const [now] = await ws.call<{ events: { at: number; kind: string; end?: number }[] }[]>('archive.timeline', { source: 'local', channelIds: [channelId], from: doorAt - 60_000, to: doorAt + 60_000 });
      return now!.events.find((e) => e.kind === 'door')?.end;
    }, { timeout: 10_000 }).toBeGreaterThanOrEqual(closedAt - 1000);
  }, 60_000);

  it('charts the temperature on the sensor panel', async () => {
    fleet.device(0).raiseEvent({ kind: 'temperature', channel: 1, value: 25 });
    await page.click('[data-tab=sensors]');
    await expect.poll(() => page.textContent(`[data-sensor="${channelId}:temperature"] .ev-sensor-value`)).toBe('25 °C');
    await page.waitForSelector(`[data-sensor="${channelId}:temperature"] svg polyline`);
    await page.click('[data-tab=events]');
  });

  it('sets local motion detection with a mask drawn over the picture', async () => {
    await page.click('[data-tab=motion]');
    await page.waitForSelector('.ev-mask img', { timeout: 15_000 });
    await page.check('input[name=motion-enabled]');
    await page.click('.ev-mask-grid [data-cell="0"]');
    await page.click('.ev-mask-grid [data-cell="17"]');
    await page.click('.ev-motion button[type=submit]');
    await page.waitForSelector('.ev-motion [role=status]');
    const cfg = await ws.call<{ enabled: boolean; mask: string }>('motion.get', { channelId });
    expect(cfg.enabled).toBe(true);
    expect([...cfg.mask].flatMap((c, i) => (c === '1' ? [i] : []))).toEqual([0, 17]);
    await ws.call('motion.set', { ...cfg, channelId, sensitivity: 50, enabled: false });
    await page.click('[data-tab=events]');
  }, 30_000);

  it('keeps an acknowledgement with its note over a station restart', async () => {
    await page.click('.ev-row[data-type=door] [data-action=ack]');
    await page.fill('.ev-ack input', 'gate checked');
    await page.click('.ev-ack button[type=submit]');
    await page.waitForSelector('.ev-row[data-type=door] .ev-acked');
    await expect.poll(() => page.locator('.ev-unacked').count()).toBe(0);
    guard.check();
    await page.close();
    ws.close();
    const dataDir = station.dataDir;
    await station.stop();
    station = scope.add(await startStation({ dataDir, env: { WATCHPOST_EVENT_OFFLINE_GRACE_MS: String(GRACE_MS) } }));
    ws = scope.add(await wsClient(station.url));
    await open(station.url);
    expect(await page.textContent('.ev-row[data-type=door] .ev-acked')).toBe('Acknowledged: gate checked');
    // A click on the event's time opens Playback with that channel playing from that instant. camsim's picture carries
    // its position in a 4 s loop as a timestamp code: the code expected at the instant comes from the recorded keyframe
    // before it (its thumbnail), and every frame the page presents from the instant on must show the matching code.
    const [door] = await ws.call<{ start: number }[]>('events.list', { types: ['door'], limit: 1 });
    const thumb = await ws.call<{ jpegBase64: string; at: number }>('archive.thumbnail', { source: 'local', channelId, at: door!.start });
    const keyCode = codeOfJpeg(Buffer.from(thumb.jpegBase64, 'base64'));
    expect(keyCode).not.toBeNull();
    const watching = presentedFrames(page, `video[data-playback="${channelId}"]`, 4000);
    await page.click('.ev-row[data-type=door] button.link');
    await page.waitForSelector('h1:has-text("Playback")');
    expect(page.url()).toContain('#/playback');
    expect(await page.isChecked('.pb-channels label:has-text("Yard") input')).toBe(true);
    const frames = (await watching).filter((f) => f.mediaTime >= PLAYBACK_START_S - 0.02 && f.code !== null);
    const seen = JSON.stringify(frames.map((f) => [f.mediaTime, f.code]));
    expect(frames.length, seen).toBeGreaterThan(10);
    expect(frames[0]!.mediaTime, seen).toBeLessThan(PLAYBACK_START_S + 0.5);
    const LOOP_MS = 4000;
    for (const f of frames) {
      const expected = keyCode! + (door!.start - thumb.at) + (f.mediaTime - PLAYBACK_START_S) * 1000;
      const off = (((f.code! - expected) % LOOP_MS) + LOOP_MS) % LOOP_MS;
      expect(Math.min(off, LOOP_MS - off), `frame at ${f.mediaTime}: ${seen}`).toBeLessThanOrEqual(45);
    }
    await page.click('nav [data-view=events]');
    await page.waitForSelector('.ev-filters');
  }, 60_000);

  it('raises device offline once the camera is gone past the grace period', async () => {
    await eventSourceConnected(ws, 10_000);
    const gone = Date.now();
    await fleet.device(0).goOffline(GRACE_MS + 4000);
    await page.waitForSelector('.ev-row[data-type=device_offline]', { timeout: 15_000 });
    expect(Date.now() - gone).toBeGreaterThanOrEqual(GRACE_MS);
    await fleet.device(0).whenOnline();
    guard.check();
  }, 40_000);
});
