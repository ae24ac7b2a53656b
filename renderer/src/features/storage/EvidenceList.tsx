import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArchiveLock } from '../../../../electron/contract';
import { formatDateTime } from '../../i18n/format';
import { rangeText } from '../recording/timeline-view';
import { useLocksQuery, useUnlockMutation } from './storage-api';
import { whoText } from './storage-format';
import { UnlockDialog } from './UnlockDialog';

/** Locked evidence: channel, range, reason, who, when; each opens Playback at its start or is unlocked with a reason. */
export function EvidenceList({ channelName }: { channelName: (id: number) => string }) {
  const { t } = useTranslation('storage');
  const { data: locks = [] } = useLocksQuery();
  const [unlock] = useUnlockMutation();
  const [asking, setAsking] = useState<ArchiveLock | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const channelOf = (l: ArchiveLock) => (l.channelId === null ? t('allChannels') : channelName(l.channelId));
  const close = () => { setAsking(null); requestAnimationFrame(() => opener.current?.focus()); };

  if (locks.length === 0) return <p className="muted" data-testid="no-locks">{t('evidence.none')}</p>;
  return (
    <>
      <div className="st-table-wrap">
        <table className="table st-table" aria-label={t('evidence.label')}>
          <thead>
            <tr>
              {(['channel', 'range', 'reason', 'who', 'when'] as const).map((c) => <th key={c} scope="col">{t(`evidence.cols.${c}`)}</th>)}
              <td />
            </tr>
          </thead>
          <tbody>
            {locks.map((l) => (
              <tr key={l.id} data-lock={l.id}>
                <td>{channelOf(l)}</td>
                <td className="mono">{rangeText(l.start, l.end)}</td>
                <td className="st-reason">{l.reason}</td>
                <td>{whoText(l.createdBy)}</td>
                <td className="mono">{formatDateTime(l.createdAt)}</td>
                <td className="st-row-actions">
                  <a className="st-link" href={`#/playback?at=${l.start}${l.channelId === null ? '' : `&channel=${l.channelId}`}`} title={t('evidence.playTitle')} data-action="play">{t('evidence.play')}</a>
                  <button type="button" data-action="unlock" onClick={(e) => { opener.current = e.currentTarget; setAsking(l); }}>{t('evidence.unlock')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {asking && (
        <UnlockDialog lock={asking} channel={channelOf(asking)} onClose={close}
          onUnlock={(reason) => unlock({ lockId: asking.id, reason }).unwrap()} />
      )}
    </>
  );
}
