// The decode budget of the Live grid: how many tiles play every frame, from measured dropped frames and timer lateness.
import { describe, expect, it } from 'vitest';
import { keyframesOnly, nextBudget, START_BUDGET } from '../../renderer/src/features/live/decode-budget';

const calmSample = (fullTiles: number) => ({ decoded: 25 * 2 * fullTiles, dropped: 0, fullTiles, lateMs: 5 });

describe('decode budget', () => {
  it('shrinks below the tiles playing when the decoder drops frames or the page runs late, never under 4', () => {
    expect(nextBudget(16, 2, { decoded: 800, dropped: 80, fullTiles: 16, lateMs: 0 })).toEqual({ budget: 14, calm: 0 });
    expect(nextBudget(16, 0, { decoded: 800, dropped: 0, fullTiles: 16, lateMs: 900 })).toEqual({ budget: 14, calm: 0 });
    expect(nextBudget(5, 0, { decoded: 100, dropped: 50, fullTiles: 5, lateMs: 0 })).toEqual({ budget: 4, calm: 0 });
  });

  it('grows by two after three calm windows while it limits tiles; stays while fewer tiles play than it allows', () => {
    let s = { budget: START_BUDGET, calm: 0 };
    for (let i = 0; i < 3; i++) s = nextBudget(s.budget, s.calm, calmSample(s.budget));
    expect(s).toEqual({ budget: START_BUDGET + 2, calm: 0 });
    expect(nextBudget(16, 2, calmSample(4))).toEqual({ budget: 16, calm: 0 });
    // A few dropped frames (under 5 %) are calm.
    expect(nextBudget(16, 0, { decoded: 800, dropped: 30, fullTiles: 16, lateMs: 100 }).budget).toBe(16);
  });

  it('keyframes only for a small tile past the budget, never for a large, selected or maximized one', () => {
    const t = { index: 20, widthPx: 150, selected: false, maximized: false };
    expect(keyframesOnly(t, 16)).toBe(true);
    expect(keyframesOnly({ ...t, index: 3 }, 16)).toBe(false);
    expect(keyframesOnly({ ...t, widthPx: 640 }, 16)).toBe(false);
    expect(keyframesOnly({ ...t, selected: true }, 16)).toBe(false);
    expect(keyframesOnly({ ...t, maximized: true }, 16)).toBe(false);
  });
});
