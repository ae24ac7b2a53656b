// Local clips of what a tile shows: the station's, not a page's. One per channel, written from the cached keyframe
// without re-encoding, timestamps from 0, stopped at their maximum length or a minute after the last page that showed
// them went away (and kept).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fail, type ActiveClip, type StreamProfile } from '../../contract';
import type { ClientSession } from '../client-session';
import type { ChannelRegistry } from '../devices/channel-registry';
import type { Logger } from '../log';
import type { FragmentInfo, TrackInfo } from '../media/fmp4';
import type { StreamHub } from '../media/stream-hub';
import type { SignalBus } from '../signal-bus';
import { retimeFragment } from '../recording/fragment-time';

export interface ClipRecorderOptions {
  registry: ChannelRegistry;
  hub(streamId: string): Promise<StreamHub>;
  signals: SignalBus;
  logger: Logger;
  dir: () => string;
  clock?: () => number;
  /** How long a clip outlives the last page that showed it (a reload adopts it meanwhile). */
  orphanMs?: number;
}

export type ClipEnd = 'user' | 'max-length' | 'page-gone' | 'stream-restarted' | 'channel-removed' | 'shutdown';
export interface ClipResult { path: string; bytes: number; durationMs: number; reason: ClipEnd }

interface Clip extends ActiveClip {
  fd: number;
  bytes: number;
  owner?: ClientSession;
  orphaned?: NodeJS.Timeout;
  detach(): void;
  timers: Set<NodeJS.Timeout>;
}

/** Seconds on the stream's clock where a fragment starts (its video traf, else its audio one). */
function startSeconds(info: FragmentInfo, tracks: TrackInfo): number | undefined {
  if (info.video) return info.baseDecodeTime / tracks.timescale;
  if (info.audio && tracks.audio) return info.audio.baseDecodeTime / tracks.audio.timescale;
  return undefined;
}

export class ClipRecorder {
  private readonly clips = new Map<number, Clip>();
  private nextId = 1;
  private readonly clock: () => number;

  constructor(private readonly opts: ClipRecorderOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** The clips running now; the asking page takes over the ones whose page went away. */
  list(session?: ClientSession): ActiveClip[] {
    if (session) for (const c of this.clips.values()) if (!c.owner) this.own(c, session);
    return [...this.clips.values()].map(({ clipId, channelId, path, startedAt, maxMs }) => ({ clipId, channelId, path, startedAt, maxMs }));
  }

  /** Starts a clip of the channel, or gives the one already running. */
  async start(session: ClientSession | undefined, channelId: number, profile: StreamProfile, maxMs: number): Promise<ActiveClip> {
    const running = [...this.clips.values()].find((c) => c.channelId === channelId);
    if (running) return this.list(session).find((c) => c.clipId === running.clipId)!;
    const channel = await this.opts.registry.get(channelId);
    const hub = await this.opts.hub(`${channelId}/${profile === 'sub' && channel.subUrl ? 'sub' : 'main'}`);
    const dir = this.opts.dir();
    mkdirSync(dir, { recursive: true });
    const startedAt = this.clock();
    const safeName = channel.name.replace(/[^\w.-]+/g, '_').slice(0, 40);
    const path = join(dir, `${safeName}-${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}.mp4`);
    const clip: Clip = { clipId: this.nextId++, channelId, path, startedAt, maxMs, fd: openSync(path, 'wx', 0o600), bytes: 0, detach: () => {}, timers: new Set() };
    const write = (data: Buffer) => { writeSync(clip.fd, data); clip.bytes += data.length; };
    let tracks: TrackInfo | undefined;
    let first: number | undefined;
    clip.detach = hub.attach({
      init: (data, info) => {
        // A new upstream connection starts its clock over: the file cannot go on.
        if (tracks) return void setImmediate(() => this.end(clip.clipId, 'stream-restarted'));
        tracks = info;
        write(data);
      },
      fragment: (data, info) => {
        const s = tracks && startSeconds(info, tracks);
        if (s === undefined) return;
        first ??= s;
        write(retimeFragment(data, Math.max(0, s - first) * tracks!.timescale, 1, tracks));
      },
    });
    this.clips.set(clip.clipId, clip);
    this.later(clip, maxMs, 'max-length');
    if (session) this.own(clip, session);
    this.opts.logger.info({ channel: channelId, path }, 'clip recording started');
    this.changed();
    return this.list().find((c) => c.clipId === clip.clipId)!;
  }

  stop(clipId: number): ClipResult {
    const r = this.end(clipId, 'user');
    if (!r) throw fail('live.clipNotFound', { id: clipId });
    return r;
  }

  /** Ends the clips of a removed channel. */
  forgetChannel(channelId: number): void {
    for (const c of [...this.clips.values()]) if (c.channelId === channelId) this.end(c.clipId, 'channel-removed');
  }

  dispose(): void {
    for (const id of [...this.clips.keys()]) this.end(id, 'shutdown');
  }

  private own(clip: Clip, session: ClientSession): void {
    clip.owner = session;
    if (clip.orphaned) {
      clearTimeout(clip.orphaned);
      clip.timers.delete(clip.orphaned);
      clip.orphaned = undefined;
    }
    session.own(() => {
      if (clip.owner !== session || !this.clips.has(clip.clipId)) return;
      clip.owner = undefined;
      clip.orphaned = this.later(clip, this.opts.orphanMs ?? 60_000, 'page-gone');
    });
  }

  private later(clip: Clip, ms: number, reason: ClipEnd): NodeJS.Timeout {
    const t = setTimeout(() => this.end(clip.clipId, reason), ms);
    t.unref();
    clip.timers.add(t);
    return t;
  }

  private end(clipId: number, reason: ClipEnd): ClipResult | undefined {
    const clip = this.clips.get(clipId);
    if (!clip) return undefined;
    this.clips.delete(clipId);
    for (const t of clip.timers) clearTimeout(t);
    clip.detach();
    closeSync(clip.fd);
    const result = { path: clip.path, bytes: clip.bytes, durationMs: this.clock() - clip.startedAt, reason };
    this.opts.logger.info({ channel: clip.channelId, path: clip.path, reason, bytes: clip.bytes }, 'clip recording ended');
    this.opts.signals.emit('live.clipEnded', { clipId, channelId: clip.channelId, ...result });
    this.changed();
    return result;
  }

  private changed(): void {
    this.opts.signals.emit('live.clips', this.list());
  }
}
