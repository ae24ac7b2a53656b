import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { splitSiteChannel, type Channel } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { useChannelsQuery } from '../live/live-api';
import { useSitesQuery } from '../sites/sites-api';
import { ArchiveSettingsForm } from './ArchiveSettingsForm';
import { AuditList } from './AuditList';
import { ChannelSettingsForm } from './ChannelSettingsForm';
import { ChannelTable, StationRows, type ChannelRow } from './ChannelTable';
import { EvidenceList } from './EvidenceList';
import { ForecastPanel } from './ForecastPanel';
import { useForecastQuery, useRecordingConfigQuery, useRecordingStatusQuery, useSiteRecordingConfigQuery, useSiteRecordingStatusQuery, useTriggerMutation } from './storage-api';
import { useStorageSignals } from './use-storage-signals';
import './storage.css';

/** The station a channel records on: 0 for this one, else the site's id (a desk's other stations). */
const stationOf = (id: number) => splitSiteChannel(id)?.siteId ?? 0;

/**
 * Recording & storage: how each channel records and what it does now, the archive's folder and limits, the forecast,
 * evidence, audit. On a desk, the other stations' channels follow this station's, a group each, their settings read and
 * changed on their station (sites.recordingConfig, recording.setChannels relayed there); one station's channels are
 * changed at a time.
 */
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

  const own = useMemo(() => channels.filter((c) => !c.site), [channels]);
  const sites = useMemo(() => {
    const m = new Map<number, { id: number; name: string; channels: Channel[] }>();
    for (const c of channels) if (c.site) (m.get(c.site.id) ?? m.set(c.site.id, { ...c.site, channels: [] }).get(c.site.id)!).channels.push(c);
    return [...m.values()];
  }, [channels]);
  const rows = useMemo((): ChannelRow[] => own.map((channel) => ({
    channel,
    config: config?.channels.find((c) => c.channelId === channel.id),
    status: status?.channels.find((s) => s.channelId === channel.id),
    motionIndexBytes: config?.motionIndexBytes[String(channel.id)],
  })), [own, config, status]);
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name ?? t('channelFallback', { id });
  const chosen = channels.map((c) => c.id).filter((id) => selected.has(id));
  const chosenStation = chosen.length ? stationOf(chosen[0]!) : 0;

  // One station's channels at a time: a channel of another station starts a new selection there.
  const toggle = (id: number) => setSelected((s) => {
    if (s.size && stationOf([...s][0]!) !== stationOf(id)) return new Set([id]);
    const n = new Set(s);
    if (!n.delete(id)) n.add(id);
    return n;
  });
  const toggleGroup = (ids: number[]) => setSelected((s) => (ids.every((id) => s.has(id)) ? new Set() : new Set(ids)));

  return (
    <section className="page storage" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        {chosen.length > 0 && <span className="muted" aria-live="polite">{t('channels.selected', { count: chosen.length })}</span>}
      </header>
      <section aria-labelledby="st-channels" className="st-section">
        <h2 id="st-channels">{t('channels.heading')}</h2>
        <ChannelTable rows={rows} selected={selected} onToggle={toggle} onToggleAll={() => toggleGroup(own.map((c) => c.id))} onTrigger={(id) => void trigger(id)}>
          {sites.length > 0 && sites.map((s) => (
            <SiteGroup key={s.id} siteId={s.id} name={s.name} channels={s.channels} selected={selected} onToggle={toggle}
              onToggleGroup={() => toggleGroup(s.channels.map((c) => c.id))} onTrigger={(id) => void trigger(id)} />
          ))}
        </ChannelTable>
        {chosenStation === 0
          ? <ChannelSettingsForm key={chosen.join(',')} channelIds={chosen} configs={config?.channels ?? []} revision={config?.revision}
            byUrl={own.some((c) => selected.has(c.id) && !c.device)} />
          : <SiteSettings key={chosen.join(',')} siteId={chosenStation} name={sites.find((s) => s.id === chosenStation)?.name ?? ''} channelIds={chosen} />}
      </section>
      <div className="st-columns">
        <section aria-labelledby="st-archive" className="st-section">
          <h2 id="st-archive">{t('archive.heading')}</h2>
          <ArchiveSection move={move} lockedBytes={now?.disk.lockedBytes ?? 0} diskBytes={now?.disk.totalBytes ?? 0} />
        </section>
        <section aria-labelledby="st-forecast" className="st-section">
          <h2 id="st-forecast">{t('forecast.heading')}</h2>
          {/* This station's disk: other stations' channels record on theirs. */}
          {config && <ForecastPanel channels={own} configs={config.channels} archive={config.archive} revision={config.revision} />}
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

interface SiteGroupProps {
  siteId: number;
  name: string;
  channels: Channel[];
  selected: ReadonlySet<number>;
  onToggle(id: number): void;
  onToggleGroup(): void;
  onTrigger(id: number): void;
}

/** Another station's channels: their settings and recorders as that station has them (asked of it through this desk). */
function SiteGroup({ siteId, name, channels, selected, onToggle, onToggleGroup, onTrigger }: SiteGroupProps) {
  const { data: config, error } = useSiteRecordingConfigQuery({ id: siteId }, { refetchOnMountOrArgChange: true });
  // What its recorders do now, asked again every few seconds (its recording.status signal reaches only its own clients).
  const { data: status } = useSiteRecordingStatusQuery({ id: siteId }, { pollingInterval: 5000, skip: !config });
  const rows = channels.map((channel): ChannelRow => ({
    channel,
    config: config?.channels.find((c) => c.channelId === channel.id),
    status: status?.channels.find((s) => s.channelId === channel.id),
    motionIndexBytes: config?.motionIndexBytes[String(channel.id)],
    unknown: !config,
  }));
  return <StationRows siteId={siteId} name={name} rows={rows} selected={selected} onToggle={onToggle} onToggleGroup={onToggleGroup} onTrigger={onTrigger} problem={error ? errorText(error) : null} />;
}

/** The settings form for channels of another station, with that station's settings and revision; or why it cannot be. */
function SiteSettings({ siteId, name, channelIds }: { siteId: number; name: string; channelIds: number[] }) {
  const { data: config, error, isFetching } = useSiteRecordingConfigQuery({ id: siteId });
  if (error && !isFetching) return <p className="error st-select-first" role="alert" data-site-problem={siteId}>{errorText(error)}</p>;
  if (!config) return null;
  return <ChannelSettingsForm channelIds={channelIds} configs={config.channels} revision={config.revision} station={name} />;
}

/** The archive's folder and limits: this station's, or (a desk) another station's, chosen above the form. */
function ArchiveSection({ move, lockedBytes, diskBytes }: { move: ReturnType<typeof useStorageSignals>; lockedBytes: number; diskBytes: number }) {
  const { t } = useTranslation('storage');
  const { data: config } = useRecordingConfigQuery();
  const { data: sites = [] } = useSitesQuery();
  const [siteId, setSiteId] = useState(0);
  const site = sites.find((s) => s.id === siteId);
  return (
    <>
      {sites.length > 0 && (
        <label className="field-stack st-station-pick">{t('archive.station')}
          <select name="archiveStation" value={site ? siteId : 0} onChange={(e) => setSiteId(Number(e.target.value))}>
            <option value={0}>{t('archive.thisStation')}</option>
            {sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </label>
      )}
      {site ? <SiteArchive key={site.id} siteId={site.id} />
        : config && <ArchiveSettingsForm revision={config.revision} archive={config.archive} folder={config.folder} lockedBytes={lockedBytes} diskBytes={diskBytes} move={move} />}
    </>
  );
}

/** Another station's archive limits, changed there (its own checks of its disk and evidence apply). */
function SiteArchive({ siteId }: { siteId: number }) {
  const { data: config, error, isFetching } = useSiteRecordingConfigQuery({ id: siteId }, { refetchOnMountOrArgChange: true });
  if (error && !isFetching) return <p className="error" role="alert" data-site-problem={siteId}>{errorText(error)}</p>;
  if (!config) return null;
  return <ArchiveSettingsForm siteId={siteId} revision={config.revision} archive={config.archive} folder={config.folder} lockedBytes={0} diskBytes={0} move={null} />;
}
