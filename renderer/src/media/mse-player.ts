// fMP4 in, frames out: one MediaSource per tile, kept at the live edge, re-initialised after decode errors.
import i18next from 'i18next';
import type { MediaFrameMeta } from '../../../electron/contract';

export interface PlayerStats {
  codec: string;
  /** The audio track's codec, when the stream sent one. */
  audio?: string;
  width: number;
  height: number;
  /** Seconds buffered ahead of the playhead. */
  bufferS: number;
  /** Frames presented per second over the last interval. */
  fps: number;
  /** Received bits per second over the last interval. */
  bitrate: number;
  droppedFrames: number;
  totalFrames: number;
  /**
   * Live: how long ago the frame on screen was captured by the camera (`latencyFrom` 'camera': the stream carries the
   * camera's clock and that clock agrees with the station's) or else reached the station ('arrival'), in ms; absent
   * without stamps.
   */
  latencyMs?: number;
  latencyFrom?: 'camera' | 'arrival';
}

/** A live fragment's stamp (MediaFrame.stamp): station arrival (wall clock, ms) and stream time (s). */
export interface FragmentStamp { arrivedAt: number; time: number; capturedAt?: number }

/** A camera clock this far from the station's (behind, or ahead) is not believed: latency is then counted from arrival. */
const CAMERA_CLOCK_TRUST_MS = { behind: 5000, ahead: 100 };

export interface MsePlayerOptions {
  /** Past this lag behind the live edge the player jumps; below it steers playbackRate towards the lag target. */
  maxLagS?: number;
  /** Live view keeps to the edge; playback (later) does not. */
  live?: boolean;
  onError?: (message: string) => void;
  /** The first frame at the live edge is on screen (live), or the first frame at all (playback). */
  onFirstFrame?: () => void;
}

/**
 * Lag behind the newest buffered frame that live view steers to until the stream's own arrivals are known, and the most
 * it steers to after: on a starved machine a longer wait would cost more latency than the stalls it saves.
 */
const TARGET_LAG_S = 0.1;
/** Never closer than 30 ms to the edge. */
const MIN_TARGET_LAG_S = 0.03;
/**
 * Margin above the measured jitter: 10 ms, raised by 20 ms at each stall at the edge (a busy decoder is late in a way the
 * arrivals do not show: 9 tiles on 2 cores presented 22.3 fps without this, 24.6 with the fixed 100 ms), sinking back
 * 2 ms a second.
 */
const MARGIN_S = 0.01;
const STALL_MARGIN_S = 0.02;
/** Arrivals the jitter is measured over (about three seconds at 25 fps). */
const ARRIVALS = 80;

/**
 * Live playbackRate for a lag (s). Every stall at the edge adds its length to the latency for good unless it is played back
 * off, and a lag left to wander inside a band drifts by the band's width; so the rate is steered in proportion: 1 % faster per
 * 10 ms above the target (at most 5 %), 1 % slower per 10 ms below (at most 2 %), in whole per cent so it changes seldom
 * (each change is work for the media pipeline).
 */
export function liveRate(lagS: number, targetS = TARGET_LAG_S): number {
  return 1 + Math.round(100 * Math.max(-0.02, Math.min(0.05, lagS - targetS))) / 100;
}

/**
 * The lag target (s) for fragments that arrived at `arrivedS` (this page's clock) holding stream times `timeS`, oldest
 * first; undefined until enough have come. The lag, sampled at random moments, saws between the target plus and minus
 * half a frame (each arrival adds a frame's length to the buffer): so its low point stays above the arrivals' jitter
 * (the 95th percentile of their delay over the least delay) when the target is half a frame + jitter + margin. A quiet
 * loopback stream at 25 fps gets about 40 ms where a fixed target held 100 ms; a busy machine's late arrivals raise it,
 * up to that 100 ms.
 */
export function lagTarget(arrivedS: number[], timeS: number[], marginS = MARGIN_S): number | undefined {
  const n = Math.min(arrivedS.length, timeS.length);
  if (n < 16) return undefined;
  const delays = arrivedS.slice(0, n).map((a, i) => a - timeS[i]!).sort((a, b) => a - b);
  const jitter = delays[Math.floor(0.95 * (n - 1))]! - delays[0]!;
  const steps = timeS.slice(1, n).map((t, i) => t - timeS[i]!).filter((d) => d > 0).sort((a, b) => a - b);
  const frame = Math.min(0.2, steps[Math.floor(steps.length / 2)] ?? 0.04);
  return Math.min(TARGET_LAG_S, Math.max(MIN_TARGET_LAG_S, frame / 2 + jitter + marginS));
}

export class MsePlayer {
  private ms?: MediaSource;
  private sb?: SourceBuffer;
  private objectUrl?: string;
  private queue: Uint8Array[] = [];
  private init?: MediaFrameMeta & { data: Uint8Array };
  private waitKeyframe = false;
  private destroyed = false;
  private firstFrameSeen = false;
  /** Live: nothing shown yet → the cached keyframe shown → playing at the edge. */
  private phase: 'start' | 'keyframe' | 'edge' = 'start';
  private phaseAt = 0;
  private lagAvg = TARGET_LAG_S;
  /** The lag live view steers to: measured from the arrivals at the edge (lagTarget). */
  private target = TARGET_LAG_S;
  private margin = MARGIN_S;
  private arrivals: { at: number[]; time: number[] } = { at: [], time: [] };
  /** Set by a restart; the video's data-feed attribute counts the feeds whose first bytes are in (benches watch it). */
  private feedStarting = false;
  private feeds = 0;
  private rate = 1;
  /** Keyframes only (a small tile of a large layout): each new keyframe is shown as it comes, nothing is played between. */
  private stills = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private bytes = 0;
  private lastSample = { at: performance.now(), bytes: 0, frames: 0, media: 0 };
  /** The stamps of the newest fragments, oldest first. */
  private stamps: FragmentStamp[] = [];
  private statsValue: PlayerStats = { codec: '', width: 0, height: 0, bufferS: 0, fps: 0, bitrate: 0, droppedFrames: 0, totalFrames: 0 };

  constructor(private readonly video: HTMLVideoElement, private readonly opts: MsePlayerOptions = {}) {
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    this.timer = setInterval(() => this.tick(), 250);
    video.addEventListener('error', this.onVideoError);
    video.addEventListener('waiting', this.onStall);
    this.openSource();
  }

  static supports(codec: string, audio?: string): boolean {
    return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(mimeType(codec, audio));
  }

  /** Keyframes only, or every frame again (the station switches at the next keyframe). */
  setStills(on: boolean): void {
    this.stills = on;
    this.video.dataset.rate = on ? 'keyframes' : 'full';
  }

  get stats(): PlayerStats {
    return this.statsValue;
  }

  /**
   * A new init segment; fragments again from the next keyframe. The same init again (a playback seek, a reconnect) keeps
   * the SourceBuffer and its decoder and only empties them; a different one gets a new MediaSource.
   */
  setInit(data: Uint8Array, meta: MediaFrameMeta): void {
    const { codec, audio, width, height } = meta;
    if (!MsePlayer.supports(codec, audio)) {
      this.opts.onError?.(audio ? i18next.t('live:player.cannotDecodeWithAudio', { codec, audio }) : i18next.t('live:player.cannotDecode', { codec }));
      return;
    }
    const same = !!this.sb && this.init?.codec === codec && this.init.audio === audio && sameBytes(this.init.data, data);
    this.init = { ...meta, data };
    this.statsValue = { ...this.statsValue, codec, audio, width, height };
    this.restartFeed();
    if (same && this.emptySource()) return;
    if (this.sb || !this.ms) this.openSource();
    else this.attach();
  }

  /** Drops what is buffered and starts again from the init segment in the same SourceBuffer; false when it cannot. */
  private emptySource(): boolean {
    const sb = this.sb!;
    try {
      if (this.ms?.readyState !== 'open') return false;
      sb.abort();
      sb.timestampOffset = -(this.init!.start ?? 0);
      this.queue.push(this.init!.data);
      if (sb.buffered.length > 0) sb.remove(0, Infinity);
      else this.pump();
      return true;
    } catch {
      return false;
    }
  }

  append(data: Uint8Array, keyframe: boolean, stamp?: FragmentStamp): void {
    if (this.destroyed || !this.init) return;
    this.bytes += data.length;
    if (stamp) {
      this.stamps.push(stamp);
      if (this.stamps.length > 200) this.stamps.splice(0, 100);
      // Only arrivals at the edge measure the jitter: the cached GOP a new viewer gets comes all at once.
      if (this.phase === 'edge') {
        this.arrivals.at.push(performance.now() / 1000);
        this.arrivals.time.push(stamp.time);
        if (this.arrivals.at.length > ARRIVALS) { this.arrivals.at.shift(); this.arrivals.time.shift(); }
      }
    }
    if (this.waitKeyframe) {
      if (!keyframe) return;
      this.waitKeyframe = false;
    }
    // A tile that fell far behind (hidden tab, busy CPU) drops to the next keyframe rather than grow without bound.
    if (this.queue.length > 150) {
      this.queue = [];
      this.waitKeyframe = !keyframe;
      if (!keyframe) return;
    }
    this.queue.push(data);
    this.pump();
  }

  /** Fragments are taken again from the next keyframe, and the start is shown again. */
  private restartFeed(): void {
    this.queue = [];
    this.stamps = [];
    this.waitKeyframe = true;
    this.firstFrameSeen = false;
    this.phase = 'start';
    this.rate = 1; // a new source resets the element's playbackRate
    this.arrivals = { at: [], time: [] };
    this.feedStarting = true;
  }

  /** A MediaSource on the video, opened ahead of the init segment so its asynchronous open costs no start time. */
  private openSource(): void {
    this.teardown();
    const ms = (this.ms = new MediaSource());
    this.objectUrl = URL.createObjectURL(ms);
    this.video.src = this.objectUrl;
    ms.addEventListener('sourceopen', () => ms === this.ms && this.attach(), { once: true });
  }

  private attach(): void {
    const ms = this.ms;
    const init = this.init;
    if (!ms || !init || this.sb || ms.readyState !== 'open') return;
    try {
      const sb = (this.sb = ms.addSourceBuffer(mimeType(init.codec, init.audio)));
      // A known start is laid at time 0, where a new element already is: it plays without a seek.
      sb.timestampOffset = -(init.start ?? 0);
      sb.mode = 'segments';
      sb.addEventListener('updateend', () => {
        // An append in flight when the source was replaced (a new init: codec or tracks changed) ends on a removed buffer.
        if (sb !== this.sb) return;
        if (this.feedStarting && sb.buffered.length > 0) {
          this.feedStarting = false;
          this.video.dataset.feed = String(++this.feeds);
        }
        if (this.phase === 'start' || this.stills) this.tick();
        this.pump();
      });
      sb.addEventListener('error', () => sb === this.sb && this.recover(i18next.t('live:player.sourceBufferError')));
      sb.appendBuffer(init.data as BufferSource);
    } catch (err) {
      this.opts.onError?.(i18next.t('live:player.cannotStart', { message: (err as Error).message }));
    }
  }

  private pump(): void {
    const sb = this.sb;
    if (!sb || sb.updating || this.ms?.readyState !== 'open' || this.queue.length === 0) return;
    const next = this.queue.length === 1 ? this.queue.shift()! : concat(this.queue.splice(0));
    try {
      sb.appendBuffer(next as BufferSource);
    } catch (err) {
      if ((err as DOMException).name === 'QuotaExceededError') this.trim(true);
      else this.recover((err as Error).message);
    }
  }

  private onVideoError = () => this.recover(this.video.error?.message || i18next.t('live:player.decodeError'));

  /** The playhead ran into the edge: more margin, for a while. */
  private onStall = () => {
    if (this.phase === 'edge' && !this.stills) this.margin = Math.min(TARGET_LAG_S, this.margin + STALL_MARGIN_S);
  };

  /** Decode errors: start over from the init segment and the next keyframe. */
  private recover(reason: string): void {
    if (this.destroyed) return;
    this.opts.onError?.(i18next.t('live:player.recovering', { reason }));
    this.restartFeed();
    this.openSource();
  }

  /**
   * A new viewer gets the cached GOP at once. Its keyframe goes on screen first (one frame to decode), then the player
   * jumps to the newest frame (decoding the GOP up to it while the keyframe stays visible). At the edge, playbackRate is
   * steered in proportion to the lag so the latency neither creeps up nor wanders; far behind, it jumps.
   */
  private keepLive(start: number, end: number, lag: number): void {
    const v = this.video;
    const atEdge = () => {
      if (this.phase !== 'keyframe') return;
      this.phase = 'edge';
      this.firstFrameSeen = true;
      this.opts.onFirstFrame?.();
    };
    if (this.phase === 'start') {
      this.phase = 'keyframe';
      this.phaseAt = performance.now();
      v.requestVideoFrameCallback(() => {
        if (this.phase !== 'keyframe' || !this.sb) return;
        const buffered = this.sb.buffered;
        if (buffered.length) v.currentTime = Math.max(v.currentTime, buffered.end(buffered.length - 1) - this.target / 2);
        v.requestVideoFrameCallback(atEdge);
      });
      return;
    }
    // No frame callbacks without compositing (e.g. a background window): go on after a second regardless.
    if (this.phase === 'keyframe' && performance.now() - this.phaseAt > 1000) atEdge();
    if (this.phase !== 'edge') return;
    this.margin = Math.max(MARGIN_S, this.margin - 0.0005);
    this.target = lagTarget(this.arrivals.at, this.arrivals.time, this.margin) ?? TARGET_LAG_S;
    if (lag > (this.opts.maxLagS ?? 1) || lag < -0.5) v.currentTime = Math.max(start, end - this.target / 2);
    else {
      // The lag averaged over a few seconds (arrivals jitter by a frame) steers the rate.
      this.lagAvg += (lag - this.lagAvg) * 0.1;
      const rate = liveRate(this.lagAvg, this.target);
      if (this.rate !== rate) v.playbackRate = this.rate = rate;
    }
  }

  /** Keyframes only: each keyframe is a range of its own (a GOP apart); the playhead goes to the newest as it comes. */
  private showNewest(buffered: TimeRanges): void {
    const v = this.video;
    const newest = buffered.start(buffered.length - 1);
    if (v.currentTime < newest) v.currentTime = newest;
    if (!this.firstFrameSeen && v.getVideoPlaybackQuality().totalVideoFrames > 0) {
      this.firstFrameSeen = true;
      this.opts.onFirstFrame?.();
    }
  }

  private trim(force = false): void {
    const sb = this.sb;
    const v = this.video;
    if (!sb || sb.updating || sb.buffered.length === 0) return;
    const start = sb.buffered.start(0);
    const keep = force ? 1 : 6;
    if (v.currentTime - start > keep + 4) {
      try { sb.remove(start, v.currentTime - keep); } catch { /* retried on the next tick */ }
    }
  }

  private tick(): void {
    const v = this.video;
    const sb = this.sb;
    if (!sb || sb.buffered.length === 0) return;
    const end = sb.buffered.end(sb.buffered.length - 1);
    const start = sb.buffered.start(0);
    // (A reused SourceBuffer may hold a stream whose times restarted: live starts at its keyframe whatever came before.)
    if (v.currentTime < start || (this.phase === 'start' && !this.stills && this.opts.live !== false && Math.abs(v.currentTime - start) > 0.001)) v.currentTime = start;
    const lag = end - v.currentTime;
    if (this.stills) this.showNewest(sb.buffered);
    else if (this.opts.live !== false) this.keepLive(start, end, lag);
    if (v.paused && v.readyState >= 2) void v.play().catch(() => {});
    this.trim();
    const q = v.getVideoPlaybackQuality();
    if (!this.firstFrameSeen && q.totalVideoFrames > 0 && this.opts.live === false) {
      this.firstFrameSeen = true;
      this.opts.onFirstFrame?.();
    }
    const now = performance.now();
    const dt = (now - this.lastSample.at) / 1000;
    if (dt >= 1) {
      const mediaDt = v.currentTime - this.lastSample.media;
      const presented = q.totalVideoFrames - q.droppedVideoFrames;
      this.statsValue = {
        ...this.statsValue,
        bufferS: lag,
        // Frames per second of the stream's own time: live view plays a little fast or slow to hold its latency, and the
        // wall-clock rate would then read 27 fps for a 25 fps camera.
        fps: Math.max(0, (presented - this.lastSample.frames) / (mediaDt > 0 && mediaDt < 2 * dt ? mediaDt : dt)),
        bitrate: ((this.bytes - this.lastSample.bytes) * 8) / dt,
        droppedFrames: q.droppedVideoFrames,
        totalFrames: q.totalVideoFrames,
        ...this.latency(),
      };
      this.lastSample = { at: now, bytes: this.bytes, frames: presented, media: v.currentTime };
    }
  }

  /**
   * Now minus the capture (camera clock) or station arrival of the frame on screen: the newest stamp at or before the
   * playhead, plus the stream time since it.
   */
  private latency(): Pick<PlayerStats, 'latencyMs' | 'latencyFrom'> {
    const now = this.video.currentTime + (this.init?.start ?? 0);
    let s: FragmentStamp | undefined;
    for (let i = this.stamps.length - 1; i >= 0 && !s; i--) if (this.stamps[i]!.time <= now + 0.001) s = this.stamps[i];
    if (!s) return {};
    const since = (at: number) => Math.max(0, Date.now() - (at + (now - s.time) * 1000));
    const skew = s.capturedAt === undefined ? undefined : s.arrivedAt - s.capturedAt;
    if (skew !== undefined && skew <= CAMERA_CLOCK_TRUST_MS.behind && skew >= -CAMERA_CLOCK_TRUST_MS.ahead) return { latencyMs: since(s.capturedAt!), latencyFrom: 'camera' };
    return { latencyMs: since(s.arrivedAt), latencyFrom: 'arrival' };
  }

  private teardown(): void {
    this.sb = undefined;
    if (this.ms?.readyState === 'open') {
      try { this.ms.endOfStream(); } catch { /* already ended */ }
    }
    this.ms = undefined;
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = undefined;
  }

  /** Releases the decoder (off-screen or hidden tiles). */
  destroy(): void {
    this.destroyed = true;
    clearInterval(this.timer);
    this.video.removeEventListener('error', this.onVideoError);
    this.video.removeEventListener('waiting', this.onStall);
    this.teardown();
    this.video.removeAttribute('src');
    this.video.load();
  }
}

/** The SourceBuffer type: `video/mp4; codecs="avc1.640028,mp4a.40.2"` when the stream has audio. */
export function mimeType(codec: string, audio?: string): string {
  return `video/mp4; codecs="${audio ? `${codec},${audio}` : codec}"`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
