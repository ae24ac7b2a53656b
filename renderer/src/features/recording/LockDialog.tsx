import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useModal } from '../../ui/use-modal';
import { rangeText } from './timeline-view';
import { errorText } from '../../i18n/errors';

interface Props {
  from: number;
  to: number;
  onLock(reason: string): Promise<void>;
  onClose(): void;
}

/** The reason for an evidence lock: required, kept with the lock in the audit trail. Escape cancels. */
export function LockDialog({ from, to, onLock, onClose }: Props) {
  const { t } = useTranslation('recording');
  const [reason, setReason] = useState('');
  // The station's refusal as it words it, or the missing reason (worded in the language at each render).
  const [refusal, setRefusal] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const error = missing ? t('lockDialog.reasonRequired') : refusal;
  const setError = (m: string | null) => { setMissing(false); setRefusal(m); };
  const [busy, setBusy] = useState(false);
  const box = useModal<HTMLFormElement>(onClose);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setRefusal(null);
      setMissing(true);
      return;
    }
    setBusy(true);
    setError(null);
    onLock(reason.trim()).then(onClose, (err: unknown) => { setBusy(false); setError(errorText(err)); });
  };

  return (
    <form ref={box} className="pb-dialog" role="dialog" aria-modal="true" aria-labelledby="lock-title" onSubmit={submit} tabIndex={-1}>
      <h2 id="lock-title">{t('lockDialog.title')}</h2>
      <p className="muted">{t('lockDialog.scope', { range: rangeText(from, to) })}</p>
      <label className="pb-field">{t('lockDialog.reason')}
        <input name="lock-reason" autoFocus value={reason} maxLength={500} aria-invalid={!!error} aria-describedby={error ? 'lock-error' : undefined}
          onChange={(e) => { setReason(e.target.value); if (error) setError(null); }} placeholder={t('lockDialog.reasonPlaceholder')} />
      </label>
      {error && <p id="lock-error" className="pb-error" role="alert">{error}</p>}
      <div className="pb-dialog-actions">
        <button type="submit" className="primary" disabled={busy}>{t('lockDialog.lock')}</button>
        <button type="button" onClick={onClose}>{t('lockDialog.cancel')}</button>
      </div>
    </form>
  );
}
