// Glass to glass in Chromium, shared by the benches: camsim's live-encoded cameras burn the capture time into each frame
// (scripts/camsim/video/timestamp-code.ts); the page reads it back from every presented frame of the Live page's first
// tile and keeps [shown ms, latency ms, player lag ms] per frame.
import { build } from 'esbuild';
import type { Page } from 'playwright-core';

/** One presented frame: when it was shown (epoch ms), its latency from capture, and the player's lag behind its newest buffered frame. */
export type G2gSample = [number, number, number];

/** Pages of this context (or this page) get the timestamp-code reader as `globalThis.WatchpostCode`; before `goto`. */
export async function addTimestampReader(target: Pick<Page, 'addInitScript'>): Promise<void> {
  const reader = await build({ entryPoints: ['scripts/camsim/video/timestamp-code.ts'], bundle: true, write: false, format: 'iife', globalName: 'WatchpostCode' });
  // Init scripts run wrapped in a function: publish the reader on globalThis explicitly.
  await target.addInitScript({ content: `${reader.outputFiles[0]!.text}\nglobalThis.WatchpostCode = WatchpostCode;` });
}

/** Puts the camera `channelId` in the (selected) first tile of the Live page's current layout, as Enter in the camera list does. */
export async function openInFirstTile(page: Page, channelId: number): Promise<void> {
  await page.evaluate((id) => {
    const tile = document.querySelector<HTMLElement>('[data-tile="0"]')!;
    tile.focus();
    document.querySelector<HTMLElement>(`[data-channel="${id}"]`)!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  }, channelId);
}

/** Starts (or restarts, clearing the samples) reading the timestamp code of every frame the first tile presents. */
export async function watchFirstTile(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { g2g: [number, number, number][]; g2gSeen: number; g2gLast: unknown; g2gTimer?: number;
      WatchpostCode: { readTimestampCode(g: Uint8Array, w: number, h: number): number | null } };
    w.g2g = [];
    w.g2gSeen = 0;
    clearInterval(w.g2gTimer);
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    // Re-armed on whichever <video> currently shows the tile (it is replaced when the player restarts).
    let armed: HTMLVideoElement | null = null;
    const onFrame = (v: HTMLVideoElement) => (_now: number, meta: VideoFrameCallbackMetadata) => {
      if (v !== armed) return;
      canvas.width = v.videoWidth; canvas.height = v.videoHeight;
      g.drawImage(v, 0, 0);
      const px = g.getImageData(0, 0, canvas.width, canvas.height).data;
      const gray = new Uint8Array(canvas.width * canvas.height);
      for (let i = 0, j = 0; j < gray.length; i += 4, j++) gray[j] = (px[i]! * 77 + px[i + 1]! * 150 + px[i + 2]! * 29) >> 8;
      const captured = w.WatchpostCode.readTimestampCode(gray, canvas.width, canvas.height);
      w.g2gSeen++;
      w.g2gLast = captured;
      const shown = performance.timeOrigin + meta.expectedDisplayTime;
      // Beside each latency, the player's own lag behind its newest buffered frame: what of a drift is the player's.
      const b = v.buffered;
      const lag = b.length ? (b.end(b.length - 1) - meta.mediaTime) * 1000 : NaN;
      if (captured !== null && captured > 1e12) w.g2g.push([shown, shown - captured, lag]);
      v.requestVideoFrameCallback(onFrame(v));
    };
    w.g2gTimer = window.setInterval(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-tile="0"] video:not(.pending)');
      if (v && v !== armed) {
        armed = v;
        v.requestVideoFrameCallback(onFrame(v));
      }
    }, 200);
  });
}

/** The samples so far; throws, naming what the page saw, when none could be read. */
export async function g2gSamples(page: Page): Promise<G2gSample[]> {
  const w = await page.evaluate(() => {
    const x = window as unknown as { g2g: [number, number, number][]; g2gSeen: number; g2gLast: unknown };
    return { samples: x.g2g.slice(), seen: x.g2gSeen, last: String(x.g2gLast) };
  });
  if (w.samples.length === 0) throw new Error(`g2g: no timestamp code read from ${w.seen} presented frames (last: ${w.last})`);
  return w.samples;
}
