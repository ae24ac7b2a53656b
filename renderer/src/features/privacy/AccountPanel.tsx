import { useEffect, useState, type FormEvent } from 'react';
import type { PrivacyState, ProfilePhoto } from '../../../../electron/contract';
import { AccountSecurity, PhotoPicker } from './AccountSecurity';

export interface SignUpForm { email: string; password: string; nickname: string; country: string; dateOfBirth: string; photo?: ProfilePhoto }

function WhereDataLives({ cloud, account }: Pick<PrivacyState, 'cloud' | 'account'>) {
  if (!cloud.url) return <p className="muted" data-testid="data-location">No cloud service is configured: this station keeps everything here and sends nothing.</p>;
  const where = account?.regionName ?? cloud.regionName;
  return (
    <p data-testid="data-location">
      {where ? <>{account ? 'Your account data lives in ' : 'Accounts on this service keep their data in '}<strong>{where}</strong> <span className="muted">(region {account?.region ?? cloud.region})</span></>
        : <span className="muted">Where your data would live is not known yet</span>}
      <span className="muted"> · cloud <span className="mono">{cloud.url}</span>
        {cloud.reachable === false && <span className="warn-text"> · unreachable</span>}</span>
    </p>
  );
}

/** Log in or create an account; under-16s are refused before anything is sent. */
function SignedOut({ state, busy, error, onLogIn, onSignUp }: {
  state: PrivacyState; busy: boolean; error: string | null;
  onLogIn: (email: string, password: string) => void; onSignUp: (f: SignUpForm) => void;
}) {
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
      <div className="tabs" role="tablist" aria-label="Account">
        {(['login', 'signup'] as const).map((m) => (
          <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'tab active' : 'tab'}
            onClick={() => setMode(m)} data-testid={`tab-${m}`}>{m === 'login' ? 'Log in' : 'Create account'}</button>
        ))}
      </div>
      <form className="form privacy-form" onSubmit={submit} aria-label={mode === 'login' ? 'Log in' : 'Create account'}>
        <label className="field"><span>Email</span><input name="email" type="email" autoComplete="email" value={f.email} onChange={set('email')} required /></label>
        <label className="field"><span>Password</span><input name="password" type="password" autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          value={f.password} onChange={set('password')} required minLength={mode === 'signup' ? 10 : 1} /></label>
        {mode === 'signup' && (
          <>
            <label className="field"><span>Nickname</span><input name="nickname" value={f.nickname} onChange={set('nickname')} required maxLength={64} /></label>
            <label className="field"><span>Country</span><input name="country" value={f.country} onChange={set('country')} required placeholder="two letters, e.g. DE" maxLength={2} /></label>
            <label className="field"><span>Date of birth</span><input name="dateOfBirth" type="date" value={f.dateOfBirth} onChange={set('dateOfBirth')} required /></label>
            <div className="field"><span>Photo</span>
              <div className="photo-row">
                {f.photo && <img className="avatar" src={`data:${f.photo.contentType};base64,${f.photo.dataBase64}`} alt="Chosen profile photo" />}
                <PhotoPicker label={f.photo ? 'Change photo' : 'Add photo (optional)'} busy={busy}
                  onPick={(photo) => { setPhotoError(null); setF((x) => ({ ...x, photo })); }} onError={setPhotoError} />
                {f.photo && <button type="button" className="secondary" onClick={() => setF(({ photo: _p, ...x }) => x)}>Remove</button>}
                {photoError && <span className="error" role="alert" data-testid="photo-error">{photoError}</span>}
              </div>
            </div>
            <p className="muted small">Accounts are for people aged {state.cloud.minimumAge} or over. The cloud stores your email, country, nickname,
              date of birth and an encrypted password, to register you and run your account.</p>
          </>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || !state.cloud.url}>{mode === 'login' ? 'Log in' : 'Create account'}</button>
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
    <form className="form privacy-form" onSubmit={submit} aria-label="Profile">
      <div className="field"><span>Email</span><span className="mono" data-testid="account-email">{a.email}</span></div>
      <label className="field"><span>Nickname</span><input name="nickname" value={nickname} onChange={(e) => setNickname(e.target.value)} maxLength={64} /></label>
      <label className="field"><span>Country</span><input name="country" value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} /></label>
      <div className="field"><span>Date of birth</span><span className="mono">{a.dateOfBirth}</span></div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>Save profile</button>
        <button type="button" className="secondary" onClick={onLogOut} disabled={busy}>
          Log out{state.sync.pending > 0 ? ` (${state.sync.pending} unsynced change${state.sync.pending === 1 ? '' : 's'} will be lost)` : ''}
        </button>
        {waiting && <span className="muted" role="status" data-testid="profile-pending">Saved here; waiting for the cloud</span>}
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
  const { state } = props;
  return (
    <section className="panel" aria-labelledby="account-title" data-section="account">
      <h2 id="account-title">Account</h2>
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
