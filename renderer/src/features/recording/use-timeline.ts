import { skipToken } from '@reduxjs/toolkit/query/react';
import { useEffect, useMemo, useState } from 'react';
import type { TimelineChannel } from '../../../../electron/contract';
import { useAppDispatch } from '../../app/hooks';
import { playbackActions as A } from './playback-slice';
import { useArchiveTimelineQuery } from './recording-api';
import type { TimelineView } from './timeline-view';
import { errorText } from '../../i18n/errors';

/** The value once it has stood still for `ms` (`initial` until then). */
function useSettled<T>(value: T, ms: number, initial: T): T {
  const [settled, setSettled] = useState(initial);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The timeline of what is visible with a view's width of margin each side, refetched as the view moves by whole seconds. */
export function useTimeline(source: string, selected: number[], view: TimelineView): TimelineChannel[] {
  const dispatch = useAppDispatch();
  const span = view.to - view.from;
  const wanted = useMemo(
    () => (selected.length === 0 ? skipToken : { source, channelIds: selected, from: Math.max(0, Math.round(view.from - span)), to: Math.round(view.to + span) }),
    [source, selected.join(','), Math.round(view.from / 1000), Math.round(view.to / 1000)],
  );
  const { data = [], error } = useArchiveTimelineQuery(useSettled(wanted, 80, skipToken));
  useEffect(() => { if (error) dispatch(A.messageShown(errorText(error))); }, [error, dispatch]);
  return data;
}
