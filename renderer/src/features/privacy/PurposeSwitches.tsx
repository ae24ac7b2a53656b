import { PURPOSE_TEXT, type PrivacyPurpose, type PrivacyState, type PurposeState } from '../../../../electron/contract';
import { formatTime } from './privacy-format';
import { Switch } from './Switch';

function statusOf(p: PurposeState, signedIn: boolean): { text: string; tone: 'off' | 'on' | 'wait' | 'ask' } {
  if (!p.granted) return { text: signedIn ? 'Off — nothing is sent' : 'Off', tone: 'off' };
  if (p.needsReconsent) return { text: `Paused — allowed under policy ${p.policyVersion}; please answer again`, tone: 'ask' };
  if (p.pending) return { text: 'On — saved here, waiting to be recorded in the cloud (nothing sent until then)', tone: 'wait' };
  if (!p.active) return { text: 'On — but paused by your restriction or objection', tone: 'wait' };
  return { text: `On since ${formatTime(p.changedAt)} · policy ${p.policyVersion}`, tone: 'on' };
}

/** Asks again, per purpose, when the policy in force is newer than the one a grant was given under. */
export function PolicyNotice({ state, onAnswer }: { state: PrivacyState; onAnswer: (purpose: PrivacyPurpose, granted: boolean) => void }) {
  const ask = state.purposes.filter((p) => p.needsReconsent);
  if (ask.length === 0) return null;
  return (
    <section className="notice" role="alert" aria-labelledby="policy-notice-title" data-section="policy-notice">
      <h2 id="policy-notice-title">The privacy policy changed to version {state.policy.version}</h2>
      <p>You allowed these under an earlier version. Nothing of them is sent until you answer again.</p>
      <ul>
        {ask.map((p) => (
          <li key={p.purpose} data-reconsent={p.purpose}>
            <strong>{PURPOSE_TEXT[p.purpose].title}</strong> <span className="muted">(allowed under {p.policyVersion})</span>
            <button type="button" className="primary" onClick={() => onAnswer(p.purpose, true)}>Allow under {state.policy.version}</button>
            <button type="button" className="secondary" onClick={() => onAnswer(p.purpose, false)}>Turn off</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PurposeSwitches({ state, busy, error, onToggle }: {
  state: PrivacyState; busy: boolean; error: string | null; onToggle: (purpose: PrivacyPurpose, granted: boolean) => void;
}) {
  const signedIn = state.account !== null;
  return (
    <section className="panel" aria-labelledby="purposes-title" data-section="purposes">
      <h2 id="purposes-title">What you allow</h2>
      <p className="muted small">
        Each is off until you turn it on, and turning it off is the same one click. {signedIn ? '' : 'Log in or create an account to choose: choices are recorded with your account.'}
      </p>
      {error && <p className="error" role="alert">{error}</p>}
      <ul className="purposes">
        {state.purposes.map((p) => {
          const t = PURPOSE_TEXT[p.purpose];
          const s = statusOf(p, signedIn);
          return (
            <li key={p.purpose} className="purpose" data-purpose={p.purpose}>
              <Switch checked={p.granted} label={t.title} disabled={!signedIn || busy} describedBy={`purpose-${p.purpose}`}
                onChange={(next) => onToggle(p.purpose, next)} testId={`switch-${p.purpose}`} />
              <div className="purpose-body" id={`purpose-${p.purpose}`}>
                <div className="purpose-head">
                  <h3>{t.title}</h3>
                  <span className={`chip chip-${s.tone}`} data-testid={`status-${p.purpose}`}>{s.text}</span>
                </div>
                <p>{t.summary}</p>
                <p className="muted small"><span className="label">The policy lets it use</span> {t.policyData}</p>
                <p className="muted small"><span className="label">This station sends</span> {t.stationSends}</p>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
