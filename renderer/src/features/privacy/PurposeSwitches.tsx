import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { PrivacyPurpose, PrivacyState, PurposeState } from '../../../../electron/contract';
import { formatStamp } from './privacy-format';
import { Switch } from './Switch';

function statusOf(t: TFunction, p: PurposeState, signedIn: boolean): { text: string; tone: 'off' | 'on' | 'wait' | 'ask' } {
  if (!p.granted) return { text: signedIn ? t('allow.status.offSignedIn') : t('allow.status.off'), tone: 'off' };
  if (p.needsReconsent) return { text: t('allow.status.reconsent', { version: p.policyVersion }), tone: 'ask' };
  if (p.pending) return { text: t('allow.status.pending'), tone: 'wait' };
  if (!p.active) return { text: t('allow.status.paused'), tone: 'wait' };
  return { text: t('allow.status.on', { time: formatStamp(p.changedAt), version: p.policyVersion }), tone: 'on' };
}

/** Asks again, per purpose, when the policy in force is newer than the one a grant was given under. */
export function PolicyNotice({ state, onAnswer }: { state: PrivacyState; onAnswer: (purpose: PrivacyPurpose, granted: boolean) => void }) {
  const { t } = useTranslation('privacy');
  const ask = state.purposes.filter((p) => p.needsReconsent);
  if (ask.length === 0) return null;
  return (
    <section className="notice" role="alert" aria-labelledby="policy-notice-title" data-section="policy-notice">
      <h2 id="policy-notice-title">{t('policyNotice.title', { version: state.policy.version })}</h2>
      <p>{t('policyNotice.text')}</p>
      <ul>
        {ask.map((p) => (
          <li key={p.purpose} data-reconsent={p.purpose}>
            <strong>{t(`purposes.${p.purpose}.title`)}</strong> <span className="muted">{t('policyNotice.allowedUnder', { version: p.policyVersion })}</span>
            <button type="button" className="primary" onClick={() => onAnswer(p.purpose, true)}>{t('policyNotice.allow', { version: state.policy.version })}</button>
            <button type="button" className="secondary" onClick={() => onAnswer(p.purpose, false)}>{t('policyNotice.turnOff')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PurposeSwitches({ state, busy, error, onToggle }: {
  state: PrivacyState; busy: boolean; error: string | null; onToggle: (purpose: PrivacyPurpose, granted: boolean) => void;
}) {
  const { t } = useTranslation('privacy');
  const signedIn = state.account !== null;
  return (
    <section className="panel" aria-labelledby="purposes-title" data-section="purposes">
      <h2 id="purposes-title">{t('allow.title')}</h2>
      <p className="muted small">
        {t('allow.intro')} {signedIn ? '' : t('allow.signInToChoose')}
      </p>
      {error && <p className="error" role="alert">{error}</p>}
      <ul className="purposes">
        {state.purposes.map((p) => {
          // The purpose's texts in the chosen language; the English ones are the contract's PURPOSE_TEXT, whose hash the station records.
          const title = t(`purposes.${p.purpose}.title`);
          const s = statusOf(t, p, signedIn);
          return (
            <li key={p.purpose} className="purpose" data-purpose={p.purpose}>
              <Switch checked={p.granted} label={title} disabled={!signedIn || busy} describedBy={`purpose-${p.purpose}`}
                onChange={(next) => onToggle(p.purpose, next)} testId={`switch-${p.purpose}`} />
              <div className="purpose-body" id={`purpose-${p.purpose}`}>
                <div className="purpose-head">
                  <h3>{title}</h3>
                  <span className={`chip chip-${s.tone}`} data-testid={`status-${p.purpose}`}>{s.text}</span>
                </div>
                <p>{t(`purposes.${p.purpose}.summary`)}</p>
                <p className="muted small"><span className="label">{t('allow.policyData')}</span> {t(`purposes.${p.purpose}.policyData`)}</p>
                <p className="muted small"><span className="label">{t('allow.stationSends')}</span> {t(`purposes.${p.purpose}.stationSends`)}</p>
                {p.granted && <p className="small when-off" data-testid={`when-off-${p.purpose}`}><span className="label">{t('allow.whenOff.label')}</span> {t(`allow.whenOff.${p.purpose}`)}</p>}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
