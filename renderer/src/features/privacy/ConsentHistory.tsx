import { useTranslation } from 'react-i18next';
import type { ConsentRecord } from '../../../../electron/contract';
import { formatStamp } from './privacy-format';

export function ConsentHistory({ records }: { records: ConsentRecord[] }) {
  const { t } = useTranslation('privacy');
  return (
    <section className="panel" aria-labelledby="history-title" data-section="history">
      <h2 id="history-title">{t('history.title')}</h2>
      {records.length === 0 ? <p className="muted small">{t('history.empty')}</p> : (
        <div className="table-wrap">
          <table className="table" data-testid="consent-history">
            <thead><tr><th scope="col">{t('history.chosen')}</th><th scope="col">{t('history.purpose')}</th><th scope="col">{t('history.choice')}</th>
              <th scope="col">{t('history.policy')}</th><th scope="col">{t('history.recorded')}</th><th scope="col">{t('history.from')}</th></tr></thead>
            <tbody>
              {[...records].reverse().map((r) => (
                <tr key={r.id} data-action={r.action} data-purpose={r.purpose}>
                  <td className="mono">{formatStamp(r.createdAt)}</td>
                  <td>{t(`purposes.${r.purpose}.title`)}</td>
                  <td className={r.action === 'grant' ? 'ok' : 'muted'}>{r.action === 'grant' ? t('history.granted') : t('history.withdrawn')}</td>
                  <td className="mono">{r.policyVersion}</td>
                  {/* The cloud's own receipt: its record number and its UTC time, as the cloud wrote it. */}
                  <td className="mono">{r.cloudRecordedAt ? `#${r.cloudId} ${r.cloudRecordedAt.replace('T', ' ').replace(/\.\d+Z$/, '')}` : <span className="warn-text">{t('history.waiting')}</span>}</td>
                  <td className="muted">{r.origin === 'station' ? t('history.thisStation') : t('history.otherDevice')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
