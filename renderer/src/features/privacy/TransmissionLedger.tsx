import { TRANSMISSION_PURPOSES, type Transmission, type TransmissionPurpose } from '../../../../electron/contract';
import { formatBytes } from '../../ui/format';
import { formatTime, PURPOSE_LABEL } from './privacy-format';

export interface LedgerFilter { purpose: TransmissionPurpose | ''; text: string }

export function TransmissionLedger({ rows, total, matching, filter, onFilter }: {
  rows: Transmission[]; total: number; matching: number; filter: LedgerFilter; onFilter: (f: LedgerFilter) => void;
}) {
  return (
    <section className="panel" aria-labelledby="ledger-title" data-section="ledger">
      <h2 id="ledger-title">Transmission ledger</h2>
      <p className="muted small">Every request this station made to the cloud: nothing leaves without a row here. Sizes are of the bodies sent and received.</p>
      <div className="filters" role="search" aria-label="Filter the ledger">
        <label><span>Purpose</span>
          <select name="ledger-purpose" value={filter.purpose} onChange={(e) => onFilter({ ...filter, purpose: e.target.value as LedgerFilter['purpose'] })}>
            <option value="">All purposes</option>
            {TRANSMISSION_PURPOSES.map((p) => <option key={p} value={p}>{PURPOSE_LABEL[p]}</option>)}
          </select>
        </label>
        <label><span>Contains</span>
          <input name="ledger-text" type="search" value={filter.text} placeholder="endpoint, outcome, consent" onChange={(e) => onFilter({ ...filter, text: e.target.value })} />
        </label>
        <span className="muted" data-testid="ledger-count">{matching} of {total}</span>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="ledger">
          <thead><tr><th scope="col">Time</th><th scope="col">Request</th><th scope="col">Purpose</th><th scope="col" className="num">Sent</th>
            <th scope="col" className="num">Received</th><th scope="col">Outcome</th><th scope="col">Allowed by</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-purpose={r.purpose}>
                <td className="mono">{formatTime(r.at)}</td>
                <td className="mono">{r.method} {r.endpoint}</td>
                <td>{PURPOSE_LABEL[r.purpose]}</td>
                <td className="mono num">{formatBytes(r.bytesOut)}</td>
                <td className="mono num">{formatBytes(r.bytesIn)}</td>
                <td className={r.status === null ? 'warn-text' : r.status < 300 ? 'ok' : 'bad'}>{r.status ?? ''} {r.outcome}</td>
                <td className="muted">{r.consent}</td>
              </tr>
            ))}
            {rows.length === 0 && <tr><td colSpan={7} className="muted">Nothing {total ? 'matches the filter' : 'has been sent'}.</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}
