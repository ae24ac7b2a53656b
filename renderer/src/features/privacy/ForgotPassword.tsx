// "Forgot password" from the log-in form: the cloud mails a single-use code; the code with a new password sets it and
// ends every sign-in of the account, and the user logs in with the new password.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorField, errorText } from '../../i18n/errors';
import { useForgotCloudPasswordMutation, useResetCloudPasswordMutation } from './privacy-api';

export function ForgotPassword({ initialEmail, mail, onDone, onBack }: {
  initialEmail: string; mail: boolean | null; onDone: (email: string) => void; onBack: () => void;
}) {
  const { t } = useTranslation('privacy');
  const [forgot, fs] = useForgotCloudPasswordMutation();
  const [reset, rs] = useResetCloudPasswordMutation();
  const [email, setEmail] = useState(initialEmail);
  const [f, setF] = useState({ code: '', newPassword: '', repeat: '' });
  const [differ, setDiffer] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => { setF((x) => ({ ...x, [k]: e.target.value })); rs.reset(); setDiffer(false); };
  const ask = (e: FormEvent) => {
    e.preventDefault();
    void forgot({ email });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (f.newPassword !== f.repeat) return setDiffer(true);
    void reset({ email, code: f.code, newPassword: f.newPassword }).unwrap().then(() => onDone(email), () => {});
  };
  const bad = (field: string) => !!rs.error && errorField(rs.error) === field;
  if (mail === false)
    return (
      <div className="form privacy-form" data-testid="forgot-password">
        <p className="muted">{t('forgot.noMail')}</p>
        <div className="actions"><button type="button" className="secondary" onClick={onBack}>{t('forgot.back')}</button></div>
      </div>
    );
  return (
    <div data-testid="forgot-password">
      <form className="form privacy-form" onSubmit={ask} aria-label={t('forgot.title')}>
        <h3>{t('forgot.title')}</h3>
        <p className="muted small">{t('forgot.intro')}</p>
        <label className="field"><span>{t('account.email')}</span><input name="forgot-email" type="email" autoComplete="email" value={email}
          onChange={(e) => { setEmail(e.target.value); fs.reset(); }} required /></label>
        <div className="actions">
          <button type="submit" className={fs.data ? 'secondary' : 'primary'} disabled={fs.isLoading || !email.trim()}>{fs.data ? t('forgot.sendAgain') : t('forgot.send')}</button>
          <button type="button" className="secondary" onClick={onBack}>{t('forgot.back')}</button>
          {fs.data && <span className={fs.data.delivery === 'sent' ? 'ok' : 'muted'} role="status" data-testid="forgot-delivery" data-delivery={fs.data.delivery}>
            {fs.data.delivery === 'sent' ? t('forgot.sent', { email }) : t('forgot.queued')}</span>}
          {fs.error && <span className="error" role="alert">{errorText(fs.error)}</span>}
        </div>
      </form>
      {fs.data && (
        <form className="form privacy-form" onSubmit={submit} aria-label={t('forgot.reset')}>
          <label className="field"><span>{t('forgot.code')}</span><input name="reset-code" inputMode="numeric" autoComplete="one-time-code" maxLength={20}
            value={f.code} onChange={set('code')} aria-invalid={bad('code')} required /></label>
          <label className="field"><span>{t('forgot.newPassword')}</span><input name="reset-password" type="password" autoComplete="new-password" minLength={10}
            value={f.newPassword} onChange={set('newPassword')} aria-invalid={bad('newPassword')} required /></label>
          <label className="field"><span>{t('forgot.repeat')}</span><input name="reset-repeat" type="password" autoComplete="new-password"
            value={f.repeat} onChange={set('repeat')} aria-invalid={differ} required /></label>
          <div className="actions">
            <button type="submit" className="primary" disabled={rs.isLoading}>{t('forgot.reset')}</button>
            {differ && <span className="error" role="alert">{t('forgot.differ')}</span>}
            {rs.error && !differ && <span className="error" role="alert" data-testid="reset-error">{errorText(rs.error)}</span>}
          </div>
        </form>
      )}
    </div>
  );
}
