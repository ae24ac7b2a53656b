// The account: sign-up, log-in and log-out, the profile and its photo, email and password changes, the account's cloud sessions.
import {
  fail, PROFILE_PHOTO_MAX_BYTES, TELEMETRY_PURPOSES,
  type CloudSession, type PrivacyState, type ProfilePhoto,
} from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { STATION_VERSION } from '../version';
import { TOKEN_KEY, accountError, type CloudAccount, type CloudClient } from './cloud-client';
import { CloudUnreachable, cloudCode } from './cloud-transport';
import { clearAccountData, eraseLocalRows, type LocalErasure } from './erasure';
import type { OutboxSync } from './outbox-sync';
import { MINIMUM_AGE, type PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';
import { checkTransferNotice, listRegions, servedRegion } from './regions';
import type { TelemetryCollector } from './telemetry-collector';
import type { Region } from '../../contract/cloud';

/** How this station names itself in the account's session list. */
export const STATION_CLIENT = `Watchpost station ${STATION_VERSION} (${process.platform} ${process.arch})`;
const PHOTO_MAGIC: Record<ProfilePhoto['contentType'], Buffer> = {
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};

/** Checks a profile photo here, so a wrong file is named before anything is sent. */
export function checkPhoto(photo: ProfilePhoto): void {
  const bytes = Buffer.from(photo.dataBase64, 'base64');
  if (bytes.length === 0) throw fail('photo.empty', { field: 'photo' });
  if (bytes.length > PROFILE_PHOTO_MAX_BYTES)
    throw fail('photo.tooLarge', { field: 'photo', sizeKiB: Math.ceil(bytes.length / 1024), maxKiB: PROFILE_PHOTO_MAX_BYTES / 1024 });
  if (!bytes.subarray(0, PHOTO_MAGIC[photo.contentType].length).equals(PHOTO_MAGIC[photo.contentType]))
    throw fail('photo.wrongType', { field: 'photo', type: photo.contentType === 'image/png' ? 'PNG' : 'JPEG' });
}

/** Whole years between a YYYY-MM-DD birth date and now (UTC). */
export function ageOn(dateOfBirth: string, now: number): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const t = new Date(now);
  const beforeBirthday = t.getUTCMonth() + 1 < m || (t.getUTCMonth() + 1 === m && t.getUTCDate() < d);
  return t.getUTCFullYear() - y - (beforeBirthday ? 1 : 0);
}

/** What the cloud answers to a sign-up or log-in. */
interface NewSession { account: CloudAccount; token: string; sessionId: string; expiresAt: string }

export interface AccountSessionsOptions {
  db: Db;
  secrets: SecretStore;
  cloud: CloudClient;
  status: PrivacyStatus;
  outbox: OutboxSync;
  collector: TelemetryCollector;
  log: Logger;
  clock: () => number;
  /** Told when the account's data here goes (log-out, erasure, another account): the region moves' receipts, the instance. */
  onForget?: () => void;
}

export class AccountSessions {
  readonly handlers: Pick<Handlers,
    | 'privacy.signUp' | 'privacy.logIn' | 'privacy.logOut' | 'privacy.updateProfile' | 'privacy.photo' | 'privacy.setPhoto'
    | 'privacy.changeEmail' | 'privacy.changePassword' | 'privacy.sessions' | 'privacy.revokeSession' | 'privacy.revokeOtherSessions'
    | 'privacy.accountLog' | 'privacy.verifyEmail' | 'privacy.resendVerification' | 'privacy.forgotPassword' | 'privacy.resetPassword'> = {
      'privacy.signUp': (input) => this.signUp(input),
      'privacy.logIn': (input) => this.logIn(input),
      'privacy.logOut': () => this.logOut(),
      'privacy.updateProfile': (input) => {
        if (input.dateOfBirth && input.dateOfBirth > new Date(this.opts.clock()).toISOString().slice(0, 10)) throw fail('field.inFuture', { field: 'dateOfBirth' });
        const suspended = store.getMeta(this.opts.db, 'suspension');
        if (suspended) throw fail('account.suspended', { date: (JSON.parse(suspended) as { eraseAfter: string }).eraseAfter.slice(0, 10) });
        return this.opts.outbox.queueAccountChange(input, store.enqueueProfile);
      },
      'privacy.photo': () => this.photo(),
      'privacy.setPhoto': (input) => this.setPhoto(input),
      'privacy.changeEmail': (input) => this.changeEmail(input),
      'privacy.changePassword': (input) => this.changePassword(input),
      'privacy.sessions': () => this.sessions(),
      'privacy.revokeSession': (input) => this.revokeSession(input.id),
      'privacy.revokeOtherSessions': () => this.revokeOtherSessions(),
      'privacy.verifyEmail': (input) => this.verifyEmail(input.code),
      'privacy.resendVerification': async () =>
        (await this.opts.cloud.accountCall('mail a new email verification code', { method: 'POST', path: '/v1/account/email/resend' })).body,
      'privacy.forgotPassword': (input) => this.forgotPassword(input.email),
      'privacy.resetPassword': (input) => this.resetPassword(input),
      'privacy.accountLog': async () => (await this.opts.cloud.accountCall('show your account activity', { method: 'GET', path: '/v1/account/log' })).body.entries,
    };

  private photoCache: { type: string; photo: ProfilePhoto | null } | null = null;

  constructor(private readonly opts: AccountSessionsOptions) {}

  /** Everything of the signed-in person held here, except the transmission ledger (which names no one). */
  forgetLocalAccount(): LocalErasure {
    const erased = eraseLocalRows(this.opts.db);
    for (const p of TELEMETRY_PURPOSES) this.opts.collector.discard(p);
    this.photoCache = null;
    store.setMeta(this.opts.db, 'photoType', '');
    store.setMeta(this.opts.db, 'emailVerified', '');
    store.setMeta(this.opts.db, 'suspension', '');
    this.opts.onForget?.();
    return erased;
  }

  private async adoptSession(body: NewSession): Promise<void> {
    const { db, secrets, status, clock } = this.opts;
    const a = body.account;
    const previous = store.getAccount(db);
    if (previous && previous.accountId !== a.id) this.forgetLocalAccount();
    await secrets.set(TOKEN_KEY, body.token);
    store.setMeta(db, 'photoType', typeof a.photoType === 'string' ? a.photoType : '');
    store.setMeta(db, 'emailVerified', a.emailVerified === undefined ? '' : a.emailVerified ? '1' : '0');
    store.setMeta(db, 'suspension', a.suspension ? JSON.stringify(a.suspension) : '');
    store.putAccount(db, {
      accountId: a.id, email: a.email, nickname: a.nickname, country: a.country, region: a.region, regionName: a.regionName,
      dateOfBirth: a.dateOfBirth, restricted: !!a.restricted, objected: !!a.objected, createdAt: a.createdAt,
      sessionId: body.sessionId, expiresAt: body.expiresAt, signedInAt: clock(),
    });
    status.sessionEnded = false;
    status.lastError = null;
  }

  private async signUp(input: {
    email: string; password: string; nickname: string; country: string; dateOfBirth: string; photo?: ProfilePhoto; region?: Region; transferAcknowledged?: boolean;
  }): Promise<PrivacyState> {
    const { db, cloud, status } = this.opts;
    // A date still to come is a typing slip, not an age: said as such, before the age check.
    if (input.dateOfBirth > new Date(this.opts.clock()).toISOString().slice(0, 10)) throw fail('field.inFuture', { field: 'dateOfBirth' });
    if (ageOn(input.dateOfBirth, this.opts.clock()) < MINIMUM_AGE) throw fail('account.underAge', { field: 'dateOfBirth', age: MINIMUM_AGE });
    if (input.photo) checkPhoto(input.photo);
    const { photo, region: chosen, transferAcknowledged, ...rest } = input;
    if (store.getAccount(db)) throw fail('account.alreadySignedIn');
    // Another region than the configured cloud's: kept only in that region's instance, found in the deployment's directory.
    let at: string | undefined;
    let region: Region;
    try {
      region = (await cloud.checkHealth('sign-up')).region;
    } catch (err) {
      return cloud.unreachable(err);
    }
    if (chosen && chosen !== region) {
      at = servedRegion(await listRegions(cloud, 'sign-up'), chosen).url;
      region = chosen;
    }
    checkTransferNotice(rest.country, region, transferAcknowledged);
    try {
      const r = await cloud.request({
        method: 'POST', path: '/v1/accounts', purpose: 'account', action: 'sign-up', ...(at ? { baseUrl: at } : {}),
        body: {
          ...rest, region, client: STATION_CLIENT, ...(photo ? { photo: { contentType: photo.contentType, data: photo.dataBase64 } } : {}),
          ...(transferAcknowledged ? { transferNoticeAcknowledged: true as const } : {}),
        },
      });
      if (!r.ok) throw accountError(r);
      await this.adoptSession(r.body);
      if (at) cloud.useInstance(at);
    } catch (err) {
      cloud.unreachable(err, at ?? cloud.baseUrl);
    }
    clearAccountData(db);
    await this.opts.outbox.sync();
    return status.changed();
  }

  private async logIn(input: { email: string; password: string; region?: Region }): Promise<PrivacyState> {
    const { db, cloud, status } = this.opts;
    const { region: chosen, ...credentials } = input;
    // An account kept in another region than the configured cloud's signs in at that region's instance (from the directory).
    let at: string | undefined;
    try {
      let { region } = await cloud.checkHealth('log-in');
      if (chosen && chosen !== region) {
        at = servedRegion(await listRegions(cloud, 'log-in'), chosen).url;
        region = chosen;
      }
      const r = await cloud.request({
        method: 'POST', path: '/v1/auth/login', purpose: 'account', action: 'log-in', ...(at ? { baseUrl: at } : {}), body: { ...credentials, region, client: STATION_CLIENT },
      });
      if (!r.ok) throw accountError(r);
      const previous = store.getAccount(db);
      if (!previous || previous.accountId !== r.body.account.id) clearAccountData(db);
      await this.adoptSession(r.body);
      if (at) cloud.useInstance(at);
    } catch (err) {
      cloud.unreachable(err, at ?? cloud.baseUrl);
    }
    await this.opts.outbox.sync();
    return status.changed();
  }

  private async logOut(): Promise<PrivacyState> {
    const { db, secrets, cloud, status } = this.opts;
    if (!store.getAccount(db)) return status.state();
    await this.opts.outbox.sync();
    const token = await secrets.get(TOKEN_KEY);
    if (token) {
      try {
        await cloud.request({ method: 'POST', path: '/v1/auth/logout', purpose: 'account', action: 'log-out', token });
      } catch (err) {
        // The session then ends by itself when it expires; the token is forgotten here either way.
        if (!(err instanceof CloudUnreachable)) throw err;
      }
    }
    await secrets.delete(TOKEN_KEY);
    const was = cloud.baseUrl;
    this.forgetLocalAccount();
    status.clear();
    // The account lived in another region: where data would live now is the configured cloud's answer.
    if (cloud.baseUrl !== was) await cloud.checkHealth('log-out').catch(() => undefined);
    return status.changed();
  }

  private async verifyEmail(code: string): Promise<PrivacyState> {
    const r = await this.opts.cloud.accountCall('confirm your email address', { method: 'POST', path: '/v1/account/email/verify', body: { code } });
    store.setMeta(this.opts.db, 'emailVerified', r.body.account.emailVerified ? '1' : '0');
    this.opts.log.info('account email address confirmed');
    return this.opts.status.changed();
  }

  /** A reset code mailed by the cloud; signed out here (the user is, or no reset would be asked for). */
  private async forgotPassword(email: string): Promise<{ delivery: 'sent' | 'queued' }> {
    const { cloud } = this.opts;
    try {
      const { region } = await cloud.checkHealth('forgot password');
      const r = await cloud.request({ method: 'POST', path: '/v1/auth/forgot', purpose: 'account', action: 'forgot password', body: { email, region } });
      if (r.ok) return r.body;
      if (cloudCode(r) === 'mail_unavailable') throw fail('account.mailUnavailable');
      throw accountError(r);
    } catch (err) {
      return cloud.unreachable(err);
    }
  }

  private async resetPassword(input: { email: string; code: string; newPassword: string }): Promise<{ revokedSessions: number }> {
    const { cloud } = this.opts;
    try {
      const r = await cloud.request({ method: 'POST', path: '/v1/auth/reset', purpose: 'account', action: 'reset password', body: input });
      if (r.ok) {
        this.opts.log.info({ revokedSessions: r.body.revokedSessions }, 'account password reset by mailed code');
        return { revokedSessions: r.body.revokedSessions };
      }
      const tries = typeof r.error?.attemptsLeft === 'number' ? r.error.attemptsLeft : null;
      switch (cloudCode(r)) {
        case 'code_wrong': throw tries === null ? fail('account.codeWrong', { field: 'code' }) : fail('account.codeWrongTries', { field: 'code', count: tries });
        case 'code_expired': throw fail('account.codeExpired', { field: 'code' });
        case 'code_used': throw fail('account.codeUsed', { field: 'code' });
        default: throw accountError(r);
      }
    } catch (err) {
      return cloud.unreachable(err);
    }
  }

  private async photo(): Promise<ProfilePhoto | null> {
    const type = store.getMeta(this.opts.db, 'photoType') || null;
    if (!store.getAccount(this.opts.db) || !type) return null;
    if (this.photoCache?.type === type) return this.photoCache.photo;
    const r = await this.opts.cloud.accountCall('show your profile photo', { method: 'GET', path: '/v1/account/photo' });
    const photo = { contentType: r.body.contentType, dataBase64: r.body.data } as ProfilePhoto;
    this.photoCache = { type, photo };
    return photo;
  }

  private async setPhoto(input: { photo: ProfilePhoto | null }): Promise<PrivacyState> {
    if (input.photo) checkPhoto(input.photo);
    const r = await this.opts.cloud.accountCall(input.photo ? 'change your profile photo' : 'remove your profile photo', {
      method: 'PATCH', path: '/v1/account', body: { photo: input.photo ? { contentType: input.photo.contentType, data: input.photo.dataBase64 } : null },
    });
    this.photoCache = null;
    store.setMeta(this.opts.db, 'photoType', r.body.account.photoType ?? '');
    return this.opts.status.changed();
  }

  private async changeEmail(input: { currentPassword: string; newEmail: string }): Promise<PrivacyState> {
    const r = await this.opts.cloud.accountCall('change your email', { method: 'POST', path: '/v1/account/email', body: input });
    store.patchAccount(this.opts.db, { email: r.body.account.email });
    this.opts.log.info('account email changed');
    return this.opts.status.changed();
  }

  private async changePassword(input: { currentPassword: string; newPassword: string }): Promise<{ revokedSessions: number }> {
    const r = await this.opts.cloud.accountCall('change your password', { method: 'POST', path: '/v1/account/password', body: input });
    this.opts.log.info({ revokedSessions: r.body.revokedSessions }, 'account password changed');
    return { revokedSessions: r.body.revokedSessions };
  }

  private async sessions(): Promise<CloudSession[]> {
    const r = await this.opts.cloud.accountCall('list your sessions', { method: 'GET', path: '/v1/sessions' });
    // Newest first: this station's and the ones still in use are what the user looks for.
    return r.body.sessions.slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async revokeSession(id: string): Promise<CloudSession[]> {
    if (id === store.getAccount(this.opts.db)?.sessionId) throw fail('account.ownSession', { field: 'id' });
    await this.opts.cloud.accountCall('sign out a session', { method: 'DELETE', path: `/v1/sessions/${encodeURIComponent(id)}` });
    return this.sessions();
  }

  private async revokeOtherSessions(): Promise<{ revoked: number; sessions: CloudSession[] }> {
    const r = await this.opts.cloud.accountCall('sign out everywhere else', { method: 'POST', path: '/v1/sessions/revoke-others' });
    return { revoked: r.body.revoked, sessions: await this.sessions() };
  }
}
