import { useCallback, useEffect, useRef, useState } from 'react';
import { alarmNotificationText, type AlarmNotice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { navigated } from '../../app/store';
import { liveActions } from '../live/live-slice';
import { TYPE_LABELS, useAcknowledgeMutation, useEventsQuery } from './events-api';
import { useEventStream } from './use-event-stream';

const UNACKED = { alarmsOnly: true, acknowledged: false, limit: 50 } as const;

/** A short two-tone chime; Web Audio needs no sound file and no network. */
function chime(): void {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.setValueAtTime(880, ctx.currentTime);
    o.frequency.setValueAtTime(660, ctx.currentTime + 0.15);
    g.gain.setValueAtTime(0.15, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    o.onended = () => void ctx.close();
  } catch {
    // No audio device: the toast still shows.
  }
}

/** Alarms from anywhere in the app: desktop notification (or an in-app toast), sound, pop-up in Live; unacknowledged alarms stay in view. */
export function AlarmCenter() {
  const client = useStationClient();
  const dispatch = useAppDispatch();
  const live = useAppSelector((s) => s.live);
  const liveRef = useRef(live);
  liveRef.current = live;
  const [toasts, setToasts] = useState<AlarmNotice[]>([]);
  const { data: unacked = [] } = useEventsQuery(UNACKED);
  useEventStream(UNACKED);
  const [acknowledge] = useAcknowledgeMutation();

  /** The camera in a maximized Live tile; `go`: switch to Live too (a click on a notification). */
  const showCamera = useCallback((ch: number, go: boolean) => {
    const s = liveRef.current;
    let tile = s.tiles.indexOf(ch);
    if (tile < 0) {
      tile = s.selected;
      dispatch(liveActions.cameraPlaced({ tile, channelId: ch }));
    }
    if (s.maximized !== tile) dispatch(liveActions.maximizeToggled(tile));
    if (go) {
      dispatch(navigated('live'));
      history.replaceState(null, '', '#/live');
    }
  }, [dispatch]);

  useEffect(() => client.on('alarm.raised', (n) => {
    const ch = n.event.channelId;
    if (n.actions.includes('notify')) {
      // Electron's main process shows its own notification (with the snapshot as its image) and reports clicks as 'alarm.focus'.
      if (client.transport === 'websocket' && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        const { title, body } = alarmNotificationText(n);
        const icon = n.snapshotBase64 ? `data:image/jpeg;base64,${n.snapshotBase64}` : undefined;
        const note = new Notification(title, { body, icon, tag: `alarm-${n.event.id}` });
        note.onclick = () => {
          window.focus();
          if (ch !== null) showCamera(ch, true);
          note.close();
        };
      }
      setToasts((t) => [n, ...t.filter((x) => x.event.id !== n.event.id)].slice(0, 4));
    }
    if (n.actions.includes('sound')) chime();
    if (n.actions.includes('popup') && ch !== null) showCamera(ch, false);
  }), [client, showCamera]);

  useEffect(() => client.on('alarm.focus', ({ channelId }) => {
    if (channelId !== null) showCamera(channelId, true);
  }), [client, showCamera]);

  useEffect(() => {
    if (client.transport === 'websocket' && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => {});
  }, [client]);

  return (
    <>
      {unacked.length > 0 && (
        <div className="ev-unacked" role="status" aria-live="polite" data-unacked={unacked.length}>
          {unacked.length} unacknowledged alarm{unacked.length === 1 ? '' : 's'}: {TYPE_LABELS[unacked[0]!.type]} {new Date(unacked[0]!.start).toLocaleTimeString()}
          <button type="button" onClick={() => void acknowledge({ ids: unacked.map((e) => e.id), note: '' })}>Acknowledge all</button>
        </div>
      )}
      <div className="ev-toasts" aria-live="assertive">
        {toasts.map((n) => (
          <div key={n.event.id} className="ev-toast" role="alert" data-alarm-event={n.event.id}>
            {n.snapshotBase64 && <img src={`data:image/jpeg;base64,${n.snapshotBase64}`} alt="Snapshot at the alarm" />}
            <div><strong>{n.ruleName}</strong><br />{TYPE_LABELS[n.event.type]} · {new Date(n.event.start).toLocaleTimeString()}</div>
            <button type="button" aria-label="Dismiss" onClick={() => setToasts((t) => t.filter((x) => x.event.id !== n.event.id))}>×</button>
          </div>
        ))}
      </div>
    </>
  );
}
