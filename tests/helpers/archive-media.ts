// Recorded media for archive tests: a per-frame fMP4 (like the StreamHub's) whose frames carry camsim's
// timestamp code, fed to a recorder on a fake clock; and frame decoding to read the code back.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaFrame } from '../../electron/contract';
import { boxes, Fmp4Reader, readMoof, type FragmentInfo, type TrackInfo } from '../../electron/core/media/fmp4';
import type { HubConsumer } from '../../electron/core/media/stream-hub';
import { retimeFragment } from '../../electron/core/recording/fragment-time';
import { readTimestampCode, timestampCodeFilter } from '../../scripts/camsim/video/timestamp-code';

export const W = 320;
export const H = 180;
export const FPS = 25;

/** A coded clip: frame k shows code round(k*40) ms; GOP 2 s; cached between runs. */
export function codedClip(seconds = 20): string {
  const path = join(tmpdir(), `wp-archive-clip-${W}x${H}-${seconds}s-v1.mp4`);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}`, '-t', String(seconds),
    '-vf', timestampCodeFilter(W, H), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(FPS * 2), '-keyint_min', String(FPS * 2),
    '-sc_threshold', '0', '-bf', '0', '-pix_fmt', 'yuv420p', '-f', 'mp4',
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof+frag_every_frame', tmp,
  ]);
  renameSync(tmp, path);
  return path;
}

export interface Clip { init: Buffer; track: TrackInfo; frags: { data: Buffer; info: FragmentInfo }[]; frameDts: number }

export function loadClip(path = codedClip()): Clip {
  const parts = new Fmp4Reader().push(readFileSync(path));
  const init = parts[0]!;
  if (init.kind !== 'init') throw new Error('clip has no init');
  const frags = parts.filter((p) => p.kind === 'fragment').map((p) => ({ data: p.data, info: p.info as FragmentInfo }));
  return { init: init.data, track: init.info, frags, frameDts: frags[0]!.info.duration };
}

/** Fragment n of an endless loop of the clip, re-stamped so decode times keep rising. */
export function loopFragment(clip: Clip, n: number): { data: Buffer; info: FragmentInfo } {
  const f = clip.frags[n % clip.frags.length]!;
  const dts = n * clip.frameDts;
  return { data: retimeFragment(f.data, dts), info: { ...f.info, baseDecodeTime: dts } };
}

/** The code frame n of the loop shows. */
export function loopCode(clip: Clip, n: number): number {
  return Math.round(((n % clip.frags.length) * clip.frameDts * 1000) / clip.track.timescale);
}

export class FakeClock {
  constructor(public t: number) {}
  now = () => this.t;
}

/** Feeds loop frames [from, to) to a consumer, setting the clock to each frame's wall time (startWall + media time). */
export function feed(consumer: HubConsumer, clip: Clip, clock: FakeClock, startWall: number, from: number, to: number): void {
  for (let n = from; n < to; n++) {
    const f = loopFragment(clip, n);
    clock.t = startWall + Math.round((n * clip.frameDts * 1000) / clip.track.timescale);
    consumer.fragment(f.data, f.info);
  }
}

/** Decodes fMP4 bytes to grey frames and reads each frame's timestamp code. */
export function decodeCodes(mp4: Buffer | string): (number | null)[] {
  const input = typeof mp4 === 'string' ? ['-i', mp4] : ['-f', 'mp4', '-i', 'pipe:0'];
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, '-vf', `scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], {
    input: typeof mp4 === 'string' ? undefined : mp4, maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode: ${r.stderr.toString()}`);
  const out: (number | null)[] = [];
  for (let at = 0; at + W * H <= r.stdout.length; at += W * H) out.push(readTimestampCode(r.stdout.subarray(at, at + W * H), W, H));
  return out;
}

/** ffprobe's count of decodable video frames, or an error text. */
export function probeFrames(path: string): number | string {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]);
  if (r.status !== 0 || r.stderr.length) return r.stderr.toString() || `exit ${r.status}`;
  return Number(r.stdout.toString().trim());
}

/** The fragments (one per moof) that media frames carry: playback and a live start send several in one frame. */
export function fragmentsOf(frames: MediaFrame[], tracks?: Pick<TrackInfo, 'trackId' | 'audio'>): FragmentInfo[] {
  return frames.filter((f) => f.kind === 'fragment').flatMap((f) => {
    const b = Buffer.from(f.payload);
    return [...boxes(b)].filter((box) => box.type === 'moof').map((moof) => readMoof(b, moof, tracks));
  });
}
