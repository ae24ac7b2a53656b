// Requests to the cloud for the signed-in account: its token, the health check, and refusals named in the user's terms.
import {
  BUILT_IN_POLICY_VERSION, fail, fieldOf, PRIVACY_PURPOSES, type PrivacyPurpose, type StationError, type TransmissionPurpose,
} from '../../contract';
import { CONFIRMATION_HEADER, type Health } from '../../contract/cloud';
import type { Logger } from '../log';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import {
  CloudNotTrusted, CloudUnreachable, ConsentGateClosed, cloudCode, cloudMessage, type CloudRefusal, type CloudReply, type CloudRequestOptions, type CloudSuccess,
  type CloudTarget, type CloudTransport, type RouteOf,
} from './cloud-transport';
import { policyVersion } from './consent-gate';
import { MINIMUM_AGE, type PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';

export const TOKEN_KEY = 'privacy.cloud-token';

/** The cloud no longer accepts this station's session (or it has no token): the user must log in again. */
export class SessionEnded extends Error {}

/** The account as the cloud sends it: the fields this station keeps. */
export interface CloudAccount {
  id: string; email: string; nickname: string; country: string; region: string; regionName: string;
  dateOfBirth: string; restricted: boolean; objected: boolean; createdAt: string; photoType: string | null; emailVerified?: boolean;
  suspension?: { reason: 'under_age' | 'reported_minor'; since: string; eraseAfter: string; receiptId: string } | null;
}

export interface CloudClientOptions {
  db: Db;
  secrets: SecretStore;
  transport: CloudTransport;
  status: PrivacyStatus;
  log: Logger;
  clock: () => number;
  cloudUrl: string | null;
}

const triesLeft = (r: CloudReply) => (typeof r.error?.attemptsLeft === 'number' ? r.error.attemptsLeft : null);
const isPurpose = (p: string): p is PrivacyPurpose => (PRIVACY_PURPOSES as readonly string[]).includes(p);
const retryMinutes = (r: CloudReply) => Math.ceil(Number(r.error?.retryAfterSeconds ?? 900) / 60);

/** A sign-up, log-in or account refusal, named by the field the user can fix. */
export function accountError(r: CloudReply): StationError {
  const msg = cloudMessage(r);
  const field = typeof r.error?.field === 'string' ? fieldOf('privacy.signUp', r.error.field.split('.')) : undefined;
  const tries = triesLeft(r);
  switch (cloudCode(r)) {
    case 'age_gate': return fail('account.underAge', { field: 'dateOfBirth', age: MINIMUM_AGE }, msg);
    case 'account_suspended': return fail('account.suspended', { date: /erased on (\S+);/.exec(String(r.error?.message))?.[1]?.slice(0, 10) ?? '' });
    case 'email_taken': return fail('account.emailTaken', { field: 'email' });
    case 'invalid_credentials':
      return tries === null ? fail('account.wrongLogin', { field: 'password' }) : fail('account.wrongLoginTries', { field: 'password', count: tries });
    case 'signup_throttled': return fail('account.signUpThrottled', { minutes: retryMinutes(r) });
    case 'login_throttled': return fail('account.logInThrottled', { field: 'password', minutes: retryMinutes(r) });
    case 'wrong_region': return fail('account.wrongRegion', { region: r.error?.serviceRegion ?? '' }, msg);
    case 'invalid_input': return field ? fail('cloud.fieldRefused', { field }, msg) : fail('cloud.refused', {}, msg);
    default: return r.status >= 500 ? fail('cloud.failed', {}, msg) : fail('cloud.refused', {}, msg);
  }
}

export class CloudClient {
  constructor(private readonly opts: CloudClientOptions) {}

  async request<R extends CloudTarget>(req: R & CloudRequestOptions): Promise<CloudSuccess<RouteOf<R>> | CloudRefusal> {
    const reply = await this.opts.transport.request<R>(req);
    this.opts.log.debug({ purpose: req.purpose, endpoint: req.path, status: reply.status }, 'cloud request');
    return reply;
  }

  async token(): Promise<string> {
    const t = await this.opts.secrets.get(TOKEN_KEY);
    if (!t) throw new SessionEnded('no session token');
    return t;
  }

  /** Throws for a reply that means "log in again" or "try later". */
  check(r: CloudReply): void {
    if (r.status === 401) throw new SessionEnded(cloudMessage(r));
    if (r.status >= 500 || r.status === 429) throw new CloudUnreachable(`the cloud answered ${r.status}`);
  }

  /** Asks the cloud for its region, age limit and policy version; a newer policy is adopted here. */
  async checkHealth(action: string | undefined): Promise<Health> {
    const { db, status, clock, log } = this.opts;
    try {
      const r = await this.request({ method: 'GET', path: '/v1/health', purpose: 'service_info', action });
      if (!r.ok) throw new CloudUnreachable(`the cloud answered ${r.status} to /v1/health`);
      const b = r.body;
      status.cloudInfo = { reachable: true, region: b.region, regionName: b.regionName, minimumAge: b.minimumAge ?? MINIMUM_AGE, checkedAt: clock(), controller: b.controller ?? null, refused: null, mail: b.mail ?? null };
      const version = b.policyVersion ?? BUILT_IN_POLICY_VERSION;
      if (version !== policyVersion(db)) {
        log.info({ from: policyVersion(db), to: version }, 'privacy policy version changed');
        store.setMeta(db, 'policyVersion', version);
      }
      return b;
    } catch (err) {
      if (err instanceof CloudUnreachable)
        status.cloudInfo = { ...status.cloudInfo, reachable: false, checkedAt: clock(), refused: err instanceof CloudNotTrusted ? err.kind : null };
      throw err;
    }
  }

  /** The instance this station talks to now: the account's region's, else the configured cloud. */
  get baseUrl(): string | null {
    return this.opts.transport.baseUrl;
  }

  /** Talk to another instance from now on (the account's new region), or back to the configured cloud (null). */
  useInstance(url: string | null): void {
    const target = url ?? this.opts.cloudUrl;
    this.opts.transport.baseUrl = target;
    // Kept, so a restarted station talks to the account's region at once.
    store.setMeta(this.opts.db, 'accountCloudUrl', url && url !== this.opts.cloudUrl ? url : '');
  }

  /** The configured cloud (where the regions directory is read). */
  get configuredUrl(): string | null {
    return this.opts.cloudUrl;
  }

  unreachable(err: unknown, at: string | null = this.baseUrl): never {
    const url = at ?? '(none configured)';
    if (err instanceof CloudNotTrusted) throw fail(err.kind === 'plain_http' ? 'cloud.plainHttp' : 'cloud.untrustedCertificate', { url }, err.message);
    if (err instanceof CloudUnreachable) throw fail('cloud.unreachable', { url }, err.message);
    throw err;
  }

  requireAccount(): store.StoredAccount {
    const a = store.getAccount(this.opts.db);
    if (!a) throw fail('account.required');
    return a;
  }

  /**
   * The account's password typed again, checked by the cloud: the header a grant or an export carries for a few minutes.
   * Throws CloudUnreachable and SessionEnded as they are (the caller decides), and a StationError on field `password` for a wrong one.
   * The password goes only in this request's body: never kept, never logged.
   */
  async confirmation(password: string): Promise<Record<string, string>> {
    this.requireAccount();
    const r = await this.request({ method: 'POST', path: '/v1/auth/confirm', purpose: 'account', action: 'confirm your password', token: await this.token(), body: { password } });
    if (r.status === 401) {
      this.opts.status.sessionEnded = true;
      throw new SessionEnded(cloudMessage(r));
    }
    if (r.ok) return { [CONFIRMATION_HEADER]: r.body.confirmation };
    const tries = triesLeft(r);
    if (cloudCode(r) === 'wrong_password')
      throw tries === null ? fail('account.wrongPassword', { field: 'password' }) : fail('account.wrongPasswordTries', { field: 'password', count: tries });
    if (cloudCode(r) === 'login_throttled') throw fail('account.logInThrottled', { field: 'password', minutes: retryMinutes(r) });
    throw accountError(r);
  }

  /** Sends one account request the user asked for (online only); names what went wrong in the user's terms. */
  async accountCall<R extends CloudTarget>(action: string, req: R, purpose: TransmissionPurpose = 'account', timeoutMs?: number): Promise<CloudSuccess<RouteOf<R>>> {
    this.requireAccount();
    let r: CloudSuccess<RouteOf<R>> | CloudRefusal;
    try {
      r = await this.request<R>({ ...req, purpose, action, token: await this.token(), ...(timeoutMs ? { timeoutMs } : {}) });
    } catch (err) {
      if (err instanceof SessionEnded) throw fail('account.sessionEnded');
      if (err instanceof ConsentGateClosed && isPurpose(purpose)) throw fail('consent.closed', { purpose }, err.message);
      this.unreachable(err);
    }
    if (r.status === 401) {
      this.opts.status.sessionEnded = true;
      this.opts.status.changed();
      throw fail('account.sessionEnded');
    }
    if (r.ok) return r;
    const code = cloudCode(r);
    const tries = triesLeft(r);
    if (code === 'wrong_password') {
      throw tries === null ? fail('account.wrongPassword', { field: 'currentPassword' }) : fail('account.wrongPasswordTries', { field: 'currentPassword', count: tries });
    }
    if (code === 'login_throttled') throw fail('account.logInThrottled', { field: 'currentPassword', minutes: retryMinutes(r) });
    if (code === 'email_taken') throw fail('account.emailTaken', { field: 'newEmail' });
    if (code === 'not_found') throw fail('cloud.notFound', {}, cloudMessage(r));
    // Hardware Share (sites/shares.ts): the recipient is named by email.
    if (code === 'recipient_not_found') throw fail('share.unknownRecipient', { field: 'recipientEmail' });
    if (code === 'invalid_input' && r.error?.field === 'recipientEmail') throw fail('share.selfShare', { field: 'recipientEmail' });
    if (code === 'invalid_input' && r.error?.field === 'validUntil') throw fail('share.untilPast', { field: 'validUntil' });
    if (code === 'mail_unavailable') throw fail('account.mailUnavailable');
    if (code === 'code_wrong') throw tries === null ? fail('account.codeWrong', { field: 'code' }) : fail('account.codeWrongTries', { field: 'code', count: tries });
    if (code === 'code_expired') throw fail('account.codeExpired', { field: 'code' });
    if (code === 'code_used') throw fail('account.codeUsed', { field: 'code' });
    if (code === 'already_verified') throw fail('account.alreadyVerified');
    throw accountError(r);
  }
}
