import { useTranslation } from 'react-i18next';
import './storage.css';
import { useChannelsQuery } from '../live/live-api';
import { useRecordingConfigQuery } from './storage-api';

/** On the Live page while no camera records (a new station records nothing until told): says so, with the way to the storage page. */
export function RecordingOffHint() {
  const { t } = useTranslation('storage');
  const { data: channels = [] } = useChannelsQuery();
  const { data: config } = useRecordingConfigQuery();
  if (!config || channels.length === 0 || config.channels.some((c) => c.mode !== 'off')) return null;
  return (
    <p className="rec-off-hint" role="note" data-testid="recording-off-hint">
      <span className="rec-off-dot" aria-hidden="true" />
      {t('liveHint.off')} <a href="#/storage">{t('liveHint.link')}</a>
    </p>
  );
}
