// The fisheye de-warp's geometry (renderer/src/features/live/fisheye.ts): the same mapping the shader draws with.
import { describe, expect, it } from 'vitest';
import { firstView, moveView, pictureAt, quadViews, viewBasis } from '../../renderer/src/features/live/fisheye';

const lens = { cx: 0.5, cy: 0.5, radius: 0.5, mount: 'ceiling' as const };

describe('fisheye de-warp', () => {
  it('the axis lands on the centre, the horizon on the circle, behind the lens nowhere', () => {
    expect(pictureAt([0, 0, 1], lens, 16 / 9)).toEqual({ x: 0.5, y: 0.5 });
    const edge = pictureAt([0, 1, 0], lens, 16 / 9)!;
    expect(edge.x).toBeCloseTo(0.5);
    expect(edge.y).toBeCloseTo(1);
    // Across, the radius (a fraction of the height) is narrower in width fractions.
    expect(pictureAt([1, 0, 0], lens, 2)!.x).toBeCloseTo(0.75);
    expect(pictureAt([0, 0, -1], lens, 16 / 9)).toBeNull();
  });

  it('a view looks where its pan and tilt say, with the world upright', () => {
    const wall = viewBasis('wall', { pan: 0, tilt: 0, fov: 80 });
    expect(wall.forward.map((v) => Math.abs(+v.toFixed(6)))).toEqual([0, 0, 1]);
    expect(wall.down.map((v) => Math.abs(+v.toFixed(6)))).toEqual([0, 1, 0]);
    expect(wall.down[1]).toBeGreaterThan(0);
    // A ceiling camera's view at the horizon has the floor (the lens axis) at its bottom.
    const ceiling = viewBasis('ceiling', { pan: 0, tilt: 90, fov: 80 });
    expect(ceiling.forward[0]).toBeCloseTo(1);
    expect(ceiling.down[2]).toBeCloseTo(1);
    expect(viewBasis('floor', { pan: 0, tilt: 90, fov: 80 }).down[2]).toBeCloseTo(-1);
  });

  it('dragging turns the view against the drag, zoom stays in bounds, tilt stays inside the lens', () => {
    const v = firstView('wall');
    expect(moveView('wall', v, 0.1, 0).pan).toBeLessThan(0);
    expect(moveView('wall', v, 0, 0.1).tilt).toBeGreaterThan(0);
    expect(moveView('wall', v, 0, 0, 100).fov).toBe(120);
    expect(moveView('wall', v, 0, 0, 0.01).fov).toBe(20);
    expect(moveView('ceiling', firstView('ceiling'), 0, 10).tilt).toBe(90);
    expect(quadViews('ceiling').map((q) => q.pan)).toEqual([0, 90, 180, 270]);
  });
});
