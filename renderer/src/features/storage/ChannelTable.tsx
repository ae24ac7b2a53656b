import { useTranslation } from 'react-i18next';
import type { Channel, ChannelRecordingConfig } from '../../../../electron/contract';
import { formatBytes, formatNumber, formatTime } from '../../i18n/format';
import { scheduleName } from '../events/ScheduleGrid';
import { bitrateText, daysText, stateOf, type ChannelStatus } from './storage-format';

export interface ChannelRow { channel: Channel; config?: ChannelRecordingConfig; status?: ChannelStatus; motionIndexBytes?: number }

interface Props {
  rows: ChannelRow[];
  selected: ReadonlySet<number>;
  onToggle(channelId: number): void;
  onToggleAll(): void;
  /** Event recording now, as an alarm would start it (shown for channels in event mode). */
  onTrigger(channelId: number): void;
}

/** Every channel: how it is set to record and what its recorder does now (state in colour and words). */
export function ChannelTable({ rows, selected, onToggle, onToggleAll, onTrigger }: Props) {
  const { t } = useTranslation('storage');
  if (rows.length === 0) return <p className="muted">{t('channels.none')}</p>;
  const all = rows.every((r) => selected.has(r.channel.id));
  return (
    <div className="st-table-wrap">
      <table className="table st-table" aria-label={t('channels.label')}>
        <thead>
          <tr>
            <th scope="col"><input type="checkbox" checked={all} onChange={onToggleAll} aria-label={t('channels.selectAll')} data-select="all" /></th>
            {(['camera', 'mode', 'stream', 'schedule', 'prePost', 'keep', 'state', 'bitrate', 'today', 'backlog', 'dropped', 'segment', 'motionGrid'] as const).map((c) => (
              <th key={c} scope="col" className={['bitrate', 'today', 'backlog', 'dropped'].includes(c) ? 'num' : undefined}>{t(`channels.cols.${c}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ channel, config, status, motionIndexBytes }) => {
            const { state, hint } = stateOf(config, status);
            const on = selected.has(channel.id);
            return (
              <tr key={channel.id} data-channel={channel.id} className={on ? 'st-selected' : undefined} onClick={(e) => { if (!(e.target as HTMLElement).closest('input, a, button')) onToggle(channel.id); }}>
                <td><input type="checkbox" checked={on} onChange={() => onToggle(channel.id)} aria-label={t('channels.select', { name: channel.name })} /></td>
                <td className="st-name">{channel.name}</td>
                <td data-col="mode">{t(`modes.${config?.mode ?? 'off'}`)}
                  {config?.mode === 'event' && <button type="button" className="link small st-trigger" data-action="trigger" title={t('channels.triggerTitle')}
                    aria-label={t('channels.triggerLabel', { name: channel.name })} onClick={() => onTrigger(channel.id)}>{t('channels.trigger')}</button>}
                </td>
                <td>{config ? t(`streams.${config.stream}`) : '—'}</td>
                <td>{config?.mode === 'schedule' ? scheduleName(config.schedule) : '—'}</td>
                <td className="mono">{config?.mode === 'event' ? t('units.prePost', { pre: formatNumber(config.preSeconds), post: formatNumber(config.postSeconds) }) : '—'}</td>
                <td>{config ? daysText(config.retentionDays) : '—'}</td>
                <td data-col="state">
                  <span className={`st-pill st-${state}`} data-state={state}>{t(`states.${state}`)}</span>
                  {hint && <span className="muted st-hint">{hint}</span>}
                  {status?.gapSince !== undefined && state === 'gap' && <span className="muted st-hint">{t('channels.since', { time: formatTime(status.gapSince) })}</span>}
                </td>
                <td className="num mono">{status ? bitrateText(status.bitrateBps) : '—'}</td>
                <td className="num mono">{status ? formatBytes(status.bytesToday) : '—'}</td>
                <td className={`num mono${status && status.backlogBytes > 4 * 1024 * 1024 ? ' warn' : ''}`}>{status ? formatBytes(status.backlogBytes) : '—'}</td>
                <td className={`num mono${status?.droppedFragments ? ' bad' : ''}`}>{status ? formatNumber(status.droppedFragments) : '—'}</td>
                <td className="st-segment mono" title={status?.segmentPath}>
                  {status?.segmentPath ? <>{status.segmentPath.split('/').at(-1)}{status.segmentStart !== undefined && <span className="muted st-hint">{t('channels.segmentSince', { time: formatTime(status.segmentStart) })}</span>}</> : '—'}
                </td>
                <td data-col="motionGrid" className="mono">
                  {config?.motionGrid === false ? t('channels.gridOff') : t('channels.gridOn', { size: formatBytes(motionIndexBytes ?? 0) })}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
