import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { COUNTRY_CODES, isCountryCode, type DataRegion, type FieldKey, type PrivacyState, type ProfilePhoto } from '../../../../electron/contract';
import { errorField, errorText } from '../../i18n/errors';
import { rovingTarget } from '../../ui/roving';
import { ageOn, logInProblems, signUpProblems, utcDate, type AccountField } from './account-checks';
import { AccountSecurity, PhotoPicker } from './AccountSecurity';
import { ForgotPassword } from './ForgotPassword';
import { useDataRegionsQuery } from './privacy-api';
import { RegionChoice, RegionMovePanel, needsTransferNotice, type RegionChoiceValue } from './RegionFields';

export interface SignUpForm {
  email: string; password: string; nickname: string; country: string; dateOfBirth: string; photo?: ProfilePhoto;
  region?: DataRegion['id']; transferAcknowledged?: boolean;
}

const FORM_FIELDS: readonly string[] = ['email', 'password', 'nickname', 'country', 'dateOfBirth'] satisfies AccountField[];
const isFormField = (f: FieldKey | undefined): f is AccountField => f !== undefined && FORM_FIELDS.includes(f);

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
        {cloud.refused ? <span className="warn-text" data-testid="cloud-refused" data-refused={cloud.refused}>{' '}{t(`location.refused.${cloud.refused}`)}</span>
          : cloud.reachable === false && <span className="warn-text">{' '}{t('location.unreachable')}</span>}</span>
    </p>
  );
}

/** A field's problem under it: the form's own check once the form was sent, else the station's refusal of it. */
function Problem({ id, text }: { id: string; text: string | null }) {
  return text ? <p className="error field-problem" id={id} role="alert" data-testid={id}>{text}</p> : null;
}

/** The country list for the country field: each code with its name in the chosen language. */
function CountryList({ id }: { id: string }) {
  const { i18n } = useTranslation();
  const names = useMemo(() => new Intl.DisplayNames(i18n.language, { type: 'region' }), [i18n.language]);
  return <datalist id={id}>{COUNTRY_CODES.map((c) => <option key={c} value={c} label={names.of(c)} />)}</datalist>;
}

/** Log in or create an account; every field is checked here first (under-16s too), so nothing wrong is sent. */
function SignedOut({ state, busy, error, onClearError, onLogIn, onSignUp }: {
  state: PrivacyState; busy: boolean; error: unknown; onClearError: () => void;
  onLogIn: (email: string, password: string, region?: DataRegion['id']) => void; onSignUp: (f: SignUpForm) => void;
}) {
  const { t, i18n } = useTranslation('privacy');
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  // "Forgot password" replaces the log-in form until the password is reset or the user goes back.
  const [forgot, setForgot] = useState(false);
  const [resetDone, setResetDone] = useState(false);
  // The deployment's regions, asked of the configured cloud once the user opens the sign-up form.
  // Logging in to an account of another region is asked for with a click, so opening the page sends nothing more.
  const [otherRegion, setOtherRegion] = useState(false);
  const regions = useDataRegionsQuery(undefined, { skip: (mode === 'login' && !otherRegion) || !state.cloud.url }).data ?? [];
  const [f, setF] = useState<SignUpForm>({ email: '', password: '', nickname: '', country: '', dateOfBirth: '' });
  const [photoError, setPhotoError] = useState<string | null>(null);
  // The data region: the configured cloud's own until another of the deployment's is chosen.
  const [where, setWhere] = useState<RegionChoiceValue>({ region: '', transferAcknowledged: false });
  const region = where.region || state.cloud.region || '';
  const noticeUnread = needsTransferNotice(f.country, region) && !where.transferAcknowledged;
  // The form's own checks show once it was sent (then as the fields change): shown earlier, on leaving a field, they would
  // move the button from under a click.
  const [sent, setSent] = useState(false);
  const problems = mode === 'login' ? logInProblems(f) : signUpProblems(f, state.cloud.minimumAge, Date.now());
  const refusedField = errorField(error);
  const regionRefused = !!error && (refusedField === 'dataRegion' || refusedField === 'region' || refusedField === 'transferAcknowledged');
  const problemOf = (k: AccountField) =>
    sent && problems[k] ? errorText(problems[k]) : error && refusedField === k ? errorText(error) : null;
  const edit = (k: AccountField) => (e: { target: { value: string } }) => {
    setF((x) => ({ ...x, [k]: e.target.value }));
    // The station's refusal goes as soon as the field it is about changes (one about no field here: on any change).
    if (error && (refusedField === k || !isFormField(refusedField))) onClearError();
  };
  const a11y = (k: AccountField) => {
    const bad = problemOf(k) !== null;
    return { name: k, 'aria-invalid': bad, 'aria-describedby': bad ? `problem-${k}` : undefined };
  };
  const switchMode = (m: 'login' | 'signup') => { setMode(m); setSent(false); setForgot(false); setResetDone(false); onClearError(); };
  // After a refused send, the first field at fault takes the focus (once the form has rendered its problems).
  const formRef = useRef<HTMLFormElement>(null);
  const [focusOn, setFocusOn] = useState<{ field: AccountField } | null>(null);
  useEffect(() => { if (focusOn) formRef.current?.querySelector<HTMLInputElement>(`input[name=${focusOn.field}]`)?.focus(); }, [focusOn]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = Object.keys(problems) as AccountField[];
    if (bad.length || (mode === 'signup' && noticeUnread)) {
      setSent(true);
      if (bad.length) setFocusOn({ field: bad[0]! });
      return;
    }
    if (mode === 'login') onLogIn(f.email, f.password, otherRegion && region ? region as DataRegion['id'] : undefined);
    else onSignUp({
      ...f, country: f.country.trim().toUpperCase(),
      ...(region ? { region: region as DataRegion['id'] } : {}), ...(where.transferAcknowledged ? { transferAcknowledged: true } : {}),
    });
  };
  const code = f.country.trim().toUpperCase();
  const countryName = isCountryCode(code) ? new Intl.DisplayNames(i18n.language, { type: 'region' }).of(code) : null;
  return (
    <>
      <div className="tabs" role="tablist" aria-label={t('account.tabs')}
        onKeyDown={(e) => { const to = rovingTarget(e, mode === 'login' ? 0 : 1, 2); if (to !== undefined) { switchMode(to ? 'signup' : 'login'); e.currentTarget.querySelectorAll('button')[to]?.focus(); } }}>
        {(['login', 'signup'] as const).map((m) => (
          <button key={m} type="button" role="tab" aria-selected={mode === m} tabIndex={mode === m ? 0 : -1} className={mode === m ? 'tab active' : 'tab'}
            onClick={() => switchMode(m)} data-testid={`tab-${m}`}>{m === 'login' ? t('account.logIn') : t('account.createAccount')}</button>
        ))}
      </div>
      {forgot && mode === 'login'
        ? <ForgotPassword initialEmail={f.email} mail={state.cloud.mail} onBack={() => setForgot(false)}
          onDone={(email) => { setF((x) => ({ ...x, email, password: '' })); setForgot(false); setResetDone(true); }} />
        : <form ref={formRef} className="form privacy-form" onSubmit={submit} noValidate aria-label={mode === 'login' ? t('account.logIn') : t('account.createAccount')}>
        <label className="field"><span>{t('account.email')}</span><input type="email" autoComplete="email" value={f.email} onChange={edit('email')} {...a11y('email')} /></label>
        <Problem id="problem-email" text={problemOf('email')} />
        <label className="field"><span>{t('account.password')}</span><input type="password" autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          value={f.password} onChange={edit('password')} {...a11y('password')} /></label>
        <Problem id="problem-password" text={problemOf('password')} />
        {mode === 'login' && (otherRegion && regions.length > 1
          ? <RegionChoice regions={regions} country="" value={{ ...where, region }} onChange={(v) => { setWhere(v); if (error) onClearError(); }}
            problem={regionRefused ? errorText(error) : null} problemField={regionRefused ? 'region' : null} />
          : !otherRegion && state.cloud.url
            && <p className="small"><button type="button" className="link" onClick={() => setOtherRegion(true)} data-testid="login-other-region">{t('region.logInElsewhere')}</button></p>)}
        {mode === 'signup' && (
          <>
            <label className="field"><span>{t('account.nickname')}</span><input value={f.nickname} onChange={edit('nickname')} {...a11y('nickname')} /></label>
            <Problem id="problem-nickname" text={problemOf('nickname')} />
            <label className="field"><span>{t('account.country')}</span>
              <span className="field-inline">
                <input className="country-code" value={f.country} onChange={edit('country')} placeholder={t('account.countryHint')} maxLength={2}
                  list="country-codes" autoComplete="country" {...a11y('country')} />
                {countryName && <span className="muted" data-testid="country-name">{countryName}</span>}
              </span>
            </label>
            <CountryList id="country-codes" />
            <Problem id="problem-country" text={problemOf('country')} />
            <label className="field"><span>{t('account.dateOfBirth')}</span><input type="date" value={f.dateOfBirth} max={utcDate(Date.now())}
              onChange={edit('dateOfBirth')} {...a11y('dateOfBirth')} /></label>
            <Problem id="problem-dateOfBirth" text={problemOf('dateOfBirth')} />
            {regions.length > 1 && (
              <RegionChoice regions={regions} country={f.country} value={{ ...where, region }}
                onChange={(v) => { setWhere(v); if (error) onClearError(); }}
                problem={sent && noticeUnread ? t('region.acknowledgeFirst') : regionRefused ? errorText(error) : null}
                problemField={sent && noticeUnread ? 'transferAcknowledged' : regionRefused ? (refusedField === 'transferAcknowledged' ? 'transferAcknowledged' : 'region') : null} />
            )}
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
          {mode === 'login' && <button type="button" className="secondary" onClick={() => { setForgot(true); setResetDone(false); onClearError(); }}
            disabled={!state.cloud.url} data-testid="forgot-link">{t('forgot.link')}</button>}
          {resetDone && mode === 'login' && <span className="ok" role="status" data-testid="reset-done">{t('forgot.done')}</span>}
          {error && !isFormField(refusedField) && !regionRefused ? <span className="error" role="alert">{errorText(error)}</span> : null}
        </div>
      </form>}
    </>
  );
}

function Profile({ state, busy, error, onClearError, onSave, onLogOut }: {
  state: PrivacyState & { account: NonNullable<PrivacyState['account']> }; busy: boolean; error: unknown; onClearError: () => void;
  onSave: (p: { nickname?: string; country?: string; dateOfBirth?: string }) => void; onLogOut: () => void;
}) {
  const { t } = useTranslation('privacy');
  const a = state.account;
  const [nickname, setNickname] = useState(a.nickname);
  const [country, setCountry] = useState(a.country);
  const [dateOfBirth, setDateOfBirth] = useState(a.dateOfBirth);
  useEffect(() => { setNickname(a.nickname); setCountry(a.country); setDateOfBirth(a.dateOfBirth); }, [a.nickname, a.country, a.dateOfBirth]);
  // A correction below 16 suspends the account in the cloud (and erases it after the notice period): said before saving.
  const underAge = dateOfBirth !== a.dateOfBirth && ageOn(dateOfBirth, utcDate(Date.now())) < state.cloud.minimumAge;
  // "Saved" once a change went through (or waits to be sent, which says so instead), until the next edit.
  const [saved, setSaved] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch: { nickname?: string; country?: string; dateOfBirth?: string } = {};
    if (nickname.trim() !== a.nickname) patch.nickname = nickname.trim();
    if (country.trim().toUpperCase() !== a.country) patch.country = country.trim().toUpperCase();
    if (dateOfBirth && dateOfBirth !== a.dateOfBirth) patch.dateOfBirth = dateOfBirth;
    if (Object.keys(patch).length) onSave(patch);
    setSaved(true);
  };
  const edited = () => { setSaved(false); if (error) onClearError(); };
  const waiting = Object.keys(state.pendingProfile).length > 0;
  return (
    <form className="form privacy-form" onSubmit={submit} aria-label={t('profile.label')}>
      <div className="field"><span>{t('account.email')}</span><span className="mono" data-testid="account-email">{a.email}</span></div>
      <label className="field"><span>{t('account.nickname')}</span><input name="nickname" value={nickname} onChange={(e) => { setNickname(e.target.value); edited(); }} maxLength={64} /></label>
      <label className="field"><span>{t('account.country')}</span><input name="country" value={country} onChange={(e) => { setCountry(e.target.value); edited(); }} maxLength={2} /></label>
      <label className="field"><span>{t('account.dateOfBirth')}</span><input name="dateOfBirth" type="date" value={dateOfBirth} max={utcDate(Date.now())}
        onChange={(e) => { setDateOfBirth(e.target.value); edited(); }} /></label>
      {underAge && <p className="error" role="alert" data-testid="under-age-warning">{t('profile.underAgeWarning', { age: state.cloud.minimumAge })}</p>}
      {a.suspension && (
        <p className="error" role="status" data-testid="account-suspended">
          {t(`profile.suspended.${a.suspension.reason}`, { date: a.suspension.eraseAfter.slice(0, 10), receipt: a.suspension.receiptId })}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{t('profile.save')}</button>
        <button type="button" className="secondary" onClick={onLogOut} disabled={busy}>
          {state.sync.pending > 0 ? t('profile.logOutLosing', { count: state.sync.pending }) : t('profile.logOut')}
        </button>
        {waiting && <span className="muted" role="status" data-testid="profile-pending">{t('profile.pending')}</span>}
        {saved && !waiting && !busy && !error && <span className="ok" role="status" data-testid="profile-saved">{t('common:saved')}</span>}
        {error ? <span className="error" role="alert">{errorText(error)}</span> : null}
      </div>
    </form>
  );
}

/** `error`: the last refusal of a log-in, sign-up, log-out or profile change; `onClearError` forgets it. */
export function AccountPanel(props: {
  state: PrivacyState; busy: boolean; error: unknown; onClearError: () => void;
  onLogIn: (email: string, password: string, region?: DataRegion['id']) => void; onSignUp: (f: SignUpForm) => void;
  onSave: (p: { nickname?: string; country?: string; dateOfBirth?: string }) => void; onLogOut: () => void;
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
          {state.cloud.url && <RegionMovePanel state={{ ...state, account: state.account }} />}
        </>
        : <SignedOut {...props} />}
    </section>
  );
}
