// Saved views, custom layouts and the tour time kept by the station: through the dispatcher, pushed to every page as
// live.desk, refused by field with nothing stored changed, and still there after the station restarts on the same folder.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallName, LiveDesk } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { fileScope } from '../helpers/fixtures';
import { openStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('live-desk-test');
const scope = fileScope();
let st: Station, dataDir: string;
const pushed: LiveDesk[] = [];

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);
const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);
const open = async () => {
  st = await openStation(dataDir, { heartbeatMs: 60_000 });
  st.signals.subscribe((name, payload) => { if (name === 'live.desk') pushed.push(payload as LiveDesk); });
  // The log opens asynchronously: a station closed and its folder removed before that races the log's mkdir.
  while (!existsSync(join(dataDir, 'logs', 'station.log'))) await new Promise((r) => setTimeout(r, 20));
};
const twoByTwo = (label: string) => ({
  id: `custom:${label}`, label, grid: 2,
  cells: [{ col: 0, row: 0, w: 2, h: 1 }, { col: 0, row: 1, w: 1, h: 1 }, { col: 1, row: 1, w: 1, h: 1 }],
});

beforeAll(async () => {
  dataDir = scope.tempDir('wp-livedesk-');
  await open();
  scope.defer(() => st.dispose());
});

describe('the Live desk in the station', () => {
  it('starts empty with the default tour time', async () => {
    expect(await call('live.desk')).toEqual({ views: [], layouts: [], tourSeconds: 20 });
  });

  it('saves views in tour order (a saved name keeps its place), layouts and the tour time, and pushes each change', async () => {
    await call('live.views.save', { name: 'Gate', layoutId: '4', tiles: [1, null, 2] });
    await call('live.views.save', { name: 'Yard', layoutId: '1', tiles: [3] });
    const desk = await call('live.views.save', { name: 'Gate', layoutId: '9', tiles: [2, 1] });
    expect(desk.views).toEqual([{ name: 'Gate', layoutId: '9', tiles: [2, 1] }, { name: 'Yard', layoutId: '1', tiles: [3] }]);
    expect(pushed.at(-1)).toEqual(desk);
    await call('live.layouts.save', twoByTwo('Lobby'));
    expect((await call('live.tour.set', { seconds: 45 })).tourSeconds).toBe(45);
    expect(pushed).toHaveLength(5);
    expect(await call('live.desk')).toEqual({ views: desk.views, layouts: [twoByTwo('Lobby')], tourSeconds: 45 });
  });

  it('refuses by field, storing nothing: an empty name, a layout with a hole or overlap, a tour too short, 65 tiles', async () => {
    const before = await call('live.desk');
    const count = pushed.length;
    expect(await refusal(call('live.views.save', { name: '  ', layoutId: '4', tiles: [] }))).toMatch(/^View name/);
    expect(await refusal(call('live.views.save', { name: 'Big', layoutId: '64', tiles: Array(65).fill(null) }))).toMatch(/^Cameras in the tiles takes at most 64/);
    const holed = { ...twoByTwo('Holed'), cells: twoByTwo('x').cells.slice(0, 2) };
    expect(await refusal(call('live.layouts.save', holed))).toBe('Tiles of the layout is not valid.');
    const overlapping = { ...twoByTwo('Over'), cells: [...twoByTwo('x').cells, { col: 1, row: 0, w: 1, h: 2 }] };
    expect(await refusal(call('live.layouts.save', overlapping))).toBe('Tiles of the layout is not valid.');
    expect(await refusal(call('live.layouts.save', { ...twoByTwo('Wide'), grid: 9 }))).toMatch(/^Grid size must be at most 8/);
    expect(await refusal(call('live.tour.set', { seconds: 1 }))).toMatch(/^Seconds per view must be at least 3/);
    expect(await call('live.desk')).toEqual(before);
    expect(pushed).toHaveLength(count);
  });

  it('deletes views and layouts, and keeps what is left over a restart of the station', async () => {
    await call('live.views.delete', { name: 'Yard' });
    await call('live.layouts.save', twoByTwo('Dock'));
    const desk = await call('live.layouts.delete', { id: 'custom:Lobby' });
    expect(desk.views.map((v) => v.name)).toEqual(['Gate']);
    expect(desk.layouts.map((l) => l.label)).toEqual(['Dock']);
    await st.dispose();
    await open();
    expect(await call('live.desk')).toEqual(desk);
  });
});
