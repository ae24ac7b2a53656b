// Local clips of a tile belong to the station: a reloaded page finds the running clip and stops it; a clip whose page went
// away is stopped after a grace and kept; the file's timestamps start at 0, so its length is the time it ran.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoopbackServer } from '../../electron/core/server/loopback-server';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { mediaClient, serveStation, servedStationDir } from '../helpers/in-process-station';

const ORPHAN_MS = 1500;
const scope = fileScope();
let server: LoopbackServer, cam: GstCamera, channelId: number;

beforeAll(async () => {
  cam = scope.add(await startGstCamera('admin', 'clip-Pass-1'));
  ({ server } = scope.add(await serveStation(servedStationDir(scope, 'wp-clips-'), { media: { clipOrphanMs: ORPHAN_MS } })));
  const c = await mediaClient(scope, server);
  channelId = (await c.call('channels.addRtsp', { name: 'Dock', mainUrl: cam.url('admin:clip-Pass-1'), subUrl: null })).value.id;
  c.ws.close();
}, 30_000);

/** start_time and duration of a clip file, as ffprobe reads them. */
function probe(path: string): { start: number; duration: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time,duration', '-of', 'json', path], { encoding: 'utf8' });
  const f = (JSON.parse(out) as { format: { start_time: string; duration: string } }).format;
  return { start: Number(f.start_time), duration: Number(f.duration) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local clips', () => {
  it('outlive a page reload: the next page lists the running clip, and its Stop ends it; the file starts at 0', async () => {
    const page1 = await mediaClient(scope, server);
    // The tile has been showing the camera for a while: the stream's clock is well past 0 when Rec is pressed.
    await page1.call('live.open', { streamId: `${channelId}/main` });
    await sleep(5000);
    const started = (await page1.call('live.clipStart', { channelId })).value;
    expect(started).toMatchObject({ channelId, maxMs: 30 * 60_000 });
    // Starting again (another tile showing the same camera) gives the running clip, not a second file.
    expect((await page1.call('live.clipStart', { channelId })).value.clipId).toBe(started.clipId);
    await sleep(2500);
    page1.ws.close();

    // The reload comes back within the grace: it sees the clip and takes it over, so the grace passing ends nothing.
    await sleep(300);
    const page2 = await mediaClient(scope, server);
    expect((await page2.call('live.clips', {})).value).toEqual([started]);
    await sleep(ORPHAN_MS + 1000);
    expect((await page2.call('live.clips', {})).value).toHaveLength(1);

    const t0 = Date.now();
    const stopped = (await page2.call('live.clipStop', { clipId: started.clipId })).value;
    expect(stopped).toMatchObject({ path: started.path, reason: 'user' });
    expect(stopped.bytes).toBeGreaterThan(10_000);
    expect(page2.events.find((e) => e.name === 'live.clips' && e.payload.length === 0)).toBeTruthy();
    const { start, duration } = probe(stopped.path);
    expect(start).toBeLessThan(0.1);
    // The file holds the cached GOP before the start (up to one keyframe interval) and what came until Stop.
    expect(duration).toBeGreaterThan((stopped.durationMs - 500) / 1000);
    expect(duration).toBeLessThan((stopped.durationMs + 2500) / 1000);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 30_000);

  it('a clip whose page went away for good is stopped after the grace, and kept', async () => {
    const watcher = await mediaClient(scope, server);
    const page = await mediaClient(scope, server);
    const started = (await page.call('live.clipStart', { channelId })).value;
    await sleep(1500);
    page.ws.close();
    await expect.poll(() => watcher.events.find((e) => e.name === 'live.clipEnded' && e.payload.clipId === started.clipId)?.payload, { timeout: ORPHAN_MS + 5000 })
      .toMatchObject({ reason: 'page-gone', path: started.path });
    expect(existsSync(started.path)).toBe(true);
    expect(probe(started.path).duration).toBeGreaterThan(1);
    expect((await watcher.call('live.clips', {})).value).toEqual([]);
    const r = await watcher.call('live.clipStop', { clipId: started.clipId });
    expect(r.error.code).toBe('not_found');
  }, 30_000);
});
