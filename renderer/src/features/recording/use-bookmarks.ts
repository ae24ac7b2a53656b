// The bookmarks of Playback: the panel's search, the marks over the visible range, and the calls that change them.
import { useMemo, useState } from 'react';
import type { Bookmark } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import type { BookmarkSearch } from './BookmarksPanel';
import { useAddBookmarkMutation, useBookmarksQuery, useRemoveBookmarkMutation, useUpdateBookmarkMutation } from './recording-api';
import type { TimelineBand } from './TimelineCanvas';
import type { TimelineView } from './timeline-view';

export const BOOKMARK_COLOUR = '#c678dd';

export function useBookmarks(selected: number[], view: TimelineView) {
  const [search, setSearch] = useState<BookmarkSearch>({ text: '', tag: '', shownOnly: false, inView: false });
  const from = Math.max(0, Math.floor(view.from));
  const to = Math.ceil(view.to);
  const found = useBookmarksQuery({
    text: search.text.trim() || undefined, tag: search.tag.trim() || undefined,
    channelIds: search.shownOnly && selected.length > 0 ? selected : undefined,
    ...(search.inView ? { from, to } : {}), limit: 200,
  });
  const marks = useBookmarksQuery({ channelIds: selected, from, to, limit: 1000 }, { skip: selected.length === 0 });
  const [add] = useAddBookmarkMutation();
  const [update] = useUpdateBookmarkMutation();
  const [remove] = useRemoveBookmarkMutation();
  /** Per channel, its bookmarks as marks and bands for the timeline. */
  const bands = useMemo(() => {
    const m = new Map<number, TimelineBand[]>();
    for (const b of marks.data ?? []) for (const c of b.channelIds) m.set(c, [...(m.get(c) ?? []), { start: b.start, end: b.end, colour: BOOKMARK_COLOUR }]);
    return m;
  }, [marks.data]);
  return {
    search, setSearch, items: found.data ?? [], error: found.error ? errorText(found.error) : null, bands,
    add, update, remove: (b: Bookmark) => remove({ id: b.id }),
  };
}
