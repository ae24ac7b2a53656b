import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedShare, MOTION_H, MOTION_W, MotionDetector, motionShare } from '../../electron/core/events/motion-detector';
import { locateTool } from '../../electron/core/media/ffmpeg';
import type { HubConsumer } from '../../electron/core/media/stream-hub';

const NONE = '0'.repeat(144);
/** Left half of the picture (columns 0-7 of 16) ignored. */
const LEFT_HALF = '1111111100000000'.repeat(9);

let dir: string;
let ffmpeg: string;
let clip: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-motion-'));
  ffmpeg = locateTool('ffmpeg', null, process.env).path;
  // A still grey picture with a white box moving across its left half only, as fragmented MP4 like a hub delivers.
  const out = join(dir, 'clip.mp4');
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x404040:s=320x180:r=10', '-f', 'lavfi', '-i', 'color=c=white:s=30x30:r=10', '-t', '5',
    '-filter_complex', "[0][1]overlay=x='10+mod(t*90\\,120)':y=60:shortest=1", '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p',
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', out]);
  clip = readFileSync(out);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A hub that plays the clip once to its consumer, paced at about real time. */
function clipHub() {
  const timers: NodeJS.Timeout[] = [];
  return {
    attach(c: HubConsumer) {
      const moov = clip.indexOf('moov') - 4;
      const moovSize = clip.readUInt32BE(moov);
      c.init(clip.subarray(0, moov + moovSize), {} as never);
      const rest = clip.subarray(moov + moovSize);
      const parts = 10;
      for (let i = 0; i < parts; i++) {
        timers.push(setTimeout(() => c.fragment(rest.subarray(Math.floor((rest.length * i) / parts), Math.floor((rest.length * (i + 1)) / parts)), {} as never), i * 300));
      }
      return () => timers.forEach(clearTimeout);
    },
  };
}

async function run(mask: string): Promise<{ events: boolean[]; frames: number; frozen: boolean[] }> {
  const events: boolean[] = [];
  const frozen: boolean[] = [];
  const d = new MotionDetector({ hub: clipHub(), ffmpegPath: ffmpeg, sensitivity: 60, mask, onMotion: (on) => events.push(on), onFrozen: (f) => frozen.push(f), frozenMs: 1500, fps: 10 });
  const stop = d.start();
  await new Promise((r) => setTimeout(r, 4000));
  const frames = d.frames;
  await stop();
  return { events, frames, frozen };
}

describe('local motion detection', () => {
  it('differences grey frames, ignoring masked cells', () => {
    const a = new Uint8Array(MOTION_W * MOTION_H).fill(64);
    const b = a.slice();
    for (let y = 30; y < 50; y++) for (let x = 20; x < 50; x++) b[y * MOTION_W + x] = 250;
    expect(changedShare(a, b, NONE, 50)).toBeGreaterThan(motionShare(50));
    expect(changedShare(a, b, LEFT_HALF, 50)).toBe(0);
  });

  it('sees the moving box in the decoded stream, and nothing when its area is masked', async () => {
    const seen = await run(NONE);
    expect(seen.frames).toBeGreaterThan(10);
    expect(seen.events[0]).toBe(true);
    // A moving picture is never reported frozen.
    expect(seen.frozen).toEqual([]);
    const masked = await run(LEFT_HALF);
    expect(masked.frames).toBeGreaterThan(10);
    expect(masked.events).toEqual([]);
  }, 20_000);
});

describe('frozen picture', () => {
  it('reports a picture that stops changing, and clears it when the detector stops', async () => {
    const still = join(dir, 'still.mp4');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=10', '-t', '4', '-vf', 'trim=end_frame=1,tpad=stop=39:stop_mode=clone',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', still]);
    const data = readFileSync(still);
    const moov = data.indexOf('moov') - 4;
    const initEnd = moov + data.readUInt32BE(moov);
    const frozen: boolean[] = [];
    const d = new MotionDetector({
      hub: { attach(c) { c.init(data.subarray(0, initEnd), {} as never); c.fragment(data.subarray(initEnd), {} as never); return () => {}; } },
      ffmpegPath: ffmpeg, sensitivity: 50, mask: NONE, onMotion: () => {}, onFrozen: (f) => frozen.push(f), frozenMs: 1000, fps: 10,
      clock: (() => { let t = 0; return () => (t += 100); })(),
    });
    const stop = d.start();
    await expect.poll(() => frozen, { timeout: 8000 }).toEqual([true]);
    await stop();
    expect(frozen).toEqual([true, false]);
  }, 15_000);
});
