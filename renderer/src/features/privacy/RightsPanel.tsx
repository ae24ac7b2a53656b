import { useState, type FormEvent } from 'react';
import type { ErasureReceipt, PrivacyState } from '../../../../electron/contract';
import { Switch } from './Switch';

export function RightsPanel({ state, busy, error, onRights }: {
  state: PrivacyState; busy: boolean; error: string | null; onRights: (r: { restricted?: boolean; objected?: boolean }) => void;
}) {
  const signedIn = state.account !== null;
  return (
    <section className="panel" aria-labelledby="rights-title" data-section="rights">
      <h2 id="rights-title">Your rights</h2>
      <div className="right-row">
        <Switch checked={state.rights.restricted} label="Restrict processing" disabled={!signedIn || busy} testId="switch-restricted"
          describedBy="right-restrict" onChange={(restricted) => onRights({ restricted })} />
        <p id="right-restrict"><strong>Restrict processing</strong> <span className="muted">— the cloud keeps your data but suspends using it: no telemetry,
          no settings sync. Access, correction, export, consents and erasure stay open.</span></p>
      </div>
      <div className="right-row">
        <Switch checked={state.rights.objected} label="Object to processing" disabled={!signedIn || busy} testId="switch-objected"
          describedBy="right-object" onChange={(objected) => onRights({ objected })} />
        <p id="right-object"><strong>Object to processing</strong> <span className="muted">— no telemetry is accepted from you, even under a grant.</span></p>
      </div>
      {state.rights.pending && <p className="muted small" role="status">Saved here; waiting for the cloud.</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

export function ExportPanel({ state, busy, error, result, onExport }: {
  state: PrivacyState; busy: boolean; error: string | null; result: { path: string; bytes: number } | null; onExport: () => void;
}) {
  return (
    <section className="panel" aria-labelledby="export-title" data-section="export">
      <h2 id="export-title">Export my data</h2>
      <p className="muted small">Everything this station holds (every table of its database; passwords and tokens are named but never exported)
        {state.account ? ' and everything the cloud holds about your account' : ''}, as one JSON file in <span className="path">{state.exportsDir}</span>, also offered as a download.</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onExport} disabled={busy} data-testid="export">Export my data</button>
        {result && <span className="ok" role="status" data-testid="export-path">Written to <span className="path">{result.path}</span> ({result.bytes} bytes)</span>}
        {error && <span className="error" role="alert">{error}</span>}
      </div>
    </section>
  );
}

export function ErasePanel({ state, busy, error, receipt, onErase }: {
  state: PrivacyState; busy: boolean; error: string | null; receipt: ErasureReceipt | null;
  onErase: (password: string, recordings: 'keep' | 'delete') => void;
}) {
  const [password, setPassword] = useState('');
  const [recordings, setRecordings] = useState<'keep' | 'delete' | null>(null);
  const [sure, setSure] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (recordings) onErase(password, recordings);
  };
  return (
    <section className="panel danger" aria-labelledby="erase-title" data-section="erase">
      <h2 id="erase-title">Delete my account</h2>
      {receipt && (
        <div className="receipt" role="status" data-testid="erasure-receipt">
          <strong>Deleted {new Date(receipt.erasedAt).toISOString()}.</strong>
          {receipt.cloud && <span> Cloud receipt <span className="mono">{String(receipt.cloud.id)}</span>.</span>}
          <span> Here: account {receipt.local.account ? 'removed' : 'none'}, {receipt.local.consentRecords} consent records,
            {' '}{receipt.local.settingsFields} settings, {receipt.local.outboxEntries} queued changes, {receipt.local.exportFiles} export files,
            recordings {receipt.local.recordings}{receipt.local.recordings === 'deleted' ? ` (${receipt.local.recordingFiles} files)` : ''}.</span>
          <p className="muted small">Kept: {receipt.kept}</p>
        </div>
      )}
      {(state.account || !receipt) && (
        <form className="form privacy-form" onSubmit={submit} aria-label="Delete my account">
          <p className="muted small">Deletes your cloud account and everything it holds, and every piece of your personal data on this station:
            account details, consent history, queued changes and exported files. The transmission ledger stays (it names no one).</p>
          <fieldset>
            <legend>Recordings and snapshots on this station</legend>
            <label className="radio"><input type="radio" name="recordings" value="keep" checked={recordings === 'keep'} onChange={() => setRecordings('keep')} /> Keep them</label>
            <label className="radio"><input type="radio" name="recordings" value="delete" checked={recordings === 'delete'} onChange={() => setRecordings('delete')} /> Delete them too</label>
          </fieldset>
          {state.account && (
            <label className="field"><span>Password</span><input name="erase-password" type="password" autoComplete="current-password"
              value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          )}
          <label className="radio"><input type="checkbox" name="erase-sure" checked={sure} onChange={(e) => setSure(e.target.checked)} /> I understand this cannot be undone</label>
          <div className="actions">
            <button type="submit" className="destructive" disabled={busy || !sure || !recordings || (!!state.account && !password)}>
              Delete {state.account ? 'my account' : 'my local data'}
            </button>
            {error && <span className="error" role="alert">{error}</span>}
          </div>
        </form>
      )}
    </section>
  );
}
