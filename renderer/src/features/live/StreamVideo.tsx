import { useEffect, useRef } from 'react';
import type { LiveRate } from '../../../../electron/contract';
import { MaskOverlay, useVideoSize } from '../redaction/MaskOverlay';
import { useChannelMasks } from '../redaction/use-masks';
import { useLiveStream, type LiveStreamCallbacks } from './use-live-stream';

interface Props extends LiveStreamCallbacks {
  streamId: string;
  pending: boolean;
  /** Heard: opened with the camera's audio, unmuted. Others get no audio track at all. */
  audio?: boolean;
  /** Every frame, or keyframes only (a small tile of a large layout). */
  rate?: LiveRate;
  /** The picture's own size, whenever it changes (the mask editor draws on the picture's aspect). */
  onSize?: (size: { w: number; h: number }) => void;
}

/** One stream in one <video>: opens the media channel, feeds the MSE player, closes both on unmount. */
export function StreamVideo({ streamId, pending, audio = false, rate = 'full', onFirstFrame, onStats, onError, onSize }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  useLiveStream(video, streamId, audio, rate, { onFirstFrame, onStats, onError });
  // Privacy masks drawn opaque over the picture, whichever stream (main/sub) and size it is.
  const size = useVideoSize(video);
  useEffect(() => { if (size) onSize?.(size); }, [size, onSize]);
  const outlines = useChannelMasks().shownOn(Number(streamId.split('/')[0]));
  return (
    <>
      <video ref={video} className={pending ? 'tile-video pending' : 'tile-video'} muted playsInline data-stream={streamId} data-audio={audio ? 'on' : 'off'} />
      <MaskOverlay size={size} outlines={outlines} />
    </>
  );
}
