import { useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors';
import { formatBytes } from '../../i18n/format';
import { useArchiveThumbnailQuery, useMotionSearchMutation } from './recording-api';
import type { TimelineBand } from './TimelineCanvas';
import { rangeText } from './timeline-view';
import './motion-search.css';

/** Cells of the stored motion grid (the station's 32x18, row by row). */
const GW = 32;
const GH = 18;
export const MOTION_COLOUR = '#e5c07b';

export interface Region { x0: number; y0: number; x1: number; y1: number }
export interface MotionHit { channelId: number; start: number; end: number }

const regionString = (r: Region) =>
  Array.from({ length: GW * GH }, (_, c) => (c % GW >= r.x0 && c % GW <= r.x1 && Math.floor(c / GW) >= r.y0 && Math.floor(c / GW) <= r.y1 ? '1' : '0')).join('');

/** The motion search's state: region, controls, hits and the hit being looked at. */
export function useMotionSearch(source: string, selected: number[]) {
  const [channelId, setChannelId] = useState<number | null>(null);
  const [region, setRegion] = useState<Region | null>(null);
  const [drawing, setDrawing] = useState(false);
  const [sensitivity, setSensitivity] = useState(80);
  const [minSeconds, setMinSeconds] = useState(1);
  const [hits, setHits] = useState<MotionHit[] | null>(null);
  const [covered, setCovered] = useState(0);
  const [indexBytes, setIndexBytes] = useState(0);
  const [current, setCurrent] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [search, state] = useMotionSearchMutation();
  const channel = channelId !== null && selected.includes(channelId) ? channelId : selected[0] ?? null;
  const run = (from: number, to: number, noRegion: string) => {
    if (channel === null) return;
    if (!region) { setError(noRegion); return; }
    setError(null);
    search({ source, channelIds: [channel], from: Math.round(from), to: Math.round(to), region: regionString(region), sensitivity, minDurationMs: Math.round(minSeconds * 1000) })
      .unwrap()
      .then((r) => { setHits(r.hits); setCovered(r.coveredMs[String(channel)] ?? 0); setIndexBytes(r.indexBytes[String(channel)] ?? 0); setCurrent(-1); })
      .catch((err: unknown) => { setHits(null); setError(errorText(err)); });
  };
  const bands = useMemo(() => {
    const m = new Map<number, TimelineBand[]>();
    for (const h of hits ?? []) m.set(h.channelId, [...(m.get(h.channelId) ?? []), { start: h.start, end: h.end, colour: MOTION_COLOUR }]);
    return m;
  }, [hits]);
  return {
    channel, setChannelId, region, setRegion, drawing, setDrawing, sensitivity, setSensitivity, minSeconds, setMinSeconds,
    hits, covered, indexBytes, current, setCurrent, error, busy: state.isLoading, run, bands, source,
  };
}

export type MotionSearchState = ReturnType<typeof useMotionSearch>;

interface PanelProps {
  ms: MotionSearchState;
  names: Map<number, string>;
  selected: number[];
  /** The searched range: the timeline's selection, else the visible range. */
  range: { from: number; to: number };
  onJump(at: number, channelId: number): void;
}

/** Motion search over the archive: a region drawn on a channel's picture, searched over the selected (or visible) range. */
export function MotionSearchPanel({ ms, names, selected, range, onJump }: PanelProps) {
  const { t } = useTranslation('recording');
  const step = (d: number) => {
    if (!ms.hits?.length) return;
    const i = Math.max(0, Math.min(ms.hits.length - 1, ms.current + d));
    ms.setCurrent(i);
    onJump(ms.hits[i]!.start, ms.hits[i]!.channelId);
  };
  return (
    <section className="pb-motion" aria-labelledby="ms-head">
      <div className="pb-ms-bar">
        <h2 id="ms-head">{t('motion.title')}</h2>
        <label>{t('motion.channel')}
          <select value={ms.channel ?? ''} onChange={(e) => ms.setChannelId(Number(e.target.value))} disabled={selected.length === 0}>
            {selected.map((id) => <option key={id} value={id}>{names.get(id) ?? t('channelFallback', { id })}</option>)}
          </select>
        </label>
        <button type="button" aria-pressed={ms.drawing} onClick={() => ms.setDrawing(!ms.drawing)} disabled={ms.channel === null}>
          {ms.drawing ? t('motion.doneDrawing') : t('motion.draw')}
        </button>
        <button type="button" onClick={() => ms.setRegion(null)} disabled={!ms.region}>{t('motion.clear')}</button>
        <label>{t('motion.sensitivity')}
          <input type="range" name="motion-sensitivity" min={1} max={100} value={ms.sensitivity} onChange={(e) => ms.setSensitivity(Number(e.target.value))} />
          <span className="mono">{ms.sensitivity}</span>
        </label>
        <label>{t('motion.minDuration')}
          <input type="number" name="motion-min-duration" min={0} max={3600} step={0.5} value={ms.minSeconds} onChange={(e) => ms.setMinSeconds(Number(e.target.value))} />
        </label>
        <button type="button" className="primary" disabled={ms.busy || ms.channel === null} onClick={() => ms.run(range.from, range.to, t('motion.noRegion'))}>{t('motion.search')}</button>
        <button type="button" onClick={() => step(-1)} disabled={!ms.hits?.length || ms.current <= 0}>{t('motion.previous')}</button>
        <button type="button" onClick={() => step(1)} disabled={!ms.hits?.length || ms.current >= ms.hits.length - 1}>{t('motion.next')}</button>
      </div>
      <p className="muted pb-ms-range mono">{rangeText(range.from, range.to)}</p>
      {ms.error && <p className="pb-error" role="alert">{ms.error}</p>}
      {ms.hits && (
        <p className="muted">
          <span data-testid="motion-summary">{ms.covered === 0 ? t('motion.noData') : t('motion.found', { count: ms.hits.length })}</span>
          {' · '}<span data-testid="motion-index-size">{t('motion.indexSize', { size: formatBytes(ms.indexBytes) })}</span>
        </p>
      )}
      {ms.hits && ms.hits.length > 0 && (
        <ul className="pb-ms-list" aria-label={t('motion.hits')}>
          {ms.hits.map((h, i) => (
            <li key={`${h.channelId}-${h.start}`} data-hit={i} className={i === ms.current ? 'current' : undefined}>
              <button type="button" onClick={() => { ms.setCurrent(i); onJump(h.start, h.channelId); }}>
                <HitThumb source={ms.source} channelId={h.channelId} at={h.start + Math.min(1000, (h.end - h.start) / 2)} />
                <span className="mono">{rangeText(h.start, h.end)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function HitThumb({ source, channelId, at }: { source: string; channelId: number; at: number }) {
  const q = useArchiveThumbnailQuery({ source, channelId, at: Math.round(at) });
  return q.data ? <img alt="" src={`data:image/jpeg;base64,${q.data.jpegBase64}`} /> : <span className="pb-ms-nothumb" />;
}

/** The region over a channel's picture: drag to draw; arrow keys move it, Shift+arrows resize it. */
export function RegionOverlay({ ms }: { ms: MotionSearchState }) {
  const { t } = useTranslation('recording');
  const box = useRef<HTMLDivElement>(null);
  const start = useRef<{ x: number; y: number } | null>(null);
  const cellAt = (e: PointerEvent) => {
    const r = box.current!.getBoundingClientRect();
    return { x: Math.max(0, Math.min(GW - 1, Math.floor(((e.clientX - r.left) / r.width) * GW))), y: Math.max(0, Math.min(GH - 1, Math.floor(((e.clientY - r.top) / r.height) * GH))) };
  };
  const span = (a: { x: number; y: number }, b: { x: number; y: number }): Region => ({ x0: Math.min(a.x, b.x), y0: Math.min(a.y, b.y), x1: Math.max(a.x, b.x), y1: Math.max(a.y, b.y) });
  const onKey = (e: KeyboardEvent) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const r = ms.region ?? { x0: 12, y0: 6, x1: 19, y1: 11 };
    const [dx, dy] = d as [number, number];
    const n = e.shiftKey
      ? { ...r, x1: Math.max(r.x0, Math.min(GW - 1, r.x1 + dx)), y1: Math.max(r.y0, Math.min(GH - 1, r.y1 + dy)) }
      : (() => { const mx = Math.max(-r.x0, Math.min(GW - 1 - r.x1, dx)); const my = Math.max(-r.y0, Math.min(GH - 1 - r.y1, dy)); return { x0: r.x0 + mx, x1: r.x1 + mx, y0: r.y0 + my, y1: r.y1 + my }; })();
    ms.setRegion(n);
  };
  const r = ms.region;
  return (
    <div ref={box} className={`pb-region${ms.drawing ? ' drawing' : ''}`} tabIndex={ms.drawing ? 0 : -1} role="application" aria-label={t('motion.regionLabel')} title={t('motion.regionHelp')}
      data-testid="motion-region" onKeyDown={ms.drawing ? onKey : undefined}
      onPointerDown={ms.drawing ? (e) => { box.current!.setPointerCapture(e.pointerId); start.current = cellAt(e); ms.setRegion(span(start.current, start.current)); } : undefined}
      onPointerMove={ms.drawing ? (e) => { if (start.current) ms.setRegion(span(start.current, cellAt(e))); } : undefined}
      onPointerUp={() => { start.current = null; }}>
      {r && <div className="pb-region-box" style={{ left: `${(r.x0 / GW) * 100}%`, top: `${(r.y0 / GH) * 100}%`, width: `${((r.x1 - r.x0 + 1) / GW) * 100}%`, height: `${((r.y1 - r.y0 + 1) / GH) * 100}%` }} />}
    </div>
  );
}
