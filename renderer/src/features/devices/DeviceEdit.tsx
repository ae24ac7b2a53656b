import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { COVER_MAX_BYTES, COVER_TYPES, passwordProblems, type Device } from '../../../../electron/contract';
import { formatNumber } from '../../i18n/format';
import { useChangePasswordMutation, useCoverQuery, useRemoveCoverMutation, useRemoveDeviceMutation, useRenameChannelMutation, useSetCoverMutation } from './devices-api';
import { errorText as stationErrorText } from '../../i18n/errors';

/** What a failed call says, in the chosen language (the station names the problem); `fallback` when there is no refusal to say. */
export function errorText(err: unknown, fallback: string): string {
  return err && typeof err === 'object' ? stationErrorText(err) : fallback;
}

// passwordProblems (the contract's, shared with the station) names each broken rule in English: those names are the keys here.
const RULES: [string, string][] = [['8 to 32 characters', 'length'], ['at least two of letters, digits, symbols', 'kinds'], ['not the username', 'notUsername']];
const FORBIDDEN = "none of ' \" ; : & or spaces";

/** The password rule, ticked off as the user types. */
export function PasswordRule({ password, username, id }: { password: string; username: string; id?: string }) {
  const { t } = useTranslation('devices');
  const problems = passwordProblems(password, username);
  return (
    <ul id={id} className="pw-rule" aria-live="polite">
      {RULES.map(([r, key]) => (
        <li key={r} className={password && !problems.includes(r) ? 'ok' : 'muted'}>{password && !problems.includes(r) ? '✓' : '·'} {t(`passwordRule.${key}`)}</li>
      ))}
      {problems.filter((p) => !RULES.some(([r]) => r === p)).map((p) => <li key={p} className="bad">✗ {p === FORBIDDEN ? t('passwordRule.forbidden') : p}</li>)}
    </ul>
  );
}

/** A channel's cover as a small thumbnail (a placeholder box when it has none); hasCover unknown: asked. */
export function CoverThumb({ channelId, hasCover, name }: { channelId: number; hasCover?: boolean; name: string }) {
  const { t } = useTranslation('devices');
  const { data } = useCoverQuery(channelId, { skip: hasCover === false });
  return hasCover !== false && data
    ? <img className="dev-cover" src={`data:${data.type};base64,${data.imageBase64}`} alt={t('cover.alt', { name })} />
    : <span className="dev-cover empty" role="img" aria-label={t('cover.none', { name })} title={t('cover.noneHint')} />;
}

/** A channel's name, renamed in place. */
export function ChannelName({ channelId, name }: { channelId: number; name: string }) {
  const { t } = useTranslation('devices');
  const [rename, { isLoading, error, reset }] = useRenameChannelMutation();
  const [editing, setEditing] = useState<string | null>(null);
  if (editing === null) {
    return (
      <>
        <span className="dev-ch-name">{name}</span>
        <button type="button" className="link small" onClick={() => { reset(); setEditing(name); }} aria-label={t('channel.renameLabel', { name })}>{t('channel.rename')}</button>
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
      <input aria-label={t('channel.newNameFor', { name })} value={editing} maxLength={100} autoFocus onChange={(e) => setEditing(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Escape') setEditing(null); }} />
      <button type="submit" className="primary" disabled={isLoading || !editing.trim()}>{t('common:save')}</button>
      <button type="button" onClick={() => setEditing(null)}>{t('common:cancel')}</button>
      {error && <span className="bad small" role="alert">{errorText(error, t('channel.couldNotRename'))}</span>}
    </form>
  );
}

/** Cover image of a channel: from a snapshot of it or from an image file; limits checked here first, and again by the station. */
export function CoverDialog({ channelId, name, onClose }: { channelId: number; name: string; onClose: () => void }) {
  const { t } = useTranslation('devices');
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
    void setCover(input).unwrap().then(() => setDone(what)).catch((err: unknown) => setProblem(errorText(err, t('cover.notSaved'))));
  };
  const pick = async (f: File | undefined) => {
    if (!f) return;
    if (!(COVER_TYPES as readonly string[]).includes(f.type)) return setProblem(t('cover.notImage', { file: f.name }));
    if (f.size > COVER_MAX_BYTES) return setProblem(t('cover.tooBig', { file: f.name, size: formatNumber(f.size / 1024, { maximumFractionDigits: 0 }), max: formatNumber(COVER_MAX_BYTES / 1024) }));
    const bytes = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    send({ channelId, imageBase64: btoa(bin) }, t('cover.setFromFile', { file: f.name }));
  };
  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="cover-title">
      <h2 id="cover-title">{t('cover.title', { name })}</h2>
      <div className="dev-form">
        <CoverThumb channelId={channelId} name={name} />
        <button type="button" disabled={isLoading} onClick={() => send({ channelId, from: 'snapshot' }, t('cover.setFromSnapshot'))}>{t('cover.useSnapshot')}</button>
        <label className="field-stack">{t('cover.fileLabel', { max: formatNumber(COVER_MAX_BYTES / 1024) })}
          <input ref={file} type="file" name="cover" accept={COVER_TYPES.join(',')} onChange={(e) => void pick(e.target.files?.[0])} />
        </label>
        {isLoading && <progress aria-label={t('cover.saving')} />}
        {problem && <p className="bad small" role="alert">{problem}</p>}
        {done && <p className="ok small" role="status">{done}</p>}
        <div className="actions">
          {hasCover && <button type="button" className="secondary" onClick={() => void removeCover(channelId)}>{t('cover.remove')}</button>}
          <button type="button" className="secondary" onClick={onClose}>{t('common:close')}</button>
        </div>
      </div>
    </div>
  );
}

/** New password for a device: set on the device first; the station keeps it only when the device accepted it. */
export function PasswordDialog({ device, onClose }: { device: Device; onClose: () => void }) {
  const { t } = useTranslation('devices');
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
      <h2 id="pw-title">{t('password.title', { name: device.name })}</h2>
      <form className="dev-form" onSubmit={submit}>
        <label className="field-stack">{t('password.new')}
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="pw-change-rule" autoFocus />
        </label>
        <PasswordRule id="pw-change-rule" password={password} username="" />
        <label className="field-stack">{t('password.confirm')}
          <input name="confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
        </label>
        {mismatch && <span className="bad small">{t('password.mismatch')}</span>}
        {isLoading && <progress aria-label={t('password.changing')} />}
        {error && <p className="bad small" role="alert">{t('password.failed', { reason: errorText(error, t('password.notChanged')) })}</p>}
        {isSuccess && <p className="ok small" role="status">{t('password.changed')}</p>}
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || problems.length > 0 || mismatch || !confirm}>{t('password.change')}</button>
          <button type="button" className="secondary" onClick={onClose}>{t('common:close')}</button>
        </div>
      </form>
    </div>
  );
}

/** Delete a device: its credentials are erased either way; the user chooses what happens to its recordings. */
export function DeleteDialog({ device, onClose }: { device: Device; onClose: () => void }) {
  const { t } = useTranslation('devices');
  const [remove, { isLoading, error }] = useRemoveDeviceMutation();
  const [recordings, setRecordings] = useState<'keep' | 'delete' | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!recordings) return;
    void remove({ id: device.id, recordings }).unwrap().then(onClose).catch(() => undefined);
  };
  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="del-title">
      <h2 id="del-title">{t('delete.title', { name: device.name })}</h2>
      <form className="dev-form" onSubmit={submit}>
        <p className="small">{t('delete.body', { count: device.channels.length })}</p>
        <fieldset className="dev-choice">
          <legend>{t('delete.recordingsLegend')}</legend>
          <label><input type="radio" name="recordings" value="keep" checked={recordings === 'keep'} onChange={() => setRecordings('keep')} /> {t('delete.keep')}</label>
          <label><input type="radio" name="recordings" value="delete" checked={recordings === 'delete'} onChange={() => setRecordings('delete')} /> {t('delete.deleteRecordings')}</label>
        </fieldset>
        {error && <p className="bad small" role="alert">{errorText(error, t('delete.notDeleted'))}</p>}
        <div className="actions">
          <button type="submit" className="danger" disabled={!recordings || isLoading}>{t('delete.deleteDevice')}</button>
          <button type="button" className="secondary" onClick={onClose}>{t('common:cancel')}</button>
        </div>
      </form>
    </div>
  );
}
