// Privacy masks through the dispatcher with the real rights check, accounts and operation log (SQLite): bad outlines
// refused with the field's label and nothing stored lost; lifting needs its own right and a reason, lasts for the
// session only, and is logged; the station burns in every mask the asking session has not lifted.
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALL_NAMES, type MaskDraft } from '../../electron/contract';
import { AuthService } from '../../electron/core/auth/auth-service';
import { ClientSession } from '../../electron/core/client-session';
import { burnInOutlines, maskHandlers } from '../../electron/core/redaction/masks';
import { createDispatcher, type Dispatch, type Handlers } from '../../electron/core/rpc';
import { SignalBus } from '../../electron/core/signal-bus';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const peer = { transport: 'browser', address: '127.0.0.1' } as const;
let db: Db, auth: AuthService, dispatch: Dispatch;
const admin = new ClientSession('admin', undefined, peer);
const supervisor = new ClientSession('supervisor', undefined, peer);
const operator = new ClientSession('operator', undefined, peer);
const changed: number[] = [];

const square = (x: number, y: number, s: number) => [{ x, y }, { x: x + s, y }, { x: x + s, y: y + s }, { x, y: y + s }];
const WINDOW: MaskDraft = { name: 'Window', kind: 'liftable', points: square(0.1, 0.1, 0.2) };
const DOOR: MaskDraft = { name: 'Door', kind: 'permanent', points: [{ x: 0.6, y: 0.2 }, { x: 0.9, y: 0.25 }, { x: 0.8, y: 0.9 }] };

beforeAll(async () => {
  db = openDatabase(`${scope.tempDir('wp-masks-')}/station.db`);
  scope.defer(() => db.close());
  const signals = new SignalBus();
  signals.subscribe((name, payload) => { if (name === 'masks.changed') changed.push((payload as { channelId: number }).channelId); });
  auth = new AuthService({ db, signals, logger: pino({ level: 'silent' }), clock: Date.now });
  scope.defer(() => auth.dispose());
  const stubs = Object.fromEntries(CALL_NAMES.map((n) => [n, () => { throw new Error('not in this test'); }])) as unknown as Handlers;
  const masks = maskHandlers({ db, signals, clock: Date.now, channelExists: async (id) => { if (id > 10) throw new Error('no channel'); } });
  dispatch = createDispatcher({ ...stubs, ...auth.handlers, ...masks } as Handlers, pino({ level: 'silent' }), auth.guard);
  expect(await dispatch('auth.setup', TEST_ADMIN, admin)).toMatchObject({ ok: true });
  for (const [s, role] of [[supervisor, 'supervisor'], [operator, 'operator']] as const) {
    expect(await dispatch('users.create', { name: `u-${role}`, password: `${role}-Password-9`, roleId: role, channels: null, mustChangePassword: false }, admin)).toMatchObject({ ok: true });
    expect(await dispatch('auth.signIn', { name: `u-${role}`, password: `${role}-Password-9` }, s)).toMatchObject({ ok: true });
  }
}, 60_000);

describe('privacy masks', () => {
  it('are saved per channel, in order, and reach every session', async () => {
    const r = await dispatch('masks.save', { channelId: 1, masks: [WINDOW, DOOR] }, admin);
    expect(r).toMatchObject({ ok: true });
    expect(changed).toContain(1);
    const seen = await dispatch('masks.list', {}, operator);
    expect(seen).toMatchObject({ ok: true, value: [{ channelId: 1, name: 'Window', kind: 'liftable', lifted: false }, { channelId: 1, name: 'Door', kind: 'permanent', lifted: false }] });
  });

  it('refuses bad outlines with the field named, and keeps what was stored', async () => {
    const bad = async (m: unknown[]) => {
      const r = await dispatch('masks.save', { channelId: 1, masks: m }, admin);
      expect(r.ok).toBe(false);
      return (r as { error: { reason: string; params: Record<string, unknown>; message: string } }).error;
    };
    expect(await bad([{ ...WINDOW, points: [{ x: 0.1, y: 0.1 }, { x: 1.2, y: 0.1 }, { x: 0.5, y: 0.5 }] }]))
      .toMatchObject({ reason: 'mask.outside', params: { field: 'points', name: 'Window' } });
    const bowTie = [{ x: 0.1, y: 0.1 }, { x: 0.5, y: 0.5 }, { x: 0.5, y: 0.1 }, { x: 0.1, y: 0.5 }];
    const crossing = await bad([{ ...WINDOW, name: 'Bow tie', points: bowTie }]);
    expect(crossing).toMatchObject({ reason: 'mask.selfIntersecting', params: { field: 'points', name: 'Bow tie' } });
    expect(crossing.message).toMatch(/^Mask outline: the outline of mask “Bow tie” crosses itself/);
    expect(await bad([{ ...WINDOW, points: WINDOW.points.slice(0, 2) }])).toMatchObject({ reason: 'field.tooFew', params: { field: 'points', min: 3 } });
    expect(await bad(Array.from({ length: 9 }, (_, i) => ({ ...WINDOW, name: `M${i}` })))).toMatchObject({ reason: 'field.tooMany', params: { field: 'masks', max: 8 } });
    expect(await dispatch('masks.save', { channelId: 1, masks: [WINDOW] }, operator)).toMatchObject({ ok: false, error: { reason: 'auth.missingRight', params: { right: 'privacyMasks' } } });
    expect((await dispatch('masks.list', {}, admin) as { value: unknown[] }).value).toHaveLength(2);
  });

  it('lifting needs its own right and a reason, lasts for the session, and is logged', async () => {
    const list = (await dispatch('masks.list', {}, admin) as { value: { id: number; name: string }[] }).value;
    const window = list.find((m) => m.name === 'Window')!, door = list.find((m) => m.name === 'Door')!;
    expect(await dispatch('masks.lift', { channelId: 1, id: window.id, reason: 'incident 7 at the window' }, operator))
      .toMatchObject({ ok: false, error: { reason: 'auth.missingRight', params: { right: 'liftMask' } } });
    expect(await dispatch('masks.lift', { channelId: 1, id: window.id }, supervisor)).toMatchObject({ ok: false, error: { reason: 'field.required', params: { field: 'reason' } } });
    expect(await dispatch('masks.lift', { channelId: 1, id: door.id, reason: 'just looking' }, supervisor)).toMatchObject({ ok: false, error: { reason: 'mask.notLiftable' } });
    const lifted = await dispatch('masks.lift', { channelId: 1, id: window.id, reason: 'incident 7 at the window' }, supervisor);
    expect(lifted).toMatchObject({ ok: true, value: [{ name: 'Window', lifted: true }, { name: 'Door', lifted: false }] });
    // Another session still sees it; the station burns it into pixels for everyone but the supervisor's session.
    expect(await dispatch('masks.list', {}, operator)).toMatchObject({ ok: true, value: [{ name: 'Window', lifted: false }, { name: 'Door' }] });
    expect(burnInOutlines(db, 1, operator)).toHaveLength(2);
    expect(burnInOutlines(db, 1, supervisor)).toEqual([DOOR.points]);
    expect(burnInOutlines(db, 1)).toHaveLength(2);
    auth.oplog.flush();
    const rows = auth.oplog.query({ kind: 'masks.lift' }, 10);
    expect(rows.find((r) => r.result === 'ok')).toMatchObject({ user: 'u-supervisor', channelId: 1, detail: expect.stringContaining('incident 7 at the window') });
    expect(rows.find((r) => r.user === 'u-operator')).toMatchObject({ result: 'refused', detail: expect.stringContaining('liftMask') });
    // Put back.
    expect(await dispatch('masks.restore', { channelId: 1, id: window.id }, supervisor)).toMatchObject({ ok: true, value: [{ name: 'Window', lifted: false }, { name: 'Door' }] });
    expect(burnInOutlines(db, 1, supervisor)).toHaveLength(2);
  });
});
