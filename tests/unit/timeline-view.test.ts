import { describe, expect, it } from 'vitest';
import { FRAME_MS, frameOf, MAX_SPAN_MS, MIN_SPAN_MS, notPastNow, tickLabel, tickStep, wheelFactor, zoom } from '../../renderer/src/features/recording/timeline-view';

const DAY = 86_400_000;

describe('timeline view (issue 12: timeline reach)', () => {
  it('zooms from a month down to 100 ms, around the pointer', () => {
    expect(MAX_SPAN_MS).toBeGreaterThanOrEqual(31 * DAY);
    expect(MIN_SPAN_MS).toBe(100);
    let v = { from: 0, to: 3_600_000 };
    for (let i = 0; i < 200; i++) v = zoom(v, 0.5, 1_800_000);
    expect(v.to - v.from).toBe(100);
    expect(v.from).toBeLessThanOrEqual(1_800_000);
    expect(v.to).toBeGreaterThanOrEqual(1_800_000);
    for (let i = 0; i < 200; i++) v = zoom(v, 2, 1_800_000);
    expect(v.to - v.from).toBe(MAX_SPAN_MS);
  });

  it('ticks fit each scale: days, hours, minutes, seconds, frames (about one per 100 px)', () => {
    expect(tickStep(31 * DAY, 1000)).toBeGreaterThanOrEqual(DAY);
    expect(tickStep(DAY, 1000)).toBe(3 * 3_600_000);
    expect(tickStep(3_600_000, 1000)).toBe(600_000);
    expect(tickStep(60_000, 1000)).toBe(10_000);
    expect(tickStep(100, 1000)).toBe(FRAME_MS);
    const t = Date.UTC(2026, 11, 2, 7, 8, 9, 120);
    expect(tickLabel(t, FRAME_MS)).toMatch(/^\d\d:\d\d\.120$/);
    expect(tickLabel(t, 1000)).toMatch(/\d\d:\d\d:\d\d/);
    expect(tickLabel(t, DAY)).toMatch(/12.*02|02.*12/);
  });

  it('a click at the finest scale lands on the start of its frame', () => {
    expect(frameOf(1_000_039)).toBe(1_000_000);
    expect(frameOf(1_000_040)).toBe(1_000_040);
  });

  it('wheel and pinch zoom in proportion to the distance, in and out alike', () => {
    expect(wheelFactor(100, 0, false)).toBeGreaterThan(1);
    expect(wheelFactor(-100, 0, false)).toBeCloseTo(1 / wheelFactor(100, 0, false));
    expect(wheelFactor(4, 0, false)).toBeLessThan(wheelFactor(40, 0, false));
    expect(wheelFactor(10, 0, true)).toBeGreaterThan(wheelFactor(10, 0, false));
  });

  it('still never runs past now, at any span', () => {
    const now = 1_000_000_000;
    const v = notPastNow({ from: now, to: now + 100 }, now);
    expect(v.to).toBeLessThanOrEqual(now + 2 + 1e-9);
  });
});

describe('zoom around a point outside the view', () => {
  it('counts it as the nearest edge, so the view does not drift away', () => {
    const v = zoom({ from: 0, to: 100 }, 2, 1000);
    expect(v).toEqual({ from: -100, to: 100 });
  });
});
