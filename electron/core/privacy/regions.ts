// The deployment's regions: the directory read from the configured cloud, the transfer notice, and moving the account to
// another region. The old region's cloud does the move itself (export there, create in the new region, then erase there):
// the consent ledger must arrive with its original times and the password hash must arrive at all, and neither may pass
// through a station (cloud/routes/regions.ts). The station asks for it, then talks to the new region's instance.
import { fail, isInternationalTransfer, type DataRegion, type RegionMove } from '../../contract';
import { REGIONS, type Region } from '../../contract/cloud';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { TOKEN_KEY, accountError, type CloudClient } from './cloud-client';
import type { OutboxSync } from './outbox-sync';
import type { PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';

const MOVES_KEY = 'regionMoves';

/** The regions the configured cloud's directory lists (asked at the user's request: sign-up, or the Privacy page). */
export async function listRegions(cloud: CloudClient, action: string): Promise<DataRegion[]> {
  let r;
  try {
    r = await cloud.request({ method: 'GET', path: '/v1/regions', purpose: 'service_info', action, baseUrl: cloud.configuredUrl ?? undefined });
  } catch (err) {
    cloud.unreachable(err, cloud.configuredUrl);
  }
  // An older cloud without a directory serves its own region only.
  if (r.status === 404) return [];
  if (!r.ok) throw accountError(r);
  return r.body.regions.map((x) => ({ ...x, current: x.url === cloud.baseUrl }));
}

/** The region's entry in the directory, or a refusal naming the field. */
export function servedRegion(regions: DataRegion[], region: Region): DataRegion {
  const hit = regions.find((r) => r.id === region);
  // Region parameters are ids: each language names them (English: `englishText`).
  if (!hit) throw fail('region.notServed', { field: 'region', region });
  return hit;
}

/** Kept outside the person's country's region: the notice on international transfers must have been acknowledged. */
export function checkTransferNotice(country: string, region: Region, acknowledged: boolean | undefined): void {
  if (isInternationalTransfer(country, region) && !acknowledged)
    throw fail('region.transferNotice', { field: 'transferAcknowledged', country, region });
}

/** The receipts of region moves kept on this station, newest first. */
export function regionMoves(db: Db): RegionMove[] {
  const raw = store.getMeta(db, MOVES_KEY);
  return raw ? (JSON.parse(raw) as RegionMove[]) : [];
}

export interface RegionsOptions {
  db: Db;
  secrets: SecretStore;
  cloud: CloudClient;
  status: PrivacyStatus;
  outbox: OutboxSync;
  log: Logger;
  client: string;
}

export class Regions {
  readonly handlers: Pick<Handlers, 'privacy.regions' | 'privacy.moveRegion' | 'privacy.regionMoves'> = {
    'privacy.regions': () => listRegions(this.opts.cloud, 'show the regions'),
    'privacy.moveRegion': (input) => this.move(input),
    'privacy.regionMoves': async () => regionMoves(this.opts.db),
  };

  constructor(private readonly opts: RegionsOptions) {}

  private async move(input: { region: Region; password: string; transferAcknowledged?: boolean }): Promise<RegionMove> {
    const { db, cloud, secrets, status, outbox, log } = this.opts;
    const account = cloud.requireAccount();
    const target = servedRegion(await listRegions(cloud, 'move your account'), input.region);
    if (target.id === account.region) throw fail('region.same', { field: 'region', region: target.id });
    checkTransferNotice(account.country, target.id, input.transferAcknowledged);
    // Whatever waits to be sent goes to the old region first, so it moves with the rest.
    await outbox.sync();
    let r;
    try {
      r = await cloud.request({
        method: 'POST', path: '/v1/account/move', purpose: 'account', action: 'move your account to another region', token: await cloud.token(),
        body: { region: input.region, password: input.password, client: this.opts.client, ...(input.transferAcknowledged ? { transferNoticeAcknowledged: true as const } : {}) },
      });
    } catch (err) {
      return cloud.unreachable(err);
    }
    if (!r.ok) {
      const code = r.error?.code;
      const tries = typeof r.error?.attemptsLeft === 'number' ? r.error.attemptsLeft : null;
      if (code === 'wrong_password')
        throw tries === null ? fail('account.wrongPassword', { field: 'password' }) : fail('account.wrongPasswordTries', { field: 'password', count: tries });
      if (code === 'login_throttled') throw fail('account.logInThrottled', { field: 'password', minutes: Math.ceil(Number(r.error?.retryAfterSeconds ?? 900) / 60) });
      if (code === 'email_taken') throw fail('region.emailTaken', { field: 'region', region: target.id });
      if (code === 'move_unfinished') throw fail('region.unfinished', { field: 'region', region: target.id }, r.error?.message);
      if (code === 'region_unavailable' || r.status >= 500) throw fail('region.unavailable', { field: 'region', region: target.id }, r.error?.message);
      if (code === 'invalid_input' && r.error?.field === 'region') throw fail('region.notServed', { field: 'region', region: target.id }, r.error.message);
      throw accountError(r);
    }
    const { receipt, signedIn } = r.body;
    // The account is complete in the new region and gone from the old: from now on this station talks to the new one.
    await secrets.set(TOKEN_KEY, signedIn.token);
    cloud.useInstance(target.url);
    const a = signedIn.account;
    store.putAccount(db, {
      ...account, region: a.region, regionName: a.regionName, sessionId: signedIn.sessionId, expiresAt: signedIn.expiresAt,
    });
    // The ledger's records have new ids there: the ones recorded in the old region are read again from the new one.
    db.prepare('DELETE FROM privacy_consent WHERE cloud_id IS NOT NULL').run();
    const kept: RegionMove = { ...receipt, fromName: REGIONS[receipt.from], toName: REGIONS[receipt.to] };
    store.setMeta(db, MOVES_KEY, JSON.stringify([kept, ...regionMoves(db)]));
    log.info({ from: receipt.from, to: receipt.to }, 'account moved to another region');
    status.cloudInfo = { ...status.cloudInfo, region: a.region, regionName: a.regionName };
    await outbox.sync().catch(() => undefined);
    status.changed();
    return kept;
  }

  /** Signed out or erased: the receipts go with the rest of the account here, and the station talks to the configured cloud. */
  forget(): void {
    const { db, cloud, status } = this.opts;
    store.setMeta(db, MOVES_KEY, '');
    const was = cloud.baseUrl;
    cloud.useInstance(null);
    // What the other region's instance said about itself no longer describes the cloud this station talks to.
    if (cloud.baseUrl !== was) status.cloudInfo = { ...status.cloudInfo, reachable: null, region: null, regionName: null, checkedAt: null };
  }
}
