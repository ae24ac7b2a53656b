import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Calendar } from './Calendar';
import { MAX_PLAYBACK_CHANNELS, type ArchiveChannel } from './playback-slice';
import { FILLED_COLOUR, GAP_REASONS, STANDBY_COLOUR } from './TimelineCanvas';

interface Props {
  source: string;
  channels: ArchiveChannel[];
  selected: number[];
  /** Start of the visible range: the calendar opens on its month. */
  viewFrom: number;
  onPickDay(dayStart: number): void;
  onToggleChannel(channelId: number, on: boolean): void;
  onOpenFolder(path: string): void;
  onBackToLocal(): void;
}

/** The side of Playback: calendar, the channels shown, another recordings folder, the legend of the timeline's colours. */
export function PlaybackSidebar({ source, channels, selected, viewFrom, onPickDay, onToggleChannel, onOpenFolder, onBackToLocal }: Props) {
  const { t } = useTranslation('recording');
  const [folder, setFolder] = useState('');
  return (
    <aside className="pb-side">
      <Calendar source={source} channelIds={selected} value={viewFrom} onPick={onPickDay} />
      <fieldset className="pb-channels">
        <legend>{t('sidebar.channels', { max: MAX_PLAYBACK_CHANNELS })}</legend>
        {channels.map((c) => (
          <label key={c.channelId}>
            <input type="checkbox" checked={selected.includes(c.channelId)} disabled={!selected.includes(c.channelId) && selected.length >= MAX_PLAYBACK_CHANNELS}
              onChange={(e) => onToggleChannel(c.channelId, e.target.checked)} />
            {c.name}
          </label>
        ))}
        {channels.length === 0 && <p className="muted">{t('sidebar.noRecordings')}</p>}
      </fieldset>
      <form className="pb-folder" onSubmit={(e) => { e.preventDefault(); onOpenFolder(folder); }}>
        <label>{t('sidebar.openFolder')}<input name="folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder={t('sidebar.folderPlaceholder')} /></label>
        <button type="submit">{t('sidebar.open')}</button>
        {source !== 'local' && <button type="button" onClick={onBackToLocal}>{t('sidebar.backToLocal')}</button>}
      </form>
      <div className="pb-legend">
        <span><i style={{ background: '#3fb27f' }} />{t('legend.recorded')}</span>
        <span data-legend="filled"><i style={{ background: FILLED_COLOUR }} />{t('legend.filled')}</span>
        <span data-legend="standby"><i style={{ background: STANDBY_COLOUR }} />{t('legend.standby')}</span>
        {Object.entries(GAP_REASONS).map(([k, key]) => <span key={k} data-gap={k}><i className={`gap-${k}`} />{t(key)}</span>)}
      </div>
    </aside>
  );
}
