// What the operation log keeps of watching: each live view opened and closed on its camera (the close names the camera,
// not the connection's media channel), and each range of the archive a playback session went over (from where it was
// opened or sought to, to where it was when it was sought away, closed, or its connection went), per channel.
import type { PlaybackState } from '../../contract';
import type { ClientSession } from '../client-session';

type Played = { channels: number[]; from: number; pos: number; at: number; speed: number; paused: boolean };
export type Watched = { channels: number[]; from: number; to: number };

export class Viewing {
  private readonly live = new WeakMap<ClientSession, Map<number, number>>();
  private readonly played = new Map<number, Played>();

  constructor(private readonly clock: () => number) {}

  /** A live view opened: `media` is the connection's channel for it; `ended` runs if the connection goes first. */
  liveOpened(session: ClientSession, media: number, camera: number, ended: (camera: number) => void): void {
    let views = this.live.get(session);
    if (!views) this.live.set(session, (views = new Map()));
    views.set(media, camera);
    session.own(() => {
      if (views.get(media) === camera && views.delete(media)) ended(camera);
    });
  }

  /** The camera of a live view closed by its media channel (undefined: not one this connection opened). */
  liveClosed(session: ClientSession, media: number): number | undefined {
    const views = this.live.get(session);
    const camera = views?.get(media);
    views?.delete(media);
    return camera;
  }

  /** Where a session is on the archive now, from the last state heard and how fast it plays. */
  private position(p: Played): number {
    return p.paused ? p.pos : p.pos + (this.clock() - p.at) * p.speed;
  }

  playbackOpened(session: ClientSession, state: PlaybackState, channels: number[], ended: (w: Watched) => void): void {
    this.played.set(state.sessionId, { channels, from: state.position, pos: state.position, at: this.clock(), speed: state.speed, paused: state.paused });
    session.own(() => {
      const w = this.playbackClosed(state.sessionId);
      if (w) ended(w);
    });
  }

  /** A state heard (a call's answer or the playback.state signal): the session goes on from there. */
  playbackState(state: PlaybackState): void {
    const p = this.played.get(state.sessionId);
    if (p) Object.assign(p, { pos: state.position, at: this.clock(), speed: state.speed, paused: state.paused });
  }

  /** Sought elsewhere: the range watched until now ends, the next starts at the new position. */
  playbackSought(state: PlaybackState): Watched | undefined {
    const p = this.played.get(state.sessionId);
    if (!p) return undefined;
    const w = { channels: p.channels, from: p.from, to: Math.max(p.from, this.position(p)) };
    Object.assign(p, { from: state.position, pos: state.position, at: this.clock(), speed: state.speed, paused: state.paused });
    return w;
  }

  playbackClosed(sessionId: number): Watched | undefined {
    const p = this.played.get(sessionId);
    if (!p) return undefined;
    this.played.delete(sessionId);
    return { channels: p.channels, from: p.from, to: Math.max(p.from, this.position(p)) };
  }
}
