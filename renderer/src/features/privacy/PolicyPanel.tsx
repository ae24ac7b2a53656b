import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivacyState } from '../../../../electron/contract';

const SECTIONS = ['collected', 'why', 'sharing', 'retention', 'children', 'transfers', 'rights', 'changes'] as const;

/**
 * Watchpost's own privacy policy, in the chosen language, at the version in force, with who answers for the data: the
 * controller, its contact and the supervisory authority, as the configured cloud deployment states them.
 */
export function PolicyPanel({ state }: { state: PrivacyState }) {
  const { t } = useTranslation('privacy');
  const c = state.cloud.controller;
  // The text is laid out only while open: a closed policy takes no room on the page.
  const [open, setOpen] = useState(false);
  return (
    <section className="panel policy" aria-labelledby="policy-title" data-section="policy">
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary><h2 id="policy-title">{t('policy.title')}</h2> <span className="muted">{t('policy.versionLine', { version: state.policy.version })}</span></summary>
        {open && <>
          <p>{t('policy.intro')}</p>
          {SECTIONS.map((s) => (
            <section key={s} data-policy-section={s}>
              <h3>{t(`policy.sections.${s}.title`)}</h3>
              {t(`policy.sections.${s}.body`).split('\n').map((p, i) => <p key={i}>{p}</p>)}
            </section>
          ))}
          <section data-policy-section="controller">
            <h3>{t('policy.controller.title')}</h3>
            {state.cloud.url === null ? <p>{t('policy.controller.none')}</p> : c ? (
              <dl className="policy-controller">
                <dt>{t('policy.controller.name')}</dt><dd data-testid="controller-name">{c.name}</dd>
                <dt>{t('policy.controller.contact')}</dt><dd data-testid="controller-contact">{c.contact}</dd>
                <dt>{t('policy.controller.authority')}</dt><dd data-testid="controller-authority">{t('policy.controller.authorityText', { authority: c.authority })}</dd>
              </dl>
            ) : <p className="warn-text">{t('policy.controller.unknown')}</p>}
          </section>
        </>}
      </details>
    </section>
  );
}
