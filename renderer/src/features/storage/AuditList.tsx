import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_KINDS, type AuditEntry, type CallInput, type Channel } from '../../../../electron/contract';
import { formatBytes, formatDateTime, formatNumber } from '../../i18n/format';
import { rangeText } from '../recording/timeline-view';
import { useAuditQuery } from './storage-api';
import { whoText } from './storage-format';

type D = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A day input's value (YYYY-MM-DD, the browser's local day) as the start of that day, or undefined. */
const dayStart = (v: string) => (v ? new Date(`${v}T00:00:00`).getTime() : undefined);

/** What an entry says, in the language, from its action and detail. */
function useDetail() {
  const { t } = useTranslation('storage');
  return (e: AuditEntry): string => {
    const d = (e.detail ?? {}) as D;
    switch (e.action) {
      case 'retention.deleted': return t('audit.details.deleted', { count: num(d.count), size: formatBytes(num(d.bytes)) });
      case 'retention.kept_locked': return t('audit.details.keptLocked', { count: num(d.segments) });
      case 'lock.created': return t('audit.details.lock', { range: rangeText(num(d.start), num(d.end)), reason: str(d.reason) });
      case 'lock.removed': return t('audit.details.unlock', { range: rangeText(num(d.start ?? d.start_ms), num(d.end ?? d.end_ms)), reason: str(d.reason), why: str(d.unlockReason) || '—' });
      case 'recordings.deleted_with_device': return t('audit.details.deviceDelete', { deleted: num(d.deleted), kept: num(d.keptLocked) });
      case 'folder.changed': return d.move ? t('audit.details.folderMoved', { to: str(d.to) }) : t('audit.details.folderLeft', { to: str(d.to), from: str(d.from) });
      case 'folder.moved': return t('audit.details.moved', { count: num(d.files), size: formatBytes(num(d.bytes)) });
      case 'archive.settings': {
        const a = (d.after ?? {}) as D;
        return t('audit.details.settings', {
          quota: a.quotaBytes === null ? t('noLimit') : formatBytes(num(a.quotaBytes)), floor: formatBytes(num(a.freeFloorBytes)), segment: t('units.seconds', { value: formatNumber(num(a.segmentSeconds)) }),
        });
      }
      default: return '';
    }
  };
}

/** The archive's trail (retention deletions, locks, unlocks, deletes with a device, folder and settings changes), filtered. */
export function AuditList({ channels, channelName }: { channels: Channel[]; channelName: (id: number) => string }) {
  const { t } = useTranslation('storage');
  const [kind, setKind] = useState('');
  const [channel, setChannel] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filter = useMemo((): CallInput<'archive.audit'> => {
    const end = dayStart(to);
    return {
      limit: 200,
      ...(kind ? { kinds: [kind as (typeof AUDIT_KINDS)[number]] } : {}),
      ...(channel ? { channelId: Number(channel) } : {}),
      ...(from ? { from: dayStart(from) } : {}),
      ...(end !== undefined ? { to: end + 86_400_000 - 1 } : {}),
    };
  }, [kind, channel, from, to]);
  const { data: entries = [] } = useAuditQuery(filter);
  const detail = useDetail();

  return (
    <div className="st-audit">
      <div className="ev-filters" role="group" aria-label={t('audit.filters')}>
        <label>{t('audit.kind')} <select value={kind} onChange={(e) => setKind(e.target.value)} data-filter="kind">
          <option value="">{t('audit.all')}</option>
          {AUDIT_KINDS.map((k) => <option key={k} value={k}>{t(`audit.kinds.${k}`)}</option>)}
        </select></label>
        <label>{t('audit.channel')} <select value={channel} onChange={(e) => setChannel(e.target.value)} data-filter="channel">
          <option value="">{t('audit.all')}</option>
          {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select></label>
        <label>{t('audit.from')} <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-filter="from" /></label>
        <label>{t('audit.to')} <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-filter="to" /></label>
      </div>
      {entries.length === 0 ? <p className="muted">{t('audit.none')}</p> : (
        <div className="st-table-wrap">
          <table className="table st-table" aria-label={t('audit.label')}>
            <thead><tr>{(['when', 'what', 'channels', 'who', 'detail'] as const).map((c) => <th key={c} scope="col">{t(`audit.cols.${c}`)}</th>)}</tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-audit={e.action} className={`st-audit-${e.kind}`}>
                  <td className="mono">{formatDateTime(e.at)}</td>
                  <td>{t(`audit.actions.${e.action}`, { defaultValue: e.action })}</td>
                  <td>{e.channelIds.length ? e.channelIds.map(channelName).join(', ') : e.kind === 'lock' || e.kind === 'unlock' ? t('allChannels') : '—'}</td>
                  <td>{e.by ? whoText(e.by) : '—'}</td>
                  <td className="st-detail">{detail(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

