// The station's side of the privacy design, composed of its parts: account, consents and sync, cloud services, data rights.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AlarmNotice } from '../../contract';
import type { Logger } from '../log';
import type { Dispatch, Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { AccountSessions, STATION_CLIENT } from './account-sessions';
import { CloudClient } from './cloud-client';
import { CloudTransport, CloudUnreachable } from './cloud-transport';
import { CloudServices, type HostableDevice, type NamedChannel } from './cloud-services';
import { consentGate } from './consent-gate';
import { ConsentsRights } from './consents-rights';
import { DataRights } from './data-rights';
import { Feedback } from './feedback';
import { OutboxSync } from './outbox-sync';
import { PrivacyStatus } from './privacy-status';
import { Regions } from './regions';
import * as store from './privacy-store';
import { TelemetryCollector } from './telemetry-collector';

export interface PrivacyServiceOptions {
  db: Db;
  secrets: SecretStore;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  cloudUrl: string | null;
  /** PEM certificate authorities trusted for an https:// cloud instead of the system's. */
  cloudCa?: string;
  dataDir: string;
  /** Where recordings and snapshots are, for "delete my recordings too". */
  mediaDirs: () => string[];
  facts: () => Promise<Record<string, unknown>>;
  /** The station's channels, for alarm push and device hosting. */
  channels: () => Promise<NamedChannel[]>;
  /** The station's devices, for device hosting. */
  devices: () => HostableDevice[] | Promise<HostableDevice[]>;
  /** The archive's bookmarks (names, notes and tags someone wrote), for the data export. */
  bookmarks?: () => unknown[];
  /** The subject access request register, in the clear, for the data export. */
  subjectRequests?: () => Promise<unknown[]>;
  /** A diagnostics zip made now, for feedback that carries one. */
  diagnostics?: () => Promise<{ fileName: string; zipBase64: string }>;
  /** How often a signed-in station syncs and sends granted telemetry (default 60 s). */
  syncEveryMs?: number;
  /** Longest wait between retries while the cloud is unreachable (default 30 s). */
  retryCapMs?: number;
}

type PrivacyHandlerName = Extract<keyof Handlers, `privacy.${string}`>;
export type PrivacyHandlers = Pick<Handlers, PrivacyHandlerName>;

export class PrivacyService {
  readonly handlers: PrivacyHandlers;
  /** The account's cloud client, for the areas that act for the account (sites/shares.ts). */
  readonly cloud: CloudClient;
  private readonly status: PrivacyStatus;
  private readonly collector: TelemetryCollector;
  private readonly outbox: OutboxSync;
  private readonly unsubscribe: () => void;
  private readonly db: Db;
  private readonly clock: () => number;
  private readonly log: Logger;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(opts: PrivacyServiceOptions) {
    const { db, secrets, clock, cloudUrl, dataDir, mediaDirs } = opts;
    const log = opts.logger.child({ part: 'privacy' });
    // Deleted personal rows are overwritten with zeros instead of lingering in free pages.
    db.pragma('secure_delete = ON');
    const node = store.getMeta(db, 'node') ?? randomUUID();
    store.setMeta(db, 'node', node);
    const exportsDir = join(dataDir, 'exports');
    // The account's region's instance when it is kept elsewhere than the configured cloud (sign-up or a move there).
    const accountUrl = cloudUrl ? store.getMeta(db, 'accountCloudUrl') || null : null;
    let transport: CloudTransport | undefined;
    const status = new PrivacyStatus({ db, signals: opts.signals, cloudUrl: () => transport?.baseUrl ?? cloudUrl, exportsDir });
    // Every request to the cloud passes the consent gate and is written to the transmission ledger.
    transport = new CloudTransport({ db, baseUrl: accountUrl ?? cloudUrl, ca: opts.cloudCa, clock, gate: consentGate(db, () => status.sessionEnded) });
    const cloud = new CloudClient({ db, secrets, transport, status, log, clock, cloudUrl });
    const collector = new TelemetryCollector({ db, clock, collecting: (p) => status.active.has(p), facts: opts.facts });
    status.refreshActive();

    const services = new CloudServices({ db, secrets, cloud, status, log, node, dataDir, mediaDirs, channels: opts.channels, devices: opts.devices });
    const outbox = new OutboxSync({
      db, cloud, status, collector, log, clock, hostDevices: (token) => services.hostDevices(token),
      syncEveryMs: opts.syncEveryMs, retryCapMs: opts.retryCapMs,
    });
    const regions = new Regions({ db, secrets, cloud, status, outbox, log, client: STATION_CLIENT });
    const account = new AccountSessions({ db, secrets, cloud, status, outbox, collector, log, clock, onForget: () => regions.forget() });
    const consents = new ConsentsRights({ db, cloud, status, outbox, collector, log, clock, node });
    const rights = new DataRights({ db, secrets, cloud, status, log, clock, exportsDir, mediaDirs, bookmarks: opts.bookmarks, subjectRequests: opts.subjectRequests, forgetLocalAccount: () => account.forgetLocalAccount() });

    this.handlers = {
      'privacy.state': () => status.state(),
      'privacy.checkCloud': async () => {
        try {
          await cloud.checkHealth('opened the Privacy page');
        } catch (err) {
          if (!(err instanceof CloudUnreachable)) throw err;
        }
        return status.changed();
      },
      'privacy.syncNow': async () => {
        await outbox.sync();
        return status.state();
      },
      ...account.handlers,
      ...regions.handlers,
      ...consents.handlers,
      ...services.handlers,
      ...rights.handlers,
      ...new Feedback({ cloud, diagnostics: opts.diagnostics ?? (() => Promise.reject(new Error('no diagnostics here'))) }).handlers,
    };
    // Alarms come from the events area on the station's public bus; each one is a push only while alarm push is granted.
    this.unsubscribe = opts.signals.subscribe((name, payload) => {
      if (name === 'alarm.raised') void services.pushAlarm(payload as AlarmNotice);
      // A changed device list goes out with the next sync round, only while hosting is active.
      else if ((name === 'devices.changed' || name === 'channels.changed') && status.active.has('device_hosting')) outbox.kick();
    });
    this.status = status;
    this.cloud = cloud;
    this.collector = collector;
    this.outbox = outbox;
    this.db = db;
    this.clock = clock;
    this.log = log;
  }

  /** Starts syncing with the cloud; the station calls it once every port it handed in can answer. */
  start(): void {
    this.outbox.start();
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 3_600_000);
    this.pruneTimer.unref();
  }

  /** The retention pass over the station's own records (ledger, unsent telemetry); also run hourly. */
  prune(): { transmissions: number; unsentTelemetry: number } {
    try {
      return store.pruneExpired(this.db, this.clock());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'privacy retention pass failed');
      return { transmissions: 0, unsentTelemetry: 0 };
    }
  }

  /** Counts feature usage for the User Experience Plan (only while it is granted). */
  observe(dispatch: Dispatch): Dispatch {
    return this.collector.observe(dispatch);
  }

  async dispose(): Promise<void> {
    this.status.disposed = true;
    clearInterval(this.pruneTimer);
    this.unsubscribe();
    await this.outbox.dispose();
  }
}
