import { useEffect, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { PrivacyState, ProfilePhoto } from '../../../../electron/contract';
import { AccountSecurity, PhotoPicker } from './AccountSecurity';

export interface SignUpForm { email: string; password: string; nickname: string; country: string; dateOfBirth: string; photo?: ProfilePhoto }

function WhereDataLives({ cloud, account }: Pick<PrivacyState, 'cloud' | 'account'>) {
  const { t } = useTranslation('privacy');
  if (!cloud.url) return <p className="muted" data-testid="data-location">{t('location.none')}</p>;
  const where = account?.regionName ?? cloud.regionName;
  return (
    <p data-testid="data-location">
      {where
        ? <>
          <Trans t={t} i18nKey={account ? 'location.account' : 'location.service'} values={{ where }} components={{ strong: <strong /> }} />
          {' '}<span className="muted">{t('location.region', { region: account?.region ?? cloud.region ?? '' })}</span>
        </>
        : <span className="muted">{t('location.unknown')}</span>}
      <span className="muted">{' '}<Trans t={t} i18nKey="location.cloud" values={{ url: cloud.url }} components={{ url: <span className="mono" /> }} />
        {cloud.reachable === false && <span className="warn-text">{' '}{t('location.unreachable')}</span>}</span>
    </p>
  );
}

/** Log in or create an account; under-16s are refused before anything is sent. */
function SignedOut({ state, busy, error, onLogIn, onSignUp }: {
  state: PrivacyState; busy: boolean; error: string | null;
  onLogIn: (email: string, password: string) => void; onSignUp: (f: SignUpForm) => void;
}) {
  const { t } = useTranslation('privacy');
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [f, setF] = useState<SignUpForm>({ email: '', password: '', nickname: '', country: '', dateOfBirth: '' });
  const [photoError, setPhotoError] = useState<string | null>(null);
  const set = (k: keyof SignUpForm) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'login') onLogIn(f.email, f.password);
    else onSignUp(f);
  };
  return (
    <>
      <div className="tabs" role="tablist" aria-label={t('account.tabs')}>
        {(['login', 'signup'] as const).map((m) => (
          <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'tab active' : 'tab'}
            onClick={() => setMode(m)} data-testid={`tab-${m}`}>{m === 'login' ? t('account.logIn') : t('account.createAccount')}</button>
        ))}
      </div>
      <form className="form privacy-form" onSubmit={submit} aria-label={mode === 'login' ? t('account.logIn') : t('account.createAccount')}>
        <label className="field"><span>{t('account.email')}</span><input name="email" type="email" autoComplete="email" value={f.email} onChange={set('email')} required /></label>
        <label className="field"><span>{t('account.password')}</span><input name="password" type="password" autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          value={f.password} onChange={set('password')} required minLength={mode === 'signup' ? 10 : 1} /></label>
        {mode === 'signup' && (
          <>
            <label className="field"><span>{t('account.nickname')}</span><input name="nickname" value={f.nickname} onChange={set('nickname')} required maxLength={64} /></label>
            <label className="field"><span>{t('account.country')}</span><input name="country" value={f.country} onChange={set('country')} required placeholder={t('account.countryHint')} maxLength={2} /></label>
            <label className="field"><span>{t('account.dateOfBirth')}</span><input name="dateOfBirth" type="date" value={f.dateOfBirth} onChange={set('dateOfBirth')} required /></label>
            <div className="field"><span>{t('account.photo')}</span>
              <div className="photo-row">
                {f.photo && <img className="avatar" src={`data:${f.photo.contentType};base64,${f.photo.dataBase64}`} alt={t('account.chosenPhoto')} />}
                <PhotoPicker label={f.photo ? t('account.changePhoto') : t('account.addPhotoOptional')} busy={busy}
                  onPick={(photo) => { setPhotoError(null); setF((x) => ({ ...x, photo })); }} onError={setPhotoError} />
                {f.photo && <button type="button" className="secondary" onClick={() => setF(({ photo: _p, ...x }) => x)}>{t('account.removePhoto')}</button>}
                {photoError && <span className="error" role="alert" data-testid="photo-error">{photoError}</span>}
              </div>
            </div>
            <p className="muted small">{t('account.signUpNote', { age: state.cloud.minimumAge })}</p>
          </>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || !state.cloud.url}>{mode === 'login' ? t('account.logIn') : t('account.createAccount')}</button>
          {error && <span className="error" role="alert">{error}</span>}
        </div>
      </form>
    </>
  );
}

function Profile({ state, busy, error, onSave, onLogOut }: {
  state: PrivacyState & { account: NonNullable<PrivacyState['account']> }; busy: boolean; error: string | null;
  onSave: (p: { nickname?: string; country?: string }) => void; onLogOut: () => void;
}) {
  const { t } = useTranslation('privacy');
  const a = state.account;
  const [nickname, setNickname] = useState(a.nickname);
  const [country, setCountry] = useState(a.country);
  useEffect(() => { setNickname(a.nickname); setCountry(a.country); }, [a.nickname, a.country]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch: { nickname?: string; country?: string } = {};
    if (nickname.trim() !== a.nickname) patch.nickname = nickname.trim();
    if (country.trim().toUpperCase() !== a.country) patch.country = country.trim().toUpperCase();
    if (Object.keys(patch).length) onSave(patch);
  };
  const waiting = Object.keys(state.pendingProfile).length > 0;
  return (
    <form className="form privacy-form" onSubmit={submit} aria-label={t('profile.label')}>
      <div className="field"><span>{t('account.email')}</span><span className="mono" data-testid="account-email">{a.email}</span></div>
      <label className="field"><span>{t('account.nickname')}</span><input name="nickname" value={nickname} onChange={(e) => setNickname(e.target.value)} maxLength={64} /></label>
      <label className="field"><span>{t('account.country')}</span><input name="country" value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} /></label>
      <div className="field"><span>{t('account.dateOfBirth')}</span><span className="mono">{a.dateOfBirth}</span></div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{t('profile.save')}</button>
        <button type="button" className="secondary" onClick={onLogOut} disabled={busy}>
          {state.sync.pending > 0 ? t('profile.logOutLosing', { count: state.sync.pending }) : t('profile.logOut')}
        </button>
        {waiting && <span className="muted" role="status" data-testid="profile-pending">{t('profile.pending')}</span>}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
    </form>
  );
}

export function AccountPanel(props: {
  state: PrivacyState; busy: boolean; error: string | null;
  onLogIn: (email: string, password: string) => void; onSignUp: (f: SignUpForm) => void;
  onSave: (p: { nickname?: string; country?: string }) => void; onLogOut: () => void;
}) {
  const { t } = useTranslation('privacy');
  const { state } = props;
  return (
    <section className="panel" aria-labelledby="account-title" data-section="account">
      <h2 id="account-title">{t('account.title')}</h2>
      <WhereDataLives cloud={state.cloud} account={state.account} />
      {state.account
        ? <>
          <Profile {...props} state={{ ...state, account: state.account }} />
          <AccountSecurity state={{ ...state, account: state.account }} />
        </>
        : <SignedOut {...props} />}
    </section>
  );
}
