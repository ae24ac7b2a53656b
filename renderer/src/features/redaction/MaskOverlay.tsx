import { useEffect, useState, type RefObject } from 'react';
import { MASK_COLOR, type MaskPoint } from '../../../../electron/contract';

/** The picture's own size, from the video element (what object-fit: contain letterboxes). */
export function useVideoSize(video: RefObject<HTMLVideoElement | null>): { w: number; h: number } | null {
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const read = () => { if (v.videoWidth && v.videoHeight) setSize((s) => (s && s.w === v.videoWidth && s.h === v.videoHeight ? s : { w: v.videoWidth, h: v.videoHeight })); };
    read();
    v.addEventListener('loadedmetadata', read);
    v.addEventListener('resize', read);
    return () => { v.removeEventListener('loadedmetadata', read); v.removeEventListener('resize', read); };
  }, [video]);
  return size;
}

interface Props {
  /** The picture's size (its aspect places the outlines exactly where object-fit: contain puts the picture). */
  size: { w: number; h: number } | null;
  outlines: readonly (readonly MaskPoint[])[];
}

/** Privacy masks drawn opaque over a video: one SVG the size of the element, the picture's aspect kept as the video keeps it. */
export function MaskOverlay({ size, outlines }: Props) {
  if (!size || outlines.length === 0) return null;
  return (
    <svg className="mask-overlay" viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true" data-masks={outlines.length}>
      {outlines.map((o, i) => <polygon key={i} points={o.map((p) => `${p.x * size.w},${p.y * size.h}`).join(' ')} fill={MASK_COLOR} />)}
    </svg>
  );
}
