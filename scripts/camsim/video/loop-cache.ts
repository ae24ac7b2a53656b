// Pre-encoded loops: each (codec, size, channel label, pan position, scene) is encoded once by ffmpeg into a
// few GOPs, kept on disk keyed by a hash of what was rendered, and parsed into access units here.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Codec } from '../types';
import { ParameterSetTracker, splitAccessUnits, withParameterSets, type ParameterSets } from './annexb';
import { runFfmpeg } from './ffmpeg-process';
import { FACE_SCENE_VERSION, faceLoopSeconds } from './face-scene';
import { encoderArgs, filterGraph, sourceArgs, type RenderSpec } from './render-args';

/** Bump when the rendering changes, so stale cached loops are not reused. */
const RENDER_VERSION = 2;

export const DEFAULT_CACHE_DIR = process.env.CAMSIM_CACHE_DIR ?? join(tmpdir(), 'watchpost-camsim-cache');

export interface LoopFrame {
  /** Stable array per frame: the RTP packetiser caches its work by this identity. */
  readonly nals: readonly Buffer[];
  readonly keyframe: boolean;
}

export interface Loop {
  readonly codec: Codec;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly gopFrames: number;
  readonly frames: readonly LoopFrame[];
  readonly parameterSets: ParameterSets;
  readonly bytes: number;
}

/** Whole GOPs, at least 4 s: long enough not to look like a stutter, short to encode. */
export function loopSecondsFor(gopSeconds: number): number {
  const gops = Math.max(1, Math.ceil(4 / gopSeconds));
  return gops * gopSeconds;
}

/** A loop's length: a faces scene's loop holds every placement once (face-scene.ts). */
export function loopSecondsOf(spec: Pick<RenderSpec, 'gopSeconds' | 'facePhotos'>): number {
  return spec.facePhotos ? faceLoopSeconds(spec.gopSeconds) : loopSecondsFor(spec.gopSeconds);
}

export function loopKey(spec: RenderSpec): string {
  const id = JSON.stringify({ v: RENDER_VERSION, ...spec, seconds: loopSecondsOf(spec), ...(spec.facePhotos ? { faceScene: FACE_SCENE_VERSION } : {}) });
  return createHash('sha256').update(id).digest('hex').slice(0, 24);
}

const memo = new Map<string, Promise<Loop>>();
const memoBytes = new Map<string, number>();
/** In-memory loops beyond this are forgotten oldest first (streams still hold the ones they play). */
const MEMO_CAP_BYTES = 512 * 2 ** 20;

function remember(key: string, bytes: number): void {
  memoBytes.set(key, bytes);
  let total = 0;
  for (const b of memoBytes.values()) total += b;
  for (const [k, b] of memoBytes) {
    if (total <= MEMO_CAP_BYTES || k === key) break;
    memo.delete(k);
    memoBytes.delete(k);
    total -= b;
  }
}
let running = 0;
const waiting: (() => void)[] = [];
/** Encodes at a time; the machine is shared and x264 already uses several threads. */
const ENCODE_CONCURRENCY = 2;

async function withEncodeSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= ENCODE_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The loop for a render spec: from memory, else from the disk cache, else encoded now. */
export function loadLoop(spec: RenderSpec, cacheDir = DEFAULT_CACHE_DIR): Promise<Loop> {
  const key = loopKey(spec);
  let loop = memo.get(key);
  if (!loop) {
    loop = readOrEncode(spec, key, cacheDir);
    memo.set(key, loop);
    loop.then(
      (l) => remember(key, l.bytes),
      () => memo.delete(key),
    );
  }
  return loop;
}

async function readOrEncode(spec: RenderSpec, key: string, cacheDir: string): Promise<Loop> {
  const file = join(cacheDir, `${key}.${spec.codec}`);
  let data: Buffer | undefined;
  try {
    data = await readFile(file);
  } catch {
    data = undefined;
  }
  const expected = Math.round(loopSecondsOf(spec) * spec.fps);
  if (data) {
    const loop = tryParse(spec, data, expected);
    if (loop) return loop;
  }
  data = await withEncodeSlot(() => encodeLoop(spec, cacheDir));
  await mkdir(cacheDir, { recursive: true });
  // Write then rename: a concurrent camsim never reads half a file.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
  const loop = tryParse(spec, data, expected);
  if (!loop) throw new Error(`camsim: encoded loop for ${spec.channelName} ${spec.width}x${spec.height} is malformed`);
  return loop;
}

function encodeLoop(spec: RenderSpec, cacheDir: string): Promise<Buffer> {
  const seconds = loopSecondsOf(spec);
  return runFfmpeg([
    '-nostdin',
    ...sourceArgs(spec, seconds),
    '-vf', filterGraph(spec, false, join(cacheDir, 'text')),
    // A still scene pads its first frame forever: the loop's length comes from here.
    '-frames:v', String(Math.round(seconds * spec.fps)),
    ...encoderArgs(spec, false),
    'pipe:1',
  ]);
}

function tryParse(spec: RenderSpec, data: Buffer, expectedFrames: number): Loop | undefined {
  const units = splitAccessUnits(spec.codec, data);
  const tracker = new ParameterSetTracker(spec.codec);
  for (const u of units) for (const n of u.nals) tracker.observe(n);
  const sets = tracker.get();
  const gopFrames = Math.max(1, Math.round(spec.gopSeconds * spec.fps));
  if (!sets || units.length !== expectedFrames || expectedFrames % gopFrames !== 0) return undefined;
  // Keyframes exactly at GOP boundaries, so loops of one stream can be swapped at any of them.
  for (let i = 0; i < units.length; i++) if (units[i]!.keyframe !== (i % gopFrames === 0)) return undefined;
  const frames = units.map((u) => ({ nals: withParameterSets(spec.codec, u, sets), keyframe: u.keyframe }));
  return {
    codec: spec.codec,
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
    gopFrames,
    frames,
    parameterSets: sets,
    bytes: data.length,
  };
}
