import { fail } from '../../contract';
import type { ClientSession } from '../client-session';
import type { ChannelRegistry } from '../devices/channel-registry';
import type { Logger } from '../log';
import { g711Encode } from '../media/g711';
import { hasBackchannel, NoBackchannel, openBackchannel } from '../media/rtsp-backchannel';

/** How a channel's speaker is reached; the devices area builds it (DeviceService.talkOf). */
export interface TalkRoute {
  /** The channel's main stream with credentials: its ONVIF audio back channel is tried first. */
  rtspUrl: string;
  /** How many speakers the device says it has. */
  speakers(): Promise<number>;
  /** Dahua's audio upload (A-law), where the device has it. */
  upload?(): Promise<{ send(alaw: Buffer): void; close(): void; ended: Promise<string> }>;
}
export type TalkOf = (channelId: number) => Promise<TalkRoute | null>;

/** No audio from the page for this long ends a talk (a page gone without talk.stop, a frozen renderer). */
export const TALK_IDLE_MS = 3000;
/** A camera answering its first DESCRIBE slowly (a stream it starts on demand) still gets its talk. */
const SETUP_TIMEOUT_MS = 15_000;
/** A channel's speaker probe gives up after this; one that failed is asked again after RETRY_MS (an offline camera). */
const PROBE_TIMEOUT_MS = 4000;
const RETRY_MS = 5 * 60_000;

interface Link { send(pcm: Int16Array): void; close(): void; ended: Promise<string> }

interface Talk {
  session: ClientSession;
  via: 'onvif' | 'dahua';
  link: Link;
  startedAt: number;
  lastAudioAt: number;
  /** Why it ended before talk.stop (the camera hung up, silence); the entry stays until stop so stop can say how long. */
  ended?: string;
  /** Writes `talk.ended` when the station ends it (talk.stop's own row comes from the dispatcher). */
  record?: (kind: string, channelId: number, detail: object) => void;
  release: () => void;
  idle: NodeJS.Timeout;
}

/**
 * Two-way audio (issue 21): an operator's microphone to a camera's speaker. Which channels have one is asked of their
 * devices in the background (as PTZ is); a talk is one link per channel (the ONVIF back channel, else Dahua's upload)
 * held by the connection that started it, fed 8 kHz PCM by talk.audio and coded to G.711 here.
 */
export class TalkService {
  private readonly talks = new Map<number, Talk>();
  private closed = false;
  private probing: Promise<void> = Promise.resolve();
  /** When each channel's probe last failed. */
  private readonly failedAt = new Map<number, number>();

  constructor(private readonly o: {
    registry: ChannelRegistry; talkOf: TalkOf; logger: Logger; clock: () => number; onChanged: () => void;
    /** The operation log's writer for the connection (its user now): a talk the station ends itself is a row of its own. */
    recorder?: (session: ClientSession) => (kind: string, channelId: number, detail: object) => void;
  }) {}

  /**
   * How a channel's speaker is reached: its device's way, or for a channel added by its RTSP URL (no device; not another
   * station's) the ONVIF back channel of its main stream, whose DESCRIBE alone says whether there is one.
   */
  private async route(channelId: number): Promise<TalkRoute | null> {
    const viaDevice = await this.o.talkOf(channelId);
    if (viaDevice) return viaDevice;
    const c = await this.o.registry.get(channelId).catch(() => undefined);
    if (!c || c.device || c.site) return null;
    const rtspUrl = await this.o.registry.streamUrl(channelId, 'main');
    return { rtspUrl, speakers: async () => ((await hasBackchannel(rtspUrl, PROBE_TIMEOUT_MS)) ? 1 : 0) };
  }

  /** Asks channels not asked yet whether they have a speaker; one round at a time, none after dispose. */
  probe(): Promise<void> {
    this.probing = this.probing.then(() => this.probeRound()).catch((err: Error) => this.o.logger.warn({ err: err.message }, 'speaker probe failed'));
    return this.probing;
  }

  private async probeRound(): Promise<void> {
    let changed = false;
    /** Per device: its answer, asked once a round. */
    const asked = new Map<number, Promise<number>>();
    for (const c of this.closed ? [] : await this.o.registry.list()) {
      if (this.closed) return;
      if (this.o.registry.speakerKnown(c.id) || c.site || this.o.clock() - (this.failedAt.get(c.id) ?? -Infinity) < RETRY_MS) continue;
      try {
        const route = await this.route(c.id);
        // A device is asked once for all its channels; a channel added by URL on its own.
        const key = c.device ? c.device.id : -c.id;
        let n = route ? asked.get(key) : Promise.resolve(0);
        if (!n) { n = route!.speakers(); asked.set(key, n); }
        changed = this.o.registry.setSpeaker(c.id, (await n) > 0) || changed;
      } catch (err) {
        this.failedAt.set(c.id, this.o.clock());
        this.o.logger.warn({ channel: c.id, err: (err as Error).message }, 'cannot ask the device about a speaker');
      }
    }
    if (changed) this.o.onChanged();
  }

  /** Devices or channels changed (added, moved, removed): ask the new channels. */
  devicesChanged(): void {
    void this.probe();
  }

  async start(session: ClientSession, channelId: number): Promise<{ via: 'onvif' | 'dahua' }> {
    const { name } = await this.o.registry.get(channelId);
    const busy = () => { const t = this.talks.get(channelId); return t && !t.ended && t.session !== session; };
    if (busy()) throw fail('talk.busy', { name });
    const route = await this.route(channelId);
    if (!route) throw fail('talk.noSpeaker', { name, id: channelId });
    const { link, via } = await this.open(route, channelId, name);
    // Another window may have started on the same speaker while this one was setting up.
    if (busy()) { link.close(); throw fail('talk.busy', { name }); }
    this.end(channelId, 'restarted');
    const now = this.o.clock();
    const talk: Talk = {
      session, via, link, startedAt: now, lastAudioAt: now, record: this.o.recorder?.(session),
      release: () => {},
      idle: setInterval(() => { if (this.o.clock() - talk.lastAudioAt > TALK_IDLE_MS) this.finish(talk, channelId, 'no audio from the page'); }, 1000),
    };
    talk.idle.unref();
    talk.release = session.own(() => { this.finish(talk, channelId, 'the page went away'); this.talks.delete(channelId); });
    this.talks.set(channelId, talk);
    void link.ended.then((why) => this.finish(talk, channelId, why));
    this.o.logger.info({ channel: channelId, via }, 'talk started');
    return { via };
  }

  /** The ONVIF back channel; a camera without one (551, no sendonly track) is tried with Dahua's upload where it has one. */
  private async open(route: TalkRoute, channelId: number, name: string): Promise<{ link: Link; via: 'onvif' | 'dahua' }> {
    try {
      return { link: await openBackchannel(route.rtspUrl, { timeoutMs: SETUP_TIMEOUT_MS }), via: 'onvif' };
    } catch (err) {
      if (!(err instanceof NoBackchannel)) this.o.logger.warn({ channel: channelId, err: (err as Error).message }, 'audio back channel failed');
      if (!route.upload) throw err instanceof NoBackchannel ? fail('talk.noSpeaker', { name, id: channelId }) : fail('talk.failed', { name });
    }
    try {
      const up = await route.upload();
      return { link: { send: (pcm) => up.send(g711Encode(pcm, 'a')), close: () => up.close(), ended: up.ended }, via: 'dahua' };
    } catch (err) {
      this.o.logger.warn({ channel: channelId, err: (err as Error).message }, 'Dahua audio upload failed');
      throw fail('talk.failed', { name });
    }
  }

  async audio(session: ClientSession, channelId: number, pcmBase64: string): Promise<void> {
    const talk = this.talks.get(channelId);
    if (!talk || talk.session !== session) throw fail('talk.notTalking', { id: channelId });
    if (talk.ended) throw fail('talk.failed', { name: (await this.o.registry.get(channelId)).name });
    const bytes = Buffer.from(pcmBase64, 'base64');
    const pcm = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
    talk.lastAudioAt = this.o.clock();
    talk.link.send(pcm);
  }

  /** Ends the connection's talk; how long it lasted, from start to its last audio. */
  stop(session: ClientSession, channelId: number): { via: 'onvif' | 'dahua'; seconds: number } {
    const talk = this.talks.get(channelId);
    if (!talk || talk.session !== session) throw fail('talk.notTalking', { id: channelId });
    this.finish(talk, channelId, 'stopped');
    this.talks.delete(channelId);
    talk.release();
    return { via: talk.via, seconds: Math.round((talk.lastAudioAt - talk.startedAt) / 100) / 10 };
  }

  private end(channelId: number, why: string): void {
    const talk = this.talks.get(channelId);
    if (!talk) return;
    this.finish(talk, channelId, why);
    this.talks.delete(channelId);
    talk.release();
  }

  private finish(talk: Talk, channelId: number, why: string): void {
    if (talk.ended) return;
    talk.ended = why;
    clearInterval(talk.idle);
    talk.link.close();
    const seconds = Math.round((talk.lastAudioAt - talk.startedAt) / 100) / 10;
    this.o.logger.info({ channel: channelId, via: talk.via, seconds, why }, 'talk ended');
    if (why !== 'stopped') talk.record?.('talk.ended', channelId, { via: talk.via, seconds, ended: why });
  }

  async dispose(): Promise<void> {
    this.closed = true;
    for (const id of [...this.talks.keys()]) this.end(id, 'the station stops');
    await this.probing;
  }
}
