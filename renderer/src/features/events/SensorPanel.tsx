import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { SensorReading } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch } from '../../app/hooks';
import { formatNumber } from '../../i18n/format';
import { useChannelsQuery } from '../live/live-api';
import { eventsApi, typeLabel, useSensorSeriesQuery, useSensorsCurrentQuery } from './events-api';

const W = 320;
const H = 80;

/** A line chart (SVG) of one sensor's last 24 hours. */
function SensorChart({ channelId, type, since }: { channelId: number; type: SensorReading['type']; since: number }) {
  const { t } = useTranslation('events');
  const { data = [] } = useSensorSeriesQuery({ channelId, type, from: since, to: since + 2 * 86_400_000, maxPoints: 300 });
  if (data.length < 2) return <svg className="ev-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('sensors.chartEmpty')} />;
  const t0 = data[0]!.at;
  const t1 = Math.max(data.at(-1)!.at, t0 + 1);
  const vs = data.map((d) => d.value);
  const lo = Math.min(...vs);
  const hi = Math.max(...vs, lo + 1e-9);
  const pts = data.map((d) => `${(((d.at - t0) / (t1 - t0)) * (W - 4) + 2).toFixed(1)},${(H - 4 - ((d.value - lo) / (hi - lo)) * (H - 8)).toFixed(1)}`).join(' ');
  return (
    <svg className="ev-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('sensors.chartLabel', { type: typeLabel(type), low: formatNumber(lo), high: formatNumber(hi) })}>
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" />
      <text x="2" y="10">{formatNumber(hi)}</text><text x="2" y={H - 2}>{formatNumber(lo)}</text>
    </svg>
  );
}

/** Current value of every sensor with its chart; readings arrive live. */
export function SensorPanel() {
  const { t } = useTranslation('events');
  const client = useStationClient();
  // The injected endpoints widen the API's tag types, which the store's dispatch type does not know of.
  const dispatch = useAppDispatch() as unknown as (thunk: unknown) => void;
  const { data: current = [] } = useSensorsCurrentQuery();
  const { data: channels = [] } = useChannelsQuery();
  const since = useMemo(() => Date.now() - 86_400_000, []);
  useEffect(() => client.on('sensor.reading', (r) => {
    dispatch(eventsApi.util.updateQueryData('sensorsCurrent', undefined, (draft) => {
      const i = draft.findIndex((x) => x.channelId === r.channelId && x.type === r.type);
      if (i >= 0) draft[i] = r;
      else draft.push(r);
    }));
    dispatch(eventsApi.util.updateQueryData('sensorSeries', { channelId: r.channelId, type: r.type, from: since, to: since + 2 * 86_400_000, maxPoints: 300 }, (draft) => void draft.push(r)));
  }), [client, dispatch, since]);
  if (current.length === 0) return <p className="muted">{t('sensors.empty')}</p>;
  return (
    <ul className="ev-sensors">
      {current.map((r) => (
        <li key={`${r.channelId}:${r.type}`} className="panel" data-sensor={`${r.channelId}:${r.type}`}>
          <div className="ev-sensor-head">
            <span>{typeLabel(r.type)} · {channels.find((c) => c.id === r.channelId)?.name ?? t('channelFallback', { id: r.channelId })}</span>
            <strong className="ev-sensor-value">{formatNumber(r.value)} {r.unit}</strong>
          </div>
          <SensorChart channelId={r.channelId} type={r.type} since={since} />
        </li>
      ))}
    </ul>
  );
}
