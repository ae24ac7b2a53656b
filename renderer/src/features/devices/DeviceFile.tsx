import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallOutput } from '../../../../electron/contract';
import { useExportDevicesMutation, useImportDevicesMutation } from './devices-api';
import { errorText } from '../../i18n/errors';
import { offerDownload } from '../../ui/download';

/** Export/import of the device list as a passphrase-encrypted file. */
export function DeviceFile() {
  const { t } = useTranslation('devices');
  const [exportList, exp] = useExportDevicesMutation();
  const [importList, imp] = useImportDevicesMutation();
  const [passphrase, setPassphrase] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [results, setResults] = useState<CallOutput<'devices.import'>>([]);

  const doExport = () => void exportList({ passphrase }).unwrap()
    .then(({ file: text }) => offerDownload('watchpost-devices.json', text, 'application/json')).catch(() => undefined);
  const doImport = () => {
    if (!file) return;
    void file.text().then((text) => importList({ file: text, passphrase }).unwrap()).then(setResults).catch(() => undefined);
  };

  return (
    <details className="dev-add">
      <summary>{t('file.summary')}</summary>
      <div className="dev-form-row">
        <label className="field-stack">{t('file.passphrase')}<input type="password" aria-label={t('file.passphraseLabel')} value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" /></label>
        <button type="button" onClick={doExport} disabled={passphrase.length < 8 || exp.isLoading}>{t('file.export')}</button>
        <input type="file" aria-label={t('file.fileLabel')} accept=".json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <button type="button" onClick={doImport} disabled={!file || !passphrase || imp.isLoading}>{t('file.import')}</button>
      </div>
      {(exp.error || imp.error) && <span className="error small" role="alert">{errorText(exp.error ?? imp.error)}</span>}
      {results.length > 0 && (
        <ul className="dev-results">
          {results.map((r) => <li key={r.address}><span className="mono">{r.address}</span> {r.ok ? <span className="ok">{t('file.added')}</span> : <span className="bad">{r.error ? errorText(r.error) : r.reason}</span>}</li>)}
        </ul>
      )}
    </details>
  );
}
