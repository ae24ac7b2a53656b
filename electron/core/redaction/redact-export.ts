// "Export for disclosure": a range of one channel exported as signed (the original), then re-encoded with libx264 with
// the channel's masks, the drawn boxes and, when asked, faces blurred; the redacted folder's signed manifest names for
// each file the original file and segments (SHA-256) it was made from and everything that was applied. Written in a
// folder beside the target and renamed into place at the end, so a failed redaction leaves nothing that verifies.
import { execFile } from 'node:child_process';
import { createHash, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fail, REDACTION_CRF, type MaskKind, type MaskPoint, type RedactionBox, type RedactionSettings } from '../../contract';
import { isInit, ArchiveCursor, type ArchiveSource } from '../recording/archive-reader';
import {
  canonicalJson, CHUNK_BYTES, exportRange, hashFile, localIso, MANIFEST, verifyExport, type Manifest, type ManifestFile, type SigningKey, type VerifyReport,
} from '../recording/export';
import { segmentFile } from '../recording/segment-file';
import { segmentsIn } from '../recording/segment-index';
import { FACE_MIN_SCORE, loadFaceDetector as loadDetector, type FaceBox, type FaceDetector } from './faces';
import { effectRect, feedInputs, planeSource, redactionGraph, runFfmpeg, type FaceTrack, type FrameGeometry } from './redact-filter';

export const REDACTED_FORMAT = 'watchpost-redacted/1';
/** x264's speed/size trade-off for redactions (the bench's 1080p target on two cores). */
export const X264_PRESET = 'superfast';

export interface AppliedMask { name: string; kind: MaskKind; points: MaskPoint[] }

export interface RedactedFile extends ManifestFile {
  /** The signed original this file was made from: its file in `original/` and the archive segments it was cut from. */
  source: { name: string; sha256: string; bytes: number; segments: { name: string; startUtc: string; endUtc: string; bytes: number; sha256: string }[] };
}
export interface RedactedManifest extends Omit<Manifest, 'format' | 'files'> {
  format: typeof REDACTED_FORMAT;
  files: RedactedFile[];
  original: { folder: string; manifestSha256: string; signature: string; fingerprint: string };
  applied: {
    masks: AppliedMask[];
    boxes: RedactionBox[];
    faces: { detector: string; version: string; sampleFps: number } | null;
    settings: RedactionSettings & { encoder: 'libx264'; preset: string; crf: number };
  };
}

// ---- probing ----

const run = promisify(execFile);

export async function probeVideo(ffprobePath: string, file: string): Promise<FrameGeometry & { duration: number; audio: boolean }> {
  const { stdout } = await run(ffprobePath, ['-v', 'error', '-show_entries', 'stream=codec_type,width,height,avg_frame_rate,r_frame_rate:format=duration', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { streams: { codec_type: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string }[]; format: { duration?: string } };
  const v = j.streams.find((s) => s.codec_type === 'video');
  if (!v?.width || !v.height) throw new Error(`${file} has no video stream`);
  const rate = (r?: string) => { const [a, b] = (r ?? '0/1').split('/').map(Number); return a && b ? a / b : 0; };
  const fps = Math.min(120, rate(v.avg_frame_rate) || rate(v.r_frame_rate) || 25);
  return { width: v.width, height: v.height, fps, duration: Number(j.format.duration ?? 0), audio: j.streams.some((s) => s.codec_type === 'audio') };
}

// ---- faces ----

export type { FaceDetector };
/** The detector from faces.ts, or the refusal that it cannot be had. */
export async function loadFaceDetector(): Promise<FaceDetector> {
  try {
    return await loadDetector();
  } catch (err) {
    throw fail('redaction.noFaceDetector', {}, (err as Error).message);
  }
}

/** Faces at `sampleFps` over a small copy of the file (RGB24, 320 wide). */
export async function trackFaces(ffmpegPath: string, file: string, start: number, g: FrameGeometry, detector: FaceDetector, sampleFps: number, signal?: AbortSignal): Promise<FaceTrack> {
  const w = 320, h = Math.max(2, Math.round((g.height * w) / g.width / 2) * 2);
  const frame = w * h * 3;
  const track: FaceTrack = { at: [], boxes: [] };
  let pending = Buffer.alloc(0);
  const queue: Buffer[] = [];
  await runFfmpeg(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-i', file, '-vf', `fps=${sampleFps},scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], 0, async () => {}, {
    signal, onStdout: (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= frame) { queue.push(pending.subarray(0, frame)); pending = pending.subarray(frame); }
    },
  });
  for (let i = 0; i < queue.length; i++) {
    const found = await detector.detect({ data: queue[i]!, width: w, height: h });
    track.at.push(start + (i * 1000) / sampleFps);
    track.boxes.push(blurBoxes(found));
  }
  return track;
}

/** The detector's boxes the export blurs: those scored as faces, with a little margin (a face box from a small copy is tight). */
export function blurBoxes(found: readonly FaceBox[]): FaceTrack['boxes'][number] {
  return found.filter((b) => b.score >= FACE_MIN_SCORE).map((b) => ({ x: Math.max(0, b.x - b.w * 0.1), y: Math.max(0, b.y - b.h * 0.1), w: Math.min(1, b.w * 1.2), h: Math.min(1, b.h * 1.2) }));
}

// ---- one file ----

export interface RedactFileOptions {
  ffmpegPath: string;
  input: string;
  output: string;
  geometry: FrameGeometry & { duration: number; audio: boolean };
  /** Epoch ms of the file's first frame (boxes are keyed in wall time). */
  start: number;
  masks: MaskPoint[][];
  boxes: RedactionBox[];
  faces?: FaceTrack;
  settings: RedactionSettings;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function redactFile(o: RedactFileOptions): Promise<void> {
  const g = o.geometry;
  const rect = effectRect(g, o.boxes, (o.faces?.boxes.some((b) => b.length) ?? false));
  const graph = redactionGraph(g, { masks: o.masks, effect: rect, kind: o.settings.effect });
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', '-y',
    '-i', o.input, ...graph.args, '-filter_complex', graph.graph, '-map', '[out]',
    ...(o.settings.audio && g.audio ? ['-map', '0:a:0', '-c:a', 'copy'] : ['-an']),
    '-c:v', 'libx264', '-preset', X264_PRESET, '-crf', String(REDACTION_CRF[o.settings.quality]), '-pix_fmt', 'yuv420p',
    '-fps_mode', 'passthrough', '-movflags', '+faststart', '-f', 'mp4', o.output,
  ];
  const frames = Math.ceil((g.duration + 1) * g.fps);
  let text = '';
  await runFfmpeg(o.ffmpegPath, args, graph.feeds.length, (fds) => feedInputs(fds, graph.feeds, {
    frames, signal: o.signal, planeAt: rect ? planeSource(o.boxes, o.faces, o.start, g, rect) : undefined,
  }), {
    signal: o.signal,
    onStdout: (d) => {
      text = (text + d.toString()).slice(-2000);
      const m = [...text.matchAll(/out_time_us=(\d+)/g)].at(-1);
      if (m && g.duration > 0) o.onProgress?.(Math.min(1, Number(m[1]) / 1e6 / g.duration));
    },
  });
}

/** The channel's permanent masks burnt into an exported file, in place (every export, for everyone); their names, or null. */
export async function burnPermanentMasks(o: { ffmpegPath: string; ffprobePath: string; path: string; masks: { names: string[]; outlines: MaskPoint[][] } }): Promise<string[] | null> {
  if (!o.masks.outlines.length) return null;
  const tmp = `${o.path}.masking.mp4`;
  try {
    await redactFile({
      ffmpegPath: o.ffmpegPath, input: o.path, output: tmp, geometry: await probeVideo(o.ffprobePath, o.path), start: 0, masks: o.masks.outlines, boxes: [],
      settings: { effect: 'blur', quality: 'high', audio: true, faces: false },
    });
    renameSync(tmp, o.path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return o.masks.names;
}

// ---- preview ----

/** Redacted stills at the given instants: the keyframe at or before each, through the export's own filter graph. */
export async function previewStills(o: {
  ffmpegPath: string; source: ArchiveSource; channelId: number; at: number[]; masks: MaskPoint[][]; boxes: RedactionBox[];
  settings: RedactionSettings; faces?: FaceDetector;
}): Promise<{ at: number; jpegBase64: string }[]> {
  const out: { at: number; jpegBase64: string }[] = [];
  for (const at of o.at) {
    const c = new ArchiveCursor(o.source, o.channelId);
    try {
      if (c.seek(at) === undefined) throw fail('redaction.noRecording', { channel: o.channelId });
      const init = c.next();
      const frag = c.next();
      if (!init || !frag || !isInit(init) || isInit(frag)) throw fail('redaction.noRecording', { channel: o.channelId });
      const g: FrameGeometry = { width: init.info.width, height: init.info.height, fps: 1 };
      let faces: FaceTrack | undefined;
      if (o.faces) {
        const rgb = await runFfmpeg(o.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-f', 'mp4', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], 0, async () => {}, { stdin: Buffer.concat([init.data, frag.data]) });
        faces = { at: [frag.wall], boxes: [(await o.faces.detect({ data: rgb, width: g.width, height: g.height })).filter((b) => b.score >= FACE_MIN_SCORE)] };
      }
      const rect = effectRect(g, o.boxes, !!faces?.boxes[0]?.length);
      const graph = redactionGraph(g, { masks: o.masks, effect: rect, kind: o.settings.effect });
      const jpeg = await runFfmpeg(o.ffmpegPath, [
        '-hide_banner', '-loglevel', 'error', '-f', 'mp4', '-i', 'pipe:0', ...graph.args, '-filter_complex', graph.graph, '-map', '[out]',
        '-frames:v', '1', '-q:v', '3', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1',
      ], graph.feeds.length, (fds) => feedInputs(fds, graph.feeds, {
        frames: 2, planeAt: rect ? planeSource(o.boxes, faces, frag.wall, g, rect) : undefined,
      }), { stdin: Buffer.concat([init.data, frag.data]), timeoutMs: 20_000 });
      out.push({ at: Math.round(frag.wall), jpegBase64: jpeg.toString('base64') });
    } finally {
      c.close();
    }
  }
  return out;
}

// ---- the whole export ----

export interface RedactJob {
  ffmpegPath: string;
  ffprobePath: string;
  source: ArchiveSource;
  channelId: number;
  camera: string;
  from: number;
  to: number;
  masks: AppliedMask[];
  boxes: RedactionBox[];
  settings: RedactionSettings;
  /** Where the export lands: `<folder>/original` and `<folder>/redacted`. */
  folder: string;
  key: SigningKey;
  faces?: FaceDetector;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  now?: () => number;
}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
export const FACE_SAMPLE_FPS = 5;

export async function redactRange(job: RedactJob): Promise<{ folder: string; manifest: RedactedManifest }> {
  if (existsSync(job.folder)) throw new Error(`${job.folder} already exists`);
  const partial = `${job.folder}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const originalDir = join(partial, 'original'), redactedDir = join(partial, 'redacted');
  mkdirSync(redactedDir, { recursive: true });
  try {
    // 1. The original range, exported and signed as any export is (no masks: it is the evidence the redaction is checked against).
    let original: Manifest;
    try {
      original = (await exportRange({ source: job.source, channels: [{ channelId: job.channelId, camera: job.camera }], from: job.from, to: job.to, folder: originalDir, key: job.key, signal: job.signal, now: job.now })).manifest;
    } catch (err) {
      if (/nothing was recorded/.test((err as Error).message)) throw fail('redaction.noRecording', { channel: job.channelId });
      throw err;
    }
    const segments = segmentsIn(job.source.db, job.channelId, job.from, job.to).map((s) => {
      const path = segmentFile(job.source.root, s.path);
      return { name: s.path, startUtc: new Date(s.start_ms).toISOString(), endUtc: new Date(s.end_ms).toISOString(), bytes: s.bytes, sha256: existsSync(path) ? sha256File(path) : '', start: s.start_ms, end: s.end_ms };
    });
    const detector = job.settings.faces ? job.faces ?? await loadFaceDetector() : undefined;
    // 2. Each original file re-encoded with everything applied.
    const files: RedactedFile[] = [];
    const n = original.files.length;
    for (const [i, f] of original.files.entries()) {
      const input = join(originalDir, f.name);
      const geometry = await probeVideo(job.ffprobePath, input);
      const start = Date.parse(f.startUtc);
      const faces = detector ? await trackFaces(job.ffmpegPath, input, start, geometry, detector, FACE_SAMPLE_FPS, job.signal) : undefined;
      const name = f.name.replace(/\.mp4$/, '-redacted.mp4');
      await redactFile({
        ffmpegPath: job.ffmpegPath, input, output: join(redactedDir, name), geometry, start, masks: job.masks.map((m) => m.points), boxes: job.boxes,
        faces, settings: job.settings, signal: job.signal, onProgress: (p) => job.onProgress?.((i + p) / n),
      });
      const h = hashFile(join(redactedDir, name));
      const end = Date.parse(f.endUtc);
      files.push({
        ...f, name, codec: 'avc1', bytes: h.bytes, sha256: h.sha256, chunkBytes: CHUNK_BYTES, chunks: h.chunks,
        source: {
          name: f.name, sha256: f.sha256, bytes: f.bytes,
          segments: segments.filter((s) => s.end >= start && s.start <= end).map(({ start: _s, end: _e, ...s }) => s),
        },
      });
    }
    // 3. The redacted manifest, signed, naming the original's signed manifest too.
    const now = job.now?.() ?? Date.now();
    const manifest: RedactedManifest = {
      format: REDACTED_FORMAT,
      createdUtc: new Date(now).toISOString(),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      range: { startUtc: new Date(job.from).toISOString(), endUtc: new Date(job.to).toISOString(), startLocal: localIso(job.from), endLocal: localIso(job.to) },
      station: { publicKey: job.key.publicKeyDer, fingerprint: job.key.fingerprint },
      files,
      original: { folder: 'original', manifestSha256: sha256File(join(originalDir, MANIFEST)), signature: original.signature!.value, fingerprint: original.station.fingerprint },
      applied: {
        masks: job.masks,
        boxes: job.boxes,
        faces: detector ? { detector: detector.name, version: detector.version, sampleFps: FACE_SAMPLE_FPS } : null,
        settings: { ...job.settings, encoder: 'libx264', preset: X264_PRESET, crf: REDACTION_CRF[job.settings.quality] },
      },
    };
    manifest.signature = { algorithm: 'Ed25519', value: sign(null, Buffer.from(canonicalJson({ ...manifest, signature: undefined })), job.key.privateKey).toString('base64') };
    writeFileSync(join(redactedDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, job.folder);
    job.onProgress?.(1);
    return { folder: job.folder, manifest };
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

// ---- verifying the link ----

export interface RedactionLinkReport { ok: boolean; findings: string[]; original?: VerifyReport }

/**
 * A redacted folder's link to its original: the original verifies on its own, its manifest is the one the redacted
 * manifest names (SHA-256 and signature), and each redacted file's source is a file of the original with the same hash.
 */
export function verifyRedactionLink(redactedDir: string, originalDir: string, trustedPublicKey?: string): RedactionLinkReport {
  const findings: string[] = [];
  let m: RedactedManifest;
  try {
    m = JSON.parse(readFileSync(join(redactedDir, MANIFEST), 'utf8')) as RedactedManifest;
  } catch {
    return { ok: false, findings: [`${MANIFEST} of the redacted export cannot be read`] };
  }
  if (m.format !== REDACTED_FORMAT || !m.original || !Array.isArray(m.files)) return { ok: false, findings: ['the manifest is not a redacted export\'s: it names no original'] };
  const original = verifyExport(originalDir, trustedPublicKey);
  if (!original.ok) findings.push(`the original export does not verify: ${original.findings.join('; ') || 'see its report'}`);
  const omPath = join(originalDir, MANIFEST);
  if (existsSync(omPath)) {
    if (sha256File(omPath) !== m.original.manifestSha256) findings.push('the original folder\'s manifest is not the one this redaction was made from (SHA-256 differs)');
    let om: Manifest | undefined;
    try { om = JSON.parse(readFileSync(omPath, 'utf8')) as Manifest; } catch { /* reported by verifyExport */ }
    if (om && om.signature?.value !== m.original.signature) findings.push('the original\'s signature is not the one the redacted manifest names');
    for (const f of m.files) {
      const src = om?.files.find((o) => o.name === f.source?.name);
      if (!src) findings.push(`${f.name}: its original ${f.source?.name ?? '(unnamed)'} is not in the original export`);
      else if (src.sha256 !== f.source.sha256 || src.bytes !== f.source.bytes) findings.push(`${f.name}: its original ${src.name} has another SHA-256 than the one it was made from`);
    }
  }
  return { ok: findings.length === 0, findings, original };
}
