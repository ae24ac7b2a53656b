// Operators through the real transport: a station served on loopback, a GStreamer RTSP camera behind three channels.
// The first administrator creates an operator restricted to two of them; signed in as them over the WebSocket, lists hold
// only those channels, a forbidden stream sends no frame while an allowed one does, device deletion is refused naming the
// right, and the operation log has each step. Failed sign-ins lock the name out; a sign-in id is no use on another
// connection after it was revoked; the last administrator stays.
import { beforeAll, describe, expect, it } from 'vitest';
import { WS_CLOSE_SIGNED_OUT } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { LoopbackServer } from '../../electron/core/server/loopback-server';
import type { Station } from '../../electron/core/station';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera } from '../helpers/gst-rtsp';
import { firstAdminClient, mediaClient, serveStation, servedStationDir, signedInClient, type MediaClient } from '../helpers/in-process-station';

const scope = fileScope();
let server: LoopbackServer, station: Station, admin: MediaClient, op: MediaClient;
let ch: number[] = [];
const OP = { name: 'dayshift', password: 'Quiet-harbour-31' };

beforeAll(async () => {
  const cam = scope.add(await startGstCamera('admin', 'ops-Pass-1'));
  ({ server, station } = scope.add(await serveStation(servedStationDir(scope, 'wp-ops-'), { auth: { throttle: { perUser: 3, perAddress: 50, windowMs: 60_000, lockMs: 30_000 } } })));
  admin = await firstAdminClient(scope, server);
  for (const name of ['Gate', 'Yard', 'Office']) {
    const r = await admin.call('channels.addRtsp', { name, mainUrl: cam.url('admin:ops-Pass-1'), subUrl: null, allowSameUrl: true });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    ch.push(r.value.id);
  }
  expect(await admin.call('users.create', { ...OP, roleId: 'operator', channels: [ch[0], ch[1]], mustChangePassword: false })).toMatchObject({ ok: true });
  op = await signedInClient(scope, server, OP.name, OP.password);
}, 60_000);

describe('an operator restricted to two cameras', () => {
  it('sees only those channels', async () => {
    const list = await op.call('channels.list', {});
    expect(list.value.map((c: { id: number }) => c.id)).toEqual([ch[0], ch[1]]);
    expect((await admin.call('channels.list', {})).value).toHaveLength(3);
    const state = await op.call('auth.state', {});
    expect(state.value.me).toMatchObject({ name: OP.name, roleId: 'operator', channels: [ch[0], ch[1]] });
    expect(state.value.me.rights).not.toContain('devices');
  });

  it('gets frames of an allowed camera and none of a forbidden one', async () => {
    const refused = await op.call('live.open', { streamId: `${ch[2]}/main` });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'auth.missingChannelRight', params: { right: 'live', channel: ch[2] } } });
    const opened = await op.call('live.open', { streamId: `${ch[0]}/main` });
    expect(opened.ok).toBe(true);
    await expect.poll(() => op.frames.filter((f) => f.kind === 'fragment').length, { timeout: 20_000 }).toBeGreaterThan(5);
    expect(new Set(op.frames.map((f) => f.channel))).toEqual(new Set([opened.value.channel]));
    expect((await op.call('live.close', { channel: opened.value.channel })).ok).toBe(true);
  });

  it('is refused the archive of a forbidden camera and device deletion, naming the right', async () => {
    const now = Date.now();
    expect(await op.call('archive.timeline', { source: 'local', channelIds: [ch[0], ch[2]], from: now - 60_000, to: now }))
      .toMatchObject({ ok: false, error: { reason: 'auth.missingChannelRight', params: { right: 'playback', channel: ch[2] } } });
    expect(await op.call('devices.remove', { id: 1 })).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'auth.missingRight', params: { right: 'devices' } } });
    expect(await op.call('users.update', { id: 2, roleId: 'administrator' })).toMatchObject({ ok: false, error: { reason: 'auth.missingRight', params: { right: 'users' } } });
  });

  it('each step is in the operation log, with who and from where', async () => {
    const log = (await admin.call('oplog.query', { userName: OP.name })).value as { kind: string; result: string; channelId: number | null; transport: string; address: string }[];
    const steps = log.map((e) => `${e.kind}:${e.result}:${e.channelId ?? ''}`);
    expect(steps).toEqual(expect.arrayContaining([
      'auth.signIn:ok:', `live.open:refused:${ch[2]}`, `live.open:ok:${ch[0]}`, `live.close:ok:${ch[0]}`, `archive.timeline:refused:${ch[0]}`, 'devices.remove:refused:', 'users.update:refused:',
    ]));
    expect(log.every((e) => e.transport === 'browser' && e.address.endsWith('127.0.0.1'))).toBe(true);
    const csv = (await admin.call('oplog.export', { format: 'csv', userName: OP.name })).value;
    expect(csv.text.split('\n')[0]).toMatch(/^# exported by admin at /);
    expect(csv.text).toContain('devices.remove');
  });
});

describe('watching, in the log', () => {
  it('live views closed name their camera, also when the connection goes; playback ranges watched are logged per channel', async () => {
    const c = await signedInClient(scope, server, OP.name, OP.password);
    const opened = await c.call('live.open', { streamId: `${ch[1]}/sub` });
    expect(opened.ok).toBe(true);
    const at = Date.now() - 120_000;
    const pb = await c.call('playback.open', { source: 'local', channelIds: [ch[0], ch[1]], at, paused: true });
    expect(pb.ok, JSON.stringify(pb)).toBe(true);
    expect((await c.call('playback.seek', { sessionId: pb.value.state.sessionId, at: at + 30_000 })).ok).toBe(true);
    expect((await c.call('playback.close', { sessionId: pb.value.state.sessionId })).ok).toBe(true);
    // Its state went to this connection alone: not to the same operator's other connection, nor to the administrator.
    const states = (m: MediaClient) => m.events.filter((e) => e.name === 'playback.state' && e.payload.sessionId === pb.value.state.sessionId).length;
    expect(states(c)).toBeGreaterThan(0);
    c.ws.close();
    const rows = async () => ((await admin.call('oplog.query', { userName: OP.name, limit: 50 })).value as { kind: string; channelId: number | null; detail: string }[]);
    await expect.poll(async () => (await rows()).filter((e) => e.kind === 'live.close' && e.channelId === ch[1] && e.detail.includes('released')).length).toBe(1);
    const watched = (await rows()).filter((e) => e.kind === 'playback.watched');
    expect(watched.map((e) => e.channelId).sort()).toEqual([ch[0], ch[0], ch[1], ch[1]].sort());
    const ranges = watched.map((e) => JSON.parse(e.detail) as { from: string; ended: string });
    expect(ranges.filter((r) => r.ended === 'seek').map((r) => Date.parse(r.from))).toEqual([at, at]);
    expect(ranges.filter((r) => r.ended === 'closed').map((r) => Date.parse(r.from))).toEqual([at + 30_000, at + 30_000]);
    expect([states(op), states(admin)]).toEqual([0, 0]);
  });
});

describe('what a restricted user hears and may touch', () => {
  it('signals about the third camera never reach the operator; lists they are sent are cut to their two', async () => {
    const from = op.events.length;
    expect((await admin.call('channels.rename', { id: ch[2], name: 'Office east' })).ok).toBe(true);
    const opened = await admin.call('live.open', { streamId: `${ch[2]}/main` });
    expect(opened.ok).toBe(true);
    await expect.poll(() => admin.events.some((e) => e.name === 'stream.status' && e.payload.streamId === `${ch[2]}/main` && e.payload.state === 'live'), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => op.events.slice(from).some((e) => e.name === 'channels.changed')).toBe(true);
    expect((await admin.call('live.close', { channel: opened.value.channel })).ok).toBe(true);
    const heard = op.events.slice(from);
    for (const e of heard.filter((x) => x.name === 'channels.changed')) expect(e.payload.map((c: { id: number }) => c.id)).toEqual([ch[0], ch[1]]);
    const aboutThird = (p: any): boolean => p != null && typeof p === 'object' && (Array.isArray(p) ? p.some(aboutThird)
      : p.id === ch[2] && 'mainUrl' in p || p.channelId === ch[2] || (typeof p.streamId === 'string' && p.streamId.startsWith(`${ch[2]}/`)) || Object.values(p).some((v) => typeof v === 'object' && aboutThird(v)));
    expect(heard.filter((e) => aboutThird(e.payload)).map((e) => e.name)).toEqual([]);
    // The administrator heard all of it.
    expect(admin.events.some((e) => e.name === 'channels.changed' && e.payload.length === 3)).toBe(true);
  });

  it('items stored on another camera are refused by their own channel (a supervisor restricted to two cameras)', async () => {
    expect(await admin.call('users.create', { name: 'nightlead', password: 'Night-shift-77', roleId: 'supervisor', channels: [ch[0], ch[1]], mustChangePassword: false })).toMatchObject({ ok: true });
    const lead = await signedInClient(scope, server, 'nightlead', 'Night-shift-77');
    const now = Date.now();
    const lockOther = await admin.call('archive.lock', { channelId: ch[2], from: now - 60_000, to: now, reason: 'incident' });
    const lockOwn = await admin.call('archive.lock', { channelId: ch[0], from: now - 60_000, to: now, reason: 'incident' });
    expect(lockOther.ok && lockOwn.ok).toBe(true);
    expect(await lead.call('archive.unlock', { lockId: lockOther.value.id, reason: 'closed' }))
      .toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'auth.missingChannelRight', params: { right: 'evidence', channel: ch[2] } } });
    expect(await lead.call('archive.unlock', { lockId: lockOwn.value.id, reason: 'closed' })).toMatchObject({ ok: true });
    const mark = await admin.call('bookmarks.add', { channelIds: [ch[2]], from: now - 5000, to: now, name: 'door' });
    expect(mark.ok).toBe(true);
    expect(await lead.call('bookmarks.update', { id: mark.value.id, name: 'mine now' }))
      .toMatchObject({ ok: false, error: { reason: 'auth.missingChannelRight', params: { right: 'playback', channel: ch[2] } } });
    expect(await lead.call('bookmarks.remove', { id: mark.value.id })).toMatchObject({ ok: false, error: { reason: 'auth.missingChannelRight' } });
    const marks = (await admin.call('bookmarks.list', {})).value;
    expect(JSON.stringify(marks)).toContain('door');
  });
});

describe('first run', () => {
  it('until the first administrator exists, a connection with the URL token may only make them', async () => {
    const fresh = scope.add(await serveStation(servedStationDir(scope, 'wp-ops-first-')));
    const c = await mediaClient(scope, fresh.server, [], { signIn: false });
    expect((await c.call('auth.state', {})).value).toMatchObject({ setupNeeded: true, me: null });
    expect(await c.call('channels.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated', reason: 'auth.signInNeeded' } });
    expect(await c.call('settings.update', { language: 'de' })).toMatchObject({ ok: false, error: { reason: 'auth.signInNeeded' } });
    expect(await c.call('users.create', { name: 'sneak', password: 'Sneaky-admin-99', roleId: 'administrator' })).toMatchObject({ ok: false, error: { reason: 'auth.signInNeeded' } });
    expect(await c.call('auth.setup', { name: 'chief', password: 'Harbour-lights-42' })).toMatchObject({ ok: true, value: { state: { setupNeeded: false, me: { name: 'chief' } } } });
    expect((await c.call('channels.list', {})).ok).toBe(true);
    // Another connection is not signed in by that.
    const other = await mediaClient(scope, fresh.server, [], { signIn: false });
    expect(await other.call('channels.list', {})).toMatchObject({ ok: false, error: { reason: 'auth.signInNeeded' } });
  });
});

describe('bad input and attacks', () => {
  it('a connection without a sign-in gets nothing but the sign-in calls', async () => {
    const anon = await mediaClient(scope, server, [], { signIn: false });
    expect(await anon.call('channels.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated', reason: 'auth.signInNeeded' } });
    expect(await anon.call('live.open', { streamId: `${ch[0]}/main` })).toMatchObject({ ok: false, error: { reason: 'auth.signInNeeded' } });
    expect((await anon.call('auth.state', {})).value).toMatchObject({ setupNeeded: false, me: null });
    expect(await anon.call('auth.setup', { name: 'intruder', password: 'Sneaky-admin-99' })).toMatchObject({ ok: false, error: { reason: 'auth.setupDone' } });
  });

  it('wrong passwords lock the name out for a while, with the time shown', async () => {
    const c = await mediaClient(scope, server, [], { signIn: false });
    for (let i = 0; i < 3; i++) expect(await c.call('auth.signIn', { name: OP.name, password: `wrong-guess-${i}` })).toMatchObject({ ok: false, error: { reason: 'auth.wrongPassword' } });
    const locked = await c.call('auth.signIn', OP);
    expect(locked).toMatchObject({ ok: false, error: { reason: 'auth.lockedOut' } });
    expect(locked.error.params.seconds).toBeGreaterThan(20);
    const failures = (await admin.call('oplog.query', { kind: 'auth.signIn' })).value.filter((e: { result: string }) => e.result === 'refused');
    expect(failures.length).toBeGreaterThanOrEqual(4);
  });

  it('a sign-in id resumes on a new connection until it is revoked', async () => {
    const c = await mediaClient(scope, server, [], { signIn: false });
    const signed = (await c.call('auth.signIn', { name: 'admin', password: 'Watchpost-desk-2026' })).value;
    const again = await mediaClient(scope, server, [], { signIn: false });
    expect((await again.call('auth.resume', { sessionId: signed.sessionId })).value.me.name).toBe('admin');
    const sessions = (await admin.call('auth.sessions', {})).value as { id: string; current: boolean; userName: string }[];
    expect(sessions.some((s) => s.userName === OP.name)).toBe(true);
    // Listing never shows the secret a page resumes with.
    expect(JSON.stringify(sessions)).not.toContain(signed.sessionId);
    const theirs = sessions.filter((s) => !s.current && s.userName === 'admin');
    for (const s of theirs) expect((await admin.call('auth.revokeSession', { id: s.id })).ok).toBe(true);
    expect(await again.call('channels.list', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const third = await mediaClient(scope, server, [], { signIn: false });
    expect(await third.call('auth.resume', { sessionId: signed.sessionId })).toMatchObject({ ok: false, error: { reason: 'auth.sessionEnded' } });
  });

  it('a password change ends every other sign-in of that user (closing their sockets, saying why); a reset ends them all', async () => {
    expect(await admin.call('users.create', { name: 'rotator', password: 'Old-secret-2026', roleId: 'viewer', mustChangePassword: false })).toMatchObject({ ok: true });
    const closed = (m: MediaClient) => new Promise<{ code: number; reason: string }>((r) => m.ws.once('close', (code, why) => r({ code, reason: why.toString() })));
    const mine = await signedInClient(scope, server, 'rotator', 'Old-secret-2026');
    const other = await signedInClient(scope, server, 'rotator', 'Old-secret-2026');
    // A sign-in kept elsewhere to resume later (a desk's stored secret, a closed tab's).
    const kept = await mediaClient(scope, server, [], { signIn: false });
    const secret = (await kept.call('auth.signIn', { name: 'rotator', password: 'Old-secret-2026' })).value.sessionId as string;
    kept.ws.close();
    const otherClosed = closed(other);
    expect(await mine.call('auth.changePassword', { currentPassword: 'Old-secret-2026', newPassword: 'New-secret-2026' })).toMatchObject({ ok: true, value: { me: { name: 'rotator' } } });
    expect(await otherClosed).toEqual({ code: WS_CLOSE_SIGNED_OUT, reason: 'auth.passwordChanged' });
    const later = await mediaClient(scope, server, [], { signIn: false });
    expect(await later.call('auth.resume', { sessionId: secret })).toMatchObject({ ok: false, error: { reason: 'auth.sessionEnded' } });
    // The session that made the change goes on.
    expect((await mine.call('channels.list', {})).ok).toBe(true);
    expect(mine.ws.readyState).toBe(1);
    // An administrator's reset ends that one too.
    const mineClosed = closed(mine);
    const id = ((await admin.call('users.list', {})).value as { id: number; name: string }[]).find((u) => u.name === 'rotator')!.id;
    expect(await admin.call('users.resetPassword', { id, password: 'Reset-secret-2026', mustChangePassword: false })).toMatchObject({ ok: true });
    expect(await mineClosed).toEqual({ code: WS_CLOSE_SIGNED_OUT, reason: 'auth.passwordReset' });
    expect((await admin.call('channels.list', {})).ok).toBe(true);
    expect((await signedInClient(scope, server, 'rotator', 'Reset-secret-2026')).ws.readyState).toBe(1);
  });

  it('weak passwords, the last administrator and one’s own account are refused, and nothing changes', async () => {
    expect(await admin.call('users.create', { name: 'weak', password: 'short1', roleId: 'viewer' })).toMatchObject({ ok: false, error: { reason: 'auth.weakPassword', params: { field: 'password' } } });
    expect(await admin.call('users.create', { name: 'weak', password: 'weak-and-weaker1', roleId: 'viewer' })).toMatchObject({ ok: false, error: { reason: 'auth.weakPassword' } });
    expect(await admin.call('users.update', { id: 1, roleId: 'viewer' })).toMatchObject({ ok: false, error: { reason: 'auth.ownRole' } });
    expect(await admin.call('users.remove', { id: 1 })).toMatchObject({ ok: false, error: { reason: 'auth.notYourself' } });
    const users = (await admin.call('users.list', {})).value as { name: string; roleId: string }[];
    expect(users.map((u) => `${u.name}:${u.roleId}`)).toEqual(['admin:administrator', `${OP.name}:operator`, 'nightlead:supervisor', 'rotator:viewer']);
  });

  it('nobody raises their own role, gives rights or cameras they do not hold, or acts on an account above theirs', async () => {
    const role = (await admin.call('roles.save', { name: 'Desk lead', rights: ['users', 'live'] })).value;
    const lead = (await admin.call('users.create', { name: 'desklead', password: 'Front-desk-19', roleId: role.id, channels: [ch[0]], mustChangePassword: false })).value;
    const c = await signedInClient(scope, server, 'desklead', 'Front-desk-19');
    expect(await c.call('users.update', { id: lead.id, roleId: 'administrator' })).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'auth.ownRole' } });
    expect(await c.call('users.update', { id: lead.id, channels: null })).toMatchObject({ ok: false, error: { reason: 'auth.ownRole' } });
    expect(await c.call('users.create', { name: 'sidekick', password: 'Side-kick-2026', roleId: 'administrator', channels: [ch[0]] })).toMatchObject({ ok: false, error: { reason: 'auth.missingRight' } });
    expect(await c.call('users.create', { name: 'sidekick', password: 'Side-kick-2026', roleId: 'viewer', channels: null }))
      .toMatchObject({ ok: false, error: { reason: 'auth.missingChannelRight', params: { channel: '*' } } });
    expect(await c.call('users.create', { name: 'sidekick', password: 'Side-kick-2026', roleId: 'viewer', channels: [ch[2]] }))
      .toMatchObject({ ok: false, error: { reason: 'auth.missingChannelRight', params: { channel: ch[2] } } });
    expect(await c.call('roles.save', { name: 'Everything', rights: ['users', 'devices'] })).toMatchObject({ ok: false, error: { reason: 'auth.missingRight', params: { right: 'devices' } } });
    expect(await c.call('users.resetPassword', { id: 1, password: 'Taken-over-2026' })).toMatchObject({ ok: false, error: { reason: 'auth.missingRight' } });
    expect(await c.call('users.remove', { id: 1 })).toMatchObject({ ok: false, error: { reason: 'auth.missingRight' } });
    // Within their own rights and cameras it works.
    expect(await c.call('users.create', { name: 'sidekick', password: 'Side-kick-2026', roleId: 'viewer', channels: [ch[0]] })).toMatchObject({ ok: true });
    const after = (await admin.call('users.list', {})).value as { name: string; roleId: string; channels: number[] | null }[];
    expect(after.find((u) => u.name === 'desklead')).toMatchObject({ roleId: role.id, channels: [ch[0]] });
    expect((await signedInClient(scope, server, 'admin', 'Watchpost-desk-2026')).ws.readyState).toBe(1);
    const refusals = (await admin.call('oplog.query', { userName: 'desklead' })).value.filter((e: { result: string }) => e.result === 'refused');
    expect(refusals.length).toBeGreaterThanOrEqual(8);
  });

  it('the last administrator cannot be removed or disabled, even by the station itself', async () => {
    const deputy = (await admin.call('users.create', { name: 'deputy', password: 'Second-chair-44', roleId: 'administrator', mustChangePassword: false })).value;
    const d = await signedInClient(scope, server, 'deputy', 'Second-chair-44');
    expect(await d.call('users.update', { id: 1, disabled: true })).toMatchObject({ ok: true });
    // Now deputy is the only active administrator.
    const own = new ClientSession('station');
    expect(await station.dispatch('users.remove', { id: deputy.id }, own)).toMatchObject({ ok: false, error: { reason: 'auth.lastAdmin' } });
    expect(await station.dispatch('users.update', { id: deputy.id, disabled: true }, own)).toMatchObject({ ok: false, error: { reason: 'auth.lastAdmin' } });
    expect(await d.call('users.update', { id: 1, disabled: false })).toMatchObject({ ok: true });
    expect(await d.call('users.remove', { id: deputy.id })).toMatchObject({ ok: false, error: { reason: 'auth.notYourself' } });
  });
});
