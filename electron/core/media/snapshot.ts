import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { readInit } from './fmp4';

/** A picture laid over the frame (an RGBA PAM of the frame's size, e.g. privacy masks), asked for once the size is known. */
export type FrameOverlay = (width: number, height: number) => Buffer | null;

/** Decodes one JPEG from an init segment + a fragment starting with a keyframe (no camera connection). */
export function jpegFromKeyframe(ffmpegPath: string, init: Buffer, keyframe: Buffer, timeoutMs = 10_000, overlay?: FrameOverlay): Promise<Buffer> {
  let pam: Buffer | null = null;
  if (overlay) {
    // The sample entry's size, else a 720p picture that scale2ref brings to the frame's (normalized outlines fit any size).
    let size = { width: 1280, height: 720 };
    try { const t = readInit(init); if (t.width > 0 && t.height > 0) size = t; } catch { /* ffmpeg still reads it */ }
    pam = overlay(size.width, size.height);
  }
  return new Promise((resolve, reject) => {
    const over = pam ? ['-f', 'pam_pipe', '-i', 'pipe:3', '-filter_complex', '[1:v][0:v]scale2ref[m][v];[v][m]overlay=format=auto'] : [];
    const p = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-f', 'mp4', '-i', 'pipe:0', ...over, '-frames:v', '1', '-q:v', '3', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'],
      { stdio: ['pipe', 'pipe', 'pipe', ...(pam ? ['pipe' as const] : [])] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const jpeg = Buffer.concat(out);
      if (code === 0 && jpeg.length > 2 && jpeg[0] === 0xff && jpeg[1] === 0xd8) resolve(jpeg);
      else reject(new Error(`snapshot decode failed (${code}): ${err.trim().split('\n').at(-1) ?? 'no output'}`));
    });
    p.stdin.on('error', () => {});
    p.stdin.end(Buffer.concat([init, keyframe]));
    if (pam) {
      const extra = p.stdio[3] as Writable;
      extra.on('error', () => {});
      extra.end(pam);
    }
  });
}

/** Width and height from a baseline/SOF JPEG header. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } {
  let at = 2;
  while (at + 9 < jpeg.length) {
    if (jpeg[at] !== 0xff) break;
    const marker = jpeg[at + 1]!;
    const len = jpeg.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) };
    }
    at += 2 + len;
  }
  throw new Error('not a JPEG with a frame header');
}
