import { describe, expect, it } from 'vitest';
import { lagTarget, liveRate } from '../../renderer/src/media/mse-player';

describe('live playbackRate steering', () => {
  it('plays at 1x within 5 ms of the target lag, faster above it and slower below, in proportion', () => {
    expect(liveRate(0.1)).toBe(1);
    expect(liveRate(0.104)).toBe(1);
    expect(liveRate(0.096)).toBe(1);
    expect(liveRate(0.11)).toBe(1.01);
    expect(liveRate(0.13)).toBe(1.03);
    expect(liveRate(0.09)).toBe(0.99);
  });

  it('is bounded: at most 5 % faster and 2 % slower', () => {
    expect(liveRate(0.9)).toBe(1.05);
    expect(liveRate(0)).toBe(0.98);
  });

  it('never rests away from the target: a lag held 10 ms off keeps being corrected', () => {
    for (const off of [0.01, 0.02, 0.04]) {
      expect(liveRate(0.1 + off)).toBeGreaterThan(1);
      expect(liveRate(0.1 - off)).toBeLessThan(1);
    }
  });
});

describe('live lag target from the arrivals', () => {
  const frames = (n: number, late: (i: number) => number) => {
    const time = Array.from({ length: n }, (_, i) => 100 + i * 0.04);
    return { at: time.map((t, i) => t + 5 + late(i)), time };
  };

  it('is half a frame plus the margin for arrivals on time, far under the fixed 100 ms', () => {
    const { at, time } = frames(80, () => 0);
    expect(lagTarget(at, time)).toBeCloseTo(0.03, 5);
  });

  it('grows with the jitter of the arrivals (their 95th percentile delay over the least)', () => {
    const { at, time } = frames(80, (i) => (i % 10 === 0 ? 0.03 : (i % 3) * 0.005));
    expect(lagTarget(at, time)).toBeCloseTo(0.02 + 0.03 + 0.01, 5);
  });

  it('waits for enough arrivals, and never steers further than the fixed 100 ms', () => {
    const few = frames(10, () => 0);
    expect(lagTarget(few.at, few.time)).toBeUndefined();
    const { at, time } = frames(80, (i) => (i % 2 ? 2 : 0));
    expect(lagTarget(at, time)).toBe(0.1);
  });

  it('steers the rate to the target it is given', () => {
    expect(liveRate(0.05, 0.05)).toBe(1);
    expect(liveRate(0.1, 0.05)).toBe(1.05);
    expect(liveRate(0.03, 0.05)).toBe(0.98);
  });
});
