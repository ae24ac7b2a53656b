import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors';
import type { ArchiveLock } from '../../../../electron/contract';
import { rangeText } from '../recording/timeline-view';

interface Props {
  lock: ArchiveLock;
  channel: string;
  onUnlock(reason: string): Promise<unknown>;
  onClose(): void;
}

/** Unlocking evidence asks to confirm it and why (kept in the audit trail with the lock's own reason). Escape cancels. */
export function UnlockDialog({ lock, channel, onUnlock, onClose }: Props) {
  const { t } = useTranslation('storage');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const error = missing ? t('unlockDialog.reasonRequired') : refusal;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return setMissing(true);
    setBusy(true);
    setRefusal(null);
    onUnlock(reason.trim()).then(onClose, (err: unknown) => { setBusy(false); setRefusal(errorText(err)); });
  };

  return (
    <div className="pb-dialog st-dialog" role="dialog" aria-modal="true" aria-labelledby="unlock-title" aria-describedby="unlock-scope"
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}>
      <form onSubmit={submit} className="st-dialog-form">
        <h2 id="unlock-title">{t('unlockDialog.title')}</h2>
        <p id="unlock-scope" className="muted">{t('unlockDialog.scope', { range: rangeText(lock.start, lock.end), channel, reason: lock.reason })}</p>
        <label className="pb-field">{t('unlockDialog.reason')}
          <input name="unlock-reason" autoFocus value={reason} maxLength={500} aria-invalid={!!error} aria-describedby={error ? 'unlock-error' : undefined}
            placeholder={t('unlockDialog.reasonPlaceholder')} onChange={(e) => { setReason(e.target.value); setMissing(false); setRefusal(null); }} />
        </label>
        {error && <p id="unlock-error" className="pb-error" role="alert">{error}</p>}
        <div className="pb-dialog-actions">
          <button type="submit" className="primary st-danger" disabled={busy}>{t('unlockDialog.unlock')}</button>
          <button type="button" onClick={onClose}>{t('unlockDialog.cancel')}</button>
        </div>
      </form>
    </div>
  );
}
