import { describe, expect, it } from 'vitest';
import { MAX_PLAYBACK_CHANNELS, playbackActions as A, playbackReducer, sessionMatches } from '../../renderer/src/features/recording/playback-slice';

const init = () => playbackReducer(undefined, { type: 'init' });
const chans = (n: number) => Array.from({ length: n }, (_, i) => ({ channelId: i + 1, name: `C${i + 1}` }));

describe('playback slice', () => {
  it('shows the first four channels by default and keeps a choice across reloads of the list', () => {
    let s = playbackReducer(init(), A.channelsLoaded(chans(6)));
    expect(s.selected).toEqual([1, 2, 3, 4]);
    s = playbackReducer(s, A.channelToggled({ channelId: 2, on: false }));
    s = playbackReducer(s, A.channelsLoaded(chans(6)));
    expect(s.selected).toEqual([1, 3, 4]);
  });

  it('a jump from an event adds its channel to the view, centres the timeline on the instant and asks to play there', () => {
    let s = playbackReducer(init(), A.channelsLoaded(chans(6)));
    s = playbackReducer(s, A.jumpRequested({ at: 1_700_000_000_000, channelId: 6 }));
    expect(s.selected).toEqual([1, 2, 3, 4, 6]);
    expect((s.view.from + s.view.to) / 2).toBe(1_700_000_000_000);
    expect(s.pendingOpen).toBe(1_700_000_000_000);
    s = playbackReducer(s, A.pendingOpenTaken());
    expect(s.pendingOpen).toBeUndefined();
  });

  it('never shows more than 16 channels, a jump included', () => {
    let s = playbackReducer(init(), A.sourceChanged({ source: 'local', selected: chans(20).map((c) => c.channelId) }));
    expect(s.selected).toHaveLength(MAX_PLAYBACK_CHANNELS);
    s = playbackReducer(s, A.channelToggled({ channelId: 18, on: true }));
    expect(s.selected).not.toContain(18);
    s = playbackReducer(s, A.jumpRequested({ at: 5, channelId: 19 }));
    expect(s.selected).toHaveLength(MAX_PLAYBACK_CHANNELS);
    expect(s.selected).toContain(19);
  });

  it('a session matches only the channels shown', () => {
    let s = playbackReducer(init(), A.sourceChanged({ source: 'local', selected: [1, 2] }));
    const state = { sessionId: 1, t0: 0, startSeconds: 200, speed: 1, paused: false, position: 0, epoch: 1, ended: [] };
    s = playbackReducer(s, A.sessionOpened({ state, channels: [{ channelId: 1, channel: 1e6 }, { channelId: 2, channel: 1e6 + 1 }] }));
    expect(sessionMatches(s)).toBe(true);
    s = playbackReducer(s, A.sessionStateChanged({ ...state, sessionId: 9, paused: true }));
    expect(s.session?.state.paused).toBe(false);
    s = playbackReducer(s, A.channelToggled({ channelId: 3, on: true }));
    expect(sessionMatches(s)).toBe(false);
  });
});
