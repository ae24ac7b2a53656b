// Users & roles, sign-in sessions and the operation log (administrators; the first administrator is made here).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { RIGHTS, type Right, type Role, type User } from '../../../../electron/contract';
import { formatDateTime } from '../../i18n/format';
import { useErrorText } from '../../i18n/errors';
import { useChannelsQuery } from '../live/live-api';
import { offerDownload } from '../../ui/download';
import { PasswordRule } from './AuthForms';
import {
  useAuthSettingsQuery, useAuthStateQuery, useCreateUserMutation, useExportOplogMutation, useOplogQuery, useRemoveRoleMutation,
  useRemoveUserMutation, useResetPasswordMutation, useRevokeSignInMutation, useRolesQuery, useSaveRoleMutation,
  useSignInSessionsQuery, useUpdateAuthSettingsMutation, useUpdateUserMutation, useUsersQuery,
} from './operators-api';
import './operators.css';

function ChannelPicker({ value, onChange }: { value: number[] | null; onChange: (v: number[] | null) => void }) {
  const { t } = useTranslation('operators');
  const channels = useChannelsQuery().data ?? [];
  return (
    <fieldset className="op-channels">
      <legend>{t('fields.channels')}</legend>
      <label className="field-inline"><input type="checkbox" name="allChannels" checked={value === null} onChange={(e) => onChange(e.target.checked ? null : [])} />{t('users.allChannels')}</label>
      {value !== null && channels.map((c) => (
        <label key={c.id} className="field-inline">
          <input type="checkbox" name={`channel-${c.id}`} checked={value.includes(c.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, c.id] : value.filter((x) => x !== c.id))} />
          {c.name}
        </label>
      ))}
    </fieldset>
  );
}

function NewUser({ roles }: { roles: Role[] }) {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [create, { error, isLoading, isSuccess, reset }] = useCreateUserMutation();
  const blank = { name: '', password: '', roleId: 'operator', channels: null as number[] | null, mustChangePassword: true };
  const [d, setD] = useState(blank);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ('data' in (await create(d))) setD(blank);
  };
  return (
    <form className="form op-new-user" onSubmit={submit} aria-label={t('users.new')} data-testid="new-user">
      <h3>{t('users.new')}</h3>
      <label className="field"><span>{t('fields.name')}</span><input name="userName" value={d.name} autoComplete="off" onChange={(e) => { reset(); setD({ ...d, name: e.target.value }); }} /></label>
      <label className="field"><span>{t('fields.password')}</span><input name="newPassword" type="password" autoComplete="new-password" aria-describedby="password-rule" value={d.password} onChange={(e) => { reset(); setD({ ...d, password: e.target.value }); }} /></label>
      <PasswordRule name={d.name} password={d.password} />
      <label className="field"><span>{t('fields.role')}</span>
        <select name="roleId" value={d.roleId} onChange={(e) => setD({ ...d, roleId: e.target.value })}>
          {roles.map((r) => <option key={r.id} value={r.id}>{r.builtin ? t(`roles.${r.id}`) : r.name}</option>)}
        </select>
      </label>
      <ChannelPicker value={d.channels} onChange={(channels) => setD({ ...d, channels })} />
      <label className="field-inline"><input type="checkbox" name="mustChangePassword" checked={d.mustChangePassword} onChange={(e) => setD({ ...d, mustChangePassword: e.target.checked })} />{t('fields.mustChangePassword')}</label>
      <div className="actions">
        <button type="submit" className="primary" disabled={isLoading}>{t('users.create')}</button>
        {isSuccess && <span className="ok" role="status">{t('common:saved')}</span>}
        {error && <span className="error" role="alert">{errorText(error)}</span>}
      </div>
    </form>
  );
}

function UserRow({ user, roles, self }: { user: User; roles: Role[]; self: boolean }) {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [update, u] = useUpdateUserMutation();
  const [remove, r] = useRemoveUserMutation();
  const [resetPw, p] = useResetPasswordMutation();
  const [password, setPassword] = useState('');
  const [editChannels, setEditChannels] = useState<number[] | null | undefined>(undefined);
  const error = u.error ?? r.error ?? p.error;
  const roleName = (id: string) => { const role = roles.find((x) => x.id === id); return role?.builtin ? t(`roles.${id}`) : role?.name ?? id; };
  return (
    <tr data-user={user.name}>
      <td>{user.name}{self && <span className="muted"> {t('users.you')}</span>}</td>
      <td>
        <select aria-label={t('users.roleOf', { name: user.name })} value={user.roleId} onChange={(e) => void update({ id: user.id, roleId: e.target.value })}>
          {roles.map((x) => <option key={x.id} value={x.id}>{roleName(x.id)}</option>)}
        </select>
      </td>
      <td>
        {editChannels === undefined
          ? <button type="button" onClick={() => setEditChannels(user.channels)}>{user.channels === null ? t('users.allChannels') : t('users.channelCount', { count: user.channels.length })}</button>
          : <><ChannelPicker value={editChannels} onChange={setEditChannels} />
            <button type="button" onClick={() => { void update({ id: user.id, channels: editChannels }); setEditChannels(undefined); }}>{t('common:save')}</button></>}
      </td>
      <td>{user.disabled ? t('users.disabled') : user.mustChangePassword ? t('users.mustChange') : t('users.active')}</td>
      <td>{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : '—'}</td>
      <td className="op-actions">
        {!self && <button type="button" onClick={() => void update({ id: user.id, disabled: !user.disabled })}>{user.disabled ? t('users.enable') : t('users.disable')}</button>}
        <input type="password" aria-label={t('users.newPasswordFor', { name: user.name })} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="button" disabled={!password} onClick={() => { void resetPw({ id: user.id, password, mustChangePassword: true }); setPassword(''); }}>{t('users.resetPassword')}</button>
        {!self && <button type="button" className="danger" onClick={() => void remove({ id: user.id })}>{t('users.remove')}</button>}
        {error && <span className="error" role="alert">{errorText(error)}</span>}
      </td>
    </tr>
  );
}

function RolesPanel({ roles }: { roles: Role[] }) {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [save, s] = useSaveRoleMutation();
  const [remove, r] = useRemoveRoleMutation();
  const [name, setName] = useState('');
  const [rights, setRights] = useState<Right[]>([]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ('data' in (await save({ name, rights }))) { setName(''); setRights([]); }
  };
  return (
    <section aria-labelledby="op-roles">
      <h2 id="op-roles">{t('roles.title')}</h2>
      {/* A scrolling table with nothing to focus in it is itself a tab stop, so the keyboard can scroll it. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="op-roles">
        <table className="table" aria-label={t('roles.title')}>
          <thead><tr><th>{t('fields.role')}</th><th>{t('fields.rights')}</th><th><span className="sr-only">{t('users.actions')}</span></th></tr></thead>
          <tbody>
            {roles.map((x) => (
              <tr key={x.id}>
                <td>{x.builtin ? t(`roles.${x.id}`) : x.name}</td>
                <td>{x.rights.map((k) => t(`rights.${k}`)).join(', ')}</td>
                <td>{!x.builtin && <button type="button" className="danger" onClick={() => void remove({ id: x.id })}>{t('roles.remove')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="form" onSubmit={submit} aria-label={t('roles.new')}>
        <h3>{t('roles.new')}</h3>
        <label className="field"><span>{t('fields.roleName')}</span><input name="roleName" value={name} onChange={(e) => setName(e.target.value)} /></label>
        <fieldset className="op-rights">
          <legend>{t('fields.rights')}</legend>
          {RIGHTS.map((k) => (
            <label key={k} className="field-inline">
              <input type="checkbox" name={`right-${k}`} checked={rights.includes(k)} onChange={(e) => setRights(e.target.checked ? [...rights, k] : rights.filter((x) => x !== k))} />
              {t(`rights.${k}`)}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={s.isLoading}>{t('roles.create')}</button>
          {(s.error ?? r.error) && <span className="error" role="alert">{errorText(s.error ?? r.error)}</span>}
        </div>
      </form>
    </section>
  );
}

function SessionsPanel() {
  const { t } = useTranslation('operators');
  const sessions = useSignInSessionsQuery(undefined, { pollingInterval: 15_000 }).data ?? [];
  const [revoke] = useRevokeSignInMutation();
  return (
    <section aria-labelledby="op-sessions">
      <h2 id="op-sessions">{t('sessions.title')}</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="op-sessions">
        <table className="table" aria-label={t('sessions.title')}>
          <thead><tr><th>{t('fields.user')}</th><th>{t('sessions.from')}</th><th>{t('sessions.since')}</th><th>{t('sessions.lastSeen')}</th><th><span className="sr-only">{t('users.actions')}</span></th></tr></thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>{s.userName}{s.current && <span className="muted"> {t('sessions.this')}</span>}</td>
                <td>{`${s.transport} ${s.address}`}</td>
                <td>{formatDateTime(s.createdAt)}</td>
                <td>{formatDateTime(s.lastSeenAt)}</td>
                <td>{!s.current && <button type="button" onClick={() => void revoke({ id: s.id })}>{t('sessions.revoke')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A date input's value (YYYY-MM-DD, local) as the start of that day in ms. */
const dayStart = (v: string) => (v ? new Date(`${v}T00:00:00`).getTime() : undefined);

function OplogPanel() {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const [f, setF] = useState({ userName: '', kind: '', channelId: '', from: '', to: '' });
  const filter = {
    userName: f.userName.trim() || undefined, kind: f.kind.trim() || undefined,
    channelId: Number(f.channelId) > 0 ? Number(f.channelId) : undefined,
    from: dayStart(f.from), to: f.to ? dayStart(f.to)! + 86_400_000 : undefined,
  };
  const { data = [], error } = useOplogQuery({ ...filter, limit: 500 }, { pollingInterval: 5000 });
  const [exportLog, ex] = useExportOplogMutation();
  const download = async (format: 'csv' | 'json') => {
    const r = await exportLog({ ...filter, format });
    if (!('data' in r) || !r.data) return;
    offerDownload(r.data.fileName, r.data.text, format === 'csv' ? 'text/csv' : 'application/json');
  };
  const input = (key: keyof typeof f, type = 'text') => (
    <label className="field-stack"><span>{t(`log.${key}`)}</span><input name={`log-${key}`} type={type} value={f[key]} onChange={(e) => setF({ ...f, [key]: e.target.value })} /></label>
  );
  return (
    <section aria-labelledby="op-log">
      <h2 id="op-log">{t('log.title')}</h2>
      <div className="op-filters" role="group" aria-label={t('log.filters')}>
        {input('userName')}{input('kind')}{input('channelId', 'number')}{input('from', 'date')}{input('to', 'date')}
        <button type="button" onClick={() => void download('csv')} disabled={ex.isLoading}>{t('log.exportCsv')}</button>
        <button type="button" onClick={() => void download('json')} disabled={ex.isLoading}>{t('log.exportJson')}</button>
      </div>
      {(error ?? ex.error) && <p className="error" role="alert">{errorText(error ?? ex.error)}</p>}
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="op-log">
        <table className="table" aria-label={t('log.title')} data-testid="oplog">
          <thead><tr><th>{t('log.at')}</th><th>{t('fields.user')}</th><th>{t('log.kind')}</th><th>{t('log.channelId')}</th><th>{t('log.from')}</th><th>{t('log.result')}</th><th>{t('log.detail')}</th></tr></thead>
          <tbody>
            {data.map((e) => (
              <tr key={e.id} data-kind={e.kind} data-result={e.result}>
                <td className="mono">{formatDateTime(e.at)}</td>
                <td>{e.user ?? t('log.station')}</td>
                <td className="mono">{e.kind}</td>
                <td>{e.channelId ?? ''}</td>
                <td>{`${e.transport} ${e.address}`}</td>
                <td className={e.result === 'ok' ? 'ok' : 'error'}>{t(`log.results.${e.result}`)}</td>
                <td className="mono">{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SettingsPanel() {
  const { t } = useTranslation('operators');
  const errorText = useErrorText();
  const { data } = useAuthSettingsQuery();
  const [update, { error, isSuccess }] = useUpdateAuthSettingsMutation();
  const [d, setD] = useState<{ idleMinutes: string; logRetentionDays: string } | null>(null);
  const v = d ?? (data ? { idleMinutes: String(data.idleMinutes), logRetentionDays: String(data.logRetentionDays) } : null);
  if (!v) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void update({ idleMinutes: Number(v.idleMinutes), logRetentionDays: Number(v.logRetentionDays) });
  };
  return (
    <form className="form" onSubmit={submit} aria-labelledby="op-settings">
      <h2 id="op-settings">{t('settings.title')}</h2>
      <label className="field"><span>{t('fields.idleMinutes')}</span><input name="idleMinutes" type="number" value={v.idleMinutes} onChange={(e) => setD({ ...v, idleMinutes: e.target.value })} /></label>
      <label className="field"><span>{t('fields.logRetentionDays')}</span><input name="logRetentionDays" type="number" value={v.logRetentionDays} onChange={(e) => setD({ ...v, logRetentionDays: e.target.value })} /></label>
      <div className="actions">
        <button type="submit" className="primary">{t('common:save')}</button>
        {isSuccess && <span className="ok" role="status">{t('common:saved')}</span>}
        {error && <span className="error" role="alert">{errorText(error)}</span>}
      </div>
    </form>
  );
}

export function OperatorsPage() {
  const { t } = useTranslation('operators');
  const state = useAuthStateQuery().data;
  const signedIn = !!state?.me;
  const users = useUsersQuery(undefined, { skip: !signedIn }).data ?? [];
  const roles = useRolesQuery(undefined, { skip: !signedIn }).data ?? [];
  return (
    <section className="page operators" aria-labelledby="page-title">
      <header className="page-head"><h1 id="page-title" tabIndex={-1}>{t('title')}</h1></header>
      {signedIn && (
        <>
          <section aria-labelledby="op-users">
            <h2 id="op-users">{t('users.title')}</h2>
            <div className="table-wrap">
              <table className="table" aria-label={t('users.title')} data-testid="users">
                <thead><tr><th>{t('fields.name')}</th><th>{t('fields.role')}</th><th>{t('fields.channels')}</th><th>{t('users.status')}</th><th>{t('users.lastSignIn')}</th><th>{t('users.actions')}</th></tr></thead>
                <tbody>{users.map((u) => <UserRow key={u.id} user={u} roles={roles} self={u.id === state?.me?.id} />)}</tbody>
              </table>
            </div>
            <NewUser roles={roles} />
          </section>
          <RolesPanel roles={roles} />
          <SessionsPanel />
          <OplogPanel />
          <SettingsPanel />
        </>
      )}
    </section>
  );
}
