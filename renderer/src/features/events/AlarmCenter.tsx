import { useCallback, useEffect, useState } from 'react';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AlarmNotice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch } from '../../app/hooks';
import { navigated } from '../../app/store';
import { useChannelsQuery } from '../live/live-api';
import { liveActions } from '../live/live-slice';
import { dateTimeFormat, formatNumber } from '../../i18n/format';
import { typeLabel, useAcknowledgeMutation, useEventsQuery } from './events-api';
import { useEventStream } from './use-event-stream';

const UNACKED = { alarmsOnly: true, acknowledged: false, limit: 50 } as const;

/** The time of an alarm as the language writes it (in English, what toLocaleTimeString gives: 3:04:05 PM). */
const alarmTime = (ms: number) => dateTimeFormat({ timeStyle: 'medium' }).format(ms);

/** The words of an alarm's browser notification, in the chosen language; the rule's name and the event's detail are the station's. */
function notificationText(n: AlarmNotice): { title: string; body: string } {
  const e = n.event;
  const value = e.value !== null ? ` ${formatNumber(e.value)}${e.unit ? ` ${e.unit}` : ''}` : '';
  const detail = e.detail ? ` · ${e.detail}` : '';
  return { title: i18next.t('events:alarm.notificationTitle', { rule: ruleName(n), type: typeLabel(e.type) }), body: `${alarmTime(e.start)}${value}${detail}`.slice(0, 200) };
}

/** The rule's name, or for a station alarm (no rule) the words for one. */
const ruleName = (n: AlarmNotice) => (n.ruleId === null ? i18next.t('events:alarm.stationAlarm') : n.ruleName);

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
  const { t } = useTranslation('events');
  const client = useStationClient();
  const dispatch = useAppDispatch();
  const [toasts, setToasts] = useState<AlarmNotice[]>([]);
  const { data: channels = [] } = useChannelsQuery();
  const placeOf = (id: number | null) => {
    const c = id === null ? undefined : channels.find((x) => x.id === id);
    return c ? (c.site ? `${c.site.name} › ${c.name}` : c.name) : null;
  };
  const { data: unacked = [] } = useEventsQuery(UNACKED);
  useEventStream(UNACKED);
  const [acknowledge] = useAcknowledgeMutation();

  /** The camera in a maximized Live tile; `go`: switch to Live too (a click on a notification). */
  const showCamera = useCallback((ch: number, go: boolean) => {
    dispatch(liveActions.cameraShown(ch));
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
        const { title, body } = notificationText(n);
        const icon = n.snapshotBase64 ? `data:image/jpeg;base64,${n.snapshotBase64}` : undefined;
        const note = new Notification(title, { body, icon, tag: `alarm-${n.event.id}` });
        note.onclick = () => {
          window.focus();
          if (ch !== null) showCamera(ch, true);
          note.close();
        };
      }
      setToasts((list) => [n, ...list.filter((x) => x.event.id !== n.event.id)].slice(0, 4));
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
          {t('alarm.unacked', { count: unacked.length, type: typeLabel(unacked[0]!.type), time: alarmTime(unacked[0]!.start) })}
          <button type="button" onClick={() => void acknowledge({ ids: unacked.map((e) => e.id), note: '' })}>{t('alarm.acknowledgeAll')}</button>
        </div>
      )}
      <div className="ev-toasts" aria-live="assertive">
        {toasts.map((n) => (
          <div key={n.event.id} className="ev-toast" role="alert" data-alarm-event={n.event.id}>
            {n.snapshotBase64 && <img src={`data:image/jpeg;base64,${n.snapshotBase64}`} alt={t('alarm.snapshotAlt')} />}
            <div>
              <strong>{ruleName(n)}</strong><br />
              {/* Which camera, and on a desk showing several stations, which station. */}
              {placeOf(n.event.channelId) && <><span className="ev-toast-where">{placeOf(n.event.channelId)}</span><br /></>}
              {t('alarm.toastLine', { type: typeLabel(n.event.type), time: alarmTime(n.event.start) })}
            </div>
            <button type="button" aria-label={t('alarm.dismiss')} onClick={() => setToasts((list) => list.filter((x) => x.event.id !== n.event.id))}>×</button>
          </div>
        ))}
      </div>
    </>
  );
}
