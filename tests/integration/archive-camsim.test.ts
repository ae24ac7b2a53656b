// A camsim camera live-encodes each frame's capture time (Unix ms) as a timestamp code. Recorded by the
// station and played back from instants, the frame shown at startSeconds carries that instant's time (less the
// camera's constant latency).
import { beforeAll, describe, expect, it } from 'vitest';
import type { MediaFrame } from '../../electron/contract';
import { startFleet, withCredentials, type Fleet } from '../../scripts/camsim/fleet';
import { decodeCodes, fragmentsOf } from '../helpers/archive-media';
import { fileScope } from '../helpers/fixtures';
import { mediaClient, serveStation, servedStationDir, type MediaClient } from '../helpers/in-process-station';

const scope = fileScope();
let fleet: Fleet, client: MediaClient, frames: MediaFrame[];

beforeAll(async () => {
  const dir = servedStationDir(scope, 'wp-arch-camsim-');
  fleet = scope.add(await startFleet({ devices: 1, channels: 1, live: true, subnet: '127.0.71', ports: 'ephemeral' }));
  const { server } = scope.add(await serveStation(dir, { media: { graceMs: 500, stallMs: 5000 } }));
  client = await mediaClient(scope, server);
  frames = client.frames;
}, 90_000);

/** The call's value, or its error message thrown. */
async function call(name: string, input: unknown): Promise<any> {
  const r = await client.call(name, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('camsim recording', () => {
  it('plays back the frame captured at the instant asked for (capture time read from the picture)', async () => {
    const sub = fleet.manifest.devices[0]!.channels[0]!.sub;
    const url = withCredentials(sub.rtsp);
    const { id } = await call('channels.addRtsp', { name: 'Camsim', mainUrl: url, subUrl: null });
    await call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
    await call('recording.setChannels', { channelIds: [id], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    await expect.poll(async () => (await call('recording.status', {})).channels[0]?.state, { timeout: 30_000 }).toBe('recording');
    await new Promise((r) => setTimeout(r, 9_000));
    const now = Date.now();
    const [tl] = await call('archive.timeline', { channelIds: [id], from: now - 60_000, to: now });
    const latency: number[] = [];
    for (const offset of [2_345, 4_567, 6_789]) {
      const at = tl.spans[0].start + offset;
      frames.length = 0;
      const opened = await call('playback.open', { channelIds: [id], at, paused: true });
      const media = opened.channels[0].channel;
      await expect.poll(() => fragmentsOf(frames.filter((f) => f.channel === media)).length).toBeGreaterThan(20);
      await call('playback.close', { sessionId: opened.state.sessionId });
      const mine = frames.filter((f) => f.channel === media && f.kind !== 'end');
      const init = mine.find((f) => f.kind === 'init')!;
      const scale = 90_000;
      const pts = fragmentsOf(mine).map((f) => f.baseDecodeTime / scale);
      const codes = decodeCodes(Buffer.concat(mine.map((f) => Buffer.from(f.payload))));
      const i = pts.findLastIndex((p) => p <= opened.state.startSeconds + 1e-6);
      const code = codes[i]!;
      expect(init.meta?.width).toBe(sub.width);
      latency.push(at - code);
      // Consecutive frames are consecutive captures.
      expect(codes[i + 1]! - code).toBeGreaterThan(0);
      expect(codes[i + 1]! - code).toBeLessThan(200);
    }
    // The archive's time is when the station received a frame: capture time plus the camera's encode and network
    // latency, a constant. The same offset at every instant means each playback showed the frame of its instant.
    expect(Math.min(...latency)).toBeGreaterThanOrEqual(-50);
    expect(Math.max(...latency)).toBeLessThan(3_000);
    expect(Math.max(...latency) - Math.min(...latency)).toBeLessThanOrEqual(80);
  }, 60_000);
});
