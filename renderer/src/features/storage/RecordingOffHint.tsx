import { useTranslation } from 'react-i18next';
import './storage.css';
import { useChannelsQuery } from '../live/live-api';
import { useRecordingConfigQuery } from './storage-api';

/** On the Live page while none of this station's cameras records (a new station records nothing until told): says so, with the way to the storage page. */
export function RecordingOffHint() {
  const { t } = useTranslation('storage');
  const { data: channels = [] } = useChannelsQuery();
  const { data: config } = useRecordingConfigQuery();
  // Other stations' cameras record there (sites): only this station's own count.
  if (!config || !channels.some((c) => !c.site) || config.channels.some((c) => c.mode !== 'off')) return null;
  return (
    <p className="rec-off-hint" role="note" data-testid="recording-off-hint">
      <span className="rec-off-dot" aria-hidden="true" />
      {t('liveHint.off')} <a href="#/storage">{t('liveHint.link')}</a>
    </p>
  );
}
