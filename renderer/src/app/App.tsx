import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AlarmCenter } from '../features/events/AlarmCenter';
import { EventsPage } from '../features/events/EventsPage';
import { HealthPage } from '../features/health/HealthPage';
import { DevicesPage } from '../features/devices/DevicesPage';
import { PrivacyPage } from '../features/privacy/PrivacyPage';
import { LivePage } from '../features/live/LivePage';
import { AuthGate } from '../features/operators/AuthForms';
import { OperatorsPage } from '../features/operators/OperatorsPage';
import { useLockScreenMutation, useSignOutMutation } from '../features/operators/operators-api';
import { mayView } from '../features/operators/rights';
import { forgetSignIn, useAuthGate } from '../features/operators/use-auth';
import { PlaybackPage } from '../features/recording/PlaybackPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { StatusPage } from '../features/status/StatusPage';
import { StoragePage } from '../features/storage/StoragePage';
import { setStationTimeZone } from '../i18n/format';
import { NavIcon } from '../ui/NavIcon';
import { useAppDispatch, useAppSelector } from './hooks';
import { isShortcut, pageAriaShortcut, pageOf, pageShortcutText } from './shortcuts';
import { ShortcutsHelp } from './ShortcutsHelp';
import { useStatusQuery } from './station-api';
import { navigated, VIEWS, type View } from './store';

/** Where a typed character is text, not a shortcut. */
function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}

function Page({ view }: { view: View }) {
  switch (view) {
    case 'live': return <LivePage />;
    case 'playback': return <PlaybackPage />;
    case 'storage': return <StoragePage />;
    case 'devices': return <DevicesPage />;
    case 'events': return <EventsPage />;
    case 'privacy': return <PrivacyPage />;
    case 'settings': return <SettingsPage />;
    case 'status': return <StatusPage />;
    case 'operators': return <OperatorsPage />;
    case 'health': return <HealthPage />;
  }
}

export function App() {
  const view = useAppSelector((s) => s.shell.view);
  const connection = useAppSelector((s) => s.shell.connection);
  const dispatch = useAppDispatch();
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const main = useRef<HTMLElement>(null);
  const { t } = useTranslation();
  const auth = useAuthGate();
  const me = auth?.me ?? null;
  const [lock] = useLockScreenMutation();
  const [signOut] = useSignOutMutation();
  // The nav shows the pages the signed-in user has a right for; a page keeps its Alt+N either way.
  const shown = VIEWS.filter((v) => mayView(v, me));
  const timeZone = useStatusQuery().data?.timeZone;
  setStationTimeZone(timeZone);

  const go = (v: View, focusMain = false) => {
    dispatch(navigated(v));
    history.replaceState(null, '', `#/${v}`);
    if (focusMain) requestAnimationFrame(() => main.current?.querySelector<HTMLElement>('h1')?.focus());
  };

  const [help, setHelp] = useState(false);
  // From anywhere: Alt+digit jumps to a page, ? (outside a text field) lists the shortcuts.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (help || e.defaultPrevented) return;
      const page = pageOf(e);
      if (page && mayView(page, me)) {
        e.preventDefault();
        go(page, true);
      } else if (isShortcut(e, 'global.help') && !isTextField(e.target)) {
        e.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // Arrow keys move along the navigation (one tab stop for the whole list).
  const onNavKey = (e: KeyboardEvent, i: number) => {
    if (!isShortcut(e, 'global.nav')) return;
    const next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: shown.length - 1 }[e.key]!;
    e.preventDefault();
    buttons.current[(next + shown.length) % shown.length]?.focus();
  };

  return (
    <AuthGate state={auth}>
    <div className="shell">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.querySelector<HTMLElement>('h1')?.focus(); }}>
        {t('shell.skip')}
      </a>
      <nav className="nav" aria-label={t('shell.mainNav')}>
        <div className="brand" aria-hidden="true"><span className="brand-mark" />{t('shell.brand')}</div>
        <ul>
          {shown.map((v, i) => (
            <li key={v}>
              <button
                ref={(el) => void (buttons.current[i] = el)}
                type="button"
                className={v === view ? 'nav-item active' : 'nav-item'}
                aria-current={v === view ? 'page' : undefined}
                tabIndex={v === view ? 0 : -1}
                onClick={() => go(v, true)}
                onKeyDown={(e) => onNavKey(e, i)}
                title={t('shell.navTitle', { page: t(`nav.${v}`), key: pageShortcutText(VIEWS.indexOf(v)) })}
                aria-keyshortcuts={pageAriaShortcut(VIEWS.indexOf(v))}
                data-view={v}
              >
                <NavIcon view={v} />
                <span>{t(`nav.${v}`)}</span>
                <kbd aria-hidden="true">{pageShortcutText(VIEWS.indexOf(v))}</kbd>
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="nav-help" onClick={() => setHelp(true)} data-testid="open-shortcuts">
          <span>{t('shortcuts:open')}</span><kbd aria-hidden="true">?</kbd>
        </button>
        {me && (
          <div className="nav-user" data-testid="signed-in-as">
            <span>{me.name}</span>
            <button type="button" onClick={() => void lock()} aria-keyshortcuts="Alt+Shift+L">{t('operators:lock.action')}</button>
            <button type="button" onClick={() => { forgetSignIn(); void signOut(); }}>{t('operators:signOut')}</button>
          </div>
        )}
        <div className={`conn conn-${connection}`} role="status" aria-live="polite">
          <span className="dot" aria-hidden="true" />
          {t(`shell.connection.${connection}`)}
        </div>
      </nav>
      <main id="main" ref={main} className="main">
        <Page view={view} />
      </main>
      <AlarmCenter />
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
    </AuthGate>
  );
}
