// The sign-in page, the first administrator, a new password when one is due, and the lock screen.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isReason, PASSWORD_RULE, passwordIsStrong } from '../../../../electron/contract';
import { useAppSelector } from '../../app/hooks';
import { useErrorText } from '../../i18n/errors';
import { useModal } from '../../ui/use-modal';
import { useChangeOwnPasswordMutation, useSetupAdminMutation, useSignInMutation, useSignOutMutation, useUnlockScreenMutation } from './operators-api';
import { forgetSignIn, useAuthGate, useSignedIn } from './use-auth';

/** The rule every new password follows, shown where one is chosen. */
export function PasswordRule({ name, password }: { name: string; password: string }) {
  const { t } = useTranslation('operators');
  const ok = password.length > 0 && passwordIsStrong(password, name);
  return <p className={ok ? 'field-hint ok' : 'field-hint muted'} id="password-rule">{t('passwordRule', { min: PASSWORD_RULE.minLength })}</p>;
}

function Field({ name, label, value, onChange, type = 'text', autoComplete, autoFocus }: {
  name: string; label: string; value: string; onChange: (v: string) => void; type?: string; autoComplete?: string; autoFocus?: boolean;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input name={name} type={type} value={value} autoComplete={autoComplete} autoFocus={autoFocus} spellCheck={false}
        aria-describedby={name === 'newPassword' ? 'password-rule' : undefined} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page" id="main">
      <section className="auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {children}
      </section>
    </main>
  );
}

/** The first administrator: name and password with the rule shown. */
export function FirstAdminForm() {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [setup, { error, isLoading }] = useSetupAdminMutation();
  const signedIn = useSignedIn();
  const [name, setName] = useState('admin');
  const [password, setPassword] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await setup({ name, password });
    if ('data' in r && r.data) signedIn(r.data.sessionId);
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t('firstAdmin.title')} data-testid="first-admin">
      <p className="muted">{t('firstAdmin.intro')}</p>
      <Field name="name" label={t('fields.name')} value={name} onChange={setName} autoComplete="username" />
      <Field name="newPassword" label={t('fields.password')} value={password} onChange={setPassword} type="password" autoComplete="new-password" />
      <PasswordRule name={name} password={password} />
      <div className="actions">
        <button type="submit" className="primary" disabled={isLoading}>{t('firstAdmin.create')}</button>
        {error && <span className="error" role="alert">{errorText(error)}</span>}
      </div>
    </form>
  );
}

/** Why the station ended this page's last sign-in (WS_CLOSE_SIGNED_OUT's reason), in words; null when it did not. */
function SignedOutReason() {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const reason = useAppSelector((s) => s.shell.signedOut);
  if (reason === null) return null;
  const text = reason === 'auth.passwordChanged' ? t('signIn.ended.passwordChanged')
    : reason === 'auth.passwordReset' ? t('signIn.ended.passwordReset')
    : isReason(reason) ? errorText({ reason }) : t('signIn.ended.other');
  return <p className="notice" role="status" data-testid="signed-out-reason" data-reason={reason}>{text}</p>;
}

export function SignInPage() {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [signIn, { error, isLoading }] = useSignInMutation();
  const signedIn = useSignedIn();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await signIn({ name, password });
    if ('data' in r && r.data) signedIn(r.data.sessionId);
  };
  return (
    <Card title={t('signIn.title')}>
      <form className="form" onSubmit={submit} aria-label={t('signIn.title')} data-testid="sign-in">
        <SignedOutReason />
        <Field name="name" label={t('fields.name')} value={name} onChange={setName} autoComplete="username" autoFocus />
        <Field name="password" label={t('fields.password')} value={password} onChange={setPassword} type="password" autoComplete="current-password" />
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading}>{t('signIn.submit')}</button>
          {error && <span className="error" role="alert">{errorText(error)}</span>}
        </div>
      </form>
    </Card>
  );
}

/** A password reset by an administrator (or after --reset-admin) is changed before anything else. */
export function ChangePasswordPage({ name }: { name: string }) {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [change, { error, isLoading }] = useChangeOwnPasswordMutation();
  const [signOut] = useSignOutMutation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void change({ currentPassword: current, newPassword: next });
  };
  return (
    <Card title={t('changePassword.title')}>
      <form className="form" onSubmit={submit} aria-label={t('changePassword.title')} data-testid="change-password">
        <p className="muted">{t('changePassword.intro', { name })}</p>
        <Field name="currentPassword" label={t('fields.currentPassword')} value={current} onChange={setCurrent} type="password" autoComplete="current-password" autoFocus />
        <Field name="newPassword" label={t('fields.newPassword')} value={next} onChange={setNext} type="password" autoComplete="new-password" />
        <PasswordRule name={name} password={next} />
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading}>{t('changePassword.submit')}</button>
          <button type="button" onClick={() => { forgetSignIn(); void signOut(); }}>{t('signOut')}</button>
          {error && <span className="error" role="alert">{errorText(error)}</span>}
        </div>
      </form>
    </Card>
  );
}

/** Over the page, which stays as it was: only the password lets the user go on. */
export function LockScreen({ name }: { name: string }) {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [unlock, { error, isLoading }] = useUnlockScreenMutation();
  const [signOut] = useSignOutMutation();
  const [password, setPassword] = useState('');
  // Esc does not close a lock screen.
  const ref = useModal<HTMLDivElement>(() => {});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void unlock({ password });
    setPassword('');
  };
  return (
    <div className="modal-backdrop lock-screen">
      <div ref={ref} className="modal" role="dialog" aria-modal="true" aria-labelledby="lock-title" tabIndex={-1} data-testid="lock-screen">
        <h2 id="lock-title">{t('lock.title')}</h2>
        <p className="muted">{t('lock.intro', { name })}</p>
        <form className="form" onSubmit={submit} aria-label={t('lock.title')}>
          <Field name="password" label={t('fields.password')} value={password} onChange={setPassword} type="password" autoComplete="current-password" autoFocus />
          <div className="actions">
            <button type="submit" className="primary" disabled={isLoading}>{t('lock.unlock')}</button>
            <button type="button" onClick={() => { forgetSignIn(); void signOut(); }}>{t('signOut')}</button>
            {error && <span className="error" role="alert">{errorText(error)}</span>}
          </div>
        </form>
      </div>
    </div>
  );
}

/** What the shell shows: the first administrator's page, the sign-in page, a password to change, or the app (under the lock screen when locked). */
export function AuthGate({ state, children }: { state: { setupNeeded: boolean; locked: boolean; me: { name: string; mustChangePassword: boolean } | null } | undefined; children: ReactNode }) {
  const { t } = useTranslation('operators');
  if (!state) return <p className="auth-wait muted" role="status">{t('connecting')}</p>;
  // Until the first administrator exists nothing else works (the station refuses every other call).
  if (state.setupNeeded) return <Card title={t('firstAdmin.title')}><FirstAdminForm /></Card>;
  if (!state.me) return <SignInPage />;
  if (state.me.mustChangePassword) return <ChangePasswordPage name={state.me.name} />;
  return (
    <>
      {children}
      {state.locked && <LockScreen name={state.me.name} />}
    </>
  );
}

/** A window other than the main one (a pop-out): the same sign-in for this tab, the same gate. */
export function SignedIn({ children }: { children: ReactNode }) {
  return <AuthGate state={useAuthGate()}>{children}</AuthGate>;
}
