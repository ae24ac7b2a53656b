// A live stream's lifecycle: live.open hands out a media channel whose binary frames feed one MSE player;
// both are closed together when the <video> goes or the stream changes.
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import { useStationClient } from '../../app/client-context';
import { useAppSelector } from '../../app/hooks';
import type { LiveRate } from '../../../../electron/contract';
import { MsePlayer, type PlayerStats } from '../../media/mse-player';
import { errorText } from '../../i18n/errors';

export interface LiveStreamCallbacks {
  onFirstFrame(streamId: string): void;
  onStats?(stats: PlayerStats & { transcoded: boolean }): void;
  onError?(message: string): void;
}

/**
 * Plays one stream in the <video> while the station is connected; `audio`: opened with the camera's sound, unmuted;
 * `rate`: every frame, or keyframes only (changed on the open channel, without reopening it).
 */
export function useLiveStream(video: RefObject<HTMLVideoElement | null>, streamId: string, audio: boolean, rate: LiveRate, callbacks: LiveStreamCallbacks): void {
  const client = useStationClient();
  const connection = useAppSelector((s) => s.shell.connection);
  const latest = useRef(callbacks);
  latest.current = callbacks;
  const wanted = useRef(rate);
  wanted.current = rate;
  /** The open channel, its player, and the rate the station sends it. */
  const open = useRef<{ channel: number; player: MsePlayer; rate: LiveRate } | null>(null);

  // A layout effect: the stream is asked for as the tile is committed, not after the browser has painted it.
  useLayoutEffect(() => {
    const el = video.current;
    if (!el || connection !== 'open') return;
    let transcoded = false;
    const player = new MsePlayer(el, {
      onFirstFrame: () => latest.current.onFirstFrame(streamId),
      onError: (m) => latest.current.onError?.(m),
    });
    el.muted = !audio;
    const sent = wanted.current;
    player.setStills(sent === 'keyframes');
    let cancelled = false;
    let channel: number | undefined;
    let off = () => {};
    const hevc = MsePlayer.supports('hvc1.1.6.L93.B0');
    client.call('live.open', { streamId, hevc, audio, rate: sent }).then(({ channel: ch }) => {
      channel = ch;
      if (cancelled) return void client.call('live.close', { channel: ch }).catch(() => {});
      open.current = { channel: ch, player, rate: sent };
      if (wanted.current !== sent) setRate(wanted.current);
      off = client.onMedia(ch, (f) => {
        if (f.kind === 'init' && f.meta) {
          transcoded = !!f.meta.transcoded;
          player.setInit(f.payload, f.meta);
        } else if (f.kind === 'fragment') {
          player.append(f.payload, f.keyframe, f.stamp);
        }
      });
    }, (err: unknown) => latest.current.onError?.(errorText(err)));
    const stats = setInterval(() => latest.current.onStats?.({ ...player.stats, transcoded }), 1000);
    return () => {
      cancelled = true;
      open.current = null;
      clearInterval(stats);
      off();
      player.destroy();
      if (channel !== undefined) void client.call('live.close', { channel }).catch(() => {});
    };
  }, [client, streamId, connection, audio]);

  function setRate(r: LiveRate): void {
    const o = open.current;
    if (!o || o.rate === r) return;
    o.rate = r;
    o.player.setStills(r === 'keyframes');
    void client.call('live.rate', { channel: o.channel, rate: r }).catch(() => {});
  }
  useEffect(() => setRate(rate));
}
