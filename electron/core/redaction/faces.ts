// The face detector for redaction: BlazeFace from @vladmandic/human on TensorFlow.js's WASM backend, models and .wasm read from
// node_modules (nothing is downloaded at run time). One detector per process: the TensorFlow.js engine is global.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One frame of pixels, RGB24, row by row. */
export interface FaceFrame { data: Uint8Array; width: number; height: number }
/** A face's box, normalized to the frame (0..1), and the detector's confidence. */
export interface FaceBox { x: number; y: number; w: number; h: number; score: number }
export interface FaceDetector {
  name: string;
  version: string;
  detect(frame: FaceFrame): Promise<FaceBox[]>;
}

/** Boxes scored below this are not faces: camsim's caption scores 0.39, the sample photographs' faces 0.64 and up (bench:faces). */
export const FACE_MIN_SCORE = 0.5;
const MODEL_SCHEME = 'watchpost-model://';

interface Tensor { dispose(): void }
interface TfCore {
  tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor;
  slice(x: Tensor, begin: number[], size: number[]): Tensor;
  io: { registerLoadRouter(router: (url: string | string[]) => { load(): Promise<unknown> } | null): void };
}
interface HumanFace { box: [number, number, number, number]; boxScore: number; score: number }
interface Human {
  version: string;
  tf: TfCore;
  load(): Promise<void>;
  detect(input: Tensor): Promise<{ face: HumanFace[]; error?: string | null }>;
}

let loading: Promise<FaceDetector> | undefined;

/** Thrown when the detector's package, model or WASM cannot be loaded; a caller refuses with `redaction.noFaceDetector`. */
export class FaceDetectorUnavailable extends Error {
  constructor(cause: unknown) {
    super(`face detector not available: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'FaceDetectorUnavailable';
  }
}

/**
 * The detector, loaded once; a failed load throws `FaceDetectorUnavailable` and is tried again on the next call.
 * `modelsDir`: the models from another folder (an installed app's unpacked copy), loaded afresh.
 */
export function loadFaceDetector(options: { modelsDir?: string } = {}): Promise<FaceDetector> {
  const unavailable = (e: unknown) => { throw new FaceDetectorUnavailable(e); };
  if (options.modelsDir) return load(options.modelsDir).catch(unavailable);
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    return unavailable(e);
  });
  return loading;
}

async function load(modelsDir?: string): Promise<FaceDetector> {
  const require = createRequire(import.meta.url);
  const humanDist = path.dirname(require.resolve('@vladmandic/human'));
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  // The package's exports map cannot name its WASM build, so it is required by file.
  const { Human } = require(path.join(humanDist, 'human.node-wasm.js')) as { Human: new (config: object) => Human };
  const models = modelsDir ?? path.join(humanDist, '..', 'models');
  // Human throws a missing model's error outside any promise (it would end the process): read it here first.
  await readModel(path.join(models, 'blazeface.json'));
  const config = {
    backend: 'wasm',
    wasmPath: `${wasmDir}${path.sep}`,
    modelBasePath: `${MODEL_SCHEME}${models}/`,
    debug: false,
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 64, minConfidence: FACE_MIN_SCORE, iouThreshold: 0.2, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: false }, iris: { enabled: false }, description: { enabled: false }, emotion: { enabled: false },
      antispoof: { enabled: false }, liveness: { enabled: false }, attention: { enabled: false },
    },
    body: { enabled: false }, hand: { enabled: false }, object: { enabled: false }, gesture: { enabled: false }, segmentation: { enabled: false },
  };
  const human = new Human(config);
  human.tf.io.registerLoadRouter((url) => (typeof url === 'string' && url.startsWith(MODEL_SCHEME) ? { load: () => readModel(url.slice(MODEL_SCHEME.length)) } : null));
  await human.load();
  await probe(human);
  return {
    name: 'human-blazeface',
    version: human.version,
    async detect(frame) {
      checkFrame(frame);
      const input = human.tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
      const found: FaceBox[] = [];
      try {
        for (const tile of squareTiles(frame.width, frame.height)) {
          const part = human.tf.slice(input, [tile.y, tile.x, 0], [tile.side, tile.side, 3]);
          try {
            const result = await human.detect(part);
            if (result.error) throw new Error(result.error);
            for (const f of result.face) found.push(normalize(f, tile, frame));
          } finally {
            part.dispose();
          }
        }
      } finally {
        input.dispose();
      }
      return mergeBoxes(found);
    },
  };
}

/** A model's JSON and its weight files, read from the package's folder (TensorFlow.js would fetch them over HTTP). */
async function readModel(file: string): Promise<unknown> {
  const model = JSON.parse(await readFile(file, 'utf8')) as { modelTopology: unknown; format?: string; weightsManifest: Array<{ paths: string[]; weights: unknown[] }> };
  const parts = await Promise.all(model.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(path.join(path.dirname(file), p)))));
  const all = Buffer.concat(parts);
  return {
    modelTopology: model.modelTopology,
    format: model.format,
    weightSpecs: model.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

/** Human reports a model it could not load only in its log; a detection on a blank frame proves the model ran. */
async function probe(human: Human): Promise<void> {
  const input = human.tf.tensor3d(new Uint8Array(64 * 64 * 3), [64, 64, 3], 'int32');
  try {
    const result = await human.detect(input);
    if (result.error) throw new Error(result.error);
  } finally {
    input.dispose();
  }
}

function checkFrame(frame: FaceFrame): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * 3) {
    throw new Error(`a face detector frame must be RGB24 of width × height × 3 bytes (got ${data.length} bytes for ${width}×${height})`);
  }
}

interface Tile { x: number; y: number; side: number }

/**
 * The frame as squares of its shorter side, overlapping, that cover it: the model takes a square, and a 16:9 frame
 * squeezed into one would squash every face out of the shapes it was trained on.
 */
export function squareTiles(width: number, height: number): Tile[] {
  const side = Math.min(width, height);
  const long = Math.max(width, height);
  const count = Math.ceil(long / side);
  const step = count > 1 ? (long - side) / (count - 1) : 0;
  return Array.from({ length: count }, (_, i) => {
    const at = Math.round(i * step);
    return width >= height ? { x: at, y: 0, side } : { x: 0, y: at, side };
  });
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function normalize(face: HumanFace, tile: Tile, frame: FaceFrame): FaceBox {
  const [bx, by, bw, bh] = face.box;
  const x = clamp01((tile.x + bx) / frame.width);
  const y = clamp01((tile.y + by) / frame.height);
  return { x, y, w: clamp01((tile.x + bx + bw) / frame.width) - x, h: clamp01((tile.y + by + bh) / frame.height) - y, score: face.boxScore ?? face.score };
}

/** One box per face where tiles overlap: a box mostly inside a better-scored one is the same face. */
export function mergeBoxes(boxes: FaceBox[]): FaceBox[] {
  const kept: FaceBox[] = [];
  for (const b of [...boxes].sort((p, q) => q.score - p.score)) {
    const overlap = (k: FaceBox) => Math.max(0, Math.min(b.x + b.w, k.x + k.w) - Math.max(b.x, k.x)) * Math.max(0, Math.min(b.y + b.h, k.y + k.h) - Math.max(b.y, k.y));
    if (!kept.some((k) => overlap(k) > 0.5 * Math.min(b.w * b.h, k.w * k.h))) kept.push(b);
  }
  return kept;
}
