import { useEffect, useState, type FormEvent } from 'react';
import { passwordProblems, type ActivationResult, type DiscoveredDevice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useActivateMutation } from './devices-api';

/** Sets the first admin password on factory-new devices: one password for all, the rule checked as the user types, progress and a result per device. */
export function ActivationDialog({ targets, onClose }: { targets: DiscoveredDevice[]; onClose: () => void }) {
  const client = useStationClient();
  const [activate, { isLoading }] = useActivateMutation();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [results, setResults] = useState<ActivationResult[]>([]);
  useEffect(() => client.on('devices.activation', (p) => {
    setProgress({ done: p.done, total: p.total });
    setResults((r) => [...r.filter((x) => x.key !== p.result.key), p.result]);
  }), [client]);

  const problems = passwordProblems(password, username);
  const mismatch = confirm !== '' && confirm !== password;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problems.length || mismatch || !confirm) return;
    setResults([]);
    setProgress({ done: 0, total: targets.length });
    void activate({ keys: targets.map((t) => t.key), username, password }).unwrap().then(setResults).catch(() => undefined);
  };

  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="activate-title">
      <h2 id="activate-title">Activate {targets.length} device{targets.length === 1 ? '' : 's'}</h2>
      <form onSubmit={submit} className="dev-form">
        <label className="field-stack">User name<input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" /></label>
        <label className="field-stack">New password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="pw-rule" />
        </label>
        <ul id="pw-rule" className="pw-rule" aria-live="polite">
          {['8 to 32 characters', 'at least two of letters, digits, symbols', 'not the username'].map((r) => (
            <li key={r} className={password && !problems.includes(r) ? 'ok' : 'muted'}>{password && !problems.includes(r) ? '✓' : '·'} {r}</li>
          ))}
          {problems.filter((p) => p.startsWith('none of')).map((p) => <li key={p} className="bad">✗ {p}</li>)}
        </ul>
        <label className="field-stack">Confirm password
          <input name="confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
        </label>
        {mismatch && <span className="bad small">The passwords differ</span>}
        {progress && <progress max={progress.total} value={progress.done} aria-label="Activation progress" />}
        {results.length > 0 && (
          <ul className="dev-results" aria-label="Activation results">
            {targets.map((t) => {
              const r = results.find((x) => x.key === t.key);
              return r ? <li key={t.key} data-result={r.ok ? 'ok' : 'failed'}><span className="mono">{t.address}</span> {r.ok ? <span className="ok">activated</span> : <span className="bad">{r.reason}</span>}</li> : null;
            })}
          </ul>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || problems.length > 0 || mismatch || !confirm}>Activate</button>
          <button type="button" className="secondary" onClick={onClose}>Close</button>
        </div>
      </form>
    </div>
  );
}
