// The rights matrix: each built-in role and a custom one × every call in the contract, through the dispatcher with the
// real rights check and accounts (SQLite, scrypt) and stub handlers (so no call changes anything): refused exactly when
// the declared right is missing, with the right named.
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES, CALL_NAMES, calls, type CallName, type Right } from '../../electron/contract';
import { AuthService } from '../../electron/core/auth/auth-service';
import { ClientSession } from '../../electron/core/client-session';
import { createDispatcher, type Dispatch, type Handlers } from '../../electron/core/rpc';
import { SignalBus } from '../../electron/core/signal-bus';
import { openDatabase } from '../../electron/core/storage/db';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const REACHED = 'stub handler reached';
let auth: AuthService, dispatch: Dispatch;
const peer = { transport: 'browser', address: '127.0.0.1' } as const;
const sessions = new Map<string, ClientSession>();
const CUSTOM: Right[] = ['playback', 'export', 'evidence', 'recordingSettings'];
const roleRights = (role: string): readonly Right[] => (role === 'custom' ? CUSTOM : BUILTIN_ROLES[role as keyof typeof BUILTIN_ROLES]);

beforeAll(async () => {
  const db = openDatabase(`${scope.tempDir('wp-matrix-')}/station.db`);
  scope.defer(() => db.close());
  auth = new AuthService({ db, signals: new SignalBus(), logger: pino({ level: 'silent' }), clock: Date.now });
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
