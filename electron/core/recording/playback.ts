// Playback sessions: up to 16 channels on one clock, sent as the same binary media frames as live.
// Fragments are re-stamped so presentation time = START_S + (wall - t0) / speed on every channel: the
// player starts at START_S (the exact instant asked for) and all channels stay on one timeline.
import { encodeMediaFrame } from '../../contract';
import type { MediaPort } from '../client-session';
import { ArchiveCursor, isInit, type ArchiveFragment, type ArchiveInit, type ArchiveSource } from './archive-reader';
import { fragmentWithoutAudio, initWithoutAudio, type TrackInfo } from '../media/fmp4';
import { retimeFragment } from './fragment-time';

/** Presentation time (s) of the instant a seek asked for; the GOP before it and slow motion fit before it. */
export const START_S = 200;
export const SPEEDS = [-64, -32, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64] as const;
/** At these speeds (and in reverse) only keyframes are sent. */
export const KEYFRAME_ONLY_SPEED = 32;

export interface PlaybackState {
  sessionId: number;
  /** Wall time (epoch ms) shown at presentation time START_S since the last seek. */
  t0: number;
  startSeconds: number;
  speed: number;
  paused: boolean;
  /** Wall time now on the session's clock. */
  position: number;
  epoch: number;
  ended: number[];
}

interface ChannelStream {
  channelId: number;
  media: number;
  cursor: ArchiveCursor;
  pending?: ArchiveInit | ArchiveFragment;
  timescale: number;
  tracks?: TrackInfo;
  ended: boolean;
  /** Presentation end of the last keyframe sent in trick modes (they are laid back to back). */
  trickNext?: number;
  lastKeyWall?: number;
  keySpacingMs: number;
  source: ArchiveSource;
  /** Wall time of the last fragment sent (where a channel waiting for more of its archive goes on from). */
  lastWall?: number;
}

export interface PlaybackSessionOptions {
  id: number;
  source: ArchiveSource;
  /** Each channel reads `source` unless it names its own (another station's channel: the desk's copy of its archive). */
  channels: { channelId: number; media: number; source?: ArchiveSource }[];
  /**
   * At the end of what a channel's archive holds now: true while more is on its way (a copy from another station
   * filling in), so the channel waits instead of ending.
   */
  more?: (channelId: number, after: number) => boolean;
  port: MediaPort;
  onState: (s: PlaybackState) => void;
  /** Real-time clock for pacing (ms). */
  now?: () => number;
  /** Send the channels' audio (at 1× only). */
  audio?: boolean;
  /** Media sent ahead of the clock, in real-time ms. */
  leadMs?: number;
  maxBacklogBytes?: number;
}

export class PlaybackSession {
  private readonly streams: ChannelStream[];
  /** The seek instant: presentation START_S. */
  private origin = 0;
  /** Clock anchor: wall time `anchor` at real time `realStart` (pause/resume moves it). */
  private anchor = 0;
  private realStart = 0;
  private speed = 1;
  private paused = false;
  private audio: boolean;
  private pausedAt = 0;
  private epoch = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private closed = false;
  /** Instants of the first fragment sent after each seek (for the bench and tests). */
  firstSent?: number;

  constructor(private readonly opts: PlaybackSessionOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.audio = !!opts.audio;
    this.streams = opts.channels.map((c) => {
      const source = c.source ?? opts.source;
      return { channelId: c.channelId, media: c.media, source, cursor: new ArchiveCursor(source, c.channelId), timescale: 90_000, ended: false, keySpacingMs: 2000 };
    });
    this.timer = setInterval(() => this.pump(), 40);
    this.timer.unref();
  }

  get id(): number {
    return this.opts.id;
  }

  /** The channel frame steps follow, and the archive it reads. */
  get primary(): { source: ArchiveSource; channelId: number } {
    return { source: this.streams[0]!.source, channelId: this.streams[0]!.channelId };
  }

  /** Wall time on the session clock. */
  position(): number {
    if (this.paused) return this.pausedAt;
    return this.anchor + (this.now() - this.realStart) * this.speed;
  }

  state(): PlaybackState {
    return {
      sessionId: this.opts.id, t0: this.origin, startSeconds: START_S, speed: this.speed, paused: this.paused,
      position: Math.round(this.position()), epoch: this.epoch, ended: this.streams.filter((s) => s.ended).map((s) => s.channelId),
    };
  }

  /** Restarts every channel at instant t (keyframe before it, then the exact start through START_S). */
  seek(t: number, opts: { speed?: number; paused?: boolean } = {}): PlaybackState {
    if (opts.speed !== undefined) this.speed = opts.speed;
    if (opts.paused !== undefined) this.paused = opts.paused;
    this.epoch++;
    this.origin = this.anchor = this.pausedAt = t;
    this.realStart = this.now();
    this.firstSent = undefined;
    for (const s of this.streams) {
      s.ended = false;
      s.pending = undefined;
      s.trickNext = s.lastKeyWall = s.lastWall = undefined;
      const at = this.speed < 0 ? s.cursor.seekBack(t) : s.cursor.seek(t);
      if (at === undefined) {
        s.ended = true;
        this.opts.port.send(encodeMediaFrame({ channel: s.media, kind: 'end', keyframe: false, payload: new Uint8Array(0) }));
      }
    }
    this.pump();
    const st = this.state();
    this.opts.onState(st);
    return st;
  }

  /** Sound on or off: every channel starts again where the clock is, with or without its audio track. */
  setAudio(audio: boolean): PlaybackState {
    if (audio === this.audio) return this.state();
    this.audio = audio;
    return this.seek(this.position());
  }

  setSpeed(speed: number): PlaybackState {
    return this.seek(this.position(), { speed });
  }

  setPaused(paused: boolean): PlaybackState {
    if (paused === this.paused) return this.state();
    const at = this.position();
    this.paused = paused;
    this.pausedAt = at;
    // Resuming re-anchors the clock where it stopped; the player already holds the media.
    this.anchor = at;
    this.realStart = this.now();
    this.epoch++;
    const st = this.state();
    this.opts.onState(st);
    return st;
  }

  private presentation(wall: number): number {
    return START_S + (this.speed < 0 ? this.origin - wall : wall - this.origin) / 1000 / Math.abs(this.speed);
  }

  private pump(): void {
    if (this.closed) return;
    const port = this.opts.port;
    const trick = Math.abs(this.speed) >= KEYFRAME_ONLY_SPEED || this.speed < 0;
    const lead = (this.opts.leadMs ?? 1500) * Math.abs(this.speed);
    const pos = this.position();
    for (const s of this.streams) {
      // Consecutive fragments go out as one frame: after a seek the page takes one message, not sixty, before it can append.
      const batch: Buffer[] = [];
      let batchKeyframe = false;
      const flush = () => {
        if (batch.length === 0) return;
        const payload = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
        batch.length = 0;
        port.send(encodeMediaFrame({ channel: s.media, kind: 'fragment', keyframe: batchKeyframe, payload }));
      };
      let budget = 64;
      while (!s.ended && budget-- > 0 && port.backlog() < (this.opts.maxBacklogBytes ?? 8 * 1024 * 1024)) {
        const item = s.pending ?? (trick ? s.cursor.nextKeyframe(this.speed < 0 ? -1 : 1) : s.cursor.next());
        s.pending = undefined;
        if (!item) {
          flush();
          if (!trick && this.opts.more?.(s.channelId, s.lastWall ?? pos)) break;
          s.ended = true;
          port.send(encodeMediaFrame({ channel: s.media, kind: 'end', keyframe: false, payload: new Uint8Array(0) }));
          this.opts.onState(this.state());
          break;
        }
        const audio = this.audio && this.speed === 1 && !trick;
        if (isInit(item)) {
          flush();
          s.timescale = item.info.timescale;
          s.tracks = item.info;
          // Audio plays at 1× only: above it is muted (issue #5), and slowed down by re-stamping it would not sound right.
          const withAudio = audio && !!item.info.audio;
          const meta = { codec: item.info.codec, width: item.info.width, height: item.info.height, ...(withAudio && { audio: item.info.audio!.codec }) };
          port.send(encodeMediaFrame({ channel: s.media, kind: 'init', keyframe: false, meta, payload: withAudio ? item.data : initWithoutAudio(item.data, item.info) }));
          continue;
        }
        const data = audio || !s.tracks ? item.data : fragmentWithoutAudio(item.data, item.info, s.tracks);
        if (!data) continue;
        // Paced: only what the clock reaches within the lead (paused: a little past the still frame).
        const ahead = this.speed < 0 ? pos - item.wall : item.wall - pos;
        if (ahead > (this.paused ? 1000 : lead)) {
          s.pending = item;
          break;
        }
        if (batch.length === 0) batchKeyframe = item.info.keyframe;
        s.lastWall = item.wall;
        batch.push(this.restamp(s, { ...item, data }, trick));
        this.firstSent ??= this.now();
      }
      flush();
    }
  }

  private restamp(s: ChannelStream, f: ArchiveFragment, trick: boolean): Buffer {
    const ts = f.segment.timescale;
    const pt = this.presentation(f.wall);
    if (!trick) return retimeFragment(f.data, pt * ts, 1 / this.speed, s.tracks);
    // Keyframes shown back to back (no holes in the buffer), each for the GOP length seen last at this speed.
    if (s.lastKeyWall !== undefined && f.wall !== s.lastKeyWall) s.keySpacingMs = Math.min(10_000, Math.abs(f.wall - s.lastKeyWall));
    s.lastKeyWall = f.wall;
    const start = s.trickNext ?? pt;
    const dur = Math.max(0.02, s.keySpacingMs / 1000 / Math.abs(this.speed));
    s.trickNext = start + dur;
    const perSample = f.info.duration || 1;
    return retimeFragment(f.data, start * ts, (dur * ts) / perSample);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const s of this.streams) s.cursor.close();
  }
}
