import { describe, expect, it } from 'vitest';
import { liveRate } from '../../renderer/src/media/mse-player';

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
