// A live stream's lifecycle: live.open hands out a media channel whose binary frames feed one MSE player;
// both are closed together when the <video> goes or the stream changes.
import { useEffect, useRef, type RefObject } from 'react';
import { useStationClient } from '../../app/client-context';
import { useAppSelector } from '../../app/hooks';
import { MsePlayer, type PlayerStats } from '../../media/mse-player';
import { errorText } from '../../i18n/errors';

export interface LiveStreamCallbacks {
  onFirstFrame(streamId: string): void;
  onStats?(stats: PlayerStats & { transcoded: boolean }): void;
  onError?(message: string): void;
}

/** Plays one stream in the <video> while the station is connected; `audio`: opened with the camera's sound, unmuted. */
export function useLiveStream(video: RefObject<HTMLVideoElement | null>, streamId: string, audio: boolean, callbacks: LiveStreamCallbacks): void {
  const client = useStationClient();
  const connection = useAppSelector((s) => s.shell.connection);
  const latest = useRef(callbacks);
  latest.current = callbacks;

  useEffect(() => {
    const el = video.current;
    if (!el || connection !== 'open') return;
    let transcoded = false;
    const player = new MsePlayer(el, {
      onFirstFrame: () => latest.current.onFirstFrame(streamId),
      onError: (m) => latest.current.onError?.(m),
    });
    el.muted = !audio;
    let cancelled = false;
    let channel: number | undefined;
    let off = () => {};
    const hevc = MsePlayer.supports('hvc1.1.6.L93.B0');
    client.call('live.open', { streamId, hevc, audio }).then(({ channel: ch }) => {
      channel = ch;
      if (cancelled) return void client.call('live.close', { channel: ch }).catch(() => {});
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
      clearInterval(stats);
      off();
      player.destroy();
      if (channel !== undefined) void client.call('live.close', { channel }).catch(() => {});
    };
  }, [client, streamId, connection, audio]);
}
