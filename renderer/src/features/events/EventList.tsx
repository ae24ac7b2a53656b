import i18next from 'i18next';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EVENT_TYPES, isAlarm, type StationEvent } from '../../../../electron/contract';
import { useAppDispatch } from '../../app/hooks';
import { navigated } from '../../app/store';
import { useChannelsQuery } from '../live/live-api';
import { dateTimeFormat, formatNumber } from '../../i18n/format';
import { playbackActions } from '../recording/playback-slice';
import { useMay } from '../operators/rights';
import { typeLabel, useAcknowledgeMutation, useEventSnapshotQuery, useEventsQuery, type EventFilterArgs } from './events-api';
import { useEventStream } from './use-event-stream';

/** Filter value, span, and its catalogue key under list.ranges. */
const RANGES = [['1h', 3_600_000, 'lastHour'], ['24h', 86_400_000, 'lastDay'], ['7d', 7 * 86_400_000, 'lastWeek'], ['all', 0, 'anyTime']] as const;

function Thumb({ id }: { id: number }) {
  const { t } = useTranslation('events');
  const { data } = useEventSnapshotQuery(id);
  return data ? <img className="ev-thumb" src={`data:image/jpeg;base64,${data.jpegBase64}`} alt={t('list.thumbAlt')} /> : <span className="ev-thumb" />;
}

const time = (ms: number) => dateTimeFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);

/** A reading with its unit, "on" while a stateful event lasts, how long it lasted, or the station's detail. */
function describe(e: StationEvent): string {
  if (e.value !== null) return `${formatNumber(e.value)} ${e.unit ?? ''}`.trim();
  if (e.end === null) return i18next.t('events:list.detailOn');
  if (e.end > e.start) return i18next.t('events:list.detailSeconds', { seconds: formatNumber(Math.max(1, Math.round((e.end - e.start) / 1000))) });
  return e.detail;
}

/** Filterable, live-updating event list; a row opens Playback at its instant. */
export function EventList() {
  const { t } = useTranslation('events');
  const dispatch = useAppDispatch();
  const [type, setType] = useState<string>('');
  const [channel, setChannel] = useState<string>('');
  const [range, setRange] = useState<string>('24h');
  const [ack, setAck] = useState<string>('');
  const [noteFor, setNoteFor] = useState<number | null>(null);
  const [note, setNote] = useState('');
  // The lower bound is fixed when the filter changes so live updates keep matching the cached query.
  const filter = useMemo<EventFilterArgs>(() => {
    const span = RANGES.find(([k]) => k === range)?.[1] ?? 0;
    return {
      limit: 200,
      ...(type ? { types: [type as StationEvent['type']] } : {}),
      ...(channel ? { channelIds: [Number(channel)] } : {}),
      ...(span ? { from: Date.now() - span } : {}),
      ...(ack ? { acknowledged: ack === 'yes' } : {}),
    };
  }, [type, channel, range, ack]);
  const { data: events = [], isLoading } = useEventsQuery(filter);
  useEventStream(filter);
  const { data: channels = [] } = useChannelsQuery();
  const [acknowledge] = useAcknowledgeMutation();
  const mayAck = useMay('alarmAck');
  const name = (id: number | null) => (id === null ? t('list.station') : channels.find((c) => c.id === id)?.name ?? t('channelFallback', { id }));

  const open = (e: StationEvent) => {
    dispatch(playbackActions.jumpRequested({ at: e.start, channelId: e.channelId }));
    dispatch(navigated('playback'));
    history.replaceState(null, '', '#/playback');
  };

  return (
    <section className="ev-list" aria-label={t('list.label')}>
      <div className="ev-filters" role="group" aria-label={t('list.filtersLabel')}>
        <label>{t('list.filters.type')} <select value={type} onChange={(e) => setType(e.target.value)} data-filter="type">
          <option value="">{t('list.filters.all')}</option>
          {EVENT_TYPES.map((k) => <option key={k} value={k}>{typeLabel(k)}</option>)}
        </select></label>
        <label>{t('list.filters.channel')} <select value={channel} onChange={(e) => setChannel(e.target.value)} data-filter="channel">
          <option value="">{t('list.filters.all')}</option>
          {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select></label>
        <label>{t('list.filters.time')} <select value={range} onChange={(e) => setRange(e.target.value)} data-filter="range">
          {RANGES.map(([k, , key]) => <option key={k} value={k}>{t(`list.ranges.${key}`)}</option>)}
        </select></label>
        <label>{t('list.filters.state')} <select value={ack} onChange={(e) => setAck(e.target.value)} data-filter="ack">
          <option value="">{t('list.filters.all')}</option><option value="no">{t('list.filters.unacknowledged')}</option><option value="yes">{t('list.filters.acknowledged')}</option>
        </select></label>
      </div>
      {isLoading ? <p className="muted">{t('list.loading')}</p> : events.length === 0 ? <p className="muted">{t('list.empty')}</p> : (
        <table className="ev-table">
          <thead><tr><th>{t('list.columns.time')}</th><th>{t('list.columns.type')}</th><th>{t('list.columns.channel')}</th><th>{t('list.columns.detail')}</th><th>{t('list.columns.picture')}</th><th>{t('list.columns.state')}</th></tr></thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-event-id={e.id} data-type={e.type} className={isAlarm(e) && !e.acknowledged ? 'ev-row alarm' : 'ev-row'}>
                <td><button type="button" className="link" onClick={() => open(e)} title={t('list.openPlayback')}>{time(e.start)}</button></td>
                <td>{typeLabel(e.type)}</td>
                <td>{name(e.channelId)}</td>
                <td className="ev-detail">{describe(e)}</td>
                <td>{e.hasSnapshot ? <Thumb id={e.id} /> : null}</td>
                <td>
                  {e.acknowledged ? <span className="ev-acked" title={e.ackNote ?? ''}>{e.ackNote ? t('list.acknowledgedNote', { note: e.ackNote }) : t('list.acknowledged')}</span>
                    : noteFor === e.id ? (
                      <form className="ev-ack" onSubmit={(f) => { f.preventDefault(); void acknowledge({ ids: [e.id], note }); setNoteFor(null); setNote(''); }}>
                        <input autoFocus aria-label={t('list.noteLabel')} placeholder={t('list.notePlaceholder')} value={note} maxLength={1000} onChange={(x) => setNote(x.target.value)} />
                        <button type="submit">{t('list.acknowledge')}</button>
                        <button type="button" onClick={() => setNoteFor(null)}>{t('common:cancel')}</button>
                      </form>
                    ) : mayAck && <button type="button" onClick={() => setNoteFor(e.id)} data-action="ack">{t('list.acknowledgeEllipsis')}</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
