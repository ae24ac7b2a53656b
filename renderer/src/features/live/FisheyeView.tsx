import { forwardRef, useEffect, useImperativeHandle, useRef, useState, type PointerEvent, type RefObject, type WheelEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FisheyeLens, MaskPoint } from '../../../../electron/contract';
import { firstView, FisheyeRenderer, moveView, quadViews, type DewarpMode, type View } from './fisheye';

export interface FisheyeHandle {
  /** Moves the active view by viewport fractions and zooms it by a factor (keys in the tile's PTZ mode). */
  nudge(dx: number, dy: number, zoom?: number): void;
}

interface Props {
  lens: FisheyeLens;
  mode: DewarpMode;
  /** The tile's media box: its shown <video> is the picture drawn. */
  media: RefObject<HTMLDivElement | null>;
  label: string;
  /** The channel's privacy masks shown here: burnt into the picture before it is de-warped. */
  masks: readonly (readonly MaskPoint[])[];
}

/**
 * A fisheye channel de-warped over its tile: one view, four, or the panorama, drawn with WebGL from the tile's own
 * video each frame. Dragging turns the view under the pointer (in four views, that quarter's), the wheel zooms.
 */
export const FisheyeView = forwardRef<FisheyeHandle, Props>(function FisheyeView({ lens, mode, media, label, masks }, ref) {
  const { t } = useTranslation('live');
  const canvas = useRef<HTMLCanvasElement>(null);
  const [views, setViews] = useState<View[]>(() => (mode === 'quad' ? quadViews(lens.mount) : [firstView(lens.mount)]));
  const [active, setActive] = useState(0);
  const [failed, setFailed] = useState(false);
  const drag = useRef<{ x: number; y: number } | null>(null);
  const shown = useRef({ lens, mode, views, masks, dirty: true });
  shown.current = { lens, mode, views, masks, dirty: true };

  useEffect(() => {
    setViews(mode === 'quad' ? quadViews(lens.mount) : [firstView(lens.mount)]);
    setActive(0);
  }, [mode, lens.mount]);

  useEffect(() => {
    const c = canvas.current!;
    let gl: FisheyeRenderer;
    try { gl = new FisheyeRenderer(c); } catch { setFailed(true); return; }
    const fit = new ResizeObserver(() => {
      c.width = Math.max(1, Math.round(c.clientWidth * devicePixelRatio));
      c.height = Math.max(1, Math.round(c.clientHeight * devicePixelRatio));
      shown.current.dirty = true;
    });
    fit.observe(c);
    let frame = 0, lastTime = -1, lastVideo: HTMLVideoElement | null = null;
    const tick = () => {
      frame = requestAnimationFrame(tick);
      const video = media.current?.querySelector<HTMLVideoElement>('video.tile-video:not(.pending)') ?? null;
      if (!video || video.readyState < 2 || !video.videoWidth) return;
      // A new picture, another video (stream switched) or another view: draw again.
      if (!shown.current.dirty && video === lastVideo && video.currentTime === lastTime) return;
      lastVideo = video;
      lastTime = video.currentTime;
      shown.current.dirty = false;
      gl.draw(video, shown.current.lens, shown.current.mode, shown.current.views, shown.current.masks);
      c.dataset.drawn = String(Number(c.dataset.drawn ?? 0) + 1);
    };
    frame = requestAnimationFrame(tick);
    return () => { cancelAnimationFrame(frame); fit.disconnect(); };
  }, [media]);

  const move = (i: number, dx: number, dy: number, zoom = 1) =>
    setViews((vs) => vs.map((v, j) => (j === i ? moveView(lens.mount, v, dx, dy, zoom) : v)));
  useImperativeHandle(ref, () => ({ nudge: (dx, dy, zoom) => move(active, dx, dy, zoom) }), [active, lens.mount]);

  // Which view is under the pointer, and the pointer's move in that view's own width and height.
  const cellOf = (e: { clientX: number; clientY: number }) => {
    const r = canvas.current!.getBoundingClientRect();
    const cells = mode === 'quad' ? 2 : 1;
    const col = Math.min(cells - 1, Math.floor(((e.clientX - r.left) / r.width) * cells));
    const row = Math.min(cells - 1, Math.floor(((e.clientY - r.top) / r.height) * cells));
    return { index: row * cells + col, w: r.width / cells, h: r.height / cells };
  };
  const onPointerDown = (e: PointerEvent) => {
    if (mode === 'panorama') return;
    e.stopPropagation();
    setActive(cellOf(e).index);
    drag.current = { x: e.clientX, y: e.clientY };
    (e.target as Element).setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag.current) return;
    const { w } = cellOf({ clientX: drag.current.x, clientY: drag.current.y });
    // Both in the view's width: its field of view spans the width.
    move(active, (e.clientX - drag.current.x) / w, (e.clientY - drag.current.y) / w);
    drag.current = { x: e.clientX, y: e.clientY };
  };
  const onWheel = (e: WheelEvent) => {
    if (mode === 'panorama') return;
    e.stopPropagation();
    const i = cellOf(e).index;
    setActive(i);
    move(i, 0, 0, Math.pow(1.0015, e.deltaY));
  };

  const round = (v: number) => Math.round(v * 10) / 10;
  return (
    <div className={`fisheye fisheye-${mode}`} data-dewarp={mode}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={label}
        data-views={JSON.stringify(views.map((v) => ({ pan: round(v.pan), tilt: round(v.tilt), fov: round(v.fov) })))}
        data-active={active}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = null)}
        onWheel={onWheel}
      />
      {mode === 'quad' && <span className="fisheye-active" style={{ left: `${(active % 2) * 50}%`, top: `${Math.floor(active / 2) * 50}%` }} aria-hidden="true" />}
      {failed && <div className="tile-problem" role="status">{t('fisheye.noWebgl')}</div>}
    </div>
  );
});
