import { useMemo, useState } from 'react';
import { EVENT_TYPES, type StationEvent } from '../../../../electron/contract';
import { useAppDispatch } from '../../app/hooks';
import { navigated } from '../../app/store';
import { useChannelsQuery } from '../live/live-api';
import { playbackActions } from '../recording/playback-slice';
import { TYPE_LABELS, useAcknowledgeMutation, useEventSnapshotQuery, useEventsQuery, type EventFilterArgs } from './events-api';
import { useEventStream } from './use-event-stream';

const RANGES = [['1h', 3_600_000], ['24h', 86_400_000], ['7d', 7 * 86_400_000], ['all', 0]] as const;

function Thumb({ id }: { id: number }) {
  const { data } = useEventSnapshotQuery(id);
  return data ? <img className="ev-thumb" src={`data:image/jpeg;base64,${data.jpegBase64}`} alt="Snapshot at the event" /> : <span className="ev-thumb" />;
}

const time = (t: number) => new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

function describe(e: StationEvent): string {
  if (e.value !== null) return `${e.value} ${e.unit ?? ''}`.trim();
  if (e.end === null) return 'on';
  if (e.end > e.start) return `${Math.max(1, Math.round((e.end - e.start) / 1000))} s`;
  return e.detail;
}

/** Filterable, live-updating event list; a row opens Playback at its instant. */
export function EventList() {
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
  const name = (id: number | null) => (id === null ? 'Station' : channels.find((c) => c.id === id)?.name ?? `Channel ${id}`);

  const open = (e: StationEvent) => {
    dispatch(playbackActions.jumpRequested({ at: e.start, channelId: e.channelId }));
    dispatch(navigated('playback'));
    history.replaceState(null, '', '#/playback');
  };

  return (
    <section className="ev-list" aria-label="Events">
      <div className="ev-filters" role="group" aria-label="Filters">
        <label>Type <select value={type} onChange={(e) => setType(e.target.value)} data-filter="type">
          <option value="">All</option>
          {EVENT_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABELS[t]}</option>)}
        </select></label>
        <label>Channel <select value={channel} onChange={(e) => setChannel(e.target.value)} data-filter="channel">
          <option value="">All</option>
          {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select></label>
        <label>Time <select value={range} onChange={(e) => setRange(e.target.value)} data-filter="range">
          {RANGES.map(([k]) => <option key={k} value={k}>{k === 'all' ? 'Any time' : `Last ${k}`}</option>)}
        </select></label>
        <label>State <select value={ack} onChange={(e) => setAck(e.target.value)} data-filter="ack">
          <option value="">All</option><option value="no">Unacknowledged</option><option value="yes">Acknowledged</option>
        </select></label>
      </div>
      {isLoading ? <p className="muted">Loading…</p> : events.length === 0 ? <p className="muted">No events in this range.</p> : (
        <table className="ev-table">
          <thead><tr><th>Time</th><th>Type</th><th>Channel</th><th>Detail</th><th>Picture</th><th>State</th></tr></thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-event-id={e.id} data-type={e.type} className={e.ruleId !== null && !e.acknowledged ? 'ev-row alarm' : 'ev-row'}>
                <td><button type="button" className="link" onClick={() => open(e)} title="Open playback at this instant">{time(e.start)}</button></td>
                <td>{TYPE_LABELS[e.type]}</td>
                <td>{name(e.channelId)}</td>
                <td className="ev-detail">{describe(e)}</td>
                <td>{e.hasSnapshot ? <Thumb id={e.id} /> : null}</td>
                <td>
                  {e.acknowledged ? <span className="ev-acked" title={e.ackNote ?? ''}>Acknowledged{e.ackNote ? `: ${e.ackNote}` : ''}</span>
                    : noteFor === e.id ? (
                      <form className="ev-ack" onSubmit={(f) => { f.preventDefault(); void acknowledge({ ids: [e.id], note }); setNoteFor(null); setNote(''); }}>
                        <input autoFocus aria-label="Note" placeholder="Note (optional)" value={note} maxLength={1000} onChange={(x) => setNote(x.target.value)} />
                        <button type="submit">Acknowledge</button>
                        <button type="button" onClick={() => setNoteFor(null)}>Cancel</button>
                      </form>
                    ) : <button type="button" onClick={() => setNoteFor(e.id)} data-action="ack">Acknowledge…</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
