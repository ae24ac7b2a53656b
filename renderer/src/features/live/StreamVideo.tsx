import { useEffect, useRef } from 'react';
import { useStationClient } from '../../app/client-context';
import { useAppSelector } from '../../app/hooks';
import { MsePlayer, type PlayerStats } from '../../media/mse-player';

interface Props {
  streamId: string;
  pending: boolean;
  /** Heard: opened with the camera's audio, unmuted. Others get no audio track at all. */
  audio?: boolean;
  onFirstFrame(streamId: string): void;
  onStats?(stats: PlayerStats & { transcoded: boolean }): void;
  onError?(message: string): void;
}

/** One stream in one <video>: opens the media channel, feeds the MSE player, closes both on unmount. */
export function StreamVideo({ streamId, pending, audio = false, onFirstFrame, onStats, onError }: Props) {
  const client = useStationClient();
  const connection = useAppSelector((s) => s.shell.connection);
  const video = useRef<HTMLVideoElement>(null);
  const callbacks = useRef({ onFirstFrame, onStats, onError });
  callbacks.current = { onFirstFrame, onStats, onError };

  useEffect(() => {
    const el = video.current;
    if (!el || connection !== 'open') return;
    let transcoded = false;
    const player = new MsePlayer(el, {
      onFirstFrame: () => callbacks.current.onFirstFrame(streamId),
      onError: (m) => callbacks.current.onError?.(m),
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
          player.append(f.payload, f.keyframe);
        }
      });
    }, (err: Error) => callbacks.current.onError?.(err.message));
    const stats = setInterval(() => callbacks.current.onStats?.({ ...player.stats, transcoded }), 1000);
    return () => {
      cancelled = true;
      clearInterval(stats);
      off();
      player.destroy();
      if (channel !== undefined) void client.call('live.close', { channel }).catch(() => {});
    };
  }, [client, streamId, connection, audio]);

  return <video ref={video} className={pending ? 'tile-video pending' : 'tile-video'} muted playsInline data-stream={streamId} data-audio={audio ? 'on' : 'off'} />;
}
