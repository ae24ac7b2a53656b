// The hub's box reader on real ffmpeg output (H.264 and H.265), however the pipe chunks fall.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Fmp4Reader, readInit, type Fmp4Part } from '../../electron/core/media/fmp4';

function encode(codec: 'libx264' | 'libx265', frames: number, gop: number, extra: string[] = []): Buffer {
  return execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25`, '-frames:v', String(frames),
    '-c:v', codec, '-preset', codec === 'libx264' ? 'veryfast' : 'ultrafast', '-g', String(gop), '-pix_fmt', 'yuv420p', ...extra,
    ...(codec === 'libx265' ? ['-tag:v', 'hvc1', '-x265-params', `log-level=error:keyint=${gop}:min-keyint=${gop}:scenecut=0`] : []),
    '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof+frag_every_frame', 'pipe:1',
  ], { maxBuffer: 64 * 1024 * 1024 });
}

/** Keyframe packet indices (decode order) as ffprobe, software nobody here wrote, sees them. */
function ffprobeKeyframes(bytes: Buffer): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', 'pipe:0'], { input: bytes }).toString();
  return out.trim().split('\n').flatMap((l, i) => (l.includes('K') ? [i] : []));
}

function readAll(bytes: Buffer, chunk: (i: number) => number): Fmp4Part[] {
  const r = new Fmp4Reader();
  const parts: Fmp4Part[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, chunk(i));
    parts.push(...r.push(bytes.subarray(at, at + n)));
    at += n;
  }
  return parts;
}

describe('fMP4 reader', () => {
  const h264 = encode('libx264', 60, 25, ['-profile:v', 'high', '-level', '4.0']);

  it('finds the init segment, one fragment per frame and the keyframes', () => {
    const parts = readAll(h264, () => h264.length);
    expect(parts[0]!.kind).toBe('init');
    const frags = parts.filter((p) => p.kind === 'fragment');
    expect(frags).toHaveLength(60);
    const keys = frags.flatMap((p, i) => (p.kind === 'fragment' && p.info.keyframe ? [i] : []));
    expect(keys).toEqual([0, 25, 50]);
    expect(keys).toEqual(ffprobeKeyframes(h264));
    const total = frags.reduce((s, p) => s + (p.kind === 'fragment' ? p.info.duration : 0), 0);
    const info = parts[0]!.kind === 'init' ? parts[0]!.info : undefined;
    expect(total / info!.timescale).toBeCloseTo(60 / 25, 2);
    // Decode times increase by one frame each.
    const t = frags.map((p) => (p.kind === 'fragment' ? p.info.baseDecodeTime : 0));
    expect(t[1]! - t[0]!).toBe(info!.timescale / 25);
  });

  it("reads the codec string from the stream's own avcC", () => {
    const parts = readAll(h264, () => 4096);
    expect(parts[0]!.kind === 'init' && parts[0]!.info).toMatchObject({ kind: 'h264', codec: 'avc1.640028', width: 320, height: 180 });
  });

  it('gives the same parts whatever the chunking (1 byte to 64 KiB, random)', () => {
    const whole = readAll(h264, () => h264.length).map((p) => p.data.toString('base64'));
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 70_000;
    expect(readAll(h264, rnd).map((p) => p.data.toString('base64'))).toEqual(whole);
    expect(readAll(h264.subarray(0, 5000), () => 1).map((p) => p.kind)).toEqual(['init', ...readAll(h264.subarray(0, 5000), () => 5000).slice(1).map((p) => p.kind)]);
  });

  it('reads H.265 init segments (hvcC) and keyframes', () => {
    const h265 = encode('libx265', 30, 10);
    const parts = readAll(h265, () => 10_000);
    const init = parts[0]!;
    expect(init.kind === 'init' && init.info.kind).toBe('h265');
    expect(init.kind === 'init' && init.info.codec).toMatch(/^hvc1\.1\.6\.L\d+(\.[0-9A-F]{2})*$/);
    const keys = parts.slice(1).flatMap((p, i) => (p.kind === 'fragment' && p.info.keyframe ? [i] : []));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys).toEqual(ffprobeKeyframes(h265));
  });

  it('refuses a corrupt box size with a clear error', () => {
    const r = new Fmp4Reader();
    const bad = Buffer.alloc(16);
    bad.writeUInt32BE(4, 0);
    bad.write('moof', 4, 'latin1');
    expect(() => r.push(bad)).toThrow("fMP4 stream: box 'moof' has an impossible size 4");
    expect(() => readInit(Buffer.alloc(8))).toThrow('init segment has no moov box');
  });
});
