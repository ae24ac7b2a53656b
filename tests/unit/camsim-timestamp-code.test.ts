import { describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../scripts/camsim/video/ffmpeg-process';
import { codeLayout, encodeTimestampCells, readTimestampCode, timestampCodeFilter } from '../../scripts/camsim/video/timestamp-code';

function paint(value: number, width: number, height: number): Uint8Array {
  const gray = new Uint8Array(width * height).fill(128);
  const { strip, cells } = codeLayout(width, height);
  const white = encodeTimestampCells(value);
  for (let y = strip.y; y < strip.y + strip.h; y++) gray.fill(0, y * width + strip.x, y * width + strip.x + strip.w);
  cells.forEach((c, i) => {
    if (!white[i]) return;
    for (let y = c.y; y < c.y + c.h; y++) gray.fill(255, y * width + c.x, y * width + c.x + c.w);
  });
  return gray;
}

describe('timestamp code', () => {
  it('round-trips painted cells at several sizes', () => {
    for (const [w, h] of [[640, 360], [1920, 1080], [320, 180]] as const) {
      for (const v of [0, 1, 3960, 1_795_935_101_289, 2 ** 44 - 1]) expect(readTimestampCode(paint(v, w, h), w, h)).toBe(v);
    }
  });

  it('rejects a frame without a code or with a flipped bit', () => {
    expect(readTimestampCode(new Uint8Array(640 * 360).fill(128), 640, 360)).toBeNull();
    expect(readTimestampCode(new Uint8Array(640 * 360), 640, 360)).toBeNull();
    const gray = paint(1_700_000_000_123, 640, 360);
    const cell = codeLayout(640, 360).cells[10]!;
    const flip = gray[cell.y * 640 + cell.x + 4] === 255 ? 0 : 255;
    for (let y = cell.y; y < cell.y + cell.h; y++) gray.fill(flip, y * 640 + cell.x, y * 640 + cell.x + cell.w);
    expect(readTimestampCode(gray, 640, 360)).toBeNull();
  });

  it('survives ffmpeg drawbox rendering and low-rate H.264 at 640x360', async () => {
    // Frame times of 1700000000.123 s + n*40 ms, drawn by the same filter the streams use.
    const vf = `settb=1/1000,setpts=1700000000123+N*40,${timestampCodeFilter(640, 360)}`;
    const h264 = await runFfmpeg(['-nostdin', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25:d=0.4', '-vf', vf, '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '300k', '-fps_mode', 'passthrough', '-f', 'h264', 'pipe:1']);
    const gray = await runFfmpeg(['-nostdin', '-f', 'h264', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], h264);
    const size = 640 * 360;
    const values: (number | null)[] = [];
    for (let i = 0; i + size <= gray.length; i += size) values.push(readTimestampCode(gray.subarray(i, i + size), 640, 360));
    expect(values).toEqual(Array.from({ length: 10 }, (_, n) => 1_700_000_000_123 + n * 40));
    // Read back after downscaling too (a bench may decode to a smaller picture).
    const small = await runFfmpeg(['-nostdin', '-f', 'h264', '-i', 'pipe:0', '-frames:v', '1', '-vf', 'scale=320:180', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], h264);
    expect(readTimestampCode(small, 320, 180)).toBe(1_700_000_000_123);
  });
});
