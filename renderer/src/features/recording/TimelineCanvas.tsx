import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimelineChannel } from '../../../../electron/contract';
import { shortcutOf } from '../../app/shortcuts';
import { useErrorText } from '../../i18n/errors';
import type { Density } from './use-timeline';
import { FRAME_MS, frameOf, instantText, tickLabel, tickStep, wheelFactor, type TimelineView } from './timeline-view';

const GAP_COLOURS: Record<string, string> = {
  camera_offline: '#e5534b', recording_off: '#3a414c', disk: '#e0a534', station_stopped: '#7a5af0', not_on_card: '#c25c8f',
};
/** The reasons of a gap, with the key of each one's name in the legend (recording namespace). */
export const GAP_REASONS: Record<string, string> = {
  camera_offline: 'legend.cameraOffline', recording_off: 'legend.recordingOff', disk: 'legend.disk', station_stopped: 'legend.stationStopped',
  not_on_card: 'legend.notOnCard',
};
/** Recorded time fetched from the camera's card after a lost connection (edge backfill): a shade of its own. */
export const FILLED_COLOUR = '#3fa8b2';
/** Recorded by this station as the standby of the channel's own station while that one was away (failover). */
export const STANDBY_COLOUR = '#cf8f5b';

/** A mark (start = end) or band drawn over a strip by another source: bookmarks, motion hits. */
export interface TimelineBand { start: number; end: number; colour: string }

/** Density bars: a bucket's green as strong as its recorded share (any recording stays visible), events above in blue. */
function drawDensity(g: CanvasRenderingContext2D, d: Density, x: (t: number) => number): void {
  const w = Math.max(1, x(d.from + d.bucketMs) - x(d.from));
  d.recorded.forEach((r, b) => {
    if (r <= 0) return;
    g.fillStyle = '#3fb27f';
    g.globalAlpha = 0.5 + 0.5 * r;
    g.fillRect(x(d.from + b * d.bucketMs), 8, w, 12);
  });
  g.fillStyle = '#4f9cf0';
  d.events.forEach((n, b) => {
    if (n <= 0) return;
    g.globalAlpha = Math.min(1, 0.35 + Math.log10(n + 1) / 3);
    g.fillRect(x(d.from + b * d.bucketMs), 4, w, 4);
  });
  g.globalAlpha = 1;
}

/** Below this span a click seeks to the frame under the pointer. */
const FRAME_SCALE_MS = 2000;

interface Props {
  name: string;
  /** Marks and bands from other sources, drawn above the recordings in their own colours. */
  bands?: TimelineBand[];
  data?: TimelineChannel;
  /** Week and month scales: recorded share and event count per bucket, drawn as shaded bars instead of `data`. */
  density?: Density;
  channelId: number;
  view: TimelineView;
  position?: number;
  selection?: { from: number; to: number };
  onSeek(t: number): void;
  onPan(deltaMs: number): void;
  onZoom(factor: number, at: number): void;
  onSelect(sel: { from: number; to: number }): void;
  onHover(t: number | null, x: number): void;
}

/** One channel's strip: recorded spans, gaps coloured by reason, event marks, locks, the playhead, the selection. */
export function TimelineCanvas({ name, bands, data, density, channelId, view, position, selection, onSeek, onPan, onZoom, onSelect, onHover }: Props) {
  const { t, i18n } = useTranslation('recording');
  const errorText = useErrorText();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const drag = useRef<{ x: number; moved: boolean; shift: boolean; from: number } | null>(null);
  /** A range being selected with Shift+arrows: where it started, and its moving end. */
  const keySel = useRef<{ anchor: number; end: number } | null>(null);
  const H = 34;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(100, Math.floor(el.clientWidth))));
    ro.observe(el);
    // The wheel (and a pinch, a wheel with Ctrl) zooms the timeline only: the page neither scrolls nor zooms with it.
    const keepPage = (e: WheelEvent) => e.preventDefault();
    el.addEventListener('wheel', keepPage, { passive: false });
    return () => { ro.disconnect(); el.removeEventListener('wheel', keepPage); };
  }, []);

  useEffect(() => {
    const el = canvas.current;
    const g = el?.getContext('2d');
    if (!el || !g) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = width * dpr;
    el.height = H * dpr;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const span = view.to - view.from;
    const x = (t: number) => ((t - view.from) / span) * width;
    g.fillStyle = '#11151a';
    g.fillRect(0, 0, width, H);
    for (const gap of data?.gaps ?? []) {
      g.fillStyle = GAP_COLOURS[gap.reason] ?? '#444';
      g.fillRect(x(gap.start), 20, Math.max(1, x(gap.end) - x(gap.start)), 6);
    }
    g.fillStyle = '#3fb27f';
    for (const s of data?.spans ?? []) {
      g.fillStyle = s.standby ? STANDBY_COLOUR : '#3fb27f';
      g.fillRect(x(s.start), 8, Math.max(1, x(s.end) - x(s.start)), 12);
    }
    g.fillStyle = FILLED_COLOUR;
    for (const s of data?.filled ?? []) g.fillRect(x(s.start), 8, Math.max(1, x(s.end) - x(s.start)), 12);
    g.fillStyle = '#4f9cf0';
    // An event with an end is a band over its duration; one without, a mark.
    for (const e of data?.events ?? []) g.fillRect(x(e.at) - 0.5, 4, Math.max(1.5, x(e.end ?? e.at) - x(e.at)), 4);
    for (const b of bands ?? []) {
      g.fillStyle = b.colour;
      g.fillRect(x(b.start) - 1, 0, Math.max(2, x(b.end) - x(b.start)), 4);
    }
    g.strokeStyle = '#f0c674';
    for (const l of data?.locks ?? density?.locks ?? []) {
      g.strokeRect(x(l.start) + 0.5, 6.5, Math.max(2, x(l.end) - x(l.start)), 15);
      g.fillStyle = '#f0c674';
      g.fillText('🔒', Math.max(0, x(l.start)), 30);
    }
    // After now nothing is recorded yet: hatched, so it does not read as a gap.
    const nowX = x(Date.now());
    if (nowX < width) {
      g.save();
      g.beginPath();
      g.rect(Math.max(0, nowX), 0, width, H);
      g.clip();
      g.fillStyle = '#0b0e12';
      g.fillRect(0, 0, width, H);
      g.strokeStyle = '#242b35';
      for (let hx = nowX - H; hx < width; hx += 6) { g.beginPath(); g.moveTo(hx, H); g.lineTo(hx + H, 0); g.stroke(); }
      g.restore();
    }
    // Over the hatch: the bucket holding now is mostly after it, and its recording must still show.
    if (density) drawDensity(g, density, x);
    if (selection) {
      g.fillStyle = '#4f9cf033';
      g.fillRect(x(selection.from), 0, x(selection.to) - x(selection.from), H);
    }
    const step = tickStep(span, width);
    g.fillStyle = '#8a94a3';
    g.font = '10px system-ui, sans-serif';
    for (let at = Math.ceil(view.from / step) * step; at < view.to; at += step) {
      if (step < 1000 && at % 1000 === 0) g.fillRect(x(at), 20, 1, 6);
      g.fillRect(x(at), 26, 1, 8);
      g.fillText(tickLabel(at, step), x(at) + 2, 33);
    }
    if (position !== undefined) {
      g.fillStyle = '#ffffff';
      g.fillRect(x(position) - 1, 0, 2, H);
    }
    // The tick labels are in the language: drawn again when it changes.
  }, [data, density, bands, view, position, selection, width, i18n.language]);

  const timeAt = (clientX: number) => {
    const r = canvas.current!.getBoundingClientRect();
    return view.from + ((clientX - r.left) / r.width) * (view.to - view.from);
  };
  /** Where a click seeks: at the finest scales the start of the frame under the pointer. */
  const seekAt = (clientX: number) => (view.to - view.from <= FRAME_SCALE_MS ? frameOf(timeAt(clientX)) : timeAt(clientX));

  // Another station's channel whose timeline its station could not give (offline, refusing this desk's account).
  const unavailable = data?.unavailable ? errorText(data.unavailable) : undefined;
  return (
    <div className="pb-strip">
      <span className="pb-strip-name" title={name}>{name}</span>
      {unavailable && <span className="pb-strip-note" id={`pb-note-${channelId}`} role="note">{unavailable}</span>}
      <canvas
        ref={canvas}
        className="pb-canvas"
        data-timeline={channelId}
        data-scale={density ? 'overview' : 'detail'}
        data-recorded-buckets={density?.recorded.filter((r) => r > 0).length}
        role="slider"
        aria-label={t('timeline.label', { name })}
        aria-describedby={unavailable ? `pb-note-${channelId}` : undefined}
        aria-valuemin={view.from}
        aria-valuemax={view.to}
        aria-valuenow={position ?? view.from}
        aria-valuetext={instantText(position ?? view.from)}
        tabIndex={0}
        style={{ height: H }}
        onWheel={(e) => onZoom(wheelFactor(e.deltaY, e.deltaMode, e.ctrlKey), timeAt(e.clientX))}
        onMouseDown={(e) => (drag.current = { x: e.clientX, moved: false, shift: e.shiftKey, from: timeAt(e.clientX) })}
        onMouseMove={(e) => {
          const d = drag.current;
          onHover(timeAt(e.clientX), e.clientX - canvas.current!.getBoundingClientRect().left);
          if (!d) return;
          if (Math.abs(e.clientX - d.x) > 3) d.moved = true;
          if (!d.moved) return;
          if (d.shift) onSelect({ from: Math.min(d.from, timeAt(e.clientX)), to: Math.max(d.from, timeAt(e.clientX)) });
          else {
            onPan(-((e.clientX - d.x) / width) * (view.to - view.from));
            d.x = e.clientX;
          }
        }}
        onMouseUp={(e) => {
          const d = drag.current;
          drag.current = null;
          if (d && !d.moved) onSeek(seekAt(e.clientX));
        }}
        onMouseLeave={() => { drag.current = null; onHover(null, 0); }}
        onKeyDown={(e) => {
          const span = view.to - view.from;
          const at = position ?? view.from;
          const sign = e.key === 'ArrowLeft' || e.key === 'PageUp' ? -1 : 1;
          const what = shortcutOf(e, 'timeline');
          // At the finest scales a step is one frame.
          if (what === 'timeline.step') {
            const to = span <= FRAME_SCALE_MS ? frameOf(at) + sign * FRAME_MS : at + sign * span / 50;
            // The view follows a playhead stepped out of it.
            if (to < view.from || to > view.to) onPan(to - (view.from + view.to) / 2);
            onSeek(to);
          }
          else if (what === 'timeline.select') {
            // Go on from the range last made with the keys, unless the mouse has made another since.
            const k = keySel.current;
            const same = k && selection && (selection.from === k.anchor || selection.to === k.anchor);
            const next = same ? { anchor: k.anchor, end: k.end + sign * span / 50 } : { anchor: at, end: at + sign * span / 50 };
            keySel.current = next;
            onSelect({ from: Math.min(next.anchor, next.end), to: Math.max(next.anchor, next.end) });
          } else if (what === 'timeline.zoomIn') onZoom(0.8, at);
          else if (what === 'timeline.zoomOut') onZoom(1.25, at);
          else if (what === 'timeline.pan') onPan(sign * span / 2);
          else return;
          e.preventDefault();
        }}
      />
    </div>
  );
}
