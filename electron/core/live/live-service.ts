import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMediaFrameHead, fail, type LiveRate, type MediaFrameMeta, type StreamProfile, type StreamStatus } from '../../contract';
import type { ClientSession } from '../client-session';
import type { ChannelRegistry } from '../devices/channel-registry';
import type { SignalBus } from '../signal-bus';
import type { Logger } from '../log';
import { fragmentWithoutAudio, initWithoutAudio, type FragmentInfo, type TrackInfo } from '../media/fmp4';
import { jpegFromKeyframe, jpegSize, type FrameOverlay } from '../media/snapshot';
import { StreamHub, type HubConsumer, type StreamHubOptions, type StreamStatus as HubStatus } from '../media/stream-hub';

export interface LiveServiceOptions {
  registry: ChannelRegistry;
  signals: SignalBus;
  logger: Logger;
  ffmpegPath: () => string;
  snapshotsDir: () => string;
  /** Privacy masks burnt into the snapshots the station makes (those not lifted by the asking session). */
  burnIn?: (channelId: number, session?: ClientSession) => { key: string; overlay: FrameOverlay } | null;
  graceMs?: number;
  stallMs?: number;
  clock?: () => number;
  /** A remote station's stream, relayed by sites/: its upstream, or undefined for the station's own channels. */
  remoteStream?: (channelId: number, profile: StreamProfile) => StreamHubOptions['open'] | undefined;
}

function parseStreamId(streamId: string): { channelId: number; profile: StreamProfile } {
  const [id, profile] = streamId.split('/');
  return { channelId: Number(id), profile: profile as StreamProfile };
}

/** H.264 the renderer can always decode; H.265 only where it says so, otherwise a shared transcoder. */
export const TRANSCODE_ARGS = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', '50', '-pix_fmt', 'yuv420p'];

/** Live view: a StreamHub per camera stream, viewers on per-client media channels, snapshots from the cache. */
export class LiveService {
  private readonly hubs = new Map<string, StreamHub>();
  private readonly transcoders = new Map<string, StreamHub>();
  private readonly sessions = new WeakMap<ClientSession, { next: number; open: Map<number, { close: () => void; setRate: (r: LiveRate) => void }> }>();
  private readonly clock: () => number;

  constructor(private readonly opts: LiveServiceOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  private emitStatus(streamId: string, s: HubStatus, transcoded = false): void {
    this.opts.signals.emit('stream.status', toStreamStatus(streamId, s, transcoded));
  }

  /** The one hub of a stream, created on first use. */
  async hub(streamId: string): Promise<StreamHub> {
    let hub = this.hubs.get(streamId);
    if (hub) return hub;
    const { channelId, profile } = parseStreamId(streamId);
    const open = this.opts.remoteStream?.(channelId, profile);
    const url = open ? `site:${streamId}` : await this.opts.registry.streamUrl(channelId, profile);
    hub = this.hubs.get(streamId);
    if (hub) return hub;
    hub = new StreamHub({
      id: streamId, url, ffmpegPath: this.opts.ffmpegPath(), logger: this.opts.logger,
      graceMs: this.opts.graceMs, stallMs: this.opts.stallMs, clock: this.opts.clock,
      // WATCHPOST_INGEST=ffmpeg: every camera through ffmpeg, as before the station read RTSP itself (troubleshooting, benches).
      ingest: process.env.WATCHPOST_INGEST === 'ffmpeg' ? 'ffmpeg' : 'auto',
      open,
      onStatus: (s) => this.emitStatus(streamId, s),
    });
    this.hubs.set(streamId, hub);
    return hub;
  }

  private transcoder(streamId: string, source: StreamHub): StreamHub {
    let t = this.transcoders.get(streamId);
    if (t) return t;
    t = new StreamHub({
      id: `${streamId}~h264`, url: 'pipe:0', ffmpegPath: this.opts.ffmpegPath(), logger: this.opts.logger,
      // The source hub's audio is AAC already: copied.
      graceMs: 2000, stallMs: this.opts.stallMs, videoArgs: TRANSCODE_ARGS, audioArgs: ['-c:a', 'copy'], clock: this.opts.clock,
      onStatus: (s) => { if (s.state === 'live') this.emitStatus(streamId, { ...source.status }, true); },
      feed: (stdin) => source.attach(feedTo(stdin)),
    });
    this.transcoders.set(streamId, t);
    return t;
  }

  status(): StreamStatus[] {
    return [...this.hubs].map(([streamId, h]) => toStreamStatus(streamId, h.status, !!this.transcoders.get(streamId)?.consumerCount));
  }

  /** Starts a stream on the client's media port; returns the channel number its frames carry. */
  async open(session: ClientSession, streamId: string, hevc: boolean, audio = false, rate: LiveRate = 'full'): Promise<number> {
    const port = session.media;
    if (!port) throw fail('station.noMediaChannel');
    const hub = await this.hub(streamId);
    let s = this.sessions.get(session);
    if (!s) this.sessions.set(session, (s = { next: 1, open: new Map() }));
    const channel = s.next++;
    let detach: () => void = () => {};
    // direct: the camera's own stream; switching/transcoded: H.265 the renderer cannot decode goes through the transcoder.
    let mode: 'direct' | 'switching' | 'transcoded' = 'direct';
    let tracks: TrackInfo | undefined;
    // Keyframes only: each keyframe alone (a picture a GOP at a fraction of the decoding). Back to full rate from the next
    // keyframe, since the frames between reference those not sent.
    let fromKeyframe = false;
    // What a hub replays on attach (init, cached GOP) is held and sent as three frames: the init, marked with the GOP's start
    // so the page can lay it at time 0 and play without a seek; the keyframe (the first picture, on screen as soon as it is
    // in); the rest in one piece (one message for the page to take instead of fifty, each costing it about a millisecond).
    let replay: { init?: { data: Buffer; meta: MediaFrameMeta }; gop: { data: Buffer; info: FragmentInfo }[] } | undefined;
    const attachTo = (h: StreamHub) => {
      replay = { gop: [] };
      const off = h.attach(viewer);
      const { init, gop } = replay;
      replay = undefined;
      if (init) {
        const start = gop[0]?.info.keyframe && tracks ? { start: gop[0].info.baseDecodeTime / tracks.timescale } : {};
        port.send(encodeMediaFrameHead({ channel, kind: 'init', keyframe: false, meta: { ...init.meta, ...start }, payload: init.data }), init.data);
      }
      for (const part of [gop.slice(0, 1), rate === 'keyframes' ? [] : gop.slice(1)]) {
        if (part.length === 0) continue;
        const data = part.length === 1 ? part[0]!.data : Buffer.concat(part.map((f) => f.data));
        port.send(encodeMediaFrameHead({ channel, kind: 'fragment', keyframe: part[0]!.info.keyframe, payload: data }), data);
      }
      return off;
    };
    const viewer: HubConsumer = {
      init: (data, info) => {
        if (mode === 'direct' && info.kind === 'h265' && !hevc) {
          mode = 'switching';
          queueMicrotask(() => {
            detach();
            mode = 'transcoded';
            detach = attachTo(this.transcoder(streamId, hub));
          });
          return;
        }
        tracks = info;
        const withAudio = audio && !!info.audio;
        const init = withAudio ? data : initWithoutAudio(data, info);
        const meta = { codec: info.codec, width: info.width, height: info.height, transcoded: mode === 'transcoded', ...(withAudio && { audio: info.audio!.codec }) };
        if (replay) return void (replay.init = { data: init, meta });
        port.send(encodeMediaFrameHead({ channel, kind: 'init', keyframe: false, meta, payload: init }), init);
      },
      fragment: (data, info) => {
        if (mode === 'switching' || !tracks) return;
        if (rate === 'keyframes' || fromKeyframe) {
          if (!info.keyframe) return;
          fromKeyframe = false;
        }
        const out = audio ? data : fragmentWithoutAudio(data, info, tracks);
        if (!out) return;
        if (replay) return void replay.gop.push({ data: out, info });
        // Stamped with when it reached the station and its time in the stream: the page shows how long ago the frame on screen arrived.
        const stamp = { arrivedAt: this.clock(), time: info.baseDecodeTime / tracks.timescale, ...(info.capturedAt !== undefined ? { capturedAt: info.capturedAt } : {}) };
        port.send(encodeMediaFrameHead({ channel, kind: 'fragment', keyframe: info.keyframe, stamp, payload: out }), out);
      },
      backlog: () => port.backlog(),
    };
    // Media after the reply: the page knows the channel, and sets up its decoder, while the GOP is on its way.
    let closed = false;
    setImmediate(() => { if (!closed) detach = attachTo(hub); });
    const sessions = s;
    const close = session.own(() => {
      closed = true;
      detach();
      sessions.open.delete(channel);
    });
    s.open.set(channel, {
      close,
      setRate: (r) => {
        if (r === rate) return;
        fromKeyframe = r === 'full';
        rate = r;
      },
    });
    return channel;
  }

  close(session: ClientSession, channel: number): void {
    this.sessions.get(session)?.open.get(channel)?.close();
  }

  /** What an open channel is sent from now on (a tile grown, selected, or made small). */
  setRate(session: ClientSession, channel: number, rate: LiveRate): void {
    this.sessions.get(session)?.open.get(channel)?.setRate(rate);
  }

  /**
   * A relayed stream's source moved (sites/: a station away and its standby holding the camera, or back): its hub opens
   * a new upstream, which replaces the current one once it delivers. False when nobody watches that stream any more.
   */
  restream(streamId: string): boolean {
    const hub = this.hubs.get(streamId);
    if (!hub || hub.consumerCount === 0) return false;
    hub.switchUpstream();
    return true;
  }

  retry(streamId: string): void {
    const hub = this.hubs.get(streamId);
    if (!hub) throw fail('live.streamNotOpen', { id: streamId });
    hub.retryNow();
  }

  /** A JPEG of the channel's current keyframe, written to the snapshots folder. */
  async snapshot(channelId: number, session?: ClientSession): Promise<{ path: string; jpeg: Buffer; width: number; height: number; takenAt: number }> {
    if (!this.opts.remoteStream?.(channelId, 'main')) await this.opts.registry.get(channelId);
    // Prefer a stream already running (no new camera connection), main before sub.
    const running = [`${channelId}/main`, `${channelId}/sub`].map((k) => this.hubs.get(k)).find((h) => h?.cached().init && h.cached().gop.length);
    const hub = running ?? (await this.hub(`${channelId}/main`));
    let detach: (() => void) | undefined;
    if (!hub.cached().init || hub.cached().gop.length === 0) {
      // Not running: hold a connection just long enough for one keyframe (the grace period keeps it warm).
      detach = hub.attach({ init: () => {}, fragment: () => {} });
      const until = this.clock() + 10_000;
      while ((!hub.cached().init || hub.cached().gop.length === 0) && this.clock() < until) await new Promise((r) => setTimeout(r, 50));
    }
    try {
      const { init, gop } = hub.cached();
      if (!init || !gop[0]) throw fail('live.noPicture', { channel: channelId }, hub.status.reason ?? hub.status.state);
      const jpeg = await jpegFromKeyframe(this.opts.ffmpegPath(), init.data, gop[0].data, undefined, this.opts.burnIn?.(channelId, session)?.overlay);
      const takenAt = this.clock();
      const dir = this.opts.snapshotsDir();
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `channel-${channelId}-${new Date(takenAt).toISOString().replace(/[:.]/g, '-')}.jpg`);
      writeFileSync(path, jpeg);
      return { path, jpeg, takenAt, ...jpegSize(jpeg) };
    } finally {
      detach?.();
    }
  }

  /** Closes the hubs of a removed channel. */
  forgetChannel(channelId: number): void {
    for (const map of [this.transcoders, this.hubs]) {
      for (const [id, hub] of map) {
        if (parseStreamId(id).channelId !== channelId) continue;
        hub.close();
        map.delete(id);
      }
    }
  }

  dispose(): void {
    for (const h of [...this.transcoders.values(), ...this.hubs.values()]) h.close();
    this.transcoders.clear();
    this.hubs.clear();
  }
}

/** A hub's status as the contract reports it. */
function toStreamStatus(streamId: string, s: HubStatus, transcoded: boolean): StreamStatus {
  return {
    streamId, state: s.state, failures: s.failures, reason: s.reason, retryAt: s.retryAt,
    codec: s.track?.codec, width: s.track?.width, height: s.track?.height, transcoded, audio: s.track?.audio?.codec,
  };
}

/** Writes a hub's fMP4 into a transcoder's stdin. */
function feedTo(stdin: NodeJS.WritableStream & { writableLength: number }): HubConsumer {
  return {
    init: (data) => void stdin.write(data),
    fragment: (data) => void stdin.write(data),
    backlog: () => stdin.writableLength,
  };
}
