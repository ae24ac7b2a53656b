// The playback session's lifecycle: its calls pair with the binary media fed to one MSE player per channel,
// so opening, seeking, controlling and closing live here together with the players and the clock.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PlaybackState } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { MsePlayer } from '../../media/mse-player';
import { playbackActions as A, sessionMatches } from './playback-slice';
import { errorText } from '../../i18n/errors';

export interface PlaybackSessionControls {
  /** Sound of every channel on or off (muted by default); the station sends audio at 1× only. */
  sound: boolean;
  toggleSound(): void;
  /** Plays from an instant: a seek in the session, or a new session when the channels shown changed. */
  seek(t: number): void;
  togglePause(): void;
  step(frames: number): void;
  setSpeed(speed: number): void;
  /** The ref callback of a channel's <video>. */
  videoRef(channelId: number): (el: HTMLVideoElement | null) => void;
}

export function usePlaybackSession(): PlaybackSessionControls {
  const client = useStationClient();
  const dispatch = useAppDispatch();
  const pb = useAppSelector((s) => s.playback);
  const pbRef = useRef(pb);
  pbRef.current = pb;
  const session = pb.session;
  const [sound, setSound] = useState(false);
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const videos = useRef(new Map<number, HTMLVideoElement>());
  const players = useRef(new Map<number, MsePlayer>());
  const setMessage = useCallback((m: string | null) => dispatch(A.messageShown(m)), [dispatch]);

  const closeSession = useCallback(() => {
    const s = pbRef.current.session;
    for (const p of players.current.values()) p.destroy();
    players.current.clear();
    if (s) void client.call('playback.close', { sessionId: s.state.sessionId }).catch(() => {});
    dispatch(A.sessionClosed());
  }, [client, dispatch]);
  useEffect(() => closeSession, [closeSession]);

  // Media of each channel into its own MSE player; the exact instant is reached by seeking to startSeconds.
  useEffect(() => {
    const session = pbRef.current.session;
    if (!session) return;
    const offs = session.channels.map(({ channelId, channel }) => {
      const video = videos.current.get(channelId);
      if (!video) return () => {};
      let player = players.current.get(channelId);
      if (!player) players.current.set(channelId, (player = new MsePlayer(video, { live: false, onError: (m) => setMessage(m) })));
      const p = player;
      return client.onMedia(channel, (f) => {
        if (f.kind === 'init' && f.meta) p.setInit(f.payload, f.meta);
        else if (f.kind === 'fragment') p.append(f.payload, f.keyframe);
      });
    });
    return () => offs.forEach((o) => o());
  }, [client, session?.state.sessionId]);

  useEffect(() => {
    for (const v of videos.current.values()) v.muted = !sound;
  });

  // The session clock drives the playhead; the videos are held at the instant asked for and kept together.
  useEffect(() => {
    const session = pbRef.current.session;
    if (!session) return;
    const st = session.state;
    const dir = st.speed < 0 ? -1 : 1;
    // The video is put where the session clock was when the state was sent: the seek instant, or where a pause or resume left it.
    const target = st.startSeconds + (dir * Math.max(0, st.position - st.t0)) / 1000 / Math.abs(st.speed);
    let aligned = false;
    let timer: ReturnType<typeof setTimeout>;
    // Every 16 ms until the videos stand at the instant (a seek waits on this), then every 100 ms.
    const step = () => {
      timer = setTimeout(step, aligned ? 100 : 16);
      const vids = session.channels.map((c) => videos.current.get(c.channelId)).filter((v): v is HTMLVideoElement => !!v);
      const lead = vids.find((v) => v.buffered.length > 0);
      for (const v of vids) {
        let rate = st.paused ? 0 : 1;
        if (v.buffered.length > 0) {
          const drift = lead && v !== lead && aligned ? v.currentTime - lead.currentTime : 0;
          if (!aligned && v.buffered.end(v.buffered.length - 1) >= target) v.currentTime = target;
          // Far off: jump to the lead; a little off: run 5% faster or slower until together (a jump costs a seek).
          else if (Math.abs(drift) > 0.25) v.currentTime = lead!.currentTime;
          else if (rate && Math.abs(drift) > 0.04) rate = drift > 0 ? 0.95 : 1.05;
        }
        if (v.playbackRate !== rate) v.playbackRate = rate;
      }
      if (!aligned && lead && Math.abs(lead.currentTime - target) < 0.05) aligned = true;
      if (lead && aligned) dispatch(A.positionChanged(st.t0 + (lead.currentTime - st.startSeconds) * 1000 * Math.abs(st.speed) * dir));
      else if (pbRef.current.position !== st.position) dispatch(A.positionChanged(st.position));
    };
    step();
    return () => clearTimeout(timer);
  }, [session?.state.sessionId, session?.state.epoch, dispatch]);

  useEffect(() => client.on('playback.state', (s) => dispatch(A.sessionStateChanged(s))), [client, dispatch]);

  const seek = useCallback((t: number) => {
    const cur = pbRef.current;
    if (cur.session && sessionMatches(cur)) {
      client.call('playback.seek', { sessionId: cur.session.state.sessionId, at: Math.round(t) }).then((state) => dispatch(A.sessionStateChanged(state)), (e: unknown) => setMessage(errorText(e)));
      return;
    }
    closeSession();
    if (cur.selected.length === 0) return;
    client.call('playback.open', { source: cur.source, channelIds: cur.selected, at: Math.round(t), audio: soundRef.current })
      .then((opened) => dispatch(A.sessionOpened(opened)), (e: unknown) => setMessage(errorText(e)));
  }, [client, closeSession, dispatch, setMessage]);

  // A control of the open session (none: nothing to do); the state it answers with replaces the session's.
  const control = (ask: (now: PlaybackState) => Promise<PlaybackState>) => {
    const s = pbRef.current.session;
    if (s) ask(s.state).then((state) => dispatch(A.sessionStateChanged(state)), (e: unknown) => setMessage(errorText(e)));
  };

  return {
    sound,
    toggleSound: () => {
      setSound(!sound);
      control(({ sessionId }) => client.call('playback.audio', { sessionId, audio: !sound }));
    },
    seek,
    togglePause: () => control(({ sessionId, paused }) => client.call('playback.pause', { sessionId, paused: !paused })),
    step: (frames) => control(({ sessionId }) => client.call('playback.step', { sessionId, frames })),
    setSpeed: (speed) => control(({ sessionId }) => client.call('playback.speed', { sessionId, speed })),
    videoRef: (id) => (el) => void (el ? videos.current.set(id, el) : videos.current.delete(id)),
  };
}
