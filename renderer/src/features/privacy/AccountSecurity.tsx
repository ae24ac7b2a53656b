// Account management once signed in: profile photo, email and password changes, the account's sessions and operation log.
import i18next from 'i18next';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { PROFILE_PHOTO_MAX_BYTES, PROFILE_PHOTO_TYPES, type CloudSession, type PrivacyState, type ProfilePhoto } from '../../../../electron/contract';
import {
  useAccountLogQuery, useChangeEmailMutation, useChangeAccountPasswordMutation, usePrivacyPhotoQuery, usePrivacySessionsQuery, useRevokeOtherSessionsMutation,
  useResendVerificationMutation, useRevokeSessionMutation, useSetPhotoMutation, useVerifyEmailMutation,
} from './privacy-api';
import { dateTimeFormat, formatDateTime, formatNumber } from '../../i18n/format';
import { errorText } from './privacy-format';

/** Reads a chosen file as a profile photo, naming what is wrong with it before anything is sent. */
export function readPhoto(file: File): Promise<ProfilePhoto> {
  if (!(PROFILE_PHOTO_TYPES as readonly string[]).includes(file.type))
    return Promise.reject(new Error(file.type
      ? i18next.t('privacy:photo.wrongType', { name: file.name, type: file.type })
      : i18next.t('privacy:photo.wrongTypeUnknown', { name: file.name })));
  if (file.size > PROFILE_PHOTO_MAX_BYTES)
    return Promise.reject(new Error(i18next.t('privacy:photo.tooBig',
      { name: file.name, size: formatNumber(Math.ceil(file.size / 1024)), max: formatNumber(PROFILE_PHOTO_MAX_BYTES / 1024) })));
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({ contentType: file.type as ProfilePhoto['contentType'], dataBase64: String(r.result).replace(/^data:[^,]*,/, '') });
    r.onerror = () => reject(new Error(i18next.t('privacy:photo.unreadable', { name: file.name })));
    r.readAsDataURL(file);
  });
}

export function PhotoPicker({ label, busy, onPick, onError }: {
  label: string; busy: boolean; onPick: (p: ProfilePhoto) => void; onError: (message: string) => void;
}) {
  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) readPhoto(file).then(onPick, (err: Error) => onError(err.message));
  };
  return (
    <label className="file-pick">
      <input type="file" name="photo" accept={PROFILE_PHOTO_TYPES.join(',')} onChange={pick} disabled={busy} />
      <span className="secondary button-like">{label}</span>
    </label>
  );
}

function ProfilePhotoRow({ state }: { state: PrivacyState & { account: NonNullable<PrivacyState['account']> } }) {
  const { t } = useTranslation('privacy');
  const type = state.account.photoType;
  const { data: photo } = usePrivacyPhotoQuery(type ?? '', { skip: !type });
  const [setPhoto, setState] = useSetPhotoMutation();
  const [localError, setLocalError] = useState<string | null>(null);
  const error = localError ?? errorText(setState.error);
  const change = (p: ProfilePhoto | null) => {
    setLocalError(null);
    void setPhoto({ photo: p });
  };
  return (
    <div className="field photo-field">
      <span>{t('account.photo')}</span>
      <div className="photo-row">
        {type && photo
          ? <img className="avatar" src={`data:${photo.contentType};base64,${photo.dataBase64}`} alt={t('photo.yours')} data-testid="profile-photo" />
          : <span className="avatar empty" aria-label={t('photo.none')}>{state.account.nickname.slice(0, 1).toUpperCase()}</span>}
        <PhotoPicker label={type ? t('account.changePhoto') : t('photo.add')} busy={setState.isLoading} onPick={change} onError={setLocalError} />
        {type && <button type="button" className="secondary" onClick={() => change(null)} disabled={setState.isLoading}>{t('account.removePhoto')}</button>}
        <span className="muted small">{t('photo.hint', { max: formatNumber(PROFILE_PHOTO_MAX_BYTES / 1024) })}</span>
        {error && <span className="error" role="alert" data-testid="photo-error">{error}</span>}
      </div>
    </div>
  );
}

function EmailForm() {
  const { t } = useTranslation('privacy');
  const [change, st] = useChangeEmailMutation();
  const [newEmail, setNewEmail] = useState('');
  const [currentPassword, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void change({ newEmail, currentPassword }).unwrap().then(() => { setNewEmail(''); setPassword(''); }, () => {});
  };
  return (
    <form className="form privacy-form" onSubmit={submit} aria-label={t('changeEmail.title')}>
      <h3>{t('changeEmail.title')}</h3>
      <label className="field"><span>{t('changeEmail.newEmail')}</span><input name="newEmail" type="email" autoComplete="email" value={newEmail} onChange={(e) => setNewEmail(e.target.value)} required /></label>
      <label className="field"><span>{t('changeEmail.password')}</span><input name="emailPassword" type="password" autoComplete="current-password" value={currentPassword}
        onChange={(e) => setPassword(e.target.value)} required /></label>
      <div className="actions">
        <button type="submit" className="primary" disabled={st.isLoading}>{t('changeEmail.title')}</button>
        {st.isSuccess && <span className="ok" role="status">{t('changeEmail.changed')}</span>}
        {st.error && <span className="error" role="alert">{errorText(st.error)}</span>}
      </div>
    </form>
  );
}

function PasswordForm() {
  const { t } = useTranslation('privacy');
  const [change, st] = useChangeAccountPasswordMutation();
  const [f, setF] = useState({ currentPassword: '', newPassword: '', repeat: '' });
  const [mismatch, setMismatch] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(f.newPassword !== f.repeat);
    if (f.newPassword !== f.repeat) return;
    void change({ currentPassword: f.currentPassword, newPassword: f.newPassword }).unwrap()
      .then(() => setF({ currentPassword: '', newPassword: '', repeat: '' }), () => {});
  };
  return (
    <form className="form privacy-form" onSubmit={submit} aria-label={t('changePassword.title')}>
      <h3>{t('changePassword.title')}</h3>
      <label className="field"><span>{t('changePassword.current')}</span><input name="currentPassword" type="password" autoComplete="current-password" value={f.currentPassword} onChange={set('currentPassword')} required /></label>
      <label className="field"><span>{t('changePassword.new')}</span><input name="newPassword" type="password" autoComplete="new-password" minLength={10} value={f.newPassword} onChange={set('newPassword')} required /></label>
      <label className="field"><span>{t('changePassword.repeat')}</span><input name="repeatPassword" type="password" autoComplete="new-password" value={f.repeat} onChange={set('repeat')} required /></label>
      <div className="actions">
        <button type="submit" className="primary" disabled={st.isLoading}>{t('changePassword.title')}</button>
        {st.isSuccess && !mismatch && <span className="ok" role="status">{t('changePassword.changed', { count: st.data.revokedSessions })}</span>}
        {mismatch && <span className="error" role="alert">{t('changePassword.differ')}</span>}
        {st.error && !mismatch && <span className="error" role="alert">{errorText(st.error)}</span>}
      </div>
    </form>
  );
}

/** Day and minute ("Nov 29, 09:56 AM") — the year is noise in a list of recent sign-ins. */
const short = (iso: string) => dateTimeFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(Date.parse(iso));
const full = (iso: string) => formatDateTime(Date.parse(iso));

export function SessionTable({ sessions, busy, onRevoke }: { sessions: CloudSession[]; busy: boolean; onRevoke: (id: string) => void }) {
  const { t } = useTranslation('privacy');
  return (
    <div className="table-wrap">
      <table className="table sessions-table" data-testid="sessions">
        <thead><tr><th scope="col">{t('sessions.device')}</th><th scope="col">{t('sessions.times')}</th><th scope="col"><span className="sr-only">{t('sessions.action')}</span></th></tr></thead>
        <tbody>
          {sessions.map((s) => {
            const expired = Date.parse(s.expiresAt) <= Date.now();
            const ended = s.revokedAt !== null || expired;
            const name = s.client || t('sessions.unnamed');
            return (
              <tr key={s.id} data-session={s.id} data-current={s.current} className={ended ? 'muted' : undefined}>
                <td>{name}{s.current && <strong className="tag">{t('sessions.thisStation')}</strong>}</td>
                <td className="mono session-times" title={t('sessions.timesTitle', { created: full(s.createdAt), lastUsed: full(s.lastUsedAt) })}>
                  {short(s.createdAt)}<br />{s.revokedAt ? t('sessions.signedOut', { time: short(s.revokedAt) }) : expired ? t('sessions.expired') : t('sessions.seen', { time: short(s.lastUsedAt) })}
                </td>
                <td className="num">{!s.current && !ended && <button type="button" className="secondary" disabled={busy} onClick={() => onRevoke(s.id)}
                  aria-label={t('sessions.signOutLabel', { name, time: short(s.createdAt) })}>{t('sessions.signOut')}</button>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Sessions() {
  const { t } = useTranslation('privacy');
  const { data: sessions, error, isFetching, refetch } = usePrivacySessionsQuery(undefined, { refetchOnMountOrArgChange: true });
  const [revoke, rs] = useRevokeSessionMutation();
  const [revokeOthers, ro] = useRevokeOtherSessionsMutation();
  const others = (sessions ?? []).filter((s) => !s.current && s.revokedAt === null && Date.parse(s.expiresAt) > Date.now()).length;
  const busy = rs.isLoading || ro.isLoading;
  return (
    <section aria-labelledby="sessions-title" data-section="sessions">
      <h3 id="sessions-title">{t('sessions.title')}</h3>
      {sessions && <SessionTable sessions={sessions} busy={busy} onRevoke={(id) => void revoke({ id })} />}
      <div className="actions">
        <button type="button" className="secondary" disabled={busy || others === 0} onClick={() => void revokeOthers()} data-testid="revoke-others">
          {others ? t('sessions.revokeOthersCount', { n: formatNumber(others) }) : t('sessions.revokeOthers')}
        </button>
        <button type="button" className="secondary" disabled={isFetching} onClick={() => void refetch()}>{t('sessions.refresh')}</button>
        {isFetching && <span className="muted small">{t('sessions.loading')}</span>}
        {ro.isSuccess && <span className="ok" role="status">{t('sessions.revoked', { count: ro.data.revoked })}</span>}
        {(error || rs.error || ro.error) && <span className="error" role="alert">{errorText(error ?? rs.error ?? ro.error)}</span>}
      </div>
    </section>
  );
}

/** What was done with the account, newest first: when, what, from which address, with which app and device. */
function AccountLog() {
  const { t } = useTranslation('privacy');
  const { data: entries, error } = useAccountLogQuery(undefined, { refetchOnMountOrArgChange: true });
  const full = (iso: string) => formatDateTime(Date.parse(iso), { dateStyle: 'medium', timeStyle: 'medium' });
  return (
    <section aria-labelledby="account-log-title" data-section="account-log">
      <h3 id="account-log-title">{t('accountLog.title')}</h3>
      <p className="muted small">{t('accountLog.intro')}</p>
      {entries && entries.length === 0 && <p className="muted small">{t('accountLog.empty')}</p>}
      {entries && entries.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="account-log-title">
          <table className="table retention" data-testid="account-log">
            <thead><tr><th scope="col">{t('accountLog.when')}</th><th scope="col">{t('accountLog.what')}</th><th scope="col">{t('accountLog.from')}</th></tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-kind={e.kind}>
                  <td className="mono">{full(e.at)}</td>
                  <td>{t(`accountLog.kinds.${e.kind}`)}</td>
                  <td><span className="mono">{e.address}</span>{' · '}{e.client || t('sessions.unnamed')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && <p className="error" role="alert">{errorText(error)}</p>}
    </section>
  );
}

/** "Email not verified" until the code the cloud mailed is entered here; a new code can be asked for. */
function EmailVerification({ state }: { state: PrivacyState & { account: NonNullable<PrivacyState['account']> } }) {
  const { t } = useTranslation('privacy');
  const [verify, vs] = useVerifyEmailMutation();
  const [resend, rs] = useResendVerificationMutation();
  const [code, setCode] = useState('');
  if (state.account.emailVerified !== false) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    rs.reset();
    void verify({ code }).unwrap().then(() => setCode(''), () => {});
  };
  const error = vs.error ?? rs.error;
  return (
    <form className="form privacy-form email-verify" onSubmit={submit} aria-label={t('verify.title')} data-testid="email-verify">
      <p><strong className="warn-text" data-testid="email-not-verified">{t('verify.notVerified')}</strong>{' '}
        <span className="muted">{state.cloud.mail === false ? t('verify.noMail') : t('verify.text', { email: state.account.email })}</span></p>
      {state.cloud.mail !== false && (
        <>
          <label className="field"><span>{t('verify.code')}</span><input name="verify-code" inputMode="numeric" autoComplete="one-time-code" maxLength={20}
            value={code} onChange={(e) => { setCode(e.target.value); vs.reset(); }} aria-invalid={!!vs.error} /></label>
          <div className="actions">
            <button type="submit" className="primary" disabled={vs.isLoading || !code.trim()}>{t('verify.submit')}</button>
            <button type="button" className="secondary" disabled={rs.isLoading} onClick={() => { vs.reset(); void resend(); }} data-testid="verify-resend">{t('verify.resend')}</button>
            {rs.data && <span className={rs.data.delivery === 'sent' ? 'ok' : 'muted'} role="status" data-testid="verify-delivery" data-delivery={rs.data.delivery}>
              {rs.data.delivery === 'sent' ? t('verify.sent') : t('verify.queued')}</span>}
            {error && <span className="error" role="alert">{errorText(error)}</span>}
          </div>
        </>
      )}
    </form>
  );
}

/** Shown under the profile of a signed-in account. */
export function AccountSecurity({ state }: { state: PrivacyState & { account: NonNullable<PrivacyState['account']> } }) {
  return (
    <div className="account-security">
      <EmailVerification state={state} />
      <ProfilePhotoRow state={state} />
      <div className="account-forms">
        <EmailForm />
        <PasswordForm />
      </div>
      <Sessions />
      <AccountLog />
    </div>
  );
}
