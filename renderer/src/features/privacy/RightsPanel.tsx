import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { ErasureReceipt, PrivacyState } from '../../../../electron/contract';
import { formatBytes, formatDateTime } from '../../i18n/format';
import { Switch } from './Switch';

export function RightsPanel({ state, busy, error, onRights }: {
  state: PrivacyState; busy: boolean; error: string | null; onRights: (r: { restricted?: boolean; objected?: boolean }) => void;
}) {
  const { t } = useTranslation('privacy');
  const signedIn = state.account !== null;
  return (
    <section className="panel" aria-labelledby="rights-title" data-section="rights">
      <h2 id="rights-title">{t('rights.title')}</h2>
      <div className="right-row">
        <Switch checked={state.rights.restricted} label={t('rights.restrict')} disabled={!signedIn || busy} testId="switch-restricted"
          describedBy="right-restrict" onChange={(restricted) => onRights({ restricted })} />
        <p id="right-restrict"><strong>{t('rights.restrict')}</strong> <span className="muted">{t('rights.restrictText')}</span></p>
      </div>
      <div className="right-row">
        <Switch checked={state.rights.objected} label={t('rights.object')} disabled={!signedIn || busy} testId="switch-objected"
          describedBy="right-object" onChange={(objected) => onRights({ objected })} />
        <p id="right-object"><strong>{t('rights.object')}</strong> <span className="muted">{t('rights.objectText')}</span></p>
      </div>
      {state.rights.pending && <p className="muted small" role="status">{t('rights.pending')}</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

export function ExportPanel({ state, busy, error, result, onExport }: {
  state: PrivacyState; busy: boolean; error: string | null; result: { path: string; bytes: number } | null; onExport: () => void;
}) {
  const { t } = useTranslation('privacy');
  return (
    <section className="panel" aria-labelledby="export-title" data-section="export">
      <h2 id="export-title">{t('export.title')}</h2>
      <p className="muted small">
        <Trans t={t} i18nKey={state.account ? 'export.textWithAccount' : 'export.text'} values={{ dir: state.exportsDir }}
          components={{ path: <span className="path" /> }} />
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onExport} disabled={busy} data-testid="export">{t('export.button')}</button>
        {result && (
          <span className="ok" role="status" data-testid="export-path">
            <Trans t={t} i18nKey="export.written" values={{ path: result.path, size: formatBytes(result.bytes) }} components={{ path: <span className="path" /> }} />
          </span>
        )}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
    </section>
  );
}

function Receipt({ receipt }: { receipt: ErasureReceipt }) {
  const { t } = useTranslation('privacy');
  const l = receipt.local;
  const here = t('erase.receipt.here', {
    account: l.account ? t('erase.receipt.accountRemoved') : t('erase.receipt.accountNone'),
    consentRecords: t('erase.receipt.consentRecords', { count: l.consentRecords }),
    settingsFields: t('erase.receipt.settingsFields', { count: l.settingsFields }),
    outboxEntries: t('erase.receipt.outboxEntries', { count: l.outboxEntries }),
    exportFiles: t('erase.receipt.exportFiles', { count: l.exportFiles }),
    recordings: l.recordings === 'deleted' ? t('erase.receipt.recordingsDeleted', { count: l.recordingFiles }) : t('erase.receipt.recordingsKept'),
  });
  return (
    <div className="receipt" role="status" data-testid="erasure-receipt">
      <strong>{t('erase.receipt.deleted', { time: formatDateTime(receipt.erasedAt) })}</strong>
      {receipt.cloud && <span>{' '}<Trans t={t} i18nKey="erase.receipt.cloud" values={{ id: String(receipt.cloud.id) }} components={{ id: <span className="mono" /> }} /></span>}
      <span>{' '}{here}</span>
      <p className="muted small">{t('erase.receipt.kept', { kept: receipt.kept })}</p>
    </div>
  );
}

export function ErasePanel({ state, busy, error, receipt, onErase }: {
  state: PrivacyState; busy: boolean; error: string | null; receipt: ErasureReceipt | null;
  onErase: (password: string, recordings: 'keep' | 'delete') => void;
}) {
  const { t } = useTranslation('privacy');
  const [password, setPassword] = useState('');
  const [recordings, setRecordings] = useState<'keep' | 'delete' | null>(null);
  const [sure, setSure] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (recordings) onErase(password, recordings);
  };
  return (
    <section className="panel danger" aria-labelledby="erase-title" data-section="erase">
      <h2 id="erase-title">{t('erase.title')}</h2>
      {receipt && <Receipt receipt={receipt} />}
      {(state.account || !receipt) && (
        <form className="form privacy-form" onSubmit={submit} aria-label={t('erase.title')}>
          <p className="muted small">{t('erase.text')}</p>
          <fieldset>
            <legend>{t('erase.recordingsLegend')}</legend>
            <label className="radio"><input type="radio" name="recordings" value="keep" checked={recordings === 'keep'} onChange={() => setRecordings('keep')} />{' '}{t('erase.keep')}</label>
            <label className="radio"><input type="radio" name="recordings" value="delete" checked={recordings === 'delete'} onChange={() => setRecordings('delete')} />{' '}{t('erase.delete')}</label>
          </fieldset>
          {state.account && (
            <label className="field"><span>{t('erase.password')}</span><input name="erase-password" type="password" autoComplete="current-password"
              value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          )}
          <label className="radio"><input type="checkbox" name="erase-sure" checked={sure} onChange={(e) => setSure(e.target.checked)} />{' '}{t('erase.sure')}</label>
          <div className="actions">
            <button type="submit" className="destructive" disabled={busy || !sure || !recordings || (!!state.account && !password)}>
              {state.account ? t('erase.submitAccount') : t('erase.submitLocal')}
            </button>
            {error && <span className="error" role="alert">{error}</span>}
          </div>
        </form>
      )}
    </section>
  );
}
