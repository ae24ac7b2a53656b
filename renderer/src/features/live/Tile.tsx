import { useCallback, useEffect, useRef, useState, type CSSProperties, type DragEvent, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActiveClip, Channel, StreamStatus } from '../../../../electron/contract';
import { formatNumber } from '../../i18n/format';
import type { PlayerStats } from '../../media/mse-player';
import { useOnScreen, usePageVisible } from '../../media/use-page-visible';
import { shortcutOf } from '../../app/shortcuts';
import { Toolbar } from '../../ui/Toolbar';
import { useMay } from '../operators/rights';
import { ptzMoveOf, PtzControls, type PtzHandle } from './PtzControls';
import { TalkButton } from './TalkButton';
import { useTalk } from './use-talk';
import { DEWARP_MODES } from './fisheye';
import { FisheyeView, type FisheyeHandle } from './FisheyeView';
import { useChannelMasks } from '../redaction/use-masks';
import { StreamVideo } from './StreamVideo';
import { keyframesOnly } from './decode-budget';
import { useNow } from '../../ui/use-now';

const WITH_AUDIO = '#audio';
export const CHANNEL_MIME = 'application/x-watchpost-channel';
/** Tiles at least this wide (device pixels) show the main stream; smaller ones the sub stream. */
export const MAIN_STREAM_MIN_WIDTH = 960;

interface Props {
  index: number;
  channel: Channel | undefined;
  statuses: Record<string, StreamStatus | undefined>;
  style: CSSProperties;
  selected: boolean;
  maximized: boolean;
  hidden: boolean;
  showStats: boolean;
  onSelect(): void;
  onToggleMaximize(): void;
  onDropChannel(channelId: number): void;
  onClear(): void;
  onSnapshot(channelId: number): void;
  /** Opens the channel's privacy masks. */
  onMasks(channelId: number): void;
  /** Opens the channel's lens settings (fisheye). */
  onLens(channelId: number): void;
  /** Starts or stops recording this tile to a file; resolves to whether it is recording now. */
  /** The station's clip of this tile's channel, while one runs. */
  clip?: ActiveClip;
  onClip(channelId: number, start: boolean): Promise<void>;
  onRetry(streamId: string): void;
  onMove(delta: number): void;
  /** This tile is the one heard (one at a time on a desk). */
  listening: boolean;
  onListen(on: boolean): void;
  /** Tiles before this one in order play every frame; a small one past it shows keyframes only (decode-budget.ts). */
  fullRateTiles: number;
}

export function Tile(p: Props) {
  const { t } = useTranslation('live');
  const box = useRef<HTMLDivElement>(null);
  const { onScreen, width } = useOnScreen(box);
  const pageVisible = usePageVisible();
  const [streams, setStreams] = useState<string[]>([]);
  const [stats, setStats] = useState<(PlayerStats & { transcoded: boolean }) | null>(null);
  // Every second per tile: the tile renders again only when what it shows changes (the badge; the overlay when open).
  const showStats = p.showStats;
  const onStats = useCallback((s: PlayerStats & { transcoded: boolean }) => setStats((old) => (showStats || old?.transcoded !== s.transcoded ? s : old)), [showStats]);
  const [zoom, setZoom] = useState({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const [dropping, setDropping] = useState(false);
  const clipping = !!p.clip;
  const [ptzOn, setPtzOn] = useState(false);
  const ptz = useRef<PtzHandle>(null);
  const keyMoving = useRef(false);
  // What the user may not do is not offered: PTZ, sound and clips each need their right on this camera.
  const mayPtz = useMay('ptz', p.channel?.id), mayAudio = useMay('audio', p.channel?.id), mayClip = useMay('export', p.channel?.id);
  const mayLens = useMay('devices');
  // A fisheye channel shown as it comes or de-warped; de-warped into views, P turns the views instead of a camera.
  const lens = p.channel?.lens;
  const [dewarp, setDewarp] = useState<(typeof DEWARP_MODES)[number]>('fisheye');
  const fish = useRef<FisheyeHandle>(null);
  const media = useRef<HTMLDivElement>(null);
  const views = !!lens && (dewarp === 'single' || dewarp === 'quad');
  const masks = useChannelMasks().shownOn(p.channel?.id ?? 0);
  const hasPtz = (!!p.channel?.ptz && mayPtz) || views;
  // Push to talk, on a channel whose camera has a speaker (its button, or T held on the tile).
  const hasSpeaker = !!p.channel?.speaker && mayAudio;
  const { talk, press: talkPress, release: talkRelease } = useTalk(hasSpeaker ? p.channel?.id : undefined);
  useEffect(() => setPtzOn(false), [p.channel?.id, views]);
  useEffect(() => setDewarp('fisheye'), [p.channel?.id, !!lens]);
  const nextDewarp = () => setDewarp((m) => DEWARP_MODES[(DEWARP_MODES.indexOf(m) + 1) % DEWARP_MODES.length]!);

  const profile = p.channel?.subUrl && width * devicePixelRatio < MAIN_STREAM_MIN_WIDTH ? 'sub' : 'main';
  const wantId = p.channel && onScreen && pageVisible && !p.hidden ? `${p.channel.id}/${profile}` : null;
  const baseStatus = wantId ? p.statuses[wantId] : undefined;
  const rate = keyframesOnly({ index: p.index, widthPx: width * devicePixelRatio, selected: p.selected, maximized: p.maximized }, p.fullRateTiles) && !p.listening ? 'keyframes' : 'full';
  // A stream entry is its id, with "#audio" when it is opened with sound (the tile being listened to).
  const want = wantId && (p.listening && baseStatus?.audio ? `${wantId}${WITH_AUDIO}` : wantId);

  // Switching streams (or to/from sound) without a black frame: the new one plays under cover until its first frame.
  useEffect(() => {
    setStreams((s) => (!want ? [] : s.at(-1) === want ? s : [...s.filter((x) => x !== want), want].slice(-2)));
  }, [want]);
  useEffect(() => setZoom({ scale: 1, x: 0, y: 0 }), [p.channel?.id]);

  const shownId = streams[0]?.replace(WITH_AUDIO, '');
  const status = shownId ? p.statuses[shownId] : undefined;
  const now = useNow(!!status?.retryAt);
  const state = status?.state ?? (p.channel ? 'connecting' : 'idle');
  const hasAudio = !!status?.audio && mayAudio;
  const stateLabel = t(`state.${state}`);
  const retryIn = status?.retryAt && (state === 'offline' || state === 'auth_failed') ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : null;

  const onWheel = (e: WheelEvent) => {
    if (!p.channel) return;
    const r = box.current!.getBoundingClientRect();
    const scale = Math.min(8, Math.max(1, zoom.scale * Math.pow(1.0015, -e.deltaY)));
    // Zoom about the cursor: keep the point under it fixed.
    const cx = e.clientX - r.left, cy = e.clientY - r.top;
    const k = scale / zoom.scale;
    const x = scale === 1 ? 0 : cx - (cx - zoom.x) * k;
    const y = scale === 1 ? 0 : cy - (cy - zoom.y) * k;
    setZoom({ scale, x, y });
  };
  const onPointerDown = (e: PointerEvent) => {
    if (zoom.scale > 1) { drag.current = { x: e.clientX - zoom.x, y: e.clientY - zoom.y }; (e.target as Element).setPointerCapture(e.pointerId); }
  };
  const onPointerMove = (e: PointerEvent) => {
    if (drag.current) setZoom((z) => ({ ...z, x: e.clientX - drag.current!.x, y: e.clientY - drag.current!.y }));
  };
  const onKey = (e: KeyboardEvent) => {
    // Keys pressed on the tile's own buttons are theirs (Enter on Snap takes a snapshot, not the whole screen).
    if (e.target !== e.currentTarget) return;
    // PTZ mode: arrows and +/- drive the camera while held.
    const ptzMove = ptzOn ? ptzMoveOf(e) : undefined;
    if (ptzMove && views) {
      // The view turns a step per key press (held keys repeat).
      e.preventDefault();
      fish.current?.nudge(-ptzMove.pan * 0.2, ptzMove.tilt * 0.2, ptzMove.zoom > 0 ? 0.85 : ptzMove.zoom < 0 ? 1 / 0.85 : 1);
      return;
    }
    if (ptzMove) {
      e.preventDefault();
      if (!e.repeat && !keyMoving.current) { keyMoving.current = true; ptz.current?.press(ptzMove); }
      return;
    }
    const what = shortcutOf(e, 'tile');
    if (what === 'tile.talk' && hasSpeaker) {
      e.preventDefault();
      if (!e.repeat) talkPress();
      return;
    }
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 100, ArrowUp: -100 };
    if (what === 'tile.ptz' && hasPtz) setPtzOn((on) => !on);
    else if (what === 'tile.maximize') p.onToggleMaximize();
    else if (what === 'tile.clear') p.onClear();
    else if (what === 'tile.resetZoom') setZoom({ scale: 1, x: 0, y: 0 });
    else if (what === 'tile.dewarp' && lens) nextDewarp();
    else if (what === 'tile.snapshot' && p.channel) p.onSnapshot(p.channel.id);
    else if (what === 'tile.listen' && hasAudio) p.onListen(!p.listening);
    else if (what === 'tile.move') p.onMove(moves[e.key]!);
    else return;
    e.preventDefault();
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDropping(false);
    const id = Number(e.dataTransfer.getData(CHANNEL_MIME));
    if (id > 0) p.onDropChannel(id);
  };

  const cls = ['tile', `state-${state}`, p.selected && 'selected', p.maximized && 'maximized', p.hidden && 'hidden', dropping && 'dropping'].filter(Boolean).join(' ');
  return (
    <div
      ref={box}
      className={cls}
      style={p.style}
      tabIndex={p.selected ? 0 : -1}
      role="gridcell"
      aria-label={p.channel ? t('tile.label', { name: p.channel.name, state: stateLabel }) : t('tile.emptyLabel', { n: p.index + 1 })}
      aria-selected={p.selected}
      data-tile={p.index}
      data-state={state}
      onFocus={p.onSelect}
      onClick={p.onSelect}
      onDoubleClick={p.onToggleMaximize}
      onKeyDown={onKey}
      onKeyUp={(e) => {
        if (keyMoving.current && ptzMoveOf(e)) { keyMoving.current = false; ptz.current?.release(); }
        if (e.target === e.currentTarget && shortcutOf(e, 'tile') === 'tile.talk') talkRelease();
      }}
      onBlur={(e) => {
        if (keyMoving.current) { keyMoving.current = false; ptz.current?.release(); }
        if (e.target === e.currentTarget) talkRelease();
      }}
      onDragOver={(e) => { if (e.dataTransfer.types.includes(CHANNEL_MIME)) { e.preventDefault(); setDropping(true); } }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
      onWheel={onWheel}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (drag.current = null)}
    >
      {p.channel ? (
        <>
          <div ref={media} className="tile-media" style={{ transform: `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})` }}>
            {streams.map((entry, i) => (
              <StreamVideo
                key={entry}
                streamId={entry.replace(WITH_AUDIO, '')}
                pending={i > 0}
                audio={entry.endsWith(WITH_AUDIO)}
                rate={rate}
                onFirstFrame={() => setStreams((s) => (s.includes(entry) ? s.slice(s.indexOf(entry)) : s))}
                onStats={i === 0 ? onStats : undefined}
              />
            ))}
          </div>
          {lens && dewarp !== 'fisheye' && (
            <FisheyeView ref={fish} lens={lens} mode={dewarp} media={media} masks={masks} label={t('fisheye.label', { name: p.channel.name, mode: t(`tile.dewarp.${dewarp}`) })} />
          )}
          <div className="tile-bar">
            <span className="tile-dot" aria-hidden="true" />
            <span className="tile-name">{p.channel.name}</span>
            <span className="tile-state">{retryIn !== null ? t('tile.stateRetry', { state: stateLabel, seconds: retryIn }) : stateLabel}</span>
            {p.listening && hasAudio && <span className="badge" title={t('tile.heard')}>♪</span>}
            {rate === 'keyframes' && <span className="badge" data-rate="keyframes" title={t('tile.keyframesTitle')}>{t('tile.keyframes')}</span>}
            {stats?.transcoded && <span className="badge" title={t('tile.transcodedTitle')}>{t('tile.transcoded')}</span>}
            {zoom.scale > 1 && <span className="badge">{t('tile.zoom', { factor: formatNumber(zoom.scale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })}</span>}
            <span className="tile-profile">{shownId?.endsWith('/sub') ? t('tile.sub') : t('tile.main')}</span>
          </div>
          <Toolbar className="tile-tools" label={t('tile.toolsLabel', { name: p.channel.name })} reachable={p.selected && !p.hidden} moveKey="tile.tools" onDoubleClick={(e) => e.stopPropagation()}>
            <button type="button" title={t('tile.snapTitle')} onClick={(e) => { e.stopPropagation(); p.onSnapshot(p.channel!.id); }}>{t('tile.snap')}</button>
            {mayClip && <button type="button" className={clipping ? 'rec on' : 'rec'} aria-pressed={clipping} title={t('tile.recTitle')}
              onClick={(e) => { e.stopPropagation(); void p.onClip(p.channel!.id, !clipping); }}>{clipping ? t('tile.stop') : t('tile.rec')}</button>}
            {hasAudio && (
              <button type="button" className={p.listening ? 'on' : ''} aria-pressed={p.listening} data-testid="tile-audio"
                aria-label={t(p.listening ? 'tile.mute' : 'tile.listen', { name: p.channel.name })}
                title={p.listening ? t('tile.muteTitle') : t('tile.listenTitle')}
                onClick={(e) => { e.stopPropagation(); p.onListen(!p.listening); }}>{t('tile.audio')}</button>
            )}
            {hasSpeaker && <TalkButton name={p.channel.name} talk={talk} press={talkPress} release={talkRelease} />}
            {lens && (
              <button type="button" data-testid="tile-dewarp" title={t('tile.dewarpTitle')} onClick={(e) => { e.stopPropagation(); nextDewarp(); }}>{t(`tile.dewarp.${dewarp}`)}</button>
            )}
            {hasPtz && (
              <button type="button" className={ptzOn ? 'on' : ''} aria-pressed={ptzOn} title={t(views ? 'tile.viewPtzTitle' : 'tile.ptzTitle')}
                onClick={(e) => { e.stopPropagation(); setPtzOn(!ptzOn); }}>{t('tile.ptz')}</button>
            )}
            {mayLens && <button type="button" title={t('tile.lensTitle')} data-testid="tile-lens" onClick={(e) => { e.stopPropagation(); p.onLens(p.channel!.id); }}>{t('tile.lens')}</button>}
            <button type="button" title={t('tile.masksTitle')} data-testid="tile-masks" onClick={(e) => { e.stopPropagation(); p.onMasks(p.channel!.id); }}>{t('tile.masks')}</button>
            <button type="button" title={t('tile.maxTitle')} onClick={(e) => { e.stopPropagation(); p.onToggleMaximize(); }}>{p.maximized ? t('tile.restore') : t('tile.max')}</button>
          </Toolbar>
          {talk.state === 'error' && <div className="tile-talk-error" role="alert" data-testid="tile-talk-error">{talk.message}</div>}
          {talk.state === 'talking' && <div className="tile-talking" role="status">{t('talk.status', { name: p.channel.name })}</div>}
          {ptzOn && !views && <PtzControls ref={ptz} channelId={p.channel.id} channelName={p.channel.name} />}
          {(state === 'offline' || state === 'auth_failed' || state === 'stalled') && (
            <div className="tile-problem" role="status">
              <div>{status?.reason ?? stateLabel}</div>
              {shownId && <button type="button" tabIndex={p.selected ? 0 : -1} onClick={(e) => { e.stopPropagation(); p.onRetry(shownId); }}>{t('tile.retryNow')}</button>}
            </div>
          )}
          {p.showStats && stats && (
            <dl className="tile-stats" data-testid="tile-stats">
              <dt>{t('stats.codec')}</dt><dd>{stats.codec}</dd>
              <dt>{t('stats.size')}</dt><dd>{t('stats.sizeValue', { width: stats.width, height: stats.height })}</dd>
              <dt>{t('stats.fps')}</dt><dd data-fps={stats.fps.toFixed(1)}>{formatNumber(stats.fps, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}</dd>
              <dt>{t('stats.rate')}</dt><dd>{t('stats.rateValue', { rate: formatNumber(stats.bitrate / 1000, { maximumFractionDigits: 0 }) })}</dd>
              <dt>{t('stats.buffer')}</dt><dd data-buffer-ms={Math.round(stats.bufferS * 1000)}>{t('stats.bufferValue', { ms: formatNumber(Math.round(stats.bufferS * 1000)) })}</dd>
              <dt>{t('stats.dropped')}</dt><dd>{formatNumber(stats.droppedFrames)}</dd>
              <dt title={t(stats.latencyFrom === 'camera' ? 'stats.latencyCameraTitle' : 'stats.latencyTitle')}>{t('stats.latency')}</dt>
              <dd data-latency-ms={stats.latencyMs === undefined ? '' : Math.round(stats.latencyMs)} data-latency-from={stats.latencyFrom ?? ''}>
                {stats.latencyMs === undefined ? '–' : t(stats.latencyFrom === 'camera' ? 'stats.latencyCameraValue' : 'stats.latencyValue', { ms: formatNumber(Math.round(stats.latencyMs)) })}
              </dd>
            </dl>
          )}
        </>
      ) : (
        <div className="tile-empty">{dropping ? t('tile.drop') : `${p.index + 1}`}</div>
      )}
    </div>
  );
}
