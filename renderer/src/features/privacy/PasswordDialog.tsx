// The account's password typed again before a step that lets data leave (a data export, a grant): checked by the cloud,
// passed through once, never kept.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors';
import { useModal } from '../../ui/use-modal';

/** `scope` says what the password is for; `onSubmit` resolves when the step went through (the dialog then closes). */
export function PasswordDialog({ scope, onSubmit, onClose }: { scope: string; onSubmit(password: string): Promise<unknown>; onClose(): void }) {
  const { t } = useTranslation('privacy');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const box = useModal<HTMLDivElement>(onClose);
  const error = missing ? t('confirm.required') : refusal;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setRefusal(null);
    if (!password) return setMissing(true);
    setBusy(true);
    onSubmit(password).then(onClose, (err: unknown) => { setBusy(false); setPassword(''); setRefusal(errorText(err)); });
  };

  return (
    <div ref={box} className="pb-dialog" role="dialog" aria-modal="true" aria-labelledby="confirm-password-title" aria-describedby="confirm-password-scope"
      tabIndex={-1} data-testid="confirm-password">
      <form onSubmit={submit} className="reason-form">
        <h2 id="confirm-password-title">{t('confirm.title')}</h2>
        <p id="confirm-password-scope" className="muted">{scope}</p>
        <label className="pb-field">{t('confirm.password')}
          <input name="confirm-password" type="password" autoComplete="current-password" autoFocus value={password} maxLength={256}
            aria-invalid={!!error} aria-describedby={error ? 'confirm-password-error' : undefined}
            onChange={(e) => { setPassword(e.target.value); setMissing(false); setRefusal(null); }} />
        </label>
        {error && <p id="confirm-password-error" className="pb-error" role="alert">{error}</p>}
        <div className="pb-dialog-actions">
          <button type="submit" className="primary" disabled={busy}>{t('confirm.submit')}</button>
          <button type="button" onClick={onClose}>{t('confirm.cancel')}</button>
        </div>
      </form>
    </div>
  );
}
