import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimelineChannel } from '../../../../electron/contract';
import { TimelineCanvas, type TimelineBand } from './TimelineCanvas';
import { instantText, type TimelineView } from './timeline-view';
import type { Hover } from './use-hover-thumbnail';
import type { Density } from './use-timeline';

interface Props {
  selected: number[];
  names: Map<number, string>;
  data: TimelineChannel[];
  /** At week and month scales: the recorded density per channel (then `data` is empty). */
  density?: Map<number, Density>;
  view: TimelineView;
  position?: number;
  selection?: { from: number; to: number };
  hover: Hover | null;
  /** Marks and bands per channel from other sources (bookmarks, motion hits). */
  bands?: Map<number, TimelineBand[]>;
  onSeek(t: number): void;
  onPan(deltaMs: number): void;
  onZoom(factor: number, at: number): void;
  onSelect(sel: { from: number; to: number }): void;
  onHover(t: number | null, x: number, channelId: number): void;
  onLeave(): void;
}

/** One timeline per channel shown, on one view, with the picture under the pointer. */
export function PlaybackTimelines({ selected, names, data, density, view, position, selection, hover, bands, onSeek, onPan, onZoom, onSelect, onHover, onLeave }: Props) {
  const { t } = useTranslation('recording');
  return (
    <div className="pb-timelines" onMouseLeave={onLeave}>
      {selected.map((id) => (
        <TimelineCanvas key={id} bands={bands?.get(id)} name={names.get(id) ?? t('channelFallback', { id })} data={data.find((d) => d.channelId === id)} density={density?.get(id)} channelId={id} view={view} position={position} selection={selection}
          onSeek={onSeek} onPan={onPan} onZoom={onZoom} onSelect={onSelect} onHover={(t, x) => onHover(t, x, id)} />
      ))}
      {hover && <HoverCard hover={hover} />}
    </div>
  );
}

/** The picture and time under the pointer, centred on it and kept inside the timelines (never clipped at an edge). */
function HoverCard({ hover }: { hover: Hover }) {
  const card = useRef<HTMLDivElement>(null);
  const [left, setLeft] = useState(0);
  useLayoutEffect(() => {
    const el = card.current;
    const box = el?.parentElement;
    if (!el || !box) return;
    // hover.x is from the canvas's left edge, which follows the channel's name column.
    const x = hover.x + (box.querySelector('canvas')?.offsetLeft ?? 0);
    setLeft(Math.max(0, Math.min(box.clientWidth - el.offsetWidth, x - el.offsetWidth / 2)));
  }, [hover.x, hover.jpeg]);
  return (
    <div ref={card} className="pb-hover" style={{ left }}>
      {hover.jpeg ? <img alt="" src={`data:image/jpeg;base64,${hover.jpeg}`} /> : null}
      <span className="mono">{instantText(hover.t)}</span>
    </div>
  );
}
