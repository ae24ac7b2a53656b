// Account management once signed in: profile photo, email and password changes, the account's sessions.
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { PROFILE_PHOTO_MAX_BYTES, PROFILE_PHOTO_TYPES, type CloudSession, type PrivacyState, type ProfilePhoto } from '../../../../electron/contract';
import {
  useChangeEmailMutation, useChangeAccountPasswordMutation, usePrivacyPhotoQuery, usePrivacySessionsQuery, useRevokeOtherSessionsMutation,
  useRevokeSessionMutation, useSetPhotoMutation,
} from './privacy-api';
import { errorText, formatTime } from './privacy-format';

/** Reads a chosen file as a profile photo, naming what is wrong with it before anything is sent. */
export function readPhoto(file: File): Promise<ProfilePhoto> {
  if (!(PROFILE_PHOTO_TYPES as readonly string[]).includes(file.type))
    return Promise.reject(new Error(`Choose a JPEG or PNG image (${file.name} is ${file.type || 'of an unknown type'})`));
  if (file.size > PROFILE_PHOTO_MAX_BYTES)
    return Promise.reject(new Error(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; a profile photo may be at most ${PROFILE_PHOTO_MAX_BYTES / 1024} KiB`));
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({ contentType: file.type as ProfilePhoto['contentType'], dataBase64: String(r.result).replace(/^data:[^,]*,/, '') });
    r.onerror = () => reject(new Error(`${file.name} could not be read`));
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
      <span>Photo</span>
      <div className="photo-row">
        {type && photo
          ? <img className="avatar" src={`data:${photo.contentType};base64,${photo.dataBase64}`} alt="Your profile photo" data-testid="profile-photo" />
          : <span className="avatar empty" aria-label="No profile photo">{state.account.nickname.slice(0, 1).toUpperCase()}</span>}
        <PhotoPicker label={type ? 'Change photo' : 'Add photo'} busy={setState.isLoading} onPick={change} onError={setLocalError} />
        {type && <button type="button" className="secondary" onClick={() => change(null)} disabled={setState.isLoading}>Remove</button>}
        <span className="muted small">JPEG or PNG, at most {PROFILE_PHOTO_MAX_BYTES / 1024} KiB</span>
        {error && <span className="error" role="alert" data-testid="photo-error">{error}</span>}
      </div>
    </div>
  );
}

function EmailForm() {
  const [change, st] = useChangeEmailMutation();
  const [newEmail, setNewEmail] = useState('');
  const [currentPassword, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void change({ newEmail, currentPassword }).unwrap().then(() => { setNewEmail(''); setPassword(''); }, () => {});
  };
  return (
    <form className="form privacy-form" onSubmit={submit} aria-label="Change email">
      <h3>Change email</h3>
      <label className="field"><span>New email</span><input name="newEmail" type="email" autoComplete="email" value={newEmail} onChange={(e) => setNewEmail(e.target.value)} required /></label>
      <label className="field"><span>Password</span><input name="emailPassword" type="password" autoComplete="current-password" value={currentPassword}
        onChange={(e) => setPassword(e.target.value)} required /></label>
      <div className="actions">
        <button type="submit" className="primary" disabled={st.isLoading}>Change email</button>
        {st.isSuccess && <span className="ok" role="status">Email changed</span>}
        {st.error && <span className="error" role="alert">{errorText(st.error)}</span>}
      </div>
    </form>
  );
}

function PasswordForm() {
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
    <form className="form privacy-form" onSubmit={submit} aria-label="Change password">
      <h3>Change password</h3>
      <label className="field"><span>Current</span><input name="currentPassword" type="password" autoComplete="current-password" value={f.currentPassword} onChange={set('currentPassword')} required /></label>
      <label className="field"><span>New</span><input name="newPassword" type="password" autoComplete="new-password" minLength={10} value={f.newPassword} onChange={set('newPassword')} required /></label>
      <label className="field"><span>Repeat new</span><input name="repeatPassword" type="password" autoComplete="new-password" value={f.repeat} onChange={set('repeat')} required /></label>
      <div className="actions">
        <button type="submit" className="primary" disabled={st.isLoading}>Change password</button>
        {st.isSuccess && !mismatch && <span className="ok" role="status">Password changed; {st.data.revokedSessions} other session{st.data.revokedSessions === 1 ? '' : 's'} signed out</span>}
        {mismatch && <span className="error" role="alert">The new passwords differ</span>}
        {st.error && !mismatch && <span className="error" role="alert">{errorText(st.error)}</span>}
      </div>
    </form>
  );
}

/** "11-29 09:56" — the year is noise in a list of recent sign-ins. */
const short = (iso: string) => formatTime(Date.parse(iso)).slice(5, 16);

export function SessionTable({ sessions, busy, onRevoke }: { sessions: CloudSession[]; busy: boolean; onRevoke: (id: string) => void }) {
  return (
    <div className="table-wrap">
      <table className="table sessions-table" data-testid="sessions">
        <thead><tr><th scope="col">Device / app</th><th scope="col">Signed in · last seen</th><th scope="col"><span className="sr-only">Action</span></th></tr></thead>
        <tbody>
          {sessions.map((s) => {
            const expired = Date.parse(s.expiresAt) <= Date.now();
            const ended = s.revokedAt !== null || expired;
            const name = s.client || 'unnamed app';
            return (
              <tr key={s.id} data-session={s.id} data-current={s.current} className={ended ? 'muted' : undefined}>
                <td>{name}{s.current && <strong className="tag">this station</strong>}</td>
                <td className="mono session-times" title={`signed in ${s.createdAt}, last seen ${s.lastUsedAt}`}>
                  {short(s.createdAt)}<br />{s.revokedAt ? `signed out ${short(s.revokedAt)}` : expired ? 'expired' : `seen ${short(s.lastUsedAt)}`}
                </td>
                <td className="num">{!s.current && !ended && <button type="button" className="secondary" disabled={busy} onClick={() => onRevoke(s.id)}
                  aria-label={`Sign out ${name}, signed in ${short(s.createdAt)}`}>Sign out</button>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Sessions() {
  const { data: sessions, error, isFetching, refetch } = usePrivacySessionsQuery(undefined, { refetchOnMountOrArgChange: true });
  const [revoke, rs] = useRevokeSessionMutation();
  const [revokeOthers, ro] = useRevokeOtherSessionsMutation();
  const others = (sessions ?? []).filter((s) => !s.current && s.revokedAt === null && Date.parse(s.expiresAt) > Date.now()).length;
  const busy = rs.isLoading || ro.isLoading;
  return (
    <section aria-labelledby="sessions-title" data-section="sessions">
      <h3 id="sessions-title">Where you are signed in</h3>
      {sessions && <SessionTable sessions={sessions} busy={busy} onRevoke={(id) => void revoke({ id })} />}
      <div className="actions">
        <button type="button" className="secondary" disabled={busy || others === 0} onClick={() => void revokeOthers()} data-testid="revoke-others">
          Sign out everywhere else{others ? ` (${others})` : ''}
        </button>
        <button type="button" className="secondary" disabled={isFetching} onClick={() => void refetch()}>Refresh</button>
        {isFetching && <span className="muted small">Loading…</span>}
        {ro.isSuccess && <span className="ok" role="status">{ro.data.revoked} session{ro.data.revoked === 1 ? '' : 's'} signed out</span>}
        {(error || rs.error || ro.error) && <span className="error" role="alert">{errorText(error ?? rs.error ?? ro.error)}</span>}
      </div>
    </section>
  );
}

/** Shown under the profile of a signed-in account. */
export function AccountSecurity({ state }: { state: PrivacyState & { account: NonNullable<PrivacyState['account']> } }) {
  return (
    <div className="account-security">
      <ProfilePhotoRow state={state} />
      <div className="account-forms">
        <EmailForm />
        <PasswordForm />
      </div>
      <Sessions />
    </div>
  );
}
