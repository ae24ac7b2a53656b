// Real photographs with faces, composited into camera frames, and how well a face detector finds them. The photographs
// are @vladmandic/face-api's demo/sample1-6.jpg (a dev dependency); their faces' centres, marked by eye, are in
// scripts/camsim/video/face-photos.json (camsim --faces pastes the same photographs into a channel's stream). Used by
// bench:faces, the redaction bench and tests/integration/faces.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FaceBox, FaceFrame } from '../../electron/core/redaction/faces';
import { facePhotos, type FacePhoto } from '../camsim/video/face-scene';
import { runFfmpeg } from '../camsim/video/ffmpeg-process';
import { filterGraph, sourceArgs, type RenderSpec } from '../camsim/video/render-args';

export { facePhotos };
export type Photo = FacePhoto;
/** A frame with the faces it holds (their centres, normalized to the frame). */
export interface TruthFrame { frame: FaceFrame; faces: Array<[number, number]>; label: string }

/** A picture file (or a lavfi source) decoded to RGB24 at width × height. */
async function rgb(input: string[], width: number, height: number, filter = ''): Promise<Uint8Array> {
  const vf = `${filter}${filter ? ',' : ''}scale=${width}:${height}:flags=area,format=rgb24`;
  const out = await runFfmpeg(['-hide_banner', '-loglevel', 'error', ...input, '-frames:v', '1', '-vf', vf, '-f', 'rawvideo', '-']);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** One frame of camsim's picture for a channel (the test pattern with its texts and timestamp code). */
export async function camsimFrame(width = 1280, height = 720): Promise<FaceFrame> {
  const spec: RenderSpec = { codec: 'h264', profile: 'main', channelName: 'Camera 1', width, height, fps: 25, gopSeconds: 1, panX: 0, panY: 0 };
  const dir = mkdtempSync(path.join(tmpdir(), 'faces-camsim-'));
  try {
    const data = await rgb(sourceArgs(spec, 1), width, height, filterGraph(spec, false, dir));
    return { data, width, height };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A photograph alone, scaled to `width` (its faces as marked). */
export async function photoFrame(photo: Photo, width: number): Promise<TruthFrame> {
  const height = 2 * Math.round((width * photo.aspect) / 2);
  return { frame: { data: await rgb(['-i', photo.file], width, height), width, height }, faces: photo.faces, label: path.basename(photo.file) };
}

/**
 * Each photograph pasted into a camsim frame at `scale` of the frame's width (a camera seeing people at some distance),
 * at a place that differs per photograph; the faces' centres moved with it.
 */
export async function compositeFrames(photos: Photo[], scale: number, width = 1280, height = 720): Promise<TruthFrame[]> {
  const background = await camsimFrame(width, height);
  const frames: TruthFrame[] = [];
  for (const [i, photo] of photos.entries()) {
    const pw = 2 * Math.round((width * scale) / 2);
    const ph = Math.min(height, 2 * Math.round((pw * photo.aspect) / 2));
    const pic = await rgb(['-i', photo.file], pw, ph);
    const ox = Math.round(((width - pw) * ((i * 37) % 100)) / 100);
    const oy = Math.round(((height - ph) * ((i * 61 + 20) % 100)) / 100);
    const data = new Uint8Array(background.data);
    for (let row = 0; row < ph; row++) data.set(pic.subarray(row * pw * 3, (row + 1) * pw * 3), ((oy + row) * width + ox) * 3);
    const faces = photo.faces.map(([fx, fy]) => [(ox + fx * pw) / width, (oy + fy * ph) / height] as [number, number]);
    frames.push({ frame: { data, width, height }, faces, label: `${path.basename(photo.file)}@${scale}` });
  }
  return frames;
}

/**
 * The frames as a camera stream would carry them: coded as H.264 at a camera's bit rate for 720p (about 0.08 bit per
 * pixel per frame, camsim's rate), decoded again.
 */
export async function throughH264(frames: TruthFrame[], fps = 25): Promise<TruthFrame[]> {
  const { width, height } = frames[0]!.frame;
  const dir = mkdtempSync(path.join(tmpdir(), 'faces-h264-'));
  try {
    const file = path.join(dir, 'faces.mp4');
    const rate = String(Math.round(width * height * fps * 0.08));
    const raw = Buffer.concat(frames.map((f) => f.frame.data));
    await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', rate, '-maxrate', rate, '-bufsize', rate, '-g', String(fps), '-bf', '0', '-pix_fmt', 'yuv420p', '-y', file], raw);
    const out = await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    const size = width * height * 3;
    return frames.map((f, i) => ({ ...f, frame: { width, height, data: new Uint8Array(out.buffer, out.byteOffset + i * size, size) }, label: `${f.label}/h264` }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FaceScore { faces: number; found: number; boxes: number; trueBoxes: number; recall: number; precision: number }

/** A face is found when a box holds its centre; a box is true when it holds a face's centre (each face counted once). */
export function scoreFaces(truth: Array<Array<[number, number]>>, boxes: FaceBox[][]): FaceScore {
  let faces = 0, found = 0, total = 0, trueBoxes = 0;
  truth.forEach((centres, i) => {
    const taken = new Set<number>();
    const sorted = [...(boxes[i] ?? [])].sort((a, b) => b.score - a.score);
    faces += centres.length;
    total += sorted.length;
    for (const b of sorted) {
      const hit = centres.findIndex(([x, y], k) => !taken.has(k) && x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h);
      if (hit >= 0) { taken.add(hit); trueBoxes++; }
    }
    found += taken.size;
  });
  return { faces, found, boxes: total, trueBoxes, recall: faces ? found / faces : 0, precision: total ? trueBoxes / total : 1 };
}
