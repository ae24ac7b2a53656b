// What the Privacy page shows: the stored account, consents and outbox beside the live cloud and sync status.
import {
  BUILT_IN_POLICY_VERSION, TELEMETRY_PURPOSES,
  type PrivacyPurpose, type PrivacyState, type PurposeState,
} from '../../contract';
import type { Controller } from '../../contract/cloud';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import { policyVersion, purposeStates } from './consent-gate';
import * as store from './privacy-store';

/** The youngest age the cloud accepts unless it says otherwise. */
export const MINIMUM_AGE = 16;

export interface PrivacyStatusOptions {
  db: Db;
  signals: SignalBus;
  /** The instance the station talks to now (the account's region's, else the configured one). */
  cloudUrl: () => string | null;
  exportsDir: string;
}

/** The live status every part updates; state() reads it together with the store. */
export class PrivacyStatus {
  cloudInfo: {
    reachable: boolean | null; region: string | null; regionName: string | null; minimumAge: number; checkedAt: number | null; controller: Controller | null;
    refused: 'plain_http' | 'certificate' | null; mail: boolean | null;
  } = { reachable: null, region: null, regionName: null, minimumAge: MINIMUM_AGE, checkedAt: null, controller: null, refused: null, mail: null };
  syncing = false;
  offline = false;
  sessionEnded = false;
  lastError: string | null = null;
  nextAttemptAt: number | null = null;
  /** Purposes whose data may go out now, as of the last refresh. */
  active = new Set<PrivacyPurpose>();
  disposed = false;

  constructor(private readonly opts: PrivacyStatusOptions) {}

  refreshActive(): PurposeState[] {
    const states = purposeStates(this.opts.db, this.sessionEnded);
    this.active = new Set(states.filter((s) => s.active).map((s) => s.purpose));
    return states;
  }

  isActiveNow(purpose: PrivacyPurpose): boolean {
    return this.refreshActive().some((p) => p.purpose === purpose && p.active);
  }

  /** Signed out or erased: no session problem, offline spell or error is left to show. */
  clear(): void {
    this.sessionEnded = false;
    this.offline = false;
    this.lastError = null;
  }

  state(): PrivacyState {
    const db = this.opts.db;
    const account = store.getAccount(db);
    const outbox = store.listOutbox(db);
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
    const lastSynced = store.getMeta(db, 'lastSyncedAt');
    const version = policyVersion(db);
    return {
      cloud: { url: this.opts.cloudUrl(), ...this.cloudInfo },
      policy: { version, builtIn: BUILT_IN_POLICY_VERSION, changed: version !== BUILT_IN_POLICY_VERSION },
      account: account && {
        email: account.email, photoType: store.getMeta(db, 'photoType') || null, nickname: account.nickname, country: account.country, region: account.region,
        regionName: account.regionName, dateOfBirth: account.dateOfBirth, createdAt: account.createdAt,
        emailVerified: ({ '1': true, '0': false } as Record<string, boolean>)[store.getMeta(db, 'emailVerified') ?? ''] ?? null,
        suspension: store.getMeta(db, 'suspension') ? JSON.parse(store.getMeta(db, 'suspension')!) : null,
      },
      pendingProfile: {
        ...(typeof profile.nickname === 'string' ? { nickname: profile.nickname } : {}),
        ...(typeof profile.country === 'string' ? { country: profile.country } : {}),
        ...(typeof profile.dateOfBirth === 'string' ? { dateOfBirth: profile.dateOfBirth } : {}),
      },
      purposes,
      rights: { restricted: account?.restricted ?? false, objected: account?.objected ?? false, pending: outbox.some((e) => e.kind === 'rights') },
      sync: {
        state: syncState, pending, lastSyncedAt: lastSynced ? Number(lastSynced) : null,
        nextAttemptAt: this.offline ? this.nextAttemptAt : null, lastError: this.lastError,
      },
      telemetry: TELEMETRY_PURPOSES.map((purpose) => ({
        purpose, queuedEvents: store.countTelemetry(db, purpose), sentBytes: store.sentBytes(db, purpose),
      })),
      exportsDir: this.opts.exportsDir,
    };
  }

  /** The state, announced to every client unless the station is shutting down. */
  changed(): PrivacyState {
    const s = this.state();
    if (!this.disposed) this.opts.signals.emit('privacy.changed', s);
    return s;
  }
}
