// `npm run bench:redact`: one JSON line. Redacted export ("Export for disclosure") speed on this machine:
// redact_fps_1080p_masks — a 1080p25 recording re-encoded (libx264, the export's preset) with two privacy masks and two
//   keyed boxes blurred: frames a second two free cores give, from ffmpeg's CPU time (the machine is shared, so wall
//   time says more about the neighbours; redact_fps_1080p_masks_wall is the wall-clock figure beside it; target ≥ 50);
// redact_fps_720p_faces — a 720p25 recording with faces found by the detector (faces.ts, sampled at FACE_SAMPLE_FPS)
//   and blurred, detection included (target ≥ 8); face_recall / face_precision from bench:faces' photographs;
// mask_overhead_renderer_pct — Chromium's CPU for 9 live tiles with two masks on each against the same without, in %
//   (bench:live's masks section, run as a child; target ≤ 5, i.e. ≤ 1.05×).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedactionBox } from '../../electron/contract';
import { FACE_SAMPLE_FPS, loadFaceDetector, probeVideo, redactFile, trackFaces, X264_PRESET } from '../../electron/core/redaction/redact-export';
import { benchFaces } from './faces';

const SECONDS = 10;
const FPS = 25;

function clip(w: number, h: number): string {
  const path = join(tmpdir(), `wp-bench-redact-${w}x${h}-${SECONDS}s.mp4`);
  if (existsSync(path)) return path;
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=${FPS}`, '-t', String(SECONDS),
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(FPS * 2), '-pix_fmt', 'yuv420p', `${path}.tmp.mp4`]);
  renameSync(`${path}.tmp.mp4`, path);
  return path;
}

const MASKS = [
  [{ x: 0.05, y: 0.05 }, { x: 0.3, y: 0.05 }, { x: 0.3, y: 0.35 }, { x: 0.05, y: 0.35 }],
  [{ x: 0.7, y: 0.1 }, { x: 0.95, y: 0.2 }, { x: 0.85, y: 0.5 }],
];
const BOXES: RedactionBox[] = [
  { inverted: false, keys: [{ at: 0, x: 0.3, y: 0.5, w: 0.2, h: 0.3 }, { at: 8_000, x: 0.6, y: 0.5, w: 0.2, h: 0.3 }] },
  { inverted: false, keys: [{ at: 0, x: 0.1, y: 0.6, w: 0.1, h: 0.2 }, { at: 5_000, x: 0.2, y: 0.4, w: 0.15, h: 0.25 }] },
];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-bench-redact-'));
  const out: Record<string, number | string | null> = {};
  try {
    const c1080 = clip(1920, 1080);
    const g = await probeVideo('ffprobe', c1080);
    const settings = { effect: 'blur' as const, quality: 'medium' as const, audio: false, faces: false };
    // ffmpeg through bash, whose `times` gives the CPU its children used.
    const timed = join(dir, 'ffmpeg-timed'), timesFile = join(dir, 'times');
    writeFileSync(timed, `#!/bin/bash\nffmpeg "$@"\nrc=$?\ntimes > '${timesFile}'\nexit $rc\n`);
    chmodSync(timed, 0o755);
    let t = performance.now();
    await redactFile({ ffmpegPath: timed, input: c1080, output: join(dir, 'a.mp4'), geometry: g, start: 0, masks: MASKS, boxes: BOXES, settings });
    const wall = (performance.now() - t) / 1000;
    const cpu = readFileSync(timesFile, 'utf8').split('\n')[1]!.split(' ').reduce((n, x) => { const m = /(\d+)m([\d.]+)s/.exec(x); return n + (m ? Number(m[1]) * 60 + Number(m[2]) : 0); }, 0);
    out.redact_fps_1080p_masks = Number(((SECONDS * FPS) / (cpu / 2)).toFixed(1));
    out.redact_fps_1080p_masks_wall = Number(((SECONDS * FPS) / wall).toFixed(1));
    out.load_avg_1m = Number(loadavg()[0]!.toFixed(1));

    const c720 = clip(1280, 720);
    const g720 = await probeVideo('ffprobe', c720);
    try {
      const detector = await loadFaceDetector();
      t = performance.now();
      const faces = await trackFaces('ffmpeg', c720, 0, g720, detector, FACE_SAMPLE_FPS);
      await redactFile({ ffmpegPath: 'ffmpeg', input: c720, output: join(dir, 'b.mp4'), geometry: g720, start: 0, masks: MASKS, boxes: [], faces, settings: { ...settings, faces: true } });
      out.redact_fps_720p_faces = Number(((SECONDS * FPS) / ((performance.now() - t) / 1000)).toFixed(1));
      const f = await benchFaces(1);
      out.face_recall = f.face_recall;
      out.face_precision = f.face_precision;
      out.face_detector = f.face_detector;
    } catch (err) {
      // No detector here: no figures for it (never made-up ones).
      out.redact_fps_720p_faces = null;
      out.face_recall = null;
      out.face_precision = null;
      out.face_detector_error = (err as Error).message;
    }
    const live = spawnSync('node_modules/.bin/tsx', ['scripts/bench/live.ts', '--only', 'masks'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    const masks = live.status === 0 ? JSON.parse(live.stdout.trim().split('\n').at(-1)!) : {};
    out.mask_overhead_renderer_pct = masks.mask_overhead_renderer_pct ?? null;
    out.mask_renderer_vs_bare = masks.mask_renderer_vs_bare ?? null;
    out.x264_preset = X264_PRESET;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
}

void main();
