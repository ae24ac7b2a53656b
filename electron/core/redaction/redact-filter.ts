// The one ffmpeg filter graph of a redaction, used by the export and by its preview stills alike: privacy masks laid
// over opaque (an RGBA picture made once), then blur or pixelate where a grey plane says (boxes and faces, a coarse
// plane a frame, scaled up by ffmpeg). Per-pixel work stays in ffmpeg.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { MaskPoint, RedactionBox, RedactionSettings } from '../../contract';
import { MASK_RGB } from '../../contract';
import { boxPlane, maskPam } from './raster';

/** The plane is this many times smaller than the picture each way (box edges are rounded outwards). */
export const PLANE_DIV = 4;

export interface FrameGeometry { width: number; height: number; fps: number }
export interface PlaneSize { w: number; h: number }

export const planeSize = (g: { width: number; height: number }): PlaneSize => ({ w: Math.max(2, Math.ceil(g.width / PLANE_DIV)), h: Math.max(2, Math.ceil(g.height / PLANE_DIV)) });

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
  /** The extra fds ffmpeg reads, in order: what to write into each. */
  feeds: ('masks' | 'planes')[];
}

/** How much the effect coarsens the picture: blocks of about 1/80 of the width, never under 8 pixels. */
const blockOf = (width: number) => Math.max(8, Math.round(width / 80));

export function redactionGraph(g: FrameGeometry, o: { masks: boolean; dynamic: boolean; effect: RedactionSettings['effect'] }): RedactionInputs {
  const args: string[] = [];
  const feeds: RedactionInputs['feeds'] = [];
  const parts: string[] = ['[0:v]setpts=PTS-STARTPTS[v0]'];
  let cur = 'v0';
  let input = 1;
  if (o.masks) {
    args.push('-f', 'pam_pipe', '-i', `pipe:${2 + input}`);
    feeds.push('masks');
    parts.push(`[${cur}][${input}:v]overlay=format=auto:eof_action=repeat[v1]`);
    cur = 'v1';
    input++;
  }
  if (o.dynamic) {
    const p = planeSize(g);
    args.push('-f', 'rawvideo', '-pix_fmt', 'gray', '-video_size', `${p.w}x${p.h}`, '-framerate', String(g.fps), '-i', `pipe:${2 + input}`);
    feeds.push('planes');
    const b = blockOf(g.width);
    const sw = Math.max(2, Math.round(g.width / b)), sh = Math.max(2, Math.round(g.height / b));
    const effect = o.effect === 'pixelate'
      ? `scale=${sw}:${sh}:flags=area,scale=${g.width}:${g.height}:flags=neighbor`
      : `scale=${sw}:${sh}:flags=area,boxblur=2:1,scale=${g.width}:${g.height}:flags=bicubic`;
    parts.push(
      `[${cur}]split[base][fx]`,
      `[fx]${effect},format=yuv420p[fxd]`,
      `[${input}:v]setpts=PTS-STARTPTS,scale=${g.width}:${g.height}:flags=neighbor,format=gray[alpha]`,
      '[fxd][alpha]alphamerge=shortest=1[fxa]',
      '[base][fxa]overlay=format=auto:shortest=1[out]',
    );
  } else {
    parts.push(`[${cur}]null[out]`);
  }
  return { args, graph: parts.join(';'), feeds };
}

/** Writes each fd's data: the mask picture once, then a plane a frame (waiting while ffmpeg's pipe is full). */
export function feedInputs(
  fds: Writable[], feeds: RedactionInputs['feeds'], o: { masks: MaskPoint[][]; geometry: FrameGeometry; planeAt?: (frame: number) => Uint8Array; frames: number; signal?: AbortSignal },
): Promise<void> {
  const jobs = feeds.map(async (what, i) => {
    const out = fds[i]!;
    out.on('error', () => {});
    if (what === 'masks') {
      out.end(maskPam(o.masks, o.geometry.width, o.geometry.height, MASK_RGB));
      return;
    }
    for (let n = 0; n < o.frames && !out.destroyed && !o.signal?.aborted; n++) {
      if (!out.write(o.planeAt!(n))) await new Promise<void>((r) => { out.once('drain', r); out.once('close', r); out.once('error', r); });
    }
    out.end();
  });
  return Promise.all(jobs).then(() => undefined);
}

/** A plane a frame from the boxes (and faces): frame n is `start + n / fps`. */
export function planeSource(boxes: readonly RedactionBox[], faces: FaceTrack | undefined, start: number, g: FrameGeometry): (n: number) => Uint8Array {
  const p = planeSize(g);
  return (n) => boxPlane(boxesAt(boxes, faces, start + (n * 1000) / g.fps), start + (n * 1000) / g.fps, p.w, p.h);
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
