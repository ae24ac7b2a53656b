import { describe, expect, it } from 'vitest';
import type { Channel } from '../../electron/contract';
import { treeOrder } from '../../renderer/src/features/live/tree-order';

const ch = (id: number, device?: number, site?: number): Channel => ({
  id, name: `c${id}`, mainUrl: '', subUrl: null, hasCredentials: false, createdAt: 0, ptz: false,
  ...(device ? { device: { id: device, name: `d${device}` } } : {}), ...(site ? { site: { id: site, name: `s${site}` } } : {}),
});

describe('the camera list as a site tree (stations, devices, channels)', () => {
  it('keeps stations in list order, groups each station\'s channels by device, channels without a device first', () => {
    const list = [ch(1, 7), ch(2), ch(3, 8), ch(4, 7), ch(1_000_001, 2, 1), ch(1_000_002, undefined, 1), ch(1_000_003, 2, 1), ch(2_000_001, 2, 2)];
    expect(treeOrder(list).map((c) => c.id)).toEqual([2, 1, 4, 3, 1_000_002, 1_000_001, 1_000_003, 2_000_001]);
  });
});
