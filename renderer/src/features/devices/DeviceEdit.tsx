import { useRef, useState, type FormEvent } from 'react';
import { COVER_MAX_BYTES, COVER_TYPES, passwordProblems, type Device } from '../../../../electron/contract';
import { useChangePasswordMutation, useCoverQuery, useRemoveCoverMutation, useRemoveDeviceMutation, useRenameChannelMutation, useSetCoverMutation } from './devices-api';

/** The message of a failed call (the station names the problem). */
export function errorText(err: unknown, fallback: string): string {
  return err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : fallback;
}

const RULES = ['8 to 32 characters', 'at least two of letters, digits, symbols', 'not the username'];

/** The password rule, ticked off as the user types. */
export function PasswordRule({ password, username, id }: { password: string; username: string; id?: string }) {
  const problems = passwordProblems(password, username);
  return (
    <ul id={id} className="pw-rule" aria-live="polite">
      {RULES.map((r) => (
        <li key={r} className={password && !problems.includes(r) ? 'ok' : 'muted'}>{password && !problems.includes(r) ? '✓' : '·'} {r}</li>
      ))}
      {problems.filter((p) => p.startsWith('none of')).map((p) => <li key={p} className="bad">✗ {p}</li>)}
    </ul>
  );
}

/** A channel's cover as a small thumbnail (a placeholder box when it has none); hasCover unknown: asked. */
export function CoverThumb({ channelId, hasCover, name }: { channelId: number; hasCover?: boolean; name: string }) {
  const { data } = useCoverQuery(channelId, { skip: hasCover === false });
  return hasCover !== false && data
    ? <img className="dev-cover" src={`data:${data.type};base64,${data.imageBase64}`} alt={`Cover of ${name}`} />
    : <span className="dev-cover empty" aria-hidden="true" />;
}

/** A channel's name, renamed in place. */
export function ChannelName({ channelId, name }: { channelId: number; name: string }) {
  const [rename, { isLoading, error, reset }] = useRenameChannelMutation();
  const [editing, setEditing] = useState<string | null>(null);
  if (editing === null) {
    return (
      <>
        <span className="dev-ch-name">{name}</span>
        <button type="button" className="link small" onClick={() => { reset(); setEditing(name); }} aria-label={`Rename ${name}`}>Rename</button>
      </>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!editing.trim()) return;
    void rename({ id: channelId, name: editing.trim() }).unwrap().then(() => setEditing(null)).catch(() => undefined);
  };
  return (
    <form className="dev-inline" onSubmit={submit}>
      <input aria-label={`New name for ${name}`} value={editing} maxLength={100} autoFocus onChange={(e) => setEditing(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Escape') setEditing(null); }} />
      <button type="submit" className="primary" disabled={isLoading || !editing.trim()}>Save</button>
      <button type="button" onClick={() => setEditing(null)}>Cancel</button>
      {error && <span className="bad small" role="alert">{errorText(error, 'could not rename')}</span>}
    </form>
  );
}

/** Cover image of a channel: from a snapshot of it or from an image file; limits checked here first, and again by the station. */
export function CoverDialog({ channelId, name, onClose }: { channelId: number; name: string; onClose: () => void }) {
  const { data: current } = useCoverQuery(channelId);
  const hasCover = Boolean(current);
  const [setCover, { isLoading }] = useSetCoverMutation();
  const [removeCover] = useRemoveCoverMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const send = (input: Parameters<typeof setCover>[0], what: string) => {
    setProblem(null);
    setDone(null);
    void setCover(input).unwrap().then(() => setDone(what)).catch((err: unknown) => setProblem(errorText(err, 'the cover was not saved')));
  };
  const pick = async (f: File | undefined) => {
    if (!f) return;
    if (!(COVER_TYPES as readonly string[]).includes(f.type)) return setProblem(`${f.name} is not a JPEG, PNG or WebP image`);
    if (f.size > COVER_MAX_BYTES) return setProblem(`${f.name} is ${(f.size / 1024).toFixed(0)} KiB; a cover may be at most ${COVER_MAX_BYTES / 1024} KiB`);
    const bytes = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    send({ channelId, imageBase64: btoa(bin) }, `Cover set from ${f.name}`);
  };
  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="cover-title">
      <h2 id="cover-title">Cover image of {name}</h2>
      <div className="dev-form">
        <CoverThumb channelId={channelId} name={name} />
        <button type="button" disabled={isLoading} onClick={() => send({ channelId, from: 'snapshot' }, 'Cover set from a snapshot')}>Use a snapshot of the channel</button>
        <label className="field-stack">Or an image file (JPEG, PNG or WebP, up to {COVER_MAX_BYTES / 1024} KiB)
          <input ref={file} type="file" name="cover" accept={COVER_TYPES.join(',')} onChange={(e) => void pick(e.target.files?.[0])} />
        </label>
        {isLoading && <progress aria-label="Saving the cover" />}
        {problem && <p className="bad small" role="alert">{problem}</p>}
        {done && <p className="ok small" role="status">{done}</p>}
        <div className="actions">
          {hasCover && <button type="button" className="secondary" onClick={() => void removeCover(channelId)}>Remove cover</button>}
          <button type="button" className="secondary" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

/** New password for a device: set on the device first; the station keeps it only when the device accepted it. */
export function PasswordDialog({ device, onClose }: { device: Device; onClose: () => void }) {
  const [change, { isLoading, error, isSuccess }] = useChangePasswordMutation();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  // The station knows the user name; the rule's "not the username" is checked there against it.
  const problems = passwordProblems(password, '');
  const mismatch = confirm !== '' && confirm !== password;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problems.length || mismatch || !confirm) return;
    void change({ id: device.id, password }).unwrap().catch(() => undefined);
  };
  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="pw-title">
      <h2 id="pw-title">Change the password of {device.name}</h2>
      <form className="dev-form" onSubmit={submit}>
        <label className="field-stack">New password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="pw-change-rule" autoFocus />
        </label>
        <PasswordRule id="pw-change-rule" password={password} username="" />
        <label className="field-stack">Confirm password
          <input name="confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
        </label>
        {mismatch && <span className="bad small">The passwords differ</span>}
        {isLoading && <progress aria-label="Changing the password" />}
        {error && <p className="bad small" role="alert">{errorText(error, 'the password was not changed')}. The station still uses the old one.</p>}
        {isSuccess && <p className="ok small" role="status">The device took the new password; the station uses it from now on.</p>}
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || problems.length > 0 || mismatch || !confirm}>Change password</button>
          <button type="button" className="secondary" onClick={onClose}>Close</button>
        </div>
      </form>
    </div>
  );
}

/** Delete a device: its credentials are erased either way; the user chooses what happens to its recordings. */
export function DeleteDialog({ device, onClose }: { device: Device; onClose: () => void }) {
  const [remove, { isLoading, error }] = useRemoveDeviceMutation();
  const [recordings, setRecordings] = useState<'keep' | 'delete' | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!recordings) return;
    void remove({ id: device.id, recordings }).unwrap().then(onClose).catch(() => undefined);
  };
  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="del-title">
      <h2 id="del-title">Delete {device.name}?</h2>
      <form className="dev-form" onSubmit={submit}>
        <p className="small">Its {device.channels.length} channel{device.channels.length === 1 ? '' : 's'} leave Live view and its stored credentials are erased.</p>
        <fieldset className="dev-choice">
          <legend>Its recordings</legend>
          <label><input type="radio" name="recordings" value="keep" checked={recordings === 'keep'} onChange={() => setRecordings('keep')} /> Keep its recordings (still in Playback)</label>
          <label><input type="radio" name="recordings" value="delete" checked={recordings === 'delete'} onChange={() => setRecordings('delete')} /> Delete its recordings (evidence-locked ranges stay)</label>
        </fieldset>
        {error && <p className="bad small" role="alert">{errorText(error, 'the device was not deleted')}</p>}
        <div className="actions">
          <button type="submit" className="danger" disabled={!recordings || isLoading}>Delete device</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
