// The station's side of the privacy design: account session, consents, rights, offline-first sync, telemetry, export, erasure.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, extname, join, sep } from 'node:path';
import {
  BUILT_IN_POLICY_VERSION, PRIVACY_PURPOSES, PROFILE_PHOTO_MAX_BYTES, PURPOSE_TEXT, StationError, TELEMETRY_PURPOSES,
  type AlarmNotice, type CallInput, type CallName, type CallOutput, type CloudSession, type ErasureReceipt, type HostedStation,
  type ProfilePhoto, type StoredObject, type PrivacyPurpose, type PrivacyState, type PurposeState, type TelemetryPurpose, type TransmissionPurpose,
} from '../../contract';
import type { SignalBus } from '../signal-bus';
import type { Logger } from '../log';
import type { Dispatch, Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { STATION_VERSION } from '../version';
import { CloudTransport, CloudUnreachable, ConsentGateClosed, cloudCode, cloudMessage, type CloudReply, type CloudRequest } from './cloud-transport';
import { exportLocal, writeExportFile } from './data-export';
import { emptyFolder, eraseLocalRows, scrubDatabase } from './erasure';
import { backoffMs, mergeFields, nextClock, parseDoc, toDoc, type ClockedField } from './field-merge';
import * as store from './privacy-store';
import { TelemetryCollector } from './telemetry-collector';

export const TOKEN_KEY = 'privacy.cloud-token';
/** The cloud's limits for a push snapshot and for one stored file. */
const PUSH_SNAPSHOT_MAX_BYTES = 256 * 1024;
const STORED_FILE_MAX_BYTES = 8 * 1024 * 1024;

/** Calls another area of this station through its contract handlers (set once the station is composed). */
export type StationCall = <K extends CallName>(name: K, input: CallInput<K>) => Promise<CallOutput<K>>;
/** How this station names itself in the account's session list. */
export const STATION_CLIENT = `Watchpost station ${STATION_VERSION} (${process.platform} ${process.arch})`;
const PHOTO_MAGIC: Record<ProfilePhoto['contentType'], Buffer> = {
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};

/** Checks a profile photo here, so a wrong file is named before anything is sent. */
export function checkPhoto(photo: ProfilePhoto, field = 'input.photo'): void {
  const bytes = Buffer.from(photo.dataBase64, 'base64');
  if (bytes.length === 0) throw new StationError('bad_input', `${field}: the file is empty`);
  if (bytes.length > PROFILE_PHOTO_MAX_BYTES)
    throw new StationError('bad_input', `${field}: the photo is ${Math.ceil(bytes.length / 1024)} KiB; at most ${PROFILE_PHOTO_MAX_BYTES / 1024} KiB is accepted`);
  if (!bytes.subarray(0, PHOTO_MAGIC[photo.contentType].length).equals(PHOTO_MAGIC[photo.contentType]))
    throw new StationError('bad_input', `${field}: the file is not a ${photo.contentType === 'image/png' ? 'PNG' : 'JPEG'} image`);
}
const MINIMUM_AGE = 16;
const SETTINGS_PUT_TRIES = 5;

export interface PrivacyServiceOptions {
  db: Db;
  secrets: SecretStore;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  cloudUrl: string | null;
  dataDir: string;
  /** Where recordings and snapshots are, for "delete my recordings too". */
  mediaDirs: () => string[];
  facts: () => Promise<Record<string, unknown>>;
  /** How often a signed-in station syncs and sends granted telemetry (default 60 s). */
  syncEveryMs?: number;
  /** Longest wait between retries while the cloud is unreachable (default 30 s). */
  retryCapMs?: number;
}

type PrivacyHandlerName = Extract<keyof Handlers, `privacy.${string}`>;
export type PrivacyHandlers = Pick<Handlers, PrivacyHandlerName>;

interface ConsentValue { granted: boolean; policyVersion: string }
const consentKey = (p: PrivacyPurpose) => `consent.${p}`;
const isTelemetry = (p: string): p is TelemetryPurpose => (TELEMETRY_PURPOSES as readonly string[]).includes(p);

/** The text shown beside a purpose's switch, hashed with the policy version: recorded with every consent. */
export function policyTextHash(purpose: PrivacyPurpose, version: string): string {
  const t = PURPOSE_TEXT[purpose];
  return createHash('sha256').update([version, t.title, t.summary, t.policyData, t.stationSends].join('\n')).digest('hex');
}

/** Whole years between a YYYY-MM-DD birth date and now (UTC). */
export function ageOn(dateOfBirth: string, now: number): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const t = new Date(now);
  const beforeBirthday = t.getUTCMonth() + 1 < m || (t.getUTCMonth() + 1 === m && t.getUTCDate() < d);
  return t.getUTCFullYear() - y - (beforeBirthday ? 1 : 0);
}

class SessionEnded extends Error {}

export class PrivacyService {
  readonly handlers: PrivacyHandlers;
  private readonly db: Db;
  private readonly transport: CloudTransport;
  private readonly collector: TelemetryCollector;
  private readonly log: Logger;
  private readonly node: string;
  private cloudInfo: { reachable: boolean | null; region: string | null; regionName: string | null; minimumAge: number; checkedAt: number | null } =
    { reachable: null, region: null, regionName: null, minimumAge: MINIMUM_AGE, checkedAt: null };
  private syncing: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private offline = false;
  private sessionEnded = false;
  private lastError: string | null = null;
  private nextAttemptAt: number | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly pollTimer: NodeJS.Timeout;
  private active = new Set<PrivacyPurpose>();
  private disposed = false;
  private stationCall: StationCall | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: PrivacyServiceOptions) {
    this.db = opts.db;
    this.log = opts.logger.child({ part: 'privacy' });
    // Deleted personal rows are overwritten with zeros instead of lingering in free pages.
    this.db.pragma('secure_delete = ON');
    this.node = store.getMeta(this.db, 'node') ?? randomUUID();
    store.setMeta(this.db, 'node', this.node);
    this.transport = new CloudTransport({
      db: this.db, baseUrl: opts.cloudUrl, clock: opts.clock,
      gate: (purpose, action, method) => this.gate(purpose, action, method),
    });
    this.collector = new TelemetryCollector({ db: this.db, clock: opts.clock, collecting: (p) => this.active.has(p), facts: opts.facts });
    this.refreshActive();
    this.pollTimer = setInterval(() => { if (store.getAccount(this.db)) void this.sync(); }, opts.syncEveryMs ?? 60_000);
    this.pollTimer.unref();
    if (store.getAccount(this.db)) queueMicrotask(() => void this.sync());
    this.handlers = this.buildHandlers();
    // Alarms come from the events area on the station's public bus; each one is a push only while alarm push is granted.
    this.unsubscribe = opts.signals.subscribe((name, payload) => {
      if (name === 'alarm.raised') void this.pushAlarm(payload as AlarmNotice);
      // A changed device list goes out with the next sync round, only while hosting is active.
      else if ((name === 'devices.changed' || name === 'channels.changed') && this.active.has('device_hosting')) this.kick();
    });
  }

  /** Gives the service the station's other areas (device list, channel names), once they exist. */
  attach(call: StationCall): void {
    this.stationCall = call;
  }

  /** Counts feature usage for the User Experience Plan (only while it is granted). */
  observe(dispatch: Dispatch): Dispatch {
    return this.collector.observe(dispatch);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.unsubscribe();
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.syncing?.catch(() => {});
  }

  // ---- state ----

  private policyVersion(): string {
    return store.getMeta(this.db, 'policyVersion') ?? BUILT_IN_POLICY_VERSION;
  }

  private consentValue(fields: Map<string, ClockedField>, p: PrivacyPurpose): ConsentValue | null {
    const v = fields.get(consentKey(p))?.value as Partial<ConsentValue> | undefined;
    return v && typeof v.granted === 'boolean' && typeof v.policyVersion === 'string' ? { granted: v.granted, policyVersion: v.policyVersion } : null;
  }

  private purposeStates(): PurposeState[] {
    const fields = store.listFields(this.db);
    const account = store.getAccount(this.db);
    const outbox = store.listOutbox(this.db);
    const version = this.policyVersion();
    return PRIVACY_PURPOSES.map((purpose) => {
      const v = this.consentValue(fields, purpose);
      const granted = v?.granted ?? false;
      const needsReconsent = granted && v!.policyVersion !== version;
      const pending = outbox.some((e) => e.kind === 'consent' && e.payload.purpose === purpose);
      const active = granted && !needsReconsent && !pending && account !== null && !account.restricted && !account.objected && !this.sessionEnded;
      return { purpose, granted, policyVersion: v?.policyVersion ?? null, needsReconsent, active, pending, changedAt: store.fieldUpdatedAt(this.db, consentKey(purpose)) };
    });
  }

  private refreshActive(): PurposeState[] {
    const states = this.purposeStates();
    this.active = new Set(states.filter((s) => s.active).map((s) => s.purpose));
    return states;
  }

  state(): PrivacyState {
    const account = store.getAccount(this.db);
    const outbox = store.listOutbox(this.db);
    const purposes = this.refreshActive();
    const profile = outbox.find((e) => e.kind === 'profile')?.payload ?? {};
    const pending = outbox.filter((e) => !(e.kind === 'settings' && account?.restricted)).length;
    const syncState: PrivacyState['sync']['state'] = !account ? 'signed_out'
      : this.sessionEnded ? 'session_ended'
        : this.syncing ? 'syncing'
          : this.offline ? 'offline'
            : this.lastError ? 'error'
              : account.restricted && outbox.some((e) => e.kind === 'settings') ? 'restricted'
                : pending > 0 ? 'pending' : 'synced';
    const lastSynced = store.getMeta(this.db, 'lastSyncedAt');
    return {
      cloud: { url: this.opts.cloudUrl, ...this.cloudInfo },
      policy: { version: this.policyVersion(), builtIn: BUILT_IN_POLICY_VERSION, changed: this.policyVersion() !== BUILT_IN_POLICY_VERSION },
      account: account && {
        email: account.email, photoType: store.getMeta(this.db, 'photoType') || null, nickname: account.nickname, country: account.country, region: account.region,
        regionName: account.regionName, dateOfBirth: account.dateOfBirth, createdAt: account.createdAt,
      },
      pendingProfile: {
        ...(typeof profile.nickname === 'string' ? { nickname: profile.nickname } : {}),
        ...(typeof profile.country === 'string' ? { country: profile.country } : {}),
      },
      purposes,
      rights: { restricted: account?.restricted ?? false, objected: account?.objected ?? false, pending: outbox.some((e) => e.kind === 'rights') },
      sync: {
        state: syncState, pending, lastSyncedAt: lastSynced ? Number(lastSynced) : null,
        nextAttemptAt: this.offline ? this.nextAttemptAt : null, lastError: this.lastError,
      },
      telemetry: TELEMETRY_PURPOSES.map((purpose) => ({
        purpose, queuedEvents: store.countTelemetry(this.db, purpose), sentBytes: store.sentBytes(this.db, purpose),
      })),
      exportsDir: this.exportsDir(),
    };
  }

  private exportsDir(): string {
    return join(this.opts.dataDir, 'exports');
  }

  private changed(): PrivacyState {
    const s = this.state();
    if (!this.disposed) this.opts.signals.emit('privacy.changed', s);
    return s;
  }

  // ---- the consent gate: every request to the cloud passes here ----

  /** The grant that lets a purpose's data go out now, described for the ledger; throws when there is none. */
  private grantFor(purpose: PrivacyPurpose): string {
    const account = store.getAccount(this.db);
    const s = this.purposeStates().find((p) => p.purpose === purpose)!;
    if (!s.active) {
      const why = !s.granted ? 'not granted' : s.needsReconsent ? 'granted under an older policy; asking again'
        : s.pending ? 'grant not yet recorded in the cloud' : account?.restricted ? 'processing restricted by you'
          : account?.objected ? 'you object to processing' : 'not signed in';
      throw new ConsentGateClosed(purpose, why);
    }
    const grant = store.listConsents(this.db).filter((c) => c.purpose === purpose).at(-1);
    return `grant${grant?.cloudId ? ` #${grant.cloudId}` : ''} recorded ${grant?.cloudRecordedAt ?? 'here'} under policy ${s.policyVersion}`;
  }

  private gate(purpose: TransmissionPurpose, action: string | undefined, method: string): string {
    const account = store.getAccount(this.db);
    switch (purpose) {
      case 'cloud_storage':
      case 'device_hosting':
        // Reading or deleting what the account already holds is the user's own request; only sending data needs the grant.
        if ((method === 'GET' || method === 'DELETE') && action) {
          if (!account) throw new ConsentGateClosed(purpose, 'not signed in');
          return `your request: ${action}`;
        }
        return this.grantFor(purpose);
      case 'alarm_push':
      case 'user_experience_plan':
      case 'device_experience_program':
        return this.grantFor(purpose);
      case 'settings_sync':
      case 'consent_record':
      case 'rights':
        if (!account) throw new ConsentGateClosed(purpose, 'not signed in');
        return purpose === 'settings_sync' ? 'your account: settings sync, which you chose by signing in'
          : purpose === 'consent_record' ? 'your choice: recording it in your account is how it takes effect'
            : `your request: ${action ?? 'restriction / objection'}`;
      case 'service_info':
        if (action) return `your request: ${action}`;
        if (!account) throw new ConsentGateClosed(purpose, 'not signed in and not asked for');
        return 'your account: checking the service and the policy in force';
      case 'account':
      case 'data_export':
      case 'erasure':
        if (!action) throw new ConsentGateClosed(purpose, 'sent only when you ask');
        return `your request: ${action}`;
    }
  }

  private async request(req: CloudRequest): Promise<CloudReply> {
    const reply = await this.transport.request(req);
    this.log.debug({ purpose: req.purpose, endpoint: req.path, status: reply.status }, 'cloud request');
    return reply;
  }

  private async token(): Promise<string> {
    const t = await this.opts.secrets.get(TOKEN_KEY);
    if (!t) throw new SessionEnded('no session token');
    return t;
  }

  // ---- cloud facts ----

  private async checkHealth(action: string | undefined): Promise<void> {
    try {
      const r = await this.request({ method: 'GET', path: '/v1/health', purpose: 'service_info', action });
      if (r.status !== 200) throw new CloudUnreachable(`the cloud answered ${r.status} to /v1/health`);
      const b = r.body as { region: string; regionName: string; minimumAge: number; policyVersion: string | null };
      this.cloudInfo = { reachable: true, region: b.region, regionName: b.regionName, minimumAge: b.minimumAge ?? MINIMUM_AGE, checkedAt: this.opts.clock() };
      const version = b.policyVersion ?? BUILT_IN_POLICY_VERSION;
      if (version !== this.policyVersion()) {
        this.log.info({ from: this.policyVersion(), to: version }, 'privacy policy version changed');
        store.setMeta(this.db, 'policyVersion', version);
      }
    } catch (err) {
      if (err instanceof CloudUnreachable) this.cloudInfo = { ...this.cloudInfo, reachable: false, checkedAt: this.opts.clock() };
      throw err;
    }
  }

  // ---- sign-up, log-in, log-out ----

  private unreachable(what: string, err: unknown): never {
    if (err instanceof CloudUnreachable) throw new StationError('unavailable', `${what} needs the cloud at ${this.opts.cloudUrl ?? '(none configured)'}: ${err.message}; nothing was changed`);
    throw err;
  }

  private async adoptSession(body: { account: Record<string, any>; token: string; sessionId: string; expiresAt: string }): Promise<void> {
    const a = body.account;
    const previous = store.getAccount(this.db);
    if (previous && previous.accountId !== a.id) this.forgetLocalAccount();
    await this.opts.secrets.set(TOKEN_KEY, body.token);
    store.setMeta(this.db, 'photoType', typeof a.photoType === 'string' ? a.photoType : '');
    store.putAccount(this.db, {
      accountId: a.id, email: a.email, nickname: a.nickname, country: a.country, region: a.region, regionName: a.regionName,
      dateOfBirth: a.dateOfBirth, restricted: !!a.restricted, objected: !!a.objected, createdAt: a.createdAt,
      sessionId: body.sessionId, expiresAt: body.expiresAt, signedInAt: this.opts.clock(),
    });
    this.sessionEnded = false;
    this.lastError = null;
  }

  /** Everything of the signed-in person held here, except the transmission ledger (which names no one). */
  private forgetLocalAccount() {
    const erased = eraseLocalRows(this.db);
    for (const p of TELEMETRY_PURPOSES) this.collector.discard(p);
    this.photoCache = null;
    store.setMeta(this.db, 'photoType', '');
    return erased;
  }

  private async signUp(input: { email: string; password: string; nickname: string; country: string; dateOfBirth: string; photo?: ProfilePhoto }): Promise<PrivacyState> {
    if (ageOn(input.dateOfBirth, this.opts.clock()) < MINIMUM_AGE) {
      throw new StationError('bad_input', `input.dateOfBirth: Watchpost accounts are for people aged ${MINIMUM_AGE} or over; nothing was sent`);
    }
    if (input.photo) checkPhoto(input.photo);
    const { photo, ...rest } = input;
    if (store.getAccount(this.db)) throw new StationError('conflict', 'privacy: already signed in; log out first');
    try {
      await this.checkHealth('sign-up');
      const r = await this.request({
        method: 'POST', path: '/v1/accounts', purpose: 'account', action: 'sign-up',
        body: { ...rest, region: this.cloudInfo.region, client: STATION_CLIENT, ...(photo ? { photo: { contentType: photo.contentType, data: photo.dataBase64 } } : {}) },
      });
      if (r.status === 201) await this.adoptSession(r.body);
      else throw this.accountError(r);
    } catch (err) {
      this.unreachable('Sign-up', err);
    }
    this.forgetLocalAccountData();
    await this.sync();
    return this.changed();
  }

  /** A new or different account starts with every purpose off here; the cloud's settings then merge in. */
  private forgetLocalAccountData(): void {
    store.clearFields(this.db);
    store.clearConsents(this.db);
    store.clearOutbox(this.db);
    store.clearTelemetry(this.db);
  }

  private accountError(r: CloudReply): StationError {
    const code = cloudCode(r);
    const field = typeof r.body?.error?.field === 'string' ? r.body.error.field : null;
    const msg = cloudMessage(r);
    const named = field && !msg.startsWith(`${field}:`) ? `input.${field}: ${msg}` : `input.${msg}`;
    switch (code) {
      case 'age_gate': return new StationError('bad_input', `input.dateOfBirth: ${msg}; nothing was stored`);
      case 'email_taken': return new StationError('conflict', 'input.email: an account with this email already exists; log in instead');
      case 'invalid_credentials': return new StationError('bad_input', `input.password: wrong email or password${typeof r.body?.error?.attemptsLeft === 'number' ? ` (${r.body.error.attemptsLeft} tries left)` : ''}`);
      case 'signup_throttled': return new StationError('unavailable', `privacy: too many sign-ups from this address; try again in ${Math.ceil(Number(r.body?.error?.retryAfterSeconds ?? 900) / 60)} min`);
      case 'login_throttled': return new StationError('unavailable', `input.password: too many failed log-ins; try again in ${Math.ceil(Number(r.body?.error?.retryAfterSeconds ?? 900) / 60)} min`);
      case 'wrong_region': return new StationError('bad_input', `privacy: ${msg}`);
      case 'invalid_input': return new StationError('bad_input', named);
      default: return new StationError(r.status >= 500 ? 'unavailable' : 'bad_input', `privacy: ${msg}`);
    }
  }

  private async logIn(input: { email: string; password: string }): Promise<PrivacyState> {
    try {
      await this.checkHealth('log-in');
      const r = await this.request({ method: 'POST', path: '/v1/auth/login', purpose: 'account', action: 'log-in', body: { ...input, region: this.cloudInfo.region ?? undefined, client: STATION_CLIENT } });
      if (r.status !== 200) throw this.accountError(r);
      const previous = store.getAccount(this.db);
      if (!previous || previous.accountId !== r.body.account.id) this.forgetLocalAccountData();
      await this.adoptSession(r.body);
    } catch (err) {
      this.unreachable('Log-in', err);
    }
    await this.sync();
    return this.changed();
  }

  private async logOut(): Promise<PrivacyState> {
    if (!store.getAccount(this.db)) return this.state();
    await this.sync();
    const token = await this.opts.secrets.get(TOKEN_KEY);
    if (token) {
      try {
        await this.request({ method: 'POST', path: '/v1/auth/logout', purpose: 'account', action: 'log-out', token });
      } catch (err) {
        // The session then ends by itself when it expires; the token is forgotten here either way.
        if (!(err instanceof CloudUnreachable)) throw err;
      }
    }
    await this.opts.secrets.delete(TOKEN_KEY);
    this.forgetLocalAccount();
    this.sessionEnded = false;
    this.offline = false;
    this.lastError = null;
    return this.changed();
  }

  // ---- local changes: saved at once, queued for the cloud ----

  private requireAccount(what: string): store.StoredAccount {
    const a = store.getAccount(this.db);
    if (!a) throw new StationError('conflict', `${what}: sign in or create an account first`);
    return a;
  }

  private stamp(): number {
    const c = nextClock(Number(store.getMeta(this.db, 'clock') ?? 0), this.opts.clock());
    store.setMeta(this.db, 'clock', String(c));
    return c;
  }

  private setConsent(input: { purpose: PrivacyPurpose; granted: boolean; locale: string }): PrivacyState {
    this.requireAccount(`input.purpose (${input.purpose})`);
    const { purpose, granted } = input;
    const current = this.purposeStates().find((p) => p.purpose === purpose)!;
    if (current.granted === granted && !current.needsReconsent) return this.state();
    const version = this.policyVersion();
    const now = this.opts.clock();
    this.db.transaction(() => {
      store.putField(this.db, { key: consentKey(purpose), value: { granted, policyVersion: version }, clock: this.stamp(), node: this.node }, now);
      const id = store.addConsent(this.db, {
        purpose, action: granted ? 'grant' : 'withdraw', policyVersion: version, policyTextHash: policyTextHash(purpose, version),
        appVersion: STATION_VERSION, locale: input.locale, createdAt: now, cloudId: null, cloudRecordedAt: null, origin: 'station',
      });
      store.enqueue(this.db, 'consent', { consentId: id, purpose }, now);
      store.enqueueSettingsPush(this.db, now);
    })();
    if (!granted && isTelemetry(purpose)) this.collector.discard(purpose);
    this.log.info({ purpose, action: granted ? 'grant' : 'withdraw' }, 'consent changed');
    this.kick();
    return this.changed();
  }

  private setRights(input: { restricted?: boolean; objected?: boolean }): PrivacyState {
    this.requireAccount('privacy.setRights');
    const now = this.opts.clock();
    this.db.transaction(() => {
      store.patchAccount(this.db, input);
      store.enqueueRights(this.db, input, now);
    })();
    this.kick();
    return this.changed();
  }

  private updateProfile(input: { nickname?: string; country?: string }): PrivacyState {
    this.requireAccount('privacy.updateProfile');
    const now = this.opts.clock();
    this.db.transaction(() => {
      store.patchAccount(this.db, input);
      store.enqueueProfile(this.db, input, now);
    })();
    this.kick();
    return this.changed();
  }

  // ---- sync: outbox out, settings merged per field, then granted telemetry ----

  private kick(): void {
    void this.sync();
  }

  /** One sync at a time; a request for another while one runs makes it go round once more. */
  sync(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    clearTimeout(this.retryTimer);
    this.syncing = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && !this.disposed);
    })().finally(() => {
      this.syncing = null;
      this.changed();
    });
    this.changed();
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (!store.getAccount(this.db)) return;
    try {
      const token = await this.token();
      await this.checkHealth(undefined);
      this.lastError = null;
      for (const entry of store.listOutbox(this.db)) {
        if (entry.kind === 'settings') continue;
        await this.push(entry, token);
      }
      await this.syncSettings(token);
      await this.pull(token);
      // Grants just recorded in the cloud start collection in this same round.
      this.refreshActive();
      await this.collector.seal();
      await this.sendTelemetry(token);
      await this.hostDevices(token);
      this.failures = 0;
      this.offline = false;
      this.nextAttemptAt = null;
      store.setMeta(this.db, 'lastSyncedAt', String(this.opts.clock()));
    } catch (err) {
      if (err instanceof CloudUnreachable) {
        this.failures++;
        this.offline = true;
        this.nextAttemptAt = this.opts.clock() + backoffMs(this.failures, this.opts.retryCapMs);
        const head = store.listOutbox(this.db)[0];
        if (head) store.outboxFailed(this.db, head.id, err.message, this.nextAttemptAt);
        this.scheduleRetry();
      } else if (err instanceof SessionEnded) {
        this.sessionEnded = true;
        this.lastError = 'your session ended; log in again to sync';
      } else if (err instanceof ConsentGateClosed) {
        this.lastError = err.message;
      } else {
        this.log.error({ err }, 'privacy sync failed');
        this.lastError = (err as Error).message;
      }
    }
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    if (this.disposed || this.nextAttemptAt === null) return;
    this.retryTimer = setTimeout(() => void this.sync(), Math.max(0, this.nextAttemptAt - this.opts.clock()));
    this.retryTimer.unref();
  }

  private check(r: CloudReply): void {
    if (r.status === 401) throw new SessionEnded(cloudMessage(r));
    if (r.status >= 500 || r.status === 429) throw new CloudUnreachable(`the cloud answered ${r.status}`);
  }

  private async push(entry: store.OutboxEntry, token: string): Promise<void> {
    let r: CloudReply;
    if (entry.kind === 'consent') {
      const c = store.getConsent(this.db, Number(entry.payload.consentId));
      if (!c) return store.outboxDone(this.db, entry.id);
      r = await this.request({
        method: 'POST', path: '/v1/consents', purpose: 'consent_record', token,
        body: { purpose: c.purpose, action: c.action, policyVersion: c.policyVersion, policyTextHash: c.policyTextHash, appVersion: c.appVersion, locale: c.locale },
      });
      this.check(r);
      if (r.status === 201) store.consentRecorded(this.db, c.id, r.body.record.id, r.body.record.recordedAt);
    } else if (entry.kind === 'rights') {
      r = await this.request({ method: 'PUT', path: '/v1/rights', purpose: 'rights', action: 'restriction / objection', token, body: entry.payload });
      this.check(r);
      if (r.status === 200) store.patchAccount(this.db, { restricted: r.body.restricted, objected: r.body.objected });
    } else if (entry.kind === 'profile') {
      r = await this.request({ method: 'PATCH', path: '/v1/account', purpose: 'account', action: 'profile edit', token, body: entry.payload });
      this.check(r);
      if (r.status === 200) store.patchAccount(this.db, { nickname: r.body.account.nickname, country: r.body.account.country });
    } else {
      return;
    }
    if (r.status >= 200 && r.status < 300) return store.outboxDone(this.db, entry.id);
    // Refused for good (bad input): drop it, and tell the user what was not kept.
    this.lastError = `${entry.kind} change not accepted by the cloud: ${cloudMessage(r)}`;
    store.outboxDone(this.db, entry.id);
  }

  /** Pulls the settings document, merges it per field with ours, and pushes the result if ours adds anything. */
  private async syncSettings(token: string): Promise<void> {
    let r = await this.request({ method: 'GET', path: '/v1/settings', purpose: 'settings_sync', token });
    this.check(r);
    if (r.status !== 200) throw new Error(`settings: ${cloudMessage(r)}`);
    let remote = { version: r.body.version as number, settings: r.body.settings as unknown };
    for (let tries = 0; tries < SETTINGS_PUT_TRIES; tries++) {
      const result = mergeFields(store.listFields(this.db), parseDoc(remote.settings));
      this.adopt(result.adopt, result.maxClock);
      const restricted = store.getAccount(this.db)?.restricted ?? false;
      if (!result.pushNeeded || restricted) {
        if (!restricted) this.dropSettingsEntries();
        return;
      }
      r = await this.request({
        method: 'PUT', path: '/v1/settings', purpose: 'settings_sync', token,
        headers: { 'if-match': `"${remote.version}"` }, body: { settings: toDoc(result.merged.values(), remote.settings) },
      });
      this.check(r);
      if (r.status === 200) return this.dropSettingsEntries();
      if (r.status === 412 && r.body?.error?.current) {
        remote = { version: r.body.error.current.version, settings: r.body.error.current.settings };
        continue;
      }
      if (cloudCode(r) === 'processing_restricted') return;
      throw new Error(`settings: ${cloudMessage(r)}`);
    }
    throw new CloudUnreachable('settings kept changing in the cloud while merging; will retry');
  }

  private dropSettingsEntries(): void {
    for (const e of store.listOutbox(this.db)) if (e.kind === 'settings') store.outboxDone(this.db, e.id);
  }

  private adopt(fields: ClockedField[], maxClock: number): void {
    const now = this.opts.clock();
    this.db.transaction(() => {
      for (const f of fields) store.putField(this.db, f, now);
      if (maxClock > Number(store.getMeta(this.db, 'clock') ?? 0)) store.setMeta(this.db, 'clock', String(maxClock));
    })();
    for (const f of fields) {
      const purpose = f.key.replace(/^consent\./, '');
      if (isTelemetry(purpose) && !(f.value as Partial<ConsentValue>)?.granted) this.collector.discard(purpose);
    }
  }

  /** The cloud's ledger and account as other stations left them. */
  private async pull(token: string): Promise<void> {
    const c = await this.request({ method: 'GET', path: '/v1/consents', purpose: 'settings_sync', token });
    this.check(c);
    if (c.status === 200) {
      for (const rec of c.body.records as any[]) {
        if (store.hasCloudConsent(this.db, rec.id)) continue;
        store.addConsent(this.db, {
          purpose: rec.purpose, action: rec.action, policyVersion: rec.policyVersion, policyTextHash: rec.policyTextHash,
          appVersion: rec.appVersion, locale: rec.locale, createdAt: Date.parse(rec.recordedAt), cloudId: rec.id,
          cloudRecordedAt: rec.recordedAt, origin: 'cloud',
        });
      }
    }
    const a = await this.request({ method: 'GET', path: '/v1/account', purpose: 'settings_sync', token });
    this.check(a);
    const waiting = store.listOutbox(this.db);
    if (a.status === 200) {
      const acc = a.body.account;
      store.setMeta(this.db, 'photoType', typeof acc.photoType === 'string' ? acc.photoType : '');
      store.patchAccount(this.db, {
        email: acc.email,
        ...(waiting.some((e) => e.kind === 'profile') ? {} : { nickname: acc.nickname, country: acc.country }),
        ...(waiting.some((e) => e.kind === 'rights') ? {} : { restricted: acc.restricted, objected: acc.objected }),
      });
    }
  }

  private async sendTelemetry(token: string): Promise<void> {
    for (const purpose of TELEMETRY_PURPOSES) {
      if (!this.active.has(purpose)) continue;
      const batch = store.pendingTelemetry(this.db, purpose);
      if (batch.length === 0) continue;
      const r = await this.request({ method: 'POST', path: `/v1/telemetry/${purpose}`, purpose, token, body: { events: batch.map((b) => b.payload) } });
      this.check(r);
      if (r.status === 202) {
        store.dropTelemetry(this.db, purpose, batch.at(-1)!.id);
      } else if (cloudCode(r) === 'consent_outdated') {
        // The cloud has a newer policy than we knew: ask again before sending more.
        await this.checkHealth(undefined);
        this.refreshActive();
      } else {
        this.lastError = `${PURPOSE_TEXT[purpose].title}: ${cloudMessage(r)}`;
      }
    }
  }

  // ---- rights of access and erasure ----

  private async exportData() {
    const now = this.opts.clock();
    const local = exportLocal(this.db, now, await this.opts.secrets.keys());
    let cloud: unknown = null;
    let cloudError: string | null = null;
    if (store.getAccount(this.db)) {
      try {
        const r = await this.request({ method: 'GET', path: '/v1/export', purpose: 'data_export', action: 'export my data', token: await this.token() });
        if (r.status === 200) cloud = r.body;
        else cloudError = cloudMessage(r);
      } catch (err) {
        cloudError = err instanceof SessionEnded ? 'your session ended; log in again to include the cloud part' : (err as Error).message;
      }
    }
    const doc = { format: 'watchpost-data-export/1', generatedAt: new Date(now).toISOString(), local, cloud, cloudError };
    const file = writeExportFile(this.exportsDir(), now, doc);
    this.changed();
    return { ...file, bytes: Buffer.byteLength(file.json) };
  }

  private async erase(input: { password: string; recordings: 'keep' | 'delete' }): Promise<ErasureReceipt> {
    const account = store.getAccount(this.db);
    let cloud: Record<string, unknown> | null = null;
    if (account) {
      if (!input.password) throw new StationError('bad_input', 'input.password: your password is needed to delete the cloud account');
      let r: CloudReply;
      try {
        r = await this.request({ method: 'DELETE', path: '/v1/account', purpose: 'erasure', action: 'delete my account', token: await this.token(), body: { password: input.password } });
      } catch (err) {
        if (err instanceof SessionEnded) throw new StationError('conflict', 'privacy: your session ended; log in again, then delete the account');
        this.unreachable('Deleting the account', err);
      }
      if (r.status === 403 && cloudCode(r) === 'wrong_password') throw new StationError('bad_input', 'input.password: wrong password; nothing was deleted');
      if (r.status !== 200) throw new StationError(r.status >= 500 ? 'unavailable' : 'bad_input', `privacy: the cloud refused the deletion (${cloudMessage(r)}); nothing was deleted`);
      cloud = r.body.receipt as Record<string, unknown>;
    }
    const rows = this.forgetLocalAccount();
    const token = (await this.opts.secrets.keys()).includes(TOKEN_KEY);
    await this.opts.secrets.delete(TOKEN_KEY);
    const exportFiles = emptyFolder(this.exportsDir());
    const recordingFiles = input.recordings === 'delete' ? this.opts.mediaDirs().reduce((n, d) => n + emptyFolder(d), 0) : 0;
    scrubDatabase(this.db);
    this.sessionEnded = false;
    this.offline = false;
    this.lastError = null;
    this.log.info({ recordings: input.recordings }, 'account erased');
    this.changed();
    return {
      erasedAt: this.opts.clock(),
      cloud,
      local: { ...rows, exportFiles, recordings: input.recordings === 'delete' ? 'deleted' : 'kept', recordingFiles, token },
      kept: 'The transmission ledger (times, endpoints, purposes and sizes; it names no one)' +
        (input.recordings === 'keep' ? ', and your recordings and snapshots as you chose' : '') +
        (cloud ? '. The cloud keeps proof of your consents under a keyed hash, without personal details.' : '.'),
    };
  }

  // ---- account management: online only, each a request the user made ----

  /** Sends one account request the user asked for; names what went wrong in the user's terms. */
  private async accountCall(action: string, req: Omit<CloudRequest, 'purpose' | 'action' | 'token'>, purpose: TransmissionPurpose = 'account'): Promise<CloudReply> {
    this.requireAccount(`privacy (${action})`);
    let r: CloudReply;
    try {
      r = await this.request({ ...req, purpose, action, token: await this.token() });
    } catch (err) {
      if (err instanceof SessionEnded) throw new StationError('conflict', `privacy: your session ended; log in again to ${action}`);
      if (err instanceof ConsentGateClosed) throw new StationError('conflict', `privacy: ${PURPOSE_TEXT[purpose as PrivacyPurpose]?.title ?? purpose} — ${err.message.replace(/^[a-z_]+: /, '')}`);
      this.unreachable(action[0]!.toUpperCase() + action.slice(1), err);
    }
    if (r.status === 401) {
      this.sessionEnded = true;
      this.changed();
      throw new StationError('conflict', `privacy: your session ended; log in again to ${action}`);
    }
    if (r.status >= 200 && r.status < 300) return r;
    const code = cloudCode(r);
    if (code === 'wrong_password') throw new StationError('bad_input', `input.currentPassword: wrong password${typeof r.body?.error?.attemptsLeft === 'number' ? ` (${r.body.error.attemptsLeft} tries left)` : ''}; nothing was changed`);
    if (code === 'login_throttled') throw new StationError('unavailable', `input.currentPassword: too many wrong passwords; try again in ${Math.ceil(Number(r.body?.error?.retryAfterSeconds ?? 900) / 60)} min`);
    if (code === 'email_taken') throw new StationError('conflict', 'input.newEmail: another account already uses this email');
    if (code === 'not_found') throw new StationError('not_found', `privacy: ${cloudMessage(r)}`);
    throw this.accountError(r);
  }

  private photoCache: { type: string; photo: ProfilePhoto | null } | null = null;

  private async photo(): Promise<ProfilePhoto | null> {
    const type = store.getMeta(this.db, 'photoType') || null;
    if (!store.getAccount(this.db) || !type) return null;
    if (this.photoCache?.type === type) return this.photoCache.photo;
    const r = await this.accountCall('show your profile photo', { method: 'GET', path: '/v1/account/photo' });
    const photo = { contentType: r.body.contentType, dataBase64: r.body.data } as ProfilePhoto;
    this.photoCache = { type, photo };
    return photo;
  }

  private async setPhoto(input: { photo: ProfilePhoto | null }): Promise<PrivacyState> {
    if (input.photo) checkPhoto(input.photo);
    const r = await this.accountCall(input.photo ? 'change your profile photo' : 'remove your profile photo', {
      method: 'PATCH', path: '/v1/account', body: { photo: input.photo ? { contentType: input.photo.contentType, data: input.photo.dataBase64 } : null },
    });
    this.photoCache = null;
    store.setMeta(this.db, 'photoType', r.body.account.photoType ?? '');
    return this.changed();
  }

  private async changeEmail(input: { currentPassword: string; newEmail: string }): Promise<PrivacyState> {
    const r = await this.accountCall('change your email', { method: 'POST', path: '/v1/account/email', body: input });
    store.patchAccount(this.db, { email: r.body.account.email });
    this.log.info('account email changed');
    return this.changed();
  }

  private async changePassword(input: { currentPassword: string; newPassword: string }): Promise<{ revokedSessions: number }> {
    const r = await this.accountCall('change your password', { method: 'POST', path: '/v1/account/password', body: input });
    this.log.info({ revokedSessions: r.body.revokedSessions }, 'account password changed');
    return { revokedSessions: r.body.revokedSessions };
  }

  private async sessions(): Promise<CloudSession[]> {
    const r = await this.accountCall('list your sessions', { method: 'GET', path: '/v1/sessions' });
    // Newest first: this station's and the ones still in use are what the user looks for.
    return (r.body.sessions as CloudSession[]).slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async revokeSession(id: string): Promise<CloudSession[]> {
    if (id === store.getAccount(this.db)?.sessionId) throw new StationError('bad_input', 'input.id: that is this station\'s own session; use Log out instead');
    await this.accountCall('sign out a session', { method: 'DELETE', path: `/v1/sessions/${encodeURIComponent(id)}` });
    return this.sessions();
  }

  private async revokeOtherSessions(): Promise<{ revoked: number; sessions: CloudSession[] }> {
    const r = await this.accountCall('sign out everywhere else', { method: 'POST', path: '/v1/sessions/revoke-others' });
    return { revoked: r.body.revoked, sessions: await this.sessions() };
  }

  // ---- alarm push, cloud storage, device hosting ----

  private async pushAlarm(n: AlarmNotice): Promise<void> {
    const account = store.getAccount(this.db);
    // Off, withdrawn, paused or signed out: nothing at all is sent, not even a request.
    if (!account || this.disposed || !this.refreshActive().some((p) => p.purpose === 'alarm_push' && p.active)) return;
    const token = await this.opts.secrets.get(TOKEN_KEY);
    if (!token) return;
    const ev = n.event;
    let channelName = '';
    if (ev.channelId !== null) {
      const channels = await this.stationCall?.('channels.list', {}).catch(() => []) ?? [];
      channelName = channels.find((c) => c.id === ev.channelId)?.name ?? `channel ${ev.channelId}`;
    }
    const snapshot = n.snapshotBase64 && Buffer.byteLength(n.snapshotBase64, 'base64') <= PUSH_SNAPSHOT_MAX_BYTES ? n.snapshotBase64 : null;
    try {
      const r = await this.request({
        method: 'POST', path: '/v1/push', purpose: 'alarm_push', token,
        body: { stationId: this.node, type: ev.type, channelName, occurredAt: new Date(ev.start).toISOString(), snapshotJpeg: snapshot },
      });
      if (r.status !== 201) this.lastError = `${PURPOSE_TEXT.alarm_push.title}: ${cloudMessage(r)}`;
    } catch (err) {
      // Unreachable: the ledger has the attempt; an alarm is news only now, so it is not queued for later.
      if (!(err instanceof ConsentGateClosed)) this.log.warn({ err: (err as Error).message, event: ev.id }, 'alarm push not delivered');
    }
    this.changed();
  }

  /** What another station of the account may see of this one's devices: never credentials, addresses or serials. */
  private async hostedList(): Promise<{ stationName: string; devices: HostedStation['devices'] } | null> {
    if (!this.stationCall) return null;
    const [devices, channels] = await Promise.all([this.stationCall('devices.list', {}), this.stationCall('channels.list', {})]);
    const ofDevices = new Set(devices.flatMap((d) => d.channels.map((c) => c.channelId)));
    return {
      stationName: hostname(),
      devices: [
        ...devices.map((d) => ({ id: `device-${d.id}`, name: d.name, kind: d.kind, model: [d.vendor, d.model].filter(Boolean).join(' '), channels: d.channels.length })),
        ...channels.filter((c) => !ofDevices.has(c.id)).map((c) => ({ id: `channel-${c.id}`, name: c.name, kind: 'rtsp camera', model: '', channels: 1 })),
      ],
    };
  }

  /** Hosts this station's device list while device hosting is active, sending it again only when it changed. */
  private async hostDevices(token: string): Promise<void> {
    if (!this.active.has('device_hosting')) {
      // Withdrawal took every hosted list down in the cloud; a new grant sends the list afresh.
      store.setMeta(this.db, 'hostedHash', '');
      return;
    }
    const list = await this.hostedList();
    if (!list) return;
    const hash = createHash('sha256').update(JSON.stringify(list)).digest('hex');
    if (store.getMeta(this.db, 'hostedHash') === hash) return;
    const r = await this.request({ method: 'PUT', path: `/v1/hosting/${this.node}`, purpose: 'device_hosting', token, body: list });
    this.check(r);
    if (r.status === 200) store.setMeta(this.db, 'hostedHash', hash);
    else this.lastError = `${PURPOSE_TEXT.device_hosting.title}: ${cloudMessage(r)}`;
  }

  private async hostedStations(): Promise<HostedStation[]> {
    const r = await this.accountCall('show the hosted device lists', { method: 'GET', path: '/v1/hosting' }, 'device_hosting');
    return (r.body.stations as Omit<HostedStation, 'own'>[]).map((h) => ({ ...h, own: h.stationId === this.node }));
  }

  private async storage() {
    const r = await this.accountCall('list your cloud storage', { method: 'GET', path: '/v1/storage' }, 'cloud_storage');
    return { objects: r.body.objects as StoredObject[], usedBytes: r.body.usedBytes as number, quotaBytes: r.body.quotaBytes as number };
  }

  /** A snapshot or a clip from this station's own media folders, and nothing else on the disk. */
  private readStorable(path: string): { name: string; kind: 'snapshot' | 'clip'; contentType: string; data: Buffer } {
    const ext = extname(path).toLowerCase();
    const kind = ext === '.jpg' || ext === '.jpeg' ? 'snapshot' : ext === '.mp4' ? 'clip' : null;
    if (!kind) throw new StationError('bad_input', 'input.path: only snapshots (.jpg) and exported clips (.mp4) can go to cloud storage');
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      throw new StationError('not_found', `input.path: no such file ${path}`);
    }
    const roots = this.mediaRoots().flatMap((d) => {
      try { return [realpathSync(d)]; } catch { return []; }
    });
    if (!roots.some((r) => real.startsWith(r + sep))) throw new StationError('bad_input', `input.path: only files in this station's recordings, snapshots or clips folders can be uploaded`);
    const size = statSync(real).size;
    if (size > STORED_FILE_MAX_BYTES)
      throw new StationError('bad_input', `input.path: the file is ${(size / 1048576).toFixed(1)} MiB; cloud storage takes at most ${STORED_FILE_MAX_BYTES / 1048576} MiB per file`);
    return { name: basename(real), kind, contentType: kind === 'snapshot' ? 'image/jpeg' : 'video/mp4', data: readFileSync(real) };
  }

  private mediaRoots(): string[] {
    return [...this.opts.mediaDirs(), join(this.opts.dataDir, 'clips')];
  }

  /** Newest snapshots and clips of the media folders (a bounded walk: recordings can hold many files). */
  private storableFiles() {
    const found: { path: string; name: string; kind: 'snapshot' | 'clip'; bytes: number; modifiedAt: number }[] = [];
    let seen = 0;
    const walk = (dir: string, depth: number) => {
      let names: string[];
      try { names = readdirSync(dir); } catch { return; }
      for (const name of names) {
        if (++seen > 5000) return;
        const p = join(dir, name);
        let st;
        try { st = statSync(p); } catch { continue; }
        if (st.isDirectory()) { if (depth < 4) walk(p, depth + 1); continue; }
        const ext = extname(name).toLowerCase();
        const kind = ext === '.jpg' || ext === '.jpeg' ? 'snapshot' : ext === '.mp4' ? 'clip' : null;
        if (kind && st.size > 0 && st.size <= STORED_FILE_MAX_BYTES) found.push({ path: p, name, kind, bytes: st.size, modifiedAt: Math.round(st.mtimeMs) });
      }
    };
    for (const root of this.mediaRoots()) walk(root, 0);
    return found.sort((a, b) => b.modifiedAt - a.modifiedAt).slice(0, 100);
  }

  private async storeFile(path: string): Promise<StoredObject> {
    this.requireAccount('input.path (cloud storage)');
    // Checked before anything is read or sent.
    if (!this.refreshActive().some((p) => p.purpose === 'cloud_storage' && p.active))
      throw new StationError('conflict', 'input.path: cloud storage is off; turn it on under "What you allow" first — nothing was sent');
    const f = this.readStorable(path);
    const r = await this.accountCall('upload to cloud storage', {
      method: 'POST', path: '/v1/storage', body: { name: f.name, kind: f.kind, contentType: f.contentType, data: f.data.toString('base64') },
    }, 'cloud_storage');
    return r.body.object as StoredObject;
  }

  private async downloadStored(id: string) {
    const r = await this.accountCall('download from cloud storage', { method: 'GET', path: `/v1/storage/${encodeURIComponent(id)}` }, 'cloud_storage');
    return { object: r.body.object as StoredObject, dataBase64: r.body.data as string };
  }

  private async deleteStored(id: string) {
    await this.accountCall('delete from cloud storage', { method: 'DELETE', path: `/v1/storage/${encodeURIComponent(id)}` }, 'cloud_storage');
    return { deleted: true };
  }

  private buildHandlers(): PrivacyHandlers {
    return {
      'privacy.state': () => this.state(),
      'privacy.checkCloud': async () => {
        try {
          await this.checkHealth('opened the Privacy page');
        } catch (err) {
          if (!(err instanceof CloudUnreachable)) throw err;
        }
        return this.changed();
      },
      'privacy.signUp': (input) => this.signUp(input),
      'privacy.storage': () => this.storage(),
      'privacy.storableFiles': () => this.storableFiles(),
      'privacy.storeFile': (input) => this.storeFile(input.path),
      'privacy.downloadStored': (input) => this.downloadStored(input.id),
      'privacy.deleteStored': (input) => this.deleteStored(input.id),
      'privacy.hostedStations': () => this.hostedStations(),
      'privacy.photo': () => this.photo(),
      'privacy.setPhoto': (input) => this.setPhoto(input),
      'privacy.changeEmail': (input) => this.changeEmail(input),
      'privacy.changePassword': (input) => this.changePassword(input),
      'privacy.sessions': () => this.sessions(),
      'privacy.revokeSession': (input) => this.revokeSession(input.id),
      'privacy.revokeOtherSessions': () => this.revokeOtherSessions(),
      'privacy.logIn': (input) => this.logIn(input),
      'privacy.logOut': () => this.logOut(),
      'privacy.updateProfile': (input) => this.updateProfile(input),
      'privacy.setConsent': (input) => this.setConsent(input),
      'privacy.setRights': (input) => this.setRights(input),
      'privacy.consents': () => store.listConsents(this.db),
      'privacy.ledger': (q) => store.listTransmissions(this.db, q),
      'privacy.syncNow': async () => {
        await this.sync();
        return this.state();
      },
      'privacy.export': () => this.exportData(),
      'privacy.erase': (input) => this.erase(input),
    };
  }
}
