// Export: a time range of one or more channels to MP4 files without re-encoding (the archive's own
// fragments, re-stamped onto one continuous timeline), with a manifest signed by the station's Ed25519 key.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { boxes, readInit, readMoof, type TrackInfo } from '../media/fmp4';
import type { SecretStore } from '../storage/secrets';
import { ArchiveCursor, isInit, type ArchiveSource } from './archive-reader';
import { retimeFragment } from './fragment-time';
import { queryBookmarks } from './bookmarks';
import { segmentsIn } from './segment-index';

export const MANIFEST = 'manifest.json';
/** Files are hashed whole and in chunks, so a verifier can say which bytes were altered. */
export const CHUNK_BYTES = 64 * 1024;
const KEY_NAME = 'archive:export-signing-key';

// ---- the station's signing key ----

export interface SigningKey { privateKey: KeyObject; publicKeyDer: string; fingerprint: string }

function describeKey(privateKey: KeyObject): SigningKey {
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyDer: der.toString('base64'), fingerprint: createHash('sha256').update(der).digest('hex').slice(0, 32) };
}

/** The station's Ed25519 key, created on first use and kept in the SecretStore. */
export async function stationSigningKey(secrets: SecretStore): Promise<SigningKey> {
  const stored = await secrets.get(KEY_NAME);
  if (stored) return describeKey(createPrivateKey(stored));
  const { privateKey } = generateKeyPairSync('ed25519');
  await secrets.set(KEY_NAME, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return describeKey(privateKey);
}

/** JSON with keys sorted at every level: the exact bytes that are signed. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// ---- manifest ----

export interface ManifestFile {
  name: string;
  channelId: number;
  camera: string;
  stream: string;
  codec: string;
  width: number;
  height: number;
  startUtc: string;
  endUtc: string;
  startLocal: string;
  endLocal: string;
  bytes: number;
  sha256: string;
  chunkBytes: number;
  chunks: string[];
  /** Privacy masks burnt into this file (re-encoded): the channel's permanent masks, by name. */
  masks?: string[];
}

export interface Manifest {
  format: 'watchpost-export/1';
  createdUtc: string;
  timeZone: string;
  range: { startUtc: string; endUtc: string; startLocal: string; endLocal: string };
  station: { publicKey: string; fingerprint: string };
  files: ManifestFile[];
  /** The bookmarks on the exported channels that overlap the range (signed with the rest). */
  bookmarks?: ManifestBookmark[];
  signature?: { algorithm: 'Ed25519'; value: string };
}

export interface ManifestBookmark { name: string; note: string; tags: string[]; channelIds: number[]; startUtc: string; endUtc: string; startLocal: string; endLocal: string }

function manifestBookmarks(db: ArchiveSource['db'], channelIds: number[], from: number, to: number): ManifestBookmark[] {
  return queryBookmarks(db, { channelIds, from, to, limit: 1000 }).reverse().map((b) => ({
    name: b.name, note: b.note, tags: b.tags, channelIds: b.channelIds.filter((c) => channelIds.includes(c)),
    startUtc: new Date(b.start).toISOString(), endUtc: new Date(b.end).toISOString(), startLocal: localIso(b.start), endLocal: localIso(b.end),
  }));
}

/** "2025-03-03T11:59:30.000+01:00" in the station's time zone. */
export function localIso(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const p = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${off >= 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}

/** A file's SHA-256, whole and per CHUNK_BYTES chunk (what a manifest lists). */
export function hashFile(path: string): { sha256: string; chunks: string[]; bytes: number } {
  const buf = readFileSync(path);
  const chunks: string[] = [];
  for (let at = 0; at < buf.length; at += CHUNK_BYTES) chunks.push(createHash('sha256').update(buf.subarray(at, at + CHUNK_BYTES)).digest('hex'));
  return { sha256: createHash('sha256').update(buf).digest('hex'), chunks, bytes: buf.length };
}

// ---- export ----

export interface ExportRequest {
  source: ArchiveSource;
  /** A channel's own archive where it is not `source` (another station's channel: the desk's copy of its archive). */
  sourceOf?: (channelId: number) => ArchiveSource | undefined;
  channels: { channelId: number; camera: string }[];
  from: number;
  to: number;
  folder: string;
  key: SigningKey;
  signal?: AbortSignal;
  onProgress?: (p: { doneBytes: number; totalBytes: number }) => void;
  now?: () => number;
  /** Burns the channel's permanent privacy masks into a written file (re-encoding it in place); the masks' names, or null: none. */
  burnMasks?: (path: string, channelId: number) => Promise<string[] | null>;
}

export interface ExportResult { folder: string; manifest: Manifest }

const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 40) || 'camera';
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Writes one MP4 per channel (a new part where the stream's parameters change), then the signed manifest. */
export async function exportRange(req: ExportRequest): Promise<ExportResult> {
  const { source, from, to } = req;
  if (!(to > from)) throw new Error('the export range is empty');
  mkdirSync(req.folder, { recursive: true });
  const sourceOf = (channelId: number) => req.sourceOf?.(channelId) ?? source;
  const totalBytes = req.channels.reduce((n, c) => n + segmentsIn(sourceOf(c.channelId).db, c.channelId, from, to).reduce((m, s) => m + s.bytes, 0), 0);
  let doneBytes = 0;
  const files: ManifestFile[] = [];
  const written: string[] = [];
  const finished: { name: string; ch: ExportRequest['channels'][number]; first: number; last: number; meta: { codec: string; width: number; height: number; stream: string } }[] = [];
  let lastYield = Date.now();
  try {
    for (const ch of req.channels) {
      const cursor = new ArchiveCursor(sourceOf(ch.channelId), ch.channelId);
      try {
        if (cursor.seek(from) === undefined) continue;
        let out: { fd: number; name: string; first: number; last: number; tracks: TrackInfo; meta: { codec: string; width: number; height: number; stream: string } } | undefined;
        let part = 0;
        const finish = () => {
          if (!out) return;
          closeSync(out.fd);
          finished.push({ name: out.name, ch, first: out.first, last: out.last, meta: out.meta });
          out = undefined;
        };
        let pendingInit: { data: Buffer; codec: string; width: number; height: number; tracks: TrackInfo; stream: string } | undefined;
        for (let x = cursor.next(); x; x = cursor.next()) {
          if (req.signal?.aborted) throw new DOMException('export cancelled', 'AbortError');
          if (isInit(x)) {
            pendingInit = { data: x.data, codec: x.info.codec, width: x.info.width, height: x.info.height, tracks: x.info, stream: x.segment.stream };
            continue;
          }
          if (x.wall >= to) break;
          if (pendingInit) {
            // Parameters changed (or the first init): a new file, starting at a keyframe.
            if (!x.info.keyframe) continue;
            finish();
            part++;
            const name = `${ch.channelId}-${safe(ch.camera)}-${stamp(x.wall)}${part > 1 ? `-part${part}` : ''}.mp4`;
            const fd = openSync(join(req.folder, name), 'wx', 0o644);
            written.push(name);
            writeSync(fd, pendingInit.data);
            out = { fd, name, first: x.wall, last: x.wall, tracks: pendingInit.tracks, meta: { codec: pendingInit.codec, width: pendingInit.width, height: pendingInit.height, stream: pendingInit.stream } };
            pendingInit = undefined;
          }
          // (Audio coded just before the file's first frame has no place on its timeline.)
          if (!out || (!x.info.video && x.wall < out.first)) continue;
          // One timeline from 0 at the file's first frame, across segments and reconnects; audio trafs keep their place.
          writeSync(out.fd, retimeFragment(x.data, ((x.wall - out.first) * out.tracks.timescale) / 1000, 1, out.tracks));
          if (x.info.video) out.last = Math.round(x.wallEnd);
          doneBytes += x.data.length;
          if (Date.now() - lastYield > 50) {
            req.onProgress?.({ doneBytes, totalBytes });
            await new Promise((r) => setImmediate(r));
            lastYield = Date.now();
          }
        }
        finish();
      } finally {
        cursor.close();
      }
    }
    // Hashed once final: after the permanent masks, if any, are burnt in.
    for (const f of finished) {
      const path = join(req.folder, f.name);
      const masks = req.burnMasks ? await req.burnMasks(path, f.ch.channelId) : null;
      const h = hashFile(path);
      files.push({
        name: f.name, channelId: f.ch.channelId, camera: f.ch.camera, stream: f.meta.stream, codec: masks ? 'avc1' : f.meta.codec, width: f.meta.width, height: f.meta.height,
        startUtc: new Date(f.first).toISOString(), endUtc: new Date(f.last).toISOString(), startLocal: localIso(f.first), endLocal: localIso(f.last),
        bytes: h.bytes, sha256: h.sha256, chunkBytes: CHUNK_BYTES, chunks: h.chunks, ...(masks ? { masks } : {}),
      });
    }
  } catch (err) {
    for (const name of written) rmSync(join(req.folder, name), { force: true });
    throw err;
  }
  if (files.length === 0) throw new Error('nothing was recorded in that range');
  const now = req.now?.() ?? Date.now();
  const manifest: Manifest = {
    format: 'watchpost-export/1',
    createdUtc: new Date(now).toISOString(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    range: { startUtc: new Date(from).toISOString(), endUtc: new Date(to).toISOString(), startLocal: localIso(from), endLocal: localIso(to) },
    station: { publicKey: req.key.publicKeyDer, fingerprint: req.key.fingerprint },
    files,
    bookmarks: manifestBookmarks(source.db, req.channels.map((c) => c.channelId), from, to),
  };
  manifest.signature = { algorithm: 'Ed25519', value: sign(null, Buffer.from(canonicalJson({ ...manifest, signature: undefined })), req.key.privateKey).toString('base64') };
  writeFileSync(join(req.folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  req.onProgress?.({ doneBytes: totalBytes, totalBytes });
  return { folder: req.folder, manifest };
}

// ---- verification ----

export interface VerifyReport {
  ok: boolean;
  signature: 'valid' | 'invalid' | 'missing';
  signedBy?: string;
  /** Whether the signing key is the one given as trusted (this station's), when one is given. */
  trustedKey?: boolean;
  files: { name: string; status: 'ok' | 'altered' | 'missing' | 'resized'; detail?: string }[];
  extraFiles: string[];
  /** One line per finding, in plain words. */
  findings: string[];
}

/** Where in a file an altered byte range lies, in the recording's own time when the boxes still read. */
function locate(path: string, from: number, to: number, startUtc: string): string {
  try {
    const buf = readFileSync(path);
    const moov = [...boxes(buf)].find((b) => b.type === 'moov');
    const initEnd = moov ? moov.start + moov.size : 0;
    if (from < initEnd) return '(the header: codec and size of the video)';
    const tracks = readInit(buf.subarray(0, initEnd));
    const times: number[] = [];
    let moofAt = -1;
    for (const b of boxes(buf)) {
      if (b.type === 'moof') moofAt = b.start;
      if (b.type !== 'mdat' || moofAt < 0) continue;
      if (b.start + b.size > from && moofAt <= to) {
        const info = readMoof(buf, { type: 'moof', start: moofAt, size: b.start - moofAt, headerSize: 8 }, tracks);
        if (info.video) times.push(Date.parse(startUtc) + (info.baseDecodeTime * 1000) / tracks.timescale);
        else if (info.audio && tracks.audio) times.push(Date.parse(startUtc) + (info.audio.baseDecodeTime * 1000) / tracks.audio.timescale);
      }
      moofAt = -1;
    }
    if (times.length) return `(frames of ${new Date(Math.min(...times)).toISOString()} – ${new Date(Math.max(...times)).toISOString()})`;
  } catch {
    // The structure itself is damaged; the byte range is all there is to say.
  }
  return '(where the file no longer reads as MP4)';
}

const MANIFEST_SHAPE = z.object({
  station: z.object({ publicKey: z.string(), fingerprint: z.string() }).optional(),
  signature: z.object({ value: z.string() }).optional(),
  files: z.array(z.object({
    name: z.string().min(1), sha256: z.string(), bytes: z.number(), chunkBytes: z.number().int().positive(), chunks: z.array(z.string()),
    channelId: z.number(), startUtc: z.string(), endUtc: z.string(),
  })).optional(),
});

/** Checks an export folder: the manifest's signature, then every file against its hashes. Says exactly what differs. */
export function verifyExport(folder: string, trustedPublicKey?: string): VerifyReport {
  const report: VerifyReport = { ok: false, signature: 'missing', files: [], extraFiles: [], findings: [] };
  const mpath = join(folder, MANIFEST);
  if (!existsSync(mpath)) {
    report.findings.push(`${MANIFEST} is missing: nothing can be verified`);
    return report;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
  } catch {
    report.findings.push(`${MANIFEST} is not valid JSON: it was altered or damaged`);
    return report;
  }
  // What verifying reads from it, checked before it is read (the signature is checked over the manifest as it stands).
  if (!MANIFEST_SHAPE.safeParse(manifest).success) {
    report.findings.push(`${MANIFEST} is not shaped like an export manifest: it was altered or damaged`);
    return report;
  }
  if (!manifest.signature?.value || !manifest.station?.publicKey) {
    report.findings.push(`${MANIFEST} carries no signature`);
  } else {
    try {
      const pub = createPublicKey({ key: Buffer.from(manifest.station.publicKey, 'base64'), format: 'der', type: 'spki' });
      const good = verify(null, Buffer.from(canonicalJson({ ...manifest, signature: undefined })), pub, Buffer.from(manifest.signature.value, 'base64'));
      report.signature = good ? 'valid' : 'invalid';
      report.signedBy = manifest.station.fingerprint;
      if (!good) report.findings.push(`${MANIFEST} was altered after it was signed (its Ed25519 signature does not match its content)`);
    } catch {
      report.signature = 'invalid';
      report.findings.push(`${MANIFEST}: the signature or public key cannot be read`);
    }
    if (trustedPublicKey !== undefined) {
      report.trustedKey = manifest.station.publicKey === trustedPublicKey;
      if (!report.trustedKey) report.findings.push(`signed by key ${manifest.station.fingerprint}, which is not this station's key`);
    }
  }
  const listed = new Set<string>();
  for (const f of manifest.files ?? []) {
    listed.add(f.name);
    const path = join(folder, basename(f.name));
    if (!existsSync(path) || !statSync(path).isFile()) {
      report.files.push({ name: f.name, status: 'missing' });
      report.findings.push(`${f.name} (channel ${f.channelId}, ${f.startUtc} – ${f.endUtc}) is missing`);
      continue;
    }
    const h = hashFile(path);
    if (h.sha256 === f.sha256 && h.bytes === f.bytes) {
      report.files.push({ name: f.name, status: 'ok' });
      continue;
    }
    const ranges: string[] = [];
    const n = Math.max(h.chunks.length, f.chunks.length);
    for (let i = 0; i < n; i++) {
      if (h.chunks[i] === f.chunks[i]) continue;
      const a = i * f.chunkBytes;
      const b = Math.min((i + 1) * f.chunkBytes, Math.max(h.bytes, f.bytes)) - 1;
      ranges.push(`bytes ${a}–${b} ${locate(path, a, b, f.startUtc)}`);
      if (ranges.length >= 5) break;
    }
    const status = h.bytes !== f.bytes ? 'resized' : 'altered';
    const detail = h.bytes !== f.bytes ? `size ${h.bytes} bytes, signed as ${f.bytes}; ${ranges.join('; ')}` : `content differs: ${ranges.join('; ')}`;
    report.files.push({ name: f.name, status, detail });
    report.findings.push(`${f.name} was altered: ${detail}`);
  }
  for (const name of readdirSync(folder)) {
    if (name === MANIFEST || listed.has(name) || !statSync(join(folder, name)).isFile()) continue;
    report.extraFiles.push(name);
    report.findings.push(`${name} is not part of the signed export`);
  }
  report.ok = report.signature === 'valid' && report.trustedKey !== false && report.files.every((f) => f.status === 'ok') && report.extraFiles.length === 0;
  return report;
}
