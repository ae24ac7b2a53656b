import { useEffect, useState, type FormEvent } from 'react';
import { passwordProblems, type ActivationResult, type DiscoveredDevice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { PasswordRule } from './DeviceEdit';
import { useActivateMutation } from './devices-api';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Sets the first admin password on factory-new devices: one password for all or one per device, the rule checked as the
 * user types, an optional reset e-mail (Dahua DevInit carries it; ONVIF has none, which is shown), progress and a result per device.
 */
export function ActivationDialog({ targets, onClose }: { targets: DiscoveredDevice[]; onClose: () => void }) {
  const client = useStationClient();
  const [activate, { isLoading }] = useActivateMutation();
  const [username, setUsername] = useState('admin');
  const [perDevice, setPerDevice] = useState(false);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [each, setEach] = useState<Record<string, string>>({});
  const [email, setEmail] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [results, setResults] = useState<ActivationResult[]>([]);
  useEffect(() => client.on('devices.activation', (p) => {
    setProgress({ done: p.done, total: p.total });
    setResults((r) => [...r.filter((x) => x.key !== p.result.key), p.result]);
  }), [client]);

  const problems = passwordProblems(password, username);
  const mismatch = confirm !== '' && confirm !== password;
  const eachBad = targets.filter((t) => passwordProblems(each[t.key] ?? '', username).length > 0);
  const emailBad = email.trim() !== '' && !EMAIL.test(email.trim());
  // Devices heard only over ONVIF cannot take a reset e-mail (CreateUsers has no field for it).
  const noEmail = targets.filter((t) => !t.sources.includes('dhip'));
  const ready = perDevice ? eachBad.length === 0 : problems.length === 0 && !mismatch && confirm !== '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready || emailBad) return;
    setResults([]);
    setProgress({ done: 0, total: targets.length });
    const input = { keys: targets.map((t) => t.key), username, ...(email.trim() ? { email: email.trim() } : {}) };
    void activate(perDevice ? { ...input, passwords: Object.fromEntries(targets.map((t) => [t.key, each[t.key] ?? ''])) } : { ...input, password })
      .unwrap().then(setResults).catch(() => undefined);
  };

  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="activate-title">
      <h2 id="activate-title">Activate {targets.length} device{targets.length === 1 ? '' : 's'}</h2>
      <form onSubmit={submit} className="dev-form">
        <label className="field-stack">User name<input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" /></label>
        <fieldset className="dev-choice">
          <legend>Password</legend>
          <label><input type="radio" name="pwmode" checked={!perDevice} onChange={() => setPerDevice(false)} /> One password for all selected</label>
          <label><input type="radio" name="pwmode" checked={perDevice} onChange={() => setPerDevice(true)} /> One password per device</label>
        </fieldset>
        {!perDevice && (
          <>
            <label className="field-stack">New password
              <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="pw-rule" />
            </label>
            <PasswordRule id="pw-rule" password={password} username={username} />
            <label className="field-stack">Confirm password
              <input name="confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
            </label>
            {mismatch && <span className="bad small">The passwords differ</span>}
          </>
        )}
        {perDevice && (
          <ul className="dev-pw-rows" aria-label="Password per device">
            {targets.map((t) => (
              <li key={t.key} data-key={t.key}>
                <label className="field-stack"><span><span className="mono">{t.address}</span> {t.model}</span>
                  <input name={`password-${t.key}`} type="password" value={each[t.key] ?? ''} autoComplete="new-password" aria-describedby={`pw-rule-${t.key}`}
                    aria-label={`Password for ${t.address}`} onChange={(e) => setEach((m) => ({ ...m, [t.key]: e.target.value }))} />
                </label>
                <PasswordRule id={`pw-rule-${t.key}`} password={each[t.key] ?? ''} username={username} />
              </li>
            ))}
          </ul>
        )}
        <label className="field-stack">Reset e-mail (optional)
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" placeholder="installer@example.com" />
        </label>
        {emailBad && <span className="bad small">Not an e-mail address</span>}
        {email.trim() !== '' && noEmail.length > 0 && (
          <p className="warn small" data-testid="email-unsupported">
            Not supported over ONVIF, so not sent to {noEmail.map((t) => t.address).join(', ')}: set a reset e-mail on {noEmail.length === 1 ? 'that device' : 'those devices'} in its own web page.
          </p>
        )}
        {progress && <progress max={progress.total} value={progress.done} aria-label="Activation progress" />}
        {results.length > 0 && (
          <ul className="dev-results" aria-label="Activation results">
            {targets.map((t) => {
              const r = results.find((x) => x.key === t.key);
              return r ? (
                <li key={t.key} data-result={r.ok ? 'ok' : 'failed'}>
                  <span className="mono">{t.address}</span> {r.ok ? <span className="ok">activated</span> : <span className="bad">{r.reason}</span>}
                  {r.note && <span className="warn small"> · {r.note}</span>}
                </li>
              ) : null;
            })}
          </ul>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || !ready || emailBad}>Activate</button>
          <button type="button" className="secondary" onClick={onClose}>Close</button>
        </div>
      </form>
    </div>
  );
}
