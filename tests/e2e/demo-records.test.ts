// `npm run demo` records from its first start: on a fresh data folder each simulated camera's sub stream records
// continuously and Playback has video within a minute; the plain station records nothing until told. A channel the user
// turns off stays off at the demo's next start.
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openGuardedPage } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { codeOfJpeg } from '../helpers/video-code';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
// One subnet for both starts (a new one would be new cameras to the demo).
const SUBNET = `127.${2 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}`;
let demo: StationProcess, browser: Browser, ws: WsClient;
let startedAt = 0;
type Config = { channels: { channelId: number; mode: string; stream: string }[] };
type Timeline = { channelId: number; spans: { start: number; end: number }[] }[];

beforeAll(async () => {
  startedAt = Date.now();
  [demo, browser] = await scope.all([startStation({ args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: SUBNET } }), launchChromium()]);
  ws = scope.add(await wsClient(demo.url));
}, 90_000);

describe('the demo records', () => {
  it('a fresh demo data folder has recorded video of every camera within 60 s of the start', async () => {
    const channels = (await ws.call<{ id: number; name: string; site?: unknown }[]>('channels.list', {})).filter((c) => !c.site);
    expect(channels).toHaveLength(8);
    const config = await ws.call<Config>('recording.config', {});
    expect(config.channels.map((c) => [c.mode, c.stream])).toEqual(channels.map(() => ['continuous', 'sub']));
    const ids = channels.map((c) => c.id);
    let tl: Timeline = [];
    for (const until = startedAt + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 1000))) {
      tl = await ws.call<Timeline>('archive.timeline', { source: 'local', channelIds: ids, from: startedAt - 60_000, to: Date.now() });
      if (tl.every((c) => c.spans.some((s) => s.end - s.start >= 5_000))) break;
    }
    expect(tl.map((c) => c.spans.some((s) => s.end - s.start >= 5_000)), JSON.stringify(tl)).toEqual(ids.map(() => true));
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    // Real video: a recorded keyframe decodes, and shows camsim's timestamp code.
    const span = tl[0]!.spans.find((s) => s.end - s.start >= 5_000)!;
    const thumb = await ws.call<{ jpegBase64: string } | null>('archive.thumbnail', { source: 'local', channelId: ids[0], at: span.end - 1_000 });
    expect(codeOfJpeg(Buffer.from(thumb!.jpegBase64, 'base64'))).not.toBeNull();
  }, 70_000);

  it('Playback shows the recorded range on each timeline, and the Live page has no recording-off note', async () => {
    const { page, guard } = await openGuardedPage(browser, `${demo.url}#/playback`, { viewport: { width: 1280, height: 800 } });
    const first = (await ws.call<{ id: number }[]>('channels.list', {}))[0]!.id;
    await page.waitForSelector(`canvas[data-timeline="${first}"]`, { timeout: 15_000 });
    await page.goto(`${demo.url}#/live`);
    await page.waitForSelector('.grid [data-tile]');
    await page.waitForTimeout(1500);
    expect(await page.locator('[data-testid=recording-off-hint]').count()).toBe(0);
    guard.check();
    await page.close();
  }, 60_000);

  it('brings its own cloud: the Privacy page reaches it and its policy names the demo deployment as controller', async () => {
    const { page, guard } = await openGuardedPage(browser, `${demo.url}#/privacy`, { viewport: { width: 1280, height: 900 } });
    await expect.poll(async () => (await ws.call<{ cloud: { url: string | null; reachable: boolean | null } }>('privacy.state', {})).cloud, { timeout: 15_000 })
      .toMatchObject({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), reachable: true, refused: null });
    await page.click('[data-section=policy] summary');
    await page.waitForSelector('[data-testid=controller-name]');
    expect(await page.textContent('[data-testid=controller-name]')).toBe('Watchpost demo deployment (this computer)');
    expect(await page.textContent('[data-testid=controller-authority]')).toBe('You may complain to a supervisory authority: the data protection authority of your country.');
    expect(await page.locator('[data-section=policy] [data-policy-section]').count()).toBe(9);
    guard.check();
    await page.close();
  }, 60_000);

  it('keeps a channel the user turned off off at the next start', async () => {
    const [first] = await ws.call<{ id: number }[]>('channels.list', {});
    await ws.call('recording.setChannels', { channelIds: [first!.id], mode: 'off' });
    ws.close();
    const dataDir = demo.dataDir;
    await demo.stop();
    demo = scope.add(await startStation({ dataDir, args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: SUBNET } }));
    ws = scope.add(await wsClient(demo.url));
    const config = await ws.call<Config>('recording.config', {});
    expect(config.channels.find((c) => c.channelId === first!.id)?.mode).toBe('off');
    expect(config.channels.filter((c) => c.mode === 'continuous')).toHaveLength(7);
  }, 60_000);

  it('the plain station records nothing until told', async () => {
    const plain = scope.add(await startStation());
    const api = scope.add(await wsClient(plain.url));
    await api.call('channels.addRtsp', { name: 'Gate', mainUrl: 'rtsp://127.0.0.1:9/none', subUrl: null });
    expect(await api.call<unknown[]>('channels.list', {})).toHaveLength(1);
    expect((await api.call<Config>('recording.config', {})).channels).toEqual([]);
    expect((await api.call<{ channels: unknown[] }>('recording.status', {})).channels).toEqual([]);
  }, 60_000);
});
