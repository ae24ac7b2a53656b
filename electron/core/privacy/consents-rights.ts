// The user's choices: a consent per purpose and the rights to restrict or object, saved here at once and queued for the cloud.
import { fail, type PrivacyPurpose, type PrivacyState } from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import { STATION_VERSION } from '../version';
import { SessionEnded, type CloudClient } from './cloud-client';
import { consentKey, isTelemetry, policyTextHash, policyVersion, purposeStates } from './consent-gate';
import { nextClock } from './field-merge';
import type { OutboxSync } from './outbox-sync';
import type { PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';
import type { TelemetryCollector } from './telemetry-collector';

export interface ConsentsRightsOptions {
  db: Db;
  cloud: CloudClient;
  status: PrivacyStatus;
  outbox: OutboxSync;
  collector: TelemetryCollector;
  log: Logger;
  clock: () => number;
  /** This station's id in the settings document's field stamps. */
  node: string;
}

export class ConsentsRights {
  readonly handlers: Pick<Handlers, 'privacy.setConsent' | 'privacy.setRights' | 'privacy.consents' | 'privacy.ledger'> = {
    'privacy.setConsent': (input) => this.setConsent(input),
    'privacy.setRights': (input) => this.setRights(input),
    'privacy.consents': () => store.listConsents(this.opts.db),
    'privacy.ledger': (q) => store.listTransmissions(this.opts.db, q),
  };

  constructor(private readonly opts: ConsentsRightsOptions) {}

  private stamp(): number {
    const { db, clock } = this.opts;
    const c = nextClock(Number(store.getMeta(db, 'clock') ?? 0), clock());
    store.setMeta(db, 'clock', String(c));
    return c;
  }

  private async setConsent(input: { purpose: PrivacyPurpose; granted: boolean; locale: string; password?: string }): Promise<PrivacyState> {
    const { db, status, clock } = this.opts;
    this.opts.cloud.requireAccount();
    const { purpose, granted } = input;
    const current = purposeStates(db, status.sessionEnded).find((p) => p.purpose === purpose)!;
    if (current.granted === granted && !current.needsReconsent) return status.state();
    // A grant lets data leave: the cloud records it only with the password typed again (checked there now, never kept here).
    let confirmation: Record<string, string> | undefined;
    if (granted) {
      if (!input.password) throw fail('account.confirmNeeded', { field: 'password' });
      try {
        confirmation = await this.opts.cloud.confirmation(input.password);
      } catch (err) {
        if (err instanceof SessionEnded) throw fail('account.sessionEnded');
        this.opts.cloud.unreachable(err);
      }
    }
    const version = policyVersion(db);
    const now = clock();
    db.transaction(() => {
      store.putField(db, { key: consentKey(purpose), value: { granted, policyVersion: version }, clock: this.stamp(), node: this.opts.node }, now);
      const id = store.addConsent(db, {
        purpose, action: granted ? 'grant' : 'withdraw', policyVersion: version, policyTextHash: policyTextHash(purpose, version),
        appVersion: STATION_VERSION, locale: input.locale, createdAt: now, cloudId: null, cloudRecordedAt: null, origin: 'station',
      });
      store.enqueue(db, 'consent', { consentId: id, purpose }, now);
      store.enqueueSettingsPush(db, now);
      if (confirmation) this.opts.outbox.confirmGrant(id, confirmation);
    })();
    if (!granted && isTelemetry(purpose)) this.opts.collector.discard(purpose);
    this.opts.log.info({ purpose, action: granted ? 'grant' : 'withdraw' }, 'consent changed');
    this.opts.outbox.kick();
    return status.changed();
  }

  private setRights(input: { restricted?: boolean; objected?: boolean }): PrivacyState {
    return this.opts.outbox.queueAccountChange(input, store.enqueueRights);
  }
}
