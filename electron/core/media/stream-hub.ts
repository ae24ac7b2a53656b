import { spawn as nodeSpawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Logger } from '../log';
import { scrubSecrets } from '../log';
import { Fmp4Reader, type Fmp4Part, type FragmentInfo, type TrackInfo } from './fmp4';
import { openRtspSource } from './rtsp-source';

export type StreamState = 'idle' | 'connecting' | 'live' | 'stalled' | 'offline' | 'auth_failed';

export interface StreamStatus {
  state: StreamState;
  reason?: string;
  /** Epoch ms of the next connection attempt while offline/auth_failed. */
  retryAt?: number;
  /** Consecutive failed attempts. */
  failures: number;
  track?: TrackInfo;
}

export interface HubConsumer {
  /** The init segment; sent again by every new upstream connection (its timestamps start over). */
  init(data: Buffer, info: TrackInfo): void;
  fragment(data: Buffer, info: FragmentInfo): void;
  /** Bytes this consumer still has queued; past the hub's bound it is skipped to the next keyframe. */
  backlog?(): number;
}

export type SpawnFn = (cmd: string, args: string[]) => ChildProcessWithoutNullStreams;

export interface StreamHubOptions {
  id: string;
  /** rtsp://… (read over TCP) or a local file/URL ffmpeg can read in real time. */
  url: string;
  ffmpegPath: string;
  logger: Logger;
  onStatus?: (status: StreamStatus) => void;
  /** Upstream kept this long after the last consumer leaves. */
  graceMs?: number;
  /** No bytes for this long while live = stalled. */
  stallMs?: number;
  /** A new connection that delivers nothing for this long has failed (default 3 × stallMs: RTSP set-up + first keyframe). */
  connectTimeoutMs?: number;
  maxBacklogBytes?: number;
  spawn?: SpawnFn;
  clock?: () => number;
  /** Instead of opening `url`: ffmpeg reads fMP4 on stdin, written by feed (used by the transcoding fallback). */
  feed?: (stdin: Writable) => () => void;
  /** Video codec arguments; default `-c:v copy` (no transcoding). */
  videoArgs?: string[];
  /** Audio codec arguments for the first audio stream, when there is one; default AUDIO_ARGS. */
  audioArgs?: string[];
  /**
   * 'auto' (default): an rtsp:// H.264 or H.265 stream without audio is read by the station itself (rtsp-source), anything
   * else by ffmpeg. 'ffmpeg': always ffmpeg. A hub given its own `spawn`, `feed` or `videoArgs` always runs ffmpeg.
   */
  ingest?: 'auto' | 'ffmpeg';
  /** Instead of reading `url`: fMP4 parts from elsewhere, e.g. a remote station's stream relayed by sites/ (no ffmpeg). */
  open?: (sink: UpstreamSink) => { close(): void };
}

/** Where an outside upstream (`open`) delivers: parsed fMP4 parts, bytes received (for the stall watchdog), its end. */
export interface UpstreamSink {
  part(part: Fmp4Part): void;
  bytes(n: number): void;
  closed(reason: string): void;
}

/**
 * Cameras send G.711 (PCMA/PCMU, which MSE cannot play), AAC (as ADTS or LATM, any rate) or others: one rule, always
 * AAC-LC 48 kHz, rather than copying AAC when it comes. A rule that always holds keeps every consumer (players, recorder,
 * export) to one known-good format, at a small cost at camera rates. 48 kHz: AAC codes 1024-sample frames and holds one
 * back, so at a camera's 8 kHz a frame is 128 ms and audio would reach the player a quarter second after its video; at
 * 48 kHz, 21 ms.
 */
export const AUDIO_ARGS = ['-c:a', 'aac', '-b:a', '64k', '-ar', '48000'];

/** Retry delays after consecutive failures (go2rtc's producer schedule): 1 s ×5, 5 s ×5, 10 s ×10, then 60 s. */
export function backoffMs(failures: number): number {
  if (failures <= 5) return 1_000;
  if (failures <= 10) return 5_000;
  if (failures <= 20) return 10_000;
  return 60_000;
}

/** Why ffmpeg failed, from its stderr; auth failures are told apart so they are never retried fast. */
export function classifyFailure(stderr: string): { state: 'offline' | 'auth_failed'; reason: string } {
  const text = scrubSecrets(stderr);
  if (/401 Unauthorized|authorization failed|403 Forbidden/i.test(text)) return { state: 'auth_failed', reason: 'the camera refused the credentials' };
  if (/Connection refused/i.test(text)) return { state: 'offline', reason: 'connection refused' };
  if (/timed out|Connection timed out/i.test(text)) return { state: 'offline', reason: 'connection timed out' };
  if (/No route to host|Network is unreachable|Host is unreachable/i.test(text)) return { state: 'offline', reason: 'host unreachable' };
  if (/404 Not Found|Server returned 4\d\d/i.test(text)) return { state: 'offline', reason: 'the camera has no such stream' };
  if (/Invalid data found|could not find codec parameters/i.test(text)) return { state: 'offline', reason: 'the stream sent data ffmpeg cannot read' };
  const last = text.trim().split('\n').filter(Boolean).at(-1);
  return { state: 'offline', reason: last ? last.slice(0, 200) : 'the stream ended' };
}

interface Upstream {
  /** Why it failed: ffmpeg's stderr, or the station's own reader's reason phrased alike. */
  stderr: string;
  init?: { data: Buffer; info: TrackInfo };
  delivered: boolean;
  lastDataAt: number;
  /** Ends it; its exit is reported (onExit) unless quiet. */
  stop(quiet: boolean): void;
}

/** `failedAt`: when this consumer last threw (logged at most every 10 s). */
interface ConsumerState { skipping: boolean; failedAt?: number }

/**
 * One upstream connection per camera stream, supervised: the station's own RTSP reader (H.264/H.265 RTP -> fMP4, rtsp-source) or
 * ffmpeg (-c copy -> fMP4 on a pipe) for anything else; its init segment and current GOP are cached and fanned out to every
 * consumer (viewers, recorder).
 */
export class StreamHub {
  private readonly consumers = new Map<HubConsumer, ConsumerState>();
  private active?: Upstream;
  private candidate?: Upstream;
  private init?: { data: Buffer; info: TrackInfo };
  private gop: { data: Buffer; info: FragmentInfo }[] = [];
  private gopBytes = 0;
  private statusValue: StreamStatus = { state: 'idle', failures: 0 };
  private retryTimer?: NodeJS.Timeout;
  private graceTimer?: NodeJS.Timeout;
  private readonly watchdog: NodeJS.Timeout;
  private closed = false;
  private readonly spawnFn: SpawnFn;
  private readonly clock: () => number;
  private readonly log: Logger;
  /** Whether the station reads this stream itself; false once the stream turned out to need ffmpeg. */
  private native: boolean;
  readonly stats = { bytesIn: 0, fragments: 0, keyframes: 0, upstreamStarts: 0, ffmpegStarts: 0 };

  constructor(private readonly opts: StreamHubOptions) {
    this.spawnFn = opts.spawn ?? ((cmd, args) => nodeSpawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    this.clock = opts.clock ?? Date.now;
    this.log = opts.logger.child({ stream: opts.id });
    this.native = opts.ingest !== 'ffmpeg' && !opts.spawn && !opts.feed && !opts.videoArgs && /^rtsp:\/\//i.test(opts.url);
    this.watchdog = setInterval(() => this.checkStall(), Math.min(1000, (opts.stallMs ?? 5000) / 2));
    this.watchdog.unref();
  }

  get status(): StreamStatus {
    return this.statusValue;
  }
  get consumerCount(): number {
    return this.consumers.size;
  }
  /** The cached init segment and fragments since the last keyframe (for snapshots and pre-event buffers). */
  cached(): { init?: { data: Buffer; info: TrackInfo }; gop: readonly { data: Buffer; info: FragmentInfo }[] } {
    return { init: this.init, gop: this.gop };
  }

  /** Adds a consumer; it gets the init segment and the cached GOP at once, then live fragments. */
  attach(consumer: HubConsumer): () => void {
    if (this.closed) throw new Error(`stream ${this.opts.id} is closed`);
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const st: ConsumerState = { skipping: false };
    this.consumers.set(consumer, st);
    if (this.init) {
      try {
        consumer.init(this.init.data, this.init.info);
        for (const f of this.gop) consumer.fragment(f.data, f.info);
      } catch (err) { this.failed(consumer, st, err); }
    }
    if (!this.active && !this.candidate && !this.retryTimer) this.connect();
    return () => this.detach(consumer);
  }

  private detach(consumer: HubConsumer): void {
    if (!this.consumers.delete(consumer) || this.consumers.size > 0 || this.closed) return;
    this.graceTimer = setTimeout(() => this.stopUpstream(), this.opts.graceMs ?? 10_000);
    this.graceTimer.unref();
  }

  private setStatus(s: Partial<StreamStatus> & { state: StreamState }): void {
    this.statusValue = { failures: this.statusValue.failures, track: this.init?.info, ...s };
    this.opts.onStatus?.(this.statusValue);
  }

  private inputArgs(): string[] {
    // The transcoder's feed (fMP4 from the source hub): nothing probed or buffered before the first frame, and one decoding
    // thread, since frame threads hold frames back; the transcoded tile stays close behind the camera (bench:live's h265).
    if (this.opts.feed) return ['-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0', '-threads', '1', '-f', 'mp4', '-i', 'pipe:0'];
    const u = this.opts.url;
    // ffmpeg's own socket timeout stays well past the hub's stall watchdog, so a stall is seen as one.
    if (/^rtsps?:\/\//i.test(u)) return ['-rtsp_transport', 'tcp', '-timeout', String((this.opts.stallMs ?? 5000) * 3000), '-i', u];
    return ['-re', '-i', u];
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.closed || this.consumers.size === 0) return;
    const up = this.opts.open ? this.startOutside(this.opts.open) : this.native ? this.startNative() : this.startFfmpeg();
    this.stats.upstreamStarts++;
    if (this.active) this.candidate = up;
    else this.active = up;
    if (this.statusValue.state !== 'stalled') this.setStatus({ state: 'connecting' });
  }

  private startNative(): Upstream {
    const up: Upstream = { stderr: '', delivered: false, lastDataAt: this.clock(), stop: (quiet) => { src.close(); if (!quiet) this.onExit(up); } };
    const src = openRtspSource(this.opts.url, {
      part: (part) => this.onParts(up, [part]),
      bytes: (n) => { up.lastDataAt = this.clock(); this.stats.bytesIn += n; },
      closed: (reason) => { up.stderr = reason; this.onExit(up); },
      unsupported: (why) => {
        // ffmpeg takes its place at once (no failure counted); its init segment starts consumers anew, as a reconnection does.
        this.log.info({ why }, 'stream handed to ffmpeg');
        this.native = false;
        const next = this.startFfmpeg();
        if (this.active === up) this.active = next;
        else if (this.candidate === up) this.candidate = next;
        else next.stop(true);
      },
    }, { timeoutMs: this.opts.connectTimeoutMs ?? 3 * (this.opts.stallMs ?? 5000) });
    return up;
  }

  private startOutside(open: NonNullable<StreamHubOptions['open']>): Upstream {
    let ended = false;
    const up: Upstream = { stderr: '', delivered: false, lastDataAt: this.clock(), stop: (quiet) => { ended = true; src.close(); if (!quiet) this.onExit(up); } };
    const src = open({
      part: (part) => { if (!ended) this.onParts(up, [part]); },
      bytes: (n) => { up.lastDataAt = this.clock(); this.stats.bytesIn += n; },
      closed: (reason) => { if (ended) return; ended = true; up.stderr = reason; this.onExit(up); },
    });
    return up;
  }

  private startFfmpeg(): Upstream {
    const args = [
      '-hide_banner', '-loglevel', 'warning', '-nostdin', ...this.inputArgs(),
      '-map', '0:v:0', '-map', '0:a:0?', ...(this.opts.videoArgs ?? ['-c:v', 'copy']), ...(this.opts.audioArgs ?? AUDIO_ARGS),
      // Interleaving holds a packet until every stream has one queued, by default up to 10 s (0 = forever): a camera whose
      // audio goes quiet would hold video back. 1 µs: each packet goes out as soon as the next one (of either stream) comes.
      '-max_interleave_delta', '1', '-f', 'mp4',
      '-movflags', 'frag_keyframe+empty_moov+default_base_moof+frag_every_frame', '-flush_packets', '1', 'pipe:1',
    ];
    const proc = this.spawnFn(this.opts.ffmpegPath, args);
    this.stats.ffmpegStarts++;
    const reader = new Fmp4Reader();
    let unfeed: (() => void) | undefined;
    const up: Upstream = {
      stderr: '', delivered: false, lastDataAt: this.clock(),
      stop: (quiet) => {
        if (quiet) proc.removeAllListeners('close');
        unfeed?.();
        proc.kill('SIGKILL');
      },
    };
    proc.stdout.on('data', (chunk: Buffer) => {
      up.lastDataAt = this.clock();
      this.stats.bytesIn += chunk.length;
      let parts;
      try {
        parts = reader.push(chunk);
      } catch (err) {
        up.stderr += `\n${(err as Error).message}`;
        return proc.kill('SIGKILL');
      }
      this.onParts(up, parts);
    });
    proc.stderr.on('data', (d: Buffer) => (up.stderr = (up.stderr + d.toString()).slice(-4000)));
    proc.on('error', (err) => (up.stderr += `\n${err.message}`));
    proc.on('close', () => {
      unfeed?.();
      this.onExit(up);
    });
    if (this.opts.feed) {
      proc.stdin.on('error', () => {});
      unfeed = this.opts.feed(proc.stdin);
    }
    return up;
  }

  private onParts(up: Upstream, parts: Fmp4Part[]): void {
    for (const part of parts) {
      if (part.kind === 'init') {
        up.init = { data: part.data, info: part.info };
        // New parameters mid-stream (the station's own reader, when the camera changes resolution): a new start for all.
        if (up.delivered && up === this.active) {
          this.adoptInit(up.init);
          this.setStatus({ state: 'live', failures: 0 });
        }
        continue;
      }
      // A new connection takes over only once it delivers a keyframe.
      if (!up.delivered) {
        if (!part.info.keyframe || !up.init) continue;
        up.delivered = true;
        if (up === this.candidate) this.promote(up);
        this.adoptInit(up.init);
        this.setStatus({ state: 'live', failures: 0 });
      }
      if (up !== this.active) continue;
      this.publish(part.data, part.info);
    }
  }

  private promote(up: Upstream): void {
    const old = this.active;
    this.active = up;
    this.candidate = undefined;
    old?.stop(true);
  }

  /** Each new upstream restarts its timestamps, so consumers get its init segment even when the bytes are the same. */
  private adoptInit(init: { data: Buffer; info: TrackInfo }): void {
    this.init = init;
    this.gop = [];
    this.gopBytes = 0;
    for (const [c, st] of this.consumers) {
      try { c.init(init.data, init.info); } catch (err) { this.failed(c, st, err); }
    }
  }

  private publish(data: Buffer, info: FragmentInfo): void {
    this.stats.fragments++;
    if (info.keyframe) {
      this.stats.keyframes++;
      this.gop = [];
      this.gopBytes = 0;
    }
    // Bounded even if a camera never sends another keyframe.
    if (this.gopBytes + data.length <= 64 * 1024 * 1024) {
      this.gop.push({ data, info });
      this.gopBytes += data.length;
    }
    const bound = this.opts.maxBacklogBytes ?? 8 * 1024 * 1024;
    for (const [c, st] of this.consumers) {
      const backlog = c.backlog?.() ?? 0;
      if (st.skipping) {
        if (!info.keyframe || backlog > bound / 2) continue;
        st.skipping = false;
      } else if (backlog > bound) {
        st.skipping = true;
        continue;
      }
      try { c.fragment(data, info); } catch (err) { this.failed(c, st, err); }
    }
  }

  /**
   * One consumer that throws (a recorder whose index write meets a full disk: SQLITE_FULL) is logged, at most every
   * 10 s; the upstream and every other consumer (live view) go on.
   */
  private failed(c: HubConsumer, st: ConsumerState, err: unknown): void {
    const now = this.clock();
    if (st.failedAt !== undefined && now - st.failedAt < 10_000) return;
    st.failedAt = now;
    this.log.error({ err, consumer: c.constructor.name }, 'a consumer of the stream failed; the stream goes on');
  }

  private onExit(up: Upstream): void {
    if (up === this.candidate) {
      this.candidate = undefined;
      if (this.active) return this.scheduleRetry(classifyFailure(up.stderr));
    }
    if (up !== this.active) return;
    this.active = this.candidate;
    this.candidate = undefined;
    if (this.active) return;
    if (this.closed || this.consumers.size === 0) return this.setStatus({ state: 'idle' });
    this.scheduleRetry(classifyFailure(up.stderr));
  }

  private scheduleRetry(failure: { state: 'offline' | 'auth_failed'; reason: string }): void {
    if (this.closed || this.retryTimer) return;
    const failures = this.statusValue.failures + 1;
    // Wrong credentials: wait the longest step at once, so a lock-out policy on the camera is never triggered.
    const delay = failure.state === 'auth_failed' ? 60_000 : backoffMs(failures);
    this.log.warn({ reason: failure.reason, failures, retryInMs: delay }, 'stream upstream failed');
    if (!this.active) this.setStatus({ state: failure.state, reason: failure.reason, failures, retryAt: this.clock() + delay });
    else this.statusValue = { ...this.statusValue, failures };
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private checkStall(): void {
    const up = this.active;
    const stallMs = this.opts.stallMs ?? 5000;
    if (!up || this.candidate || this.retryTimer || this.clock() - up.lastDataAt < stallMs) return;
    if (!up.delivered) {
      if (this.clock() - up.lastDataAt < (this.opts.connectTimeoutMs ?? 3 * stallMs)) return;
      up.stderr += '\nno data from the camera (timed out)';
      return up.stop(false);
    }
    this.setStatus({ state: 'stalled', reason: `no data for ${Math.round((this.clock() - up.lastDataAt) / 1000)} s` });
    this.log.warn('stream stalled; starting a replacement connection');
    this.connect();
    // The replacement's own silence counts from now.
    up.lastDataAt = this.clock();
  }

  /** Stops upstream now (used at grace expiry and by retry-now); consumers stay attached. */
  private stopUpstream(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const up of [this.active, this.candidate]) up?.stop(true);
    this.active = this.candidate = undefined;
    this.setStatus({ state: 'idle', failures: 0 });
  }

  /** Retries at once (the user asked, or credentials changed), resetting the backoff. */
  retryNow(): void {
    this.stopUpstream();
    if (this.consumers.size > 0) this.connect();
  }

  /**
   * A new upstream now, because the stream's source moved (a relayed stream back at its own station, or its standby now
   * holding it): beside a live one it replaces it once it delivers a keyframe, as a stall's replacement does; while
   * waiting to retry, at once. Nothing without consumers.
   */
  switchUpstream(): void {
    if (this.closed || this.consumers.size === 0) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.candidate?.stop(true);
    this.candidate = undefined;
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.graceTimer);
    this.stopUpstream();
    this.consumers.clear();
  }
}
