import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './app/App';
import { ClientContext } from './app/client-context';
import { createStationClient } from './app/station-client';
import { createStore, linkFromHash, navigated } from './app/store';
import { playbackActions } from './features/recording/playback-slice';
import { initI18n } from './i18n';
import './ui/theme.css';

// The token has moved into an HttpOnly cookie; keep it out of the address bar and history.
if (location.search.includes('token=')) history.replaceState(null, '', location.pathname + location.hash);

initI18n();
const client = createStationClient();
const store = createStore(client, linkFromHash(location.hash).view);
// A link to a page or to a moment of the archive, at start and whenever the address changes.
const follow = () => {
  const link = linkFromHash(location.hash);
  store.dispatch(navigated(link.view));
  if (link.jump) store.dispatch(playbackActions.jumpRequested(link.jump));
};
follow();
window.addEventListener('hashchange', follow);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <ClientContext.Provider value={client}>
        <App />
      </ClientContext.Provider>
    </Provider>
  </StrictMode>,
);
