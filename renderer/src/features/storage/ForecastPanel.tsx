import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RECORDING_MODES, type ArchiveSettings, type CallInput, type Channel, type ChannelRecordingConfig } from '../../../../electron/contract';

type RecordingMode = (typeof RECORDING_MODES)[number];
import { errorText } from '../../i18n/errors';
import { formatBytes, formatNumber } from '../../i18n/format';
import { DiskBar } from './DiskBar';
import { useForecastQuery, useSetArchiveMutation, useSetChannelsMutation } from './storage-api';
import { daysText, GIB, gibField, parseNumber } from './storage-format';

interface Row { mode: RecordingMode; bitrate: string; keep: string }
interface Props { channels: Channel[]; configs: ChannelRecordingConfig[]; archive: ArchiveSettings; revision: number }

type ForecastInput = CallInput<'recording.forecast'>;

/** The what-if form as forecast input, or the first problem in it (worded for the person). */
function toInput(quota: string, floor: string, rows: Map<number, Row>, names: Map<number, string>, t: (k: string, o?: Record<string, unknown>) => string): ForecastInput | string {
  const q = quota.trim() === '' ? null : parseNumber(quota);
  if (q !== null && !(q > 0)) return t('archive.errors.quota');
  const f = parseNumber(floor);
  if (!(f >= 0)) return t('archive.errors.freeFloor');
  const channels: NonNullable<ForecastInput['channels']> = [];
  for (const [channelId, r] of rows) {
    const name = names.get(channelId) ?? t('channelFallback', { id: channelId });
    const bitrate = r.bitrate.trim() === '' ? undefined : parseNumber(r.bitrate);
    if (bitrate !== undefined && !(bitrate > 0 && bitrate <= 1000)) return t('forecast.errors.bitrate', { name });
    const keep = r.keep.trim() === '' ? null : parseNumber(r.keep);
    if (keep !== null && !(Number.isInteger(keep) && keep >= 1 && keep <= 3650)) return t('forecast.errors.keep', { name });
    channels.push({ channelId, mode: r.mode, retentionDays: keep, ...(bitrate !== undefined ? { bitrateBps: Math.round(bitrate * 1e6) } : {}) });
  }
  return { quotaBytes: q === null ? null : Math.round(q * GIB), freeFloorBytes: Math.round(f * GIB), channels };
}

/** A calculator: days each channel and the whole archive hold, what limits them, and what other values would give. */
export function ForecastPanel({ channels, configs, archive, revision }: Props) {
  const { t } = useTranslation('storage');
  const byId = useMemo(() => new Map(configs.map((c) => [c.channelId, c])), [configs]);
  const names = useMemo(() => new Map(channels.map((c) => [c.id, c.name])), [channels]);
  const savedKey = JSON.stringify([archive, configs, channels.map((c) => c.id)]);
  // Keyed by content: a refetch that brings the same values does not reset what the person is trying.
  const saved = useMemo(() => ({
    quota: gibField(archive.quotaBytes), floor: gibField(archive.freeFloorBytes),
    rows: new Map(channels.map((c) => {
      const cfg = byId.get(c.id);
      return [c.id, { mode: cfg?.mode ?? 'off', bitrate: '', keep: cfg?.retentionDays ? String(cfg.retentionDays) : '' } satisfies Row];
    })),
  }), [savedKey]);
  const [quota, setQuota] = useState(saved.quota);
  const [floor, setFloor] = useState(saved.floor);
  const [rows, setRows] = useState(saved.rows);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // Saved values that change elsewhere (the settings above) start the calculator again.
  useEffect(() => { setQuota(saved.quota); setFloor(saved.floor); setRows(saved.rows); }, [saved]);

  const parsed = toInput(quota, floor, rows, names, (k, o) => t(k, o ?? {}));
  const problem = typeof parsed === 'string' ? parsed : null;
  // What the station is asked: the last valid form, a moment after typing stops.
  const [asked, setAsked] = useState<ForecastInput>(() => (typeof parsed === 'string' ? { channels: [] } : parsed));
  const askKey = typeof parsed === 'string' ? null : JSON.stringify(parsed);
  useEffect(() => {
    if (askKey === null) return;
    const timer = setTimeout(() => setAsked(JSON.parse(askKey) as ForecastInput), 250);
    return () => clearTimeout(timer);
  }, [askKey]);
  // Asked again every few seconds: measured bitrates and the disk change while recording.
  const { data: f } = useForecastQuery(asked, { pollingInterval: 5000 });
  const [setArchive] = useSetArchiveMutation();
  const [setChannels] = useSetChannelsMutation();

  const edit = (id: number, patch: Partial<Row>) => {
    setMessage(null);
    setRows((m) => new Map(m).set(id, { ...m.get(id)!, ...patch }));
  };
  const save = async () => {
    if (typeof parsed === 'string') return;
    try {
      await setArchive({ ...archive, quotaBytes: parsed.quotaBytes ?? null, freeFloorBytes: parsed.freeFloorBytes ?? archive.freeFloorBytes, revision }).unwrap();
      // Channels grouped by the days they keep; only those that changed.
      const groups = new Map<number | null, number[]>();
      for (const c of parsed.channels ?? []) {
        const before = byId.get(c.channelId)?.retentionDays ?? null;
        if (c.retentionDays !== undefined && c.retentionDays !== before) groups.set(c.retentionDays, [...(groups.get(c.retentionDays) ?? []), c.channelId]);
      }
      for (const [retentionDays, channelIds] of groups) await setChannels({ channelIds, retentionDays, revision }).unwrap();
      setMessage({ ok: true, text: t('forecast.saved') });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  // A channel set to record whose bitrate is not known yet (its camera not delivering) is not "not recording".
  const unmeasured = (c: { mode: string; limitedBy: string }) => c.mode !== 'off' && c.limitedBy === 'not_recording';
  const overall = !f ? null : f.limitedBy === 'not_recording' ? t(f.channels.some(unmeasured) ? 'forecast.overallUnknown' : 'forecast.overallNone')
    : f.days === null ? t('forecast.overallUnknown') : t('forecast.overall', { days: daysText(f.days) });
  return (
    <div className="st-forecast">
      <p className="muted small">{t('forecast.whatIf')}</p>
      <div className="st-fields">
        <label className="field-stack">{t('archive.quota')}
          <input name="whatIfQuota" inputMode="decimal" value={quota} placeholder={t('noLimit')} onChange={(e) => { setQuota(e.target.value); setMessage(null); }} />
        </label>
        <label className="field-stack">{t('archive.freeFloor')}
          <input name="whatIfFloor" inputMode="decimal" value={floor} onChange={(e) => { setFloor(e.target.value); setMessage(null); }} />
        </label>
      </div>
      {f && (
        <p className="st-overall" data-testid="forecast-overall" data-days={f.days ?? ''} data-limit={f.limitedBy}>
          <strong>{overall}</strong>{' '}
          {f.limitedBy !== 'not_recording' && <span className="muted">{t('forecast.limitedBy', { what: t(`forecast.limits.${f.limitedBy}`) })} · {t('forecast.perDay', { size: formatBytes(f.bytesPerDay) })}</span>}
        </p>
      )}
      <div className="st-table-wrap">
        <table className="table st-table" aria-label={t('forecast.label')}>
          <thead>
            <tr>{(['camera', 'mode', 'bitrate', 'keep', 'perDay', 'days', 'limit'] as const).map((c) => <th key={c} scope="col">{t(`forecast.cols.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {channels.map((c) => {
              const r = rows.get(c.id);
              const out = f?.channels.find((x) => x.channelId === c.id);
              if (!r) return null;
              return (
                <tr key={c.id} data-forecast-channel={c.id}>
                  <td className="st-name">{c.name}</td>
                  <td><select value={r.mode} aria-label={t('settings.mode')} onChange={(e) => edit(c.id, { mode: e.target.value as RecordingMode })}>
                    {RECORDING_MODES.map((m) => <option key={m} value={m}>{t(`modes.${m}`)}</option>)}
                  </select></td>
                  <td><input className="st-num" name={`bitrate-${c.id}`} inputMode="decimal" value={r.bitrate} aria-label={t('forecast.bitrateFor', { name: c.name })}
                    placeholder={out?.measured ? formatNumber(out.bitrateBps / 1e6, { maximumFractionDigits: 2 }) : '—'} title={out?.measured ? t('forecast.measured') : undefined}
                    onChange={(e) => edit(c.id, { bitrate: e.target.value })} /></td>
                  <td><input className="st-num" name={`keep-${c.id}`} inputMode="numeric" value={r.keep} placeholder={t('noLimit')} aria-label={t('forecast.keepFor', { name: c.name })}
                    onChange={(e) => edit(c.id, { keep: e.target.value })} /></td>
                  <td className="num mono">{out ? formatBytes(out.bytesPerDay) : '—'}</td>
                  <td className="num mono" data-days={out?.days ?? ''}>{out && out.limitedBy !== 'not_recording' ? daysText(out.days) : '—'}</td>
                  <td>{out ? <span className={`st-limit st-limit-${out.limitedBy}`}>{unmeasured(out) ? t('forecast.unmeasured') : t(`forecast.limits.${out.limitedBy}`)}</span> : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {f && <DiskBar disk={f.disk} />}
      <div className="actions">
        <button type="button" className="primary" disabled={!!problem} onClick={() => void save()} data-action="save-forecast">{t('forecast.save')}</button>
        <button type="button" onClick={() => { setQuota(saved.quota); setFloor(saved.floor); setRows(saved.rows); setMessage(null); }}>{t('forecast.reset')}</button>
        {problem && <span className="error" role="alert">{problem}</span>}
        {!problem && message && <span className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</span>}
      </div>
    </div>
  );
}
