import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChannelsQuery } from '../live/live-api';
import { ArchiveSettingsForm } from './ArchiveSettingsForm';
import { AuditList } from './AuditList';
import { ChannelSettingsForm } from './ChannelSettingsForm';
import { ChannelTable, type ChannelRow } from './ChannelTable';
import { EvidenceList } from './EvidenceList';
import { ForecastPanel } from './ForecastPanel';
import { useForecastQuery, useRecordingConfigQuery, useRecordingStatusQuery, useTriggerMutation } from './storage-api';
import { useStorageSignals } from './use-storage-signals';
import './storage.css';

/** Recording & storage: how each channel records and what it does now, the archive's folder and limits, the forecast, evidence, audit. */
export function StoragePage() {
  const { t } = useTranslation('storage');
  const { data: channels = [] } = useChannelsQuery();
  const { data: config } = useRecordingConfigQuery();
  const { data: status } = useRecordingStatusQuery();
  // The saved settings' forecast: the disk's size and what evidence holds, for the archive form's checks.
  const { data: now } = useForecastQuery({ channels: [] }, { pollingInterval: 10_000 });
  const move = useStorageSignals();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [trigger] = useTriggerMutation();

  const rows = useMemo((): ChannelRow[] => channels.map((channel) => ({
    channel,
    config: config?.channels.find((c) => c.channelId === channel.id),
    status: status?.channels.find((s) => s.channelId === channel.id),
    motionIndexBytes: config?.motionIndexBytes[String(channel.id)],
  })), [channels, config, status]);
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name ?? t('channelFallback', { id });
  const chosen = channels.map((c) => c.id).filter((id) => selected.has(id));

  const toggle = (id: number) => setSelected((s) => { const n = new Set(s); if (!n.delete(id)) n.add(id); return n; });
  const toggleAll = () => setSelected((s) => (channels.every((c) => s.has(c.id)) ? new Set() : new Set(channels.map((c) => c.id))));

  return (
    <section className="page storage" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        {chosen.length > 0 && <span className="muted" aria-live="polite">{t('channels.selected', { count: chosen.length })}</span>}
      </header>
      <section aria-labelledby="st-channels" className="st-section">
        <h2 id="st-channels">{t('channels.heading')}</h2>
        <ChannelTable rows={rows} selected={selected} onToggle={toggle} onToggleAll={toggleAll} onTrigger={(id) => void trigger(id)} />
        <ChannelSettingsForm key={chosen.join(',')} channelIds={chosen} configs={config?.channels ?? []} revision={config?.revision}
          byUrl={channels.some((c) => selected.has(c.id) && !c.device && !c.site)} />
      </section>
      <div className="st-columns">
        <section aria-labelledby="st-archive" className="st-section">
          <h2 id="st-archive">{t('archive.heading')}</h2>
          {config && <ArchiveSettingsForm revision={config.revision} archive={config.archive} folder={config.folder} lockedBytes={now?.disk.lockedBytes ?? 0} diskBytes={now?.disk.totalBytes ?? 0} move={move} />}
        </section>
        <section aria-labelledby="st-forecast" className="st-section">
          <h2 id="st-forecast">{t('forecast.heading')}</h2>
          {config && <ForecastPanel channels={channels} configs={config.channels} archive={config.archive} revision={config.revision} />}
        </section>
      </div>
      <section aria-labelledby="st-evidence" className="st-section">
        <h2 id="st-evidence">{t('evidence.heading')}</h2>
        <EvidenceList channelName={channelName} />
      </section>
      <section aria-labelledby="st-audit" className="st-section">
        <h2 id="st-audit">{t('audit.heading')}</h2>
        <AuditList channels={channels} channelName={channelName} />
      </section>
    </section>
  );
}
