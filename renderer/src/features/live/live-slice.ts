import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { StreamStatus } from '../../../../electron/contract';
import { stationThunk } from '../../app/station-api';
import type { Layout } from './layouts';
import { layoutById, MAX_TILES } from './layouts';

export interface SavedView { name: string; layoutId: string; tiles: (number | null)[] }

export const statusAdapter = createEntityAdapter<StreamStatus, string>({ selectId: (s) => s.streamId });

export const LIVE_STORAGE_KEY = 'watchpost.live';
export interface Persisted { layoutId: string; tiles: (number | null)[]; views: SavedView[]; custom: Layout[]; tourSeconds: number; autoFilled: boolean }

/** The kept Live state from its JSON (what another window wrote, too); defaults for what is missing or unreadable. */
export function parsePersisted(json: string | null): Persisted {
  const fallback: Persisted = { layoutId: '4', tiles: Array(MAX_TILES).fill(null), views: [], custom: [], tourSeconds: 20, autoFilled: false };
  try {
    const raw = JSON.parse(json ?? 'null') as Partial<Persisted> | null;
    return raw ? { ...fallback, ...raw, tiles: [...(raw.tiles ?? []), ...fallback.tiles].slice(0, MAX_TILES) } : fallback;
  } catch {
    return fallback;
  }
}

function load(): Persisted {
  try {
    return parsePersisted(localStorage.getItem(LIVE_STORAGE_KEY));
  } catch {
    return parsePersisted(null);
  }
}

const persisted = load();

const live = createSlice({
  name: 'live',
  initialState: {
    ...persisted,
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
    viewSaved: (s, a: PayloadAction<string>) => {
      const view = { name: a.payload, layoutId: s.layoutId, tiles: [...s.tiles] };
      s.views = [...s.views.filter((v) => v.name !== a.payload), view];
    },
    viewOpened: (s, a: PayloadAction<string>) => {
      const v = s.views.find((x) => x.name === a.payload);
      if (v) { s.layoutId = v.layoutId; s.tiles = [...v.tiles]; s.maximized = null; }
    },
    viewDeleted: (s, a: PayloadAction<string>) => { s.views = s.views.filter((v) => v.name !== a.payload); },
    customLayoutSaved: (s, a: PayloadAction<Layout>) => {
      s.custom = [...s.custom.filter((l) => l.id !== a.payload.id), a.payload];
      s.layoutId = a.payload.id;
    },
    customLayoutDeleted: (s, a: PayloadAction<string>) => {
      s.custom = s.custom.filter((l) => l.id !== a.payload);
      if (s.layoutId === a.payload) { s.layoutId = '4'; s.maximized = null; }
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
    followed: (s, a: PayloadAction<Pick<Persisted, 'tiles' | 'views' | 'custom'>>) => {
      const kept = s.maximized === null ? null : s.tiles[s.maximized] ?? null;
      s.tiles = [...a.payload.tiles];
      s.views = a.payload.views;
      s.custom = a.payload.custom;
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
    tourSecondsSet: (s, a: PayloadAction<number>) => { s.tourSeconds = Math.min(600, Math.max(3, a.payload)); },
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

/** Keeps layout, tiles, views and custom layouts across restarts of the renderer. */
export function persistLive(state: { live: ReturnType<typeof liveReducer> }): void {
  if (state.live.popout) return;
  const { layoutId, tiles, views, custom, tourSeconds, autoFilled } = state.live;
  localStorage.setItem(LIVE_STORAGE_KEY, JSON.stringify({ layoutId, tiles, views, custom, tourSeconds, autoFilled } satisfies Persisted));
}
