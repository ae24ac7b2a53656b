import { useTranslation } from 'react-i18next';
import { LOGIN_FAILURE_RETENTION_MINUTES, RETENTION_TABLE } from '../../../../electron/contract/retention';

/** Every kind of personal data, where it is kept and for how long: the same numbers the pruning passes enforce. */
export function RetentionPanel() {
  const { t } = useTranslation('privacy');
  return (
    <section className="panel" aria-labelledby="retention-title" data-section="retention">
      <h2 id="retention-title">{t('retention.title')}</h2>
      <p className="muted small">{t('retention.intro')}</p>
      {/* A scrolling table with nothing to focus in it is itself a tab stop, so the keyboard can scroll it. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="retention-title">
        <table className="table retention" data-testid="retention-table">
          <thead><tr><th scope="col">{t('retention.kind')}</th><th scope="col">{t('retention.where')}</th><th scope="col">{t('retention.how')}</th></tr></thead>
          <tbody>
            {RETENTION_TABLE.map((r) => (
              <tr key={r.kind} data-kind={r.kind} data-days={r.days ?? ''}>
                <td>{t(`retention.kinds.${r.kind}.what`)}</td>
                <td className="muted">{t(`retention.places.${r.where}`)}</td>
                <td>{t(`retention.kinds.${r.kind}.how`, { days: r.days, minutes: LOGIN_FAILURE_RETENTION_MINUTES })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
