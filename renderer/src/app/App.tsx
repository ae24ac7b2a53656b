import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AlarmCenter } from '../features/events/AlarmCenter';
import { EventsPage } from '../features/events/EventsPage';
import { DevicesPage } from '../features/devices/DevicesPage';
import { PrivacyPage } from '../features/privacy/PrivacyPage';
import { LivePage } from '../features/live/LivePage';
import { PlaybackPage } from '../features/recording/PlaybackPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { StatusPage } from '../features/status/StatusPage';
import { setStationTimeZone } from '../i18n/format';
import { NavIcon } from '../ui/NavIcon';
import { useAppDispatch, useAppSelector } from './hooks';
import { useStatusQuery } from './station-api';
import { navigated, VIEWS, type View } from './store';

function Page({ view }: { view: View }) {
  switch (view) {
    case 'live': return <LivePage />;
    case 'playback': return <PlaybackPage />;
    case 'devices': return <DevicesPage />;
    case 'events': return <EventsPage />;
    case 'privacy': return <PrivacyPage />;
    case 'settings': return <SettingsPage />;
    case 'status': return <StatusPage />;
  }
}

export function App() {
  const view = useAppSelector((s) => s.shell.view);
  const connection = useAppSelector((s) => s.shell.connection);
  const dispatch = useAppDispatch();
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const main = useRef<HTMLElement>(null);
  const { t } = useTranslation();
  const timeZone = useStatusQuery().data?.timeZone;
  setStationTimeZone(timeZone);

  const go = (v: View, focusMain = false) => {
    dispatch(navigated(v));
    history.replaceState(null, '', `#/${v}`);
    if (focusMain) requestAnimationFrame(() => main.current?.querySelector<HTMLElement>('h1')?.focus());
  };

  // Alt+1…7 jumps to an area from anywhere.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const n = Number(e.key);
      if (e.altKey && !e.ctrlKey && !e.metaKey && n >= 1 && n <= VIEWS.length) {
        e.preventDefault();
        go(VIEWS[n - 1]!, true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // Arrow keys move along the navigation (one tab stop for the whole list).
  const onNavKey = (e: KeyboardEvent, i: number) => {
    const next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: VIEWS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    buttons.current[(next + VIEWS.length) % VIEWS.length]?.focus();
  };

  return (
    <div className="shell">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.querySelector<HTMLElement>('h1')?.focus(); }}>
        {t('shell.skip')}
      </a>
      <nav className="nav" aria-label={t('shell.mainNav')}>
        <div className="brand" aria-hidden="true"><span className="brand-mark" />{t('shell.brand')}</div>
        <ul>
          {VIEWS.map((v, i) => (
            <li key={v}>
              <button
                ref={(el) => void (buttons.current[i] = el)}
                type="button"
                className={v === view ? 'nav-item active' : 'nav-item'}
                aria-current={v === view ? 'page' : undefined}
                tabIndex={v === view ? 0 : -1}
                onClick={() => go(v, true)}
                onKeyDown={(e) => onNavKey(e, i)}
                title={t('shell.navTitle', { page: t(`nav.${v}`), key: i + 1 })}
                data-view={v}
              >
                <NavIcon view={v} />
                <span>{t(`nav.${v}`)}</span>
                <kbd>{i + 1}</kbd>
              </button>
            </li>
          ))}
        </ul>
        <div className={`conn conn-${connection}`} role="status" aria-live="polite">
          <span className="dot" aria-hidden="true" />
          {t(`shell.connection.${connection}`)}
        </div>
      </nav>
      <main id="main" ref={main} className="main">
        <Page view={view} />
      </main>
      <AlarmCenter />
    </div>
  );
}
