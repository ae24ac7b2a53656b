// Requests to the cloud for the signed-in account: its token, the health check, and refusals named in the user's terms.
import { BUILT_IN_POLICY_VERSION, PURPOSE_TEXT, StationError, type PrivacyPurpose, type TransmissionPurpose } from '../../contract';
import type { Health } from '../../contract/cloud';
import type { Logger } from '../log';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import {
  CloudUnreachable, ConsentGateClosed, cloudCode, cloudMessage, type CloudRefusal, type CloudReply, type CloudRequestOptions, type CloudSuccess,
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
  dateOfBirth: string; restricted: boolean; objected: boolean; createdAt: string; photoType: string | null;
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

const triesLeft = (r: CloudReply) => typeof r.error?.attemptsLeft === 'number' ? ` (${r.error.attemptsLeft} tries left)` : '';
const retryMinutes = (r: CloudReply) => Math.ceil(Number(r.error?.retryAfterSeconds ?? 900) / 60);

/** A sign-up, log-in or account refusal, named by the field the user can fix. */
export function accountError(r: CloudReply): StationError {
  const code = cloudCode(r);
  const field = typeof r.error?.field === 'string' ? r.error.field : null;
  const msg = cloudMessage(r);
  const named = field && !msg.startsWith(`${field}:`) ? `input.${field}: ${msg}` : `input.${msg}`;
  switch (code) {
    case 'age_gate': return new StationError('bad_input', `input.dateOfBirth: ${msg}; nothing was stored`);
    case 'email_taken': return new StationError('conflict', 'input.email: an account with this email already exists; log in instead');
    case 'invalid_credentials': return new StationError('bad_input', `input.password: wrong email or password${triesLeft(r)}`);
    case 'signup_throttled': return new StationError('unavailable', `privacy: too many sign-ups from this address; try again in ${retryMinutes(r)} min`);
    case 'login_throttled': return new StationError('unavailable', `input.password: too many failed log-ins; try again in ${retryMinutes(r)} min`);
    case 'wrong_region': return new StationError('bad_input', `privacy: ${msg}`);
    case 'invalid_input': return new StationError('bad_input', named);
    default: return new StationError(r.status >= 500 ? 'unavailable' : 'bad_input', `privacy: ${msg}`);
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
      status.cloudInfo = { reachable: true, region: b.region, regionName: b.regionName, minimumAge: b.minimumAge ?? MINIMUM_AGE, checkedAt: clock() };
      const version = b.policyVersion ?? BUILT_IN_POLICY_VERSION;
      if (version !== policyVersion(db)) {
        log.info({ from: policyVersion(db), to: version }, 'privacy policy version changed');
        store.setMeta(db, 'policyVersion', version);
      }
      return b;
    } catch (err) {
      if (err instanceof CloudUnreachable) status.cloudInfo = { ...status.cloudInfo, reachable: false, checkedAt: clock() };
      throw err;
    }
  }

  unreachable(what: string, err: unknown): never {
    if (err instanceof CloudUnreachable) throw new StationError('unavailable', `${what} needs the cloud at ${this.opts.cloudUrl ?? '(none configured)'}: ${err.message}; nothing was changed`);
    throw err;
  }

  requireAccount(what: string): store.StoredAccount {
    const a = store.getAccount(this.opts.db);
    if (!a) throw new StationError('conflict', `${what}: sign in or create an account first`);
    return a;
  }

  /** Sends one account request the user asked for (online only); names what went wrong in the user's terms. */
  async accountCall<R extends CloudTarget>(action: string, req: R, purpose: TransmissionPurpose = 'account'): Promise<CloudSuccess<RouteOf<R>>> {
    this.requireAccount(`privacy (${action})`);
    let r: CloudSuccess<RouteOf<R>> | CloudRefusal;
    try {
      r = await this.request<R>({ ...req, purpose, action, token: await this.token() });
    } catch (err) {
      if (err instanceof SessionEnded) throw new StationError('conflict', `privacy: your session ended; log in again to ${action}`);
      if (err instanceof ConsentGateClosed) throw new StationError('conflict', `privacy: ${PURPOSE_TEXT[purpose as PrivacyPurpose]?.title ?? purpose} — ${err.message.replace(/^[a-z_]+: /, '')}`);
      this.unreachable(action[0]!.toUpperCase() + action.slice(1), err);
    }
    if (r.status === 401) {
      this.opts.status.sessionEnded = true;
      this.opts.status.changed();
      throw new StationError('conflict', `privacy: your session ended; log in again to ${action}`);
    }
    if (r.ok) return r;
    const code = cloudCode(r);
    if (code === 'wrong_password') throw new StationError('bad_input', `input.currentPassword: wrong password${triesLeft(r)}; nothing was changed`);
    if (code === 'login_throttled') throw new StationError('unavailable', `input.currentPassword: too many wrong passwords; try again in ${retryMinutes(r)} min`);
    if (code === 'email_taken') throw new StationError('conflict', 'input.newEmail: another account already uses this email');
    if (code === 'not_found') throw new StationError('not_found', `privacy: ${cloudMessage(r)}`);
    throw accountError(r);
  }
}
