// What each Live tile shows, read in the page: state, stream, decoded frames, width, and the spread of its pixels
// (a flat colour has none), for tests that assert moving pictures.
import type { Page } from 'playwright-core';

/** `sample`: the size the picture is scaled to before its spread is measured. */
export function liveTiles(page: Page, sample = { width: 32, height: 18 }) {
  return page.evaluate(({ width, height }) => [...document.querySelectorAll<HTMLElement>('[data-tile]')].map((t) => {
    const v = t.querySelector<HTMLVideoElement>('video:not(.pending)');
    let stddev = 0;
    if (v && v.videoWidth > 0) {
      const c = document.createElement('canvas');
      c.width = width; c.height = height;
      const g = c.getContext('2d')!;
      g.drawImage(v, 0, 0, width, height);
      const px = g.getImageData(0, 0, width, height).data;
      let s = 0, q = 0;
      for (let k = 0; k < px.length; k += 4) { const y = (px[k]! + px[k + 1]! + px[k + 2]!) / 3; s += y; q += y * y; }
      stddev = Math.sqrt(q / (px.length / 4) - (s / (px.length / 4)) ** 2);
    }
    return {
      tile: t.dataset.tile, state: t.dataset.state, stream: v?.dataset.stream ?? '', frames: v?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      width: v?.videoWidth ?? 0, stddev, badge: [...t.querySelectorAll('.badge')].map((b) => b.textContent).join(' '),
    };
  }), sample);
}
