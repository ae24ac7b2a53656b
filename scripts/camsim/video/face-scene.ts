// People in a channel's picture (camsim --faces): real photographs with faces, @vladmandic/face-api's demo photographs
// demo/sample1.jpg … sample6.jpg (npm, MIT; a dev dependency), pasted onto the picture one at a time, a different photograph,
// place and size every second. Where each face lies at any instant of the loop follows from `faceScene` (a pure function of
// the picture's size and GOP), and each face's centre was marked by eye on its photograph (face-photos.json), so a recording
// of the channel has an exact ground truth: the timestamp code of a frame (the time within the loop, or the capture time of
// a live stream) says which placement it shows (`placementAt`).
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The package the photographs ship in, as the manifest and the benches name it. */
export const FACE_PHOTO_PACKAGE = '@vladmandic/face-api';
/** Each placement is on for this long; FACE_SLOTS of them make the scene, repeated to fill whole GOPs. */
export const FACE_SLOT_S = 1;
export const FACE_SLOTS = 12;
/** Part of a faces loop's cache key: bump when the placements or the photographs change. */
export const FACE_SCENE_VERSION = 1;

export interface FacePhoto {
  /** Absolute path of the JPEG. */
  file: string;
  /** Each face's centre, normalized to the photograph (0..1). */
  faces: Array<[number, number]>;
  /** Height over width. */
  aspect: number;
}

let photos: FacePhoto[] | undefined;

function packageDir(): string {
  try {
    return path.dirname(createRequire(import.meta.url).resolve(`${FACE_PHOTO_PACKAGE}/package.json`));
  } catch {
    throw new Error(`camsim: faces need the photographs of the npm package ${FACE_PHOTO_PACKAGE} (npm install)`);
  }
}

/** The package and its installed version, e.g. "@vladmandic/face-api 1.7.15 demo/sample1-6.jpg". */
let packageName: string | undefined;
export function facePhotoPackage(): string {
  if (packageName) return packageName;
  const { version } = JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as { version: string };
  packageName = `${FACE_PHOTO_PACKAGE} ${version} demo/sample1-6.jpg`;
  return packageName;
}

/** The photographs and their marked faces, from the installed package (throws a clear error when it is missing). */
export function facePhotos(): FacePhoto[] {
  if (photos) return photos;
  const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, 'face-photos.json'), 'utf8')) as { photos: Array<{ file: string; faces: Array<[number, number]> }> };
  const dir = packageDir();
  photos = fixture.photos.map((p) => {
    const file = path.join(dir, p.file);
    return { file, faces: p.faces, aspect: jpegAspect(file) };
  });
  return photos;
}

/** A JPEG's height over width, from its SOFn marker. */
export function jpegAspect(file: string): number {
  const b = readFileSync(file);
  for (let i = 2; i + 9 < b.length;) {
    if (b[i] !== 0xff) { i++; continue; }
    const m = b[i + 1]!;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return b.readUInt16BE(i + 5) / b.readUInt16BE(i + 7);
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error(`${file}: no picture size found`);
}

/** One photograph on the picture for one slot of the loop. */
export interface FacePlacement {
  slot: number;
  /** Seconds within the loop: on from `from` (inclusive) to `to` (exclusive). */
  from: number;
  to: number;
  /** The photograph's file name in the package (demo/sampleN.jpg) and its index in facePhotos(). */
  photo: string;
  photoIndex: number;
  /** Where it is pasted, in pixels of the picture (even values). */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Its faces' centres, normalized to the picture. */
  faces: Array<[number, number]>;
}

export interface FaceScene {
  width: number;
  height: number;
  /** The loop's length (whole GOPs); the placements repeat every FACE_SLOTS × FACE_SLOT_S seconds within it. */
  loopSeconds: number;
  slotSeconds: number;
  placements: FacePlacement[];
}

const even = (v: number): number => 2 * Math.round(v / 2);

/** A faces loop: whole GOPs covering every slot at least once. */
export function faceLoopSeconds(gopSeconds: number): number {
  return Math.ceil((FACE_SLOTS * FACE_SLOT_S) / gopSeconds) * gopSeconds;
}

// Photographs as tall as 62 % then 48 % of the picture (about half and 40 % of a 16:9 picture's width: people a few metres
// from the camera), between the labels (top 22 %) and the timestamp code (from 88 %), at places that differ slot to slot.
const SIZES = [0.62, 0.48];
const TOP = 0.22, BOTTOM = 0.86;
const ACROSS = [0.08, 0.92, 0.5, 0, 1, 0.3, 0.85, 0.15, 0.6, 1, 0, 0.45];
const DOWN = [0, 1, 0.5, 1, 0, 0.5, 1, 0, 0.7, 0.2, 1, 0.4];

/** Where every photograph goes on a picture of this size: a pure function (the camsim render and the benches share it). */
export function faceScene(width: number, height: number, gopSeconds: number, list: FacePhoto[] = facePhotos()): FaceScene {
  const placements: FacePlacement[] = [];
  for (let slot = 0; slot < FACE_SLOTS; slot++) {
    const photoIndex = slot % list.length;
    const p = list[photoIndex]!;
    const size = SIZES[Math.floor(slot / list.length) % SIZES.length]!;
    const h = Math.min(even(height * size), even(height * (BOTTOM - TOP)));
    const w = Math.min(width, even(h / p.aspect));
    const x = even((width - w) * ACROSS[slot % ACROSS.length]!);
    const top = even(height * TOP);
    const y = top + even(Math.max(0, even(height * BOTTOM) - h - top) * DOWN[slot % DOWN.length]!);
    placements.push({
      slot, from: slot * FACE_SLOT_S, to: (slot + 1) * FACE_SLOT_S, photo: path.relative(path.dirname(path.dirname(p.file)), p.file).split(path.sep).join('/'), photoIndex,
      x, y, w, h, faces: p.faces.map(([fx, fy]) => [(x + fx * w) / width, (y + fy * h) / height] as [number, number]),
    });
  }
  return { width, height, loopSeconds: faceLoopSeconds(gopSeconds), slotSeconds: FACE_SLOT_S, placements };
}

/**
 * The placement a frame shows, from its timestamp code: the time within the loop (replayed loops) or the capture time in
 * Unix ms (live streams; the filter takes the same time modulo the loop).
 */
export function placementAt(scene: FaceScene, codeMs: number): FacePlacement {
  const t = (((codeMs % (scene.loopSeconds * 1000)) + scene.loopSeconds * 1000) % (scene.loopSeconds * 1000)) / 1000;
  return scene.placements[Math.floor(t / scene.slotSeconds) % scene.placements.length]!;
}

/**
 * The ffmpeg filters that paste the photographs: one overlay per placement, switched by the timeline like the timestamp
 * code (`t` modulo the loop, so a live stream's wall-clock frame times work too). Starts with a filter that follows a
 * comma and ends with an overlay that a comma can follow, like the rest of filterGraph. The photographs are copied next to
 * the text files first, so their paths need no filtergraph escaping.
 */
export function faceFilter(width: number, height: number, gopSeconds: number, dir: string): string {
  const scene = faceScene(width, height, gopSeconds);
  const list = facePhotos();
  mkdirSync(dir, { recursive: true });
  const local = list.map((p) => {
    const file = path.join(dir, `face-v${FACE_SCENE_VERSION}-${path.basename(p.file)}`);
    if (!existsSync(file)) {
      // Copy then rename: a concurrent camsim never reads half a file.
      const part = `${file}.${process.pid}.tmp`;
      copyFileSync(p.file, part);
      renameSync(part, file);
    }
    return file;
  });
  const L = scene.loopSeconds;
  const parts = ['null[fa0]'];
  scene.placements.forEach((p, k) => {
    const on = `between(mod(t+0.0005,${L}),${p.from},${(p.to - 0.001).toFixed(3)})`;
    parts.push(`movie=${local[p.photoIndex]},scale=${p.w}:${p.h}:flags=area,format=yuv420p[fp${k}]`);
    const last = k === scene.placements.length - 1;
    parts.push(`[fa${k}][fp${k}]overlay=x=${p.x}:y=${p.y}:eof_action=repeat:enable='${on}'${last ? '' : `[fa${k + 1}]`}`);
  });
  return parts.join(';');
}
