import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { isShortcut } from '../../app/shortcuts';
import type { Bookmark, MaskPoint } from '../../../../electron/contract';
import { DisclosureDialog } from '../redaction/DisclosureDialog';
import { MaskOverlay, useVideoSize } from '../redaction/MaskOverlay';
import { useChannelMasks } from '../redaction/use-masks';
import { BookmarkDialog } from './BookmarkDialog';
import { BookmarksPanel } from './BookmarksPanel';
import { ExportDialog } from './ExportDialog';
import { LockDialog } from './LockDialog';
import { MotionSearchPanel, RegionOverlay, useMotionSearch } from './MotionSearch';
import { PlaybackControls } from './PlaybackControls';
import { PlaybackSidebar } from './PlaybackSidebar';
import { PlaybackTimelines } from './PlaybackTimelines';
import { loadArchiveChannels, openArchiveFolder, playbackActions as A } from './playback-slice';
import { useLockRangeMutation } from './recording-api';
import { clockText } from './timeline-view';
import { useHoverThumbnail } from './use-hover-thumbnail';
import { usePlaybackSession } from './use-playback-session';
import { useBookmarks } from './use-bookmarks';
import { useTimeline } from './use-timeline';

/** Playback: timelines per channel, up to 16 channels on one clock, speeds, steps, export, evidence lock. */
export function PlaybackPage() {
  const { t } = useTranslation('recording');
  const dispatch = useAppDispatch();
  const connection = useAppSelector((s) => s.shell.connection);
  const { source, channels, selected, view, session, position, selection, message, pendingOpen } = useAppSelector((s) => s.playback);
  const pb = usePlaybackSession();
  const { data, density } = useTimeline(source, selected, view);
  const { hover, hoverAt, clearHover } = useHoverThumbnail(source);
  const [lockRange] = useLockRangeMutation();
  const [exporting, setExporting] = useState(false);
  const [locking, setLocking] = useState(false);
  /** The bookmark dialog: a new one over the selection or at the playhead, or one being edited. */
  const [bookmarking, setBookmarking] = useState<{ from: number; to: number; channelIds: number[]; editing?: Bookmark } | null>(null);
  const bm = useBookmarks(selected, view);
  const masks = useChannelMasks();
  const [disclosing, setDisclosing] = useState(false);
  const ms = useMotionSearch(source, selected);
  const bands = useMemo(() => {
    const m = new Map(bm.bands);
    for (const [id, b] of ms.bands) m.set(id, [...(m.get(id) ?? []), ...b]);
    return m;
  }, [bm.bands, ms.bands]);
  const setMessage = (m: string | null) => dispatch(A.messageShown(m));

  useEffect(() => {
    if (connection === 'open') void dispatch(loadArchiveChannels(source));
  }, [connection, source, dispatch]);

  // Opening from an event (playbackActions.jumpRequested): once the channel list is in, play from the instant.
  useEffect(() => {
    if (pendingOpen === undefined || connection !== 'open' || channels.length === 0) return;
    dispatch(A.pendingOpenTaken());
    pb.seek(pendingOpen);
  }, [pendingOpen, connection, channels, pb.seek, dispatch]);

  const now = position ?? session?.state.t0;
  const names = useMemo(() => new Map(channels.map((c) => [c.channelId, c.name])), [channels]);
  const cols = Math.ceil(Math.sqrt(Math.max(1, selected.length)));
  const newBookmark = () => {
    const at = selection ?? (now !== undefined ? { from: now, to: now } : undefined);
    if (at && selected.length > 0) setBookmarking({ from: Math.round(at.from), to: Math.round(at.to), channelIds: selected });
  };

  return (
    <section className="page pb-page" aria-labelledby="page-title" onKeyDown={(e) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if (!typing && !bookmarking && isShortcut(e, 'timeline.bookmark')) { e.preventDefault(); newBookmark(); }
    }}>
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        <span className="pb-clock mono" data-testid="pb-clock">{now !== undefined ? clockText(now, true) : '—'}</span>
        <span className="muted">{source === 'local' ? t('thisStation') : source}</span>
      </header>
      <div className="pb-layout">
        <PlaybackSidebar source={source} channels={channels} selected={selected} viewFrom={view.from}
          onPickDay={(d) => dispatch(A.viewSet({ from: d, to: d + 86_400_000 }))}
          onToggleChannel={(channelId, on) => dispatch(A.channelToggled({ channelId, on }))}
          onOpenFolder={(path) => void dispatch(openArchiveFolder(path))}
          onBackToLocal={() => dispatch(A.sourceChanged({ source: 'local', selected: [] }))} />
        <div className="pb-body">
          <div className="pb-videos" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)` }}>
            {selected.map((id) => (
              <figure key={id} className="pb-video">
                <PlaybackVideo id={id} videoRef={pb.videoRef(id)} outlines={masks.shownOn(id)} />
                {ms.channel === id && (ms.drawing || ms.region) && <RegionOverlay ms={ms} />}
                <figcaption>{names.get(id) ?? t('channelFallback', { id })}</figcaption>
              </figure>
            ))}
          </div>
          <PlaybackControls now={now} state={session?.state} sound={pb.sound} selection={selection} canLock={source === 'local'}
            onSeek={pb.seek} onStep={pb.step} onTogglePause={pb.togglePause} onToggleSound={pb.toggleSound} onSpeed={pb.setSpeed}
            onExport={() => setExporting(true)} onDisclose={() => setDisclosing(true)} onLock={() => setLocking(true)} />
          <PlaybackTimelines selected={selected} names={names} data={data} density={density} view={view} position={now} selection={selection} hover={hover}
            bands={bands} onSeek={pb.seek} onPan={(d) => dispatch(A.viewPanned(d))} onZoom={(factor, at) => dispatch(A.viewZoomed({ factor, at }))}
            onSelect={(sel) => dispatch(A.selectionChanged(sel))} onHover={hoverAt} onLeave={clearHover} />
          {message && <p className="pb-message" role="alert" onClick={() => setMessage(null)}>{message}</p>}
          <MotionSearchPanel ms={ms} names={names} selected={selected} range={selection && selection.to > selection.from ? selection : view}
            onJump={(at) => pb.seek(at)} />
          <BookmarksPanel items={bm.items} search={bm.search} names={names} error={bm.error} onSearch={bm.setSearch} onAdd={newBookmark}
            onJump={(b) => dispatch(A.jumpRequested({ at: b.start, channelId: b.channelIds[0] ?? null }))}
            onEdit={(b) => setBookmarking({ from: b.start, to: b.end, channelIds: b.channelIds, editing: b })}
            onDelete={(b) => void bm.remove(b).unwrap().catch(() => undefined)} />
        </div>
      </div>
      {disclosing && selection && source === 'local' && selected[0] !== undefined && (
        <DisclosureDialog channelId={selected[0]} name={names.get(selected[0]) ?? t('channelFallback', { id: selected[0] })} from={selection.from} to={selection.to} at={now ?? selection.from} onClose={() => setDisclosing(false)} />
      )}
      {exporting && selection && <ExportDialog source={source} channelIds={selected} from={selection.from} to={selection.to} onClose={() => setExporting(false)} />}
      {bookmarking && (
        <BookmarkDialog from={bookmarking.from} to={bookmarking.to} editing={bookmarking.editing} onClose={() => setBookmarking(null)}
          channels={bookmarking.channelIds.map((id) => names.get(id) ?? t('channelFallback', { id })).join(', ')}
          onSave={({ lock, ...f }) => (bookmarking.editing
            ? bm.update({ id: bookmarking.editing.id, ...f }).unwrap()
            : bm.add({ channelIds: bookmarking.channelIds, from: bookmarking.from, to: bookmarking.to, lock, ...f }).unwrap())} />
      )}
      {locking && selection && (
        <LockDialog from={selection.from} to={selection.to} onClose={() => setLocking(false)}
          onLock={(reason) => lockRange({ channelId: null, from: Math.round(selection.from), to: Math.round(selection.to), reason }).unwrap()
            .then(() => { setMessage(null); })} />
      )}
    </section>
  );
}

/** A channel's playback video with its privacy masks drawn over it. */
function PlaybackVideo({ id, videoRef, outlines }: { id: number; videoRef: (el: HTMLVideoElement | null) => void; outlines: MaskPoint[][] }) {
  const ref = useRef<HTMLVideoElement | null>(null);
  const size = useVideoSize(ref);
  const set = useCallback((el: HTMLVideoElement | null) => { ref.current = el; videoRef(el); }, [videoRef]);
  return (
    <>
      <video ref={set} muted playsInline data-playback={id} />
      <MaskOverlay size={size} outlines={outlines} />
    </>
  );
}
