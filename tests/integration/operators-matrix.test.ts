// The rights matrix: each built-in role and a custom one × every call in the contract, through the dispatcher with the
// real rights check and accounts (SQLite, scrypt) and stub handlers (so no call changes anything): refused exactly when
// the declared right is missing, with the right named.
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES, CALL_NAMES, calls, type CallName, type Right } from '../../electron/contract';
import { AuthService } from '../../electron/core/auth/auth-service';
import { verifyOplog } from '../../electron/core/auth/operation-log';
import { ClientSession } from '../../electron/core/client-session';
import { createDispatcher, type Dispatch, type Handlers } from '../../electron/core/rpc';
import { SignalBus } from '../../electron/core/signal-bus';
import { openDatabase } from '../../electron/core/storage/db';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const REACHED = 'stub handler reached';
let auth: AuthService, dispatch: Dispatch, db: ReturnType<typeof openDatabase>;
const peer = { transport: 'browser', address: '127.0.0.1' } as const;
const sessions = new Map<string, ClientSession>();
const CUSTOM: Right[] = ['playback', 'export', 'evidence', 'recordingSettings'];
const roleRights = (role: string): readonly Right[] => (role === 'custom' ? CUSTOM : BUILTIN_ROLES[role as keyof typeof BUILTIN_ROLES]);

beforeAll(async () => {
  db = openDatabase(`${scope.tempDir('wp-matrix-')}/station.db`);
  scope.defer(() => db.close());
  // Items held in memory by services (here: export 7, clip 8 and playback session 9 are on channel 3; 17, 18, 19 on channel 1).
  const held = (kind: string, id: number) => ({ 'export:7': [3], 'clip:8': [3], 'playback:9': [3], 'export:17': [1], 'clip:18': [1], 'playback:19': [1] } as Record<string, number[]>)[`${kind}:${id}`];
  auth = new AuthService({ db, signals: new SignalBus(), logger: pino({ level: 'silent' }), clock: Date.now, heldItems: held });
  scope.defer(() => auth.dispose());
  const stubs = Object.fromEntries(CALL_NAMES.map((n) => [n, () => { throw new Error(REACHED); }])) as unknown as Handlers;
  // The account calls are real, so the matrix signs in as it would.
  dispatch = createDispatcher({ ...stubs, ...auth.handlers } as Handlers, pino({ level: 'silent' }), auth.guard);
  const admin = new ClientSession('admin', undefined, peer);
  expect(await dispatch('auth.setup', TEST_ADMIN, admin)).toMatchObject({ ok: true });
  sessions.set('administrator', admin);
  const custom = await dispatch('roles.save', { name: 'Evidence clerk', rights: CUSTOM }, admin);
  expect(custom).toMatchObject({ ok: true, value: { builtin: false, rights: CUSTOM } });
  for (const role of [...Object.keys(BUILTIN_ROLES).filter((r) => r !== 'administrator'), 'custom']) {
    const roleId = role === 'custom' ? (custom as { value: { id: string } }).value.id : role;
    const made = await dispatch('users.create', { name: `u-${role}`, password: `${role}-Password-9`, roleId, channels: [1, 2], mustChangePassword: false }, admin);
    expect(made, role).toMatchObject({ ok: true });
    const s = new ClientSession(role, undefined, peer);
    expect(await dispatch('auth.signIn', { name: `u-${role}`, password: `${role}-Password-9` }, s), role).toMatchObject({ ok: true });
    sessions.set(role, s);
  }
}, 60_000);

/** allowed: the call got past the rights check (to its input check or the stub); refused: the reason and the right. */
async function outcome(name: CallName, session: ClientSession): Promise<'allowed' | string> {
  const r = await dispatch(name, {}, session);
  if (r.ok || r.error.code !== 'forbidden' && r.error.code !== 'unauthenticated') return 'allowed';
  return `${r.error.reason}:${r.error.params?.right ?? ''}`;
}

function expected(name: CallName, rights: readonly Right[]): 'allowed' | string {
  const a = calls[name].access;
  if (a.kind === 'public' || a.kind === 'signedIn') return 'allowed';
  return rights.includes(a.right) ? 'allowed' : `auth.missingRight:${a.right}`;
}

// Calls that end or lock the caller's own sign-in are checked last, on their own.
const SELF = new Set<CallName>(['auth.signOut', 'auth.lock']);

describe('every role × every call', () => {
  for (const role of [...Object.keys(BUILTIN_ROLES), 'custom']) {
    it(`${role}: allowed or refused as declared`, async () => {
      const s = sessions.get(role)!;
      const got: Record<string, string> = {}, want: Record<string, string> = {};
      for (const name of CALL_NAMES.filter((n) => !SELF.has(n) && !n.startsWith('auth.'))) {
        got[name] = await outcome(name, s);
        want[name] = expected(name, roleRights(role));
      }
      expect(got).toEqual(want);
    });
  }

  it('a connection that has not signed in may call only the sign-in calls', async () => {
    const anon = new ClientSession('anon', undefined, peer);
    for (const name of CALL_NAMES) {
      const got = await outcome(name, anon);
      expect(got, name).toBe(calls[name].access.kind === 'public' ? 'allowed' : 'auth.signInNeeded:');
    }
  });

  it('a locked screen refuses every call but unlock, which needs the password', async () => {
    const s = sessions.get('viewer')!;
    expect(await dispatch('auth.lock', {}, s)).toMatchObject({ ok: true, value: { locked: true } });
    expect(await outcome('channels.list', s)).toBe('auth.screenLocked:');
    expect(await dispatch('auth.unlock', { password: 'wrong-password-1' }, s)).toMatchObject({ ok: false, error: { reason: 'auth.wrongPassword' } });
    expect(await dispatch('auth.unlock', { password: 'viewer-Password-9' }, s)).toMatchObject({ ok: true, value: { locked: false } });
    expect(await outcome('channels.list', s)).toBe('allowed');
  });

  it('the station’s own sessions (no transport) are not checked', async () => {
    expect(await outcome('users.remove', new ClientSession('tray'))).toBe('allowed');
  });
});

describe('calls naming an item by id: the right on that item\'s own channels', () => {
  // Stored items on channel 3 (outside every restricted user's channels 1 and 2) and on channel 1.
  beforeAll(() => {
    const now = Date.now();
    for (const [id, ch] of [[3, 3], [1, 1]] as const) {
      db.prepare('INSERT INTO rec_lock (id, channel_id, start_ms, end_ms, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, ch, now - 60_000, now, 'evidence', now);
      db.prepare("INSERT INTO rec_bookmark (id, start_ms, end_ms, name, created_at) VALUES (?, ?, ?, 'mark', ?)").run(id, now, now, now);
      db.prepare('INSERT INTO rec_bookmark_channel (bookmark_id, channel_id, start_ms) VALUES (?, ?, ?)').run(id, ch, now);
      db.prepare("INSERT INTO ev_event (id, channel_id, type, source, start_ms) VALUES (?, ?, 'motion', 'motion', ?)").run(id, ch, now);
      db.prepare("INSERT INTO redaction_export (id, channel_id, from_ms, to_ms, created_at, state, folder) VALUES (?, ?, ?, ?, ?, 'running', '')").run(id, ch, now - 60_000, now, now);
    }
    // A lock over every channel.
    db.prepare('INSERT INTO rec_lock (id, channel_id, start_ms, end_ms, reason, created_at) VALUES (5, NULL, ?, ?, ?, ?)').run(now - 60_000, now, 'all', now);
  });

  const CASES: [CallName, (id: number) => unknown, number, number][] = [
    ['archive.unlock', (id) => ({ lockId: id, reason: 'done' }), 3, 1],
    ['bookmarks.update', (id) => ({ id, name: 'renamed' }), 3, 1],
    ['bookmarks.remove', (id) => ({ id }), 3, 1],
    ['events.snapshot', (id) => ({ id }), 3, 1],
    ['events.acknowledge', (id) => ({ ids: [id] }), 3, 1],
    ['export.cancel', (id) => ({ exportId: id }), 7, 17],
    ['redaction.cancel', (id) => ({ exportId: id }), 3, 1],
    ['live.clipStop', (id) => ({ clipId: id }), 8, 18],
  ];
  const outcomeOf = async (name: CallName, input: unknown, s: ClientSession) => {
    const r = await dispatch(name, input, s);
    return r.ok || r.error.code !== 'forbidden' ? 'allowed' : `${r.error.reason}:${r.error.params?.right}:${r.error.params?.channel ?? ''}`;
  };

  it('a supervisor restricted to channels 1 and 2 is refused the items of channel 3, naming it, and allowed those of channel 1', async () => {
    const sup = sessions.get('supervisor')!;
    for (const [name, input, other, own] of CASES) {
      const right = name === 'events.acknowledge' || name === 'events.snapshot' ? 'live' : (calls[name].access as { right: string }).right;
      expect(await outcomeOf(name, input(other), sup), name).toBe(`auth.missingChannelRight:${right}:3`);
      expect(await outcomeOf(name, input(own), sup), name).toBe('allowed');
    }
    // A lock over every channel is only for a user with every channel.
    expect(await outcomeOf('archive.unlock', { lockId: 5, reason: 'done' }, sup)).toBe('auth.missingChannelRight:evidence:*');
    expect(await outcomeOf('archive.unlock', { lockId: 5, reason: 'done' }, sessions.get('administrator')!)).toBe('allowed');
    // An id that names nothing is the handler's to refuse (not found), not the rights check's.
    expect(await outcomeOf('archive.unlock', { lockId: 999, reason: 'done' }, sup)).toBe('allowed');
  });

  it('the administrator (every channel) is allowed all of them', async () => {
    for (const [name, input, other] of CASES) expect(await outcomeOf(name, input(other), sessions.get('administrator')!), name).toBe('allowed');
  });
});

describe('signals: what each connection is sent', () => {
  const channel = (id: number) => ({ id, name: `c${id}` });
  it('a restricted user gets lists cut to their cameras and nothing about another camera; a connection not signed in only public signals', () => {
    const op = sessions.get('operator')!;
    const anon = new ClientSession('anon-signals', undefined, peer);
    expect(auth.signalFor(op, 'channels.changed', [channel(1), channel(2), channel(3)])).toEqual([channel(1), channel(2)]);
    expect(auth.signalFor(op, 'stream.status', { streamId: '3/main', state: 'live', failures: 0 })).toBeUndefined();
    expect(auth.signalFor(op, 'stream.status', { streamId: '2/sub', state: 'live', failures: 0 })).toMatchObject({ streamId: '2/sub' });
    expect(auth.signalFor(op, 'event.changed', { id: 1, channelId: 3 })).toBeUndefined();
    expect(auth.signalFor(op, 'alarm.raised', { event: { id: 1, channelId: 3 }, ruleId: 1 })).toBeUndefined();
    expect(auth.signalFor(op, 'alarm.raised', { event: { id: 1, channelId: 1 }, ruleId: 1 })).toMatchObject({ ruleId: 1 });
    // A station event (no camera) reaches whoever holds the right.
    expect(auth.signalFor(op, 'event.changed', { id: 2, channelId: null })).toMatchObject({ id: 2 });
    expect(auth.signalFor(op, 'recording.status', { channels: [{ channelId: 3 }, { channelId: 1 }], forecast: {} })).toEqual({ channels: [{ channelId: 1 }], forecast: {} });
    expect(auth.signalFor(op, 'export.progress', { exportId: 7, state: 'running' })).toBeUndefined();
    expect(auth.signalFor(op, 'export.progress', { exportId: 17, state: 'running' })).toMatchObject({ exportId: 17 });
    expect(auth.signalFor(op, 'playback.state', { sessionId: 9 })).toBeUndefined();
    // A redacted export's progress, by its own channel (the rows stored above: 3 on channel 3, 1 on channel 1).
    expect(auth.signalFor(op, 'redaction.progress', { exportId: 3, state: 'running', done: 0 })).toBeUndefined();
    expect(auth.signalFor(op, 'redaction.progress', { exportId: 1, state: 'running', done: 0 })).toMatchObject({ exportId: 1 });
    expect(auth.signalFor(op, 'devices.changed', [])).toBeUndefined();
    expect(auth.signalFor(sessions.get('installer')!, 'devices.changed', [])).toEqual([]);
    expect(auth.signalFor(anon, 'channels.changed', [channel(1)])).toBeUndefined();
    expect(auth.signalFor(anon, 'station.heartbeat', { at: 1, uptimeMs: 1 })).toEqual({ at: 1, uptimeMs: 1 });
    // The station's own sessions (no transport) see everything.
    expect(auth.signalFor(new ClientSession('tray'), 'channels.changed', [channel(3)])).toEqual([channel(3)]);
  });
});

describe('accounts and the log through the dispatcher', () => {
  /** A station's auth alone, on its own database and clock. */
  function fresh(throttle?: { perUser: number; perAddress: number; windowMs: number; lockMs: number }) {
    const file = `${scope.tempDir('wp-accounts-')}/station.db`;
    const fdb = openDatabase(file);
    scope.defer(() => fdb.close());
    const clock = { now: Date.UTC(2026, 0, 1) };
    const a = new AuthService({ db: fdb, signals: new SignalBus(), logger: pino({ level: 'silent' }), clock: () => clock.now, throttle });
    scope.defer(() => a.dispose());
    const d = createDispatcher({ ...(Object.fromEntries(CALL_NAMES.map((n) => [n, () => ({})])) as unknown as Handlers), ...a.handlers } as Handlers, pino({ level: 'silent' }), a.guard);
    return { a, d, db: fdb, clock };
  }

  it('a sign-in id is no use on another transport or from another address', async () => {
    const r = await dispatch('auth.signIn', { name: 'u-viewer', password: 'viewer-Password-9' }, new ClientSession('b', undefined, peer));
    const id = (r as { value: { sessionId: string } }).value.sessionId;
    for (const other of [{ transport: 'electron', address: 'local' }, { transport: 'browser', address: '127.0.0.2' }] as const) {
      expect(await dispatch('auth.resume', { sessionId: id }, new ClientSession('x', undefined, other)), other.transport).toMatchObject({ ok: false, error: { reason: 'auth.sessionEnded' } });
    }
    expect(await dispatch('auth.resume', { sessionId: id }, new ClientSession('y', undefined, peer))).toMatchObject({ ok: true, value: { me: { name: 'u-viewer' } } });
  });

  it('a disabled account is signed out and cannot sign in until enabled again', async () => {
    const admin = sessions.get('administrator')!;
    const s = new ClientSession('dis', undefined, peer);
    expect(await dispatch('auth.signIn', { name: 'u-custom', password: 'custom-Password-9' }, s)).toMatchObject({ ok: true });
    const id = ((await dispatch('users.list', {}, admin)) as { value: { id: number; name: string }[] }).value.find((u) => u.name === 'u-custom')!.id;
    expect(await dispatch('users.update', { id, disabled: true }, admin)).toMatchObject({ ok: true, value: { disabled: true } });
    expect(await dispatch('playback.close', { sessionId: 1 }, s)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await dispatch('auth.signIn', { name: 'u-custom', password: 'custom-Password-9' }, s)).toMatchObject({ ok: false, error: { reason: 'auth.disabled' } });
    expect(await dispatch('users.update', { id, disabled: false }, admin)).toMatchObject({ ok: true });
    expect(await dispatch('auth.signIn', { name: 'u-custom', password: 'custom-Password-9' }, s)).toMatchObject({ ok: true });
  });

  it('failed sign-ins lock out an address too, whatever names it tries, with the seconds shown; another address goes on', async () => {
    const { d, clock } = fresh({ perUser: 100, perAddress: 3, windowMs: 60_000, lockMs: 30_000 });
    const here = () => new ClientSession('here', undefined, peer);
    expect(await d('auth.setup', TEST_ADMIN, here())).toMatchObject({ ok: true });
    for (const name of ['alpha', 'bravo', 'charlie']) expect(await d('auth.signIn', { name, password: 'Guessing-123' }, here())).toMatchObject({ ok: false, error: { reason: 'auth.wrongPassword' } });
    const locked = await d('auth.signIn', TEST_ADMIN, here());
    expect(locked).toMatchObject({ ok: false, error: { reason: 'auth.lockedOut', params: { seconds: 30 } } });
    expect(await d('auth.signIn', TEST_ADMIN, new ClientSession('there', undefined, { transport: 'browser', address: '127.0.0.9' }))).toMatchObject({ ok: true });
    clock.now += 31_000;
    expect(await d('auth.signIn', TEST_ADMIN, here())).toMatchObject({ ok: true });
  });

  it('the log\'s retention is itself in the log, and the chain still verifies from its new anchor', async () => {
    const { a, d, db: fdb, clock } = fresh();
    const s = new ClientSession('ret', undefined, peer);
    expect(await d('auth.setup', TEST_ADMIN, s)).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) await d('settings.update', { language: 'de' }, s);
    clock.now += 40 * 86_400_000;
    expect(await d('auth.signIn', TEST_ADMIN, s)).toMatchObject({ ok: true });
    expect(await d('auth.updateSettings', { logRetentionDays: 30 }, s)).toMatchObject({ ok: true });
    a.oplog.flush();
    const rows = a.oplog.query({}, 50);
    const retention = rows.find((e) => e.kind === 'oplog.retention');
    expect(JSON.parse(retention!.detail)).toMatchObject({ days: 30, removed: 6 });
    expect(rows.find((e) => e.kind === 'auth.updateSettings')).toMatchObject({ user: 'admin', result: 'ok' });
    expect(rows.some((e) => e.kind === 'settings.update')).toBe(false);
    expect(verifyOplog(fdb)).toMatchObject({ ok: true });
  });
});
