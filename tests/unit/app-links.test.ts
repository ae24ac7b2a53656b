import { describe, expect, it } from 'vitest';
import { linkFromHash } from '../../renderer/src/app/store';

describe('links into the app', () => {
  it('name a page, or a moment of the archive with its channel', () => {
    expect(linkFromHash('#/devices')).toEqual({ view: 'devices' });
    expect(linkFromHash('')).toEqual({ view: 'live' });
    expect(linkFromHash('#/nowhere')).toEqual({ view: 'live' });
    expect(linkFromHash('#/playback?at=1700000000000&channel=3')).toEqual({ view: 'playback', jump: { at: 1_700_000_000_000, channelId: 3 } });
    expect(linkFromHash('#/playback?at=1700000000000')).toEqual({ view: 'playback', jump: { at: 1_700_000_000_000, channelId: null } });
    expect(linkFromHash('#/playback?at=soon&channel=3')).toEqual({ view: 'playback' });
    expect(linkFromHash('#/devices?at=1700000000000')).toEqual({ view: 'devices' });
  });
});
