// Hardware Share on the Devices page: this station's cameras shared with another person's account (the form and the
// shares given, with when each was last used), and the shares this station's account received, each added as a station.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SHARE_RIGHTS, type GivenShare, type ReceivedShare, type ShareRight } from '../../../../electron/contract';
import { errorField, errorText } from '../../i18n/errors';
import { formatDateTime } from '../../i18n/format';
import { useChannelsQuery } from '../live/live-api';
import { usePrivacyStateQuery } from '../privacy/privacy-api';
import { useMay } from '../operators/rights';
import {
  useAddReceivedShareMutation, useCreateShareMutation, useReceivedSharesQuery, useRevokeShareMutation, useServingQuery, useSharesQuery,
} from './sites-api';

/** `datetime-local` text → epoch ms (the browser's zone), '' → null. */
const msOf = (v: string): number | null => (v ? new Date(v).getTime() : null);

function Window({ from, until }: { from: number | null; until: number | null }) {
  const { t } = useTranslation('sites');
  if (from === null && until === null) return <span className="muted">{t('shares.always')}</span>;
  return <span>{from !== null ? formatDateTime(from) : '…'} – {until !== null ? formatDateTime(until) : '…'}</span>;
}

function Rights({ rights }: { rights: readonly ShareRight[] }) {
  const { t } = useTranslation('sites');
  return <span>{rights.map((r) => t(`shares.right.${r}`)).join(', ')}</span>;
}

function History({ seconds }: { seconds: number | null }) {
  const { t } = useTranslation('sites');
  return <span>{seconds === null ? t('shares.noLimit') : t('shares.hours', { count: Math.round(seconds / 3600) })}</span>;
}

/** The share form: cameras of this station, the recipient's email, rights, an optional window and the history window. */
function ShareForm() {
  const { t } = useTranslation('sites');
  const { data: channels = [] } = useChannelsQuery();
  const { data: serving } = useServingQuery();
  const [create, { isLoading, error, reset }] = useCreateShareMutation();
  const own = channels.filter((c) => !c.site);
  // This station's cameras by device (a camera added by RTSP URL alone has none).
  const groups = [...own.reduce((m, c) => m.set(c.device?.id ?? 0, [...(m.get(c.device?.id ?? 0) ?? []), c]), new Map<number, typeof own>())]
    .map(([, list]) => [list[0]!.device, list] as const);
  const [picked, setPicked] = useState<number[]>([]);
  const [draft, setDraft] = useState({ email: '', from: '', until: '', history: '' });
  const [rights, setRights] = useState<ShareRight[]>(['live']);
  const [done, setDone] = useState(false);
  const field = errorField(error);
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const toggle = <T,>(list: T[], v: T, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const r = await create({
      recipientEmail: draft.email, channelIds: picked, rights, validFrom: msOf(draft.from), validUntil: msOf(draft.until),
      historyHours: draft.history.trim() ? Number(draft.history) : null,
    });
    if ('data' in r && r.data) {
      setDraft({ email: '', from: '', until: '', history: '' });
      setPicked([]);
      setDone(true);
    }
  };
  const servingOff = serving !== undefined && !serving.listening;
  return (
    <form className="share-form" onSubmit={(e) => void submit(e)} aria-label={t('shares.formLabel')} onChange={() => { if (error) reset(); }}>
      {servingOff && <p className="muted small" role="note">{t('shares.servingOff')}</p>}
      <fieldset className="share-cameras">
        <legend>{t('shares.cameras')}</legend>
        {own.length === 0 && <span className="muted small">{t('shares.noCameras')}</span>}
        {groups.map(([device, list]) => (
          <span key={device?.id ?? 0} className="share-device">
            {/* A device's box shares all its channels. */}
            {device && list.length > 1 && (
              <label className="check">
                <input type="checkbox" checked={list.every((c) => picked.includes(c.id))}
                  onChange={(e) => setPicked((p) => (e.target.checked ? [...new Set([...p, ...list.map((c) => c.id)])] : p.filter((id) => !list.some((c) => c.id === id))))} />
                <strong>{device.name}</strong>
              </label>
            )}
            {list.map((c) => (
              <label key={c.id} className="check">
                <input type="checkbox" checked={picked.includes(c.id)} onChange={(e) => setPicked((p) => toggle(p, c.id, e.target.checked))} />
                {device && list.length === 1 ? `${device.name} › ${c.name}` : c.name}
              </label>
            ))}
          </span>
        ))}
      </fieldset>
      <fieldset className="share-rights">
        <legend>{t('shares.rights')}</legend>
        {SHARE_RIGHTS.map((r) => (
          <label key={r} className="check">
            <input type="checkbox" checked={rights.includes(r)} onChange={(e) => setRights((l) => toggle(l, r, e.target.checked))} />
            {t(`shares.right.${r}`)}
          </label>
        ))}
      </fieldset>
      <label className="field"><span>{t('shares.email')}</span>
        <input type="email" value={draft.email} onChange={set('email')} autoComplete="off" required aria-invalid={field === 'recipientEmail'} />
      </label>
      <label className="field"><span>{t('shares.from')}</span><input type="datetime-local" value={draft.from} onChange={set('from')} aria-invalid={field === 'validFrom'} /></label>
      <label className="field"><span>{t('shares.until')}</span><input type="datetime-local" value={draft.until} onChange={set('until')} aria-invalid={field === 'validUntil'} /></label>
      <label className="field site-port"><span>{t('shares.history')}</span>
        <input value={draft.history} onChange={set('history')} inputMode="numeric" placeholder={t('shares.noLimit')} aria-invalid={field === 'historyHours'} />
      </label>
      <button type="submit" className="primary" disabled={isLoading || picked.length === 0 || rights.length === 0}>{t(isLoading ? 'shares.sharing' : 'shares.submit')}</button>
      {error && <span className="error" role="alert">{errorText(error)}</span>}
      {done && <span className="muted small" role="status">{t('shares.done')}</span>}
    </form>
  );
}

function GivenTable({ shares }: { shares: GivenShare[] }) {
  const { t } = useTranslation('sites');
  const { data: channels = [] } = useChannelsQuery();
  const [revoke, { error }] = useRevokeShareMutation();
  const name = (id: number) => channels.find((c) => c.id === id)?.name ?? `#${id}`;
  return (
    <div className="table-wrap">
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      <table className="table shares-table" aria-label={t('shares.givenLabel')}>
        <thead>
          <tr>{(['state', 'recipient', 'cameras', 'rights', 'window', 'history', 'lastUsed'] as const).map((k) => <th key={k}>{t(`shares.columns.${k}`)}</th>)}<th /></tr>
        </thead>
        <tbody>
          {shares.map((s) => (
            <tr key={s.id} data-share={s.id} data-state={s.state}>
              <td>{t(`shares.state.${s.state}`)}</td>
              <td>{s.recipientEmail}</td>
              <td>{s.channelIds.map(name).join(', ')}</td>
              <td><Rights rights={s.rights} /></td>
              <td><Window from={s.validFrom} until={s.validUntil} /></td>
              <td><History seconds={s.historySeconds} /></td>
              <td data-col="lastUsed">{s.lastUsedAt === null ? <span className="muted">{t('shares.never')}</span> : t('shares.used', { time: formatDateTime(s.lastUsedAt), count: s.uses })}</td>
              <td>{s.state !== 'revoked' && s.state !== 'ended' && <button type="button" className="st-danger" onClick={() => void revoke({ id: s.id })}>{t('shares.revoke')}</button>}</td>
            </tr>
          ))}
          {shares.length === 0 && <tr><td colSpan={8} className="muted">{t('shares.noneGiven')}</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

function ReceivedTable() {
  const { t } = useTranslation('sites');
  // Asked of the cloud only with an account signed in (the Privacy page); nothing is sent otherwise.
  const signedIn = !!usePrivacyStateQuery().data?.account;
  const { data: received = [], error, refetch, isFetching } = useReceivedSharesQuery(undefined, { skip: !signedIn });
  const [add, { error: addError, isLoading }] = useAddReceivedShareMutation();
  if (!signedIn) return <p className="muted small">{t('shares.signInFirst')}</p>;
  const state = (s: ReceivedShare) => (s.revokedAt !== null ? 'revoked' : s.active ? 'active' : s.validUntil !== null && s.validUntil <= Date.now() ? 'ended' : 'pending');
  return (
    <div className="table-wrap">
      <button type="button" onClick={() => void refetch()} disabled={isFetching}>{t('shares.refresh')}</button>
      {(error ?? addError) && <p className="error" role="alert">{errorText(error ?? addError)}</p>}
      <table className="table shares-received" aria-label={t('shares.receivedLabel')}>
        <thead>
          <tr>{(['state', 'owner', 'cameras', 'rights', 'window', 'history'] as const).map((k) => <th key={k}>{t(`shares.columns.${k}`)}</th>)}<th /></tr>
        </thead>
        <tbody>
          {received.map((s) => (
            <tr key={s.id} data-received={s.id} data-state={state(s)}>
              <td>{t(`shares.state.${state(s)}`)}</td>
              <td>{s.ownerNickname}</td>
              <td>{s.deviceName} <span className="muted">({s.channels})</span></td>
              <td><Rights rights={s.rights} /></td>
              <td><Window from={s.validFrom} until={s.validUntil} /></td>
              <td><History seconds={s.historySeconds} /></td>
              <td>
                {s.siteId !== null ? <span className="muted">{t('shares.added')}</span>
                  : s.addable && <button type="button" className="primary" disabled={isLoading} onClick={() => void add({ id: s.id })}>{t('shares.add')}</button>}
              </td>
            </tr>
          ))}
          {received.length === 0 && <tr><td colSpan={7} className="muted">{t('shares.noneReceived')}</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** Hardware Share: what this station shares (for users who manage accounts) and what its cloud account was given. */
export function SharesPanel() {
  const { t } = useTranslation('sites');
  const mayShare = useMay('users');
  const { data: given = [] } = useSharesQuery(undefined, { skip: !mayShare, pollingInterval: 5000 });
  return (
    <section className="panel shares" aria-labelledby="shares-title">
      <h2 id="shares-title">{t('shares.title')}</h2>
      <p className="muted small">{t('shares.intro')}</p>
      {mayShare && (
        <>
          <h3>{t('shares.givenTitle')}</h3>
          <ShareForm />
          <GivenTable shares={given} />
        </>
      )}
      <h3>{t('shares.receivedTitle')}</h3>
      <ReceivedTable />
    </section>
  );
}
