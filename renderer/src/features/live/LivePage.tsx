import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StreamStatus } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { formatBytes, formatDuration } from '../../i18n/format';
import { rovingTarget } from '../../ui/roving';
import { CameraTree } from './CameraTree';
import { LayoutEditor } from './LayoutEditor';
import { PopOutButton } from './PopOutButton';
import { LAYOUTS, layoutById, MAX_TILES } from './layouts';
import { useChannelsQuery, useClipsQuery, useRetryStreamMutation, useSnapshotMutation, useStartClipMutation, useStopClipMutation } from './live-api';
import { deleteLayout, deleteView, liveActions, loadDesk, loadStreamStatuses, saveLayout, saveView as saveViewIn, setTourSeconds } from './live-slice';
import { TOUR_SECONDS } from '../../../../electron/contract';
import { Tile } from './Tile';
import { START_BUDGET, useDecodeBudget } from './decode-budget';
import { errorText } from '../../i18n/errors';
import { RecordingOffHint } from '../storage/RecordingOffHint';
import { MasksDialog } from '../redaction/MasksDialog';
import { LensDialog } from './LensDialog';

/** `popout`: a window of its own showing this layout alone (no camera list, no bar). */
export function LivePage({ popout = false }: { popout?: boolean }) {
  const { t } = useTranslation('live');
  const dispatch = useAppDispatch();
  const client = useStationClient();
  const live = useAppSelector((s) => s.live);
  const { data: channels = [] } = useChannelsQuery();
  const [snapshot] = useSnapshotMutation();
  const [retry] = useRetryStreamMutation();
  const [startClip] = useStartClipMutation();
  const [stopClip] = useStopClipMutation();
  const [toast, setToast] = useState<{ text: string; img?: string } | null>(null);
  /** The one tile heard (tiles start muted; unmuting one mutes the others). */
  const [listening, setListening] = useState<number | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const layout = layoutById(live.layoutId, live.custom);
  const byId = useMemo(() => new Map(channels.map((c) => [c.id, c])), [channels]);
  const statuses = live.statuses.entities as Record<string, StreamStatus | undefined>;
  const budget = useDecodeBudget(grid);

  useEffect(() => { void dispatch(loadStreamStatuses()); }, [dispatch]);
  // Views, custom layouts and the tour are the station's: loaded on each (re)connection, pushed when any desk changes them.
  const connection = useAppSelector((s) => s.shell.connection);
  useEffect(() => { if (connection === 'open') void dispatch(loadDesk()); }, [connection, dispatch]);
  useEffect(() => client.on('live.desk', (d) => dispatch(liveActions.deskLoaded(d))), [client, dispatch]);

  useEffect(() => {
    if (live.autoFilled || channels.length === 0 || live.tiles.some((t) => t !== null)) return;
    // Keep the chosen layout when the cameras fit in it; otherwise the smallest square one that holds them.
    const fit = layout.cells.length >= channels.length ? layout
      : LAYOUTS.find((l) => l.cells.length >= Math.min(channels.length, 64) && l.grid * l.grid === l.cells.length) ?? LAYOUTS.at(-1)!;
    dispatch(liveActions.autoFilled({ channelIds: channels.slice(0, fit.cells.length).map((c) => c.id), layoutId: fit.id }));
  }, [channels, live.autoFilled, live.tiles, layout, dispatch]);

  useEffect(() => {
    if (!live.touring) return;
    const t = setInterval(() => dispatch(liveActions.tourAdvanced()), live.tourSeconds * 1000);
    return () => clearInterval(t);
  }, [live.touring, live.tourSeconds, dispatch]);

  const takeSnapshot = async (channelId: number) => {
    const r = await snapshot(channelId);
    if ('data' in r && r.data) setToast({ text: t('toast.snapshotSaved', { path: r.data.path }), img: `data:image/jpeg;base64,${r.data.jpegBase64}` });
    else setToast({ text: t('toast.snapshotFailed', { message: 'error' in r ? errorText(r.error) : t('toast.unknownError') }) });
  };
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(t);
  }, [toast]);

  // Local clips of tiles: the station's, so a reloaded page shows the running ones with their Stop.
  const { data: activeClips = [] } = useClipsQuery();
  const clipOf = useMemo(() => new Map(activeClips.map((c) => [c.channelId, c])), [activeClips]);
  const toggleClip = async (channelId: number, start: boolean): Promise<void> => {
    try {
      if (start) {
        const r = await startClip({ channelId, profile: 'main' }).unwrap();
        setToast({ text: t('toast.recordingTo', { path: r.path }) });
        return;
      }
      const clip = clipOf.get(channelId);
      if (!clip) return;
      const r = await stopClip({ clipId: clip.clipId }).unwrap();
      setToast({ text: t('toast.clipSaved', { size: formatBytes(r.bytes), duration: formatDuration(r.durationMs), path: r.path }) });
    } catch (err) {
      setToast({ text: t('toast.recordingFailed', { message: errorText(err) }) });
    }
  };
  // A clip the station ended by itself (its maximum length, its stream restarted, …) says so, with where it was kept.
  useEffect(() => client.on('live.clipEnded', (r) => {
    if (r.reason !== 'user') setToast({ text: t(`toast.clipEnded.${r.reason}`, { size: formatBytes(r.bytes), duration: formatDuration(r.durationMs), path: r.path }) });
  }), [client, t]);

  const focusTile = (i: number) => {
    dispatch(liveActions.tileSelected(i));
    requestAnimationFrame(() => grid.current?.querySelector<HTMLElement>(`[data-tile="${i}"]`)?.focus());
  };
  const move = (from: number, delta: number) => {
    const n = layout.cells.length;
    const step = Math.abs(delta) === 100 ? Math.sign(delta) * layout.grid : delta;
    focusTile((from + step + n) % n);
  };
  const [viewName, setViewName] = useState('');
  /** The saved view last opened or saved here (Delete view deletes it). */
  const [openView, setOpenView] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [masking, setMasking] = useState<number | null>(null);
  const [lensOf, setLensOf] = useState<number | null>(null);
  /** A change to the station's desk; a refusal is shown, nothing else changes. */
  const deskChange = async (change: Promise<unknown>, done?: () => void) => {
    try {
      await change;
      done?.();
    } catch (err) {
      setToast({ text: t('toast.deskFailed', { message: errorText(err) }) });
    }
  };
  const saveView = () => {
    const name = viewName.trim() || t('bar.viewName', { n: live.views.length + 1 });
    void deskChange(dispatch(saveViewIn(name)).unwrap(), () => { setViewName(''); setOpenView(name); setToast({ text: t('toast.viewSaved', { name }) }); });
  };
  const shownView = openView !== null && live.views.some((v) => v.name === openView) ? openView : null;

  return (
    <section className="live" aria-labelledby="page-title">
      {!popout && <CameraTree channels={channels} statuses={statuses} onPlace={(id) => dispatch(liveActions.cameraPlaced({ tile: live.selected, channelId: id }))} />}
      <div className="live-main">
        <header className="live-bar" hidden={popout}>
          <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
          <div className="seg" role="radiogroup" aria-label={t('bar.layout')} onKeyDown={(e) => {
            const all = LAYOUTS.concat(live.custom);
            const to = rovingTarget(e, all.findIndex((l) => l.id === layout.id), all.length);
            if (to === undefined) return;
            const group = e.currentTarget;
            dispatch(liveActions.layoutChosen(all[to]!.id));
            requestAnimationFrame(() => group.querySelectorAll<HTMLElement>('[role=radio]')[to]?.focus());
          }}>
            {LAYOUTS.concat(live.custom).map((l) => (
              <button key={l.id} type="button" role="radio" aria-checked={l.id === layout.id} tabIndex={l.id === layout.id ? 0 : -1} className={l.id === layout.id ? 'on' : ''}
                onClick={() => dispatch(liveActions.layoutChosen(l.id))} title={l.id.startsWith('custom:') ? t('bar.customLayoutTiles', { name: l.label, count: l.cells.length }) : t('bar.layoutTiles', { count: l.cells.length })}>{l.label}</button>
            ))}
          </div>
          <button type="button" aria-pressed={editing} className={editing ? 'on' : ''} onClick={() => setEditing(!editing)} title={t('bar.layoutsTitle')}>{t('bar.layouts')}</button>
          <button type="button" aria-pressed={live.showStats} className={live.showStats ? 'on' : ''} onClick={() => dispatch(liveActions.statsToggled())}>{t('bar.stats')}</button>
          <button type="button" onClick={() => void grid.current?.requestFullscreen()}>{t('bar.fullScreen')}</button>
          <PopOutButton layoutId={layout.id} onError={(text) => setToast({ text })} />
          <span className="spacer" />
          <select aria-label={t('bar.savedViews')} value="" onChange={(e) => { if (e.target.value) { dispatch(liveActions.viewOpened(e.target.value)); setOpenView(e.target.value); } }}>
            <option value="">{t('bar.views')}</option>
            {live.views.map((v) => <option key={v.name} value={v.name}>{v.name}</option>)}
          </select>
          <input className="view-name" aria-label={t('bar.viewNameLabel')} placeholder={t('bar.viewName', { n: live.views.length + 1 })} value={viewName}
            onChange={(e) => setViewName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && saveView()} />
          <button type="button" onClick={saveView}>{t('bar.saveView')}</button>
          {shownView !== null && (
            <button type="button" aria-label={t('bar.deleteViewLabel', { name: shownView })} onClick={() => void deskChange(dispatch(deleteView(shownView)).unwrap())}>{t('bar.deleteView')}</button>
          )}
          <button type="button" aria-pressed={live.touring} className={live.touring ? 'on' : ''} disabled={live.views.length < 2}
            onClick={() => dispatch(liveActions.tourToggled())} title={t('bar.tourTitle', { seconds: live.tourSeconds })}>
            {t('bar.tour', { seconds: live.tourSeconds })}
          </button>
          <input key={live.tourSeconds} className="tour-seconds" type="number" min={TOUR_SECONDS.min} max={TOUR_SECONDS.max} aria-label={t('bar.tourSeconds')} title={t('bar.tourSeconds')}
            defaultValue={live.tourSeconds} onBlur={(e) => Number(e.target.value) !== live.tourSeconds && void deskChange(dispatch(setTourSeconds(Number(e.target.value))).unwrap())}
            onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />
        </header>
        {!popout && <RecordingOffHint />}
        <div
          ref={grid}
          className="grid"
          role="grid"
          data-dense={layout.grid >= 5 ? '' : undefined}
          aria-label={t('grid.label', { layout: layout.label })}
          style={{ gridTemplateColumns: `repeat(${layout.grid}, 1fr)`, gridTemplateRows: `repeat(${layout.grid}, 1fr)` }}
        >
          {/* Rows for the grid role (display: contents, so the CSS grid still places each tile). */}
          {[...new Set(layout.cells.map((c) => c.row))].map((row) => <div key={row} role="row" className="grid-row">{layout.cells.map((cell, i) => {
            if (cell.row !== row) return null;
            const maximized = live.maximized === i;
            const style = maximized
              ? { gridColumn: `1 / span ${layout.grid}`, gridRow: `1 / span ${layout.grid}` }
              : { gridColumn: `${cell.col + 1} / span ${cell.w}`, gridRow: `${cell.row + 1} / span ${cell.h}` };
            const id = live.tiles[i] ?? null;
            return (
              <Tile
                key={i}
                index={i}
                channel={id === null ? undefined : byId.get(id)}
                statuses={statuses}
                style={style}
                selected={live.selected === i}
                maximized={maximized}
                hidden={live.maximized !== null && !maximized}
                showStats={live.showStats}
                onSelect={() => live.selected !== i && dispatch(liveActions.tileSelected(i))}
                onToggleMaximize={() => dispatch(liveActions.maximizeToggled(i))}
                onDropChannel={(channelId) => dispatch(liveActions.cameraPlaced({ tile: i, channelId }))}
                onClear={() => dispatch(liveActions.cameraPlaced({ tile: i, channelId: null }))}
                onSnapshot={(c) => void takeSnapshot(c)}
                onMasks={setMasking}
                onLens={setLensOf}
                clip={id === null ? undefined : clipOf.get(id)}
                onClip={toggleClip}
                onRetry={(s) => void retry(s)}
                onMove={(d) => move(i, d)}
                listening={listening === i && id !== null}
                onListen={(on) => setListening(on ? i : null)}
                fullRateTiles={layout.cells.length <= START_BUDGET ? MAX_TILES : budget}
              />
            );
          })}</div>)}
        </div>
        {lensOf !== null && byId.get(lensOf) && <LensDialog channel={byId.get(lensOf)!} onClose={() => setLensOf(null)} />}
        {masking !== null && <MasksDialog channelId={masking} name={byId.get(masking)?.name ?? String(masking)} onClose={() => setMasking(null)} />}
        {editing && (
          <LayoutEditor
            custom={live.custom}
            onSave={(l) => void deskChange(dispatch(saveLayout(l)).unwrap(), () => { setEditing(false); setToast({ text: t('toast.layoutSaved', { name: l.label, count: l.cells.length }) }); })}
            onDelete={(id) => void deskChange(dispatch(deleteLayout(id)).unwrap())}
            onClose={() => setEditing(false)}
          />
        )}
        {toast && (
          <div className="toast" role="status">
            {toast.img && <img src={toast.img} alt={t('toast.snapshotAlt')} />}
            <span>{toast.text}</span>
          </div>
        )}
      </div>
    </section>
  );
}
