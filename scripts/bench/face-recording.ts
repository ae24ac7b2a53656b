// Faces on a real recording: camsim (--faces) pastes @vladmandic/face-api's demo photographs into a channel's stream, the
// station records that channel over RTSP into its archive, and its own "Export for disclosure" (redaction.start with faces)
// runs over the recorded range. Measured on the recorded frames, against the ground truth camsim publishes
// (video/face-scene.ts; each frame's timestamp code says which placement it shows):
// - the boxes the export blurred: what the station's face detector found at each frame the export sampled (kept by
//   `watchDetector`, the boxes as redact-export.ts's blurBoxes makes them), recall and precision (scoreFaces);
// - the redacted file against the original, frame by frame: each true face's area blurred (its fine detail gone), and the
//   picture away from the photographs as the original shows it.
// Used by bench:faces and tests/integration/faces.test.ts.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Channel, RedactedExport, Result } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { loadFaceDetector, type FaceBox } from '../../electron/core/redaction/faces';
import { blurBoxes, FACE_SAMPLE_FPS, probeVideo, type RedactedManifest } from '../../electron/core/redaction/redact-export';
import { createStation, type Station } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { startFleet, withCredentials, type Fleet } from '../camsim/fleet';
import { createSimStream } from '../camsim/video/sim-stream';
import { faceScene, placementAt, type FacePlacement, type FaceScene } from '../camsim/video/face-scene';
import { readTimestampCode } from '../camsim/video/timestamp-code';
import { scoreFaces, type FaceScore } from './face-photos';

export interface FaceRecording {
  fleet: Fleet;
  station: Station;
  channelId: number;
  /** The recorded stream's size, and the faces scene at that size. */
  scene: FaceScene;
  stream: 'main' | 'sub';
  /** The recorded range (epoch ms), as the archive's timeline has it. */
  from: number;
  to: number;
  close(): Promise<void>;
}

/** The station's calls as an operator's client makes them; a refusal thrown. */
function caller(station: Station) {
  const session = new ClientSession('face-recording');
  return async <T>(name: string, input: unknown): Promise<T> => {
    const r: Result<unknown> = await station.dispatch(name, input, session);
    if (!r.ok) throw new Error(`${name} failed: ${r.error.message}`);
    return r.value as T;
  };
}

/**
 * A camsim camera with faces and a station (data in `dataDir`) recording its `stream` continuously for about `seconds`;
 * recording stops before this resolves, so the archive holds the whole range.
 */
export async function recordFaces(o: { dataDir: string; seconds: number; stream: 'main' | 'sub'; subnet?: string }): Promise<FaceRecording> {
  const fleet = await startFleet({ devices: 1, channels: 1, faces: [1], subnet: o.subnet ?? 'random', ports: 'ephemeral' });
  let station: Station | undefined;
  const close = async () => {
    await station?.dispose();
    await fleet.close();
  };
  try {
    station = await createStation({ dataDir: o.dataDir, mode: 'browser', secrets: nodeSecretStore(o.dataDir), logger: pino({ level: 'silent' }), recording: { fullReconcile: false } });
    const call = caller(station);
    const ch = fleet.manifest.devices[0]!.channels[0]!;
    const s = ch[o.stream];
    // The loop made (or read from the cache) first: the stream's clock starts when the station asks for it, so the
    // recording begins near the loop's start however long an encode takes.
    const warm = createSimStream(fleet.devices[0]!.channel(1)!.specs[o.stream]);
    await warm.parameterSets().finally(() => warm.close());
    // The chosen stream as the channel's main: it is what the channel records.
    const { id } = await call<Channel>('channels.addRtsp', { name: ch.name, mainUrl: withCredentials(s.rtsp), subUrl: null });
    await call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
    const recordAs = (mode: 'continuous' | 'off') => call('recording.setChannels', {
      channelIds: [id], mode, stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null,
    });
    await recordAs('continuous');
    const limit = Date.now() + 60_000;
    const state = async () => (await call<{ channels: { state: string }[] }>('recording.status', {})).channels[0]?.state;
    while ((await state()) !== 'recording') {
      if (Date.now() > limit) throw new Error('the station did not start recording the camsim channel in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    await recordAs('off');
    const now = Date.now();
    const [tl] = await call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [id], from: now - 600_000, to: now + 1000 });
    const span = tl?.spans.at(-1);
    if (!span) throw new Error('nothing was recorded');
    return { fleet, station, channelId: id, scene: faceScene(s.width, s.height, s.gopSeconds), stream: o.stream, from: span.start, to: span.end, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The station's own redacted export of the recorded range with faces blurred; resolves with its folder once done. */
export async function exportRedacted(rec: FaceRecording): Promise<{ folder: string; ms: number }> {
  const call = caller(rec.station);
  const t0 = performance.now();
  const { exportId, folder } = await call<{ exportId: number; folder: string }>('redaction.start', {
    channelId: rec.channelId, from: rec.from, to: rec.to, boxes: [], settings: { effect: 'blur', quality: 'medium', audio: false, faces: true },
  });
  for (;;) {
    const e = (await call<RedactedExport[]>('redaction.list', {})).find((x) => x.exportId === exportId);
    if (e?.state === 'done') return { folder, ms: performance.now() - t0 };
    if (e && e.state !== 'running') throw new Error(`the redacted export ${e.state}: ${e.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * What the process's face detector (the one the station's exports load) finds, call by call, until `stop`: the station
 * runs in this process, so these are the detections its export blurred, in the order it sampled them.
 */
export async function watchDetector(): Promise<{ calls: FaceBox[][]; stop(): void }> {
  const detector = await loadFaceDetector();
  const detect = detector.detect;
  const calls: FaceBox[][] = [];
  detector.detect = async (frame) => {
    const found = await detect.call(detector, frame);
    calls.push(found);
    return found;
  };
  return { calls, stop: () => { detector.detect = detect; } };
}

/** Every frame of a video (or those `select` picks), grey, scaled to width × height. */
function greyFrames(file: string, width: number, height: number, select?: string): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const vf = `${select ? `${select},` : ''}scale=${width}:${height}:flags=area`;
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg could not decode ${file}: ${err.trim()}`));
      const all = Buffer.concat(out);
      const size = width * height;
      const frames: Buffer[] = [];
      for (let at = 0; at + size <= all.length; at += size) frames.push(all.subarray(at, at + size));
      resolve(frames);
    });
  });
}

type Rect = { x0: number; y0: number; x1: number; y1: number };

/** Mean squared difference of horizontal and vertical neighbours: a picture's fine detail (a blur leaves little). */
function detail(f: Buffer, width: number, r: Rect): number {
  let s = 0, n = 0;
  for (let y = r.y0; y + 1 < r.y1; y++) {
    for (let x = r.x0; x + 1 < r.x1; x++) {
      const v = f[y * width + x]!;
      s += (v - f[y * width + x + 1]!) ** 2 + (v - f[(y + 1) * width + x]!) ** 2;
      n += 2;
    }
  }
  return n ? s / n : 0;
}

/**
 * A face's area for the blur check, in a frame of width × height (the scene's picture scaled): a square around its centre,
 * a twentieth of its photograph's width a side.
 */
export function faceSquare(scene: FaceScene, p: FacePlacement, [cx, cy]: [number, number], width: number, height: number): Rect {
  const half = Math.max(3, Math.round((p.w * width) / scene.width / 40));
  const x = Math.round(cx * width), y = Math.round(cy * height);
  return { x0: Math.max(0, x - half), y0: Math.max(0, y - half), x1: Math.min(width, x + half), y1: Math.min(height, y + half) };
}

export interface RecordedFaceFigures {
  /** Recorded frames checked, and the faces on them (a face counted once per frame). */
  frames: number;
  faces: number;
  /** The boxes the export blurred at the frames it sampled (FACE_SAMPLE_FPS) against the truth. */
  samples: number;
  sampleFaces: number;
  track: FaceScore;
  /** Of the boxes holding no face, those whose centre lies off the photograph (on the pattern or the camera's labels). */
  falseOffPhoto: number;
  /** Faces (per frame) whose area the redacted file blurred: its fine detail under BLUR_RATIO of the original's. */
  blurred: number;
  blurredRatio: number;
  /** Faces not blurred, by frame and placement (for a report). */
  missed: { frame: number; slot: number; face: number }[];
  /**
   * Away from the photographs, in frames at least 0.25 s from a change of placement: the mean absolute grey difference,
   * redacted against original, over all those frames, and the share of those frames whose own mean stays under AWAY_DIFF
   * (a false face box blurs part of a frame).
   */
  awayMeanAbsDiff: number;
  awayFrames: number;
  awayFramesUntouched: number;
  /** Frames whose timestamp code did not read (left out). */
  unreadable: number;
}

/** A face's area counts as blurred when the redacted frame keeps less than this share of the original's fine detail. */
export const BLUR_RATIO = 0.35;
/** A frame is untouched away from the photographs when its mean absolute grey difference there stays under this. */
export const AWAY_DIFF = 4;

/**
 * Measures a redacted export of a faces recording (see the file's head); `detections`: the detector's calls during the
 * export (watchDetector), one per sampled frame, files in the manifest's order.
 */
export async function measureRedactedFaces(folder: string, scene: FaceScene, detections: FaceBox[][]): Promise<RecordedFaceFigures> {
  const manifest = JSON.parse(readFileSync(join(folder, 'redacted', 'manifest.json'), 'utf8')) as RedactedManifest;
  // Checked at 640 wide at most (1080p frames of a whole loop would not fit in memory), positions scaled from the scene's.
  const W = Math.min(scene.width, 640), H = 2 * Math.round((scene.height * W) / scene.width / 2);
  const out: RecordedFaceFigures = {
    frames: 0, faces: 0, samples: 0, sampleFaces: 0, track: scoreFaces([], []), falseOffPhoto: 0, blurred: 0, blurredRatio: 0, missed: [], awayMeanAbsDiff: 0, awayFrames: 0, awayFramesUntouched: 0, unreadable: 0,
  };
  const truthSamples: Array<Array<[number, number]>> = [];
  const trackBoxes: FaceBox[][] = [];
  let awaySum = 0, awayN = 0, call = 0;
  for (const f of manifest.files) {
    const original = join(folder, 'original', f.source.name);
    const redacted = join(folder, 'redacted', f.name);
    const g = await probeVideo('ffprobe', original);
    if (g.width !== scene.width || g.height !== scene.height) throw new Error(`recorded ${g.width}x${g.height}, the scene is ${scene.width}x${scene.height}`);
    // The frames the export sampled (the same fps filter picks the same frames) and the truth on each.
    const sampled = await greyFrames(original, W, H, `fps=${FACE_SAMPLE_FPS}`);
    if (call + sampled.length > detections.length) throw new Error(`the export sampled ${detections.length} frames, its originals have more (${call + sampled.length})`);
    for (const frame of sampled) {
      const found = detections[call++]!;
      const code = readTimestampCode(frame, W, H);
      if (code === null) continue;
      const p = placementAt(scene, code);
      const boxes = blurBoxes(found).map((b) => ({ ...b, score: 1 }));
      truthSamples.push(p.faces);
      trackBoxes.push(boxes);
      const holds = (b: FaceBox, x: number, y: number) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
      const photo = { x: p.x / scene.width, y: p.y / scene.height, w: p.w / scene.width, h: p.h / scene.height, score: 1 };
      out.falseOffPhoto += boxes.filter((b) => !p.faces.some(([x, y]) => holds(b, x, y)) && !holds(photo, b.x + b.w / 2, b.y + b.h / 2)).length;
    }
    // Frame by frame: the faces blurred, the rest untouched.
    const orig = await greyFrames(original, W, H);
    const red = await greyFrames(redacted, W, H);
    if (orig.length !== red.length) throw new Error(`${f.name}: ${red.length} frames, its original ${orig.length}`);
    orig.forEach((o, k) => {
      const code = readTimestampCode(o, W, H);
      if (code === null) { out.unreadable++; return; }
      const p = placementAt(scene, code);
      out.frames++;
      p.faces.forEach((c, i) => {
        const r = faceSquare(scene, p, c, W, H);
        out.faces++;
        if (detail(red[k]!, W, r) < BLUR_RATIO * detail(o, W, r)) out.blurred++;
        else out.missed.push({ frame: k, slot: p.slot, face: i });
      });
      // Away from the photograph (and its neighbours' places, which the track's next or last sample may still blur):
      // only frames at least 0.25 s from a change of placement.
      const inSlot = (((code / 1000) % scene.loopSeconds) + scene.loopSeconds) % scene.loopSeconds - p.from;
      if (inSlot < 0.25 || inSlot > scene.slotSeconds - 0.25) return;
      const m = Math.round(0.03 * W);
      const sx = W / scene.width, sy = H / scene.height;
      const photo = { x0: p.x * sx - m, y0: p.y * sy - m, x1: (p.x + p.w) * sx + m, y1: (p.y + p.h) * sy + m };
      let sum = 0, n = 0;
      for (let y = 0; y < H; y += 2) {
        for (let x = 0; x < W; x += 2) {
          if (x >= photo.x0 && x < photo.x1 && y >= photo.y0 && y < photo.y1) continue;
          sum += Math.abs(o[y * W + x]! - red[k]![y * W + x]!);
          n++;
        }
      }
      awaySum += sum;
      awayN += n;
      out.awayFrames++;
      if (n && sum / n < AWAY_DIFF) out.awayFramesUntouched++;
    });
  }
  if (call !== detections.length) throw new Error(`the export sampled ${detections.length} frames, its originals ${call}`);
  out.samples = truthSamples.length;
  out.sampleFaces = truthSamples.reduce((n, t) => n + t.length, 0);
  out.track = scoreFaces(truthSamples, trackBoxes);
  out.blurredRatio = out.faces ? out.blurred / out.faces : 0;
  out.awayMeanAbsDiff = awayN ? awaySum / awayN : 0;
  return out;
}
