import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './app/App';
import { ClientContext } from './app/client-context';
import { createStationClient } from './app/station-client';
import { createStore, linkFromHash, navigated } from './app/store';
import { liveActions } from './features/live/live-slice';
import { popoutLayoutOf } from './features/live/popout';
import { PopoutWindow } from './features/live/PopoutWindow';
import { SignedIn } from './features/operators/AuthForms';
import { playbackActions } from './features/recording/playback-slice';
import { initI18n, saveLanguageWith } from './i18n';
import './ui/theme.css';

// The token has moved into an HttpOnly cookie; keep it out of the address bar and history.
if (location.search.includes('token=')) history.replaceState(null, '', location.pathname + location.hash);

initI18n();
const client = createStationClient();
// A language chosen here is the station's too: the desktop app's notifications, tray and menus follow it.
saveLanguageWith((language) => void client.call('settings.update', { language }).catch(() => {}));
const store = createStore(client, linkFromHash(location.hash).view);
// A window of its own for one layout (Live's "Pop out"), or the main window.
const popout = popoutLayoutOf(location.hash);
if (popout !== null) store.dispatch(liveActions.poppedOut(popout));
// A link to a page or to a moment of the archive, at start and whenever the address changes.
const follow = () => {
  const link = linkFromHash(location.hash);
  store.dispatch(navigated(link.view));
  if (link.jump) store.dispatch(playbackActions.jumpRequested(link.jump));
};
follow();
window.addEventListener('hashchange', follow);
// The desktop app's menu: its page shortcuts (Alt+1…7) arrive as 'navigate:<page>'.
window.watchpost?.desktop?.onCommand((command) => {
  const page = /^navigate:([a-z]+)$/.exec(command)?.[1];
  if (page) location.replace(`#/${page}`);
});
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <ClientContext.Provider value={client}>
        {popout === null ? <App /> : <SignedIn><PopoutWindow /></SignedIn>}
      </ClientContext.Provider>
    </Provider>
  </StrictMode>,
);
