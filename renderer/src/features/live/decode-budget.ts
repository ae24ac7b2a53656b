// How many tiles the page decodes at full rate, from what it measures: small tiles past the budget show keyframes only
// (one picture a GOP), so a 64-tile layout runs on two cores and every tile keeps updating.
import { useEffect, useState, type RefObject } from 'react';

/** Tiles narrower than this (device pixels) may show keyframes only; larger ones, the selected and a maximized one never do. */
export const KEYFRAME_TILE_MAX_WIDTH = 400;
/** Where the budget starts: a core decodes about 16 sub streams at 360p; layouts of up to this many tiles play every frame. */
export const START_BUDGET = 16;
const MIN_BUDGET = 4;
const MAX_BUDGET = 64;
export const SAMPLE_MS = 2000;

/** One window of the page's full-rate videos: frames decoded and dropped, how many played, and how late the sampling timer ran. */
export interface DecodeSample { decoded: number; dropped: number; fullTiles: number; lateMs: number }

/**
 * The next budget: down to two below the tiles playing at full rate when the decoder drops frames (over 5 %) or the page is
 * late (its timer over a quarter of the window behind); up by two after three calm windows while it limits anything.
 */
export function nextBudget(budget: number, calm: number, s: DecodeSample): { budget: number; calm: number } {
  const strained = (s.decoded > 0 && s.dropped / s.decoded > 0.05) || s.lateMs > SAMPLE_MS / 4;
  if (strained) return { budget: Math.max(MIN_BUDGET, Math.min(budget, s.fullTiles - 2)), calm: 0 };
  if (s.fullTiles < budget) return { budget, calm: 0 };
  if (calm + 1 < 3) return { budget, calm: calm + 1 };
  return { budget: Math.min(MAX_BUDGET, budget + 2), calm: 0 };
}

/** Whether a tile shows keyframes only: small, not selected or maximized, and past the budget in tile order. */
export function keyframesOnly(t: { index: number; widthPx: number; selected: boolean; maximized: boolean }, budget: number): boolean {
  return t.widthPx < KEYFRAME_TILE_MAX_WIDTH && !t.selected && !t.maximized && t.index >= budget;
}

/** The budget for the videos in `grid`, measured every two seconds from their playback quality and the page's timer. */
export function useDecodeBudget(grid: RefObject<HTMLElement | null>): number {
  const [budget, setBudget] = useState(START_BUDGET);
  useEffect(() => {
    let state = { budget: START_BUDGET, calm: 0 };
    let seen = new Map<HTMLVideoElement, { total: number; dropped: number }>();
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const lateMs = now - last - SAMPLE_MS;
      last = now;
      const next = new Map<HTMLVideoElement, { total: number; dropped: number }>();
      const s: DecodeSample = { decoded: 0, dropped: 0, fullTiles: 0, lateMs };
      for (const v of grid.current?.querySelectorAll<HTMLVideoElement>('video[data-rate=full]:not(.pending)') ?? []) {
        const q = v.getVideoPlaybackQuality();
        const q0 = seen.get(v);
        next.set(v, { total: q.totalVideoFrames, dropped: q.droppedVideoFrames });
        s.fullTiles++;
        if (!q0) continue;
        s.decoded += q.totalVideoFrames - q0.total;
        s.dropped += q.droppedVideoFrames - q0.dropped;
      }
      seen = next;
      state = nextBudget(state.budget, state.calm, s);
      setBudget(state.budget);
    }, SAMPLE_MS);
    return () => clearInterval(timer);
  }, [grid]);
  return budget;
}
