import { useTranslation } from 'react-i18next';
import { TRANSMISSION_PURPOSES, type Transmission, type TransmissionPurpose } from '../../../../electron/contract';
import { formatBytes, formatNumber } from '../../i18n/format';
import { consentText, outcomeText } from './ledger-words';
import { formatStamp, purposeLabel } from './privacy-format';

export interface LedgerFilter { purpose: TransmissionPurpose | ''; text: string }

export function TransmissionLedger({ rows, total, matching, filter, onFilter }: {
  rows: Transmission[]; total: number; matching: number; filter: LedgerFilter; onFilter: (f: LedgerFilter) => void;
}) {
  const { t } = useTranslation('privacy');
  return (
    <section className="panel" aria-labelledby="ledger-title" data-section="ledger">
      <h2 id="ledger-title">{t('ledger.title')}</h2>
      <p className="muted small">{t('ledger.intro')}</p>
      <div className="filters" role="search" aria-label={t('ledger.filter')}>
        <label><span>{t('ledger.purpose')}</span>
          <select name="ledger-purpose" value={filter.purpose} onChange={(e) => onFilter({ ...filter, purpose: e.target.value as LedgerFilter['purpose'] })}>
            <option value="">{t('ledger.allPurposes')}</option>
            {TRANSMISSION_PURPOSES.map((p) => <option key={p} value={p}>{purposeLabel(p)}</option>)}
          </select>
        </label>
        <label><span>{t('ledger.contains')}</span>
          <input name="ledger-text" type="search" size={32} value={filter.text} placeholder={t('ledger.containsHint')} onChange={(e) => onFilter({ ...filter, text: e.target.value })} />
        </label>
        <span className="muted" data-testid="ledger-count">{t('ledger.count', { matching: formatNumber(matching), total: formatNumber(total) })}</span>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="ledger">
          <thead><tr><th scope="col">{t('ledger.time')}</th><th scope="col">{t('ledger.request')}</th><th scope="col">{t('ledger.purpose')}</th>
            <th scope="col" className="num">{t('ledger.sent')}</th><th scope="col" className="num">{t('ledger.received')}</th>
            <th scope="col">{t('ledger.outcome')}</th><th scope="col">{t('ledger.allowedBy')}</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-purpose={r.purpose}>
                <td className="mono">{formatStamp(r.at)}</td>
                <td className="mono">{r.method} {r.endpoint}</td>
                <td>{purposeLabel(r.purpose)}</td>
                <td className="mono num">{formatBytes(r.bytesOut)}</td>
                <td className="mono num">{formatBytes(r.bytesIn)}</td>
                <td className={r.status === null ? 'warn-text' : r.status < 300 ? 'ok' : 'bad'}>{r.status ?? ''} {outcomeText(r.outcome)}</td>
                <td className="muted">{consentText(r.consent)}</td>
              </tr>
            ))}
            {rows.length === 0 && <tr><td colSpan={7} className="muted">{total ? t('ledger.noMatch') : t('ledger.nothingSent')}</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}
