import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SceneSchema } from '../../scripts/camsim/control';
import { filterGraph, motionFilter, sourceArgs } from '../../scripts/camsim/video/render-args';
import { codeLayout } from '../../scripts/camsim/video/timestamp-code';

const boxes = (f: string) => [...f.matchAll(/drawbox=x=(\d+):y=(\d+):w=(\d+):h=(\d+):color=black/g)].map((m) => m.slice(1).map(Number) as [number, number, number, number]);

describe('camsim drawn motion', () => {
  it('keeps every position of the box inside its region, and the positions differ', () => {
    const [w, h] = [640, 360];
    const r = { x: 0.5, y: 1 / 3, w: 0.25, h: 1 / 3 };
    const all = boxes(motionFilter(r, w, h));
    expect(all.length).toBe(10);
    for (const [x, y, bw, bh] of all) {
      expect(x).toBeGreaterThanOrEqual(r.x * w - 1);
      expect(y).toBeGreaterThanOrEqual(r.y * h - 1);
      expect(x + bw).toBeLessThanOrEqual((r.x + r.w) * w + 1);
      expect(y + bh).toBeLessThanOrEqual((r.y + r.h) * h + 1);
    }
    // Five samples a second (a detector's rate) land on five different places.
    expect(new Set(all.filter((_, k) => k % 2 === 0).map(([x, y]) => `${x},${y}`)).size).toBe(5);
  });

  it('draws motion under the timestamp code, and a still scene holds the first frame', () => {
    const spec = { codec: 'h264' as const, profile: 'sub' as const, channelName: 'c', width: 640, height: 360, fps: 25, gopSeconds: 2, panX: 0, panY: 0 };
    const plain = filterGraph(spec, false, '/tmp/camsim-scene-unit');
    expect(plain).not.toContain('tpad');
    const g = filterGraph({ ...spec, still: true, motion: { x: 0, y: 0, w: 0.5, h: 0.5 } }, false, '/tmp/camsim-scene-unit');
    expect(g.startsWith('trim=end_frame=1,tpad=stop=-1:stop_mode=clone')).toBe(true);
    const strip = codeLayout(640, 360).strip;
    expect(g.indexOf(`drawbox=x=${strip.x}:y=${strip.y}`)).toBeGreaterThan(g.indexOf('color=white:t=fill:enable=\'between'));
  });

  it('rejects regions outside the picture or over the code strip with a clear message', () => {
    expect(SceneSchema.parse({ motion: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 } }).channel).toBe(1);
    expect(() => SceneSchema.parse({ motion: { x: 0.9, y: 0.1, w: 0.2, h: 0.2 } })).toThrow(/inside the picture/);
    expect(() => SceneSchema.parse({ motion: { x: 0.1, y: 0.7, w: 0.2, h: 0.2 } })).toThrow(/timestamp code/);
    expect(() => SceneSchema.parse({ motion: { x: 0.1, y: 0.1, w: 0, h: 0.2 } })).toThrow();
  });

  it("draws a fisheye camera's picture as a centred circle, black around it", () => {
    const spec = { codec: 'h264' as const, profile: 'sub' as const, channelName: 'Lobby', width: 320, height: 180, fps: 5, gopSeconds: 1, panX: 0, panY: 0, fisheye: true as const };
    // One real frame through ffmpeg, as grey bytes.
    const grey = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...sourceArgs(spec, 1), '-vf', `${filterGraph(spec, false, '/tmp/camsim-scene-unit')},format=gray`,
      '-frames:v', '1', '-f', 'rawvideo', '-']);
    expect(grey.length).toBe(320 * 180);
    const at = (x: number, y: number) => grey[Math.round(y) * 320 + Math.round(x)]!;
    // The circle (diameter 180) spans x 70..250: its square's lower corners and the sides beyond it are black (the top left
    // carries the labels, the code strip lies elsewhere), its middle is the scene.
    for (const [x, y] of [[74, 176], [246, 176], [246, 60], [30, 120], [300, 120]] as const) expect(at(x, y), `${x},${y}`).toBeLessThan(20);
    const inside = [[160, 90], [160, 150], [100, 100], [220, 100]].map(([x, y]) => at(x!, y!));
    expect(Math.max(...inside)).toBeGreaterThan(40);
  });
});
