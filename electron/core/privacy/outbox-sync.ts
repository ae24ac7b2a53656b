// Offline-first sync: local changes wait in the outbox, go out when the cloud answers, settings merge per field, then granted telemetry.
import { PURPOSE_TEXT, TELEMETRY_PURPOSES, type PrivacyState } from '../../contract';
import type { Logger } from '../log';
import type { Db } from '../storage/db';
import { SessionEnded, type CloudClient } from './cloud-client';
import { CloudUnreachable, ConsentGateClosed, cloudCode, cloudMessage, type CloudReply } from './cloud-transport';
import { isTelemetry, type ConsentValue } from './consent-gate';
import { backoffMs, mergeFields, parseDoc, toDoc, type ClockedField } from './field-merge';
import type { PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';
import type { TelemetryCollector } from './telemetry-collector';

const SETTINGS_PUT_TRIES = 5;

type AccountChange = Parameters<typeof store.patchAccount>[1];

/** A consent as the cloud's ledger lists it. */

export interface OutboxSyncOptions {
  db: Db;
  cloud: CloudClient;
  status: PrivacyStatus;
  collector: TelemetryCollector;
  log: Logger;
  clock: () => number;
  /** Sends this station's device list while device hosting is active (the last step of a round). */
  hostDevices: (token: string) => Promise<void>;
  /** How often a signed-in station syncs and sends granted telemetry (default 60 s). */
  syncEveryMs?: number;
  /** Longest wait between retries while the cloud is unreachable (default 30 s). */
  retryCapMs?: number;
}

export class OutboxSync {
  private syncing: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Consent grants waiting to go out, with the password confirmation they go with (memory only: a few minutes' token). */
  private readonly confirmations = new Map<number, Record<string, string>>();

  constructor(private readonly opts: OutboxSyncOptions) {}

  /** Syncs every syncEveryMs while signed in, and once right away if signed in already. */
  start(): void {
    const { db } = this.opts;
    this.pollTimer = setInterval(() => { if (store.getAccount(db)) void this.sync(); }, this.opts.syncEveryMs ?? 60_000);
    this.pollTimer.unref();
    if (store.getAccount(db)) queueMicrotask(() => void this.sync());
  }

  async dispose(): Promise<void> {
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.syncing?.catch(() => {});
  }

  /** The confirmation header a queued grant carries to the cloud. */
  confirmGrant(consentId: number, headers: Record<string, string>): void {
    this.confirmations.set(consentId, headers);
  }

  kick(): void {
    void this.sync();
  }

  /** One sync at a time; a request for another while one runs makes it go round once more. */
  sync(): Promise<void> {
    const { status } = this.opts;
    if (status.disposed) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    clearTimeout(this.retryTimer);
    this.syncing = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && !status.disposed);
    })().finally(() => {
      this.syncing = null;
      status.syncing = false;
      status.changed();
    });
    status.syncing = true;
    status.changed();
    return this.syncing;
  }

  /** Saves an account change here at once (rights, profile) and queues it for the cloud. */
  queueAccountChange(patch: AccountChange, enqueue: (db: Db, patch: AccountChange, now: number) => void): PrivacyState {
    const { db, cloud, status, clock } = this.opts;
    cloud.requireAccount();
    const now = clock();
    db.transaction(() => {
      store.patchAccount(db, patch);
      enqueue(db, patch, now);
    })();
    this.kick();
    return status.changed();
  }

  private async syncOnce(): Promise<void> {
    const { db, cloud, status, collector, clock } = this.opts;
    if (!store.getAccount(db)) return;
    try {
      const token = await cloud.token();
      await cloud.checkHealth(undefined);
      status.lastError = null;
      for (const entry of store.listOutbox(db)) {
        if (entry.kind === 'settings') continue;
        await this.push(entry, token);
      }
      await this.syncSettings(token);
      await this.pull(token);
      // Grants just recorded in the cloud start collection in this same round.
      status.refreshActive();
      await collector.seal();
      await this.sendTelemetry(token);
      await this.opts.hostDevices(token);
      this.failures = 0;
      status.offline = false;
      status.nextAttemptAt = null;
      store.setMeta(db, 'lastSyncedAt', String(clock()));
    } catch (err) {
      if (err instanceof CloudUnreachable) {
        this.failures++;
        status.offline = true;
        status.nextAttemptAt = clock() + backoffMs(this.failures, this.opts.retryCapMs);
        const head = store.listOutbox(db)[0];
        if (head) store.outboxFailed(db, head.id, err.message, status.nextAttemptAt);
        this.scheduleRetry();
      } else if (err instanceof SessionEnded) {
        status.sessionEnded = true;
        status.lastError = 'your session ended; log in again to sync';
      } else if (err instanceof ConsentGateClosed) {
        status.lastError = err.message;
      } else {
        this.opts.log.error({ err }, 'privacy sync failed');
        status.lastError = (err as Error).message;
      }
    }
  }

  private scheduleRetry(): void {
    const { status, clock } = this.opts;
    clearTimeout(this.retryTimer);
    if (status.disposed || status.nextAttemptAt === null) return;
    this.retryTimer = setTimeout(() => void this.sync(), Math.max(0, status.nextAttemptAt - clock()));
    this.retryTimer.unref();
  }

  private async push(entry: store.OutboxEntry, token: string): Promise<void> {
    const { db, cloud } = this.opts;
    let r: CloudReply;
    if (entry.kind === 'consent') {
      const c = store.getConsent(db, Number(entry.payload.consentId));
      if (!c) return store.outboxDone(db, entry.id);
      r = await cloud.request({
        method: 'POST', path: '/v1/consents', purpose: 'consent_record', token, headers: this.confirmations.get(c.id),
        body: { purpose: c.purpose, action: c.action, policyVersion: c.policyVersion, policyTextHash: c.policyTextHash, appVersion: c.appVersion, locale: c.locale },
      });
      cloud.check(r);
      if (r.ok) store.consentRecorded(db, c.id, r.body.record.id, r.body.record.recordedAt);
      this.confirmations.delete(c.id);
      // The grant waited past its confirmation (the cloud was away for minutes, or the station restarted): the cloud has
      // no grant, so it takes nothing for the purpose; the user is told to turn it on again.
      if (cloudCode(r) === 'confirmation_required') {
        this.opts.status.lastError = `${PURPOSE_TEXT[c.purpose].title}: the grant was not recorded because your password confirmation expired; turn it on again`;
        return store.outboxDone(db, entry.id);
      }
    } else if (entry.kind === 'rights') {
      r = await cloud.request({ method: 'PUT', path: '/v1/rights', purpose: 'rights', action: 'restriction / objection', token, body: entry.payload });
      cloud.check(r);
      if (r.ok) store.patchAccount(db, { restricted: r.body.restricted, objected: r.body.objected });
    } else if (entry.kind === 'profile') {
      r = await cloud.request({ method: 'PATCH', path: '/v1/account', purpose: 'account', action: 'profile edit', token, body: entry.payload });
      cloud.check(r);
      if (r.ok) {
        const acc = r.body.account;
        store.patchAccount(db, { nickname: acc.nickname, country: acc.country, dateOfBirth: acc.dateOfBirth });
        // A birth date below 16 suspended it (cloud/minors.ts): the page says so at once.
        store.setMeta(db, 'suspension', acc.suspension ? JSON.stringify(acc.suspension) : '');
      }
    } else {
      return;
    }
    if (r.status >= 200 && r.status < 300) return store.outboxDone(db, entry.id);
    // Refused for good (bad input): drop it, and tell the user what was not kept.
    this.opts.status.lastError = `${entry.kind} change not accepted by the cloud: ${cloudMessage(r)}`;
    store.outboxDone(db, entry.id);
  }

  /** Pulls the settings document, merges it per field with ours, and pushes the result if ours adds anything. */
  private async syncSettings(token: string): Promise<void> {
    const { db, cloud } = this.opts;
    let r = await cloud.request({ method: 'GET', path: '/v1/settings', purpose: 'settings_sync', token });
    cloud.check(r);
    if (!r.ok) throw new Error(`settings: ${cloudMessage(r)}`);
    let remote = { version: r.body.version as number, settings: r.body.settings as unknown };
    for (let tries = 0; tries < SETTINGS_PUT_TRIES; tries++) {
      const result = mergeFields(store.listFields(db), parseDoc(remote.settings));
      this.adopt(result.adopt, result.maxClock);
      const restricted = store.getAccount(db)?.restricted ?? false;
      if (!result.pushNeeded || restricted) {
        if (!restricted) this.dropSettingsEntries();
        return;
      }
      r = await cloud.request({
        method: 'PUT', path: '/v1/settings', purpose: 'settings_sync', token,
        headers: { 'if-match': `"${remote.version}"` }, body: { settings: toDoc(result.merged.values(), remote.settings) },
      });
      cloud.check(r);
      if (r.status === 200) return this.dropSettingsEntries();
      if (r.status === 412 && r.error?.current) {
        remote = { version: r.error.current.version, settings: r.error.current.settings };
        continue;
      }
      if (cloudCode(r) === 'processing_restricted') return;
      throw new Error(`settings: ${cloudMessage(r)}`);
    }
    throw new CloudUnreachable('settings kept changing in the cloud while merging; will retry');
  }

  private dropSettingsEntries(): void {
    const { db } = this.opts;
    for (const e of store.listOutbox(db)) if (e.kind === 'settings') store.outboxDone(db, e.id);
  }

  private adopt(fields: ClockedField[], maxClock: number): void {
    const { db, clock, collector } = this.opts;
    const now = clock();
    db.transaction(() => {
      for (const f of fields) store.putField(db, f, now);
      if (maxClock > Number(store.getMeta(db, 'clock') ?? 0)) store.setMeta(db, 'clock', String(maxClock));
    })();
    for (const f of fields) {
      const purpose = f.key.replace(/^consent\./, '');
      if (isTelemetry(purpose) && !(f.value as Partial<ConsentValue>)?.granted) collector.discard(purpose);
    }
  }

  /** The cloud's ledger and account as other stations left them. */
  private async pull(token: string): Promise<void> {
    const { db, cloud } = this.opts;
    const c = await cloud.request({ method: 'GET', path: '/v1/consents', purpose: 'settings_sync', token });
    cloud.check(c);
    if (c.ok) {
      for (const rec of c.body.records) {
        if (store.hasCloudConsent(db, rec.id)) continue;
        store.addConsent(db, {
          purpose: rec.purpose, action: rec.action, policyVersion: rec.policyVersion, policyTextHash: rec.policyTextHash,
          appVersion: rec.appVersion, locale: rec.locale, createdAt: Date.parse(rec.recordedAt), cloudId: rec.id,
          cloudRecordedAt: rec.recordedAt, origin: 'cloud',
        });
      }
    }
    const a = await cloud.request({ method: 'GET', path: '/v1/account', purpose: 'settings_sync', token });
    cloud.check(a);
    const waiting = store.listOutbox(db);
    if (a.ok) {
      const acc = a.body.account;
      store.setMeta(db, 'photoType', typeof acc.photoType === 'string' ? acc.photoType : '');
      store.setMeta(db, 'emailVerified', acc.emailVerified === undefined ? '' : acc.emailVerified ? '1' : '0');
      store.setMeta(db, 'suspension', acc.suspension ? JSON.stringify(acc.suspension) : '');
      store.patchAccount(db, {
        email: acc.email,
        ...(waiting.some((e) => e.kind === 'profile') ? {} : { nickname: acc.nickname, country: acc.country, dateOfBirth: acc.dateOfBirth }),
        ...(waiting.some((e) => e.kind === 'rights') ? {} : { restricted: acc.restricted, objected: acc.objected }),
      });
    }
  }

  private async sendTelemetry(token: string): Promise<void> {
    const { db, cloud, status } = this.opts;
    for (const purpose of TELEMETRY_PURPOSES) {
      if (!status.active.has(purpose)) continue;
      const batch = store.pendingTelemetry(db, purpose);
      if (batch.length === 0) continue;
      const r = await cloud.request({ method: 'POST', path: `/v1/telemetry/${purpose}`, purpose, token, body: { events: batch.map((b) => b.payload) } });
      cloud.check(r);
      if (r.status === 202) {
        store.dropTelemetry(db, purpose, batch.at(-1)!.id);
      } else if (cloudCode(r) === 'consent_outdated') {
        // The cloud has a newer policy than we knew: ask again before sending more.
        await cloud.checkHealth(undefined);
        status.refreshActive();
      } else {
        status.lastError = `${PURPOSE_TEXT[purpose].title}: ${cloudMessage(r)}`;
      }
    }
  }
}
