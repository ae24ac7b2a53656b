import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { passwordProblems, type ActivationResult, type DiscoveredDevice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { PasswordRule } from './DeviceEdit';
import { useActivateMutation } from './devices-api';
import { errorText } from '../../i18n/errors';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Sets the first admin password on factory-new devices: one password for all or one per device, the rule checked as the
 * user types, an optional reset e-mail (Dahua DevInit carries it; ONVIF has none, which is shown), progress and a result per device.
 */
export function ActivationDialog({ targets, onClose }: { targets: DiscoveredDevice[]; onClose: () => void }) {
  const { t } = useTranslation('devices');
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
  const eachBad = targets.filter((d) => passwordProblems(each[d.key] ?? '', username).length > 0);
  const emailBad = email.trim() !== '' && !EMAIL.test(email.trim());
  // Devices heard only over ONVIF cannot take a reset e-mail (CreateUsers has no field for it).
  const noEmail = targets.filter((d) => !d.sources.includes('dhip'));
  const ready = perDevice ? eachBad.length === 0 : problems.length === 0 && !mismatch && confirm !== '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready || emailBad) return;
    setResults([]);
    setProgress({ done: 0, total: targets.length });
    const input = { keys: targets.map((d) => d.key), username, ...(email.trim() ? { email: email.trim() } : {}) };
    void activate(perDevice ? { ...input, passwords: Object.fromEntries(targets.map((d) => [d.key, each[d.key] ?? ''])) } : { ...input, password })
      .unwrap().then(setResults).catch(() => undefined);
  };

  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="activate-title">
      <h2 id="activate-title">{t('activation.title', { count: targets.length })}</h2>
      <form onSubmit={submit} className="dev-form">
        <label className="field-stack">{t('activation.userName')}<input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" /></label>
        <fieldset className="dev-choice">
          <legend>{t('activation.passwordLegend')}</legend>
          <label><input type="radio" name="pwmode" checked={!perDevice} onChange={() => setPerDevice(false)} /> {t('activation.oneForAll')}</label>
          <label><input type="radio" name="pwmode" checked={perDevice} onChange={() => setPerDevice(true)} /> {t('activation.perDevice')}</label>
        </fieldset>
        {!perDevice && (
          <>
            <label className="field-stack">{t('password.new')}
              <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby="pw-rule" />
            </label>
            <PasswordRule id="pw-rule" password={password} username={username} />
            <label className="field-stack">{t('password.confirm')}
              <input name="confirm" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
            </label>
            {mismatch && <span className="bad small">{t('password.mismatch')}</span>}
          </>
        )}
        {perDevice && (
          <ul className="dev-pw-rows" aria-label={t('activation.perDeviceLabel')}>
            {targets.map((d) => (
              <li key={d.key} data-key={d.key}>
                <label className="field-stack"><span><span className="mono">{d.address}</span> {d.model}</span>
                  <input name={`password-${d.key}`} type="password" value={each[d.key] ?? ''} autoComplete="new-password" aria-describedby={`pw-rule-${d.key}`}
                    aria-label={t('activation.passwordFor', { address: d.address })} onChange={(e) => setEach((m) => ({ ...m, [d.key]: e.target.value }))} />
                </label>
                <PasswordRule id={`pw-rule-${d.key}`} password={each[d.key] ?? ''} username={username} />
              </li>
            ))}
          </ul>
        )}
        <label className="field-stack">{t('activation.resetEmail')}
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" placeholder={t('activation.emailPlaceholder')} />
        </label>
        {emailBad && <span className="bad small">{t('activation.notEmail')}</span>}
        {email.trim() !== '' && noEmail.length > 0 && (
          <p className="warn small" data-testid="email-unsupported">
            {t('activation.emailUnsupported', { count: noEmail.length, addresses: noEmail.map((d) => d.address).join(', ') })}
          </p>
        )}
        {progress && <progress max={progress.total} value={progress.done} aria-label={t('activation.progressLabel')} />}
        {results.length > 0 && (
          <ul className="dev-results" aria-label={t('activation.resultsLabel')}>
            {targets.map((d) => {
              const r = results.find((x) => x.key === d.key);
              return r ? (
                <li key={d.key} data-result={r.ok ? 'ok' : 'failed'}>
                  <span className="mono">{d.address}</span> {r.ok ? <span className="ok">{t('activation.activated')}</span> : <span className="bad">{r.error ? errorText(r.error) : r.reason}</span>}
                  {r.note && <span className="warn small"> · {r.note}</span>}
                </li>
              ) : null;
            })}
          </ul>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || !ready || emailBad}>{t('activation.activate')}</button>
          <button type="button" className="secondary" onClick={onClose}>{t('common:close')}</button>
        </div>
      </form>
    </div>
  );
}
