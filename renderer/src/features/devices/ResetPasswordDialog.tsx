import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { passwordProblems, type Device } from '../../../../electron/contract';
import { useModal } from '../../ui/use-modal';
import { formatNumber } from '../../i18n/format';
import { errorText, PasswordRule } from './DeviceEdit';
import { useResetFinishMutation, useResetStartMutation } from './devices-api';

/**
 * A forgotten device password, reset by the security code the device mails to the e-mail reserved at activation: step 1
 * sends the code and says where it went (masked), step 2 takes the code and the new password. A wrong or stale code, a
 * weak password or an unreachable device is said in the dialog and nothing is lost: the fields keep what was typed.
 */
export function ResetPasswordDialog({ device, onClose }: { device: Device; onClose: () => void }) {
  const { t } = useTranslation('devices');
  const box = useModal<HTMLDivElement>(onClose);
  const [start, started] = useResetStartMutation();
  const [finish, finished] = useResetFinishMutation();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  // The station knows the user name; the rule's "not the username" is checked there against it.
  const problems = passwordProblems(password, '');
  const mismatch = confirm !== '' && confirm !== password;
  // Kept apart from the mutation's state, so asking for a new code does not take the form away meanwhile.
  const [sent, setSent] = useState<{ maskedEmail: string; validForS: number | null } | null>(null);
  const send = () => {
    finished.reset();
    void start({ id: device.id }).unwrap().then((s) => { setSent(s); setCode(''); }).catch(() => undefined);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim() || problems.length || mismatch || !confirm) return;
    void finish({ id: device.id, securityCode: code.trim(), password }).unwrap().catch(() => undefined);
  };
  // Each step's first control takes focus as it appears (the one before it is gone), so the keyboard stays in the dialog.
  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="reset-title" ref={box} tabIndex={-1} data-testid="reset-dialog">
      <h2 id="reset-title">{t('reset.title', { name: device.name })}</h2>
      {!sent && (
        <div className="dev-form">
          <p className="small">{t('reset.intro')}</p>
          {started.isLoading && <progress aria-label={t('reset.sending')} />}
          {started.error && <p className="bad small" role="alert">{errorText(started.error, t('reset.notSent'))}</p>}
          <div className="actions">
            <button type="button" className="primary" data-autofocus disabled={started.isLoading} onClick={send}>{t('reset.send')}</button>
            <button type="button" className="secondary" onClick={onClose}>{t('common:cancel')}</button>
          </div>
        </div>
      )}
      {sent && finished.isSuccess && (
        <div className="dev-form">
          <p className="ok small" role="status">{t('reset.done')}</p>
          <div className="actions"><button type="button" className="secondary" autoFocus onClick={onClose}>{t('common:close')}</button></div>
        </div>
      )}
      {sent && !finished.isSuccess && (
        <form className="dev-form" onSubmit={submit}>
          <p className="small" role="status" data-testid="reset-sent">
            {sent.validForS !== null
              ? t('reset.sentFor', { email: sent.maskedEmail, minutes: formatNumber(Math.max(1, Math.round(sent.validForS / 60))) })
              : t('reset.sent', { email: sent.maskedEmail })}
          </p>
          <label className="field-stack">{t('reset.code')}
            <input name="securityCode" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" inputMode="numeric" maxLength={32} spellCheck={false} autoFocus />
          </label>
          <label className="field-stack">{t('password.new')}
            <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="reset-rule" />
          </label>
          <PasswordRule id="reset-rule" password={password} username="" />
          <label className="field-stack">{t('password.confirm')}
            <input name="confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
          </label>
          {mismatch && <span className="bad small">{t('password.mismatch')}</span>}
          {(finished.isLoading || started.isLoading) && <progress aria-label={t('reset.resetting')} />}
          {finished.error && <p className="bad small" role="alert" data-testid="reset-error">{errorText(finished.error, t('reset.notReset'))}</p>}
          {started.error && <p className="bad small" role="alert">{errorText(started.error, t('reset.notSent'))}</p>}
          <div className="actions">
            <button type="submit" className="primary" disabled={finished.isLoading || !code.trim() || problems.length > 0 || mismatch || !confirm}>{t('reset.submit')}</button>
            <button type="button" className="secondary" disabled={started.isLoading} onClick={send}>{t('reset.sendAgain')}</button>
            <button type="button" className="secondary" onClick={onClose}>{t('common:cancel')}</button>
          </div>
        </form>
      )}
    </div>
  );
}
