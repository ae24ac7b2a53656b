import { skipToken } from '@reduxjs/toolkit/query/react';
import { useEffect, useMemo, useState } from 'react';
import type { ArchiveOverview, TimelineChannel } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch } from '../../app/hooks';
import { playbackActions as A } from './playback-slice';
import { useArchiveOverviewQuery, useArchiveTimelineQuery } from './recording-api';
import type { TimelineView } from './timeline-view';
import { errorText } from '../../i18n/errors';

/** From this span up (week and month scales) the timeline draws the recorded density per bucket, not every span. */
export const OVERVIEW_SPAN_MS = 2 * 86_400_000;
/** Buckets asked for over the view and its margins: about 3 px each on a wide timeline. */
const OVERVIEW_POINTS = 1200;
const HOUR_MS = 3_600_000;

/** One channel's density: its buckets from `from`, each `bucketMs` long. */
export interface Density { from: number; bucketMs: number; recorded: number[]; events: number[]; locks: TimelineChannel['locks'] }

/** The value once it has stood still for `ms` (`initial` until then). */
function useSettled<T>(value: T, ms: number, initial: T): T {
  const [settled, setSettled] = useState(initial);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/**
 * The timeline of what is visible with a view's width of margin each side: at fine scales every span, gap and event
 * (refetched as the view moves by whole seconds); from OVERVIEW_SPAN_MS up the density per bucket (by whole hours).
 */
export function useTimeline(source: string, selected: number[], view: TimelineView): { data: TimelineChannel[]; density: Map<number, Density> } {
  const dispatch = useAppDispatch();
  const client = useStationClient();
  const span = view.to - view.from;
  const coarse = span >= OVERVIEW_SPAN_MS;
  const unit = coarse ? HOUR_MS : 1000;
  const wanted = useMemo(
    () => (selected.length === 0 ? skipToken : { source, channelIds: selected, from: Math.max(0, Math.round((view.from - span) / unit) * unit), to: Math.round((view.to + span) / unit) * unit }),
    [source, selected.join(','), Math.round(view.from / unit), Math.round(view.to / unit), unit],
  );
  const settled = useSettled(wanted, 80, skipToken);
  const fine = useArchiveTimelineQuery(coarse ? skipToken : settled);
  const overview = useArchiveOverviewQuery(!coarse || settled === skipToken ? skipToken : { ...settled, maxPoints: OVERVIEW_POINTS });
  // Time filled from a camera's card shows without waiting for the view to move.
  const { refetch } = fine;
  useEffect(() => client.on('archive.filled', (f) => { if (settled !== skipToken && settled.channelIds.includes(f.channelId)) void refetch(); }), [client, settled, refetch]);
  const error = fine.error ?? overview.error;
  useEffect(() => { if (error) dispatch(A.messageShown(errorText(error))); }, [error, dispatch]);
  const density = useMemo(() => densityOf(coarse ? overview.data : undefined), [coarse, overview.data]);
  return { data: coarse ? [] : fine.data ?? [], density };
}

function densityOf(o: ArchiveOverview | undefined): Map<number, Density> {
  return new Map((o?.channels ?? []).map((c) => [c.channelId, { from: o!.from, bucketMs: o!.bucketMs, recorded: c.recorded, events: c.events, locks: c.locks }]));
}
