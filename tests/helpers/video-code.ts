// What a <video> in the page really presented: each frame handed to the compositor (requestVideoFrameCallback),
// with its media time and the camsim timestamp code read back from its pixels.
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { codeLayout, readTimestampCode } from '../../scripts/camsim/video/timestamp-code';

export interface PresentedFrame {
  /** Presentation time of the frame (s), as the player stamped it. */
  mediaTime: number;
  /** performance.now() in the page when it was presented. */
  presentedAt: number;
  /** The frame's timestamp code (camsim: capture time in Unix ms for live streams), or null if unreadable. */
  code: number | null;
}

/**
 * Watches `selector` (waiting for it to appear) for `durationMs` and returns every frame it presented. Start it before the
 * action that shows the video; only the strip of rows holding the code crosses from the page.
 */
export async function presentedFrames(page: Page, selector: string, durationMs: number): Promise<PresentedFrame[]> {
  const W = 320;
  const H = 180;
  const Y0 = Math.floor(codeLayout(W, H).strip.y) - 4;
  // Each frame is scaled to W×H in the page and only the rows of the code strip travel back, as base64 luma.
  const raw = await page.evaluate(({ selector, durationMs, W, H, Y0 }) => new Promise<{ mediaTime: number; presentedAt: number; luma: string }[]>((resolve) => {
    const out: { mediaTime: number; presentedAt: number; luma: string }[] = [];
    const canvas = Object.assign(document.createElement('canvas'), { width: W, height: H });
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    const until = performance.now() + durationMs;
    let video: HTMLVideoElement | null = null;
    const onFrame = (now: number, meta: VideoFrameCallbackMetadata) => {
      const v = video!;
      if (v.videoWidth) {
        g.drawImage(v, 0, 0, W, H);
        const px = g.getImageData(0, Y0, W, H - Y0).data;
        let bin = '';
        for (let i = 0; i < px.length; i += 4) bin += String.fromCharCode(Math.round(0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!));
        out.push({ mediaTime: meta.mediaTime, presentedAt: now, luma: btoa(bin) });
      }
      if (performance.now() < until) v.requestVideoFrameCallback(onFrame);
    };
    const find = setInterval(() => {
      if (!video) {
        video = document.querySelector<HTMLVideoElement>(selector);
        if (video) video.requestVideoFrameCallback(onFrame);
      }
      if (performance.now() >= until) { clearInterval(find); resolve(out); }
    }, 10);
  }), { selector, durationMs, W, H, Y0 });
  return raw.map((f) => {
    const gray = new Uint8Array(W * H);
    gray.set(Buffer.from(f.luma, 'base64'), Y0 * W);
    return { mediaTime: f.mediaTime, presentedAt: f.presentedAt, code: readTimestampCode(gray, W, H) };
  });
}

/** The timestamp code of a JPEG (a thumbnail or snapshot), decoded by ffmpeg. */
export function codeOfJpeg(jpeg: Buffer): number | null {
  const w = 320;
  const h = 180;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'image2pipe', '-i', 'pipe:0', '-vf', `scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { input: jpeg });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode the JPEG: ${r.stderr.toString()}`);
  return readTimestampCode(r.stdout.subarray(0, w * h), w, h);
}
