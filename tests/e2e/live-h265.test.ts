// H.265 camera in Chromium (which cannot decode HEVC in MSE): the station transcodes it while the tile watches, with a badge,
// and the transcoder's ffmpeg ends within its grace period once the tile closes.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamStatus } from '../../electron/contract';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { liveTiles } from '../helpers/live-tiles';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = '/tmp/shots-live';
const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, api: WsClient, guard: ConsoleGuard;

/** The station's ffmpeg children that encode H.264 (the transcoders), from the process table. */
function transcoders(): string[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(station.proc.pid)], { encoding: 'utf8' });
  } catch (err) {
    // ps exits 1 when the station has no children at all (it reads the camera itself; the transcoder has gone).
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
  return out.split('\n').filter((l) => /ffmpeg/.test(l) && /libx264/.test(l));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1', '--codec', 'h265']), startStation(), launchChromium()]);
  api = scope.add(await wsClient(station.url));
  const d = camsim.manifest.devices[0]!;
  const ch = d.channels[0]!;
  expect(ch.sub.codec).toBe('h265');
  await addCamsimChannel(api, 'HEVC cam', ch, d.credentials);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  guard = guardConsole(page);
}, 120_000);

const tile = async () => (await liveTiles(page))[0]!;

describe('H.265 camera through the transcoding fallback', () => {
  it('Chromium here cannot decode HEVC in MSE, so the case is real', async () => {
    await page.goto(`${station.url}#/live`);
    expect(await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"'))).toBe(false);
  });

  it('shows moving video with the transcoding badge, and the core reports the stream as transcoded', { timeout: 120_000 }, async () => {
    await expect.poll(async () => (await tile()).frames, { timeout: 90_000, interval: 1000 }).toBeGreaterThan(10);
    const a = await tile();
    await page.waitForTimeout(2000);
    const b = await tile();
    expect(b.frames, 'frames keep coming').toBeGreaterThan(a.frames + 10);
    expect(b.stddev, 'a picture, not a flat colour').toBeGreaterThan(10);
    expect(b.width).toBe(640);
    await expect.poll(async () => (await tile()).badge, { timeout: 5000 }).toContain('H.265→H.264');
    const status = (await api.call<StreamStatus[]>('streams.status', {})).find((s) => s.streamId === b.stream);
    expect(status).toMatchObject({ state: 'live', codec: expect.stringMatching(/^(hvc1|hev1)/), transcoded: true });
    expect(transcoders()).toHaveLength(1);
    // A channel added by RTSP URL has no PTZ, so its tile offers none.
    expect(await page.locator('[data-tile="0"]').getByRole('button', { name: 'PTZ' }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/h265-transcoded.png` });
  });

  it('closing the tile stops the transcoder within its grace period', { timeout: 60_000 }, async () => {
    const streamId = (await tile()).stream;
    await page.locator('[data-tile="0"]').focus();
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await tile()).frames).toBe(0);
    const closedAt = Date.now();
    // The transcoder's grace period is 2 s; allow for a loaded machine but not for "never".
    await expect.poll(() => transcoders().length, { timeout: 10_000, interval: 200 }).toBe(0);
    const stoppedAfterMs = Date.now() - closedAt;
    expect((await api.call<StreamStatus[]>('streams.status', {})).find((s) => s.streamId === streamId)?.transcoded).toBe(false);
    console.log(JSON.stringify({ transcoder_stopped_after_ms: stoppedAfterMs }));
    guard.check();
  });
});
