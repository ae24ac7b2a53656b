// Operators: sign-in, accounts, roles, the rights check every call passes in the dispatcher, and the operation log.
// Rights are enforced on every connection that came in on a transport (browser, Electron): until the first administrator
// exists such a connection may make only the sign-in calls (the first-administrator page). The station's own sessions
// (tray, demo) have no transport and act as the station.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  calls, fail, passwordIsStrong, PASSWORD_RULE, SHARE_USER_BASE, StationError,
  type AuthSettings, type AuthState, type CallName, type Me, type PlaybackState, type Result, type Right, type SignalName,
} from '../../contract';
import { SIGNAL_ACCESS } from '../../contract/signal-access';
import type { ClientSession } from '../client-session';
import { scrubSecrets, type Logger } from '../log';
import type { CallGuard, Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { channelOf, channelsNamed, filterList, inputRefusal, itemRefusal, refusal, signalFor, type Grant, type ItemChannels } from './access';
import {
  countUsers, deleteRole, deleteUser, getSetting, insertUser, listRoles, listUsers, requireUser, roleOf, saveRole, setSetting,
  updateUser, userOf, userRowByName,
} from './accounts';
import { itemChannels, type HeldItems } from './item-channels';
import { OPLOG_HEAD_FILE, OPLOG_HEAD_KEY, OperationLog, type OplogRecord } from './operation-log';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { SignIns, SignInThrottle, type SignIn } from './sign-ins';
import { Viewing, type Watched } from './viewing';

export const DEFAULT_AUTH_SETTINGS: AuthSettings = { idleMinutes: 30, logRetentionDays: 365 };

type AuthHandlers = Pick<Handlers, Extract<CallName, `auth.${string}` | `users.${string}` | `roles.${string}` | `oplog.${string}`>>;
type Current = { signIn: SignIn; me: Me; grant: Grant };

/** Reads: not written to the log when they succeed (a refusal always is). */
const QUIET = /\.(list|status|state|get|config|rules|settings|locks|audit|channels|days|timeline|thumbnail|presets|clips|current|series|cover|scanResults|interfaces|desk|sessions|query|forecast|consents|ledger|photo|storage|storableFiles|hostedStations|time|snapshot|speed|pause|step|audio|checkCloud|motionSearch)$/;
// `code\b`: mailed codes (a device's security code, the account's) but not `codec`.
const SECRET_FIELD = /pass|secret|token|file|image|photo|region|mask|schedule|data|email|code\b/i;
const PTZ_COALESCE_MS = 10_000;

/** The input's plain fields for the log: never a password, a file or an image. */
/** Fields that carry bytes (a cover image, microphone audio): the row says how long they were, not what they held. */
const BULK_FIELD = /base64$|^pcm$/i;

/** A detail back as an object; one cut short at its 500 characters (a long note) keeps only what the refusal adds. */
function parsedDetail(detail: string): object {
  try { return detail ? (JSON.parse(detail) as object) : {}; } catch { return { input: detail.slice(0, 300) }; }
}

function detailOf(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const entries = Object.entries(input).map(([k, v]) => [k, BULK_FIELD.test(k) && typeof v === 'string' ? `${v.length} characters` : v] as const);
  const kept = entries.filter(([k, v]) => !SECRET_FIELD.test(k)
    && (v === null || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.length <= 64 && v.every((x) => typeof x !== 'object'))));
  return kept.length ? JSON.stringify(Object.fromEntries(kept)).slice(0, 500) : '';
}

/**
 * Hardware Share (sites/shares.ts): sign-ins made with a share's credential act as a user id from `SHARE_USER_BASE`, whose
 * grant is the share's channels and rights while the share is active, asked anew on every call (no cache: a revoked or
 * ended share refuses at once).
 */
export interface SharePort {
  verify(share: string, secret: string): number;
  grantOf(userId: number): { me: Me; grant: Grant } | undefined;
  check(userId: number, name: CallName, input: unknown): StationError | null;
  scrub(name: CallName, value: unknown): unknown;
  used(userId: number): void;
}
const isShare = (userId: number) => userId >= SHARE_USER_BASE;

export interface AuthServiceOptions {
  db: Db;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  /** A first administrator to create if the station has no account (`--admin-password-file`). */
  firstAdmin?: { name: string; password: string };
  throttle?: SignInThrottle['limits'];
  /** The channels of items held in memory (running exports, clips, playback sessions), for the rights check on them. */
  heldItems?: HeldItems;
  /** Where the log's head is kept outside the database, sealed with a key from `secrets` (operation-log.ts). */
  dataDir?: string;
  secrets?: SecretStore;
}

export class AuthService {
  readonly oplog: OperationLog;
  private readonly signIns: SignIns;
  private readonly throttle: SignInThrottle;
  private readonly grants = new Map<number, { me: Me; grant: Grant }>();
  private readonly ptzLogged = new Map<string, number>();
  private users: number;
  private readonly retention: NodeJS.Timeout;
  private readonly items: ItemChannels;
  private readonly viewing: Viewing;
  private readonly unsubscribe: () => void;
  private shares?: SharePort;

  constructor(private readonly o: AuthServiceOptions) {
    this.oplog = new OperationLog(o.db, o.clock);
    this.signIns = new SignIns(o.clock);
    this.throttle = new SignInThrottle(o.clock, o.throttle);
    this.users = countUsers(o.db);
    this.items = itemChannels(o.db, (kind, id) => o.heldItems?.(kind, id));
    this.viewing = new Viewing(o.clock);
    this.unsubscribe = o.signals.subscribe((name, payload) => { if (name === 'playback.state') this.viewing.playbackState(payload as PlaybackState); });
    this.retention = setInterval(() => this.prune(), 86_400_000);
    this.retention.unref();
  }

  /** Creates the first administrator from `firstAdmin` if there is no account yet; anchors and prunes the log. */
  async start(): Promise<void> {
    if (this.o.dataDir && this.o.secrets) {
      let key = await this.o.secrets.get(OPLOG_HEAD_KEY);
      if (!key) await this.o.secrets.set(OPLOG_HEAD_KEY, (key = randomBytes(32).toString('hex')));
      this.oplog.anchor(join(this.o.dataDir, OPLOG_HEAD_FILE), key);
    }
    const first = this.o.firstAdmin;
    if (first && this.users === 0) {
      if (!passwordIsStrong(first.password, first.name)) throw new Error(`--admin-password-file: the password must be at least ${PASSWORD_RULE.minLength} characters with letters and digits`);
      insertUser(this.o.db, { name: first.name, hash: await hashPassword(first.password), roleId: 'administrator', channels: null, mustChange: false }, this.o.clock());
      this.users = countUsers(this.o.db);
      this.oplog.append({ user: null, kind: 'auth.firstAdmin', transport: 'station', address: 'local', result: 'ok', detail: JSON.stringify({ name: first.name }) });
    }
    this.prune();
  }

  private stored?: AuthSettings;
  /** Read once, then kept (every call's idle check asks). */
  settings(): AuthSettings {
    if (this.stored) return this.stored;
    const raw = getSetting(this.o.db, 'auth');
    return (this.stored = raw ? { ...DEFAULT_AUTH_SETTINGS, ...(JSON.parse(raw) as Partial<AuthSettings>) } : DEFAULT_AUTH_SETTINGS);
  }

  private prune(): void {
    this.oplog.prune(this.settings().logRetentionDays, { user: null, transport: 'station', address: 'local' });
  }

  // ---- who is calling ----

  private enforced(session: ClientSession): boolean {
    return session.peer !== undefined;
  }

  /** Hardware Share's sign-ins (sites/shares.ts, composed after this service). */
  setShares(port: SharePort): void {
    this.shares = port;
  }

  /** Whether any share's credential has a connection here now (sites/shares.ts watches the cloud while one has). */
  shareConnected(): boolean {
    for (const s of this.signIns.all()) if (isShare(s.userId) && [...s.clients].some((c) => !c.isClosed)) return true;
    return false;
  }

  /** Ends a share's sign-ins and closes their connections: its peer keeps no stream, no socket. */
  endShare(userId: number): void {
    for (const s of this.signIns.all()) if (s.userId === userId) {
      const clients = [...s.clients];
      this.signIns.end(s);
      for (const c of clients) c.hangUp?.();
    }
  }

  /**
   * A password changed or reset: every sign-in of that user ends but `keep` (the one making the change), whatever
   * carries it — a page's token, a desk's resume secret — and their connections are closed with the reason, so a page
   * shows its sign-in and a desk signs in anew (with the old password: refused). `caller`'s own connection is not hung
   * up (its answer is still to go out); it hears `auth.changed`.
   */
  private endOtherSignIns(userId: number, reason: 'auth.passwordChanged' | 'auth.passwordReset', caller: ClientSession, keep?: SignIn): void {
    this.grants.clear();
    let ended = 0;
    for (const s of this.signIns.all()) if (s.userId === userId && s !== keep) {
      const clients = [...s.clients];
      this.signIns.end(s);
      for (const c of clients) if (c !== caller) c.hangUp?.(reason);
      ended++;
    }
    if (ended) this.o.signals.emit('auth.changed', { userId });
  }

  private grantOf(userId: number): { me: Me; grant: Grant } | undefined {
    if (isShare(userId)) return this.shares?.grantOf(userId);
    const cached = this.grants.get(userId);
    if (cached) return cached;
    const row = this.o.db.prepare('SELECT * FROM op_user WHERE id = ?').get(userId) as Parameters<typeof userOf>[0] | undefined;
    if (!row || row.disabled) return undefined;
    const u = userOf(row);
    const role = roleOf(this.o.db, u.roleId);
    const me: Me = { id: u.id, name: u.name, roleId: role.id, roleName: role.name, rights: role.rights, channels: u.channels, mustChangePassword: u.mustChangePassword };
    const g = { me, grant: { rights: new Set<Right>(role.rights), channels: u.channels === null ? null : new Set(u.channels) } };
    this.grants.set(userId, g);
    return g;
  }

  /** The session's sign-in, ended here if it sat idle too long. */
  private current(session: ClientSession): Current | null {
    const s = this.signIns.get(session.signInId);
    if (!s) return null;
    if (this.o.clock() - s.lastSeenAt > this.settings().idleMinutes * 60_000) {
      this.signIns.end(s);
      this.oplog.append({ ...this.where(session), user: null, kind: 'auth.expired', result: 'ok', detail: JSON.stringify({ userId: s.userId }) });
      return null;
    }
    const g = this.grantOf(s.userId);
    if (!g) {
      this.signIns.end(s);
      return null;
    }
    return { signIn: s, ...g };
  }

  private where(session: ClientSession): Pick<OplogRecord, 'transport' | 'address'> {
    return session.peer ?? { transport: 'station', address: 'local' };
  }

  /** Ends every sign-in of a user (disabled, removed, their role or channels changed): their pages sign in again. */
  private endSignInsOf(userId: number | null): void {
    this.grants.clear();
    for (const s of this.signIns.all()) if (userId === null || s.userId === userId) {
      this.signIns.end(s);
      this.o.signals.emit('auth.changed', { userId: s.userId });
    }
  }

  // ---- the dispatcher's check, its list filter, and the log ----

  readonly guard: CallGuard = {
    admit: (name, session) => {
      const access = calls[name].access;
      let parsed: unknown;
      const done = (result: Result<unknown>) => this.logCall(name, parsed, session, result);
      if (!this.enforced(session) || access.kind === 'public') return { done, check: (input) => ((parsed = input), null) };
      const refuse = (err: StationError) => (done({ ok: false, error: err.info }), err);
      const cur = this.current(session);
      if (!cur) return refuse(fail(session.signInId === null ? 'auth.signInNeeded' : 'auth.sessionEnded'));
      if (cur.signIn.locked) return refuse(fail('auth.screenLocked'));
      if (cur.me.mustChangePassword && !name.startsWith('auth.')) return refuse(fail('auth.mustChangePassword'));
      const share = isShare(cur.me.id) ? this.shares : undefined;
      const refused = share?.check(cur.me.id, name, undefined) ?? refusal(access, undefined, cur.grant);
      if (refused) return refuse(refused);
      cur.signIn.lastSeenAt = this.o.clock();
      share?.used(cur.me.id);
      return {
        done,
        check: (input) => {
          parsed = input;
          const r = share?.check(cur.me.id, name, input)
            ?? refusal(access, input, cur.grant) ?? itemRefusal(access, input, cur.grant, this.items) ?? inputRefusal(input, cur.grant);
          return r ? refuse(r) : null;
        },
        filter: (value) => (share ? share.scrub(name, filterList(access, value, cur.grant)) : filterList(access, value, cur.grant)),
      };
    },
  };

  /**
   * A signal as this connection may see it (cut to its user's cameras), or undefined: not sent. Transports ask this where
   * the signal bus fans out; the station's own sessions see everything, a connection not signed in only public signals.
   */
  signalFor(session: ClientSession, name: SignalName, payload: unknown): unknown {
    if (!this.enforced(session)) return payload;
    const s = this.signIns.get(session.signInId);
    const g = s ? (this.grantOf(s.userId)?.grant ?? null) : null;
    const access = SIGNAL_ACCESS[name] ?? { kind: 'signedIn' };
    // A share's peer hears only about its cameras (and its own sign-in), nothing of the station's other business.
    if (s && isShare(s.userId) && access.kind !== 'channel' && name !== 'auth.changed') return undefined;
    return signalFor(access, payload, g, this.items);
  }

  /** Who is calling, for rows written later (a view closed by its connection going, after the sign-in may have ended). */
  private actor(session: ClientSession): Pick<OplogRecord, 'user' | 'transport' | 'address'> {
    const cur = session.signInId !== null ? this.signIns.get(session.signInId) : undefined;
    const me = cur ? this.grantOf(cur.userId)?.me : undefined;
    return { ...this.where(session), user: me ? { id: me.id, name: me.name } : null };
  }

  /** Rows for what a service ends later on a connection's behalf (a talk whose page went away), under who it is now. */
  recorder(session: ClientSession): (kind: string, channelId: number, detail: object) => void {
    const by = this.actor(session);
    return (kind, channelId, detail) => this.oplog.append({ ...by, kind, channelId, result: 'ok', detail: JSON.stringify(detail) });
  }

  private logWatched(by: Pick<OplogRecord, 'user' | 'transport' | 'address'>, w: Watched, ended: string): void {
    const detail = JSON.stringify({ from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), seconds: Math.round((w.to - w.from) / 1000), ended });
    for (const c of w.channels) this.oplog.append({ ...by, kind: 'playback.watched', channelId: c, result: 'ok', detail });
  }

  /** Live views opened and closed per camera, and the archive ranges each playback session went over. */
  private watching(name: CallName, input: unknown, session: ClientSession, value: unknown): void {
    const i = (input ?? {}) as Record<string, unknown>;
    switch (name) {
      case 'live.open': {
        const camera = channelOf(i.streamId);
        const by = this.actor(session);
        if (camera !== null) this.viewing.liveOpened(session, (value as { channel: number }).channel, camera, (c) => this.oplog.append({ ...by, kind: 'live.close', channelId: c, result: 'ok', detail: JSON.stringify({ ended: 'released' }) }));
        return;
      }
      case 'playback.open': {
        const v = value as { state: PlaybackState; channels: { channelId: number }[] };
        const by = this.actor(session);
        this.viewing.playbackOpened(session, v.state, v.channels.map((c) => c.channelId), (w) => this.logWatched(by, w, 'released'));
        return;
      }
      case 'playback.seek': {
        const w = this.viewing.playbackSought(value as PlaybackState);
        if (w) this.logWatched(this.actor(session), w, 'seek');
        return;
      }
      case 'playback.speed': case 'playback.pause': case 'playback.step':
        this.viewing.playbackState(value as PlaybackState);
        return;
      case 'playback.close': {
        const w = this.viewing.playbackClosed(i.sessionId as number);
        if (w) this.logWatched(this.actor(session), w, 'closed');
        return;
      }
    }
  }

  private logCall(name: CallName, input: unknown, session: ClientSession, result: Result<unknown>): void {
    // live.close names the connection's media channel: the row names the camera it showed.
    const closed = name === 'live.close' && result.ok ? this.viewing.liveClosed(session, (input as { channel: number }).channel) : undefined;
    if (result.ok) this.watching(name, input, session, result.value);
    if (result.ok && QUIET.test(name)) return;
    const cur = session.signInId !== null ? this.signIns.get(session.signInId) : undefined;
    const user = cur ? this.grantOf(cur.userId)?.me : undefined;
    const access = calls[name].access;
    const named = access.kind === 'channel' && access.from ? channelsNamed(input, access.from) : undefined;
    const channelId = closed ?? (Array.isArray(named) ? (named[0] ?? null) : null);
    if (name === 'live.ptz.move' && result.ok) {
      // A joystick sends moves many times a second: one row per user and channel per 10 s.
      const key = `${user?.id ?? 0}:${channelId}`;
      const last = this.ptzLogged.get(key) ?? 0;
      if (this.o.clock() - last < PTZ_COALESCE_MS) return;
      this.ptzLogged.set(key, this.o.clock());
    }
    const i = (input ?? {}) as Record<string, unknown>;
    const deviceId = name.startsWith('devices.') && typeof i.id === 'number' ? i.id : null;
    let detail = detailOf(input);
    // Talk: the row says how the speaker was reached, and on stop how long the operator talked.
    if ((name === 'talk.start' || name === 'talk.stop') && result.ok) detail = JSON.stringify(result.value);
    if (!result.ok) detail = JSON.stringify({ ...parsedDetail(detail), refused: result.error.reason ?? result.error.code, ...(result.error.params ?? {}) }).slice(0, 800);
    // A sign-in that failed is on record under the name that was tried.
    const tried = !user && (name === 'auth.signIn' || name === 'auth.setup') && typeof i.name === 'string' ? { id: null, name: i.name } : null;
    this.oplog.append({
      ...this.where(session), user: user ? { id: user.id, name: user.name } : tried, kind: name, channelId, deviceId,
      result: result.ok ? 'ok' : result.error.code === 'internal' || result.error.code === 'unavailable' ? 'failed' : 'refused',
      // Credentials inside a value (rtsp://user:pass@camera) never reach the log either.
      detail: scrubSecrets(detail),
    });
  }

  // ---- the calls ----

  private state(session: ClientSession): AuthState {
    const cur = this.current(session);
    return { setupNeeded: this.users === 0, me: cur?.me ?? null, locked: cur?.signIn.locked ?? false, idleMinutes: this.settings().idleMinutes };
  }

  private bind(session: ClientSession, userId: number): { sessionId: string; state: AuthState } {
    const old = this.signIns.get(session.signInId);
    if (old) old.clients.delete(session);
    const s = this.signIns.open(userId, session.peer?.transport ?? 'station', session.peer?.address ?? 'local');
    s.clients.add(session);
    session.signInId = s.secret;
    this.o.db.prepare('UPDATE op_user SET last_sign_in_ms = ? WHERE id = ?').run(this.o.clock(), userId);
    return { sessionId: s.secret, state: this.state(session) };
  }

  private checkStrong(password: string, name: string, field: 'password' | 'newPassword' = 'password'): void {
    if (!passwordIsStrong(password, name)) throw fail('auth.weakPassword', { field, min: PASSWORD_RULE.minLength });
  }

  private async checkPassword(session: ClientSession, name: string, password: string): Promise<ReturnType<typeof userRowByName>> {
    const address = session.peer?.address ?? 'local';
    const wait = this.throttle.waitMs(name, address);
    if (wait > 0) throw fail('auth.lockedOut', { seconds: Math.ceil(wait / 1000) });
    const row = userRowByName(this.o.db, name);
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
    if (!row || !ok) {
      this.throttle.failed(name, address);
      throw fail('auth.wrongPassword');
    }
    this.throttle.succeeded(name);
    return row;
  }

  /**
   * Nobody gives what they do not hold: a user with the users right (but not every right, or not every camera) may not make
   * or change an account or a role beyond their own rights and cameras, nor act on an account that has more. The station's
   * own sessions are not asked.
   */
  private mayGive(session: ClientSession, rights: readonly Right[], channels: number[] | null): void {
    const g = this.enforced(session) ? this.current(session)?.grant : undefined;
    if (!g) return;
    for (const r of rights) if (!g.rights.has(r)) throw fail('auth.missingRight', { right: r });
    if (g.channels === null) return;
    if (channels === null) throw fail('auth.missingChannelRight', { right: 'live', channel: '*' });
    for (const c of channels) if (!g.channels.has(c)) throw fail('auth.missingChannelRight', { right: 'live', channel: c });
  }

  private mayActOn(session: ClientSession, userId: number): void {
    const u = userOf(requireUser(this.o.db, userId));
    this.mayGive(session, roleOf(this.o.db, u.roleId).rights, u.channels);
  }

  private me(session: ClientSession): Current {
    const cur = this.current(session);
    if (!cur) throw fail('auth.signInNeeded');
    return cur;
  }

  readonly handlers: AuthHandlers = {
    'auth.state': (_, session) => this.state(session),
    'auth.setup': async ({ name, password }, session) => {
      if (this.users > 0) throw fail('auth.setupDone');
      this.checkStrong(password, name);
      const hash = await hashPassword(password);
      if (countUsers(this.o.db) > 0) throw fail('auth.setupDone');
      const u = insertUser(this.o.db, { name, hash, roleId: 'administrator', channels: null, mustChange: false }, this.o.clock());
      this.users = countUsers(this.o.db);
      return this.bind(session, u.id);
    },
    'auth.signIn': async ({ name, password }, session) => {
      const row = (await this.checkPassword(session, name, password))!;
      if (row.disabled) throw fail('auth.disabled');
      return this.bind(session, row.id);
    },
    'auth.signInShare': ({ share, secret }, session) => {
      // Only another station, over the TLS link: a share is never a way into a page of this station.
      if (session.peer?.transport !== 'remote' || !this.shares) throw fail('share.remoteOnly');
      const address = session.peer.address;
      const wait = this.throttle.waitMs(`share:${share}`, address);
      if (wait > 0) throw fail('auth.lockedOut', { seconds: Math.ceil(wait / 1000) });
      let userId: number;
      try {
        userId = this.shares.verify(share, secret);
      } catch (err) {
        if ((err as StationError).info?.reason === 'share.wrongCredential') this.throttle.failed(`share:${share}`, address);
        throw err;
      }
      return this.bind(session, userId);
    },
    'auth.resume': ({ sessionId }, session) => {
      const s = this.signIns.get(sessionId);
      // A sign-in is bound to the transport and address it was made on: a copied id is no use elsewhere.
      if (!s || s.transport !== (session.peer?.transport ?? 'station') || s.address !== (session.peer?.address ?? 'local')) throw fail('auth.sessionEnded');
      session.signInId = s.secret;
      if (!this.current(session)) throw fail('auth.sessionEnded');
      s.clients.add(session);
      s.lastSeenAt = this.o.clock();
      return this.state(session);
    },
    // Signing out and the lock screen act on the sign-in, so every page carrying it (a desktop pop-out) is told at once.
    'auth.signOut': (_, session) => {
      const s = this.signIns.get(session.signInId);
      if (s) {
        this.signIns.end(s);
        this.o.signals.emit('auth.changed', { userId: s.userId });
      }
      session.signInId = null;
      return this.state(session);
    },
    'auth.lock': (_, session) => {
      const { signIn } = this.me(session);
      signIn.locked = true;
      this.o.signals.emit('auth.changed', { userId: signIn.userId });
      return this.state(session);
    },
    'auth.unlock': async ({ password }, session) => {
      const s = this.signIns.get(session.signInId);
      const me = s && this.grantOf(s.userId)?.me;
      if (!s || !me) throw fail('auth.signInNeeded');
      await this.checkPassword(session, me.name, password);
      s.locked = false;
      s.lastSeenAt = this.o.clock();
      this.o.signals.emit('auth.changed', { userId: s.userId });
      return this.state(session);
    },
    'auth.changePassword': async ({ currentPassword, newPassword }, session) => {
      const { me, signIn } = this.me(session);
      await this.checkPassword(session, me.name, currentPassword);
      this.checkStrong(newPassword, me.name, 'newPassword');
      updateUser(this.o.db, me.id, { hash: await hashPassword(newPassword), mustChange: false }, this.o.clock());
      // Whoever knew the old password (a lost laptop, a desk set up with it) is signed out; this sign-in stays.
      this.endOtherSignIns(me.id, 'auth.passwordChanged', session, signIn);
      return this.state(session);
    },
    'auth.sessions': (_, session) => this.signIns.all().map((s) => ({
      id: s.id, userId: s.userId, userName: this.grantOf(s.userId)?.me.name ?? '', transport: s.transport, address: s.address,
      createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, current: s.secret === session.signInId,
    })),
    'auth.revokeSession': ({ id }) => {
      const s = this.signIns.byId(id);
      if (!s) throw fail('auth.sessionNotFound', { id });
      this.signIns.end(s);
      this.o.signals.emit('auth.changed', { userId: s.userId });
      return { revoked: true };
    },
    'auth.settings': () => this.settings(),
    'auth.updateSettings': (patch) => {
      const next = { ...this.settings(), ...patch };
      setSetting(this.o.db, 'auth', JSON.stringify(next));
      this.stored = next;
      if (patch.logRetentionDays !== undefined) this.prune();
      return next;
    },
    'users.list': () => listUsers(this.o.db),
    'users.create': async ({ name, password, roleId, channels, mustChangePassword }, session) => {
      this.checkStrong(password, name);
      this.mayGive(session, roleOf(this.o.db, roleId).rights, channels);
      const u = insertUser(this.o.db, { name, hash: await hashPassword(password), roleId, channels, mustChange: mustChangePassword }, this.o.clock());
      this.users = countUsers(this.o.db);
      return u;
    },
    'users.update': ({ id, name, roleId, channels, disabled, mustChangePassword }, session) => {
      const self = this.current(session)?.me.id;
      if (self === id && disabled === true) throw fail('auth.notYourself');
      // Nobody raises (or changes) their own role or cameras.
      if (self === id && (roleId !== undefined || channels !== undefined)) throw fail('auth.ownRole');
      this.mayActOn(session, id);
      const target = userOf(requireUser(this.o.db, id));
      if (roleId !== undefined || channels !== undefined) this.mayGive(session, roleOf(this.o.db, roleId ?? target.roleId).rights, channels === undefined ? target.channels : channels);
      const u = updateUser(this.o.db, id, { name, roleId, channels, disabled, mustChange: mustChangePassword }, this.o.clock());
      if (roleId !== undefined || channels !== undefined || disabled !== undefined) this.endSignInsOf(self === id ? null : id);
      this.grants.clear();
      return u;
    },
    'users.remove': ({ id }, session) => {
      if (this.current(session)?.me.id === id) throw fail('auth.notYourself');
      this.mayActOn(session, id);
      const removed = deleteUser(this.o.db, id);
      this.users = countUsers(this.o.db);
      this.endSignInsOf(id);
      return { removed };
    },
    'users.resetPassword': async ({ id, password, mustChangePassword }, session) => {
      const cur = requireUser(this.o.db, id);
      this.mayActOn(session, id);
      this.checkStrong(password, cur.name);
      const u = updateUser(this.o.db, id, { hash: await hashPassword(password), mustChange: mustChangePassword }, this.o.clock());
      this.endOtherSignIns(id, 'auth.passwordReset', session);
      return u;
    },
    'roles.list': () => listRoles(this.o.db),
    'roles.save': (r, session) => {
      this.mayGive(session, r.rights, []);
      const role = saveRole(this.o.db, r);
      // Rights changed: streams opened under the old ones end with their sign-ins.
      for (const u of listUsers(this.o.db)) if (u.roleId === role.id) this.endSignInsOf(u.id);
      this.grants.clear();
      return role;
    },
    'roles.remove': ({ id }) => ({ removed: deleteRole(this.o.db, id) }),
    'oplog.query': ({ limit, ...f }) => this.oplog.query(f, limit),
    'oplog.export': ({ format, ...f }, session) => {
      const by = this.current(session)?.me.name ?? 'station';
      const at = this.o.clock();
      const entries = this.oplog.query(f, 100_000);
      const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
      if (format === 'json') {
        return { fileName: `watchpost-oplog-${stamp}.json`, text: JSON.stringify({ exportedBy: by, exportedAt: new Date(at).toISOString(), filter: f, entries }, null, 1) };
      }
      const cell = (v: unknown) => {
        const s = v === null || v === undefined ? '' : String(v);
        // A leading = + - @ would run as a formula in a spreadsheet.
        const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
        return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
      };
      const head = `# exported by ${cell(by)} at ${new Date(at).toISOString()}`;
      const rows = entries.map((e) => [e.id, new Date(e.at).toISOString(), e.user, e.kind, e.channelId, e.deviceId, e.transport, e.address, e.result, e.detail].map(cell).join(','));
      return { fileName: `watchpost-oplog-${stamp}.csv`, text: [head, 'id,at,user,kind,channel,device,transport,address,result,detail', ...rows].join('\n') + '\n' };
    },
  };

  dispose(): void {
    clearInterval(this.retention);
    this.unsubscribe();
    for (const s of this.signIns.all()) this.signIns.end(s);
    this.oplog.flush();
  }
}

/**
 * `npm run station -- --reset-admin`: the first administrator (or a new "admin") gets a new random password to change
 * at the next sign-in, and is enabled again; written to the operation log.
 */
export async function resetAdmin(db: Db, clock: () => number = Date.now): Promise<{ name: string; password: string }> {
  const password = `${randomBytes(9).toString('base64url')}-${1000 + (randomBytes(2).readUInt16BE() % 9000)}`;
  const hash = await hashPassword(password);
  const admin = db.prepare("SELECT id, name FROM op_user WHERE role_id = 'administrator' ORDER BY id LIMIT 1").get() as { id: number; name: string } | undefined;
  const name = admin?.name ?? (userRowByName(db, 'admin') ? `admin-${clock()}` : 'admin');
  if (admin) updateUser(db, admin.id, { hash, mustChange: true, disabled: false }, clock());
  else insertUser(db, { name, hash, roleId: 'administrator', channels: null, mustChange: true }, clock());
  const log = new OperationLog(db, clock);
  log.append({ user: null, kind: 'auth.resetAdmin', transport: 'cli', address: 'local', result: 'ok', detail: JSON.stringify({ name }) });
  log.flush();
  return { name, password };
}
