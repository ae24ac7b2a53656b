// Layouts popped out to their own window: the link that opens one, and the Live state such a window keeps (its own
// layout, the main window's cameras as they change, an alarm's camera popped up, nothing written back).
import { describe, expect, it } from 'vitest';
import { liveActions, liveReducer, parsePersisted, persistLive } from '../../renderer/src/features/live/live-slice';
import { popoutHash, popoutLayoutOf } from '../../renderer/src/features/live/popout';

const state = (tiles: (number | null)[], layoutId = '4') => {
  const s = liveReducer(undefined, { type: 'init' });
  return { ...s, layoutId, tiles: [...tiles, ...Array(64 - tiles.length).fill(null)] };
};

describe('pop-out links', () => {
  it('name the layout of a pop-out window, and only of one', () => {
    expect(popoutHash('custom:Back gate')).toBe('#/live?layout=custom%3ABack%20gate&window=popout');
    expect(popoutLayoutOf(popoutHash('custom:Back gate'))).toBe('custom:Back gate');
    expect(popoutLayoutOf('#/live?layout=9&window=popout')).toBe('9');
    expect(popoutLayoutOf('#/live?layout=9')).toBeNull();
    expect(popoutLayoutOf('#/playback?layout=9&window=popout')).toBeNull();
    expect(popoutLayoutOf('#/live?layout=&window=popout')).toBeNull();
    expect(popoutLayoutOf(`#/live?layout=${'x'.repeat(41)}&window=popout`)).toBeNull();
    expect(popoutLayoutOf('')).toBeNull();
  });
});

describe('a pop-out window\'s Live state', () => {
  it('shows its own layout and writes nothing back', () => {
    const s = liveReducer(state([1, 2, 3, 4]), liveActions.poppedOut('9'));
    expect(s).toMatchObject({ popout: true, layoutId: '9', autoFilled: true });
    const written: string[] = [];
    (globalThis as { localStorage?: unknown }).localStorage = { setItem: (_k: string, v: string) => written.push(v) };
    try {
      persistLive({ live: s });
      expect(written).toEqual([]);
      persistLive({ live: { ...s, popout: false } });
      expect(written).toHaveLength(1);
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });

  it('follows the main window\'s cameras and keeps its maximized camera in view', () => {
    let s = liveReducer(state([1, 2, 3, 4]), liveActions.poppedOut('4'));
    const main = parsePersisted(JSON.stringify({ layoutId: '16', tiles: [5, 2, 3, 4] }));
    s = liveReducer(s, liveActions.followed(main));
    expect(s.tiles.slice(0, 4)).toEqual([5, 2, 3, 4]);
    expect(s.layoutId).toBe('4');
    // Camera 3 maximized here; the main window moves it to tile 1, then out of this layout's four tiles.
    s = liveReducer(s, liveActions.maximizeToggled(2));
    s = liveReducer(s, liveActions.followed({ ...main, tiles: [5, 3, 2, 4] }));
    expect(s.maximized).toBe(1);
    s = liveReducer(s, liveActions.followed({ ...main, tiles: [5, 6, 2, 4, 7, 8, 9, 3] }));
    expect([s.maximized, s.tiles[1]]).toEqual([1, 3]);
  });

  it('an alarm\'s pop-up: the camera maximized where it shows, else in the selected tile', () => {
    let s = liveReducer(state([1, 2, 3, 4, 5]), liveActions.cameraShown(3));
    expect([s.maximized, s.tiles.slice(0, 5)]).toEqual([2, [1, 2, 3, 4, 5]]);
    // Camera 5 sits in tile 5, which the 4-tile layout does not show: it moves to the selected tile.
    s = liveReducer(liveReducer(s, liveActions.tileSelected(1)), liveActions.cameraShown(5));
    expect([s.maximized, s.tiles.slice(0, 5)]).toEqual([1, [1, 5, 3, 4, null]]);
    s = liveReducer(s, liveActions.cameraShown(9));
    expect([s.maximized, s.tiles[1]]).toEqual([1, 9]);
    // A selected tile the layout no longer shows: the first tile.
    s = liveReducer(liveReducer(s, liveActions.layoutChosen('1')), liveActions.cameraShown(4));
    expect([s.maximized, s.tiles[0]]).toEqual([0, 4]);
  });
});
