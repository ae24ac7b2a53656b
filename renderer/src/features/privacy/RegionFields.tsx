// The account's data region: the choice at sign-up with the notice on international transfers, and moving the account later
// with the receipts of its moves.
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isInternationalTransfer, isCountryCode, type DataRegion, type PrivacyState, type RegionMove } from '../../../../electron/contract';
import { errorField, errorText } from '../../i18n/errors';
import { dateTimeFormat, formatNumber } from '../../i18n/format';
import { useDataRegionsQuery, useMoveRegionMutation, useRegionMovesQuery } from './privacy-api';

export interface RegionChoiceValue { region: string; transferAcknowledged: boolean }

/** A region's name in the chosen language: each region is named after its country (us, de, sg, my). */
function useRegionName(): (id: string) => string {
  const { i18n } = useTranslation();
  const names = useMemo(() => new Intl.DisplayNames(i18n.language, { type: 'region' }), [i18n.language]);
  return (id) => (/^[a-z]{2}$/.test(id) ? names.of(id.toUpperCase()) ?? id.toUpperCase() : id);
}

/** Whether the chosen region is an international transfer for a valid country code (the notice must then be acknowledged). */
export function needsTransferNotice(country: string, region: string): boolean {
  const c = country.trim().toUpperCase();
  return region !== '' && isCountryCode(c) && isInternationalTransfer(c, region);
}

/**
 * The region select (the deployment's regions, from its directory) and, when the region is not the country's, the notice on
 * international transfers with the box that acknowledges it. `problem`: the text of a refusal about either field.
 */
export function RegionChoice({ regions, country, value, onChange, problem, problemField }: {
  regions: DataRegion[]; country: string; value: RegionChoiceValue; onChange: (v: RegionChoiceValue) => void;
  problem: string | null; problemField: 'region' | 'transferAcknowledged' | null;
}) {
  const { t } = useTranslation('privacy');
  const regionName = useRegionName();
  const notice = needsTransferNotice(country, value.region);
  const name = regionName(value.region);
  return (
    <>
      <label className="field"><span>{t('region.label')}</span>
        <select name="region" value={value.region} onChange={(e) => onChange({ region: e.target.value, transferAcknowledged: false })}
          aria-invalid={problemField === 'region'} aria-describedby={problemField === 'region' ? 'problem-region' : undefined}>
          {regions.map((r) => <option key={r.id} value={r.id}>{t('region.option', { name: regionName(r.id), id: r.id.toUpperCase() })}</option>)}
        </select>
      </label>
      {problemField === 'region' && problem && <p className="error field-problem" id="problem-region" role="alert" data-testid="problem-region">{problem}</p>}
      {notice && (
        <div className="notice transfer-notice" role="note" data-testid="transfer-notice">
          <strong>{t('region.noticeTitle')}</strong>
          <p className="small">{t('region.noticeBody', { country: country.trim().toUpperCase(), region: name })}</p>
          <label className="check">
            <input type="checkbox" name="transferAcknowledged" checked={value.transferAcknowledged}
              onChange={(e) => onChange({ ...value, transferAcknowledged: e.target.checked })}
              aria-invalid={problemField === 'transferAcknowledged'} aria-describedby={problemField === 'transferAcknowledged' ? 'problem-transferAcknowledged' : undefined} />
            {t('region.acknowledge')}
          </label>
        </div>
      )}
      {problemField === 'transferAcknowledged' && problem
        && <p className="error field-problem" id="problem-transferAcknowledged" role="alert" data-testid="problem-transferAcknowledged">{problem}</p>}
    </>
  );
}

/** One move's receipt: ids, time, both regions, what went and what stayed behind. */
function Receipt({ move }: { move: RegionMove }) {
  const { t } = useTranslation('privacy');
  const regionName = useRegionName();
  // Each kind of data by its name in the chosen language, with how many went (or stayed behind).
  const list = (counts: Record<string, number>) => Object.entries(counts).filter(([, n]) => n > 0)
    .map(([k, n]) => t('region.count', { what: t(`region.counts.${k}`, { defaultValue: k }), n: formatNumber(n) })).join(', ');
  const carried = list(move.carried);
  const left = list(move.notCarried);
  return (
    <li data-testid="region-move" data-from={move.from} data-to={move.to}>
      <strong>{t('region.moved', { from: regionName(move.from), to: regionName(move.to) })}</strong>{' '}
      <span className="muted">{dateTimeFormat({ dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(move.movedAt))}</span>
      <div className="small muted mono">{t('region.receiptIds', { id: move.id, account: move.accountId })}</div>
      {carried && <div className="small">{t('region.carried', { list: carried })}</div>}
      {left && <div className="small muted">{t('region.notCarried', { list: left })}</div>}
    </li>
  );
}

/** Move the account to another region: the region, the notice where needed, the password; then the receipts kept here. */
export function RegionMovePanel({ state }: { state: PrivacyState & { account: NonNullable<PrivacyState['account']> } }) {
  const { t } = useTranslation('privacy');
  // The directory is asked for only once the user opens the form (each request to the cloud is one the user made).
  const [open, setOpen] = useState(false);
  const { data: regions, error: regionsError } = useDataRegionsQuery(undefined, { skip: !open });
  const others = (regions ?? []).filter((r) => r.id !== state.account.region);
  const [value, setValue] = useState<RegionChoiceValue>({ region: '', transferAcknowledged: false });
  const [password, setPassword] = useState('');
  const [move, moveState] = useMoveRegionMutation();
  const { data: moves } = useRegionMovesQuery();
  const [ackMissing, setAckMissing] = useState(false);
  const region = value.region || others[0]?.id || '';
  const field = errorField(moveState.error);
  const problemField = ackMissing ? 'transferAcknowledged' : field === 'transferAcknowledged' ? field : field === 'dataRegion' ? 'region' : null;
  const problem = ackMissing ? t('region.acknowledgeFirst') : moveState.error ? errorText(moveState.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (needsTransferNotice(state.account.country, region) && !value.transferAcknowledged) { setAckMissing(true); return; }
    void move({ region: region as DataRegion['id'], password, transferAcknowledged: value.transferAcknowledged })
      .unwrap().then(() => setPassword(''), () => undefined);
  };
  return (
    <section className="region-move" aria-labelledby="region-move-title" data-testid="region-move-panel">
      <h3 id="region-move-title">{t('region.moveTitle')}</h3>
      {!open && <button type="button" className="secondary" onClick={() => setOpen(true)} data-testid="region-move-open">{t('region.moveOpen')}</button>}
      {regionsError ? <p className="error" role="alert">{errorText(regionsError)}</p> : null}
      {others.length > 0 && (
        <form className="form privacy-form" onSubmit={submit} aria-label={t('region.moveTitle')} noValidate>
          <p className="muted small">{t('region.moveNote')}</p>
          <RegionChoice regions={others} country={state.account.country} value={{ ...value, region }}
            onChange={(v) => { setValue(v); setAckMissing(false); moveState.reset(); }} problem={problem} problemField={problemField} />
          <label className="field"><span>{t('account.password')}</span>
            <input type="password" name="password" autoComplete="current-password" value={password}
              onChange={(e) => { setPassword(e.target.value); moveState.reset(); }} aria-invalid={field === 'password'} />
          </label>
          <div className="actions">
            <button type="submit" className="primary" disabled={moveState.isLoading || !password}>{t('region.move')}</button>
            {moveState.isLoading && <span className="muted" role="status">{t('region.moving')}</span>}
            {moveState.error && !problemField ? <span className="error" role="alert">{errorText(moveState.error)}</span> : null}
          </div>
        </form>
      )}
      {regions && others.length === 0 && <p className="muted small">{t('region.noOther')}</p>}
      {moves && moves.length > 0 && <ul className="region-moves" data-testid="region-moves">{moves.map((m) => <Receipt key={m.id} move={m} />)}</ul>}
    </section>
  );
}
