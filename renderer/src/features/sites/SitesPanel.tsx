import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SHARE_SITE_USER, type FoundStation, type Site } from '../../../../electron/contract';
import { useStatusQuery } from '../../app/station-api';
import { errorText } from '../../i18n/errors';
import { formatDuration, formatTime } from '../../i18n/format';
import { useModal } from '../../ui/use-modal';
import {
  useAddSiteMutation, useDiscoverSitesMutation, useRemoveSiteMutation, useRetrySiteMutation, useSetStandbyMutation, useSiteCredentialsMutation, useSitesQuery,
  useTrustSiteMutation,
} from './sites-api';
import { useNow } from '../../ui/use-now';

/** A fingerprint in groups of four pairs, so two people can read it out to each other. */
export function FingerprintText({ value }: { value: string | null }) {
  if (!value) return <span className="muted">—</span>;
  const pairs = value.split(':');
  const groups = Array.from({ length: Math.ceil(pairs.length / 4) }, (_, i) => pairs.slice(i * 4, i * 4 + 4).join(':'));
  return <code className="fingerprint">{groups.map((g, i) => <span key={i}>{g}</span>)}</code>;
}

const STATE_CLASS: Record<Site['state'], string> = {
  online: 'ok-dot', connecting: 'warn-dot', signing_in: 'warn-dot', untrusted: 'warn-dot', offline: 'bad-dot', auth_failed: 'bad-dot', certificate_changed: 'bad-dot',
  incompatible: 'bad-dot', not_answering: 'bad-dot',
};

/** The state of a station as the tree and the table show it: a dot, the words, the retry countdown. */
export function SiteState({ site, now }: { site: Site; now: number }) {
  const { t } = useTranslation('sites');
  const retry = (site.state === 'offline' || site.state === 'not_answering') && site.retryAt ? Math.max(0, site.retryAt - now) : null;
  const ours = useStatusQuery().data?.version ?? '?';
  return (
    <span className="site-state" data-state={site.state}>
      <span className={`dot ${STATE_CLASS[site.state]}`} aria-hidden="true" />
      {t(`state.${site.state}`)}
      {retry !== null && <span className="muted"> · {t('retryIn', { time: formatDuration(Math.ceil(retry / 1000) * 1000) })}</span>}
      {site.state === 'incompatible' && <span className="site-incompatible">{t('incompatible', { name: site.name, theirs: site.version ?? '?', ours })}</span>}
    </span>
  );
}

/** This station as the standby of a site: what it does for it now ("recording 2 cameras of Yard since 12:03"). */
export function StandbyState({ site, now }: { site: Site; now: number }) {
  const { t } = useTranslation('sites');
  const s = site.standby;
  if (!s) return <span className="muted">—</span>;
  const text = s.state === 'recording' ? t('standby.recording', { count: s.recording, name: site.name, time: formatTime(s.since ?? now) })
    : s.state === 'handing_back' ? t('standby.handingBack', { count: s.recording, name: site.name })
    : s.state === 'waiting' ? t('standby.waiting', { time: formatDuration(Math.ceil(Math.max(0, (s.takeoverAt ?? now) - now) / 1000) * 1000) })
    : s.state === 'unpaired' ? t('standby.unpaired')
    : t('standby.watching', { count: s.cameras });
  return (
    <span className="standby-state" data-standby={s.state}>
      <span className={`dot ${s.state === 'watching' ? 'ok-dot' : 'warn-dot'}`} aria-hidden="true" />
      {text}
      {s.error && <span className="muted small"> · {s.error}</span>}
      {s.recordedHere.map((h) => <span key={h.name} className="muted small" data-recorded-here> · {t('standby.recordedHere', { name: h.name, ownName: h.ownName })}</span>)}
    </span>
  );
}

/** Names this station the standby of a site (or no longer), with the wait before it takes over. */
function StandbyForm({ site, onDone }: { site: Site; onDone(): void }) {
  const { t } = useTranslation('sites');
  const [save, { isLoading, error }] = useSetStandbyMutation();
  const [enabled, setEnabled] = useState(!!site.standby);
  const [wait, setWait] = useState(String(site.standby?.waitSeconds ?? 30));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save({ id: site.id, enabled, waitSeconds: Number(wait) });
    if (!('error' in r)) onDone();
  };
  return (
    <form className="site-cred" onSubmit={(e) => void submit(e)} aria-label={t('standby.label', { name: site.name })}>
      <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} autoFocus />{t('standby.enabled')}</label>
      <label className="field site-port"><span>{t('standby.wait')}</span><input value={wait} onChange={(e) => setWait(e.target.value)} inputMode="numeric" disabled={!enabled} /></label>
      <button type="submit" disabled={isLoading}>{t('standby.save')}</button>
      <button type="button" onClick={onDone}>{t('common:cancel')}</button>
      {error && <span className="error" role="alert">{errorText(error)}</span>}
    </form>
  );
}

function TrustDialog({ site, onClose }: { site: Site; onClose(): void }) {
  const { t } = useTranslation('sites');
  const box = useModal<HTMLDivElement>(onClose);
  const [trust, { isLoading, error }] = useTrustSiteMutation();
  const changed = site.state === 'certificate_changed';
  const accept = async () => {
    if (!site.seenFingerprint) return;
    const r = await trust({ id: site.id, fingerprint: site.seenFingerprint });
    if (!('error' in r)) onClose();
  };
  return (
    <div className="modal-backdrop">
      <div ref={box} className="pb-dialog site-trust" role="dialog" aria-modal="true" aria-labelledby="site-trust-title" aria-describedby="site-trust-what" tabIndex={-1}>
        <h2 id="site-trust-title">{t(changed ? 'trust.changedTitle' : 'trust.title', { name: site.name })}</h2>
        <p id="site-trust-what">{t(changed ? 'trust.changedText' : 'trust.text', { address: `${site.host}:${site.port}` })}</p>
        {changed && <p className="small">{t('trust.pinned')} <FingerprintText value={site.fingerprint} /></p>}
        <p className="small">{t('trust.presented')} <FingerprintText value={site.seenFingerprint} /></p>
        {error && <p className="pb-error" role="alert">{errorText(error)}</p>}
        <div className="pb-dialog-actions">
          <button type="button" className={changed ? 'primary st-danger' : 'primary'} onClick={() => void accept()} disabled={isLoading || !site.seenFingerprint}>{t('trust.accept')}</button>
          <button type="button" onClick={onClose} data-autofocus>{t('common:cancel')}</button>
        </div>
      </div>
    </div>
  );
}

function CredentialsForm({ site, onDone }: { site: Site; onDone(): void }) {
  const { t } = useTranslation('sites');
  const [save, { isLoading, error }] = useSiteCredentialsMutation();
  const [username, setUsername] = useState(site.username);
  const [password, setPassword] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save({ id: site.id, username, password });
    if (!('error' in r)) onDone();
  };
  return (
    <form className="site-cred" onSubmit={(e) => void submit(e)} aria-label={t('credentials.label', { name: site.name })}>
      <input aria-label={t('fields.username')} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
      <input aria-label={t('fields.password')} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" autoFocus />
      <button type="submit" disabled={isLoading || !password}>{t('credentials.save')}</button>
      <button type="button" onClick={onDone}>{t('common:cancel')}</button>
      {error && <span className="error" role="alert">{errorText(error)}</span>}
    </form>
  );
}

function AddSiteForm({ onAdded, preset }: { onAdded(site: Site): void; preset: FoundStation | null }) {
  const { t } = useTranslation('sites');
  const [add, { isLoading, error }] = useAddSiteMutation();
  const [draft, setDraft] = useState({ name: '', host: '', port: '7447', username: '', password: '' });
  const user = useRef<HTMLInputElement>(null);
  // A station picked from those found: its name, address and port filled in; the account there is the user's to type.
  useEffect(() => {
    if (!preset) return;
    setDraft((d) => ({ ...d, name: preset.name, host: preset.host, port: String(preset.port) }));
    user.current?.focus();
  }, [preset]);
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add({ name: draft.name.trim() || undefined, host: draft.host.trim(), port: Number(draft.port), username: draft.username.trim(), password: draft.password });
    if ('data' in r && r.data) {
      setDraft((d) => ({ ...d, name: '', host: '', password: '' }));
      onAdded(r.data);
    }
  };
  return (
    <form className="site-add" onSubmit={(e) => void submit(e)} aria-label={t('add.label')}>
      <label className="field"><span>{t('fields.name')}</span><input value={draft.name} onChange={set('name')} placeholder={t('add.namePlaceholder')} /></label>
      <label className="field"><span>{t('fields.host')}</span><input value={draft.host} onChange={set('host')} spellCheck={false} placeholder="192.168.1.20" required /></label>
      <label className="field site-port"><span>{t('fields.port')}</span><input value={draft.port} onChange={set('port')} inputMode="numeric" required /></label>
      <label className="field"><span>{t('fields.username')}</span><input ref={user} value={draft.username} onChange={set('username')} autoComplete="off" required /></label>
      <label className="field"><span>{t('fields.password')}</span><input type="password" value={draft.password} onChange={set('password')} autoComplete="new-password" required /></label>
      <button type="submit" className="primary" disabled={isLoading}>{t(isLoading ? 'add.connecting' : 'add.submit')}</button>
      {error && <span className="error" role="alert">{errorText(error)}</span>}
    </form>
  );
}

/** "Find stations": the stations on the LAN serving desks that are not in the list yet; one click fills the add form. */
function FindStations({ known, onPick }: { known: Site[]; onPick(s: FoundStation): void }) {
  const { t } = useTranslation('sites');
  const [find, { data: found, isLoading, error }] = useDiscoverSitesMutation();
  // Those added since the last look leave the list.
  const data = found?.filter((s) => !known.some((k) => k.host === s.host && k.port === s.port));
  return (
    <div className="site-find">
      <button type="button" onClick={() => void find()} disabled={isLoading} aria-describedby="site-find-hint">{t(isLoading ? 'find.looking' : 'find.button')}</button>
      <span id="site-find-hint" className="muted small">{t('find.hint')}</span>
      {error && <span className="error" role="alert">{errorText(error)}</span>}
      {data && data.length === 0 && <p className="muted small" role="status">{t('find.none')}</p>}
      {data && data.length > 0 && (
        <ul className="site-found" aria-label={t('find.label')}>
          {data.map((s) => (
            <li key={`${s.host}:${s.port}`} data-found={`${s.host}:${s.port}`}>
              <button type="button" onClick={() => onPick(s)} title={t('find.pick')}>
                <span className="site-found-name">{s.name}</span>
                <span className="mono">{s.host}:{s.port}</span>
                <span className="muted">{s.version ?? '—'}</span>
                {!s.compatible && <span className="site-incompatible">{t('find.otherVersion')}</span>}
              </button>
              <FingerprintText value={s.fingerprint} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The other stations this desk shows (Devices page): add by address, compare and trust certificates, their state. */
export function SitesPanel() {
  const { t } = useTranslation('sites');
  const { data: sites = [] } = useSitesQuery();
  const [retry] = useRetrySiteMutation();
  const [remove] = useRemoveSiteMutation();
  const [trusting, setTrusting] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [standbyOf, setStandbyOf] = useState<number | null>(null);
  const now = useNow(sites.some((s) => s.state === 'offline' || s.state === 'not_answering' || s.standby?.state === 'waiting'));
  const trustSite = sites.find((s) => s.id === trusting);
  const [picked, setPicked] = useState<FoundStation | null>(null);
  return (
    <section className="panel sites" aria-labelledby="sites-title">
      <h2 id="sites-title">{t('title')}</h2>
      <p className="muted small">{t('intro')}</p>
      <FindStations known={sites} onPick={setPicked} />
      <AddSiteForm preset={picked} onAdded={(s) => { if (s.state === 'untrusted') setTrusting(s.id); }} />
      <div className="table-wrap">
        <table className="table sites-table" aria-label={t('tableLabel')}>
          <thead>
            <tr>{(['state', 'name', 'address', 'version', 'clock', 'channels', 'standby'] as const).map((k) => <th key={k}>{t(`columns.${k}`)}</th>)}<th /></tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.id} data-site={s.id} data-state={s.state}>
                <td><SiteState site={s} now={now} />{s.reason && s.state !== 'online' && s.state !== 'incompatible' && <div className="muted small">{s.reason}</div>}</td>
                <td>{s.name}</td>
                <td className="mono">{s.host}:{s.port}</td>
                <td className="mono">{s.version ?? '—'}</td>
                <td className="num">{s.clockOffsetMs === null ? '—' : t('clockOffset', { ms: s.clockOffsetMs })}</td>
                <td className="num">{s.channels}</td>
                <td><StandbyState site={s} now={now} /></td>
                <td className="site-actions">
                  {(s.state === 'untrusted' || s.state === 'certificate_changed') && (
                    <button type="button" className={s.state === 'certificate_changed' ? 'st-danger' : 'primary'} onClick={() => setTrusting(s.id)}>{t('compare')}</button>
                  )}
                  {s.state === 'auth_failed' && editing !== s.id && !s.username.startsWith(SHARE_SITE_USER) && <button type="button" onClick={() => setEditing(s.id)}>{t('credentials.change')}</button>}
                  {standbyOf !== s.id && <button type="button" onClick={() => setStandbyOf(s.id)}>{t('standby.change')}</button>}
                  <button type="button" onClick={() => void retry({ id: s.id })}>{t('retry')}</button>
                  <button type="button" onClick={() => { if (confirm(t('confirmRemove', { name: s.name }))) void remove({ id: s.id }); }}>{t('remove')}</button>
                  {editing === s.id && <CredentialsForm site={s} onDone={() => setEditing(null)} />}
                  {standbyOf === s.id && <StandbyForm site={s} onDone={() => setStandbyOf(null)} />}
                </td>
              </tr>
            ))}
            {sites.length === 0 && <tr><td colSpan={8} className="muted">{t('empty')}</td></tr>}
          </tbody>
        </table>
      </div>
      {trustSite && <TrustDialog site={trustSite} onClose={() => setTrusting(null)} />}
    </section>
  );
}
