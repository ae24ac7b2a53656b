import { PURPOSE_TEXT, type ConsentRecord } from '../../../../electron/contract';
import { formatTime } from './privacy-format';

export function ConsentHistory({ records }: { records: ConsentRecord[] }) {
  return (
    <section className="panel" aria-labelledby="history-title" data-section="history">
      <h2 id="history-title">Consent history</h2>
      {records.length === 0 ? <p className="muted small">No choices recorded yet.</p> : (
        <div className="table-wrap">
          <table className="table" data-testid="consent-history">
            <thead><tr><th scope="col">Chosen</th><th scope="col">Purpose</th><th scope="col">Choice</th><th scope="col">Policy</th>
              <th scope="col">Recorded in the cloud (UTC)</th><th scope="col">From</th></tr></thead>
            <tbody>
              {[...records].reverse().map((r) => (
                <tr key={r.id} data-action={r.action} data-purpose={r.purpose}>
                  <td className="mono">{formatTime(r.createdAt)}</td>
                  <td>{PURPOSE_TEXT[r.purpose].title}</td>
                  <td className={r.action === 'grant' ? 'ok' : 'muted'}>{r.action === 'grant' ? 'Granted' : 'Withdrawn'}</td>
                  <td className="mono">{r.policyVersion}</td>
                  <td className="mono">{r.cloudRecordedAt ? `#${r.cloudId} ${r.cloudRecordedAt.replace('T', ' ').replace(/\.\d+Z$/, '')}` : <span className="warn-text">waiting to sync</span>}</td>
                  <td className="muted">{r.origin === 'station' ? 'this station' : 'another device'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
