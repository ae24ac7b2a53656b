import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { takePlaybackJump } from '../events/playback-jump';
import { PLAYBACK_SPEEDS, type PlaybackState, type TimelineChannel } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { MsePlayer } from '../../media/mse-player';
import { Calendar } from './Calendar';
import { ExportDialog } from './ExportDialog';
import { LockDialog } from './LockDialog';
import { MAX_PLAYBACK_CHANNELS, playbackActions as A, sessionMatches, type PlaybackSessionInfo } from './playback-slice';
import { GAP_LABELS, TimelineCanvas } from './TimelineCanvas';
import { clockText } from './timeline-view';

const speedLabel = (s: number) => (s === 0.125 ? '⅛×' : s === 0.25 ? '¼×' : s === 0.5 ? '½×' : `${s}×`);

/** Playback: timelines per channel, up to 16 channels on one clock, speeds, steps, export, evidence lock. */
export function PlaybackPage() {
  const client = useStationClient();
  const dispatch = useAppDispatch();
  const connection = useAppSelector((s) => s.shell.connection);
  const pb = useAppSelector((s) => s.playback);
  const { source, channels, selected, view, session, position, selection, message, pendingOpen } = pb;
  const [data, setData] = useState<TimelineChannel[]>([]);
  const [exporting, setExporting] = useState(false);
  const [locking, setLocking] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [hover, setHover] = useState<{ t: number; x: number; jpeg?: string } | null>(null);
  const [folder, setFolder] = useState('');
  const videos = useRef(new Map<number, HTMLVideoElement>());
  /** Sound of every channel on or off (muted by default); the station sends audio at 1× only. */
  const [sound, setSound] = useState(false);
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const players = useRef(new Map<number, MsePlayer>());
  const thumbs = useRef(new Map<string, string>());
  const pbRef = useRef(pb);
  pbRef.current = pb;
  const setMessage = useCallback((m: string | null) => dispatch(A.messageShown(m)), [dispatch]);

  // A click on an event asked for an instant: that channel joins the view and plays from there.
  useEffect(() => {
    const jump = takePlaybackJump();
    if (jump) dispatch(A.jumpRequested(jump));
  }, [dispatch]);

  // Channels of the archive (names from the station; foreign folders by number).
  useEffect(() => {
    if (connection !== 'open') return;
    client.call('archive.channels', { source }).then((list) => dispatch(A.channelsLoaded(list)), (e: Error) => setMessage(e.message));
  }, [client, connection, source, dispatch, setMessage]);

  // The timeline of what is visible (with a margin), refetched as the view moves.
  useEffect(() => {
    if (selected.length === 0) return;
    let live = true;
    const span = view.to - view.from;
    const t = setTimeout(() => {
      client.call('archive.timeline', { source, channelIds: selected, from: Math.max(0, Math.round(view.from - span)), to: Math.round(view.to + span) })
        .then((d) => { if (live) setData(d); }, (e: Error) => setMessage(e.message));
    }, 80);
    return () => { live = false; clearTimeout(t); };
  }, [client, source, selected.join(','), Math.round(view.from / 1000), Math.round(view.to / 1000), refresh]);

  const closeSession = useCallback(() => {
    const s = pbRef.current.session;
    for (const p of players.current.values()) p.destroy();
    players.current.clear();
    if (s) void client.call('playback.close', { sessionId: s.state.sessionId }).catch(() => {});
    dispatch(A.sessionClosed());
  }, [client, dispatch]);
  useEffect(() => closeSession, [closeSession]);

  // Media of each channel into its own MSE player; the exact instant is reached by seeking to startSeconds.
  useEffect(() => {
    const session = pbRef.current.session;
    if (!session) return;
    const offs = session.channels.map(({ channelId, channel }) => {
      const video = videos.current.get(channelId);
      if (!video) return () => {};
      let player = players.current.get(channelId);
      if (!player) players.current.set(channelId, (player = new MsePlayer(video, { live: false, onError: (m) => setMessage(m) })));
      const p = player;
      return client.onMedia(channel, (f) => {
        if (f.kind === 'init' && f.meta) p.setInit(f.payload, f.meta);
        else if (f.kind === 'fragment') p.append(f.payload, f.keyframe);
      });
    });
    return () => offs.forEach((o) => o());
  }, [client, session?.state.sessionId]);

  useEffect(() => {
    for (const v of videos.current.values()) v.muted = !sound;
  });

  // The session clock drives the playhead; the videos are held at the instant asked for and kept together.
  useEffect(() => {
    const session = pbRef.current.session;
    if (!session) return;
    const st = session.state;
    const dir = st.speed < 0 ? -1 : 1;
    // The video is put where the session clock was when the state was sent: the seek instant, or where a pause or resume left it.
    const target = st.startSeconds + (dir * Math.max(0, st.position - st.t0)) / 1000 / Math.abs(st.speed);
    let aligned = false;
    let timer: ReturnType<typeof setTimeout>;
    // Every 16 ms until the videos stand at the instant (a seek waits on this), then every 100 ms.
    const step = () => {
      timer = setTimeout(step, aligned ? 100 : 16);
      const vids = session.channels.map((c) => videos.current.get(c.channelId)).filter((v): v is HTMLVideoElement => !!v);
      const lead = vids.find((v) => v.buffered.length > 0);
      for (const v of vids) {
        let rate = st.paused ? 0 : 1;
        if (v.buffered.length > 0) {
          const drift = lead && v !== lead && aligned ? v.currentTime - lead.currentTime : 0;
          if (!aligned && v.buffered.end(v.buffered.length - 1) >= target) v.currentTime = target;
          // Far off: jump to the lead; a little off: run 5% faster or slower until together (a jump costs a seek).
          else if (Math.abs(drift) > 0.25) v.currentTime = lead!.currentTime;
          else if (rate && Math.abs(drift) > 0.04) rate = drift > 0 ? 0.95 : 1.05;
        }
        if (v.playbackRate !== rate) v.playbackRate = rate;
      }
      if (!aligned && lead && Math.abs(lead.currentTime - target) < 0.05) aligned = true;
      if (lead && aligned) dispatch(A.positionChanged(st.t0 + (lead.currentTime - st.startSeconds) * 1000 * Math.abs(st.speed) * dir));
      else if (pbRef.current.position !== st.position) dispatch(A.positionChanged(st.position));
    };
    step();
    return () => clearTimeout(timer);
  }, [session?.state.sessionId, session?.state.epoch, dispatch]);

  useEffect(() => client.on('playback.state', (s) => dispatch(A.sessionStateChanged(s))), [client, dispatch]);

  const seek = useCallback((t: number) => {
    const cur = pbRef.current;
    if (cur.session && sessionMatches(cur)) {
      client.call('playback.seek', { sessionId: cur.session.state.sessionId, at: Math.round(t) }).then((state) => dispatch(A.sessionStateChanged(state)), (e: Error) => setMessage(e.message));
      return;
    }
    closeSession();
    if (cur.selected.length === 0) return;
    client.call('playback.open', { source: cur.source, channelIds: cur.selected, at: Math.round(t), audio: soundRef.current })
      .then((opened: PlaybackSessionInfo) => dispatch(A.sessionOpened(opened)), (e: Error) => setMessage(e.message));
  }, [client, closeSession, dispatch, setMessage]);

  // Opening from an event: once the channel list is in (and the channel is in the view), play from the instant.
  useEffect(() => {
    if (pendingOpen === undefined || connection !== 'open' || channels.length === 0) return;
    dispatch(A.pendingOpenTaken());
    seek(pendingOpen);
  }, [pendingOpen, connection, channels, seek, dispatch]);

  const act = (p: Promise<PlaybackState>) => p.then((state) => dispatch(A.sessionStateChanged(state)), (e: Error) => setMessage(e.message));
  const sid = session?.state.sessionId;
  const now = position ?? session?.state.t0;

  const hoverThumb = (t: number | null, x: number, channelId: number) => {
    if (t === null) return setHover(null);
    setHover({ t, x });
    const key = `${source}:${channelId}:${Math.round(t / 10_000)}`;
    const hit = thumbs.current.get(key);
    if (hit) return setHover({ t, x, jpeg: hit });
    void client.call('archive.thumbnail', { source, channelId, at: Math.round(t) }).then((r) => {
      if (!r) return;
      thumbs.current.set(key, r.jpegBase64);
      setHover((h) => (h && Math.abs(h.t - t) < 1 ? { ...h, jpeg: r.jpegBase64 } : h));
    }, () => {});
  };

  const names = useMemo(() => new Map(channels.map((c) => [c.channelId, c.name])), [channels]);
  const cols = Math.ceil(Math.sqrt(Math.max(1, selected.length)));

  return (
    <section className="page pb-page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>Playback</h1>
        <span className="pb-clock mono" data-testid="pb-clock">{now !== undefined ? clockText(now, true) : '—'}</span>
        <span className="muted">{source === 'local' ? 'This station' : source}</span>
      </header>
      <div className="pb-layout">
        <aside className="pb-side">
          <Calendar source={source} channelIds={selected} value={view.from} onPick={(d) => dispatch(A.viewSet({ from: d, to: d + 86_400_000 }))} />
          <fieldset className="pb-channels">
            <legend>Channels (up to {MAX_PLAYBACK_CHANNELS})</legend>
            {channels.map((c) => (
              <label key={c.channelId}>
                <input type="checkbox" checked={selected.includes(c.channelId)} disabled={!selected.includes(c.channelId) && selected.length >= MAX_PLAYBACK_CHANNELS}
                  onChange={(e) => dispatch(A.channelToggled({ channelId: c.channelId, on: e.target.checked }))} />
                {c.name}
              </label>
            ))}
            {channels.length === 0 && <p className="muted">No recordings yet.</p>}
          </fieldset>
          <form className="pb-folder" onSubmit={(e) => {
            e.preventDefault();
            client.call('archive.openFolder', { path: folder }).then((r) => void dispatch(A.sourceChanged({ source: r.source, selected: r.channels.slice(0, 4) })), (err: Error) => setMessage(err.message));
          }}>
            <label>Open a recordings folder<input name="folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/path/to/recordings" /></label>
            <button type="submit">Open</button>
            {source !== 'local' && <button type="button" onClick={() => dispatch(A.sourceChanged({ source: 'local', selected: [] }))}>Back to this station</button>}
          </form>
          <div className="pb-legend">
            <span><i style={{ background: '#3fb27f' }} />recorded</span>
            {Object.entries(GAP_LABELS).map(([k, v]) => <span key={k} data-gap={k}><i className={`gap-${k}`} />{v}</span>)}
          </div>
        </aside>
        <div className="pb-body">
          <div className="pb-videos" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)` }}>
            {selected.map((id) => (
              <figure key={id} className="pb-video">
                <video ref={(el) => void (el ? videos.current.set(id, el) : videos.current.delete(id))} muted playsInline data-playback={id} />
                <figcaption>{names.get(id) ?? `Channel ${id}`}</figcaption>
              </figure>
            ))}
          </div>
          <div className="pb-controls" role="toolbar" aria-label="Playback controls">
            <button type="button" onClick={() => now !== undefined && seek(now - 60_000)} title="Back 1 minute">−1m</button>
            <button type="button" onClick={() => now !== undefined && seek(now - 10_000)} title="Back 10 seconds">−10s</button>
            <button type="button" disabled={!sid} onClick={() => sid && act(client.call('playback.step', { sessionId: sid, frames: -1 }))} title="Previous frame">◀|</button>
            <button type="button" disabled={!sid} data-testid="pb-play" onClick={() => sid && act(client.call('playback.pause', { sessionId: sid, paused: !session!.state.paused }))}>
              {session?.state.paused ? 'Play' : 'Pause'}
            </button>
            <button type="button" disabled={!sid} onClick={() => sid && act(client.call('playback.step', { sessionId: sid, frames: 1 }))} title="Next frame">|▶</button>
            <button type="button" onClick={() => now !== undefined && seek(now + 10_000)} title="Forward 10 seconds">+10s</button>
            <button type="button" onClick={() => now !== undefined && seek(now + 60_000)} title="Forward 1 minute">+1m</button>
            <button type="button" className={sound ? 'on' : ''} aria-pressed={sound} data-testid="pb-sound" aria-label="Sound"
              onClick={() => { setSound(!sound); if (sid) act(client.call('playback.audio', { sessionId: sid, audio: !sound })); }}
              title={sound && session && session.state.speed !== 1 ? 'Sound plays at 1× only: silent at this speed' : "Cameras' sound (plays at 1× only)"}>♪</button>
            <label>Speed
              <select value={session?.state.speed ?? 1} disabled={!sid} onChange={(e) => sid && act(client.call('playback.speed', { sessionId: sid, speed: Number(e.target.value) }))}>
                {PLAYBACK_SPEEDS.map((s) => <option key={s} value={s}>{s < 0 ? `rewind ${-s}×` : speedLabel(s)}</option>)}
              </select>
            </label>
            <span className="pb-sel muted">{selection ? `${clockText(selection.from)} – ${clockText(selection.to)}` : 'Shift+drag on a timeline selects a range'}</span>
            <button type="button" disabled={!selection} onClick={() => setExporting(true)}>Export…</button>
            <button type="button" disabled={!selection || source !== 'local'} onClick={() => setLocking(true)}>Lock…</button>
          </div>
          <div className="pb-timelines" onMouseLeave={() => setHover(null)}>
            {selected.map((id) => (
              <TimelineCanvas key={id} name={names.get(id) ?? `Channel ${id}`} data={data.find((d) => d.channelId === id)} view={view} position={now} selection={selection}
                onSeek={seek} onPan={(d) => dispatch(A.viewPanned(d))} onZoom={(factor, at) => dispatch(A.viewZoomed({ factor, at }))} onSelect={(sel) => dispatch(A.selectionChanged(sel))}
                onHover={(t, x) => hoverThumb(t, x, id)} />
            ))}
            {hover && (
              <div className="pb-hover" style={{ left: Math.max(0, hover.x + 90) }}>
                {hover.jpeg ? <img alt="" src={`data:image/jpeg;base64,${hover.jpeg}`} /> : null}
                <span className="mono">{clockText(hover.t)}</span>
              </div>
            )}
          </div>
          {message && <p className="pb-message" role="alert" onClick={() => setMessage(null)}>{message}</p>}
        </div>
      </div>
      {exporting && selection && <ExportDialog source={source} channelIds={selected} from={selection.from} to={selection.to} onClose={() => setExporting(false)} />}
      {locking && selection && (
        <LockDialog from={selection.from} to={selection.to} onClose={() => setLocking(false)}
          onLock={(reason) => client.call('archive.lock', { channelId: null, from: Math.round(selection.from), to: Math.round(selection.to), reason })
            .then(() => { setMessage(null); setRefresh((n) => n + 1); })} />
      )}
    </section>
  );
}
