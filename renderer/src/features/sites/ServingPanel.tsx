import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors';
import { FingerprintText } from './SitesPanel';
import { useServingQuery, useSetServingMutation } from './sites-api';

/** Settings: this station serving desks on the LAN (off by default), its address, port and certificate fingerprint. */
export function ServingPanel() {
  const { t } = useTranslation('sites');
  const { data } = useServingQuery();
  const [save, { isLoading, error, reset }] = useSetServingMutation();
  const [draft, setDraft] = useState({ enabled: false, host: '0.0.0.0', port: '7447' });
  useEffect(() => { if (data) setDraft({ enabled: data.enabled, host: data.host, port: String(data.port) }); }, [data]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save({ enabled: draft.enabled, host: draft.host.trim(), port: Number(draft.port) });
  };
  return (
    <form className="form serving" onSubmit={submit} aria-label={t('serving.label')}>
      <fieldset>
        <legend>{t('serving.legend')}</legend>
        <p className="muted small">{t('serving.intro')}</p>
        <label className="field-inline">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => { reset(); setDraft((d) => ({ ...d, enabled: e.target.checked })); }} />
          {t('serving.enabled')}
        </label>
        <label className="field"><span>{t('fields.listen')}</span>
          <input value={draft.host} spellCheck={false} onChange={(e) => { reset(); setDraft((d) => ({ ...d, host: e.target.value })); }} />
        </label>
        <label className="field"><span>{t('fields.port')}</span>
          <input value={draft.port} inputMode="numeric" onChange={(e) => { reset(); setDraft((d) => ({ ...d, port: e.target.value })); }} />
        </label>
        <p className="small">{t('serving.fingerprint')} <FingerprintText value={data?.fingerprint ?? null} /></p>
        <p className="small" role="status">
          {(data?.listening || data?.error) && <span className={data.listening ? 'ok-dot' : 'bad-dot'} aria-hidden="true" />}{' '}
          {data?.listening ? t('serving.listening', { count: data.desks }) : data?.error ? t('serving.failed', { error: data.error }) : t('serving.off')}
        </p>
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading}>{t('common:save')}</button>
          {error && <span className="error" role="alert">{errorText(error)}</span>}
        </div>
      </fieldset>
    </form>
  );
}
