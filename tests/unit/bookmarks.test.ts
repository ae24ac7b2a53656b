import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bookmark } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { bookmarkHandlers } from '../../electron/core/recording/bookmarks';
import { createDispatcher, type Dispatch, type Handlers } from '../../electron/core/rpc';
import { openDatabase, type Db } from '../../electron/core/storage/db';

let dir: string;
let db: Db;
let call: (name: string, input: unknown) => ReturnType<Dispatch>;
const T = Date.UTC(2026, 10, 2, 10);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-bm-'));
  db = openDatabase(join(dir, 'station.db'));
  const dispatch = createDispatcher(bookmarkHandlers({ db, clock: () => T + 3_600_000 }) as Handlers, pino({ level: 'silent' }));
  const session = new ClientSession('ws-test');
  call = (name, input) => dispatch(name, input, session);
});
afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

async function value<T>(p: ReturnType<Dispatch>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
}
const names = (bs: Bookmark[]) => bs.map((b) => b.name);

describe('bookmarks (core and calls)', () => {
  it('adds, finds by text, tag, channel and time, edits and deletes', async () => {
    const a = await value<Bookmark>(call('bookmarks.add', { channelIds: [1, 2], from: T, to: T + 60_000, name: 'Van at gate', note: 'white, no plates', tags: ['vehicle', 'gate'] }));
    expect(a).toMatchObject({ channelIds: [1, 2], start: T, end: T + 60_000, tags: ['vehicle', 'gate'], lockIds: [], createdBy: { client: 'browser' } });
    await value(call('bookmarks.add', { channelIds: [3], from: T + 600_000, to: T + 600_000, name: 'Door left open' }));
    expect(names(await value(call('bookmarks.list', {})))).toEqual(['Door left open', 'Van at gate']);
    expect(names(await value(call('bookmarks.list', { text: 'PLATES' })))).toEqual(['Van at gate']);
    expect(names(await value(call('bookmarks.list', { tag: 'Gate' })))).toEqual(['Van at gate']);
    expect(names(await value(call('bookmarks.list', { channelIds: [3] })))).toEqual(['Door left open']);
    expect(names(await value(call('bookmarks.list', { from: T + 30_000, to: T + 40_000 })))).toEqual(['Van at gate']);
    expect(names(await value(call('bookmarks.list', { text: '%' })))).toEqual([]);
    const edited = await value<Bookmark>(call('bookmarks.update', { id: a.id, name: 'Van', tags: ['vehicle'] }));
    expect(edited).toMatchObject({ name: 'Van', note: 'white, no plates', tags: ['vehicle'] });
    expect(await value(call('bookmarks.remove', { id: a.id }))).toEqual({ removed: true });
    expect(names(await value(call('bookmarks.list', {})))).toEqual(['Door left open']);
    expect((await call('bookmarks.update', { id: a.id, name: 'x' })).ok).toBe(false);
  });

  it('locks its range as evidence on each channel when asked', async () => {
    const b = await value<Bookmark>(call('bookmarks.add', { channelIds: [1, 2], from: T, to: T + 5000, name: 'Fight', lock: true }));
    expect(b.lockIds).toHaveLength(2);
    const locks = db.prepare('SELECT channel_id, start_ms, end_ms, reason FROM rec_lock ORDER BY channel_id').all();
    expect(locks).toEqual([{ channel_id: 1, start_ms: T, end_ms: T + 5000, reason: 'Fight' }, { channel_id: 2, start_ms: T, end_ms: T + 5000, reason: 'Fight' }]);
  });

  it('refuses bad input, naming the problem, and stores nothing', async () => {
    const bad = [
      ['bookmarks.list', { from: T, to: T }],
      ['bookmarks.add', { channelIds: [1], from: T, to: T, name: 'x', lock: true }],
      ['bookmarks.add', { channelIds: [1], from: T + 1, to: T, name: 'x' }],
      ['bookmarks.add', { channelIds: [1], from: T, to: T, name: '  ' }],
      ['bookmarks.add', { channelIds: [], from: T, to: T, name: 'x' }],
    ] as const;
    for (const [name, input] of bad) {
      const r = await call(name, input);
      expect(r.ok, `${name} ${JSON.stringify(input)}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('bad_input');
    }
    const r = await call('bookmarks.list', { from: T, to: T });
    if (!r.ok) expect(r.error.message).toMatch(/end of the range must be after its start/);
    expect(db.prepare('SELECT count(*) AS n FROM rec_bookmark').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM rec_lock').get()).toEqual({ n: 0 });
  });

  it('searches a channel and time window through the indexes', () => {
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT bookmark_id FROM rec_bookmark_channel WHERE channel_id IN (1, 2) AND start_ms < 5').all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/rec_bookmark_channel_start|PRIMARY KEY/);
  });
});
