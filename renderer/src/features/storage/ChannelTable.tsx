import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, ChannelRecordingConfig } from '../../../../electron/contract';
import { formatBytes, formatNumber, formatTime } from '../../i18n/format';
import { scheduleName } from '../events/ScheduleGrid';
import { bitrateText, daysText, stateOf, type ChannelStatus } from './storage-format';

export interface ChannelRow {
  channel: Channel; config?: ChannelRecordingConfig; status?: ChannelStatus; motionIndexBytes?: number;
  /** Its settings could not be read (another station not connected, or refusing): nothing is shown as if known. */
  unknown?: boolean;
}

/** The table's columns after the selection box (a station's heading row spans them). */
const COLUMNS = ['camera', 'mode', 'stream', 'schedule', 'prePost', 'keep', 'state', 'bitrate', 'today', 'backlog', 'dropped', 'segment', 'motionGrid'] as const;

interface RowsProps {
  rows: ChannelRow[];
  selected: ReadonlySet<number>;
  onToggle(channelId: number): void;
  /** Event recording now, as an alarm would start it (shown for channels in event mode). */
  onTrigger(channelId: number): void;
}

interface Props extends RowsProps {
  onToggleAll(): void;
  /** Other stations' channels (a desk): a group of rows each, after this station's own. */
  children?: ReactNode;
}

/** Every channel: how it is set to record and what its recorder does now (state in colour and words). */
export function ChannelTable({ rows, selected, onToggle, onToggleAll, onTrigger, children }: Props) {
  const { t } = useTranslation('storage');
  if (rows.length === 0 && !children) return <p className="muted">{t('channels.none')}</p>;
  const all = rows.length > 0 && rows.every((r) => selected.has(r.channel.id));
  return (
    <div className="st-table-wrap">
      <table className="table st-table" aria-label={t('channels.label')}>
        <thead>
          <tr>
            <th scope="col">{rows.length > 0 && <input type="checkbox" checked={all} onChange={onToggleAll} aria-label={t('channels.selectAll')} data-select="all" />}</th>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className={['bitrate', 'today', 'backlog', 'dropped'].includes(c) ? 'num' : undefined}>{t(`channels.cols.${c}`)}</th>
            ))}
          </tr>
        </thead>
        {rows.length > 0 && <tbody><ChannelRows rows={rows} selected={selected} onToggle={onToggle} onTrigger={onTrigger} /></tbody>}
        {children}
      </table>
    </div>
  );
}

interface GroupProps extends RowsProps {
  siteId: number;
  name: string;
  onToggleGroup(): void;
  /** Why this station's settings cannot be shown now (not connected, refused there), worded. */
  problem?: string | null;
}

/** Another station's channels (a desk): a heading row with the station's name, then its channels' rows as its page has them. */
export function StationRows({ siteId, name, rows, selected, onToggle, onToggleGroup, onTrigger, problem }: GroupProps) {
  const { t } = useTranslation('storage');
  const all = rows.length > 0 && rows.every((r) => selected.has(r.channel.id));
  const heading = `st-site-${siteId}`;
  return (
    <tbody data-site={siteId} aria-labelledby={heading}>
      <tr className="st-site">
        <td><input type="checkbox" checked={all} onChange={onToggleGroup} aria-label={t('channels.selectStation', { name })} data-select={`site-${siteId}`} /></td>
        <th scope="rowgroup" colSpan={COLUMNS.length} id={heading}>
          <span className="st-site-name">{t('channels.station', { name })}</span>
          {problem && <span className="error st-hint" data-problem={siteId}>{problem}</span>}
        </th>
      </tr>
      <ChannelRows rows={rows} selected={selected} onToggle={onToggle} onTrigger={onTrigger} />
    </tbody>
  );
}

function ChannelRows({ rows, selected, onToggle, onTrigger }: RowsProps) {
  const { t } = useTranslation('storage');
  return rows.map(({ channel, config, status, motionIndexBytes, unknown }) => {
    const { state, hint } = stateOf(config, status);
    const on = selected.has(channel.id);
    return (
      <tr key={channel.id} data-channel={channel.id} className={on ? 'st-selected' : undefined} onClick={(e) => { if (!(e.target as HTMLElement).closest('input, a, button')) onToggle(channel.id); }}>
        <td><input type="checkbox" checked={on} onChange={() => onToggle(channel.id)} aria-label={t('channels.select', { name: channel.name })} /></td>
        <td className="st-name">{channel.name}</td>
        <td data-col="mode">{unknown ? '—' : t(`modes.${config?.mode ?? 'off'}`)}
          {config?.mode === 'event' && <button type="button" className="link small st-trigger" data-action="trigger" title={t('channels.triggerTitle')}
            aria-label={t('channels.triggerLabel', { name: channel.name })} onClick={() => onTrigger(channel.id)}>{t('channels.trigger')}</button>}
        </td>
        <td>{config ? t(`streams.${config.stream}`) : '—'}</td>
        <td>{config?.mode === 'schedule' ? scheduleName(config.schedule) : '—'}</td>
        <td className="mono">{config?.mode === 'event' ? t('units.prePost', { pre: formatNumber(config.preSeconds), post: formatNumber(config.postSeconds) }) : '—'}</td>
        <td data-col="keep">{config ? daysText(config.retentionDays) : '—'}</td>
        <td data-col="state">
          {unknown ? '—' : <span className={`st-pill st-${state}`} data-state={state}>{t(`states.${state}`)}</span>}
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
          {unknown ? '—' : config?.motionGrid === false ? t('channels.gridOff') : t('channels.gridOn', { size: formatBytes(motionIndexBytes ?? 0) })}
        </td>
      </tr>
    );
  });
}
