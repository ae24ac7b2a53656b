// SimStream: one frame source per camera stream, shared by every client. Replayed streams walk a
// cached loop on a shared clock; live streams run one ffmpeg encoder. Both re-stamp frames with
// monotonic 90 kHz times and repeat the parameter sets at every keyframe.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { Codec, MediaUnit, SceneSpec, SimCard, SimStream, StreamParameterSets, StreamSpec } from '../types';
import { AccessUnitSplitter, ParameterSetTracker, toAnnexB, withParameterSets } from './annexb';
import { runFfmpeg, spawnFfmpeg, type FfmpegChild } from './ffmpeg-process';
import { DEFAULT_CACHE_DIR, loadLoop, type Loop } from './loop-cache';
import { encoderArgs, filterGraph, panOffset, sourceArgs, type RenderSpec } from './render-args';

export interface SimStreamOptions {
  /** Where encoded loops are kept between runs (default: os.tmpdir()/watchpost-camsim-cache). */
  cacheDir?: string;
  /** A live encoder with no client for this long is stopped (default 10 s). */
  liveIdleMs?: number;
  /** Reports background failures (a loop that failed to encode, an encoder that died). */
  onError?: (err: Error) => void;
  /** How far back a replayed stream's card reaches (default 30 minutes). */
  cardMs?: number;
}

export const DEFAULT_CARD_MS = 30 * 60_000;

type Listener = (unit: MediaUnit) => void;

const RTP_CLOCK = 90_000;
const RTP_WRAP = 2 ** 32;

/** Creates the stream; encoding or loading its loop starts at once in the background. */
export function createSimStream(spec: StreamSpec, options: SimStreamOptions = {}): SimStream {
  return spec.live ? new LiveStream(spec, options) : new ReplayedStream(spec, options);
}

// ---------------------------------------------------------------------------------------------
// One timer for every replayed stream: 80 streams cost one wake-up per tick, not 2000 per second.

const TICK_MS = 20;
const ticking = new Set<ReplayedStream>();
let ticker: NodeJS.Timeout | undefined;

function startTicking(stream: ReplayedStream): void {
  ticking.add(stream);
  if (!ticker) {
    ticker = setInterval(() => {
      const now = Date.now();
      for (const s of ticking) s.tick(now);
    }, TICK_MS);
    ticker.unref();
  }
}

function stopTicking(stream: ReplayedStream): void {
  ticking.delete(stream);
  if (ticking.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

// Pan positions a loop is rendered at: 5 across, 3 down; PTZ moves snap to the nearest.
function quantizePan(x: number, y: number): { panX: number; panY: number } {
  const clamp = (v: number): number => (Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0);
  return { panX: Math.round(clamp(x) * 2) / 2, panY: Math.round(clamp(y)) };
}

const PLAIN_SCENE: SceneSpec = { still: false, motion: null };

function renderSpecOf(spec: StreamSpec, panX: number, panY: number, scene: SceneSpec = PLAIN_SCENE): RenderSpec {
  return {
    ...(scene.still ? { still: true as const } : {}),
    ...(scene.motion ? { motion: { ...scene.motion } } : {}),
    ...(spec.fisheye ? { fisheye: true as const } : {}),
    ...(spec.facePhotos ? { facePhotos: true as const } : {}),
    codec: spec.codec,
    profile: spec.profile,
    channelName: spec.channelName,
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
    gopSeconds: spec.gopSeconds,
    panX,
    panY,
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Decodes a GOP (keyframe first) and returns its last picture as a JPEG. */
export function gopToJpeg(codec: Codec, units: readonly { nals: readonly Buffer[] }[]): Promise<Buffer> {
  const data = toAnnexB(units.flatMap((u) => u.nals));
  return runFfmpeg(
    [
      '-nostdin',
      '-f', codec === 'h264' ? 'h264' : 'hevc',
      '-i', 'pipe:0',
      '-vf', `select='gte(n,${Math.max(0, units.length - 1)})'`,
      '-frames:v', '1',
      '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-q:v', '4',
      '-f', 'image2pipe', 'pipe:1',
    ],
    data,
    15_000,
  );
}

// ---------------------------------------------------------------------------------------------

class ReplayedStream implements SimStream {
  readonly spec: StreamSpec;
  private readonly cacheDir: string;
  private loop: Loop | undefined;
  private pending: Loop | undefined;
  private wanted = '';
  private pan = { panX: 0, panY: 0 };
  private scene = PLAIN_SCENE;
  private size: { width: number; height: number };
  private readonly first = deferred<void>();
  private readonly t0 = Date.now();
  private readonly rtpBase = randomInt(0, 2 ** 31);
  private nextN = 0;
  private readonly listeners = new Set<Listener>();
  private lastSnapshot: { loop: Loop; n: number; jpeg: Promise<Buffer> } | undefined;
  private closed = false;
  /** The card: which loop was on air from which frame on (the frames themselves follow from the clock), and what it lacks. */
  private aired: { fromN: number; loop: Loop }[] = [];
  private lost: { start: number; end: number }[] = [];
  readonly card: SimCard;

  constructor(
    spec: StreamSpec,
    private readonly options: SimStreamOptions,
  ) {
    this.spec = { ...spec };
    this.size = { width: spec.width, height: spec.height };
    this.cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
    const cardMs = options.cardMs ?? DEFAULT_CARD_MS;
    this.card = {
      window: () => {
        const now = Date.now();
        const first = this.aired[0];
        return { start: first ? Math.max(now - cardMs, this.wallAt(first.fromN)) : now, end: now };
      },
      frames: (from, to) => this.cardFrames(from, to),
      lose: (start, end) => { if (end > start) this.lost.push({ start, end }); },
    };
    this.request();
  }

  parameterSets(): Promise<StreamParameterSets> {
    if (this.loop) return Promise.resolve(this.loop.parameterSets);
    return this.first.promise.then(() => this.loop!.parameterSets);
  }

  subscribe(listener: Listener): () => void {
    if (this.closed) return () => {};
    if (this.listeners.size === 0) {
      this.listeners.add(listener);
      this.nextN = this.currentKeyN();
      startTicking(this);
      this.tick(Date.now());
    } else {
      // Late joiner: the frames of this GOP the others already got, so it can start decoding now.
      const last = this.nextN - 1;
      if (this.loop && last >= 0) {
        for (let n = last - (last % this.loop.gopFrames); n <= last; n++) listener(this.unitAt(n));
      }
      this.listeners.add(listener);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) stopTicking(this);
    };
  }

  tick(now: number): void {
    const loop = this.loop;
    if (!loop || this.listeners.size === 0) return;
    const due = this.frameIndexAt(now);
    if (due < this.nextN) return;
    // Event loop held up for seconds: skip to the current GOP rather than flood the clients.
    if (due - this.nextN > 2 * this.spec.fps) this.nextN = due - (due % loop.gopFrames);
    for (; this.nextN <= due; this.nextN++) {
      if (this.pending && this.nextN % this.pending.gopFrames === 0) this.apply(this.pending);
      const unit = this.unitAt(this.nextN);
      for (const l of this.listeners) l(unit);
    }
  }

  setPan(x: number, y: number): void {
    const q = quantizePan(x, y);
    if (q.panX === this.pan.panX && q.panY === this.pan.panY) return;
    this.pan = q;
    this.request();
  }

  setResolution(width: number, height: number): void {
    const w = 2 * Math.max(8, Math.round(width / 2));
    const h = 2 * Math.max(8, Math.round(height / 2));
    if (w === this.size.width && h === this.size.height) return;
    this.size = { width: w, height: h };
    this.request();
  }

  setScene(scene: SceneSpec): void {
    this.scene = { still: scene.still, motion: scene.motion ? { ...scene.motion } : null };
    this.request();
  }

  async snapshotJpeg(): Promise<Buffer> {
    await this.parameterSets();
    const loop = this.loop!;
    const n = this.frameIndexAt(Date.now());
    // Pollers (ONVIF/CGI snapshot URIs) asking within 200 ms share one decode.
    const last = this.lastSnapshot;
    if (last && last.loop === loop && n - last.n < this.spec.fps / 5) return last.jpeg;
    const units: { nals: readonly Buffer[] }[] = [];
    for (let i = n - (n % loop.gopFrames); i <= n; i++) units.push(loop.frames[i % loop.frames.length]!);
    const jpeg = gopToJpeg(loop.codec, units);
    this.lastSnapshot = { loop, n, jpeg };
    jpeg.catch(() => {
      if (this.lastSnapshot?.jpeg === jpeg) this.lastSnapshot = undefined;
    });
    return jpeg;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    stopTicking(this);
    this.first.reject(new Error('camsim: stream closed'));
  }

  private request(): void {
    const spec = renderSpecOf({ ...this.spec, ...this.size }, this.pan.panX, this.pan.panY, this.scene);
    const key = JSON.stringify(spec);
    this.wanted = key;
    loadLoop(spec, this.cacheDir).then(
      (loop) => {
        if (this.closed || this.wanted !== key) return;
        // Swap at the next GOP boundary while someone watches, so the switch lands on a keyframe.
        if (!this.loop || this.listeners.size === 0) this.apply(loop);
        else this.pending = loop;
      },
      (err: Error) => {
        if (!this.loop) this.first.reject(err);
        this.options.onError?.(err);
      },
    );
  }

  private apply(loop: Loop): void {
    const firstTime = !this.loop;
    // On the card from the frame about to go out (a GOP boundary), or, with nobody watching, from the next GOP on.
    const n = this.frameIndexAt(Date.now());
    const fromN = firstTime ? n - (n % loop.gopFrames) : this.listeners.size > 0 ? this.nextN : n + ((loop.gopFrames - (n % loop.gopFrames)) % loop.gopFrames);
    this.aired = this.aired.filter((a) => a.fromN < fromN);
    this.aired.push({ fromN, loop });
    this.loop = loop;
    this.pending = undefined;
    this.spec.width = loop.width;
    this.spec.height = loop.height;
    if (firstTime) {
      this.first.resolve();
      if (this.listeners.size > 0) this.nextN = this.currentKeyN();
    }
  }

  private frameIndexAt(now: number): number {
    return Math.max(0, Math.floor(((now - this.t0) * this.spec.fps) / 1000));
  }

  private wallAt(n: number): number {
    return this.t0 + (n * 1000) / this.spec.fps;
  }

  /** The card's frames over [from, to), as they went out; a hole it lacks is skipped up to the next keyframe after it. */
  private *cardFrames(from: number, to: number): Generator<MediaUnit> {
    const { start, end } = this.card.window();
    // Forget what rolled off the card (keeping the loop that was on air at its start).
    while (this.aired.length > 1 && this.wallAt(this.aired[1]!.fromN) <= start) this.aired.shift();
    this.lost = this.lost.filter((l) => l.end > start);
    const first = this.aired[0];
    if (!first) return;
    const gop = first.loop.gopFrames;
    let n = Math.max(this.frameIndexAt(Math.max(from, start)), first.fromN);
    n -= n % gop;
    if (this.wallAt(n) < start) n += gop;
    const last = this.frameIndexAt(Math.min(to, end));
    let needKey = true;
    for (let i = 0; n < last; n++) {
      while (i + 1 < this.aired.length && this.aired[i + 1]!.fromN <= n) i++;
      const loop = this.aired[i]!.loop;
      const frame = loop.frames[n % loop.frames.length]!;
      const wall = this.wallAt(n);
      if (this.lost.some((l) => wall >= l.start && wall < l.end)) { needKey = true; continue; }
      if (needKey && !frame.keyframe) continue;
      needKey = false;
      yield { nals: frame.nals, keyframe: frame.keyframe, rtpTime: (this.rtpBase + Math.round((n * RTP_CLOCK) / this.spec.fps)) % RTP_WRAP, wallMs: wall };
    }
  }

  private currentKeyN(): number {
    const n = this.frameIndexAt(Date.now());
    const gop = this.loop?.gopFrames ?? 1;
    return n - (n % gop);
  }

  private unitAt(n: number): MediaUnit {
    const loop = this.loop!;
    const frame = loop.frames[n % loop.frames.length]!;
    return {
      nals: frame.nals,
      keyframe: frame.keyframe,
      rtpTime: (this.rtpBase + Math.round((n * RTP_CLOCK) / this.spec.fps)) % RTP_WRAP,
      wallMs: this.t0 + (n * 1000) / this.spec.fps,
    };
  }
}

// ---------------------------------------------------------------------------------------------

/** One live ffmpeg: lavfi scene -> overlays with the capture time -> x264/x265 -> Annex-B on stdout. */
class LiveEncoder {
  private readonly child: FfmpegChild;
  private pendingBytes: Buffer = Buffer.alloc(0);
  private readonly splitter: AccessUnitSplitter;
  private readonly tracker: ParameterSetTracker;
  sets: StreamParameterSets | undefined;
  stopped = false;

  constructor(
    readonly render: RenderSpec,
    textDir: string,
    onUnit: (nals: Buffer[], keyframe: boolean, sets: StreamParameterSets) => void,
    onExit: (stderr: string) => void,
  ) {
    this.splitter = new AccessUnitSplitter(render.codec);
    this.tracker = new ParameterSetTracker(render.codec);
    this.child = spawnFfmpeg([
      '-re',
      ...sourceArgs(render),
      '-vf', filterGraph(render, true, textDir),
      ...encoderArgs(render, true),
      '-fps_mode', 'passthrough',
      '-flush_packets', '1',
      'pipe:1',
    ]);
    this.child.proc.stdout.on('data', (chunk: Buffer) => {
      for (const unit of this.push(chunk)) {
        for (const n of unit.nals) this.tracker.observe(n);
        const sets = this.tracker.get();
        if (!sets) continue;
        this.sets = sets;
        onUnit(withParameterSets(render.codec, unit, sets), unit.keyframe, sets);
      }
    });
    void this.child.exited.then(({ stderr }) => {
      if (!this.stopped) onExit(stderr);
    });
  }

  /** Moves the crop window through ffmpeg's interactive 'c' command (crop's x/y take commands). */
  setPan(panX: number, panY: number): void {
    const { x, y } = panOffset({ ...this.render, panX, panY });
    this.child.proc.stdin.write(`ccrop -1 x ${x}\nccrop -1 y ${y}\n`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.child.kill();
  }

  // A NAL unit is complete once the next start code has arrived.
  private push(chunk: Buffer): { nals: Buffer[]; keyframe: boolean }[] {
    const buf = this.pendingBytes.length ? Buffer.concat([this.pendingBytes, chunk]) : chunk;
    const starts: number[] = [];
    for (let i = 0; i + 2 < buf.length; i++) {
      if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
        starts.push(i + 3);
        i += 2;
      }
    }
    const units: { nals: Buffer[]; keyframe: boolean }[] = [];
    if (starts.length === 0) {
      this.pendingBytes = buf;
      return units;
    }
    for (let k = 0; k + 1 < starts.length; k++) {
      let end = starts[k + 1]! - 3;
      while (end > starts[k]! && buf[end - 1] === 0) end--;
      if (end <= starts[k]!) continue;
      const done = this.splitter.push(Buffer.from(buf.subarray(starts[k]!, end)));
      if (done) units.push(done);
    }
    this.pendingBytes = Buffer.from(buf.subarray(starts[starts.length - 1]! - 3));
    return units;
  }
}

class LiveStream implements SimStream {
  readonly spec: StreamSpec;
  private readonly textDir: string;
  private readonly idleMs: number;
  private encoder: LiveEncoder | undefined;
  private next: LiveEncoder | undefined;
  private gop: MediaUnit[] = [];
  private sets: StreamParameterSets | undefined;
  private waiters: ((sets: StreamParameterSets) => void)[] = [];
  private readonly listeners = new Set<Listener>();
  private pan = { panX: 0, panY: 0 };
  private scene = PLAIN_SCENE;
  private readonly t0 = Date.now();
  private readonly rtpBase = randomInt(0, 2 ** 31);
  private lastRtp = -1;
  private idleTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    spec: StreamSpec,
    private readonly options: SimStreamOptions,
  ) {
    this.spec = { ...spec };
    this.textDir = join(options.cacheDir ?? DEFAULT_CACHE_DIR, 'text');
    this.idleMs = options.liveIdleMs ?? 10_000;
  }

  parameterSets(): Promise<StreamParameterSets> {
    if (this.closed) return Promise.reject(new Error('camsim: stream closed'));
    this.ensureRunning();
    if (this.sets) {
      this.armIdle();
      return Promise.resolve(this.sets);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  subscribe(listener: Listener): () => void {
    if (this.closed) return () => {};
    this.ensureRunning();
    for (const unit of this.gop) listener(unit);
    this.listeners.add(listener);
    clearTimeout(this.idleTimer);
    return () => {
      this.listeners.delete(listener);
      this.armIdle();
    };
  }

  setPan(x: number, y: number): void {
    const clamp = (v: number): number => (Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0);
    this.pan = { panX: clamp(x), panY: clamp(y) };
    this.encoder?.setPan(this.pan.panX, this.pan.panY);
    this.next?.setPan(this.pan.panX, this.pan.panY);
  }

  setResolution(width: number, height: number): void {
    const w = 2 * Math.max(8, Math.round(width / 2));
    const h = 2 * Math.max(8, Math.round(height / 2));
    if (!this.encoder) {
      this.spec.width = w;
      this.spec.height = h;
      return;
    }
    // The old encoder keeps the picture going until the new one delivers its first keyframe.
    void this.next?.stop();
    this.next = this.spawn(w, h);
  }

  setScene(scene: SceneSpec): void {
    this.scene = { still: scene.still, motion: scene.motion ? { ...scene.motion } : null };
    if (!this.encoder) return;
    const size = this.next?.render ?? this.encoder.render;
    void this.next?.stop();
    this.next = this.spawn(size.width, size.height);
  }

  async snapshotJpeg(): Promise<Buffer> {
    await this.parameterSets();
    return gopToJpeg(this.spec.codec, this.gop.slice());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.idleTimer);
    clearTimeout(this.restartTimer);
    const stopping = [this.encoder?.stop(), this.next?.stop()];
    this.encoder = undefined;
    this.next = undefined;
    await Promise.all(stopping);
  }

  private ensureRunning(): void {
    if (!this.encoder && !this.closed) this.encoder = this.spawn(this.spec.width, this.spec.height);
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.listeners.size > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => {
      if (this.listeners.size > 0) return;
      const stopping = [this.encoder?.stop(), this.next?.stop()];
      this.encoder = undefined;
      this.next = undefined;
      this.gop = [];
      void Promise.all(stopping);
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private spawn(width: number, height: number): LiveEncoder {
    const render = renderSpecOf({ ...this.spec, width, height }, this.pan.panX, this.pan.panY, this.scene);
    const enc: LiveEncoder = new LiveEncoder(
      render,
      this.textDir,
      (nals, keyframe, sets) => this.onUnit(enc, nals, keyframe, sets),
      (stderr) => this.onExit(enc, stderr),
    );
    return enc;
  }

  private onUnit(enc: LiveEncoder, nals: Buffer[], keyframe: boolean, sets: StreamParameterSets): void {
    if (enc === this.next) {
      if (!keyframe) return;
      void this.encoder?.stop();
      this.encoder = enc;
      this.next = undefined;
      this.spec.width = enc.render.width;
      this.spec.height = enc.render.height;
    } else if (enc !== this.encoder) {
      return;
    }
    if (keyframe) this.gop = [];
    else if (this.gop.length === 0) return;
    this.sets = sets;
    const now = Date.now();
    // One frame interval per frame, as a camera stamps them; re-anchored to the wall clock when arrival
    // drifts by over 200 ms (encoder restart, stall), and always strictly increasing.
    const step = Math.round(RTP_CLOCK / this.spec.fps);
    const byClock = this.rtpBase + Math.round((now - this.t0) * (RTP_CLOCK / 1000));
    const regular = this.lastRtp + step;
    let rtp = this.lastRtp < 0 || Math.abs(byClock - regular) > RTP_CLOCK / 5 ? byClock : regular;
    if (rtp <= this.lastRtp) rtp = this.lastRtp + 1;
    this.lastRtp = rtp;
    const unit: MediaUnit = { nals, keyframe, rtpTime: rtp % RTP_WRAP, wallMs: now };
    this.gop.push(unit);
    for (const l of this.listeners) l(unit);
    if (this.waiters.length) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w(sets);
      this.armIdle();
    }
  }

  private onExit(enc: LiveEncoder, stderr: string): void {
    if (this.closed) return;
    if (enc === this.next) {
      this.next = undefined;
    } else if (enc === this.encoder) {
      this.encoder = undefined;
      this.gop = [];
      this.restartTimer = setTimeout(() => {
        if (this.listeners.size > 0 || this.waiters.length > 0) this.ensureRunning();
      }, 1000);
    }
    this.options.onError?.(new Error(`camsim: live encoder for ${this.spec.channelName} exited: ${stderr.trim().slice(-300)}`));
  }
}
