import { configureStore, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ConnectionState, StationClient } from './station-client';
import { liveApi } from '../features/live/live-api';
import { redactionApi } from '../features/redaction/redaction-api';
import { sitesApi } from '../features/sites/sites-api';
import { liveActions, liveReducer, persistLive } from '../features/live/live-slice';
import { playbackReducer } from '../features/recording/playback-slice';
import { stationApi } from './station-api';

export const VIEWS = ['live', 'playback', 'storage', 'devices', 'events', 'privacy', 'settings', 'status', 'operators', 'health'] as const;
export type View = (typeof VIEWS)[number];

/** A link into the app: `#/devices`, or a moment of the archive, `#/playback?at=<epoch ms>&channel=<id>`. */
export function linkFromHash(hash: string): { view: View; jump?: { at: number; channelId: number | null } } {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'live';
  const params = new URLSearchParams(query);
  const at = Number(params.get('at'));
  const channel = Number(params.get('channel'));
  if (view !== 'playback' || !params.has('at') || !Number.isFinite(at)) return { view };
  return { view, jump: { at, channelId: Number.isInteger(channel) && channel > 0 ? channel : null } };
}

const shell = createSlice({
  name: 'shell',
  initialState: {
    view: 'live' as View, connection: 'connecting' as ConnectionState, lastHeartbeat: 0,
    /** Why the station ended this page's sign-in (a reason key: `auth.passwordChanged`), until the next sign-in. */
    signedOut: null as string | null,
  },
  reducers: {
    navigated: (s, a: PayloadAction<View>) => void (s.view = a.payload),
    connectionChanged: (s, a: PayloadAction<ConnectionState>) => void (s.connection = a.payload),
    heartbeat: (s, a: PayloadAction<number>) => void (s.lastHeartbeat = a.payload),
    signedOutBy: (s, a: PayloadAction<string | null>) => void (s.signedOut = a.payload),
  },
});
export const { navigated, connectionChanged, heartbeat, signedOutBy } = shell.actions;

export function createStore(client: StationClient, initialView: View) {
  const store = configureStore({
    reducer: { shell: shell.reducer, live: liveReducer, playback: playbackReducer, [stationApi.reducerPath]: stationApi.reducer },
    preloadedState: { shell: { ...shell.getInitialState(), view: initialView } },
    middleware: (gdm) => gdm({ thunk: { extraArgument: { client } } }).concat(stationApi.middleware),
  });
  client.onConnection((s) => {
    store.dispatch(connectionChanged(s));
    // A reconnect may follow a station restart: refetch everything.
    if (s === 'open') store.dispatch(stationApi.util.invalidateTags(['Status', 'Settings']));
  });
  // The sign-in page says why (the reconnection's resume is refused, which shows that page).
  client.onSignedOut((reason) => store.dispatch(signedOutBy(reason)));
  client.on('station.heartbeat', (p) => store.dispatch(heartbeat(p.at)));
  client.on('settings.changed', () => store.dispatch(stationApi.util.invalidateTags(['Settings', 'Status'])));
  client.on('stream.status', (p) => store.dispatch(liveActions.statusReceived(p)));
  client.on('live.clips', () => store.dispatch(liveApi.util.invalidateTags(['Clips'])));
  client.on('sites.changed', () => store.dispatch(sitesApi.util.invalidateTags(['Sites'])));
  client.on('masks.changed', () => store.dispatch(redactionApi.util.invalidateTags(['Masks'])));
  client.on('redaction.progress', (p) => { if (p.state !== 'running') store.dispatch(redactionApi.util.invalidateTags(['Redactions'])); });
  client.on('channels.changed', (list) => {
    store.dispatch(liveApi.util.invalidateTags(['Channels']));
    for (const t of new Set(store.getState().live.tiles)) if (t !== null && !list.some((c) => c.id === t)) store.dispatch(liveActions.channelGone(t));
  });
  let saved = store.getState().live;
  store.subscribe(() => {
    const now = store.getState().live;
    if (now.tiles !== saved.tiles || now.layoutId !== saved.layoutId || now.views !== saved.views || now.custom !== saved.custom || now.tourSeconds !== saved.tourSeconds || now.autoFilled !== saved.autoFilled) persistLive(store.getState());
    saved = now;
  });
  return store;
}

export type Store = ReturnType<typeof createStore>;
export type { StationClient };
export type RootState = ReturnType<Store['getState']>;
export type AppDispatch = Store['dispatch'];
