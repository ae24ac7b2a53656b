import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErasureReceipt, PrivacyPurpose } from '../../../../electron/contract';
import { AccountPanel } from './AccountPanel';
import { CloudServicesPanel } from './CloudServicesPanel';
import { ConsentHistory } from './ConsentHistory';
import {
  useCheckCloudMutation, useEraseMutation, useExportDataMutation, useLogInMutation, useLogOutMutation, usePrivacyConsentsQuery,
  usePrivacyLedgerQuery, usePrivacyStateQuery, useSetConsentMutation, useSetRightsMutation, useSignUpMutation, useSyncNowMutation,
  useUpdateProfileMutation,
} from './privacy-api';
import { errorText, syncText } from './privacy-format';
import { PolicyPanel } from './PolicyPanel';
import { PolicyNotice, PurposeSwitches } from './PurposeSwitches';
import { RetentionPanel } from './RetentionPanel';
import { ErasePanel, ExportPanel, RightsPanel } from './RightsPanel';
import { TransmissionLedger, type LedgerFilter } from './TransmissionLedger';
import { usePrivacyEvents } from './use-privacy-events';
import { offerDownload } from '../../ui/download';
import { PasswordDialog } from './PasswordDialog';
import { rovingTarget } from '../../ui/roving';
import { useSubjectRequestsQuery } from './subject-requests-api';
import { SubjectRequestsPanel } from './SubjectRequestsPanel';

const TABS = ['account', 'requests'] as const;

export function PrivacyPage() {
  const { t } = useTranslation('privacy');
  usePrivacyEvents();
  const { data: state, error: stateError } = usePrivacyStateQuery();
  const { data: consents } = usePrivacyConsentsQuery();
  const [filter, setFilter] = useState<LedgerFilter>({ purpose: '', text: '' });
  const { data: ledger } = usePrivacyLedgerQuery({ ...(filter.purpose ? { purpose: filter.purpose } : {}), ...(filter.text ? { text: filter.text } : {}), limit: 200 });
  const [checkCloud] = useCheckCloudMutation();
  const [signUp, signUpState] = useSignUpMutation();
  const [logIn, logInState] = useLogInMutation();
  const [logOut, logOutState] = useLogOutMutation();
  const [updateProfile, profileState] = useUpdateProfileMutation();
  const [setConsent, consentState] = useSetConsentMutation();
  const [setRights, rightsState] = useSetRightsMutation();
  const [syncNow, syncState] = useSyncNowMutation();
  const [exportData, exportState] = useExportDataMutation();
  const [erase, eraseState] = useEraseMutation();
  const [receipt, setReceipt] = useState<ErasureReceipt | null>(null);
  const [now, setNow] = useState(Date.now());
  const [tab, setTab] = useState<(typeof TABS)[number]>('account');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const { data: register } = useSubjectRequestsQuery();
  const reminders = register?.requests.filter((r) => r.reminder !== 'none').length ?? 0;

  // Opening the page is the request that lets the station ask the cloud where data lives and which policy is in force.
  useEffect(() => { void checkCloud(); }, [checkCloud]);
  useEffect(() => {
    if (state?.sync.state !== 'offline') return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [state?.sync.state]);

  const accountBusy = signUpState.isLoading || logInState.isLoading || logOutState.isLoading || profileState.isLoading;
  const accountError = signUpState.error ?? logInState.error ?? logOutState.error ?? profileState.error;
  const clearAccountError = () => { signUpState.reset(); logInState.reset(); logOutState.reset(); profileState.reset(); };
  // A grant and an export let data leave: signed in, the account's password is typed again first (PasswordDialog).
  const [confirm, setConfirm] = useState<{ kind: 'export' } | { kind: 'grant'; purpose: PrivacyPurpose } | null>(null);
  const toggle = (purpose: PrivacyPurpose, granted: boolean) => {
    if (granted && state?.account) setConfirm({ kind: 'grant', purpose });
    else void setConsent({ purpose, granted, locale: navigator.language || 'en' });
  };
  const download = (r: { fileName: string; json: string }) => offerDownload(r.fileName, r.json, 'application/json');
  const startExport = () => {
    if (state?.account) setConfirm({ kind: 'export' });
    else void exportData({}).unwrap().then(download, () => {});
  };
  const confirmed = (password: string) => confirm?.kind === 'grant'
    ? setConsent({ purpose: confirm.purpose, granted: true, locale: navigator.language || 'en', password }).unwrap()
    : exportData({ password }).unwrap().then(download);

  return (
    <section className="page privacy" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('page.title')}</h1>
        <span className="muted">{t('page.subtitle')}</span>
        {state && (
          <span className="sync-state">
            <span className={`sync-badge sync-${state.sync.state}`} role="status" aria-live="polite" data-testid="sync-state" data-state={state.sync.state}>
              {syncText(state.sync, now)}
            </span>
            {state.account && <button type="button" className="secondary" onClick={() => void syncNow()} disabled={syncState.isLoading}>{t('page.syncNow')}</button>}
          </span>
        )}
      </header>
      <div className="tabs" role="tablist" aria-label={t('page.tabsLabel')}
        onKeyDown={(e) => { const to = rovingTarget(e, TABS.indexOf(tab), TABS.length); if (to !== undefined) { setTab(TABS[to]!); tabs.current[to]?.focus(); } }}>
        {TABS.map((k, i) => (
          <button key={k} ref={(el) => void (tabs.current[i] = el)} type="button" role="tab" id={`privacy-tab-${k}`} aria-selected={tab === k} aria-controls={`privacy-panel-${k}`}
            tabIndex={tab === k ? 0 : -1} className={tab === k ? 'active' : ''} onClick={() => setTab(k)} data-tab={k}>
            {t(`page.tabs.${k}`)}{k === 'requests' && reminders > 0 && <span className="badge" data-testid="sar-tab-badge">{reminders}</span>}
          </button>
        ))}
      </div>
      {/* Both stay mounted, so a request chosen in the register is still open after a look at the account. */}
      <div role="tabpanel" id="privacy-panel-requests" aria-labelledby="privacy-tab-requests" hidden={tab !== 'requests'}><SubjectRequestsPanel /></div>
      <div role="tabpanel" id="privacy-panel-account" aria-labelledby="privacy-tab-account" hidden={tab !== 'account'}>
      {stateError && <p className="error" role="alert">{errorText(stateError)}</p>}
      {state && (
        <>
          <PolicyNotice state={state} onAnswer={toggle} />
          <div className="privacy-cols">
            <div className="privacy-col">
              <AccountPanel state={state} busy={accountBusy} error={accountError} onClearError={clearAccountError}
                onLogIn={(email, password, region) => void logIn({ email, password, ...(region ? { region } : {}) })}
                onSignUp={(f) => void signUp(f)}
                onSave={(p) => void updateProfile(p)}
                onLogOut={() => void logOut()} />
              <RightsPanel state={state} busy={rightsState.isLoading} error={errorText(rightsState.error)} onRights={(r) => void setRights(r)} />
              <ExportPanel state={state} busy={exportState.isLoading} error={errorText(exportState.error)} result={exportState.data ?? null}
                onExport={startExport} />
              <ErasePanel state={state} busy={eraseState.isLoading} error={errorText(eraseState.error)} receipt={receipt}
                onErase={(password, recordings) => void erase({ password, recordings }).unwrap().then(setReceipt, () => {})} />
            </div>
            <div className="privacy-col">
              <PurposeSwitches state={state} busy={consentState.isLoading} error={errorText(consentState.error)} onToggle={toggle} />
              <CloudServicesPanel state={state} />
              <ConsentHistory records={consents ?? []} />
              <RetentionPanel />
              <PolicyPanel state={state} />
            </div>
          </div>
          {confirm && (
            <PasswordDialog onSubmit={confirmed} onClose={() => setConfirm(null)}
              scope={confirm.kind === 'export' ? t('confirm.exportScope') : t('confirm.grantScope', { purpose: t(`purposes.${confirm.purpose}.title`) })} />
          )}
          {ledger && <TransmissionLedger rows={ledger.rows} total={ledger.total} matching={ledger.matching} filter={filter} onFilter={setFilter} />}
        </>
      )}
      </div>
    </section>
  );
}
