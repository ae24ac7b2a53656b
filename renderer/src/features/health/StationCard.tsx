import { useTranslation } from 'react-i18next';
import type { ChannelHealth, StationEntry, StationHealth, VolumeHealth } from '../../../../electron/contract';
import { dateTimeFormat, formatBytes, formatDuration, formatNumber } from '../../i18n/format';
import { Toolbar } from '../../ui/Toolbar';

const time = (ms: number) => dateTimeFormat({ timeStyle: 'medium' }).format(ms);
const dateTime = (ms: number) => dateTimeFormat({ dateStyle: 'short', timeStyle: 'medium' }).format(ms);
/** ok under 70 %, warn under 90 %, bad above. */
const level = (share: number) => (share >= 0.9 ? 'bad' : share >= 0.7 ? 'warn' : 'ok');

/** A small bar with its value beside it; `share` 0..1. */
function Bar({ id, label, share, value, danger = level(share) }: { id: string; label: string; share: number; value: string; danger?: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, share)) * 100);
  return (
    <div className="hl-row" data-fact={id}>
      <span className="hl-key">{label}</span>
      <div className={`meter meter-${danger} hl-meter`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="mono hl-value">{value}</span>
    </div>
  );
}

function Volume({ v }: { v: VolumeHealth }) {
  const { t } = useTranslation('health');
  const used = Math.max(0, v.totalBytes - v.freeBytes);
  const share = v.totalBytes > 0 ? used / v.totalBytes : 0;
  const forecast = v.forecastDays === null
    ? t(v.limitedBy === 'not_recording' ? 'forecast.notRecording' : 'forecast.unknown')
    // Under ten days a tenth matters (a fresh archive measures 0.4 days, not 0).
    : t('forecast.days', { count: v.forecastDays, formatted: formatNumber(v.forecastDays, { maximumFractionDigits: v.forecastDays < 10 ? 1 : 0 }), by: t(`forecast.limitedBy.${v.limitedBy}`) });
  return (
    <li className="hl-volume" data-volume={v.path}>
      <div className="path hl-path" title={v.path}>{v.path}</div>
      <div className={`meter meter-${level(share)} hl-meter`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}
        aria-label={t('volume.label', { path: v.path })}>
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </div>
      <span className="mono">{t('volume.free', { free: formatBytes(v.freeBytes), total: formatBytes(v.totalBytes) })}</span>
      <span className="muted" data-testid="forecast"> · {forecast}</span>
    </li>
  );
}

/** What a channel's chip says aloud and on hover: its name, state, since when, and why. */
function channelText(c: ChannelHealth, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (c.state === 'recording') return t('channel.recording', { name: c.name, time: time(c.since) });
  if (c.state === 'gap') return t('channel.gap', { name: c.name, time: time(c.since), reason: t(`reason.${c.reason ?? 'camera_offline'}`) }) + (c.alarm ? ` · ${t('channel.alarm')}` : '');
  return t('channel.off', { name: c.name, why: t(`offWhy.${c.mode}`) });
}

function Channels({ station, channels, onOpen }: { station: string; channels: ChannelHealth[]; onOpen?(id: number): void }) {
  const { t } = useTranslation('health');
  if (channels.length === 0) return <p className="muted hl-none">{t('channels.none')}</p>;
  const count = (s: ChannelHealth['state']) => channels.filter((c) => c.state === s).length;
  return (
    <>
      <p className="hl-counts muted">{t('channels.counts', { recording: count('recording'), gap: count('gap'), off: count('off') })}</p>
      <Toolbar label={t('channels.label', { station })} reachable moveKey="global.choose" className="hl-chips">
        {channels.map((c) => {
          const text = channelText(c, t);
          return (
            <button key={c.id} type="button" className={`hl-chip hl-${c.state}${c.alarm ? ' hl-alarm' : ''}`} data-channel={c.id} data-state={c.state}
              aria-label={text} onClick={onOpen && (() => onOpen(c.id))}>
              <span className="hl-dot" aria-hidden="true" />
              <span className="hl-name" aria-hidden="true">{c.name}</span>
              <span className="hl-tip" role="tooltip" aria-hidden="true">{text}</span>
            </button>
          );
        })}
      </Toolbar>
    </>
  );
}

function Figures({ h, onOpen, station }: { h: StationHealth; station: string; onOpen?(id: number): void }) {
  const { t } = useTranslation('health');
  return (
    <>
      <Bar id="cpu" label={t('cpu')} share={h.cpuPct / 100} value={t('percent', { value: formatNumber(h.cpuPct, { maximumFractionDigits: 1 }) })} />
      <Bar id="memory" label={t('memory')} share={h.memTotalBytes ? h.rssBytes / h.memTotalBytes : 0}
        value={t('memoryValue', { rss: formatBytes(h.rssBytes), heap: formatBytes(h.heapBytes) })} />
      {h.writeQueue && (
        <Bar id="writeQueue" label={t('writeQueue')} share={h.writeQueue.usedBytes / h.writeQueue.maxBytes}
          value={t('writeQueueValue', { used: formatBytes(h.writeQueue.usedBytes), max: formatBytes(h.writeQueue.maxBytes), sheds: formatNumber(h.writeQueue.sheds) })} />
      )}
      <h3 className="hl-h">{t('volumes')}</h3>
      <ul className="hl-list">{h.volumes.map((v) => <Volume key={v.path} v={v} />)}</ul>
      <h3 className="hl-h">{t('channels.heading')}</h3>
      <Channels station={station} channels={h.channels} onOpen={onOpen} />
      <div className="hl-row" data-fact="streams">
        <span className="hl-key">{t('streams')}</span>
        <span className="mono" data-testid="streams">{t('streamsValue', { connected: h.streamsConnected, total: h.streamsTotal })}</span>
      </div>
      <h3 className="hl-h">{t('errors.heading')}</h3>
      {h.lastErrors.length === 0 ? <p className="muted hl-none">{t('errors.none')}</p> : (
        <ul className="hl-list hl-errors">
          {h.lastErrors.map((e, i) => (
            <li key={i} className={`hl-err hl-err-${e.level}`}>
              <span className="mono muted">{dateTime(e.at)}</span> <span className="sr-only">{t(`errors.level.${e.level}`)}</span>
              <span className="hl-msg" title={e.message}>{e.message}</span>
              {e.count > 1 && <span className="muted hl-count">{t('errors.times', { count: e.count, formatted: formatNumber(e.count) })}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * One station the desk knows: its state and, when it answers, its figures. `fetchedAt`: when this page got them (its own
 * clock, so a remote station's clock does not skew the uptime). `onOpenChannel`: a chip opens that camera in Live.
 */
export function StationCard({ s, now, fetchedAt, onOpenChannel }: { s: StationEntry; now: number; fetchedAt: number; onOpenChannel?(id: number): void }) {
  const { t } = useTranslation('health');
  const h = s.health;
  const name = s.id === 'local' ? t('local', { name: s.name }) : s.name;
  // Uptime runs on between refreshes.
  const uptime = h ? h.uptimeS * 1000 + Math.max(0, now - fetchedAt) : 0;
  return (
    <article className={`hl-card hl-station-${s.state}`} data-station={s.id} data-state={s.state} aria-labelledby={`hl-name-${s.id}`}>
      <header className="hl-head">
        <span className="hl-state-dot" aria-hidden="true" />
        <h2 id={`hl-name-${s.id}`} className="hl-title">{name}</h2>
        <span className="hl-state">{t(`state.${s.state}`)}</span>
      </header>
      {h && (
        <p className="hl-sub muted">
          <span>{t('version', { version: h.version })}</span> · <span className="mono" data-testid="uptime">{t('uptime', { duration: formatDuration(uptime) })}</span>
        </p>
      )}
      {s.state !== 'online' && (
        <p className="hl-sub">
          {s.error && <span className="bad">{s.error}</span>}
          {s.retryAt !== undefined && <span className="muted"> {t('retryAt', { time: time(s.retryAt) })}</span>}
        </p>
      )}
      {h && <Figures h={h} station={name} onOpen={onOpenChannel} />}
    </article>
  );
}
