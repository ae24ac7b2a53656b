import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { PlaybackState } from '../../../../electron/contract';
import { stationThunk } from '../../app/station-api';
import { centredOn, notPastNow, pan, selectionUntilNow, zoom, type TimelineView } from './timeline-view';
import { errorText } from '../../i18n/errors';

export interface ArchiveChannel { channelId: number; name: string }
export interface PlaybackSessionInfo { state: PlaybackState; channels: { channelId: number; channel: number }[] }

/** At most this many channels play on one clock. */
export const MAX_PLAYBACK_CHANNELS = 16;

export interface PlaybackSliceState {
  /** 'local' or a foreign folder opened with archive.openFolder. */
  source: string;
  channels: ArchiveChannel[];
  /** The channels shown (videos and timelines), in channel order. */
  selected: number[];
  view: TimelineView;
  session: PlaybackSessionInfo | null;
  /** Wall time under the playhead (epoch ms), while a session plays. */
  position?: number;
  selection?: { from: number; to: number };
  message: string | null;
  /** An instant to open playback at once the channels are known (a jump from an event). */
  pendingOpen?: number;
}

const initialState: PlaybackSliceState = {
  source: 'local', channels: [], selected: [], view: notPastNow(centredOn(Date.now(), 3_600_000), Date.now()), session: null, message: null,
};

const playback = createSlice({
  name: 'playback',
  initialState,
  reducers: {
    sourceChanged: (s, a: PayloadAction<{ source: string; selected?: number[] }>) => {
      s.source = a.payload.source;
      if (a.payload.selected) s.selected = a.payload.selected.slice(0, MAX_PLAYBACK_CHANNELS);
    },
    channelsLoaded: (s, a: PayloadAction<ArchiveChannel[]>) => {
      const list = a.payload;
      s.channels = list;
      s.selected = s.selected.length ? s.selected.filter((id) => list.some((c) => c.channelId === id)) : list.slice(0, 4).map((c) => c.channelId);
    },
    channelToggled: (s, a: PayloadAction<{ channelId: number; on: boolean }>) => {
      const { channelId, on } = a.payload;
      if (on && !s.selected.includes(channelId) && s.selected.length < MAX_PLAYBACK_CHANNELS) s.selected = [...s.selected, channelId].sort((x, y) => x - y);
      if (!on) s.selected = s.selected.filter((x) => x !== channelId);
    },
    // The view never runs past now (the clock is read where the action is made, so the reducers stay pure).
    viewSet: {
      reducer: (s, a: PayloadAction<{ view: TimelineView; now: number }>) => { s.view = notPastNow(a.payload.view, a.payload.now); },
      prepare: (view: TimelineView) => ({ payload: { view, now: Date.now() } }),
    },
    viewPanned: {
      reducer: (s, a: PayloadAction<{ delta: number; now: number }>) => { s.view = notPastNow(pan(s.view, a.payload.delta), a.payload.now); },
      prepare: (delta: number) => ({ payload: { delta, now: Date.now() } }),
    },
    viewZoomed: {
      reducer: (s, a: PayloadAction<{ factor: number; at: number; now: number }>) => { s.view = notPastNow(zoom(s.view, a.payload.factor, a.payload.at), a.payload.now); },
      prepare: (p: { factor: number; at: number }) => ({ payload: { ...p, now: Date.now() } }),
    },
    /** Opening Playback from an event: that channel joins the view, the timeline centres on the instant, and it plays from there. */
    jumpRequested: {
      prepare: (p: { at: number; channelId: number | null }) => ({ payload: { ...p, now: Date.now() } }),
      reducer: (s, a: PayloadAction<{ at: number; channelId: number | null; now: number }>) => {
        const { at, channelId } = a.payload;
        s.source = 'local';
        s.view = notPastNow(centredOn(at, Math.min(3_600_000, Math.max(600_000, s.view.to - s.view.from))), a.payload.now);
        if (channelId !== null && !s.selected.includes(channelId)) {
          const keep = s.selected.length >= MAX_PLAYBACK_CHANNELS ? s.selected.slice(0, MAX_PLAYBACK_CHANNELS - 1) : s.selected;
          s.selected = [...keep, channelId].sort((x, y) => x - y);
        }
        s.pendingOpen = at;
      },
    },
    pendingOpenTaken: (s) => { s.pendingOpen = undefined; },
    sessionOpened: (s, a: PayloadAction<PlaybackSessionInfo>) => { s.session = a.payload; s.position = undefined; },
    sessionStateChanged: (s, a: PayloadAction<PlaybackState>) => {
      if (s.session && s.session.state.sessionId === a.payload.sessionId) s.session.state = a.payload;
    },
    sessionClosed: (s) => { s.session = null; s.position = undefined; },
    positionChanged: (s, a: PayloadAction<number | undefined>) => { s.position = a.payload; },
    /** A selection (to export or lock) ends at now: nothing after it is recorded yet. */
    selectionChanged: {
      reducer: (s, a: PayloadAction<{ sel?: { from: number; to: number }; now: number }>) => { s.selection = a.payload.sel && selectionUntilNow(a.payload.sel, a.payload.now); },
      prepare: (sel: { from: number; to: number } | undefined) => ({ payload: { sel, now: Date.now() } }),
    },
    messageShown: (s, a: PayloadAction<string | null>) => { s.message = a.payload; },
  },
});

export const playbackActions = playback.actions;
export const playbackReducer = playback.reducer;
const A = playbackActions;

/** The channels of an archive (names from the station; foreign folders by number); a failure is shown as the message. */
export const loadArchiveChannels = stationThunk('playback/loadChannels', async (source: string, { dispatch, extra }) => {
  try {
    dispatch(A.channelsLoaded(await extra.client.call('archive.channels', { source })));
  } catch (e) {
    dispatch(A.messageShown(errorText(e)));
  }
});

/** Opens a recordings folder from elsewhere as the source, showing its first four channels. */
export const openArchiveFolder = stationThunk('playback/openFolder', async (path: string, { dispatch, extra }) => {
  try {
    const r = await extra.client.call('archive.openFolder', { path });
    dispatch(A.sourceChanged({ source: r.source, selected: r.channels.slice(0, 4) }));
  } catch (e) {
    dispatch(A.messageShown(errorText(e)));
  }
});

/** The session plays exactly the channels shown (else a seek opens a new one). */
export function sessionMatches(s: PlaybackSliceState): boolean {
  return !!s.session && s.session.channels.map((c) => c.channelId).join(',') === s.selected.join(',');
}
