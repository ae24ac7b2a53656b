// ffmpeg arguments that render a channel's picture: a wider synthetic scene cropped at the pan
// position, the on-screen text (channel, profile, clock) and the timestamp code, then the encoder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Codec, Profile, SceneRegion } from '../types';
import { faceFilter } from './face-scene';
import { FFMPEG, FONT_FILE } from './ffmpeg-process';
import { timestampCodeFilter } from './timestamp-code';

export interface RenderSpec {
  codec: Codec;
  profile: Profile;
  channelName: string;
  width: number;
  height: number;
  fps: number;
  gopSeconds: number;
  /** Pan position in [-1, 1]; the visible window moves over a scene 4/3 the size of the picture. */
  panX: number;
  panY: number;
  /** Set only when on, so loops of the plain pattern keep their cache keys. */
  still?: true;
  motion?: SceneRegion;
  /** Set only when on: the picture of a 180° fisheye lens (a circle, the height's diameter, centred; black around). */
  fisheye?: true;
  /** Set only when on: real photographs with faces pasted onto the picture, changing every second (face-scene.ts). */
  facePhotos?: true;
}

const even = (v: number): number => 2 * Math.round(v / 2);

export function sceneSize(width: number, height: number): { w: number; h: number } {
  return { w: even((width * 4) / 3), h: even((height * 4) / 3) };
}

export function panOffset(spec: Pick<RenderSpec, 'width' | 'height' | 'panX' | 'panY'>): { x: number; y: number } {
  const scene = sceneSize(spec.width, spec.height);
  const clamp = (v: number): number => Math.max(-1, Math.min(1, v));
  return {
    x: even(((clamp(spec.panX) + 1) / 2) * (scene.w - spec.width)),
    y: even(((clamp(spec.panY) + 1) / 2) * (scene.h - spec.height)),
  };
}

/** Camera-like bit rate: ~0.08 bit per pixel per frame for H.264 (4 Mb/s at 1080p25), 60 % of it for H.265. */
export function bitrateFor(spec: Pick<RenderSpec, 'codec' | 'width' | 'height' | 'fps'>): number {
  const bpp = spec.codec === 'h264' ? 0.08 : 0.05;
  return Math.max(96_000, Math.round((spec.width * spec.height * spec.fps * bpp) / 1000) * 1000);
}

// Text goes through files so channel names need no filtergraph escaping.
function textFile(dir: string, content: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `text-${createHash('sha1').update(content).digest('hex').slice(0, 16)}.txt`);
  writeFileSync(file, content);
  return file;
}

function codecLabel(codec: Codec): string {
  return codec === 'h264' ? 'H.264' : 'H.265';
}

/** The drawn object's lap of its region; divides every loop length (whole GOPs of >= 1 s), so loops stay seamless. */
export const MOTION_PERIOD_S = 1;
const MOTION_STEPS = 10;

/**
 * A white box with a black rim going round an ellipse inside the region (every sampled position differs
 * from the last, whatever rate a detector samples at below 10 fps), one drawbox per position switched by
 * the timeline like the timestamp code, so it costs next to nothing.
 */
export function motionFilter(region: SceneRegion, width: number, height: number): string {
  const clamp = (v: number): number => Math.max(0, Math.min(1, v));
  const rx = even(clamp(region.x) * width);
  const ry = even(clamp(region.y) * height);
  const rw = Math.max(8, even(clamp(region.w) * width));
  const rh = Math.max(8, even(clamp(region.h) * height));
  const side = Math.max(4, even(Math.min(rw, rh) * 0.45));
  const rim = Math.max(2, even(side / 8));
  const step = MOTION_PERIOD_S / MOTION_STEPS;
  const parts: string[] = [];
  for (let k = 0; k < MOTION_STEPS; k++) {
    const a = (2 * Math.PI * k) / MOTION_STEPS;
    const x = rx + even(((rw - side) / 2) * (1 + Math.cos(a)));
    const y = ry + even(((rh - side) / 2) * (1 + Math.sin(a)));
    const on = `between(mod(t+0.001,${MOTION_PERIOD_S}),${(k * step).toFixed(3)},${((k + 1) * step - 0.0001).toFixed(4)})`;
    parts.push(`drawbox=x=${x}:y=${y}:w=${side}:h=${side}:color=black:t=fill:enable='${on}'`);
    parts.push(`drawbox=x=${x + rim}:y=${y + rim}:w=${side - 2 * rim}:h=${side - 2 * rim}:color=white:t=fill:enable='${on}'`);
  }
  return parts.join(',');
}

/**
 * A square PNG, black with a transparent disc, that blacks out what lies outside a fisheye's circle (ffmpeg's v360 fills
 * the whole square). Made once per size with ffmpeg and kept beside the text files.
 */
function circleMask(dir: string, size: number): string {
  const file = join(dir, `fisheye-mask-${size}.png`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const part = `${file}.${process.pid}.png`;
  const r = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=black:s=${size}x${size},format=rgba`,
    '-vf', `geq=r=0:g=0:b=0:a='if(lt(hypot(X-${size / 2},Y-${size / 2}),${size / 2}),0,255)'`, '-frames:v', '1', part]);
  if (r.status !== 0) throw new Error(`camsim: ffmpeg could not make the fisheye mask: ${String(r.stderr).trim()}`);
  renameSync(part, file);
  return file;
}

/**
 * The scene as a ceiling fisheye sees it: v360 maps it as an equirectangular panorama onto a 180° equidistant circle (the
 * model the station's de-warp assumes), the mask blacks out the square's corners, and padding centres it in the picture.
 */
function fisheyeFilter(spec: RenderSpec, textDir: string): string {
  const d = even(spec.height);
  return `v360=input=equirect:output=fisheye:h_fov=180:v_fov=180:pitch=-60:w=${d}:h=${d}[fe];` +
    `movie=${circleMask(textDir, d)}[mask];[fe][mask]overlay=0:0,pad=${spec.width}:${spec.height}:${even((spec.width - d) / 2)}:0:black`;
}

/**
 * The video filter graph. `live`: frame times become wall-clock seconds (RTCTIME), so the clock and
 * the code show the capture time; otherwise they show the time within the loop.
 */
export function filterGraph(spec: RenderSpec, live: boolean, textDir: string): string {
  const { x, y } = panOffset(spec);
  const nameSize = Math.max(12, Math.round(spec.height / 16));
  const infoSize = Math.max(10, Math.round(spec.height / 26));
  const margin = Math.max(4, Math.round(spec.height / 40));
  const label = textFile(textDir, spec.channelName);
  const info = textFile(
    textDir,
    `${spec.profile} ${spec.width}x${spec.height} ${codecLabel(spec.codec)} ${spec.fps}fps ${live ? 'LIVE' : 'LOOP'}`,
  );
  const clock = textFile(
    textDir,
    live
      ? '%{pts:localtime:0:%Y-%m-%d %H\\:%M\\:%S}.%{eif:mod(t*1000,1000):d:3}'
      : 'replay %{pts:hms}',
  );
  const text = (file: string, size: number, ty: string, expand: boolean): string =>
    `drawtext=fontfile=${FONT_FILE}:textfile=${file}:expansion=${expand ? 'normal' : 'none'}` +
    `:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(size / 5)}:x=${margin}:y=${ty}`;
  const parts = [
    // Still: the pattern's first frame repeated, paced in real time when live.
    ...(spec.still ? ['trim=end_frame=1', 'tpad=stop=-1:stop_mode=clone', ...(live ? ['realtime'] : [])] : []),
    ...(live ? ['settb=1/1000000', 'setpts=RTCTIME'] : []),
    `crop=${spec.width}:${spec.height}:${x}:${y}`,
    ...(spec.motion ? [motionFilter(spec.motion, spec.width, spec.height)] : []),
    ...(spec.fisheye ? [fisheyeFilter(spec, textDir)] : []),
    // Pasted flat on the picture (after the pan and the lens), under the labels and the code.
    ...(spec.facePhotos ? [faceFilter(spec.width, spec.height, spec.gopSeconds, textDir)] : []),
    text(label, nameSize, String(margin), false),
    text(info, infoSize, String(margin * 2 + nameSize), false),
    text(clock, infoSize, String(margin * 3 + nameSize + infoSize), true),
    timestampCodeFilter(spec.width, spec.height),
  ];
  return parts.join(',');
}

export function sourceArgs(spec: RenderSpec, durationSeconds?: number): string[] {
  const scene = sceneSize(spec.width, spec.height);
  const d = durationSeconds === undefined ? '' : `:d=${durationSeconds}`;
  return ['-f', 'lavfi', '-i', `testsrc2=s=${scene.w}x${scene.h}:r=${spec.fps}${d}`];
}

/** Encoder arguments: fixed GOP, no B-frames (cameras send frames in presentation order), CBR-ish. */
export function encoderArgs(spec: RenderSpec, live: boolean): string[] {
  const gop = Math.max(1, Math.round(spec.gopSeconds * spec.fps));
  const rate = String(bitrateFor(spec));
  const rc = ['-b:v', rate, '-maxrate', rate, '-bufsize', rate];
  if (spec.codec === 'h264') {
    return [
      '-c:v', 'libx264',
      '-preset', live ? 'ultrafast' : 'veryfast',
      ...(live ? ['-tune', 'zerolatency'] : []),
      '-profile:v', live ? 'baseline' : 'main',
      '-pix_fmt', 'yuv420p',
      '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0',
      ...rc,
      '-f', 'h264',
    ];
  }
  // Closed GOPs: every keyframe an IDR, as cameras send, so a client can join at any of them.
  const x265 = [`keyint=${gop}`, `min-keyint=${gop}`, 'scenecut=0', 'bframes=0', 'open-gop=0', 'log-level=error'];
  return [
    '-c:v', 'libx265',
    '-preset', 'ultrafast',
    ...(live ? ['-tune', 'zerolatency'] : []),
    '-pix_fmt', 'yuv420p',
    '-x265-params', x265.join(':'),
    ...rc,
    '-f', 'hevc',
  ];
}
