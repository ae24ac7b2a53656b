import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { callMutation, stationApi } from '../../app/station-api';
import { errorText } from '../../i18n/errors';
import { formatBytes } from '../../i18n/format';
import { offerDownload } from '../../ui/download';

const api = stationApi.injectEndpoints({ endpoints: (b) => ({ createDiagnostics: callMutation(b, 'diagnostics.create') }) });

/**
 * "Create diagnostics" for a support request: the station makes the zip with every secret and personal detail removed,
 * the page shows each file in it before the user saves it anywhere. Nothing is sent.
 */
export function DiagnosticsPanel() {
  const { t } = useTranslation('status');
  const [create, { data, error, isLoading }] = api.useCreateDiagnosticsMutation();
  const [open, setOpen] = useState<string | null>(null);
  const shown = data?.files.find((f) => f.name === open) ?? data?.files[0];

  return (
    <section className="panel diagnostics" aria-labelledby="diag-title">
      <h2 id="diag-title">{t('diagnostics.title')}</h2>
      <p className="muted">{t('diagnostics.hint')}</p>
      <div className="actions">
        <button type="button" data-action="create-diagnostics" disabled={isLoading} onClick={() => { setOpen(null); void create(); }}>
          {isLoading ? t('diagnostics.creating') : data ? t('diagnostics.again') : t('diagnostics.create')}
        </button>
        {data && <button type="button" className="primary" data-action="save-diagnostics" onClick={() => offerDownload(data.fileName, { base64: data.zipBase64 }, 'application/zip')}>{t('diagnostics.save', { name: data.fileName })}</button>}
      </div>
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      {data && shown && (
        <div className="diag-body">
          <ul className="diag-files" aria-label={t('diagnostics.filesLabel')}>
            {data.files.map((f) => (
              <li key={f.name}>
                <button type="button" aria-pressed={f === shown} className={f === shown ? 'on' : ''} data-file={f.name} onClick={() => setOpen(f.name)}>
                  <span className="mono">{f.name}</span> <span className="muted">{formatBytes(f.bytes)}</span>
                </button>
              </li>
            ))}
          </ul>
          <pre className="diag-text" tabIndex={0} aria-label={t('diagnostics.contentLabel', { name: shown.name })} data-shown={shown.name}>{shown.text}</pre>
        </div>
      )}
    </section>
  );
}
