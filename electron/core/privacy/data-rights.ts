// The rights of access and erasure: "Export my data" and "Delete my account", each covering this station and the cloud.
import { fail, StationError, type ErasureReceipt } from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { SessionEnded, TOKEN_KEY, type CloudClient } from './cloud-client';
import { cloudCode, cloudMessage, type CloudReply } from './cloud-transport';
import { exportLocal, writeExportFile } from './data-export';
import { emptyFolder, scrubDatabase, type LocalErasure } from './erasure';
import type { PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';

export interface DataRightsOptions {
  db: Db;
  secrets: SecretStore;
  cloud: CloudClient;
  status: PrivacyStatus;
  log: Logger;
  clock: () => number;
  exportsDir: string;
  /** Where recordings and snapshots are, for "delete my recordings too". */
  mediaDirs: () => string[];
  /** The archive's bookmarks, listed in the export as written (their tables are in `local` too). */
  bookmarks?: () => unknown[];
  /** The subject access request register with the people's details in the clear (its table holds them sealed). */
  subjectRequests?: () => Promise<unknown[]>;
  /** Forgets the signed-in person here (the account part also drops what it caches). */
  forgetLocalAccount: () => LocalErasure;
}

export class DataRights {
  readonly handlers: Pick<Handlers, 'privacy.export' | 'privacy.erase'> = {
    'privacy.export': (input) => this.exportData(input.password),
    'privacy.erase': (input) => this.erase(input),
  };

  constructor(private readonly opts: DataRightsOptions) {}

  private async exportData(password: string | undefined) {
    const { db, secrets, cloud, clock } = this.opts;
    // Everything the cloud holds leaves in one answer: only with the account's password typed again (checked by the cloud).
    if (store.getAccount(db) && !password) throw fail('account.confirmNeeded', { field: 'password' });
    const now = clock();
    const local = exportLocal(db, now, await secrets.keys());
    let cloudPart: unknown = null;
    let cloudError: string | null = null;
    if (store.getAccount(db)) {
      try {
        const headers = await cloud.confirmation(password!);
        const r = await cloud.request({ method: 'GET', path: '/v1/export', purpose: 'data_export', action: 'export my data', token: await cloud.token(), headers });
        if (r.status === 200) cloudPart = r.body;
        else cloudError = cloudMessage(r);
      } catch (err) {
        // A wrong password is the user's to fix: nothing is written. An unreachable cloud leaves the station's part to export.
        if (err instanceof StationError) throw err;
        cloudError = err instanceof SessionEnded ? 'your session ended; log in again to include the cloud part' : (err as Error).message;
      }
    }
    const doc = { format: 'watchpost-data-export/1', generatedAt: new Date(now).toISOString(), local, bookmarks: this.opts.bookmarks?.() ?? [], subjectRequests: (await this.opts.subjectRequests?.()) ?? [], cloud: cloudPart, cloudError };
    const file = writeExportFile(this.opts.exportsDir, now, doc);
    this.opts.status.changed();
    return { ...file, bytes: Buffer.byteLength(file.json) };
  }

  private async erase(input: { password: string; recordings: 'keep' | 'delete' }): Promise<ErasureReceipt> {
    const { db, secrets, cloud: client, status } = this.opts;
    const account = store.getAccount(db);
    let cloud: Record<string, unknown> | null = null;
    if (account) {
      if (!input.password) throw fail('account.passwordNeeded', { field: 'password' });
      let r: CloudReply;
      try {
        r = await client.request({ method: 'DELETE', path: '/v1/account', purpose: 'erasure', action: 'delete my account', token: await client.token(), body: { password: input.password } });
      } catch (err) {
        if (err instanceof SessionEnded) throw fail('account.sessionEnded');
        this.opts.cloud.unreachable(err);
      }
      if (r.status === 403 && cloudCode(r) === 'wrong_password') throw fail('account.eraseWrongPassword', { field: 'password' });
      if (!r.ok) throw fail('account.eraseRefused', {}, cloudMessage(r));
      cloud = r.body.receipt;
    }
    const rows = this.opts.forgetLocalAccount();
    const token = (await secrets.keys()).includes(TOKEN_KEY);
    await secrets.delete(TOKEN_KEY);
    const exportFiles = emptyFolder(this.opts.exportsDir);
    const recordingFiles = input.recordings === 'delete' ? this.opts.mediaDirs().reduce((n, d) => n + emptyFolder(d), 0) : 0;
    scrubDatabase(db);
    status.clear();
    this.opts.log.info({ recordings: input.recordings }, 'account erased');
    status.changed();
    return {
      erasedAt: this.opts.clock(),
      cloud,
      local: { ...rows, exportFiles, recordings: input.recordings === 'delete' ? 'deleted' : 'kept', recordingFiles, token },
      kept: 'The transmission ledger (times, endpoints, purposes and sizes; it names no one)' +
        (input.recordings === 'keep' ? ', and your recordings and snapshots as you chose' : '') +
        (cloud ? '. The cloud keeps proof of your consents under a keyed hash, without personal details.' : '.'),
    };
  }
}
