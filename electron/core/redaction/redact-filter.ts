// The one ffmpeg filter graph of a redaction, used by the export and by its preview stills alike: privacy masks laid
// over opaque (an RGBA picture made once), then blur or pixelate where a grey plane says (boxes and faces, a coarse
// plane a frame, scaled up by ffmpeg). Per-pixel work stays in ffmpeg.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { MaskPoint, RedactionBox, RedactionSettings } from '../../contract';
import { MASK_RGB } from '../../contract';
import { boxPlane, maskPam, outlinesRect, type PixelRect } from './raster';

/** The plane is this many times smaller than the picture each way (box edges are rounded outwards). */
export const PLANE_DIV = 4;

export interface FrameGeometry { width: number; height: number; fps: number }
export interface PlaneSize { w: number; h: number }

export const planeSize = (r: { w: number; h: number }): PlaneSize => ({ w: Math.max(2, Math.ceil(r.w / PLANE_DIV)), h: Math.max(2, Math.ceil(r.h / PLANE_DIV)) });

/**
 * The part of the picture the effect can reach: the union of every box over its keys (interpolation stays inside it),
 * on the plane's grid; the whole picture for an inverted box or faces.
 */
export function effectRect(g: { width: number; height: number }, boxes: readonly RedactionBox[], faces: boolean): PixelRect | null {
  if (!boxes.length && !faces) return null;
  const full = { x: 0, y: 0, w: g.width, h: g.height };
  if (faces || boxes.some((b) => b.inverted)) return full;
  const keys = boxes.flatMap((b) => b.keys);
  const cell = (v: number, n: number, up: boolean) => Math.min(n, Math.max(0, (up ? Math.ceil((v * n) / PLANE_DIV) : Math.floor((v * n) / PLANE_DIV)) * PLANE_DIV));
  const x0 = cell(Math.min(...keys.map((k) => k.x)), g.width, false), x1 = cell(Math.max(...keys.map((k) => k.x + k.w)), g.width, true);
  const y0 = cell(Math.min(...keys.map((k) => k.y)), g.height, false), y1 = cell(Math.max(...keys.map((k) => k.y + k.h)), g.height, true);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/** Detected faces at sample instants (normalized boxes), held until the next sample. */
export interface FaceTrack { at: number[]; boxes: { x: number; y: number; w: number; h: number }[][] }

/** The boxes the effect covers at `at`: the drawn ones, plus the faces of the samples around that instant. */
export function boxesAt(boxes: readonly RedactionBox[], faces: FaceTrack | undefined, at: number): RedactionBox[] {
  if (!faces || faces.at.length === 0) return [...boxes];
  let i = 0;
  while (i + 1 < faces.at.length && faces.at[i + 1]! <= at) i++;
  const near = [...(faces.boxes[i] ?? []), ...(faces.at[i]! <= at ? (faces.boxes[i + 1] ?? []) : [])];
  return [...boxes, ...near.map((b) => ({ inverted: false, keys: [{ at: 0, ...b }] }))];
}

export interface RedactionInputs {
  /** ffmpeg arguments for inputs 1.. (input 0 is the video), reading from fds 3.. */
  args: string[];
  /** The filter graph from [0:v] to [out]. */
  graph: string;
  /** The extra fds ffmpeg reads, in order: a picture written once, or a plane a frame. */
  feeds: (Buffer | 'planes')[];
}

/** How much the effect coarsens the picture: blocks of about 1/80 of the width, never under 8 pixels. */
const blockOf = (width: number) => Math.max(8, Math.round(width / 80));

export function redactionGraph(g: FrameGeometry, o: { masks: MaskPoint[][]; effect: PixelRect | null; kind: RedactionSettings['effect'] }): RedactionInputs {
  const args: string[] = [];
  const feeds: RedactionInputs['feeds'] = [];
  const parts: string[] = ['[0:v]setpts=PTS-STARTPTS[v0]'];
  let cur = 'v0';
  let input = 1;
  for (const outline of o.masks) {
    // Each mask its own picture over its bounding rectangle: only that much is blended each frame.
    const m = outlinesRect([outline], g.width, g.height);
    if (!m) continue;
    args.push('-f', 'pam_pipe', '-i', `pipe:${2 + input}`);
    feeds.push(maskPam([outline], g.width, g.height, MASK_RGB, m));
    parts.push(`[${cur}][${input}:v]overlay=x=${m.x}:y=${m.y}:format=auto:eof_action=repeat[m${input}]`);
    cur = `m${input}`;
    input++;
  }
  const r = o.effect;
  if (r) {
    const p = planeSize(r);
    args.push('-f', 'rawvideo', '-pix_fmt', 'gray', '-video_size', `${p.w}x${p.h}`, '-framerate', String(g.fps), '-i', `pipe:${2 + input}`);
    feeds.push('planes');
    const b = blockOf(g.width);
    const sw = Math.max(2, Math.round(r.w / b)), sh = Math.max(2, Math.round(r.h / b));
    const effect = o.kind === 'pixelate'
      ? `scale=${sw}:${sh}:flags=area,scale=${r.w}:${r.h}:flags=neighbor`
      : `scale=${sw}:${sh}:flags=area,boxblur=2:1,scale=${r.w}:${r.h}:flags=bilinear`;
    parts.push(
      `[${cur}]split[base][fx]`,
      `[fx]crop=${r.w}:${r.h}:${r.x}:${r.y},${effect},format=yuv420p[fxd]`,
      `[${input}:v]setpts=PTS-STARTPTS,scale=${r.w}:${r.h}:flags=neighbor,format=gray[alpha]`,
      '[fxd][alpha]alphamerge=shortest=1[fxa]',
      `[base][fxa]overlay=x=${r.x}:y=${r.y}:format=auto:shortest=1[out]`,
    );
  } else {
    parts.push(`[${cur}]null[out]`);
  }
  return { args, graph: parts.join(';'), feeds };
}

/** Resolves when the pipe takes more, or is gone. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { out.off('drain', done); out.off('close', done); out.off('error', done); resolve(); };
    out.on('drain', done); out.on('close', done); out.on('error', done);
  });
}

/** Writes each fd's data: the mask picture once, then a plane a frame (waiting while ffmpeg's pipe is full). */
export function feedInputs(
  fds: Writable[], feeds: RedactionInputs['feeds'], o: { planeAt?: (frame: number) => Uint8Array; frames: number; signal?: AbortSignal },
): Promise<void> {
  const jobs = feeds.map(async (what, i) => {
    const out = fds[i]!;
    out.on('error', () => {});
    if (what !== 'planes') {
      out.end(what);
      return;
    }
    for (let n = 0; n < o.frames && !out.destroyed && !o.signal?.aborted; n++) {
      if (!out.write(o.planeAt!(n))) await drained(out);
    }
    out.end();
  });
  return Promise.all(jobs).then(() => undefined);
}

/** A plane a frame from the boxes (and faces) over the effect's rectangle: frame n is `start + n / fps`. */
export function planeSource(boxes: readonly RedactionBox[], faces: FaceTrack | undefined, start: number, g: FrameGeometry, r: PixelRect): (n: number) => Uint8Array {
  const p = planeSize(r);
  const view = { x: r.x / g.width, y: r.y / g.height, w: r.w / g.width, h: r.h / g.height };
  return (n) => {
    const at = start + (n * 1000) / g.fps;
    return boxPlane(boxesAt(boxes, faces, at), at, p.w, p.h, undefined, view);
  };
}

/** Runs ffmpeg with the extra pipes fed; resolves with stdout, rejects with the last line of stderr. */
export function runFfmpeg(
  ffmpegPath: string, args: string[], extra: number, feed: (fds: Writable[]) => Promise<void>,
  o: { stdin?: Buffer; signal?: AbortSignal; onStdout?: (chunk: Buffer) => void; timeoutMs?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe', ...Array.from({ length: extra }, () => 'pipe' as const)] });
    const out: Buffer[] = [];
    let err = '';
    const kill = () => p.kill('SIGKILL');
    o.signal?.addEventListener('abort', kill, { once: true });
    const timer = o.timeoutMs ? setTimeout(kill, o.timeoutMs) : undefined;
    p.stdout!.on('data', (d: Buffer) => (o.onStdout ? o.onStdout(d) : out.push(d)));
    p.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      if (o.signal?.aborted) reject(new DOMException('redaction cancelled', 'AbortError'));
      else if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg failed (${code}): ${err.trim().split('\n').at(-1) ?? 'no output'}`));
    });
    p.stdin!.on('error', () => {});
    if (o.stdin) p.stdin!.end(o.stdin); else p.stdin!.end();
    void feed(p.stdio.slice(3) as Writable[]).catch(() => {});
  });
}
