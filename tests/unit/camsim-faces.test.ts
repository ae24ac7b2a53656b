// camsim --faces: where the photographs go (a pure function the render and the benches share), the overlays that paste
// them, the loop's length and its cache key (the manifest's copy: tests/integration/faces.test.ts).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FACE_SLOTS, faceFilter, faceLoopSeconds, facePhotos, faceScene, placementAt } from '../../scripts/camsim/video/face-scene';
import { loopKey, loopSecondsOf } from '../../scripts/camsim/video/loop-cache';
import { filterGraph, sourceArgs, type RenderSpec } from '../../scripts/camsim/video/render-args';
import { codeLayout, readTimestampCode } from '../../scripts/camsim/video/timestamp-code';

const spec: RenderSpec = { codec: 'h264', profile: 'sub', channelName: 'People', width: 640, height: 360, fps: 25, gopSeconds: 2, panX: 0, panY: 0, facePhotos: true };

describe('camsim faces', () => {
  it('places every photograph inside the picture, below the labels and above the timestamp code, its faces inside it', () => {
    for (const [w, h] of [[1920, 1080], [640, 360], [1280, 960]] as const) {
      const scene = faceScene(w, h, 2);
      expect(scene.placements).toHaveLength(FACE_SLOTS);
      expect(new Set(scene.placements.map((p) => p.photo)).size).toBe(facePhotos().length);
      const code = codeLayout(w, h).strip;
      for (const p of scene.placements) {
        expect(p.to - p.from).toBe(scene.slotSeconds);
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x + p.w).toBeLessThanOrEqual(w);
        expect(p.y).toBeGreaterThanOrEqual(0.2 * h);
        expect(p.y + p.h).toBeLessThanOrEqual(code.y);
        expect(p.faces.length).toBe(facePhotos()[p.photoIndex]!.faces.length);
        for (const [fx, fy] of p.faces) {
          expect(fx * w).toBeGreaterThan(p.x);
          expect(fx * w).toBeLessThan(p.x + p.w);
          expect(fy * h).toBeGreaterThan(p.y);
          expect(fy * h).toBeLessThan(p.y + p.h);
        }
      }
      // Consecutive placements are at other places.
      scene.placements.forEach((p, i) => {
        const q = scene.placements[(i + 1) % scene.placements.length]!;
        expect(Math.abs(p.x - q.x) + Math.abs(p.y - q.y)).toBeGreaterThan(0.05 * w);
      });
    }
    // 22 faces at each of two sizes.
    expect(faceScene(1920, 1080, 2).placements.reduce((n, p) => n + p.faces.length, 0)).toBe(44);
  });

  it('says which placement a timestamp code shows, in a loop of whole GOPs', () => {
    expect(faceLoopSeconds(2)).toBe(12);
    expect(faceLoopSeconds(5)).toBe(15);
    expect(loopSecondsOf(spec)).toBe(12);
    expect(loopSecondsOf({ gopSeconds: 2 })).toBe(4);
    const scene = faceScene(640, 360, 5);
    expect(placementAt(scene, 0).slot).toBe(0);
    expect(placementAt(scene, 999).slot).toBe(0);
    expect(placementAt(scene, 1000).slot).toBe(1);
    expect(placementAt(scene, 11_999).slot).toBe(11);
    // A 15 s loop starts the placements again at 12 s.
    expect(placementAt(scene, 12_000).slot).toBe(0);
    expect(placementAt(scene, 15_000 + 3_500).slot).toBe(3);
    // A live stream's capture time: modulo the loop.
    expect(placementAt(scene, 1_700_000_000_000 + 4_200).slot).toBe(placementAt(scene, (1_700_000_000_000 % 15_000) + 4_200).slot);
  });

  it('pastes each photograph with its own overlay, keyed apart from the plain pattern in the loop cache', () => {
    const g = filterGraph(spec, false, '/tmp/camsim-faces-unit');
    expect(g.match(/overlay=x=\d+:y=\d+:eof_action=repeat:enable=/g)).toHaveLength(FACE_SLOTS);
    expect(g).toContain(faceFilter(640, 360, 2, '/tmp/camsim-faces-unit'));
    expect(filterGraph({ ...spec, facePhotos: undefined }, false, '/tmp/camsim-faces-unit')).not.toContain('movie=');
    const { facePhotos: _, ...plain } = spec;
    expect(loopKey(spec)).not.toBe(loopKey(plain));
  });

  it('renders the photograph of the instant, the timestamp code still readable', () => {
    // Frames at 0.5 s and 6.5 s of the loop, rendered by ffmpeg as the loop encoder does.
    const s = { ...spec, width: 320, height: 180 };
    const grey = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...sourceArgs(s, 7), '-vf', `${filterGraph(s, false, '/tmp/camsim-faces-unit')},select='eq(n\\,12)+eq(n\\,162)',format=gray`,
      '-fps_mode', 'passthrough', '-f', 'rawvideo', '-']);
    expect(grey.length).toBe(2 * 320 * 180);
    const scene = faceScene(320, 180, 2);
    const plain = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...sourceArgs(s, 7), '-vf', `${filterGraph({ ...s, facePhotos: undefined }, false, '/tmp/camsim-faces-unit')},select='eq(n\\,12)+eq(n\\,162)',format=gray`,
      '-fps_mode', 'passthrough', '-f', 'rawvideo', '-']);
    for (const k of [0, 1]) {
      const f = grey.subarray(k * 320 * 180, (k + 1) * 320 * 180);
      const code = readTimestampCode(f, 320, 180);
      expect(code).toBe(k === 0 ? 480 : 6480);
      const p = placementAt(scene, code!);
      expect(p.slot).toBe(k === 0 ? 0 : 6);
      // Inside the placement the picture is the photograph (not the pattern); outside it, the pattern.
      const diff = (x0: number, y0: number, x1: number, y1: number) => {
        let d = 0, n = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) { d += Math.abs(f[y * 320 + x]! - plain[k * 320 * 180 + y * 320 + x]!); n++; }
        return d / n;
      };
      expect(diff(p.x + 4, p.y + 4, p.x + p.w - 4, p.y + p.h - 4)).toBeGreaterThan(30);
      const right = p.x + p.w < 160;
      expect(right ? diff(p.x + p.w + 4, 60, 316, 140) : diff(0, 60, p.x - 4, 140)).toBeLessThan(2);
    }
  });
});
