// Redacted export ("Export for disclosure") on a recorded archive: the range is exported signed, then re-encoded with
// a privacy mask and a moving box; decoded frames are the mask colour inside the mask, coarse inside the box and
// untouched outside (against the original's frames); the manifest links to the original and verifies; one altered byte
// is caught; a range with nothing recorded leaves nothing behind.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASK_RGB, type RedactionBox } from '../../electron/contract';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import type { ArchiveSource } from '../../electron/core/recording/archive-reader';
import { exportRange, stationSigningKey, verifyExport, type SigningKey } from '../../electron/core/recording/export';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { boxAt } from '../../electron/core/redaction/raster';
import { burnPermanentMasks, previewStills, redactRange, verifyRedactionLink, type RedactedManifest } from '../../electron/core/redaction/redact-export';
import { openDatabase } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { FakeClock, feed, H, loadClip, W } from '../helpers/archive-media';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const clip = loadClip();
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
let dir: string, source: ArchiveSource, key: SigningKey;
// The top-left quarter masked; a box moving right across the lower half.
const MASK = { name: 'Neighbour window', kind: 'permanent' as const, points: [{ x: 0, y: 0 }, { x: 0.25, y: 0 }, { x: 0.25, y: 0.3 }, { x: 0, y: 0.3 }] };
const BOX: RedactionBox = { inverted: false, keys: [{ at: T0 + 2_000, x: 0.3, y: 0.5, w: 0.3, h: 0.4 }, { at: T0 + 8_000, x: 0.6, y: 0.5, w: 0.3, h: 0.4 }] };
const MASK_GREY = Math.round(0.299 * MASK_RGB[0] + 0.587 * MASK_RGB[1] + 0.114 * MASK_RGB[2]);

beforeAll(async () => {
  dir = scope.tempDir('wp-redact-');
  const db = openDatabase(join(dir, 'station.db'));
  scope.defer(() => db.close());
  writeArchiveConfig(db, { segmentMs: 10_000, quotaBytes: null, freeFloorBytes: 0 });
  const root = join(dir, 'rec');
  const clock = new FakeClock(T0);
  const archive = new Archive({ db, root, logger: pino({ level: 'silent' }), clock: clock.now, freeBytes: () => 1e12 });
  const rec = new ChannelRecorder(1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive);
  archive.add(rec);
  rec.init(clip.init, clip.track);
  for (let n = 0; n < 300; n += 25) { feed(rec, clip, clock, T0, n, n + 25); archive.flush(); }
  await rec.stop();
  source = { id: 'local', db, root, label: 'test' };
  key = await stationSigningKey(nodeSecretStore(join(dir, 'secrets')));
});

/** Grey frames of an MP4 at the clip's size. */
function grey(file: string): Buffer[] {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 1 << 28 });
  expect(r.status, r.stderr.toString()).toBe(0);
  const frames: Buffer[] = [];
  for (let at = 0; at + W * H <= r.stdout.length; at += W * H) frames.push(r.stdout.subarray(at, at + W * H));
  return frames;
}
type Rect = { x0: number; y0: number; x1: number; y1: number };
const px = (r: { x: number; y: number; w: number; h: number }, inset: number): Rect =>
  ({ x0: Math.ceil(r.x * W) + inset, y0: Math.ceil(r.y * H) + inset, x1: Math.floor((r.x + r.w) * W) - inset, y1: Math.floor((r.y + r.h) * H) - inset });
/** Mean squared difference of horizontal neighbours: the picture's fine detail (a blurred edge's steps are small). */
function detail(f: Buffer, r: Rect): number {
  let s = 0, n = 0;
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x + 1 < r.x1; x++) { s += (f[y * W + x]! - f[y * W + x + 1]!) ** 2; n++; }
  return s / n;
}
function meanAbsDiff(a: Buffer, b: Buffer, r: Rect): number {
  let s = 0, n = 0;
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) { s += Math.abs(a[y * W + x]! - b[y * W + x]!); n++; }
  return s / n;
}
function mean(f: Buffer, r: Rect): number {
  let s = 0, n = 0;
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) { s += f[y * W + x]!; n++; }
  return s / n;
}

describe('redacted export', () => {
  let out: string, manifest: RedactedManifest;

  beforeAll(async () => {
    out = join(dir, 'exports', 'redacted-1');
    const progress: number[] = [];
    ({ manifest } = await redactRange({
      ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', source, channelId: 1, camera: 'Door', from: T0 + 1_000, to: T0 + 9_000,
      masks: [MASK], boxes: [BOX], settings: { effect: 'blur', quality: 'high', audio: false, faces: false },
      folder: out, key, onProgress: (p) => progress.push(p),
    }));
    expect(progress.at(-1)).toBe(1);
  }, 60_000);

  it('is blurred inside the box, the mask colour inside the mask, and untouched elsewhere', () => {
    const f = manifest.files[0]!;
    const orig = grey(join(out, 'original', f.source.name));
    const red = grey(join(out, 'redacted', f.name));
    expect(red.length).toBe(orig.length);
    const start = Date.parse(f.startUtc);
    const mask = px({ x: 0, y: 0, w: 0.25, h: 0.3 }, 2);
    let checked = 0;
    for (let k = 0; k < red.length; k += 10) {
      const box = boxAt(BOX.keys, start + k * 40);
      const inside = px(box, 3);
      expect(detail(red[k]!, inside), `frame ${k} inside the box`).toBeLessThan(detail(orig[k]!, inside) * 0.25);
      expect(Math.abs(mean(red[k]!, mask) - MASK_GREY), `frame ${k} inside the mask`).toBeLessThan(8);
      // Outside: the strip between the mask and the box's top (rows 0.32..0.48 of the picture), as the original shows it.
      const outside = { x0: 0, y0: Math.ceil(0.32 * H), x1: W, y1: Math.floor(0.48 * H) };
      expect(meanAbsDiff(red[k]!, orig[k]!, outside), `frame ${k} outside`).toBeLessThan(4);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('names its signed original and what was applied; verifies, links, and catches an altered byte', () => {
    const f = manifest.files[0]!;
    expect(f.source.segments.length).toBeGreaterThan(0);
    expect(f.source.segments.every((s) => /^[0-9a-f]{64}$/.test(s.sha256))).toBe(true);
    expect(manifest.applied).toMatchObject({ masks: [MASK], boxes: [BOX], faces: null, settings: { effect: 'blur', encoder: 'libx264', crf: 20 } });
    const redacted = join(out, 'redacted'), original = join(out, 'original');
    expect(verifyExport(redacted, key.publicKeyDer)).toMatchObject({ ok: true, findings: [] });
    expect(verifyRedactionLink(redacted, original, key.publicKeyDer)).toMatchObject({ ok: true, findings: [] });
    // One byte of the redacted file.
    const rpath = join(redacted, f.name);
    const bytes = readFileSync(rpath);
    const flip = (b: Buffer, i: number) => b.writeUInt8(b.readUInt8(i) ^ 0x01, i);
    flip(bytes, Math.floor(bytes.length / 2));
    writeFileSync(rpath, bytes);
    expect(verifyExport(redacted, key.publicKeyDer).ok).toBe(false);
    flip(bytes, Math.floor(bytes.length / 2));
    writeFileSync(rpath, bytes);
    // One byte of the original: the link no longer holds.
    const opath = join(original, f.source.name);
    const ob = readFileSync(opath);
    flip(ob, ob.length - 10);
    writeFileSync(opath, ob);
    const link = verifyRedactionLink(redacted, original, key.publicKeyDer);
    expect(link.ok).toBe(false);
    expect(link.findings.join(' ')).toMatch(/original export does not verify/);
    flip(ob, ob.length - 10);
    writeFileSync(opath, ob);
    expect(verifyRedactionLink(redacted, original, key.publicKeyDer).ok).toBe(true);
  });

  it('npm run verify-export checks the redacted manifest and, with --original, the link', () => {
    const cli = (...a: string[]) => spawnSync('npx', ['tsx', 'scripts/verify-export.ts', ...a], { encoding: 'utf8' });
    const good = cli(join(out, 'redacted'), '--original', join(out, 'original'), '--key', key.publicKeyDer);
    expect(good.status, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/LINKED: made from the signed original/);
    expect(good.stdout).toMatch(/applied: 1 masks, 1 boxes, faces no, blur, libx264 crf 20, audio removed/);
    const m = join(out, 'redacted', 'manifest.json');
    const text = readFileSync(m, 'utf8');
    writeFileSync(m, text.replace('"Neighbour window"', '"Neighbour w1ndow"'));
    const bad = cli(join(out, 'redacted'), '--original', join(out, 'original'));
    writeFileSync(m, text);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/altered after it was signed/);
  }, 90_000);

  it('previews redacted stills with the same filter', async () => {
    const [still] = await previewStills({
      ffmpegPath: 'ffmpeg', source, channelId: 1, at: [T0 + 5_000], masks: [MASK.points], boxes: [BOX],
      settings: { effect: 'pixelate', quality: 'medium', audio: false, faces: false },
    });
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mjpeg', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { input: Buffer.from(still!.jpegBase64, 'base64') });
    expect(r.stdout.length).toBe(W * H);
    expect(Math.abs(mean(r.stdout, px({ x: 0, y: 0, w: 0.25, h: 0.3 }, 2)) - MASK_GREY)).toBeLessThan(8);
    expect(still!.at).toBeLessThanOrEqual(T0 + 5_000);
  }, 30_000);

  it('a plain export has the permanent masks burnt in, named in its signed manifest', async () => {
    const folder = join(dir, 'exports', 'plain');
    const r = await exportRange({
      source, channels: [{ channelId: 1, camera: 'Door' }], from: T0 + 1_000, to: T0 + 5_000, folder, key,
      burnMasks: (path) => burnPermanentMasks({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', path, masks: { names: [MASK.name], outlines: [MASK.points] } }),
    });
    const f = r.manifest.files[0]!;
    expect(f).toMatchObject({ masks: ['Neighbour window'], codec: 'avc1' });
    const frames = grey(join(folder, f.name));
    expect(frames.length).toBeGreaterThan(50);
    for (const k of [0, 50]) expect(Math.abs(mean(frames[k]!, px({ x: 0, y: 0, w: 0.25, h: 0.3 }, 2)) - MASK_GREY)).toBeLessThan(8);
    expect(verifyExport(folder, key.publicKeyDer)).toMatchObject({ ok: true, findings: [] });
  }, 30_000);

  it('refuses a range with nothing recorded and leaves no folder behind', async () => {
    const folder = join(dir, 'exports', 'redacted-empty');
    await expect(redactRange({
      ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', source, channelId: 1, camera: 'Door', from: T0 + 600_000, to: T0 + 660_000,
      masks: [], boxes: [], settings: { effect: 'blur', quality: 'low', audio: true, faces: false }, folder, key,
    })).rejects.toMatchObject({ info: { reason: 'redaction.noRecording' } });
    expect(readdirSync(join(dir, 'exports')).filter((n) => n.startsWith('redacted-empty'))).toEqual([]);
    expect(existsSync(folder)).toBe(false);
  });
});
