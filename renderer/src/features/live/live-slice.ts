import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { TOUR_SECONDS, type LiveDesk, type SavedView, type StreamStatus } from '../../../../electron/contract';
import { stationThunk } from '../../app/station-api';
import type { Layout } from './layouts';
import { layoutById, MAX_TILES } from './layouts';

export type { SavedView };

export const statusAdapter = createEntityAdapter<StreamStatus, string>({ selectId: (s) => s.streamId });

export const LIVE_STORAGE_KEY = 'watchpost.live';
/** What this browser keeps: the desk's own layout and cameras. Views, custom layouts and the tour are the station's (live.desk). */
export interface Persisted { layoutId: string; tiles: (number | null)[]; autoFilled: boolean }
/** What earlier versions kept in the browser instead of the station: moved there once (loadDesk). */
interface Legacy { views?: SavedView[]; custom?: Layout[]; tourSeconds?: number }

/** The kept Live state from its JSON (what another window wrote, too); defaults for what is missing or unreadable. */
export function parsePersisted(json: string | null): Persisted & Legacy {
  const fallback: Persisted = { layoutId: '4', tiles: Array(MAX_TILES).fill(null), autoFilled: false };
  try {
    const raw = JSON.parse(json ?? 'null') as (Partial<Persisted> & Legacy) | null;
    return raw ? { ...fallback, ...raw, tiles: [...(raw.tiles ?? []), ...fallback.tiles].slice(0, MAX_TILES) } : fallback;
  } catch {
    return fallback;
  }
}

function load(): ReturnType<typeof parsePersisted> {
  try {
    return parsePersisted(localStorage.getItem(LIVE_STORAGE_KEY));
  } catch {
    return parsePersisted(null);
  }
}

const { views: legacyViews = [], custom: legacyLayouts = [], tourSeconds: legacyTour, ...persisted } = load();

const live = createSlice({
  name: 'live',
  initialState: {
    ...persisted,
    /** The station's (live.desk), the same at every desk. */
    views: [] as SavedView[],
    custom: [] as Layout[],
    tourSeconds: TOUR_SECONDS.initial as number,
    selected: 0,
    maximized: null as number | null,
    showStats: false,
    touring: false,
    tourIndex: 0,
    statuses: statusAdapter.getInitialState(),
    /** This window shows one layout popped out of the main one (`#/live?layout=<id>&window=popout`); it keeps nothing. */
    popout: false,
  },
  reducers: {
    layoutChosen: (s, a: PayloadAction<string>) => { s.layoutId = a.payload; s.maximized = null; },
    tileSelected: (s, a: PayloadAction<number>) => { s.selected = a.payload; },
    cameraPlaced: (s, a: PayloadAction<{ tile: number; channelId: number | null }>) => {
      // A camera shows in one tile at a time: placing it moves it.
      if (a.payload.channelId !== null) s.tiles = s.tiles.map((t) => (t === a.payload.channelId ? null : t));
      s.tiles[a.payload.tile] = a.payload.channelId;
    },
    channelGone: (s, a: PayloadAction<number>) => { s.tiles = s.tiles.map((t) => (t === a.payload ? null : t)); },
    maximizeToggled: (s, a: PayloadAction<number>) => { s.maximized = s.maximized === a.payload ? null : a.payload; },
    statsToggled: (s) => { s.showStats = !s.showStats; },
    statusReceived: (s, a: PayloadAction<StreamStatus>) => { statusAdapter.upsertOne(s.statuses, a.payload); },
    statusesLoaded: (s, a: PayloadAction<StreamStatus[]>) => { statusAdapter.setAll(s.statuses, a.payload); },
    /** The station's views, layouts and tour time (loaded, or changed at any desk); a custom layout gone falls back to 4 tiles. */
    deskLoaded: (s, a: PayloadAction<LiveDesk>) => {
      s.views = a.payload.views;
      s.custom = a.payload.layouts;
      s.tourSeconds = a.payload.tourSeconds;
      if (s.layoutId.startsWith('custom:') && !s.custom.some((l) => l.id === s.layoutId)) { s.layoutId = '4'; s.maximized = null; }
      if (s.views.length < 2) s.touring = false;
    },
    viewOpened: (s, a: PayloadAction<string>) => {
      const v = s.views.find((x) => x.name === a.payload);
      if (v) { s.layoutId = v.layoutId; s.tiles = [...v.tiles]; s.maximized = null; }
    },
    /** First run: show the cameras there are in the smallest layout that holds them. */
    autoFilled: (s, a: PayloadAction<{ channelIds: number[]; layoutId: string }>) => {
      s.autoFilled = true;
      s.layoutId = a.payload.layoutId;
      a.payload.channelIds.forEach((id, i) => (s.tiles[i] = id));
    },
    poppedOut: (s, a: PayloadAction<string>) => {
      s.popout = true;
      s.layoutId = a.payload;
      s.maximized = null;
      s.autoFilled = true;
    },
    /** A pop-out follows the main window's cameras (placed, a tour's step, an alarm's pop-up); its layout and its maximized camera stay. */
    followed: (s, a: PayloadAction<Pick<Persisted, 'tiles'>>) => {
      const kept = s.maximized === null ? null : s.tiles[s.maximized] ?? null;
      s.tiles = [...a.payload.tiles];
      if (kept === null) return;
      const at = s.tiles.indexOf(kept);
      if (at >= 0 && at < layoutById(s.layoutId, s.custom).cells.length) s.maximized = at;
      else s.tiles[s.maximized!] = kept;
    },
    /** An alarm's pop-up: its camera maximized, in the tile that shows it, else in the selected tile. */
    cameraShown: (s, a: PayloadAction<number>) => {
      const shown = layoutById(s.layoutId, s.custom).cells.length;
      let tile = s.tiles.indexOf(a.payload);
      if (tile < 0 || tile >= shown) {
        if (tile >= 0) s.tiles[tile] = null;
        tile = s.selected < shown ? s.selected : 0;
        s.tiles[tile] = a.payload;
      }
      s.maximized = tile;
    },
    tourToggled: (s) => { s.touring = !s.touring && s.views.length > 1; s.tourIndex = 0; },
    tourAdvanced: (s) => {
      if (!s.touring || s.views.length === 0) return;
      s.tourIndex = (s.tourIndex + 1) % s.views.length;
      const v = s.views[s.tourIndex]!;
      s.layoutId = v.layoutId;
      s.tiles = [...v.tiles];
      s.maximized = null;
    },
  },
});

export const liveActions = live.actions;
export const liveReducer = live.reducer;

/** Statuses of streams that started before the page opened (later ones arrive as stream.status); a failure leaves them as they are. */
export const loadStreamStatuses = stationThunk('live/loadStatuses', async (_: void, { dispatch, extra }) => {
  try {
    dispatch(liveActions.statusesLoaded(await extra.client.call('streams.status', {})));
  } catch {
    // The pushes keep the statuses current anyway.
  }
});

/** Keeps this desk's layout and tiles across restarts of the renderer. */
export function persistLive(state: { live: ReturnType<typeof liveReducer> }): void {
  if (state.live.popout) return;
  const { layoutId, tiles, autoFilled } = state.live;
  localStorage.setItem(LIVE_STORAGE_KEY, JSON.stringify({ layoutId, tiles, autoFilled } satisfies Persisted));
}

type LiveState = { live: ReturnType<typeof liveReducer> };

/**
 * The station's views, layouts and tour time. Views and layouts this browser kept before the station did are moved there
 * once, when the station has none (then the browser's copy is written over without them).
 */
export const loadDesk = stationThunk('live/loadDesk', async (_: void, { dispatch, getState, extra: { client } }) => {
  let desk = await client.call('live.desk', {});
  const popout = (getState() as LiveState).live.popout;
  if (!popout && desk.views.length === 0 && desk.layouts.length === 0 && (legacyViews.length > 0 || legacyLayouts.length > 0)) {
    for (const l of legacyLayouts) desk = await client.call('live.layouts.save', l).catch(() => desk);
    for (const v of legacyViews) desk = await client.call('live.views.save', v).catch(() => desk);
    if (legacyTour !== undefined) desk = await client.call('live.tour.set', { seconds: legacyTour }).catch(() => desk);
    legacyViews.length = legacyLayouts.length = 0;
    persistLive(getState() as LiveState);
  }
  dispatch(liveActions.deskLoaded(desk));
});

/** Saves the layout and cameras shown under a name, in the station. */
export const saveView = stationThunk('live/saveView', async (name: string, { dispatch, getState, extra: { client } }) => {
  const { layoutId, tiles } = (getState() as LiveState).live;
  // Trailing empty tiles are not kept (a 4-tile view stores 4 or fewer, not 64).
  const last = tiles.reduce<number>((n, t, i) => (t === null ? n : i + 1), 0);
  dispatch(liveActions.deskLoaded(await client.call('live.views.save', { name, layoutId, tiles: tiles.slice(0, last) })));
});

export const deleteView = stationThunk('live/deleteView', async (name: string, { dispatch, extra: { client } }) => {
  dispatch(liveActions.deskLoaded(await client.call('live.views.delete', { name })));
});

/** Saves a custom layout in the station and shows it. */
export const saveLayout = stationThunk('live/saveLayout', async (layout: Layout, { dispatch, extra: { client } }) => {
  dispatch(liveActions.deskLoaded(await client.call('live.layouts.save', layout)));
  dispatch(liveActions.layoutChosen(layout.id));
});

export const deleteLayout = stationThunk('live/deleteLayout', async (id: string, { dispatch, extra: { client } }) => {
  dispatch(liveActions.deskLoaded(await client.call('live.layouts.delete', { id })));
});

export const setTourSeconds = stationThunk('live/setTourSeconds', async (seconds: number, { dispatch, extra: { client } }) => {
  dispatch(liveActions.deskLoaded(await client.call('live.tour.set', { seconds: Math.min(TOUR_SECONDS.max, Math.max(TOUR_SECONDS.min, Math.round(seconds))) })));
});
