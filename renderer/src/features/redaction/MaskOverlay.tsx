import { useEffect, useLayoutEffect, useState, type RefObject } from 'react';
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

/** The overlay's own box (the video element's), followed as it changes. */
function useBox(el: HTMLElement | null): { w: number; h: number } | null {
  const [box, setBox] = useState<{ w: number; h: number } | null>(null);
  useLayoutEffect(() => {
    if (!el) return;
    const read = () => setBox((b) => (b && b.w === el.clientWidth && b.h === el.clientHeight ? b : { w: el.clientWidth, h: el.clientHeight }));
    read();
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return box;
}

/**
 * Privacy masks drawn opaque over a video, where object-fit: contain puts the picture. Each mask is an SVG of its own, only
 * as large as its outline's bounds and on a layer of its own: every video frame has the compositor blend what lies over
 * the picture, and one overlay the size of the tile made that the whole tile for each frame (9 tiles: 1.19× the
 * renderer's CPU without masks).
 */
export function MaskOverlay({ size, outlines }: Props) {
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const box = useBox(el);
  if (!size || outlines.length === 0) return null;
  const scale = box ? Math.min(box.w / size.w, box.h / size.h) : 0;
  const ox = box ? (box.w - size.w * scale) / 2 : 0;
  const oy = box ? (box.h - size.h * scale) / 2 : 0;
  return (
    <div ref={setEl} className="mask-overlay" aria-hidden="true" data-masks={outlines.length}>
      {box && outlines.map((o, i) => {
        const xs = o.map((p) => p.x * size.w);
        const ys = o.map((p) => p.y * size.h);
        const x = Math.min(...xs), y = Math.min(...ys);
        const w = Math.max(...xs) - x, h = Math.max(...ys) - y;
        return (
          <svg key={i} className="mask-piece" viewBox={`${x} ${y} ${w} ${h}`} preserveAspectRatio="none"
            style={{ left: ox + x * scale, top: oy + y * scale, width: w * scale, height: h * scale }}>
            <polygon points={xs.map((px, k) => `${px},${ys[k]}`).join(' ')} fill={MASK_COLOR} />
          </svg>
        );
      })}
    </div>
  );
}
