import { useRef, useState } from 'react';
import { useLazyArchiveThumbnailQuery } from './recording-api';

export interface Hover { t: number; x: number; jpeg?: string }

/** The instant under the pointer on a timeline, with the recorded picture there once fetched (kept per 10 s of a channel). */
export function useHoverThumbnail(source: string) {
  const [hover, setHover] = useState<Hover | null>(null);
  const thumbs = useRef(new Map<string, string>());
  const [fetchThumbnail] = useLazyArchiveThumbnailQuery();

  const hoverAt = (t: number | null, x: number, channelId: number) => {
    if (t === null) return setHover(null);
    setHover({ t, x });
    const key = `${source}:${channelId}:${Math.round(t / 10_000)}`;
    const hit = thumbs.current.get(key);
    if (hit) return setHover({ t, x, jpeg: hit });
    fetchThumbnail({ source, channelId, at: Math.round(t) }).unwrap().then((r) => {
      if (!r) return;
      thumbs.current.set(key, r.jpegBase64);
      setHover((h) => (h && Math.abs(h.t - t) < 1 ? { ...h, jpeg: r.jpegBase64 } : h));
    }, () => {});
  };
  return { hover, hoverAt, clearHover: () => setHover(null) };
}
